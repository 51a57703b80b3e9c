//! Three RBAC verbs bypass RBAC itself: `escalate` lets a subject edit a role
//! to grant permissions it does not hold, `bind` lets it bind roles it does
//! not hold, and `impersonate` lets it act as another user, group or service
//! account. Any of them turns a namespace grant into a path to cluster-admin
//! and to every namespace's Secrets (K8S-07). Kubernetes' own roles (label
//! `kubernetes.io/bootstrapping: rbac-defaults`) are not reported; `*` verbs
//! are reported by PAL219.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL220",
    name: "k8s-rbac-escalation-verbs",
    title: "Role grants escalate, bind or impersonate",
    severity: Severity::High,
    practices: &["K8S-07"],
    benchmarks: &["CIS EKS 1.7.0 4.1.8", "CKV_K8S_157", "CKV_K8S_158", "CKV2_K8S_3"],
    description: "A Role or ClusterRole rule grants `escalate`, `bind` or `impersonate`. These \
verbs let the holder grant itself permissions it does not have or act as someone who has them.",
    remediation: "Remove the verbs; grant them only to the cluster's administrators through a \
just-in-time process.",
    references: &[
        "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#escalate-verb",
        "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for role in m.k8s.roles.iter().filter(|r| !is_rbac_default(&r.object)) {
        let kind = if role.cluster { "ClusterRole" } else { "Role" };
        for r in &role.rules {
            let verbs: Vec<&str> = r
                .verbs
                .iter()
                .map(String::as_str)
                .filter(|v| matches!(*v, "escalate" | "bind" | "impersonate"))
                .collect();
            if !verbs.is_empty() {
                cx.report(
                    &role.meta,
                    Some(&r.loc),
                    format!(
                        "{kind} {} grants {} on {}",
                        role.object.name,
                        verbs.join(", "),
                        r.resources.join(", ")
                    ),
                );
            }
        }
    }
}
