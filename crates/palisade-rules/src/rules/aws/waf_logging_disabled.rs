//! WAF logs are the record of what was attacked, from where, and what the
//! rules did; without them, neither tuning nor incident response nor
//! automatic IP blocking is possible.
//!
//! The seeds: "its good idea to analyze WAF logs to detect and prevent
//! attacks".

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL034",
    name: "waf-logging-disabled",
    title: "WAF web ACL has no logging configuration",
    severity: Severity::Medium,
    practices: &["EDGE-03"],
    benchmarks: &["AWS FSBP WAF.11", "CKV2_AWS_31", "CKV_AWS_176"],
    description: "No logging configuration names this web ACL, so the requests it inspects and \
the actions its rules take are not recorded. The seeds require WAF logging.",
    remediation: "Add an `aws_wafv2_web_acl_logging_configuration` sending the web ACL's logs to \
a CloudWatch log group, S3 bucket or Firehose stream whose name starts with `aws-waf-logs-`.",
    references: &["https://docs.aws.amazon.com/waf/latest/developerguide/logging.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let aws = &m.aws;
    let undecided = aws.waf_logging.iter().find(|l| l.web_acl.is_unknown());
    for acl in &aws.waf_web_acls {
        let logged = aws
            .waf_logging
            .iter()
            .any(|l| l.web_acl.get().is_some_and(|r| aws.refers_to(r, &acl.meta)));
        if logged {
            continue;
        }
        if let Some(l) = undecided {
            cx.known(&l.meta, "resource_arn", &l.web_acl);
            continue;
        }
        cx.report(&acl.meta, None, "web ACL has no logging configuration");
    }
}
