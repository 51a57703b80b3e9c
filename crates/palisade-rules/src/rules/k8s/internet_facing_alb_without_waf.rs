//! The seeds attach an AWS WAF web ACL to every internet-facing entry point,
//! CloudFront distributions and ALBs alike (EDGE-01), to stop SQL injection
//! and common exploits before they reach the application. For an ALB created
//! by the AWS Load Balancer Controller the web ACL is the
//! `alb.ingress.kubernetes.io/wafv2-acl-arn` annotation; scheme and web ACL
//! apply to the whole ALB, so either may come from another Ingress of the
//! same IngressGroup. A WAF Classic ACL (`waf-acl-id`) does not count: AWS
//! has retired WAF Classic.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL234",
    name: "k8s-internet-facing-alb-without-waf",
    title: "Internet-facing ALB Ingress has no WAF web ACL",
    severity: Severity::Medium,
    practices: &["EDGE-01"],
    benchmarks: &[],
    description: "The Ingress sets `alb.ingress.kubernetes.io/scheme: internet-facing` but no \
`alb.ingress.kubernetes.io/wafv2-acl-arn`, so the ALB takes requests from the whole internet with \
no layer-7 filtering (managed rule groups against SQL injection and common exploits, IP sets).",
    remediation: "Create a regional WAFv2 web ACL with the AWS managed rule groups and set its ARN \
in `alb.ingress.kubernetes.io/wafv2-acl-arn`, or keep the ALB internal behind CloudFront with WAF.",
    references: &[
        "https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#addons",
        "https://aws.amazon.com/blogs/containers/protecting-your-amazon-eks-web-apps-with-aws-waf/",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for ing in &m.k8s.ingresses {
        if is_alb_ingress(ing) != Some(true) {
            continue;
        }
        let Some(scheme) = alb_lb_annotation(&m.k8s, ing, "scheme") else {
            continue;
        }; // default internal
        if cx
            .known(&ing.meta, "alb.ingress.kubernetes.io/scheme", scheme)
            .map(String::as_str)
            != Some("internet-facing")
        {
            continue;
        }
        match alb_lb_annotation(&m.k8s, ing, "wafv2-acl-arn") {
            Some(acl) if acl.is_unknown() || acl.get().is_some_and(|s| !s.trim().is_empty()) => {
                cx.known(&ing.meta, "alb.ingress.kubernetes.io/wafv2-acl-arn", acl);
            }
            _ => {
                let at = ing
                    .object
                    .annotations
                    .val(&format!("{ALB_ANNOTATION_PREFIX}scheme"))
                    .and_then(Val::loc);
                cx.report(
                    &ing.meta,
                    at,
                    format!(
                        "internet-facing Ingress {} has no wafv2-acl-arn",
                        ing.object.name
                    ),
                );
            }
        }
    }
}
