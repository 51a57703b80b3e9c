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
    description: "Images pushed to the repository are not scanned for known vulnerabilities \
(basic scan on push is off and no Amazon Inspector enabler in the scanned input covers ECR), so \
vulnerable base images and libraries reach the cluster unnoticed. The seeds require scanned, \
patched images.",
    remediation: "Set `image_scanning_configuration { scan_on_push = true }`, or enable enhanced \
scanning (Amazon Inspector) for the registry.",
    references: &["https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    // Amazon Inspector scanning of ECR switches the registry to enhanced
    // scanning, which scans every repository whatever its own setting.
    let mut undecided = None;
    for e in &m.aws.inspector_enablers {
        match e.resource_types.get() {
            Some(types) if types.iter().any(|t| t.eq_ignore_ascii_case("ECR")) => return,
            Some(_) => {}
            None => undecided = Some(e),
        }
    }
    if let Some(e) = undecided {
        cx.known(&e.meta, "resource_types", &e.resource_types);
        return;
    }
    for r in &m.aws.ecr_repositories {
        if cx.known(&r.meta, "scan_on_push", &r.scan_on_push) == Some(&false) {
            cx.report(
                &r.meta,
                r.scan_on_push.loc(),
                "repository does not scan images on push (and Amazon Inspector does not scan ECR)",
            );
        }
    }
}
