//! CloudTrail logs are evidence. With log file validation, every hour's log
//! files are covered by a signed digest, so deletion or tampering by an
//! attacker covering their tracks can be proven.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL068",
    name: "cloudtrail-log-validation-disabled",
    title: "CloudTrail log file validation is disabled",
    severity: Severity::Medium,
    practices: &["MON-01"],
    benchmarks: &["CIS AWS 3.2", "AWS FSBP CloudTrail.4", "CKV_AWS_36"],
    description: "The trail does not produce signed digest files, so nobody can prove that its \
log files were not modified or deleted after delivery. The seeds keep these logs in the infosec \
account for compliance and forensics, which requires their integrity to be verifiable.",
    remediation: "Set `enable_log_file_validation = true`.",
    references: &["https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for t in &m.aws.cloudtrails {
        if cx.known(
            &t.meta,
            "enable_log_file_validation",
            &t.log_file_validation,
        ) == Some(&false)
        {
            cx.report(
                &t.meta,
                t.log_file_validation.loc(),
                "trail does not validate its log files (no signed digests)",
            );
        }
    }
}
