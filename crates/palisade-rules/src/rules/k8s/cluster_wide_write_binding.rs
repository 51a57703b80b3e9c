//! The seeds give each project and stage its own namespace so that
//! permissions can be granted per namespace (K8S-06): "one team cannot see the
//! secrets from a different namespace". A ClusterRoleBinding that grants a
//! user, group or application service account write access to namespaced
//! resources grants it in every namespace at once, prod included.
//!
//! Not reported: subjects that are part of the cluster (service accounts of
//! `kube-system`, `system:`/`eks:` users and groups such as nodes and
//! controllers) and Kubernetes' own bindings. The catch-all groups
//! (`system:authenticated`, `system:serviceaccounts`...) are reported: they
//! mean everyone. Built-in roles are known: `cluster-admin`, `admin` and
//! `edit` write, `view` does not. A ClusterRole that is neither scanned nor
//! built-in is recorded as unknown.

use crate::prelude::*;
use std::collections::BTreeSet;

pub static RULE: Rule = Rule {
    id: "PAL217",
    name: "k8s-cluster-wide-write-binding",
    title: "ClusterRoleBinding grants write access to namespaced resources in every namespace",
    severity: Severity::High,
    practices: &["K8S-06"],
    benchmarks: &["CIS EKS 1.7.0 4.1.1"],
    description: "A ClusterRoleBinding binds a ClusterRole that can create, update, patch or \
delete namespaced resources (Deployments, Pods, Secrets...) to a subject that is not a cluster \
component, so the subject can change every project's and every stage's workloads. RBAC for \
people and applications should be granted per namespace with RoleBindings.",
    remediation: "Replace the ClusterRoleBinding with a RoleBinding in each namespace the subject \
works in (a RoleBinding may reference the same ClusterRole).",
    references: &[
        "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#rolebinding-and-clusterrolebinding",
        "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html",
    ],
    check,
};

/// Resources that are not namespaced (writing them is not what this rule is about).
const CLUSTER_SCOPED_RESOURCES: &[&str] = &[
    "nodes",
    "namespaces",
    "persistentvolumes",
    "clusterroles",
    "clusterrolebindings",
    "storageclasses",
    "customresourcedefinitions",
    "apiservices",
    "certificatesigningrequests",
    "csidrivers",
    "csinodes",
    "volumeattachments",
    "priorityclasses",
    "runtimeclasses",
    "ingressclasses",
    "mutatingwebhookconfigurations",
    "validatingwebhookconfigurations",
    "validatingadmissionpolicies",
    "validatingadmissionpolicybindings",
    "podsecuritypolicies",
    "componentstatuses",
    "tokenreviews",
    "subjectaccessreviews",
    "selfsubjectaccessreviews",
    "selfsubjectrulesreviews",
    "flowschemas",
    "prioritylevelconfigurations",
    "clustertrustbundles",
    "ipaddresses",
    "servicecidrs",
];

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
        let written = match role_grants(k, b) {
            RoleGrants::BuiltIn("view") => continue,
            RoleGrants::BuiltIn(_) => "all namespaced resources".to_string(),
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
                let res = writable_namespaced(&rules);
                if res.is_empty() {
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
                let shown: Vec<&str> = res.iter().take(4).map(String::as_str).collect();
                let more = if res.len() > 4 { ", ..." } else { "" };
                format!("{}{more}", shown.join(", "))
            }
        };
        for s in subjects {
            cx.report(
                &b.meta,
                Some(&s.loc),
                format!(
                    "ClusterRole {} lets {} write {written} in every namespace",
                    b.role_ref.name,
                    subject_label(s, None)
                ),
            );
        }
    }
}

/// Namespaced resources the rules allow writing (`*` for all).
fn writable_namespaced(rules: &[&PolicyRule]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for r in rules {
        let writes = r
            .verbs
            .iter()
            .any(|v| v == "*" || RBAC_WRITE_VERBS.contains(&v.as_str()));
        if !writes {
            continue;
        }
        for res in &r.resources {
            let base = res.split('/').next().unwrap_or(res);
            if res == "*" || !CLUSTER_SCOPED_RESOURCES.contains(&base) {
                out.insert(res.clone());
            }
        }
    }
    out
}
