//! A NAT gateway only gives private subnets outbound access when it sits in
//! a public subnet, one whose route table sends traffic to an internet
//! gateway.
//!
//! The seeds' layout is "private subnets with the route to the NAT Gateway
//! in the public subnet". A public NAT gateway placed in a private subnet
//! breaks that design: teams then "fix" egress by adding internet-gateway
//! routes to the private tier. The rule follows the gateway's `subnet_id`
//! to the subnet's route table.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL004",
    name: "nat-gateway-not-in-public-subnet",
    title: "NAT gateway is not in a public subnet",
    severity: Severity::Medium,
    practices: &["NET-02"],
    benchmarks: &[],
    description: "A public NAT gateway is placed in a subnet whose route table has no route to \
an internet gateway, so it cannot carry the private subnets' outbound traffic. The seeds route \
private subnets to a NAT gateway that lives in a public subnet.",
    remediation: "Create the NAT gateway in a public subnet (one whose route table has a \
`0.0.0.0/0` route to the internet gateway) and point the private route tables at it.",
    references: &["https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let aws = &m.aws;
    for nat in &aws.nat_gateways {
        if cx.known(&nat.meta, "connectivity_type", &nat.public) != Some(&true) {
            continue; // private NAT gateways do not need an internet gateway
        }
        let Some(link) = cx.known(&nat.meta, "subnet_id", &nat.subnet) else {
            continue;
        };
        let Some(subnet) = aws.get::<Subnet>(link) else {
            continue;
        };
        match egress_of(aws, subnet) {
            Err(reason) => cx.unknown(&nat.meta, "subnet_id", nat.subnet.loc(), reason),
            Ok(e) if !e.is_public() => cx.report(
                &nat.meta,
                nat.subnet.loc(),
                format!(
                    "NAT gateway sits in subnet `{}`, which has no route to an internet gateway",
                    subnet.meta.address
                ),
            ),
            Ok(_) => {}
        }
    }
}
