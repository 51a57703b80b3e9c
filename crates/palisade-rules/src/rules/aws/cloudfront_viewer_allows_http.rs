//! A cache behaviour with `viewer_protocol_policy = "allow-all"` serves the
//! site over plain HTTP as well as HTTPS: anything on the path between the
//! viewer and the edge can read and rewrite it.
//!
//! The seeds: "CloudFront serves HTTPS only".

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL027",
    name: "cloudfront-viewer-allows-http",
    title: "CloudFront serves viewers over plain HTTP",
    severity: Severity::High,
    practices: &["TLS-04"],
    benchmarks: &["AWS FSBP CloudFront.3", "CKV_AWS_34"],
    description: "The default or an ordered cache behaviour of a CloudFront distribution uses \
`viewer_protocol_policy = \"allow-all\"`, so viewers may fetch it over HTTP. The seeds require \
CloudFront to serve HTTPS only.",
    remediation: "Use `redirect-to-https` (or `https-only`) for every cache behaviour.",
    references: &[
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-https-viewers-to-cloudfront.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for d in &m.aws.cloudfront_distributions {
        for p in &d.viewer_protocol_policies {
            if cx
                .known(&d.meta, "viewer_protocol_policy", p)
                .is_some_and(|v| v == "allow-all")
            {
                cx.report(
                    &d.meta,
                    p.loc(),
                    "a cache behaviour allows viewers over HTTP (viewer_protocol_policy allow-all)",
                );
            }
        }
    }
}
