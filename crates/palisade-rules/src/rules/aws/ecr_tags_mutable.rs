//! With mutable tags, `api:1.4.2` can silently become a different image: the
//! scanned, approved golden image the pipeline pushed is replaced by whatever
//! was pushed last under the same tag. The seeds want the pipeline's patched
//! images, pinned.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL081",
    name: "ecr-tags-mutable",
    title: "ECR repository allows tags to be overwritten",
    severity: Severity::Low,
    practices: &["MON-09", "K8S-09"],
    benchmarks: &["AWS FSBP ECR.2", "CKV_AWS_51"],
    description: "`image_tag_mutability` is `MUTABLE`: pushing an image with an existing tag \
replaces what the tag points to. Deployments that pin a tag can then run an image that was \
never scanned or approved, and an attacker with push rights can swap a running version.",
    remediation: "Set `image_tag_mutability = \"IMMUTABLE\"` and deploy by tag or digest.",
    references: &[
        "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for r in &m.aws.ecr_repositories {
        if cx.known(&r.meta, "image_tag_mutability", &r.immutable_tags) == Some(&false) {
            cx.report(
                &r.meta,
                r.immutable_tags.loc(),
                "repository tags are mutable",
            );
        }
    }
}
