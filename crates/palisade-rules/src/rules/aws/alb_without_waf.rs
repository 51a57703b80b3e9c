//! An internet-facing ALB without a web ACL receives every layer-7 attack
//! unfiltered. Even behind CloudFront, an ALB reachable directly needs its
//! own WAF.
//!
//! The seeds: "A WAF web ACL is attached to every CloudFront distribution
//! and every internet-facing ALB". The rule looks for a WAF association
//! (WAFv2 or WAF Classic regional) whose resource is the load balancer.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL031",
    name: "alb-without-waf",
    title: "Internet-facing ALB has no WAF web ACL",
    severity: Severity::Medium,
    practices: &["EDGE-01"],
    benchmarks: &["AWS FSBP ELB.16", "CKV2_AWS_28"],
    description: "No `aws_wafv2_web_acl_association` (or WAF Classic regional association) \
names this internet-facing Application Load Balancer, so requests reach the application without \
WAF inspection. The seeds attach a web ACL to every internet-facing ALB.",
    remediation: "Create a REGIONAL `aws_wafv2_web_acl` with the AWS managed rule groups and \
associate it with the ALB (`aws_wafv2_web_acl_association`, or the \
`alb.ingress.kubernetes.io/wafv2-acl-arn` annotation for ALBs made by the load balancer \
controller).",
    references: &["https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-associating-aws-resource.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let aws = &m.aws;
    let undecided = aws
        .waf_associations
        .iter()
        .find(|a| a.resource.is_unknown());
    for lb in &aws.load_balancers {
        let Some(kind) = cx.known(&lb.meta, "load_balancer_type", &lb.lb_type) else {
            continue;
        };
        if !is_application_lb(kind) || cx.known(&lb.meta, "internal", &lb.internal) != Some(&false)
        {
            continue;
        }
        let protected = aws
            .waf_associations
            .iter()
            .any(|a| a.resource.get().is_some_and(|r| aws.refers_to(r, &lb.meta)));
        if protected {
            continue;
        }
        if let Some(a) = undecided {
            cx.known(&a.meta, "resource_arn", &a.resource);
            continue;
        }
        cx.report(
            &lb.meta,
            None,
            "internet-facing ALB has no WAF web ACL association",
        );
    }
}
