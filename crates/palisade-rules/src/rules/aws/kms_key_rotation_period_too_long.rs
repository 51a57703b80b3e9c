//! Rotation only helps if it happens often enough. KMS accepts periods up to
//! 2560 days; the seeds rotate at least yearly (and more often through
//! EventBridge-driven on-demand rotation).

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL052",
    name: "kms-key-rotation-period-too-long",
    title: "KMS key rotation period is longer than a year",
    severity: Severity::Low,
    practices: &["KMS-06"],
    benchmarks: &[],
    description: "Automatic rotation is on, but `rotation_period_in_days` is above 365: key \
material stays in use for years. The seeds rotate keys at least yearly.",
    remediation: "Set `rotation_period_in_days` to 365 or less (90 for the most sensitive data).",
    references: &["https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html"],
    check,
};

const MAX_DAYS: i64 = 365;

fn check(m: &Model, cx: &mut Ctx) {
    for k in &m.aws.kms_keys {
        if !k.rotation.is_true() {
            continue;
        }
        let Some(Some(days)) =
            cx.known(&k.meta, "rotation_period_in_days", &k.rotation_period_days)
        else {
            continue;
        };
        if *days > MAX_DAYS {
            cx.report(
                &k.meta,
                k.rotation_period_days.loc(),
                format!("key rotates every {days} days (more than {MAX_DAYS})"),
            );
        }
    }
}
