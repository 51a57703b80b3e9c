//! The seeds rely on GuardDuty ("AWS Duty Guard") to learn from CloudTrail,
//! DNS and flow logs what an attack looks like — TOR clients, crypto-miners,
//! credentials used from unusual places — and alert. A disabled detector
//! analyses nothing.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL078",
    name: "guardduty-disabled",
    title: "GuardDuty detector is disabled",
    severity: Severity::High,
    practices: &["MON-04"],
    benchmarks: &["AWS FSBP GuardDuty.1"],
    description: "The GuardDuty detector is declared with `enable = false`: no threat detection \
runs on the account's CloudTrail events, VPC flow logs and DNS queries. Compromised credentials, \
crypto-mining and reconnaissance go unnoticed. The seeds require GuardDuty.",
    remediation: "Set `enable = true` on `aws_guardduty_detector` in every region (or manage it \
from the organization's delegated administrator).",
    references: &["https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_settingup.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for d in &m.aws.guardduty_detectors {
        if cx.known(&d.meta, "enable", &d.enabled) == Some(&false) {
            cx.report(&d.meta, d.enabled.loc(), "GuardDuty detector is disabled");
        }
    }
}
