//! IP sets let the WAF allow known clients or block attackers' addresses,
//! and they are where automated responses (an IP seen probing, a burst of
//! 4XX) put the addresses they block.
//!
//! The seeds: "If you know all the IPs of your clients its best practice to
//! restrict access to these ips ... create rules to block IPs which try
//! exploits and blacklist them."

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL033",
    name: "waf-without-ip-set",
    title: "WAF web ACL references no IP set",
    severity: Severity::Low,
    practices: &["EDGE-02"],
    benchmarks: &[],
    description: "No rule of the web ACL references an IP set, so there is no allow list of \
known clients and no block list that detections can feed. The seeds combine managed rule groups \
with IP allow/deny sets.",
    remediation: "Create an `aws_wafv2_ip_set` (block list, or allow list of client ranges) and \
reference it from a rule with `ip_set_reference_statement`.",
    references: &["https://docs.aws.amazon.com/waf/latest/developerguide/waf-ip-set-managing.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for acl in &m.aws.waf_web_acls {
        let Some(rules) = cx.known(&acl.meta, "rule", &acl.rules) else {
            continue;
        };
        if !rules.iter().any(|r| r.ip_set.is_some()) {
            cx.report(&acl.meta, None, "web ACL has no rule referencing an IP set");
        }
    }
}
