//! The seeds run patched golden images built by the pipeline and pushed to
//! ECR, where they are scanned on push, with guardrails enforcing "sanctioned
//! images" (K8S-09, MON-09). An image pulled from anywhere else skipped
//! that pipeline.
//!
//! With `allowed_registries` set (palisade.toml), every image must start with
//! one of the listed prefixes (at a `/`, `:` or `@` boundary, so
//! `registry.example.com` does not approve `registry.example.com.evil.io`);
//! images without a registry host are compared as `docker.io/...` (and
//! `docker.io/library/...` for official images) as well as as written.
//!
//! Default (empty list): the organisation's registries are not known, but the
//! public ones are: images from Docker Hub (explicit or implicit), Quay,
//! GitHub, Google, Kubernetes, Microsoft and ECR Public registries are
//! reported, since by the seeds' architecture they cannot be the pipeline's
//! own, scanned images. Private registries (ECR, Artifactory, Harbor...) pass
//! until a list is configured.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL225",
    name: "k8s-image-from-unapproved-registry",
    title: "Container image comes from a registry that is not approved",
    severity: Severity::Medium,
    practices: &["K8S-09", "MON-09"],
    benchmarks: &["CIS EKS 1.7.0 5.1.4"],
    description: "The image is pulled from a registry outside `allowed_registries` or, when no \
list is configured, from a public registry (Docker Hub, Quay, GHCR, GCR, registry.k8s.io, MCR, \
ECR Public). Such images were not built, patched and scanned by the pipeline.",
    remediation:
        "Mirror the image into the organisation's ECR registry through the pipeline (scan \
on push) and reference it there; list the approved registries in `allowed_registries`.",
    references: &[
        "https://docs.aws.amazon.com/eks/latest/best-practices/image-security.html",
        "https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html",
    ],
    check,
};

/// Public registries: their images are not the pipeline's.
const PUBLIC_REGISTRIES: &[&str] = &[
    "docker.io",
    "index.docker.io",
    "registry-1.docker.io",
    "registry.hub.docker.com",
    "quay.io",
    "ghcr.io",
    "gcr.io",
    "eu.gcr.io",
    "us.gcr.io",
    "asia.gcr.io",
    "k8s.gcr.io",
    "registry.k8s.io",
    "mcr.microsoft.com",
    "public.ecr.aws",
];

fn check(m: &Model, cx: &mut Ctx) {
    let allowed = cx.params.allowed_registries.clone();
    for w in top_level_workloads(&m.k8s) {
        for c in w.pod_spec().all_containers() {
            let Some(Some(image)) = cx.known(&w.meta, "image", &c.image) else {
                continue;
            };
            let r = parse_image(image);
            let host = r.registry_host();
            let verdict = if allowed.is_empty() {
                let public = PUBLIC_REGISTRIES.contains(&host.to_ascii_lowercase().as_str());
                public.then(|| format!("comes from the public registry {host}"))
            } else {
                (!approved(image, &r, &allowed))
                    .then(|| format!("comes from {host}, not an approved registry"))
            };
            if let Some(why) = verdict {
                cx.report(
                    &w.meta,
                    c.image.loc().or(Some(&c.loc)),
                    format!("{} image {image} {why}", container_label(c)),
                );
            }
        }
    }
}

/// True when `image` starts with an allowed prefix at a reference boundary.
fn approved(image: &str, r: &ImageRef, allowed: &[String]) -> bool {
    let mut forms = vec![image.trim().to_string()];
    if r.registry.is_none() {
        forms.push(format!("docker.io/{}", image.trim()));
        if !r.repository.contains('/') {
            forms.push(format!("docker.io/library/{}", image.trim()));
        }
    }
    allowed
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .any(|p| {
            forms.iter().any(|f| {
                f.strip_prefix(p).is_some_and(|rest| {
                    rest.is_empty() || p.ends_with('/') || rest.starts_with(['/', ':', '@'])
                })
            })
        })
}

#[cfg(test)]
mod tests {
    use crate::support::testkit::*;
    use crate::{Ctx, Params};
    use palisade_model::Model;

    const ECR: &str = "111122223333.dkr.ecr.eu-west-1.amazonaws.com";

    fn run(params: &Params, images: &[&str]) -> Vec<String> {
        let mut m = Model::default();
        let containers = images
            .iter()
            .enumerate()
            .map(|(i, img)| container(&format!("c{i}"), img))
            .collect();
        m.k8s.workloads.push(workload("shop", "api", containers));
        let mut cx = Ctx::new(&super::RULE, params);
        (super::RULE.check)(&m, &mut cx);
        cx.into_results().0.into_iter().map(|f| f.message).collect()
    }

    #[test]
    fn allowed_registries_are_prefixes_at_a_boundary() {
        let params = Params {
            allowed_registries: vec![format!("{ECR}/shop"), "docker.io/library/".into()],
            ..Params::default()
        };
        let found = run(
            &params,
            &[
                &format!("{ECR}/shop/api@sha256:ab"),
                &format!("{ECR}/shop:1"),
                "nginx:1.25",
                &format!("{ECR}/shopping/api:1"),
                "quay.io/shop/api:1",
                "bitnami/redis:7",
            ],
        );
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].contains("shopping/api"));
        assert!(found[1].contains("quay.io"));
        assert!(found[2].contains("bitnami/redis") && found[2].contains("docker.io"));
    }

    #[test]
    fn default_reports_public_registries_only() {
        let found = run(
            &Params::default(),
            &[
                &format!("{ECR}/shop/api:1"),
                "fluent/fluent-bit",
                "registry.k8s.io/pause:3.9",
                "harbor.corp.example/x:1",
            ],
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].contains("docker.io"));
        assert!(found[1].contains("registry.k8s.io"));
    }
}
