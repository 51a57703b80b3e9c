//! A trail can exist and record nothing: `enable_logging = false` stops it.
//! Stopping CloudTrail is a classic first move of an attacker; declaring it
//! stopped in code leaves the account without its audit trail.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL070",
    name: "cloudtrail-logging-disabled",
    title: "CloudTrail trail is stopped",
    severity: Severity::High,
    practices: &["MON-01"],
    benchmarks: &["CKV_AWS_251"],
    description: "The trail is declared with logging turned off, so no API activity is \
recorded. Detection (GuardDuty, the seeds' alerts on non-pipeline changes and leaked \
credentials) and forensics lose their main source.",
    remediation: "Remove `enable_logging = false` (logging is on by default).",
    references: &["https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-turning-off-logging.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for t in &m.aws.cloudtrails {
        if cx.known(&t.meta, "enable_logging", &t.logging) == Some(&false) {
            cx.report(
                &t.meta,
                t.logging.loc(),
                "trail is stopped: it records no API activity",
            );
        }
    }
}
