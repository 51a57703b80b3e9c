//! An instance with a public IP in a subnet that routes to an internet
//! gateway, whose security group admits the internet on SSH or RDP, is a
//! reachable admin port: the path is complete, not just one misconfigured
//! attribute.
//!
//! The seeds put bastions "behind corporate VPNs" and reach hosts through
//! SSM. The rule follows each instance to its subnet (public IP mapping,
//! route table) and to its security groups' rules; the admin ports come
//! from `params.admin_ports`.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL022",
    name: "ec2-public-instance-admin-port-open",
    title: "Public EC2 instance exposes SSH/RDP to the internet",
    severity: Severity::Critical,
    practices: &["NET-11"],
    benchmarks: &["AWS FSBP EC2.9", "CKV_AWS_88"],
    description: "An EC2 instance has a public IPv4 address (explicitly, or from its subnet's \
`map_public_ip_on_launch`), its subnet routes to an internet gateway, and one of its security \
groups admits 0.0.0.0/0 or ::/0 on an administration port. The host's SSH or RDP service is \
reachable from anywhere. The seeds allow admin access only through a VPN or SSM.",
    remediation: "Remove the public IP and the world rule; reach the instance with SSM Session \
Manager, or through the VPN's CIDR only.",
    references: &[
        "https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html",
        "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-ip-addressing.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let aws = &m.aws;
    for i in &aws.instances {
        let Some(explicit) = cx.known(
            &i.meta,
            "associate_public_ip_address",
            &i.associate_public_ip,
        ) else {
            continue;
        };
        if *explicit == Some(false) {
            continue;
        }
        let Some(subnet_link) = cx.known(&i.meta, "subnet_id", &i.subnet) else {
            continue;
        };
        // Without a subnet the instance lands in a default subnet of the
        // default VPC, which maps public IPs and routes to the internet.
        if let Some(link) = subnet_link {
            let Some(subnet) = aws.get::<Subnet>(link) else {
                continue;
            };
            if explicit.is_none() {
                let v = &subnet.map_public_ip_on_launch;
                if cx.known(&subnet.meta, "map_public_ip_on_launch", v) != Some(&true) {
                    continue;
                }
            }
            match egress_of(aws, subnet) {
                Ok(e) if e.is_public() => {}
                Ok(_) => continue,
                Err(reason) => {
                    cx.unknown(&i.meta, "subnet_id", i.subnet.loc(), reason);
                    continue;
                }
            }
        }
        let Some(groups) = cx.known(&i.meta, "vpc_security_group_ids", &i.security_groups) else {
            continue;
        };
        for rule in world_ingress_of_groups(aws, groups, None).undecided {
            cx.unknown(
                &rule.meta,
                "ingress",
                Some(&rule.meta.loc),
                "ports or sources are unknown",
            );
        }
        for port in cx.params.admin_ports.clone() {
            let found = world_ingress_of_groups(aws, groups, Some(port));
            for (sg, _, world) in found.open {
                cx.report(
                    &i.meta,
                    None,
                    format!(
                        "instance has a public IP and security group `{}` admits {} on port {port}",
                        sg.meta.address,
                        world.join(", ")
                    ),
                );
            }
        }
    }
}
