//! The only entries from the internet should be internet-facing load
//! balancers (and CloudFront in front of them), and origins behind
//! CloudFront should accept only CloudFront. Anything else reachable
//! straight from the internet (an instance, a node, a database, an endpoint)
//! bypasses the edge controls (WAF, TLS policy, logging).

use crate::prelude::*;
use palisade_reach::hop::Verdict;
use palisade_reach::net::{EndKind, Net};
use palisade_reach::paths::Analysis;
use palisade_reach::Conns;

pub static RULE: Rule = Rule {
    id: "PAL146",
    name: "reach-internet-entry-bypasses-load-balancer",
    title: "Something other than a load balancer is reachable from the internet, or a CloudFront origin accepts more than CloudFront",
    severity: Severity::High,
    practices: &["NET-08"],
    benchmarks: &[],
    description: "A connection from the internet reaches a resource directly instead of through an \
internet-facing load balancer, or reaches a load balancer that CloudFront uses as its origin without \
going through CloudFront. Either way the edge controls (WAF, TLS policy, access logs) are bypassed.",
    remediation: "Keep workloads and data in private subnets behind the load balancer; for origins \
behind CloudFront, admit only the `com.amazonaws.global.cloudfront.origin-facing` prefix list in the \
origin's security group.",
    references: &["https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/LocationsOfEdgeServers.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let net = Net::new(m);
    let a = Analysis::new(&net);
    let mut origins = Vec::new();
    for e in &net.ends {
        if e.kind == EndKind::CloudFront {
            origins.extend(e.forwards.iter().map(|&o| (o, e.id.clone())));
        }
    }
    for (i, e) in net.ends.iter().enumerate() {
        let direct = matches!(
            e.kind,
            EndKind::Rds
                | EndKind::Instance
                | EndKind::Nodes
                | EndKind::Pods
                | EndKind::Lambda
                | EndKind::InterfaceEndpoint { .. }
        );
        let behind: Vec<&str> = origins
            .iter()
            .filter(|(o, _)| *o == i)
            .map(|(_, cf)| cf.as_str())
            .collect();
        let origin = matches!(e.kind, EndKind::LoadBalancer { .. }) && !behind.is_empty();
        if !direct && !origin {
            continue;
        }
        let Some(meta) = net.meta_of(i) else { continue };
        let h = a.hop(0, i, &Conns::all());
        let what = if origin {
            format!("it is the origin of {}, yet ", behind.join(", "))
        } else {
            String::new()
        };
        match h.verdict {
            Verdict::Allow => cx.report(
                meta,
                None,
                format!(
                    "{what}internet → {} gets through directly with {}",
                    e.id, h.conns
                ),
            ),
            Verdict::Unknown => cx.unknown(
                meta,
                "reachable from the internet",
                None,
                format!(
                    "{what}internet → {} possibly gets through with {}",
                    e.id, h.possibly
                ),
            ),
            Verdict::Deny => {}
        }
    }
}
