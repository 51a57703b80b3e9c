//! Kubernetes mounts a token for the pod's service account into every
//! container unless `automountServiceAccountToken: false` is set on the pod or
//! on its ServiceAccount. Whoever gets code execution in the pod gets that
//! token and talks to the API server as the pod (K8S-08).
//!
//! "Without needing it": a pod needs the token only to call the Kubernetes
//! API, which is useful only if its service account has RBAC permissions. So a
//! pod is reported when the token is mounted and no scanned RoleBinding or
//! ClusterRoleBinding names its service account. (IRSA does not need this
//! token: the EKS webhook projects its own web-identity token.) When the
//! service account is neither `default` nor among the scanned manifests,
//! whether it disables automounting is unknown.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL222",
    name: "k8s-service-account-token-automounted",
    title: "Pod automounts a service account token it does not need",
    severity: Severity::Medium,
    practices: &["K8S-08"],
    benchmarks: &["CIS EKS 1.7.0 4.1.6", "CKV_K8S_38"],
    description: "Neither the pod nor its ServiceAccount sets `automountServiceAccountToken: \
false`, so an API token is mounted in every container, while no scanned RBAC binding grants the \
service account anything the pod would use it for. A stolen token still identifies the pod to \
the API server (discovery, and every permission granted to all service accounts).",
    remediation: "Set `automountServiceAccountToken: false` on the ServiceAccount (or the pod \
template); mount a token explicitly only in workloads that call the Kubernetes API.",
    references: &[
        "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting",
        "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let k = &m.k8s;
    for w in top_level_workloads(k) {
        let mounted = k.automount_token(w);
        if cx.known(&w.meta, "automountServiceAccountToken", &mounted) != Some(&true) {
            continue;
        }
        let Some(sa) = w.pod_spec().service_account_name.get() else {
            continue;
        };
        let Some(ns) = w.object.ns() else { continue };
        if is_bound(k, ns, sa) {
            continue;
        }
        let pod_written = w.pod_spec().automount_service_account_token.loc();
        let why = if pod_written.is_some() {
            "sets automountServiceAccountToken: true"
        } else if k
            .service_account(ns, sa)
            .is_some_and(|s| s.automount_service_account_token.some() == Some(&true))
        {
            "uses a service account that sets automountServiceAccountToken: true"
        } else {
            "does not disable automountServiceAccountToken (nor does its service account)"
        };
        cx.report(
            &w.meta,
            pod_written,
            format!(
                "{} {} {why}, and no RBAC binding grants {ns}/{sa} anything",
                w.kind.as_str(),
                w.name()
            ),
        );
    }
}

/// True when a scanned binding names the service account `ns/name`.
fn is_bound(k: &K8s, ns: &str, name: &str) -> bool {
    let user = format!("system:serviceaccount:{ns}:{name}");
    k.role_bindings.iter().any(|b| {
        let binding_ns = if b.cluster { None } else { b.object.ns() };
        b.subjects.iter().any(|s| match s.kind.as_str() {
            "ServiceAccount" => s.name == name && subject_namespace(s, binding_ns) == Some(ns),
            "User" => s.name == user,
            _ => false,
        })
    })
}
