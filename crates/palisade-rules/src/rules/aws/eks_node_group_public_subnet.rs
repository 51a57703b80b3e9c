//! EKS worker nodes placed in a subnet whose route table sends traffic to an
//! internet gateway are one security-group mistake away from the internet.
//!
//! The seeds put cluster nodes in private subnets "with the route to the NAT
//! Gateway in the public subnet": the nodes need outbound access for patches
//! and images, but nothing should reach them from outside. The rule follows
//! each managed node group's `subnet_ids` to the subnet, its route table
//! (explicit association or the VPC's main table) and that table's routes.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL002",
    name: "eks-node-group-in-public-subnet",
    title: "EKS node group runs in a public subnet",
    severity: Severity::High,
    practices: &["NET-01"],
    benchmarks: &["CIS EKS 5.4.3"],
    description: "A managed node group lists a subnet whose route table routes to an internet \
gateway. Worker nodes there are directly addressable from the internet as soon as they carry a \
public IP, and any permissive security group rule exposes kubelet, node ports and pods. The seeds \
keep nodes in private subnets that reach the internet only outbound, through a NAT gateway.",
    remediation: "Move the node group to private subnets whose default route targets a NAT \
gateway (or VPC endpoints only), and keep internet-facing load balancers in the public subnets.",
    references: &[
        "https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html",
        "https://docs.aws.amazon.com/eks/latest/best-practices/subnets.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let aws = &m.aws;
    for ng in &aws.eks_node_groups {
        let Some(subnets) = cx.known(&ng.meta, "subnet_ids", &ng.subnets) else {
            continue;
        };
        for subnet in subnets_named(aws, subnets) {
            match egress_of(aws, subnet) {
                Err(reason) => cx.unknown(&ng.meta, "subnet_ids", ng.subnets.loc(), reason),
                Ok(e) if e.is_public() => {
                    let table = e.route_table.as_deref().unwrap_or("main route table");
                    cx.report(
                        &ng.meta,
                        ng.subnets.loc(),
                        format!(
                            "node group runs in subnet `{}`, whose route table `{table}` routes \
to an internet gateway",
                            subnet.meta.address
                        ),
                    );
                }
                Ok(_) => {}
            }
        }
    }
}
