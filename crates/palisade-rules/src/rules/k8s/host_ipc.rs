//! A pod in the host IPC namespace can read and write the shared memory of
//! every process on the node. The seeds' pod security practice (K8S-05) forbids
//! it.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL208",
    name: "k8s-host-ipc",
    title: "Pod shares the host's IPC namespace",
    severity: Severity::High,
    practices: &["K8S-05"],
    benchmarks: &["CIS EKS 1.7.0 4.2.3", "CKV_K8S_18"],
    description:
        "`hostIPC: true` breaks the isolation between the pod and its node. A pod in the host IPC \
namespace can read and write the shared memory of every process on the node. The Pod Security \
Standards forbid it from the baseline profile up.",
    remediation: "Remove `hostIPC: true` (it defaults to false). Node-level agents that really \
need it belong in a dedicated namespace with its own admission policy.",
    references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for w in top_level_workloads(&m.k8s) {
        let v = &w.pod_spec().host_ipc;
        if cx.known(&w.meta, "hostIPC", v) == Some(&true) {
            cx.report(&w.meta, v.loc(), "pod sets hostIPC: true");
        }
    }
}
