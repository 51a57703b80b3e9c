//! Deletion protection makes deleting the database a two-step act: an
//! attacker with stolen credentials, a pipeline bug or a wrong `terraform
//! destroy` cannot remove the data tier in one call. The seeds protect the
//! data tier's reliability.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL084",
    name: "rds-deletion-protection-disabled",
    title: "RDS deletion protection is off",
    severity: Severity::Low,
    practices: &["MON-10"],
    benchmarks: &[
        "AWS FSBP RDS.7",
        "AWS FSBP RDS.8",
        "CKV_AWS_139",
        "CKV_AWS_293",
    ],
    description: "The DB instance or cluster can be deleted by a single API call or Terraform \
change. A compromised or mistaken principal can destroy the database (and, with \
`skip_final_snapshot`, its last snapshot).",
    remediation: "Set `deletion_protection = true`; turning it off then requires a separate, \
reviewable change.",
    references: &["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html#USER_DeleteInstance.DeletionProtection"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for db in databases(&m.aws) {
        if cx.known(db.meta, "deletion_protection", db.deletion_protection) == Some(&false) {
            cx.report(
                db.meta,
                db.deletion_protection.loc(),
                format!("{} has no deletion protection", db.what()),
            );
        }
    }
}
