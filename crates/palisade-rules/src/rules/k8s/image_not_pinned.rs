//! An image referenced without a tag, or by `:latest`, is whatever was pushed
//! last: two nodes can run different code, a rollback does not roll back, and
//! the image that was scanned is not necessarily the one that runs (K8S-09,
//! MON-09). A digest (`@sha256:...`) pins the exact image; a fixed tag such as
//! `:1.4.2` is accepted here (tags can be moved, but ECR tag immutability
//! prevents that).

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL224",
    name: "k8s-image-not-pinned",
    title: "Container image is not pinned (no tag or :latest)",
    severity: Severity::Medium,
    practices: &["K8S-09", "MON-09"],
    benchmarks: &["CKV_K8S_14"],
    description: "The container image has no tag (which means `latest`) or the `latest` tag, and \
no digest. What runs then changes with every push, outside any review, and cannot be tied to the \
scanned, patched golden image the seeds require.",
    remediation: "Reference images by digest (`repo@sha256:...`) or at least by an immutable \
version tag (with ECR tag immutability enabled).",
    references: &[
        "https://kubernetes.io/docs/concepts/containers/images/#image-names",
        "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for w in top_level_workloads(&m.k8s) {
        for c in w.pod_spec().all_containers() {
            let Some(Some(image)) = cx.known(&w.meta, "image", &c.image) else {
                continue;
            };
            let r = parse_image(image);
            if r.digest.is_some() {
                continue;
            }
            let what = match r.tag {
                None => "has no tag (pulls latest)",
                Some(t) if t.eq_ignore_ascii_case("latest") => "uses the mutable latest tag",
                Some(_) => continue,
            };
            cx.report(
                &w.meta,
                c.image.loc().or(Some(&c.loc)),
                format!("{} image {image} {what}", container_label(c)),
            );
        }
    }
}
