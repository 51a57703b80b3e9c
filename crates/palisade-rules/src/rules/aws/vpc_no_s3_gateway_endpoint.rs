//! Private subnets that reach S3 through the NAT gateway send data-plane
//! traffic over the internet path and cannot be pinned with
//! `aws:SourceVpce`.
//!
//! The seeds use "VPC Endpoint that allows S3 access through AWS internal
//! network - S3 can undoubtedly be accessed through the Internet, but it's
//! less secure than AWS private network". The rule finds the private
//! subnets that reach the internet through a NAT gateway, groups their
//! route tables by VPC, and checks that an S3 gateway endpoint of that VPC
//! is associated with each of those route tables.

use crate::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

pub static RULE: Rule = Rule {
    id: "PAL009",
    name: "private-subnets-without-s3-gateway-endpoint",
    title: "Private subnets reach S3 without a gateway endpoint",
    severity: Severity::Medium,
    practices: &["NET-05"],
    benchmarks: &[],
    description: "A VPC has private subnets whose route tables send internet traffic to a NAT \
gateway, and either the VPC has no S3 gateway endpoint or the endpoint is not associated with \
those route tables. S3 requests then leave through the NAT gateway (costly and on the internet \
path), and bucket policies cannot require the endpoint with `aws:SourceVpce`.",
    remediation: "Create an `aws_vpc_endpoint` for `com.amazonaws.<region>.s3` of type \
`Gateway` in the VPC and associate it with every private route table (`route_table_ids` or \
`aws_vpc_endpoint_route_table_association`); then restrict buckets with `aws:SourceVpce`.",
    references: &[
        "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies-vpc-endpoint.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let aws = &m.aws;
    // VPC key → private (NAT-routed) route table addresses.
    let mut private: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for subnet in &aws.subnets {
        let Ok(e) = egress_of(aws, subnet) else {
            continue; // unknown routing: other rules record it
        };
        if e.is_public() || e.nat_gateway.is_empty() {
            continue;
        }
        let (Some(vpc), Some(rt)) = (subnet.vpc.get(), e.route_table) else {
            continue;
        };
        private.entry(vpc_key(aws, vpc)).or_default().insert(rt);
    }
    for (vpc, tables) in private {
        let mut endpoints = Vec::new();
        let mut undecided = false;
        for ep in &aws.vpc_endpoints {
            match ep.vpc.get() {
                Some(v) if vpc_key(aws, v) == vpc => {}
                Some(_) => continue,
                None => {
                    cx.known(&ep.meta, "vpc_id", &ep.vpc);
                    undecided = true;
                    continue;
                }
            }
            let name = cx.known(&ep.meta, "service_name", &ep.service_name);
            let kind = cx.known(&ep.meta, "vpc_endpoint_type", &ep.endpoint_type);
            match (name, kind) {
                (Some(n), Some(k)) if n.ends_with(".s3") && k.eq_ignore_ascii_case("gateway") => {
                    endpoints.push(ep)
                }
                (Some(_), Some(_)) => {}
                _ => undecided = true,
            }
        }
        if undecided {
            continue;
        }
        if endpoints.is_empty() {
            let list = tables
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let msg = format!(
                "VPC has private subnets routed through a NAT gateway ({list}) but no S3 \
gateway endpoint"
            );
            match aws.get::<Vpc>(&Ref::new(vpc.clone())) {
                Some(v) => cx.report(&v.meta, None, msg),
                // The VPC is outside the input: report on its private route tables.
                None => {
                    for t in tables
                        .iter()
                        .filter_map(|t| aws.get::<RouteTable>(&Ref::new(t.clone())))
                    {
                        cx.report(&t.meta, None, msg.clone());
                    }
                }
            }
            continue;
        }
        let mut covered: BTreeSet<String> = BTreeSet::new();
        for ep in &endpoints {
            let Some(rts) = cx.known(&ep.meta, "route_table_ids", &ep.route_tables) else {
                undecided = true;
                continue;
            };
            for r in rts {
                covered.insert(
                    aws.get::<RouteTable>(r)
                        .map_or_else(|| r.key().to_owned(), |t| t.meta.address.clone()),
                );
            }
        }
        if undecided {
            continue;
        }
        let names = endpoints
            .iter()
            .map(|e| format!("`{}`", e.meta.address))
            .collect::<Vec<_>>()
            .join(", ");
        for t in tables.difference(&covered) {
            if let Some(rt) = aws.get::<RouteTable>(&Ref::new(t.clone())) {
                cx.report(
                    &rt.meta,
                    None,
                    format!(
                        "route table of private subnets is not associated with S3 gateway \
endpoint {names}: S3 traffic leaves through the NAT gateway"
                    ),
                );
            }
        }
    }
}
