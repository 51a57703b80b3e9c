//! A publicly accessible RDS instance gets a public DNS answer and, in a
//! subnet with an internet-gateway route, a public IP address.
//!
//! The seeds keep the database in private subnets with
//! `publicly_accessible` false; the only way in is from the workloads'
//! security groups (or a deliberately restricted NLB / PrivateLink).

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL006",
    name: "rds-publicly-accessible",
    title: "RDS instance is publicly accessible",
    severity: Severity::Critical,
    practices: &["NET-03"],
    benchmarks: &["CIS AWS 2.3.3", "AWS FSBP RDS.2", "CKV_AWS_17"],
    description: "`publicly_accessible = true` makes RDS resolve the instance endpoint to a \
public IP address. Combined with any subnet of the DB subnet group that routes to an internet \
gateway, the database listener is exposed to the internet and protected only by its security \
group and password. The seeds require `publicly_accessible` false for every RDS instance, \
Aurora members included.",
    remediation: "Set `publicly_accessible = false` and reach the database from inside the VPC \
(or through a restricted NLB / PrivateLink for cross-VPC clients).",
    references: &[
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html#USER_VPC.Hiding",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for db in &m.aws.db_instances {
        let v = &db.publicly_accessible;
        if cx.known(&db.meta, "publicly_accessible", v) == Some(&true) {
            cx.report(
                &db.meta,
                v.loc(),
                "publicly_accessible is true: the endpoint resolves to a public IP address",
            );
        }
    }
}
