//! An HTTPS or TLS listener presents a certificate to clients. Without a
//! default certificate it cannot be created (or, in a snapshot, it is
//! broken); a certificate imported into IAM is neither renewed nor
//! monitored by ACM, and expires silently.
//!
//! The seeds: HTTPS from clients to the load balancer "with a certificate
//! from the AWS Certificate Manager (ACM)".

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL025",
    name: "lb-https-listener-without-acm-certificate",
    title: "HTTPS listener has no ACM certificate",
    severity: Severity::Medium,
    practices: &["TLS-01"],
    benchmarks: &["AWS FSBP ELB.2", "CKV_AWS_127"],
    description: "An HTTPS/TLS (or classic HTTPS/SSL) listener has no certificate, or uses an \
IAM server certificate instead of one managed by ACM. The seeds terminate TLS on the load \
balancer with ACM certificates, which ACM renews automatically.",
    remediation: "Issue or import the certificate in ACM and set it as the listener's \
`certificate_arn` (`ssl_certificate_id` on classic load balancers).",
    references: &[
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/https-listener-certificates.html",
        "https://docs.aws.amazon.com/acm/latest/userguide/acm-services.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for l in &m.aws.listeners {
        let Some(Some(protocol)) = cx.known(&l.meta, "protocol", &l.protocol) else {
            continue;
        };
        if !matches!(
            protocol.to_ascii_uppercase().as_str(),
            "HTTPS" | "TLS" | "SSL"
        ) {
            continue;
        }
        let Some(cert) = cx.known(&l.meta, "certificate_arn", &l.certificate) else {
            continue;
        };
        match cert {
            None => cx.report(
                &l.meta,
                None,
                format!("{protocol} listener has no certificate"),
            ),
            Some(c) if c.contains(":server-certificate/") => cx.report(
                &l.meta,
                l.certificate.loc(),
                format!("{protocol} listener uses an IAM server certificate instead of ACM"),
            ),
            Some(_) => {}
        }
    }
}
