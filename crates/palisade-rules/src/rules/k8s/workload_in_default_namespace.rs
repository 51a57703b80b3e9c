//! The seeds want one namespace per project and stage (test, int, e2e, prod)
//! so RBAC, NetworkPolicies, quotas and Pod Security Admission can be scoped
//! to it (K8S-06). Workloads in `default` share a namespace nobody owns, that
//! usually has none of those controls.
//!
//! A workload without `metadata.namespace` is reported too: it lands in
//! `default` unless the apply command or a kustomization sets one.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL216",
    name: "k8s-workload-in-default-namespace",
    title: "Workload runs in the default namespace",
    severity: Severity::Low,
    practices: &["K8S-06"],
    benchmarks: &["CIS EKS 1.7.0 4.5.2", "CKV_K8S_21"],
    description: "The workload is deployed to the `default` namespace (explicitly, or by not \
naming a namespace). `default` mixes unrelated workloads, so per-project RBAC, NetworkPolicies \
and Pod Security Admission labels cannot be applied to it cleanly.",
    remediation:
        "Create a namespace per project and stage (e.g. `shop-prod`, `shop-test`) and set \
`metadata.namespace` on every object.",
    references: &[
        "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/",
        "https://docs.aws.amazon.com/eks/latest/best-practices/multi-tenancy.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for w in top_level_workloads(&m.k8s) {
        let Some(ns) = &w.object.namespace else {
            continue;
        };
        match ns {
            Val::Known { value, loc } if value == "default" => cx.report(
                &w.meta,
                Some(loc),
                format!(
                    "{} {} is in the default namespace",
                    w.kind.as_str(),
                    w.name()
                ),
            ),
            Val::Default { value } if value == "default" => cx.report(
                &w.meta,
                None,
                format!(
                    "{} {} sets no namespace, so it lands in default",
                    w.kind.as_str(),
                    w.name()
                ),
            ),
            Val::Unknown { reason, loc } => {
                cx.unknown(&w.meta, "metadata.namespace", loc.as_ref(), reason.clone())
            }
            _ => {}
        }
    }
}
