//! Defense in depth for data: no single mistake should expose a data store
//! to the internet. Every path from the internet to an RDS database, an S3
//! bucket or a Secrets Manager secret, through CloudFront, load balancers
//! and at most one compromised workload, must cross at least two
//! independent controls (security groups, network ACLs, NetworkPolicies,
//! private placement, WAF, authentication, key and resource policies).
//!
//! Computed exactly by `palisade-reach` (see `palisade paths --exposure`).
//! A path whose layers are partly unknown is reported as an unknown.

use crate::prelude::*;
use palisade_reach::hop::Verdict;
use palisade_reach::net::Net;
use palisade_reach::paths::Analysis;
use palisade_reach::Conns;

pub static RULE: Rule = Rule {
    id: "PAL140",
    name: "reach-data-store-single-control",
    title: "A path from the internet to a data store crosses fewer than two independent controls",
    severity: Severity::High,
    practices: &["NET-12"],
    benchmarks: &[],
    description: "The seeds secure the data tier in depth: reaching the database from the internet \
must take more than one failure. palisade computes every path from the internet to each data store \
(directly, through CloudFront and load balancers, and through one workload an attacker controls) and \
counts the independent controls on it; a path with fewer than two is one misconfiguration away from \
a breach.",
    remediation: "Add an independent layer on the path: keep the data store in private subnets without \
a public address, admit only the application's security group, restrict the subnet's network ACL, \
put WAF in front of public entries, and use resource and key policies for AWS services.",
    references: &["https://docs.aws.amazon.com/whitepapers/latest/aws-security-best-practices/defense-in-depth.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let net = Net::new(m);
    let a = Analysis::new(&net);
    for (d, end) in net.ends.iter().enumerate() {
        if !end.kind.is_data_store() {
            continue;
        }
        let Some(meta) = net.meta_of(d) else { continue };
        let r = a.paths(0, d, &Conns::all());
        for p in &r.paths {
            if p.controls.len() >= 2 {
                continue;
            }
            let controls = if p.controls.is_empty() {
                "none".to_string()
            } else {
                p.controls.join("; ")
            };
            match p.verdict {
                Verdict::Allow => cx.report(
                    meta,
                    None,
                    format!(
                        "{} reaches it with {} ({} independent control{}: {controls})",
                        p.ends.join(" → "),
                        p.conns,
                        p.controls.len(),
                        if p.controls.len() == 1 { "" } else { "s" }
                    ),
                ),
                Verdict::Unknown => cx.unknown(
                    meta,
                    "internet paths",
                    None,
                    format!(
                        "{} may reach it with {} across {} control(s)",
                        p.ends.join(" → "),
                        p.possibly,
                        p.controls.len()
                    ),
                ),
                Verdict::Deny => {}
            }
        }
    }
}
