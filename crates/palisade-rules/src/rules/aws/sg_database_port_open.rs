//! Database listeners open to the whole internet are scanned and
//! brute-forced continuously; one weak or leaked password is then enough.
//!
//! The seeds expose the database only to the workloads that use it (pod
//! security groups, the app tier's CIDR) and, for cross-VPC clients, to
//! listed source ranges. The database and cache ports come from
//! `params.database_ports`.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL012",
    name: "sg-database-port-open-to-internet",
    title: "Security group opens a database port to the internet",
    severity: Severity::Critical,
    practices: &["NET-07"],
    benchmarks: &["AWS FSBP EC2.19"],
    description: "An ingress rule admits 0.0.0.0/0 or ::/0 on a database or cache port \
(PostgreSQL, MySQL, SQL Server, Oracle, Redshift, MongoDB, Redis, Memcached, Elasticsearch by \
default). The seeds admit database traffic only from the application's security groups or \
CIDRs, never from the internet.",
    remediation: "Replace the world CIDR with the security group of the workloads that use the \
database (or security groups for pods), or with the listed client CIDRs for cross-VPC access.",
    references: &[
        "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.RDSSecurityGroups.html",
    ],
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
        let ports: Vec<String> = cx
            .params
            .database_ports
            .iter()
            .filter(|p| range_contains(range, **p))
            .map(u16::to_string)
            .collect();
        if ports.is_empty() {
            continue;
        }
        let Some(world) = sg_rule_world_sources(rule) else {
            cx.unknown(
                &rule.meta,
                "cidr_blocks",
                rule.cidrs_v4.loc(),
                "source CIDRs are unknown",
            );
            continue;
        };
        if world.is_empty() {
            continue;
        }
        let loc = rule.cidrs_v4.loc().or(rule.cidrs_v6.loc());
        let what = if ports.len() == 1 { "port" } else { "ports" };
        cx.report(
            &rule.meta,
            loc,
            format!(
                "database {what} {} open to {}",
                ports.join(", "),
                world.join(", ")
            ),
        );
    }
}
