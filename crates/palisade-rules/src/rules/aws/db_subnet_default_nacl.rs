//! The default network ACL of a VPC covers every subnet that is not
//! explicitly associated with another ACL, and AWS creates it allowing all
//! traffic. Database subnets left on it have no tier-specific network
//! filter.
//!
//! The seeds isolate the database tier with "Network ACL for each couple of
//! subnets". The rule follows every DB subnet group to its subnets and
//! reports those whose ACL is the VPC's default one, declared or implicit.

use crate::prelude::*;
use std::collections::BTreeMap;

pub static RULE: Rule = Rule {
    id: "PAL011",
    name: "db-subnet-uses-default-nacl",
    title: "Database subnet is governed by the VPC's default network ACL",
    severity: Severity::Medium,
    practices: &["NET-06"],
    benchmarks: &[],
    description: "A subnet of a DB subnet group is not associated with a network ACL of its \
own, so the VPC's default ACL applies: shared with every other unassigned subnet and, as AWS \
creates it, allowing all inbound and outbound traffic. The seeds give each subnet tier its own \
network ACL so the database tier only accepts the application tier on the database port.",
    remediation: "Create an `aws_network_acl` for the database subnets (`subnet_ids` or \
`aws_network_acl_association`) that allows only the application subnets' CIDRs on the database \
port and the return traffic, and keep the default ACL unused.",
    references: &[
        "https://docs.aws.amazon.com/vpc/latest/userguide/default-network-acl.html",
        "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let aws = &m.aws;
    // Associations that cannot be read might name any subnet.
    let undecided = aws.network_acls.iter().find(|a| a.subnets.is_unknown());
    let mut groups_of: BTreeMap<&str, (&Subnet, Vec<&str>)> = BTreeMap::new();
    for g in &aws.db_subnet_groups {
        let Some(subnets) = cx.known(&g.meta, "subnet_ids", &g.subnets) else {
            continue;
        };
        for subnet in subnets_named(aws, subnets) {
            groups_of
                .entry(subnet.meta.address.as_str())
                .or_insert_with(|| (subnet, Vec::new()))
                .1
                .push(g.meta.address.as_str());
        }
    }
    for (_, (subnet, groups)) in groups_of {
        let acls = aws.nacls_of_subnet(subnet);
        if acls.iter().any(|a| !a.is_default) {
            continue;
        }
        if let Some(acl) = undecided {
            cx.known(&acl.meta, "subnet_ids", &acl.subnets);
            continue;
        }
        let which = match acls.first() {
            Some(a) => format!("default network ACL `{}`", a.meta.address),
            None => "VPC's default network ACL (allows all traffic as AWS creates it)".to_owned(),
        };
        cx.report(
            &subnet.meta,
            None,
            format!(
                "database subnet (DB subnet group {}) is governed by the {which}",
                groups
                    .iter()
                    .map(|g| format!("`{g}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
}
