//! An ALB Ingress that listens on HTTP as well as HTTPS serves its routes
//! in clear text on the HTTP listener unless `ssl-redirect` turns every HTTP
//! listener into a redirect to HTTPS (TLS-01: "HTTP redirects to HTTPS").
//! `ssl-redirect` applies to the whole ALB, so it may be set on any Ingress
//! of the same IngressGroup. The older pattern, an `actions.ssl-redirect`
//! redirect action used as a backend, is accepted too.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL232",
    name: "k8s-alb-ingress-without-ssl-redirect",
    title: "ALB Ingress listens on HTTP without redirecting to HTTPS",
    severity: Severity::Medium,
    practices: &["TLS-01"],
    benchmarks: &[],
    description: "`listen-ports` includes an HTTP port next to HTTPS, and neither \
`alb.ingress.kubernetes.io/ssl-redirect` (on this Ingress or its IngressGroup) nor a redirect \
action sends HTTP clients to HTTPS, so the application is also reachable unencrypted.",
    remediation: "Add `alb.ingress.kubernetes.io/ssl-redirect: '443'`, or remove the HTTP entry \
from `listen-ports`.",
    references: &["https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/tasks/ssl_redirect/"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for ing in &m.k8s.ingresses {
        if is_alb_ingress(ing) != Some(true) {
            continue; // PAL231 records templated classes
        }
        let Ok(listeners) = alb_listeners(ing) else {
            continue;
        };
        if !(listeners.http && listeners.https) {
            continue;
        }
        if alb_lb_annotation(&m.k8s, ing, "ssl-redirect").is_some() || has_redirect_action(ing) {
            continue;
        }
        cx.report(
            &ing.meta,
            listeners.loc.as_ref(),
            format!(
                "Ingress {} listens on HTTP and HTTPS without ssl-redirect",
                ing.object.name
            ),
        );
    }
}

/// The pre-`ssl-redirect` pattern: an `actions.NAME` redirect to HTTPS used
/// as a backend (`service.name: NAME`, port `use-annotation`).
fn has_redirect_action(ing: &Ingress) -> bool {
    let prefix = format!("{ALB_ANNOTATION_PREFIX}actions.");
    ing.object.annotations.iter().any(|(k, v)| {
        let Some(action) = k.strip_prefix(&prefix) else {
            return false;
        };
        let redirects = v.get().is_some_and(|s| {
            let s = s.to_ascii_lowercase();
            s.contains("redirect") && s.contains("https")
        });
        redirects
            && ing
                .backends()
                .any(|b| b.service_name.as_deref() == Some(action))
    })
}
