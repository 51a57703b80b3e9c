//! `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` in a container's environment
//! mean a long-lived IAM user access key: it does not expire, works from
//! anywhere on the internet once leaked, and is shared by every pod that
//! mounts it. The seeds give workloads temporary credentials through IRSA (or
//! EKS Pod Identity), scoped to one service account (IAM-02).
//!
//! Reported: those variables set literally (non-empty), from a Secret or
//! ConfigMap key, or through `envFrom` of a scanned Secret/ConfigMap that
//! holds such keys. The value is never printed.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL230",
    name: "k8s-aws-credentials-in-env",
    title: "Container gets long-lived AWS access keys through its environment",
    severity: Severity::High,
    practices: &["IAM-02", "SEC-01"],
    benchmarks: &["CIS EKS 1.7.0 5.2.1"],
    description: "The container's environment carries `AWS_ACCESS_KEY_ID` or \
`AWS_SECRET_ACCESS_KEY`, i.e. static IAM user keys. They never expire, are not bound to the pod, \
and are a classic source of leaked-credential incidents.",
    remediation: "Delete the IAM user key, create an IAM role for the workload, annotate its \
ServiceAccount with `eks.amazonaws.com/role-arn` (IRSA) or use an EKS Pod Identity association, \
and let the AWS SDK pick up the temporary credentials.",
    references: &[
        "https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-workloads-use-roles",
    ],
    check,
};

const KEYS: &[&str] = &["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];

fn check(m: &Model, cx: &mut Ctx) {
    let k = &m.k8s;
    for w in top_level_workloads(k) {
        for c in w.pod_spec().all_containers() {
            for e in c.env.iter().filter(|e| KEYS.contains(&e.name.as_str())) {
                let how = match (&e.value, &e.value_from) {
                    (_, Some(EnvVarSource::SecretKeyRef { name, .. })) => {
                        format!("from Secret {name}")
                    }
                    (_, Some(EnvVarSource::ConfigMapKeyRef { name, .. })) => {
                        format!("from ConfigMap {name}")
                    }
                    (Some(v), _) => match cx.known(&w.meta, &format!("env {}", e.name), v) {
                        Some(s) if !s.expose().trim().is_empty() => "literally".to_string(),
                        _ => continue,
                    },
                    _ => continue,
                };
                cx.report(
                    &w.meta,
                    Some(&e.loc),
                    format!("{} sets {} {how}", container_label(c), e.name),
                );
            }
            let Some(ns) = w.object.ns() else { continue };
            for f in &c.env_from {
                let prefix = f.prefix.as_deref().unwrap_or("");
                let keys: Vec<&String> = match f.source {
                    EnvFromKind::Secret => k
                        .secrets
                        .iter()
                        .filter(|s| s.object.ns() == Some(ns) && s.object.name == f.name)
                        .flat_map(|s| s.data.keys())
                        .collect(),
                    EnvFromKind::ConfigMap => k
                        .config_maps
                        .iter()
                        .filter(|s| s.object.ns() == Some(ns) && s.object.name == f.name)
                        .flat_map(|s| s.data.keys())
                        .collect(),
                };
                let found: Vec<String> = keys
                    .into_iter()
                    .map(|key| format!("{prefix}{key}"))
                    .filter(|n| KEYS.contains(&n.as_str()))
                    .collect();
                if !found.is_empty() {
                    cx.report(
                        &w.meta,
                        Some(&f.loc),
                        format!(
                            "{} sets {} through envFrom {}",
                            container_label(c),
                            found.join(", "),
                            f.name
                        ),
                    );
                }
            }
        }
    }
}
