//! The seeds keep application secrets in Secrets Manager and hand them to
//! pods through the Secrets Store CSI driver (SEC-02): rotation, KMS
//! encryption, CloudTrail auditing and IAM scoping all apply there. A workload
//! reading a Kubernetes Secret (env `secretKeyRef`, `envFrom.secretRef`, a
//! `secret` or projected secret volume) relies on a Secret that someone had
//! to create, often from the repository, and that anyone who can read
//! Secrets in the namespace can read.
//!
//! Not reported: Secrets a SecretProviderClass of the same namespace syncs
//! from Secrets Manager (`secretObjects`), and scanned Secrets of type
//! `kubernetes.io/tls` or `kubernetes.io/dockerconfigjson` (certificates and
//! pull credentials are not application secrets).

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL229",
    name: "k8s-workload-reads-kubernetes-secret",
    title: "Workload reads credentials from a Kubernetes Secret instead of Secrets Manager",
    severity: Severity::Low,
    practices: &["SEC-02"],
    benchmarks: &["CIS EKS 1.7.0 4.4.2"],
    description: "A container takes a value from a Kubernetes Secret (environment variable, \
`envFrom` or volume). The seeds store secrets in AWS Secrets Manager and mount them through the \
Secrets Store CSI driver, so they are encrypted with a CMK, rotated and audited, and never \
committed; secrets in environment variables also leak through crash dumps and child processes.",
    remediation: "Move the secret to Secrets Manager, declare a SecretProviderClass (provider \
`aws`) and mount it with the `secrets-store.csi.k8s.io` CSI driver, using the workload's IRSA \
role for access.",
    references: &[
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/integrating_csi_driver.html",
        "https://docs.aws.amazon.com/eks/latest/best-practices/data-encryption-and-secrets-management.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let k = &m.k8s;
    for w in top_level_workloads(k) {
        let Some(ns) = w.object.ns() else { continue };
        let exempt = |name: &str| -> bool {
            k.secret_provider_classes
                .iter()
                .any(|p| p.object.ns() == Some(ns) && p.synced_secrets.iter().any(|s| s == name))
                || k.secrets.iter().any(|s| {
                    s.object.ns() == Some(ns)
                        && s.object.name == name
                        && matches!(
                            s.type_.get().map(String::as_str),
                            Some("kubernetes.io/tls" | "kubernetes.io/dockerconfigjson")
                        )
                })
        };
        for c in w.pod_spec().all_containers() {
            for e in &c.env {
                if let Some(EnvVarSource::SecretKeyRef { name, key, .. }) = &e.value_from {
                    if !exempt(name) {
                        cx.report(
                            &w.meta,
                            Some(&e.loc),
                            format!(
                                "{} reads Secret {name} (key {key}) into env {}",
                                container_label(c),
                                e.name
                            ),
                        );
                    }
                }
            }
            for f in c
                .env_from
                .iter()
                .filter(|f| f.source == EnvFromKind::Secret)
            {
                if !exempt(&f.name) {
                    cx.report(
                        &w.meta,
                        Some(&f.loc),
                        format!(
                            "{} loads every key of Secret {} into its environment",
                            container_label(c),
                            f.name
                        ),
                    );
                }
            }
        }
        for v in &w.pod_spec().volumes {
            let names: Vec<String> = match &v.source {
                VolumeSource::Secret { secret_name, .. } => {
                    match cx.known(&w.meta, "volumes.secret.secretName", secret_name) {
                        Some(n) => vec![n.clone()],
                        None => continue,
                    }
                }
                VolumeSource::Projected { sources } => sources
                    .iter()
                    .filter_map(|s| match s {
                        ProjectedSource::Secret { name } => Some(name.clone()),
                        _ => None,
                    })
                    .collect(),
                _ => continue,
            };
            for name in names.iter().filter(|n| !exempt(n)) {
                cx.report(
                    &w.meta,
                    Some(&v.loc),
                    format!("volume `{}` mounts Secret {name}", v.name),
                );
            }
        }
    }
}
