//! A pod on the host network uses the node's interfaces and IP: NetworkPolicies
//! and security groups for pods no longer apply to it, it can reach the
//! instance metadata service and every port bound to the node's loopback, and
//! it can sniff the node's traffic. The seeds' pod security practice (K8S-05)
//! forbids it.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL206",
    name: "k8s-host-network",
    title: "Pod shares the host's network namespace",
    severity: Severity::High,
    practices: &["K8S-05"],
    benchmarks: &["CIS EKS 1.7.0 4.2.4", "CKV_K8S_19"],
    description:
        "`hostNetwork: true` breaks the isolation between the pod and its node. A pod on the host \
network uses the node's interfaces and IP: NetworkPolicies and security groups for pods no \
longer apply to it, it can reach the instance metadata service and every port bound to the \
node's loopback, and it can sniff the node's traffic. The Pod Security Standards forbid it from \
the baseline profile up.",
    remediation:
        "Remove `hostNetwork: true` (it defaults to false). Node-level agents that really \
need it belong in a dedicated namespace with its own admission policy.",
    references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for w in top_level_workloads(&m.k8s) {
        let v = &w.pod_spec().host_network;
        if cx.known(&w.meta, "hostNetwork", v) == Some(&true) {
            cx.report(&w.meta, v.loc(), "pod sets hostNetwork: true");
        }
    }
}
