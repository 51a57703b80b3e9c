//! The viewer certificate's security policy decides the oldest TLS version
//! CloudFront accepts from viewers. With the default `*.cloudfront.net`
//! certificate CloudFront always accepts TLS 1.0.
//!
//! The seeds: CloudFront "serves HTTPS only with a modern minimum
//! protocol". The minimum accepted policy is `params.min_cloudfront_tls`.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL028",
    name: "cloudfront-outdated-viewer-tls",
    title: "CloudFront accepts outdated TLS versions from viewers",
    severity: Severity::Medium,
    practices: &["TLS-04"],
    benchmarks: &["AWS FSBP CloudFront.7", "CKV_AWS_174", "CKV2_AWS_42"],
    description: "The distribution's `minimum_protocol_version` is older than the configured \
minimum (`TLSv1.2_2019` by default), or the distribution uses the default CloudFront \
certificate, which forces TLSv1. Viewers can then negotiate TLS 1.0/1.1 and weak ciphers. The \
seeds ask for a modern minimum protocol.",
    remediation: "Serve the distribution with an ACM certificate (in us-east-1) for your own \
domain, `ssl_support_method = \"sni-only\"` and `minimum_protocol_version = \"TLSv1.2_2021\"`.",
    references: &[
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-viewer-protocols-ciphers.html",
    ],
    check,
};

/// CloudFront viewer security policies, oldest first.
const POLICIES: &[&str] = &[
    "SSLv3",
    "TLSv1",
    "TLSv1_2016",
    "TLSv1.1_2016",
    "TLSv1.2_2018",
    "TLSv1.2_2019",
    "TLSv1.2_2021",
    "TLSv1.2_2025",
    "TLSv1.3_2025",
];

fn rank(policy: &str) -> Option<usize> {
    POLICIES
        .iter()
        .position(|p| p.eq_ignore_ascii_case(policy.trim()))
}

fn check(m: &Model, cx: &mut Ctx) {
    let min = cx.params.min_cloudfront_tls.clone();
    let Some(min_rank) = rank(&min) else {
        return; // an unrecognised parameter: nothing can be compared
    };
    for d in &m.aws.cloudfront_distributions {
        let Some(default_cert) = cx.known(
            &d.meta,
            "cloudfront_default_certificate",
            &d.default_certificate,
        ) else {
            continue;
        };
        if *default_cert {
            cx.report(
                &d.meta,
                d.default_certificate.loc(),
                "uses the default CloudFront certificate, which accepts TLSv1 from viewers",
            );
            continue;
        }
        let v = &d.minimum_protocol_version;
        let Some(version) = cx.known(&d.meta, "minimum_protocol_version", v) else {
            continue;
        };
        match rank(version) {
            Some(r) if r < min_rank => cx.report(
                &d.meta,
                v.loc(),
                format!("minimum_protocol_version `{version}` is older than `{min}`"),
            ),
            Some(_) => {}
            None => cx.unknown(
                &d.meta,
                "minimum_protocol_version",
                v.loc(),
                format!("unrecognised security policy `{version}`"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_are_ordered() {
        assert!(rank("TLSv1") < rank("TLSv1.2_2019"));
        assert!(rank("TLSv1.1_2016") < rank("TLSv1.2_2018"));
        assert!(rank("tlsv1.2_2021") > rank("TLSv1.2_2019"));
        assert_eq!(rank("TLSv9"), None);
        assert!(rank(&crate::Params::default().min_cloudfront_tls).is_some());
    }
}
