//! Kubernetes lets every pod talk to every other pod, and to anything
//! outside the cluster, until a NetworkPolicy selects it. The seeds want each
//! namespace to start from "deny everything" in both directions and open only
//! what the app needs (K8S-01), so one compromised pod cannot reach another
//! workload's database or exfiltrate data.
//!
//! Which namespaces must have one: every namespace declared by a `Namespace`
//! object, and every namespace that runs scanned workloads. Exempt:
//! `kube-system`, `kube-public`, `kube-node-lease` (managed by Kubernetes and
//! EKS add-ons), and namespaces that only appear through other objects (for
//! example `istio-system` holding a mesh-wide PeerAuthentication): nothing of
//! the repository runs there and the namespace itself is not declared here.
//!
//! What counts as default deny: a NetworkPolicy of the namespace whose
//! `podSelector` is empty (selects every pod) that applies to a direction and
//! has no rule for it, following the API server's defaulting of `policyTypes`
//! (Ingress always; Egress only when the policy has egress rules, or when
//! listed). One policy for both directions and two policies, one per
//! direction, are equivalent. A policy that selects all pods but allows some
//! traffic (even only DNS) is not a default deny: it is reported here and its
//! allowances are judged by PAL201/PAL202.

use crate::prelude::*;
use std::collections::BTreeMap;

pub static RULE: Rule = Rule {
    id: "PAL200",
    name: "k8s-namespace-without-default-deny",
    title: "Namespace has no default-deny NetworkPolicy for ingress and egress",
    severity: Severity::Medium,
    practices: &["K8S-01"],
    benchmarks: &["CIS EKS 1.7.0 4.3.2"],
    description: "Pods not selected by any NetworkPolicy accept traffic from, and send traffic to, \
anywhere. The seeds require a default-deny policy in every namespace, for ingress and for egress, \
with the app's own traffic (its port, DNS, its database) opened by narrower policies on top.",
    remediation: "Add to the namespace a NetworkPolicy with `podSelector: {}` and \
`policyTypes: [Ingress, Egress]` and no rules, then allow only the traffic the workloads need.",
    references: &[
        "https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies",
        "https://docs.aws.amazon.com/eks/latest/best-practices/network-security.html",
    ],
    check,
};

/// Where a required namespace is reported: its Namespace object, else the
/// first workload that runs in it.
struct Required {
    meta: Meta,
}

fn check(m: &Model, cx: &mut Ctx) {
    let k = &m.k8s;
    let mut required: BTreeMap<String, Required> = BTreeMap::new();
    for ns in &k.namespaces {
        if !is_k8s_system_namespace(ns.name()) {
            required.insert(
                ns.name().to_string(),
                Required {
                    meta: ns.meta.clone(),
                },
            );
        }
    }
    for w in top_level_workloads(k) {
        let Some(ns) = w.object.ns() else { continue };
        if is_k8s_system_namespace(ns) || required.contains_key(ns) {
            continue;
        }
        let meta = Meta::new(
            address("Namespace", None, ns),
            "Namespace",
            w.meta.loc.clone(),
        );
        required.insert(ns.to_string(), Required { meta });
    }

    // Policies whose namespace is templated could be in any namespace.
    let floating: Vec<&NetworkPolicy> = k
        .network_policies
        .iter()
        .filter(|p| p.object.ns().is_none())
        .collect();

    for (ns, req) in &required {
        let (mut ingress, mut egress, mut undecided) = (false, false, false);
        for p in k.network_policies_in(ns) {
            match selects_all_pods(p) {
                Some(true) => {
                    ingress |= p.denies_all_ingress();
                    egress |= p.denies_all_egress();
                }
                Some(false) => {}
                None => undecided = true,
            }
        }
        let mut missing = Vec::new();
        if !ingress {
            missing.push("ingress");
        }
        if !egress {
            missing.push("egress");
        }
        if missing.is_empty() {
            continue;
        }
        if undecided || !floating.is_empty() {
            cx.unknown(
                &req.meta,
                "default-deny NetworkPolicy",
                None,
                "a NetworkPolicy's pod selector or namespace is templated",
            );
            continue;
        }
        cx.report(
            &req.meta,
            None,
            format!(
                "namespace {ns} has no NetworkPolicy selecting all pods that denies {}",
                missing.join(" and ")
            ),
        );
    }
}

/// Whether the policy selects every pod of its namespace; `None` when its
/// selector could not be read.
fn selects_all_pods(p: &NetworkPolicy) -> Option<bool> {
    match &p.pod_selector {
        None => Some(true),
        Some(s) if !s.is_decidable() => None,
        Some(s) => Some(s.is_empty()),
    }
}
