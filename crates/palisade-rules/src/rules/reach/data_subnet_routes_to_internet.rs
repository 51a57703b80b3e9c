//! Subnets that hold data stores do not need the internet: their route
//! tables (explicitly associated, or the VPC's main table) should have no
//! route to an internet gateway or a NAT gateway at all. The finding points
//! at the route that decides, for the subnets of each database.

use crate::prelude::*;
use palisade_reach::net::{public_internet, via_text, EndKind, Net, Places, Via};

pub static RULE: Rule = Rule {
    id: "PAL145",
    name: "reach-data-subnet-routes-to-internet",
    title: "A database subnet routes to the internet",
    severity: Severity::Medium,
    practices: &["NET-04"],
    benchmarks: &[],
    description: "A subnet of the database's DB subnet group has a route (in its own route table, or \
in the VPC's main table when it has none) that sends internet addresses to an internet gateway or a \
NAT gateway. The database does not need it, and it lets a compromised database, or a mistake in its \
security groups, talk to the internet.",
    remediation: "Associate the database subnets with a route table that has only the local route \
(and gateway endpoints where needed).",
    references: &["https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let net = Net::new(m);
    let internet = public_internet();
    for (d, e) in net.ends.iter().enumerate() {
        if e.kind != EndKind::Rds {
            continue;
        }
        let Some(meta) = net.meta_of(d) else { continue };
        let Places::Subnets(subnets) = &e.places else {
            continue;
        };
        for &s in subnets {
            let Some(info) = net.subnets.get(s) else {
                continue;
            };
            for u in &info.route.unknown {
                cx.unknown(meta, "routes", None, format!("`{}`: {u}", info.address));
            }
            for (part, decision) in net.lookup(s, &internet) {
                let Some((via, route)) = decision else {
                    continue;
                };
                if !matches!(
                    via,
                    Via::InternetGateway(_) | Via::Nat(_) | Via::EgressOnly(_)
                ) {
                    continue;
                }
                let at = route
                    .as_ref()
                    .map(|r| r.loc.clone())
                    .or_else(|| info.route.loc.clone());
                let route_name = route
                    .as_ref()
                    .map(|r| format!("route `{}`", r.address))
                    .unwrap_or_else(|| "a route".into());
                let what = if internet.v4.is_subset(&part.v4) && !part.v4.is_empty() {
                    "every IPv4 internet address".to_string()
                } else {
                    part.to_cidrs()
                        .into_iter()
                        .take(3)
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                cx.report(
                    meta,
                    at.as_ref(),
                    format!(
                        "subnet `{}` (route table {}) sends {what} to {} ({route_name})",
                        info.address,
                        info.route.table.clone().unwrap_or_default(),
                        via_text(&net, &via)
                    ),
                );
            }
        }
    }
}
