//! Every pod that names no service account runs as its namespace's `default`
//! service account. A RoleBinding or ClusterRoleBinding that grants anything
//! to `default` therefore grants it to every such pod, present and future,
//! not to the one workload that needed it (K8S-07, K8S-08).

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL221",
    name: "k8s-binding-to-default-service-account",
    title: "RBAC binding grants permissions to a default service account",
    severity: Severity::Medium,
    practices: &["K8S-07", "K8S-08"],
    benchmarks: &["CIS EKS 1.7.0 4.1.5", "CKV_K8S_42"],
    description: "A binding names the `default` service account of a namespace as subject, so \
every pod of that namespace without its own service account inherits the permissions.",
    remediation: "Create a dedicated service account for the workload that needs the permissions, \
bind the role to it, and set `serviceAccountName` on that workload only.",
    references: &[
        "https://kubernetes.io/docs/concepts/security/service-accounts/#default-service-accounts",
        "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for b in m
        .k8s
        .role_bindings
        .iter()
        .filter(|b| !is_rbac_default(&b.object))
    {
        let binding_ns = if b.cluster { None } else { b.object.ns() };
        for s in &b.subjects {
            if let Some(ns) = default_service_account_of(s, binding_ns) {
                cx.report(
                    &b.meta,
                    Some(&s.loc),
                    format!(
                        "grants {} {} to the default service account of namespace {ns}",
                        b.role_ref.kind, b.role_ref.name
                    ),
                );
            }
        }
    }
}
