//! The seeds keep CloudTrail "on in all regions": an attacker with stolen
//! credentials works in the region nobody watches. A single-region trail
//! records nothing of what happens elsewhere.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL067",
    name: "cloudtrail-not-multi-region",
    title: "CloudTrail trail is not multi-region",
    severity: Severity::Medium,
    practices: &["MON-01"],
    benchmarks: &["CIS AWS 3.1", "AWS FSBP CloudTrail.1", "CKV_AWS_67"],
    description: "The trail records API activity of its home region only. Resources created, \
credentials used and crypto-miners started in any other region leave no trace in it. The seeds \
require CloudTrail in all regions, delivered to the infosec account.",
    remediation: "Set `is_multi_region_trail = true` (and `include_global_service_events = true`), \
ideally as an organization trail.",
    references: &["https://docs.aws.amazon.com/awscloudtrail/latest/userguide/receive-cloudtrail-log-files-from-multiple-regions.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for t in &m.aws.cloudtrails {
        if cx.known(&t.meta, "is_multi_region_trail", &t.multi_region) == Some(&false) {
            cx.report(
                &t.meta,
                t.multi_region.loc(),
                "trail records only its own region",
            );
        }
    }
}
