//! A privileged container has every capability and every host device: root
//! in it is root on the node, and from the node on every pod scheduled there
//! and on the node's IAM role (K8S-05).

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL205",
    name: "k8s-privileged-container",
    title: "Container runs privileged",
    severity: Severity::High,
    practices: &["K8S-05"],
    benchmarks: &["CIS EKS 1.7.0 4.2.1", "CKV_K8S_16"],
    description: "`securityContext.privileged: true` disables almost all container isolation: \
the process sees the host's devices and holds every Linux capability, so escaping to the node is \
trivial. The Pod Security Standards forbid it from the baseline profile up.",
    remediation: "Remove `privileged: true`; grant the one capability the workload needs instead, \
or move node-level agents to a dedicated, tightly controlled namespace.",
    references: &[
        "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
        "https://docs.aws.amazon.com/eks/latest/best-practices/pod-security.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for w in top_level_workloads(&m.k8s) {
        for c in w.pod_spec().all_containers() {
            let v = &c.security_context.privileged;
            if cx.known(&w.meta, "securityContext.privileged", v) == Some(&true) {
                cx.report(
                    &w.meta,
                    v.loc(),
                    format!("{} is privileged", container_label(c)),
                );
            }
        }
    }
}
