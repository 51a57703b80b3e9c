//! Resources launched without an explicit security group land in their
//! VPC's default security group. AWS creates it allowing all traffic among
//! its members and all egress, so it should have no rules at all.
//!
//! The seeds require the default security group to be closed. The rule
//! reports every rule of a default security group, and every VPC whose
//! default security group is not managed (so AWS's default rules remain).

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL014",
    name: "default-security-group-not-closed",
    title: "Default security group is not closed",
    severity: Severity::Medium,
    practices: &["NET-07"],
    benchmarks: &["CIS AWS 5.4", "AWS FSBP EC2.2", "CKV2_AWS_12"],
    description: "The VPC's default security group has ingress or egress rules, or the VPC \
does not manage its default security group, which keeps AWS's default rules (all traffic from \
members of the group, all outbound traffic). Anything launched without an explicit group then \
gets those permissions silently. The seeds require the default security group to restrict all \
traffic.",
    remediation: "Declare `aws_default_security_group` for every VPC with no `ingress` or \
`egress` blocks (which removes all rules), and give every resource an explicit security group.",
    references: &["https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let aws = &m.aws;
    for sg in aws.security_groups.iter().filter(|g| g.is_default) {
        for rule in aws.sg_rules_of(sg) {
            let dir = if rule.ingress { "ingress" } else { "egress" };
            cx.report(
                &sg.meta,
                Some(&rule.meta.loc),
                format!(
                    "default security group has an {dir} rule: {}",
                    describe(rule)
                ),
            );
        }
    }
    for vpc in &aws.vpcs {
        let mut managed = false;
        let mut undecided = None;
        for sg in aws.security_groups.iter().filter(|g| g.is_default) {
            match sg.vpc.get() {
                Some(Some(v)) if aws.refers_to(v, &vpc.meta) => managed = true,
                Some(_) => {}
                None => undecided = Some(sg),
            }
        }
        if managed {
            continue;
        }
        if let Some(sg) = undecided {
            cx.known(&sg.meta, "vpc_id", &sg.vpc);
            continue;
        }
        cx.report(
            &vpc.meta,
            None,
            "default security group is not managed: AWS's default rules (all traffic between \
members, all egress) stay in place",
        );
    }
}

/// What a rule admits, for messages: protocol, ports and peers.
fn describe(rule: &SgRule) -> String {
    let protocol = match rule.all_protocols() {
        Some(true) => "all protocols".to_owned(),
        Some(false) => rule.protocol.get().cloned().unwrap_or_default(),
        None => "unknown protocol".to_owned(),
    };
    let ports = match rule.port_range() {
        _ if rule.has_ports() == Some(false) => "no ports".to_owned(),
        Some(r) if is_all_ports(r) => "all ports".to_owned(),
        Some((a, b)) if a == b => format!("port {a}"),
        Some((a, b)) => format!("ports {a}-{b}"),
        None => "unknown ports".to_owned(),
    };
    let mut peers: Vec<String> = Vec::new();
    for list in [&rule.cidrs_v4, &rule.cidrs_v6] {
        peers.extend(list.get().into_iter().flatten().cloned());
    }
    if rule.self_ref {
        peers.push("the group itself".to_owned());
    }
    for list in [&rule.source_groups, &rule.prefix_lists] {
        peers.extend(
            list.get()
                .into_iter()
                .flatten()
                .map(|r| format!("`{}`", r.key())),
        );
    }
    let peers = if peers.is_empty() {
        "no peer".to_owned()
    } else {
        peers.join(", ")
    };
    let dir = if rule.ingress { "from" } else { "to" };
    format!("{protocol}, {ports} {dir} {peers}")
}
