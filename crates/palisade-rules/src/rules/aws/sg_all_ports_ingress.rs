//! An ingress rule for every protocol or every port admits far more than
//! any service needs, including admin and database ports that nobody meant
//! to open.
//!
//! The seeds want security groups that "admit only what is needed": no
//! all-ports rules. Rules whose peer is a security group (including the
//! group itself, as EKS requires between nodes) are not reported; rules
//! from CIDR ranges are, whatever the range.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL013",
    name: "sg-all-ports-ingress-from-cidr",
    title: "Security group admits all ports from a CIDR range",
    severity: Severity::Medium,
    practices: &["NET-07"],
    benchmarks: &["AWS FSBP EC2.18", "CKV_AWS_277"],
    description: "An ingress rule with protocol -1 (all traffic) or the full 0-65535 port range \
admits a CIDR range. Whatever the range, every port of every member of the group is reachable \
from it; from 0.0.0.0/0 or ::/0 that is the whole internet. The seeds allow only the ports each \
tier serves.",
    remediation: "Replace the rule with rules for the specific ports the service listens on, \
and prefer security-group peers to CIDR ranges inside the VPC.",
    references: &["https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for rule in m.aws.sg_rules.iter().filter(|r| r.ingress) {
        if rule.has_ports() == Some(false) {
            continue; // ICMP, ESP...: no TCP/UDP port is opened
        }
        let Some(range) = rule.port_range() else {
            cx.unknown(
                &rule.meta,
                "port range",
                rule.from_port.loc(),
                "port range or protocol is unknown",
            );
            continue;
        };
        if !is_all_ports(range) {
            continue;
        }
        let (Some(v4), Some(v6)) = (
            cx.known(&rule.meta, "cidr_blocks", &rule.cidrs_v4),
            cx.known(&rule.meta, "ipv6_cidr_blocks", &rule.cidrs_v6),
        ) else {
            continue;
        };
        let cidrs: Vec<&str> = v4.iter().chain(v6.iter()).map(String::as_str).collect();
        if cidrs.is_empty() {
            continue;
        }
        let what = if rule.all_protocols() == Some(true) {
            "all traffic"
        } else {
            "all ports"
        };
        let loc = rule.cidrs_v4.loc().or(rule.cidrs_v6.loc());
        cx.report(
            &rule.meta,
            loc,
            format!("{what} admitted from {}", cidrs.join(", ")),
        );
    }
}
