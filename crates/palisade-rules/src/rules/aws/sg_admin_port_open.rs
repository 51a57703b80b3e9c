//! Remote administration ports open to the whole internet are the most
//! common way into a cloud network.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL001",
    name: "sg-admin-port-open-to-internet",
    title: "Security group opens a remote-administration port to the internet",
    severity: Severity::Critical,
    practices: &["NET-07", "NET-11"],
    benchmarks: &[
        "CIS AWS 5.2",
        "CIS AWS 5.3",
        "AWS FSBP EC2.13",
        "CKV_AWS_24",
        "CKV_AWS_25",
        "tfsec aws-ec2-no-public-ingress-sgr",
        "Trivy AVD-AWS-0107",
    ],
    description: "An ingress rule admits 0.0.0.0/0 or ::/0 on SSH (22) or RDP (3389). \
Scanners find such ports within minutes; the seeds require admin access only through a VPN \
or SSM Session Manager, never a public port.",
    remediation: "Remove the rule and use SSM Session Manager, or restrict the source to your \
VPN's CIDR.",
    references: &["https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for rule in m.aws.sg_rules.iter().filter(|r| r.ingress) {
        if rule.has_ports() == Some(false) {
            continue; // ICMP, ESP...: no TCP/UDP port is opened
        }
        let Some(range) = rule.port_range() else {
            cx.unknown(&rule.meta, "port range", rule.from_port.loc(), "port range or protocol is unknown");
            continue;
        };
        let Some(world) = sg_rule_world_sources(rule) else {
            cx.unknown(&rule.meta, "cidr_blocks", rule.cidrs_v4.loc(), "source CIDRs are unknown");
            continue;
        };
        if world.is_empty() {
            continue;
        }
        for port in cx.params.admin_ports.clone() {
            if range_contains(range, port) {
                let loc = rule.cidrs_v4.loc().or(rule.cidrs_v6.loc());
                cx.report(
                    &rule.meta,
                    loc,
                    format!("port {port} is open to {}", world.join(", ")),
                );
            }
        }
    }
}
