//! A database is only private if every subnet RDS may place it in is
//! private: a DB subnet group that mixes in a public subnet lets a failover
//! or a re-creation land the instance where the internet can route to it.
//!
//! The rule follows each DB instance and DB cluster to its DB subnet group,
//! each of the group's subnets to its route table, and reports subnets that
//! route to an internet gateway. A DB without a subnet group is placed in
//! the default VPC's default subnets, which are public.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL007",
    name: "rds-subnet-group-has-public-subnet",
    title: "RDS database can be placed in a public subnet",
    severity: Severity::High,
    practices: &["NET-03"],
    benchmarks: &[],
    description: "The DB subnet group of an RDS instance or Aurora cluster contains a subnet \
whose route table routes to an internet gateway, or the database has no DB subnet group and \
lands in the default VPC's public default subnets. The seeds isolate RDS in its own private \
subnets, reachable only from the workloads that need it.",
    remediation: "Build the DB subnet group from private subnets only (no route to an internet \
gateway; ideally no NAT route either), one per Availability Zone, and set \
`db_subnet_group_name` on every instance and cluster.",
    references: &[
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html",
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.Scenarios.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let aws = &m.aws;
    for db in &aws.db_instances {
        match db.cluster.get() {
            Some(Some(_)) => continue, // judged through its cluster
            None => {
                cx.known(&db.meta, "cluster_identifier", &db.cluster);
                continue;
            }
            // Without an engine the instance copies another: a read replica
            // in its source's region takes the source's DB subnet group
            // when it names none (a restore or a cross-region replica does
            // not), which the model cannot tell apart.
            Some(None) if matches!(db.engine.get(), Some(None)) && db.subnet_group.is_none() => {
                cx.unknown(
                    &db.meta,
                    "db_subnet_group_name",
                    None,
                    "the instance copies another database (replica or restore) without a DB \
subnet group; a replica in its source's region uses the source's",
                );
            }
            Some(None) => judge(aws, cx, &db.meta, "DB instance", &db.subnet_group),
        }
    }
    for c in &aws.db_clusters {
        judge(aws, cx, &c.meta, "DB cluster", &c.subnet_group);
    }
}

fn judge(aws: &Aws, cx: &mut Ctx, meta: &Meta, what: &str, group: &Val<Option<Ref>>) {
    let Some(link) = cx.known(meta, "db_subnet_group_name", group) else {
        return;
    };
    let Some(link) = link else {
        cx.report(
            meta,
            None,
            format!(
                "{what} has no DB subnet group: RDS places it in the default VPC's default \
subnets, which route to the internet"
            ),
        );
        return;
    };
    let Some(g) = aws.get::<DbSubnetGroup>(link) else {
        return;
    };
    let Some(subnets) = cx.known(&g.meta, "subnet_ids", &g.subnets) else {
        return;
    };
    for subnet in subnets_named(aws, subnets) {
        match egress_of(aws, subnet) {
            Err(reason) => cx.unknown(&g.meta, "subnet_ids", g.subnets.loc(), reason),
            Ok(e) if e.is_public() => cx.report(
                meta,
                group.loc(),
                format!(
                    "DB subnet group `{}` includes public subnet `{}` (route table `{}` routes to \
an internet gateway)",
                    g.meta.address,
                    subnet.meta.address,
                    e.route_table.as_deref().unwrap_or("main")
                ),
            ),
            Ok(_) => {}
        }
    }
}
