//! A route table that sends some traffic to a NAT gateway is the route table
//! of private subnets; if it also sends a destination to an internet
//! gateway, hosts in those subnets are reachable from the internet for that
//! destination.
//!
//! The classic case is a dual-stack VPC: `0.0.0.0/0` goes to the NAT gateway
//! but `::/0` goes to the internet gateway instead of an egress-only
//! internet gateway, so every IPv6 address in the "private" subnets is
//! publicly routable. The seeds want private subnets to reach the internet
//! only outbound, through the NAT gateway.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL005",
    name: "private-route-table-routes-to-internet-gateway",
    title: "Private route table also routes to the internet gateway",
    severity: Severity::High,
    practices: &["NET-02", "NET-01"],
    benchmarks: &[],
    description: "A route table routes traffic to a NAT gateway, which marks its subnets as \
private, and also routes a destination to an internet gateway. Traffic to that destination \
bypasses the NAT and the subnets become public for it (typically `::/0`, making every IPv6 \
address of the private tier reachable from the internet).",
    remediation: "Remove the internet-gateway route from the private route table; for IPv6 \
egress use an egress-only internet gateway.",
    references: &[
        "https://docs.aws.amazon.com/vpc/latest/userguide/egress-only-internet-gateway.html",
        "https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-scenarios.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let aws = &m.aws;
    for rt in &aws.route_tables {
        let routes: Vec<&Route> = aws.routes_of(rt).collect();
        let nat = routes
            .iter()
            .find(|r| matches!(r.target.get(), Some(RouteTarget::NatGateway(_))));
        let Some(nat) = nat else {
            continue;
        };
        for route in &routes {
            let Some(RouteTarget::InternetGateway(igw)) = route.target.get() else {
                continue;
            };
            let dest = destination(route);
            cx.report(
                &rt.meta,
                route.target.loc().or(Some(&route.meta.loc)),
                format!(
                    "route table routes {} to a NAT gateway but {dest} to internet gateway `{}`",
                    destination(nat),
                    igw.key()
                ),
            );
        }
    }
}

fn destination(route: &Route) -> String {
    match (
        route.destination_v4.some(),
        route.destination_v6.some(),
        route.destination_prefix_list.some(),
    ) {
        (Some(d), _, _) | (None, Some(d), _) => format!("`{d}`"),
        (None, None, Some(p)) => format!("prefix list `{}`", p.key()),
        _ => "a destination".to_owned(),
    }
}
