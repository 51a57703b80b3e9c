//! The ALB's HTTPS listeners use `alb.ingress.kubernetes.io/ssl-policy`,
//! which defaults to `ELBSecurityPolicy-2016-08`: TLS 1.0 and 1.1 and CBC
//! ciphers included. The seeds want a modern TLS policy (TLS-01). The policy
//! applies to the whole ALB, so it may be set on any Ingress of the same
//! IngressGroup.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL233",
    name: "k8s-alb-ingress-legacy-tls-policy",
    title: "ALB Ingress HTTPS listener allows TLS older than 1.2",
    severity: Severity::Medium,
    practices: &["TLS-01"],
    benchmarks: &[],
    description: "The Ingress has an HTTPS listener and no `alb.ingress.kubernetes.io/ssl-policy` \
(so the controller's default `ELBSecurityPolicy-2016-08` applies) or a policy that still accepts \
TLS 1.0/1.1.",
    remediation: "Set `alb.ingress.kubernetes.io/ssl-policy: \
ELBSecurityPolicy-TLS13-1-2-2021-06` (or another TLS 1.2+ policy).",
    references: &[
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html",
        "https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#ssl-policy",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for ing in &m.k8s.ingresses {
        if is_alb_ingress(ing) != Some(true) {
            continue;
        }
        let Ok(listeners) = alb_listeners(ing) else {
            continue;
        };
        if !listeners.https {
            continue;
        }
        match alb_lb_annotation(&m.k8s, ing, "ssl-policy") {
            None => cx.report(
                &ing.meta,
                None,
                format!(
                    "Ingress {} sets no ssl-policy, so its HTTPS listener uses ELBSecurityPolicy-2016-08 (TLS 1.0+)",
                    ing.object.name
                ),
            ),
            Some(v) => match cx.known(&ing.meta, "alb.ingress.kubernetes.io/ssl-policy", v) {
                Some(p) if !is_modern_elb_policy(p) => {
                    // Report where the policy is written (maybe another Ingress of the group).
                    let at = if ing.object.annotations.val(&format!("{ALB_ANNOTATION_PREFIX}ssl-policy")).is_some() {
                        v.loc()
                    } else {
                        None
                    };
                    cx.report(&ing.meta, at, format!("Ingress {} uses the TLS policy {p}, which allows TLS before 1.2", ing.object.name));
                }
                _ => {}
            },
        }
    }
}
