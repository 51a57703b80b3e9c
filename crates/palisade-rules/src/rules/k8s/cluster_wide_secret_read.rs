//! The seeds' namespaces exist so that "no one outside a namespace can read its
//! Secrets" (K8S-07). A ClusterRoleBinding to a ClusterRole that can get,
//! list or watch Secrets gives its subject every Secret of every namespace:
//! database passwords, API keys and service account tokens of prod included.
//!
//! Cluster components (service accounts of `kube-system`, `system:`/`eks:`
//! users and groups) and Kubernetes' own bindings are not reported. Built-in
//! ClusterRoles are known: `cluster-admin`, `admin` and `edit` read Secrets,
//! `view` does not. Rules restricted with `resourceNames` are not "all
//! Secrets" and are not reported.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL218",
    name: "k8s-cluster-wide-secret-read",
    title: "ClusterRoleBinding lets a subject read Secrets in every namespace",
    severity: Severity::High,
    practices: &["K8S-07"],
    benchmarks: &["CIS EKS 1.7.0 4.1.2", "CKV2_K8S_5"],
    description: "A ClusterRole granting `get`, `list` or `watch` on `secrets` (directly or \
through `*`) is bound cluster-wide to a user, group or application service account. `list` and \
`watch` return the Secrets' values, so the subject can read every credential in the cluster.",
    remediation: "Bind the role with a RoleBinding in the one namespace whose Secrets the subject \
needs, restrict it with `resourceNames`, or better, read secrets from Secrets Manager through the \
Secrets Store CSI driver with IRSA.",
    references: &[
        "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#listing-secrets",
        "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let k = &m.k8s;
    for b in k
        .role_bindings
        .iter()
        .filter(|b| b.cluster && !is_rbac_default(&b.object))
    {
        let subjects: Vec<&Subject> = b
            .subjects
            .iter()
            .filter(|s| !is_system_subject(s, None))
            .collect();
        if subjects.is_empty() {
            continue;
        }
        let verbs: Vec<&str> = match role_grants(k, b) {
            RoleGrants::BuiltIn("view") => continue,
            RoleGrants::BuiltIn(_) => vec!["get", "list", "watch"],
            RoleGrants::NotFound => {
                cx.unknown(
                    &b.meta,
                    "roleRef",
                    Some(&b.role_ref.loc),
                    format!(
                        "ClusterRole {} is not among the scanned manifests",
                        b.role_ref.name
                    ),
                );
                continue;
            }
            RoleGrants::Rules { rules, complete } => {
                let verbs: Vec<&str> = ["get", "list", "watch"]
                    .into_iter()
                    .filter(|v| {
                        rules
                            .iter()
                            .any(|r| r.resource_names.is_empty() && r.grants("", "secrets", v))
                    })
                    .collect();
                if verbs.is_empty() {
                    if !complete {
                        cx.unknown(
                            &b.meta,
                            "roleRef",
                            Some(&b.role_ref.loc),
                            format!(
                                "ClusterRole {} aggregates roles that were not all scanned",
                                b.role_ref.name
                            ),
                        );
                    }
                    continue;
                }
                verbs
            }
        };
        for s in subjects {
            cx.report(
                &b.meta,
                Some(&s.loc),
                format!(
                    "ClusterRole {} lets {} {} Secrets in every namespace",
                    b.role_ref.name,
                    subject_label(s, None),
                    verbs.join("/")
                ),
            );
        }
    }
}
