//! The seeds' detection of unwanted changes runs on AWS Config ("Config
//! contains a set of rules that trigger SNS"). Config only evaluates what it
//! records: a recorder limited to a few resource types, or without global
//! types (IAM), leaves every other change unseen.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL075",
    name: "config-recorder-not-recording-all",
    title: "AWS Config recorder does not record all resource types",
    severity: Severity::Medium,
    practices: &["MON-03"],
    benchmarks: &["CIS AWS 3.3", "AWS FSBP Config.1", "CKV2_AWS_48"],
    description: "The configuration recorder records only selected resource types \
(`all_supported = false`) or excludes global resources such as IAM users, roles and policies \
(`include_global_resource_types = false`). Changes to everything else produce no configuration \
items, no rule evaluations and no alerts. The seeds require Config to record all resources.",
    remediation: "Set `recording_group { all_supported = true, include_global_resource_types = \
true }` (global types in one region only, when several regions record).",
    references: &["https://docs.aws.amazon.com/config/latest/developerguide/select-resources.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for r in &m.aws.config_recorders {
        if cx.known(&r.meta, "recording_group.all_supported", &r.all_supported) == Some(&false) {
            cx.report(
                &r.meta,
                r.all_supported.loc(),
                "recorder records only selected resource types",
            );
        }
        if cx.known(
            &r.meta,
            "recording_group.include_global_resource_types",
            &r.include_global,
        ) == Some(&false)
        {
            cx.report(
                &r.meta,
                r.include_global.loc(),
                "recorder does not record global resource types (IAM)",
            );
        }
    }
}
