//! Clients should talk to the load balancer over HTTPS only. An HTTP
//! listener that forwards requests serves the application in clear text;
//! one that redirects to HTTPS only ever sends the redirect.
//!
//! The seeds: "Encrypt the connection between web clients and your
//! loadbalancer" with an ACM certificate on the ALB, HTTP redirected to
//! HTTPS.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL023",
    name: "alb-http-listener-without-https-redirect",
    title: "ALB HTTP listener does not redirect to HTTPS",
    severity: Severity::High,
    practices: &["TLS-01"],
    benchmarks: &["AWS FSBP ELB.1", "CKV_AWS_2", "CKV2_AWS_20"],
    description: "An HTTP listener of an Application Load Balancer forwards requests (or \
redirects without switching to HTTPS) instead of redirecting to HTTPS. Requests, cookies and \
responses cross the network in clear text. The seeds terminate TLS on the ALB with an ACM \
certificate and redirect HTTP to HTTPS.",
    remediation: "Make the HTTP listener's default action a `redirect` with `protocol = \
\"HTTPS\"`, `port = \"443\"` and `status_code = \"HTTP_301\"`, and serve the application from \
an HTTPS listener.",
    references: &[
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html#redirect-actions",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let aws = &m.aws;
    for l in &aws.listeners {
        let Some(Some(protocol)) = cx.known(&l.meta, "protocol", &l.protocol) else {
            continue;
        };
        if !protocol.eq_ignore_ascii_case("HTTP") {
            continue;
        }
        let lb = match aws.resolve::<LoadBalancer>(&l.load_balancer) {
            Ok(Some(lb)) => lb,
            Ok(None) => continue,
            Err(reason) => {
                cx.unknown(&l.meta, "load_balancer_arn", l.load_balancer.loc(), reason);
                continue;
            }
        };
        if cx
            .known(&lb.meta, "load_balancer_type", &lb.lb_type)
            .is_none_or(|t| !is_application_lb(t))
        {
            continue;
        }
        let Some(actions) = cx.known(&l.meta, "default_action", &l.default_actions) else {
            continue;
        };
        let bad = actions.iter().find_map(|a| match a {
            ListenerAction::Forward => Some("forwards requests over HTTP".to_owned()),
            ListenerAction::Redirect { protocol } => match protocol.as_deref() {
                Some(p) if p.eq_ignore_ascii_case("HTTPS") => None,
                Some(p) => Some(format!("redirects with protocol `{p}` instead of HTTPS")),
                None => Some("redirects without switching to HTTPS".to_owned()),
            },
            ListenerAction::FixedResponse => None,
            ListenerAction::Other { kind } => Some(format!("runs `{kind}` over HTTP")),
        });
        if let Some(bad) = bad {
            let port = l.port.some().map(|p| format!(" {p}")).unwrap_or_default();
            cx.report(
                &l.meta,
                l.default_actions.loc(),
                format!("HTTP listener{port} of `{}` {bad}", lb.meta.address),
            );
        }
    }
}
