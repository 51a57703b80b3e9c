//! A configuration recorder does nothing until its status is enabled; one
//! declared disabled records no change and evaluates no rule, silently
//! switching off the seeds' Config → SNS → Lambda → chat alerting.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL076",
    name: "config-recorder-stopped",
    title: "AWS Config recorder is stopped",
    severity: Severity::Medium,
    practices: &["MON-03"],
    benchmarks: &["CKV2_AWS_45"],
    description: "The recorder status is declared with `is_enabled = false`: AWS Config records \
no configuration changes and its rules evaluate nothing. The seeds rely on Config rules to \
notify people of risky changes such as a security group opening a port.",
    remediation: "Set `is_enabled = true` on `aws_config_configuration_recorder_status` (with a \
delivery channel declared first).",
    references: &[
        "https://docs.aws.amazon.com/config/latest/developerguide/stop-start-recorder.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for r in &m.aws.config_recorders {
        match &r.recording {
            Some(status) => {
                if cx.known(&r.meta, "is_enabled", status) == Some(&false) {
                    cx.report(&r.meta, status.loc(), "configuration recorder is stopped");
                }
            }
            None => cx.unknown(
                &r.meta,
                "recorder status",
                None,
                "no recorder status is declared for this recorder in the scanned input",
            ),
        }
    }
}
