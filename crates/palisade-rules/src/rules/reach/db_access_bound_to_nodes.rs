//! Security groups for pods exist so that database access belongs to the
//! pods that need it. When the EKS nodes themselves reach a database, every
//! pod on them (without its own security groups, or on the host network)
//! does too: access is bound to the nodes, not to the application.

use crate::prelude::*;
use palisade_reach::hop::Verdict;
use palisade_reach::net::{EndKind, Net};
use palisade_reach::paths::Analysis;
use palisade_reach::Conns;

pub static RULE: Rule = Rule {
    id: "PAL142",
    name: "reach-db-access-bound-to-nodes",
    title: "EKS nodes reach a database, so every pod on them can",
    severity: Severity::High,
    practices: &["K8S-04", "K8S-03"],
    benchmarks: &[],
    description: "The database admits traffic from the EKS worker nodes (their security groups, \
subnets or a CIDR covering them), and the nodes' own egress lets it out. Pods without a \
SecurityGroupPolicy and host-network pods use the node's interface, so all of them reach the \
database, whatever workload they belong to.",
    remediation:
        "Give the application's pods their own security group with a SecurityGroupPolicy, \
admit only that group in the database's security group, and remove rules that admit the node \
group or the node subnets.",
    references: &["https://docs.aws.amazon.com/eks/latest/userguide/security-groups-for-pods.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let net = Net::new(m);
    let a = Analysis::new(&net);
    for (d, db) in net.ends.iter().enumerate() {
        if db.kind != EndKind::Rds {
            continue;
        }
        let Some(meta) = net.meta_of(d) else { continue };
        for (n, nodes) in net.ends.iter().enumerate() {
            if nodes.kind != EndKind::Nodes {
                continue;
            }
            let h = a.hop(n, d, &Conns::all());
            match h.verdict {
                Verdict::Allow => cx.report(
                    meta,
                    None,
                    format!(
                        "EKS nodes {} → {} get through with {}{}: every pod on them without its own security groups can connect",
                        nodes.id,
                        db.id,
                        h.conns,
                        if h.via.is_empty() { String::new() } else { format!(" via {}", h.via.join(", ")) }
                    ),
                ),
                Verdict::Unknown => cx.unknown(
                    meta,
                    "reachable from nodes",
                    None,
                    format!("whether {} reaches it is unknown (possibly {})", nodes.id, h.possibly),
                ),
                Verdict::Deny => {}
            }
        }
    }
}
