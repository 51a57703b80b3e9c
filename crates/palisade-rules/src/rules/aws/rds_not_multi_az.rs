//! The seeds' reference architecture runs "a multi-AZ RDS PostgreSQL
//! instance": a single-AZ database goes down with its zone, and its
//! maintenance causes downtime.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL082",
    name: "rds-not-multi-az",
    title: "RDS instance is not multi-AZ",
    severity: Severity::Low,
    practices: &["MON-10"],
    benchmarks: &["AWS FSBP RDS.5", "CKV_AWS_157"],
    description: "The DB instance runs in a single Availability Zone without a standby. An AZ \
outage, a storage failure or maintenance makes the data tier unavailable until it is restored. \
The seeds run RDS multi-AZ. (Aurora cluster members are not judged: the cluster's storage spans \
three AZs.)",
    remediation: "Set `multi_az = true` (a synchronous standby in another AZ with automatic \
failover), or use an Aurora cluster with instances in two or more AZs.",
    references: &["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for db in databases(&m.aws) {
        let Some(multi_az) = db.multi_az else {
            continue;
        };
        if cx.known(db.meta, "multi_az", multi_az) == Some(&false) {
            cx.report(
                db.meta,
                multi_az.loc(),
                "DB instance runs in a single Availability Zone",
            );
        }
    }
}
