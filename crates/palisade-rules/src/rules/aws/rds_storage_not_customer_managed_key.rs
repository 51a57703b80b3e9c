//! Encrypting RDS with the AWS-managed `aws/rds` key protects the disks but
//! not the data from anyone with RDS access in the account: its key policy
//! cannot be narrowed, it cannot be disabled or shared, and its use cannot be
//! separated per service. The seeds want a customer-managed key per service.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL043",
    name: "rds-storage-not-customer-managed-key",
    title: "RDS storage is encrypted with the AWS-managed key, not a customer-managed key",
    severity: Severity::Medium,
    practices: &["KMS-01", "KMS-05"],
    benchmarks: &["CKV_AWS_327"],
    description: "The database is encrypted, but with the account's AWS-managed `aws/rds` key. \
Its key policy cannot be restricted to the database's roles, it cannot be rotated on your \
schedule, disabled in an incident or used to share encrypted snapshots. The seeds require a \
customer-managed key per service.",
    remediation: "Create a customer-managed KMS key for the database (rotation on, key policy \
scoped to the roles that need it) and set `kms_key_id` to it; existing databases need a snapshot \
copy re-encrypted with the new key.",
    references: &[
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.Keys.html",
        "https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-mgmt",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for db in databases(&m.aws) {
        if db.copies_another() {
            cx.unknown(
                db.meta,
                "kms_key_id",
                None,
                "the instance copies another database (replica or restore) and inherits its encryption",
            );
            continue;
        }
        if db.storage_encrypted.get() != Some(&true) {
            continue; // unencrypted storage is PAL042's finding
        }
        let Some(key) = cx.known(db.meta, "kms_key_id", db.kms_key) else {
            continue;
        };
        match key {
            None => cx.report(
                db.meta,
                db.storage_encrypted.loc(),
                format!(
                    "{} is encrypted with the AWS-managed key `aws/rds`: no `kms_key_id` is set",
                    db.what()
                ),
            ),
            Some(k) if is_aws_managed_key(k) => cx.report(
                db.meta,
                db.kms_key.loc(),
                format!(
                    "{} is encrypted with the AWS-managed key `{}`",
                    db.what(),
                    k.key()
                ),
            ),
            Some(_) => {}
        }
    }
}
