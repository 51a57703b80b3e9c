//! RDS storage, automated backups, snapshots and read replicas are only
//! encrypted when storage encryption is turned on at creation: it cannot be
//! added later without a snapshot-copy migration. The seeds: "Make sure you
//! enable this option during db creation."

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL042",
    name: "rds-storage-not-encrypted",
    title: "RDS storage is not encrypted at rest",
    severity: Severity::High,
    practices: &["KMS-01"],
    benchmarks: &[
        "CIS AWS 2.3.1",
        "AWS FSBP RDS.3",
        "AWS FSBP RDS.27",
        "CKV_AWS_16",
        "CKV_AWS_96",
    ],
    description: "The DB instance or cluster stores its data, logs, backups and snapshots \
unencrypted. Anyone who obtains a snapshot or the underlying volumes reads the data in clear. \
The seeds require RDS storage to be encrypted with a customer-managed KMS key.",
    remediation: "Set `storage_encrypted = true` with `kms_key_id` pointing to the database's \
own customer-managed key. For an existing database, copy a snapshot with encryption and restore \
from it.",
    references: &[
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for db in databases(&m.aws) {
        if db.copies_another() {
            cx.unknown(
                db.meta,
                "storage_encrypted",
                None,
                "the instance copies another database (replica or restore) and inherits its encryption",
            );
            continue;
        }
        if cx.known(db.meta, "storage_encrypted", db.storage_encrypted) == Some(&false) {
            cx.report(
                db.meta,
                db.storage_encrypted.loc(),
                format!("{} storage is not encrypted", db.what()),
            );
        }
    }
}
