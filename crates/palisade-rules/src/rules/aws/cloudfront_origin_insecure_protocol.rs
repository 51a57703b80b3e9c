//! CloudFront decrypts at the edge and opens a new connection to the
//! origin. If that connection may be plain HTTP, or may negotiate SSLv3 /
//! TLS 1.0 / 1.1, the viewer's HTTPS protects only the first hop.
//!
//! The seeds: CloudFront "talks HTTPS to its origin". S3 origins are not
//! concerned (CloudFront reaches them over the AWS network with its own
//! settings).

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL029",
    name: "cloudfront-origin-insecure-protocol",
    title: "CloudFront talks to a custom origin without modern HTTPS",
    severity: Severity::High,
    practices: &["TLS-04"],
    benchmarks: &["AWS FSBP CloudFront.9", "AWS FSBP CloudFront.10", "CKV2_AWS_72", "CKV2_AWS_54"],
    description: "A custom origin uses `origin_protocol_policy` `http-only` (always clear text) \
or `match-viewer` (clear text whenever the viewer uses HTTP), or lists SSLv3, TLSv1 or TLSv1.1 \
in `origin_ssl_protocols`. Traffic between the edge and the origin (typically the ALB) can then \
be read or downgraded. The seeds require HTTPS to the origin.",
    remediation: "Set `origin_protocol_policy = \"https-only\"` and `origin_ssl_protocols = \
[\"TLSv1.2\"]`, with a certificate on the origin that matches its domain name.",
    references: &[
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-https-cloudfront-to-custom-origin.html",
    ],
    check,
};

const WEAK: &[&str] = &["SSLv3", "TLSv1", "TLSv1.1"];

fn check(m: &Model, cx: &mut Ctx) {
    for d in &m.aws.cloudfront_distributions {
        for o in d.origins.iter().filter(|o| !o.s3) {
            let domain = o
                .domain
                .get()
                .map(|d| format!("origin `{d}`"))
                .unwrap_or_else(|| "an origin".to_owned());
            let Some(policy) = cx.known(&d.meta, "origin_protocol_policy", &o.protocol_policy)
            else {
                continue;
            };
            if let Some(p) = policy.as_deref() {
                if p == "http-only" || p == "match-viewer" {
                    cx.report(
                        &d.meta,
                        o.protocol_policy.loc(),
                        format!(
                            "{domain} uses origin_protocol_policy `{p}`, which sends plain HTTP"
                        ),
                    );
                    if p == "http-only" {
                        continue; // the TLS versions never apply
                    }
                }
            }
            let Some(protocols) = cx.known(&d.meta, "origin_ssl_protocols", &o.ssl_protocols)
            else {
                continue;
            };
            let weak: Vec<&str> = protocols
                .iter()
                .map(String::as_str)
                .filter(|p| WEAK.iter().any(|w| w.eq_ignore_ascii_case(p)))
                .collect();
            if !weak.is_empty() {
                cx.report(
                    &d.meta,
                    o.ssl_protocols.loc(),
                    format!("{domain} allows deprecated protocols {}", weak.join(", ")),
                );
            }
        }
    }
}
