//! An RDS database must not be reachable from the internet. Beyond
//! `publicly_accessible`, what decides is the whole path: the subnets of its
//! DB subnet group and their route tables, the network ACLs (both ways) and
//! the security groups.

use crate::prelude::*;
use palisade_reach::hop::Verdict;
use palisade_reach::net::{EndKind, Net};
use palisade_reach::paths::Analysis;
use palisade_reach::Conns;

pub static RULE: Rule = Rule {
    id: "PAL144",
    name: "reach-rds-reachable-from-internet",
    title: "An RDS database is reachable from the internet",
    severity: Severity::Critical,
    practices: &["NET-03"],
    benchmarks: &[],
    description: "A connection from the internet reaches the database: it has a public address, a \
subnet of its DB subnet group routes to an internet gateway, and neither the network ACL nor the \
security groups stop it. The database is then one password away from the internet.",
    remediation: "Set `publicly_accessible = false`, use a DB subnet group of private subnets only, \
and admit only the application's security group.",
    references: &["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let net = Net::new(m);
    let a = Analysis::new(&net);
    for (d, e) in net.ends.iter().enumerate() {
        if e.kind != EndKind::Rds {
            continue;
        }
        let Some(meta) = net.meta_of(d) else { continue };
        let h = a.hop(0, d, &Conns::all());
        let layers: Vec<String> = h
            .layers
            .iter()
            .filter(|l| l.verdict == Verdict::Allow)
            .map(|l| l.name.clone())
            .collect();
        match h.verdict {
            Verdict::Allow => cx.report(
                meta,
                None,
                format!(
                    "internet → {} gets through with {} (allowed by: {})",
                    e.id,
                    h.conns,
                    layers.join("; ")
                ),
            ),
            Verdict::Unknown => cx.unknown(
                meta,
                "reachable from the internet",
                None,
                format!(
                    "internet → {} possibly gets through with {}",
                    e.id, h.possibly
                ),
            ),
            Verdict::Deny => {}
        }
    }
}
