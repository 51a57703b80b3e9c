//! Without a web ACL, a CloudFront distribution forwards SQL injection,
//! exploit payloads and scraping bursts straight to the origin.
//!
//! The seeds: "we attached AWS WAF to each distribution ... AWS WAF
//! effectively protects us from layer seven attacks such as SQL injection".

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL030",
    name: "cloudfront-without-waf",
    title: "CloudFront distribution has no WAF web ACL",
    severity: Severity::Medium,
    practices: &["EDGE-01"],
    benchmarks: &["AWS FSBP CloudFront.6", "CKV_AWS_68"],
    description: "The distribution sets no `web_acl_id`, so no AWS WAF rules inspect requests \
before they reach the origin. The seeds attach a WAF web ACL to every CloudFront distribution.",
    remediation: "Create an `aws_wafv2_web_acl` with `scope = \"CLOUDFRONT\"` (in us-east-1) \
and set its ARN as the distribution's `web_acl_id`.",
    references: &["https://docs.aws.amazon.com/waf/latest/developerguide/cloudfront-features.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for d in &m.aws.cloudfront_distributions {
        if cx
            .known(&d.meta, "web_acl_id", &d.web_acl)
            .is_some_and(Option::is_none)
        {
            cx.report(
                &d.meta,
                None,
                "distribution has no WAF web ACL (web_acl_id)",
            );
        }
    }
}
