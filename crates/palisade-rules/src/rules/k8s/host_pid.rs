//! A pod in the host PID namespace sees every process on the node, can read
//! their environment (secrets included) through /proc, and with ptrace can take
//! them over. The seeds' pod security practice (K8S-05) forbids it.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL207",
    name: "k8s-host-pid",
    title: "Pod shares the host's process ID namespace",
    severity: Severity::High,
    practices: &["K8S-05"],
    benchmarks: &["CIS EKS 1.7.0 4.2.2", "CKV_K8S_17"],
    description:
        "`hostPID: true` breaks the isolation between the pod and its node. A pod in the host PID \
namespace sees every process on the node, can read their environment (secrets included) through \
/proc, and with ptrace can take them over. The Pod Security Standards forbid it from the \
baseline profile up.",
    remediation: "Remove `hostPID: true` (it defaults to false). Node-level agents that really \
need it belong in a dedicated namespace with its own admission policy.",
    references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for w in top_level_workloads(&m.k8s) {
        let v = &w.pod_spec().host_pid;
        if cx.known(&w.meta, "hostPID", v) == Some(&true) {
            cx.report(&w.meta, v.loc(), "pod sets hostPID: true");
        }
    }
}
