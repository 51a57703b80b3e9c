//! Recovering from an attack — ransomware, a malicious `DROP`, corrupted data
//! noticed days later — needs backups older than the incident. The seeds
//! "have a contingency plan on how to quickly recover from a successful
//! attack" and protect the data tier with backups.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL083",
    name: "rds-backup-retention-short",
    title: "RDS automated backups are kept less than 7 days",
    severity: Severity::Medium,
    practices: &["MON-10"],
    benchmarks: &["AWS FSBP RDS.11", "CKV_AWS_133"],
    description: "`backup_retention_period` is below 7 days (0 disables automated backups and \
point-in-time recovery entirely). Damage discovered after the window — which is typical for \
intrusions — cannot be undone from backups.",
    remediation: "Set `backup_retention_period` to at least 7 (up to 35) days, and copy backups \
to another account or region with AWS Backup.",
    references: &["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html"],
    check,
};

const MIN_DAYS: i64 = 7;

fn check(m: &Model, cx: &mut Ctx) {
    for db in databases(&m.aws) {
        // Without an engine the instance copies another (a read replica or a
        // restore), and PostgreSQL replicas cannot keep automated backups.
        if db.copies_another() {
            continue;
        }
        let Some(days) = cx.known(db.meta, "backup_retention_period", db.backup_retention_days)
        else {
            continue;
        };
        if *days < MIN_DAYS {
            let what = if *days == 0 {
                "automated backups are disabled".to_owned()
            } else {
                format!("automated backups are kept {days} day(s), less than {MIN_DAYS}")
            };
            cx.report(
                db.meta,
                db.backup_retention_days.loc(),
                format!("{}: {what}", db.what()),
            );
        }
    }
}
