//! The seeds: "It's a good idea to regularly scan your images for
//! vulnerabilities", and push patched golden images through the pipeline.
//! Scan on push gives every image a vulnerability report before it runs.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL080",
    name: "ecr-scan-on-push-disabled",
    title: "ECR repository does not scan images on push",
    severity: Severity::Medium,
    practices: &["MON-09", "K8S-09"],
    benchmarks: &["AWS FSBP ECR.1", "CKV_AWS_163"],
    description: "Images pushed to the repository are not scanned for known vulnerabilities, \
so vulnerable base images and libraries reach the cluster unnoticed. The seeds require scanned, \
patched images.",
    remediation: "Set `image_scanning_configuration { scan_on_push = true }`, or enable enhanced \
scanning (Amazon Inspector) for the registry.",
    references: &["https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for r in &m.aws.ecr_repositories {
        if cx.known(&r.meta, "scan_on_push", &r.scan_on_push) == Some(&false) {
            cx.report(
                &r.meta,
                r.scan_on_push.loc(),
                "repository does not scan images on push",
            );
        }
    }
}
