//! Cross-VPC database access over peering should route only the client and
//! database CIDRs. A default route to a peering connection sends every
//! unmatched destination to the other VPC, far beyond what the clients
//! need.
//!
//! The seeds' VPC-peering scenario isolates RDS in its own VPC and pairs it
//! with the EKS VPC; routes and security groups must be limited to the
//! client CIDRs.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL019",
    name: "peering-route-to-world",
    title: "Route sends all destinations to a VPC peering connection",
    severity: Severity::Medium,
    practices: &["NET-10"],
    benchmarks: &["CKV2_AWS_44"],
    description: "A route table routes 0.0.0.0/0 or ::/0 to a VPC peering connection. Every \
destination without a more specific route goes to the peer VPC, so the peering is no longer \
limited to the database or client CIDRs it was made for. The seeds restrict cross-VPC routes to \
the client CIDRs.",
    remediation: "Route only the peer VPC's specific CIDRs (the database subnets, or the \
clients' subnets on the other side) to the peering connection.",
    references: &[
        "https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-routing.html",
        "https://docs.aws.amazon.com/vpc/latest/peering/peering-configurations-partial-access.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for route in &m.aws.routes {
        let Some(RouteTarget::VpcPeering(pcx)) = route.target.get() else {
            continue;
        };
        for dest in [&route.destination_v4, &route.destination_v6] {
            let Some(d) = cx.known(&route.meta, "destination", dest) else {
                continue;
            };
            if let Some(d) = d.as_deref().filter(|d| is_world(d)) {
                cx.report(
                    &route.meta,
                    dest.loc(),
                    format!("route sends {d} to VPC peering connection `{}`", pcx.key()),
                );
            }
        }
    }
}
