//! Writing WAF rules for SQL injection and common exploits by hand is hard
//! to get right; AWS (and marketplace vendors) maintain rule groups for
//! exactly that.
//!
//! The seeds use WAF against "layer seven attacks such as SQL injection"
//! and recommend predefined rule sets. The rule requires, in every web ACL,
//! the AWS SQL injection rule group and a common-exploit rule group (Core
//! rule set or Known bad inputs). A managed rule group from another vendor
//! (a marketplace rule set) is accepted for both, as its content cannot be
//! seen.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL032",
    name: "waf-missing-managed-rule-groups",
    title: "WAF web ACL lacks managed SQL injection / common exploit rules",
    severity: Severity::Medium,
    practices: &["EDGE-02"],
    benchmarks: &[],
    description: "The web ACL references neither `AWSManagedRulesSQLiRuleSet` nor a \
third-party managed rule group, or neither `AWSManagedRulesCommonRuleSet` / \
`AWSManagedRulesKnownBadInputsRuleSet` nor a third-party one. Requests carrying SQL injection \
or well-known exploit payloads then pass. The seeds rely on WAF managed rule sets for these \
attacks.",
    remediation: "Add `managed_rule_group_statement` rules for `AWSManagedRulesSQLiRuleSet` and \
`AWSManagedRulesCommonRuleSet` (and `AWSManagedRulesKnownBadInputsRuleSet`) from vendor `AWS`.",
    references: &[
        "https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-list.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for acl in &m.aws.waf_web_acls {
        let Some(rules) = cx.known(&acl.meta, "rule", &acl.rules) else {
            continue;
        };
        let groups: Vec<(&str, &str)> = rules
            .iter()
            .filter_map(|r| r.managed_group.as_ref())
            .map(|(v, n)| (v.as_str(), n.as_str()))
            .collect();
        let third_party = groups.iter().any(|(v, _)| !v.eq_ignore_ascii_case("AWS"));
        let has = |names: &[&str]| {
            third_party
                || groups
                    .iter()
                    .any(|(_, n)| names.iter().any(|x| x.eq_ignore_ascii_case(n)))
        };
        let mut missing = Vec::new();
        if !has(&["AWSManagedRulesSQLiRuleSet"]) {
            missing.push("SQL injection (AWSManagedRulesSQLiRuleSet)");
        }
        if !has(&[
            "AWSManagedRulesCommonRuleSet",
            "AWSManagedRulesKnownBadInputsRuleSet",
        ]) {
            missing.push("common exploits (AWSManagedRulesCommonRuleSet or KnownBadInputsRuleSet)");
        }
        if !missing.is_empty() {
            cx.report(
                &acl.meta,
                None,
                format!(
                    "web ACL has no managed rule group for {}",
                    missing.join(" and ")
                ),
            );
        }
    }
}
