//! Worker nodes with public IPv4 addresses are reachable from the internet
//! whenever their subnet routes to an internet gateway.
//!
//! A managed node group's instances get a public address when its launch
//! template's network interface sets `associate_public_ip_address = true`,
//! or, when the template says nothing, when the subnet maps public IPs on
//! launch. The rule follows the node group to its launch template and its
//! subnets.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL003",
    name: "eks-nodes-get-public-ip",
    title: "EKS worker nodes receive public IP addresses",
    severity: Severity::High,
    practices: &["NET-01"],
    benchmarks: &[
        "CIS EKS 5.4.3",
        "AWS FSBP EC2.9",
        "AWS FSBP EC2.15",
        "CKV_AWS_130",
    ],
    description: "The launch template of a managed node group associates a public IP address \
with the nodes' network interface, or the node group's subnet assigns public IPv4 addresses on \
launch and the launch template does not turn that off. The seeds keep worker nodes private: \
no public addresses, outbound traffic through a NAT gateway.",
    remediation: "Set `map_public_ip_on_launch = false` on the node subnets and \
`associate_public_ip_address = false` in the launch template's `network_interfaces`.",
    references: &[
        "https://docs.aws.amazon.com/eks/latest/userguide/launch-templates.html",
        "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-ip-addressing.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let aws = &m.aws;
    for ng in &aws.eks_node_groups {
        let Some(lt_link) = cx.known(&ng.meta, "launch_template", &ng.launch_template) else {
            continue;
        };
        let lt = lt_link.as_ref().and_then(|r| aws.get::<LaunchTemplate>(r));
        if lt_link.is_some() && lt.is_none() {
            // The template is outside the scanned input: it may set anything.
            cx.unknown(
                &ng.meta,
                "launch_template",
                ng.launch_template.loc(),
                "the launch template is not in the scanned input",
            );
            continue;
        }
        let template_says = match lt {
            Some(lt) => {
                let Some(v) = cx.known(
                    &lt.meta,
                    "associate_public_ip_address",
                    &lt.associate_public_ip,
                ) else {
                    continue;
                };
                *v
            }
            None => None,
        };
        match (template_says, lt) {
            (Some(true), Some(lt)) => cx.report(
                &lt.meta,
                lt.associate_public_ip.loc(),
                format!(
                    "launch template gives the nodes of `{}` a public IP address",
                    ng.meta.address
                ),
            ),
            (Some(_), _) => {}
            (None, _) => {
                let Some(subnets) = cx.known(&ng.meta, "subnet_ids", &ng.subnets) else {
                    continue;
                };
                for subnet in subnets_named(aws, subnets) {
                    let v = &subnet.map_public_ip_on_launch;
                    if cx.known(&subnet.meta, "map_public_ip_on_launch", v) == Some(&true) {
                        cx.report(
                            &subnet.meta,
                            v.loc(),
                            format!(
                                "subnet assigns public IP addresses to the nodes of `{}`",
                                ng.meta.address
                            ),
                        );
                    }
                }
            }
        }
    }
}
