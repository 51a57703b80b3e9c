//! The seeds encrypt clients → load balancer with an ACM certificate on the
//! ALB the AWS Load Balancer Controller creates from the Ingress (TLS-01).
//!
//! The controller's rules decide: an Ingress's rules sit on the listeners of
//! its `listen-ports` annotation, which defaults to `[{"HTTPS": 443}]` when
//! `certificate-arn` is set and to `[{"HTTP": 80}]` otherwise. A `tls`
//! section alone does not create an HTTPS listener; it only helps discover
//! the certificate for an HTTPS listen port. So an ALB Ingress is reported
//! when it has no HTTPS listener, or an HTTPS listener with no certificate
//! source (no `certificate-arn`, no `tls` hosts, no rule hosts to discover a
//! certificate from). Certificates set through IngressClassParams are not
//! visible to this rule.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL231",
    name: "k8s-alb-ingress-without-https",
    title: "ALB Ingress serves clients without TLS",
    severity: Severity::High,
    practices: &["TLS-01"],
    benchmarks: &["CIS EKS 1.7.0 5.4.5"],
    description: "The Ingress is served by an ALB but has no HTTPS listener with a certificate: \
no `alb.ingress.kubernetes.io/certificate-arn` and no HTTPS entry in `listen-ports` (or nothing \
to discover a certificate from). Clients then talk to the application in clear text over the \
internet.",
    remediation: "Set `alb.ingress.kubernetes.io/certificate-arn` to an ACM certificate and \
`alb.ingress.kubernetes.io/listen-ports: '[{\"HTTP\": 80}, {\"HTTPS\": 443}]'` with \
`alb.ingress.kubernetes.io/ssl-redirect: '443'`.",
    references: &[
        "https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#ssl",
        "https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/cert_discovery/",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for ing in &m.k8s.ingresses {
        match is_alb_ingress(ing) {
            Some(true) => {}
            Some(false) => continue,
            None => {
                cx.unknown(
                    &ing.meta,
                    "ingressClassName",
                    ing.ingress_class_name.loc(),
                    "the ingress class is templated",
                );
                continue;
            }
        }
        let listeners = match alb_listeners(ing) {
            Ok(l) => l,
            Err((why, loc)) => {
                cx.unknown(
                    &ing.meta,
                    "alb.ingress.kubernetes.io/listen-ports",
                    loc.as_ref(),
                    why,
                );
                continue;
            }
        };
        if !listeners.https {
            cx.report(
                &ing.meta,
                listeners.loc.as_ref(),
                format!(
                    "Ingress {} has no HTTPS listener: its ALB serves it over plain HTTP",
                    ing.object.name
                ),
            );
            continue;
        }
        let explicit = ing
            .object
            .annotations
            .contains_key(&format!("{ALB_ANNOTATION_PREFIX}certificate-arn"));
        let hosts = ing.tls.iter().any(|t| !t.hosts.is_empty())
            || ing.rules.iter().any(|r| r.host.is_some());
        if !explicit && !hosts {
            cx.report(
                &ing.meta,
                listeners.loc.as_ref(),
                format!(
                    "Ingress {} listens on HTTPS without a certificate: no certificate-arn and no host to discover one",
                    ing.object.name
                ),
            );
        }
    }
}
