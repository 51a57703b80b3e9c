//! TLS 1.0 and 1.1 are deprecated (RFC 8996): their cipher suites and
//! handshakes have known weaknesses, and compliance regimes forbid them.
//! An HTTPS or TLS listener's security policy decides which versions and
//! ciphers clients may negotiate.
//!
//! The seeds ask for HTTPS to the load balancer "with a modern TLS policy".

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL024",
    name: "lb-listener-outdated-tls-policy",
    title: "Load balancer listener accepts TLS older than 1.2",
    severity: Severity::Medium,
    practices: &["TLS-01"],
    benchmarks: &["AWS FSBP ELB.17", "CKV_AWS_103"],
    description: "An HTTPS or TLS listener uses an ELB security policy that still accepts \
TLS 1.0 or 1.1 (for example `ELBSecurityPolicy-2016-08`, the long-time default, or \
`ELBSecurityPolicy-TLS13-1-1-2021-06`). The seeds require a modern TLS policy between clients \
and the load balancer.",
    remediation: "Use a TLS 1.2+ policy such as `ELBSecurityPolicy-TLS13-1-2-2021-06` (or \
`ELBSecurityPolicy-TLS13-1-2-Res-2021-06` when no legacy clients remain).",
    references: &[
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html",
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/describe-ssl-policies.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for l in &m.aws.listeners {
        let Some(Some(protocol)) = cx.known(&l.meta, "protocol", &l.protocol) else {
            continue;
        };
        if !matches!(protocol.to_ascii_uppercase().as_str(), "HTTPS" | "TLS") {
            continue;
        }
        let Some(Some(policy)) = cx.known(&l.meta, "ssl_policy", &l.ssl_policy) else {
            continue;
        };
        if !is_modern_elb_policy(policy) {
            cx.report(
                &l.meta,
                l.ssl_policy.loc(),
                format!(
                    "{protocol} listener uses security policy `{policy}`, which accepts TLS \
older than 1.2"
                ),
            );
        }
    }
}
