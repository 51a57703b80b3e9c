//! Internet-facing load balancers belong in the public subnets: they are
//! the one sanctioned internet entry, and the tiers behind them stay
//! private.
//!
//! The seeds place "Application load balancers ... in public subnets,
//! serving as the origin for CloudFront distributions". An internet-facing
//! load balancer in a subnet without an internet-gateway route does not
//! serve the internet as intended, and the usual "fix" is to add an
//! internet-gateway route to an application or data subnet. The rule
//! follows the load balancer's subnets to their route tables.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL015",
    name: "internet-facing-lb-in-private-subnet",
    title: "Internet-facing load balancer is placed in a private subnet",
    severity: Severity::Low,
    practices: &["NET-08"],
    benchmarks: &[],
    description: "An internet-facing load balancer lists a subnet whose route table has no route \
to an internet gateway. The load balancer's node in that Availability Zone cannot serve internet \
clients, and the subnet tiers get mixed (public entry points in private subnets, or private \
subnets later opened to the internet to make it work). The seeds keep load balancers in the \
public subnets and everything else private.",
    remediation: "Put internet-facing load balancers only in public subnets (route to the \
internet gateway), one per Availability Zone; use `internal = true` for load balancers that \
serve the VPC.",
    references: &[
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#availability-zones",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let aws = &m.aws;
    for lb in &aws.load_balancers {
        if cx.known(&lb.meta, "internal", &lb.internal) != Some(&false) {
            continue;
        }
        let Some(kind) = cx.known(&lb.meta, "load_balancer_type", &lb.lb_type) else {
            continue;
        };
        if kind.eq_ignore_ascii_case("gateway") {
            continue; // gateway load balancers are never internet-facing entry points
        }
        let Some(subnets) = cx.known(&lb.meta, "subnets", &lb.subnets) else {
            continue;
        };
        for subnet in subnets_named(aws, subnets) {
            match egress_of(aws, subnet) {
                Err(reason) => cx.unknown(&lb.meta, "subnets", lb.subnets.loc(), reason),
                Ok(e) if !e.is_public() => cx.report(
                    &lb.meta,
                    lb.subnets.loc(),
                    format!(
                        "internet-facing load balancer uses subnet `{}`, which has no route to an \
internet gateway",
                        subnet.meta.address
                    ),
                ),
                Ok(_) => {}
            }
        }
    }
}
