//! The seeds collect database logs with the rest ("Store API, network,
//! database, storage, access ... logs in the Infosec accounts"). RDS keeps
//! engine logs only briefly on the instance; exporting them to CloudWatch
//! Logs keeps connection, authentication and error records for investigation.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL074",
    name: "rds-log-exports-disabled",
    title: "RDS database exports no logs to CloudWatch Logs",
    severity: Severity::Low,
    practices: &["MON-02"],
    benchmarks: &["AWS FSBP RDS.9", "CKV_AWS_129"],
    description: "`enabled_cloudwatch_logs_exports` is empty: the engine's logs (PostgreSQL \
log, MySQL error/general/slow/audit logs) stay on the instance, rotate away within days and \
cannot be searched or alerted on. Failed logins and unusual queries go unnoticed.",
    remediation: "Set `enabled_cloudwatch_logs_exports` (`[\"postgresql\", \"upgrade\"]` for \
PostgreSQL, `[\"audit\", \"error\", \"general\", \"slowquery\"]` for MySQL) and give the log \
groups a retention period.",
    references: &["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for db in databases(&m.aws) {
        let Some(exports) = cx.known(db.meta, "enabled_cloudwatch_logs_exports", db.log_exports)
        else {
            continue;
        };
        if exports.is_empty() {
            cx.report(
                db.meta,
                db.log_exports.loc(),
                format!("{} exports no logs to CloudWatch Logs", db.what()),
            );
        }
    }
}
