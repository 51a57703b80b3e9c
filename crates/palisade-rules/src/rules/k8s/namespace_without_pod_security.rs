//! Pod Security Admission enforces the Pod Security Standards per namespace,
//! through the `pod-security.kubernetes.io/enforce` label. Without it (or with
//! `privileged`) the API server admits privileged, host-namespace and hostPath
//! pods into the namespace, whatever the manifests scanned today look like
//! (K8S-05). EKS does not change the cluster-wide default, which is
//! `privileged`.
//!
//! Checked: every declared `Namespace` except `kube-system`, `kube-public` and
//! `kube-node-lease`. A namespace that runs scanned workloads but is not
//! declared in the scanned manifests is recorded as unknown (its labels are
//! set wherever it is created).

use crate::prelude::*;
use std::collections::BTreeSet;

pub static RULE: Rule = Rule {
    id: "PAL215",
    name: "k8s-namespace-without-pod-security-enforce",
    title: "Namespace does not enforce a Pod Security Standard",
    severity: Severity::Medium,
    practices: &["K8S-05"],
    benchmarks: &["CIS EKS 1.7.0 4.2.1"],
    description: "The namespace has no `pod-security.kubernetes.io/enforce` label set to \
`baseline` or `restricted`, so Pod Security Admission admits any pod, privileged ones included. \
Admission is the control that keeps the next manifest, not only today's, within the standard.",
    remediation: "Label the namespace `pod-security.kubernetes.io/enforce: restricted` (or \
`baseline` where a workload cannot meet restricted yet), and set `audit`/`warn` to `restricted`.",
    references: &[
        "https://kubernetes.io/docs/concepts/security/pod-security-admission/",
        "https://docs.aws.amazon.com/eks/latest/best-practices/pod-security.html",
    ],
    check,
};

const LABEL: &str = "pod-security.kubernetes.io/enforce";

fn check(m: &Model, cx: &mut Ctx) {
    let k = &m.k8s;
    let mut declared = BTreeSet::new();
    for ns in &k.namespaces {
        declared.insert(ns.name());
        if is_k8s_system_namespace(ns.name()) {
            continue;
        }
        match ns.object.labels.val(LABEL) {
            None => cx.report(
                &ns.meta,
                None,
                format!(
                    "namespace {} has no {LABEL} label (admission defaults to privileged)",
                    ns.name()
                ),
            ),
            Some(v) => match cx.known(&ns.meta, LABEL, v).map(String::as_str) {
                Some("baseline" | "restricted") | None => {}
                Some(level) => cx.report(
                    &ns.meta,
                    v.loc(),
                    format!("namespace {} enforces the {level} level", ns.name()),
                ),
            },
        }
    }
    let mut undeclared = BTreeSet::new();
    for w in top_level_workloads(k) {
        if let Some(ns) = w.object.ns() {
            if !declared.contains(ns) && !is_k8s_system_namespace(ns) && undeclared.insert(ns) {
                let meta = Meta::new(
                    address("Namespace", None, ns),
                    "Namespace",
                    w.meta.loc.clone(),
                );
                cx.unknown(
                    &meta,
                    LABEL,
                    None,
                    "the Namespace object is not among the scanned manifests",
                );
            }
        }
    }
}
