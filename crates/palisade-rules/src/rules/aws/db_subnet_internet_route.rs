//! Database subnets need no internet at all: not inbound, and not outbound
//! either. A NAT route from the data tier is an exfiltration path for
//! anything that compromises the database host or its stored procedures.
//!
//! The seeds' reference network attaches NAT gateways to the EKS subnets
//! "but not on RDS subnets as Amazon RDS doesn't need to access the public
//! internet". The rule follows every DB subnet group to its subnets and
//! their route tables, and reports each route to a NAT or internet gateway.

use crate::prelude::*;
use std::collections::BTreeMap;

pub static RULE: Rule = Rule {
    id: "PAL008",
    name: "db-subnet-routes-to-internet",
    title: "Database subnet has a route to a NAT or internet gateway",
    severity: Severity::Medium,
    practices: &["NET-04"],
    benchmarks: &[],
    description: "A subnet of a DB subnet group uses a route table with a route to a NAT \
gateway or an internet gateway. RDS never needs to initiate connections to the internet; such \
a route only widens what a compromised database (or a misconfigured extension) can reach. The \
seeds give the RDS subnets no NAT and no internet-gateway route at all.",
    remediation: "Associate the database subnets with a dedicated route table that has only \
the local route (plus VPC endpoints or peering routes limited to client CIDRs).",
    references: &[
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html",
        "https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let aws = &m.aws;
    for g in &aws.db_subnet_groups {
        let Some(subnets) = cx.known(&g.meta, "subnet_ids", &g.subnets) else {
            continue;
        };
        // Route → (kind, subnets using it), so a table shared by several
        // DB subnets gives one finding per route.
        let mut hits: BTreeMap<(String, u32), (Meta, &str, Vec<&str>)> = BTreeMap::new();
        for subnet in subnets_named(aws, subnets) {
            let e = match egress_of(aws, subnet) {
                Ok(e) => e,
                Err(reason) => {
                    cx.unknown(&g.meta, "subnet_ids", g.subnets.loc(), reason);
                    continue;
                }
            };
            let routes = e
                .internet_gateway
                .iter()
                .map(|r| (r, "an internet gateway"))
                .chain(e.nat_gateway.iter().map(|r| (r, "a NAT gateway")));
            for (route, kind) in routes {
                let key = (route.address.clone(), route.loc.line);
                hits.entry(key)
                    .or_insert_with(|| (route.clone(), kind, Vec::new()))
                    .2
                    .push(subnet.meta.address.as_str());
            }
        }
        for (_, (route, kind, subnets)) in hits {
            let dest = aws
                .routes
                .iter()
                .find(|r| r.meta == route)
                .and_then(|r| r.destination_v4.some().or(r.destination_v6.some()))
                .map(|d| format!("`{d}`"))
                .unwrap_or_else(|| "traffic".to_owned());
            let (noun, verb) = if subnets.len() == 1 {
                ("subnet", "routes")
            } else {
                ("subnets", "route")
            };
            cx.report(
                &route,
                None,
                format!(
                    "DB subnet group `{}`: {noun} {} {verb} {dest} to {kind}",
                    g.meta.address,
                    subnets
                        .iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
}
