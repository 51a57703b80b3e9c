//! One workload must not reach another workload's database. With the VPC
//! CNI, pods use their node's security groups unless a SecurityGroupPolicy
//! gives them their own; a database that admits the node groups (or a whole
//! subnet) is open to every pod on those nodes.
//!
//! For each RDS database, palisade computes which workloads' pods reach it
//! (NetworkPolicy, security groups, ACLs and routes together). When some
//! workloads are bound to it by a SecurityGroupPolicy, any other workload
//! that reaches it is reported; when none is, a database reached by more
//! than one workload is reported.

use crate::prelude::*;
use palisade_reach::hop::Verdict;
use palisade_reach::net::{EndKind, Net, Sgs};
use palisade_reach::paths::Analysis;
use palisade_reach::Conns;

pub static RULE: Rule = Rule {
    id: "PAL141",
    name: "reach-workload-reaches-foreign-database",
    title: "A workload can reach another workload's database",
    severity: Severity::High,
    practices: &["K8S-03", "K8S-04"],
    benchmarks: &[],
    description:
        "Pods that are not the database's application reach its port: a compromise of any \
of them (or a bug) exposes the data. Typically the database admits the EKS nodes' security group, \
so every pod without its own security groups gets through, including pods that a \
SecurityGroupPolicy was meant to single out.",
    remediation:
        "Admit only the application's pod security group (from its SecurityGroupPolicy) in \
the database's security group, and deny other pods egress to the database subnets with a \
NetworkPolicy.",
    references: &["https://docs.aws.amazon.com/eks/latest/userguide/security-groups-for-pods.html"],
    check,
};

fn from_policy(sgs: &Sgs) -> bool {
    matches!(sgs, Sgs::Known { source, .. } if source.starts_with("SecurityGroupPolicy"))
}

fn check(m: &Model, cx: &mut Ctx) {
    let net = Net::new(m);
    let a = Analysis::new(&net);
    for (d, db) in net.ends.iter().enumerate() {
        if db.kind != EndKind::Rds {
            continue;
        }
        let Some(db_meta) = net.meta_of(d) else {
            continue;
        };
        let mut reach = Vec::new();
        for (p, pods) in net.ends.iter().enumerate() {
            if pods.kind != EndKind::Pods {
                continue;
            }
            let h = a.hop(p, d, &Conns::all());
            match h.verdict {
                Verdict::Allow => reach.push((p, h)),
                Verdict::Unknown => cx.unknown(
                    db_meta,
                    "reachable from pods",
                    None,
                    format!(
                        "whether {} reaches it is unknown (possibly {})",
                        pods.id, h.possibly
                    ),
                ),
                Verdict::Deny => {}
            }
        }
        let owners: Vec<&str> = reach
            .iter()
            .filter(|(p, _)| net.ends.get(*p).is_some_and(|e| from_policy(&e.sgs)))
            .filter_map(|(p, _)| net.ends.get(*p).map(|e| e.id.as_str()))
            .collect();
        if !owners.is_empty() {
            for (p, h) in &reach {
                let Some(e) = net.ends.get(*p) else { continue };
                if from_policy(&e.sgs) {
                    continue;
                }
                let Some(meta) = net.meta_of(*p) else {
                    continue;
                };
                cx.report(
                    meta,
                    None,
                    format!(
                        "{} → {} gets through with {} (its pods use {}), while only {} {} bound to the database by a SecurityGroupPolicy",
                        e.id,
                        db.id,
                        h.conns,
                        match &e.sgs {
                            Sgs::Known { source, .. } => source.clone(),
                            _ => "unknown security groups".into(),
                        },
                        owners.join(", "),
                        if owners.len() == 1 { "is" } else { "are" }
                    ),
                );
            }
        } else if reach.len() > 1 {
            let list: Vec<String> = reach
                .iter()
                .filter_map(|(p, h)| net.ends.get(*p).map(|e| format!("{} ({})", e.id, h.conns)))
                .collect();
            cx.report(
                db_meta,
                None,
                format!(
                    "pods of {} workloads reach it and no SecurityGroupPolicy binds it to one: {}",
                    reach.len(),
                    list.join(", ")
                ),
            );
        }
    }
}
