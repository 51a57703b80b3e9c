//! "No one outside a namespace can read its Secrets." The rule resolves
//! every binding of the manifests (RoleBindings and ClusterRoleBindings,
//! aggregated ClusterRoles, built-in roles, `resourceNames`) and lists, per
//! namespace, the subjects from elsewhere that may get, list or watch its
//! Secrets: cluster-wide grants, service accounts of other namespaces bound
//! in it, and the cluster-wide service account groups.

use crate::prelude::*;
use palisade_access::{Analysis, Options};
use std::collections::BTreeMap;

pub static RULE: Rule = Rule {
    id: "PAL126",
    name: "k8s-secrets-readable-from-other-namespaces",
    title: "Subjects from outside a namespace can read its Secrets",
    severity: Severity::High,
    practices: &["K8S-07"],
    benchmarks: &[],
    description: "RBAC lets a subject that does not belong to a namespace — a service account \
of another namespace, `system:serviceaccounts`, `system:authenticated`, or any subject bound \
cluster-wide — get, list or watch the namespace's Secrets. The finding names the namespaces \
affected and the workloads running as the subject.",
    remediation: "Bind Secret access with RoleBindings in the namespace, to that namespace's own \
service accounts, restricted with `resourceNames`; remove cluster-wide Secret access.",
    references: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
    check,
};

/// What one (binding, subject) pair exposes.
struct Exposure {
    namespaces: Vec<String>,
    loc: Location,
    workloads: Vec<String>,
    role: String,
}

fn check(m: &Model, cx: &mut Ctx) {
    let a = Analysis::new(m, &Options::default());
    // One finding per (binding, subject), listing the namespaces.
    let mut by_subject: BTreeMap<(String, String), Exposure> = BTreeMap::new();
    for (ns, grants) in a.outside_secret_readers() {
        for g in grants {
            let key = (g.binding.clone(), g.subject.display());
            let loc = m
                .k8s
                .role_bindings
                .iter()
                .find(|b| b.meta.address == g.binding)
                .and_then(|b| {
                    b.subjects
                        .iter()
                        .find(|s| s.name == g.subject.name && s.kind == g.subject.kind)
                })
                .map(|s| s.loc.clone())
                .unwrap_or_else(|| g.binding_loc.clone());
            let e = by_subject.entry(key).or_insert_with(|| Exposure {
                namespaces: Vec::new(),
                loc,
                workloads: Vec::new(),
                role: String::new(),
            });
            if !e.namespaces.contains(&ns) {
                e.namespaces.push(ns.clone());
            }
            for sa in &g.service_accounts {
                if let Some(info) = a.identities.service_account(sa) {
                    for w in &info.workloads {
                        if !e.workloads.contains(w) {
                            e.workloads.push(w.clone());
                        }
                    }
                }
            }
            e.role = format!("{} ({} {})", g.role, g.rule.describe(), g.scope);
        }
    }
    for ((binding, subject), e) in by_subject {
        let runs = if e.workloads.is_empty() {
            String::new()
        } else {
            format!("; workloads running as it: {}", e.workloads.join(", "))
        };
        let meta = Meta::new(binding.clone(), "RoleBinding", e.loc.clone());
        cx.report(
            &meta,
            Some(&e.loc),
            format!(
                "{subject} can read Secrets of namespace(s) {} it does not belong to, through {binding} -> {}{runs}",
                e.namespaces.join(", "),
                e.role
            ),
        );
    }
}
