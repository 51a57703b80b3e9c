//! Containers start with the runtime's default capability set (CHOWN,
//! DAC_OVERRIDE, FOWNER, SETUID, SETGID, NET_BIND_SERVICE, KILL, ... and on
//! many runtimes NET_RAW). Most applications need none of them; dropping
//! `ALL` removes a whole class of escalation paths (K8S-05).

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL212",
    name: "k8s-capabilities-not-dropped",
    title: "Container does not drop all capabilities",
    severity: Severity::Low,
    practices: &["K8S-05"],
    benchmarks: &["CIS EKS 1.2.0 4.2.8", "CKV_K8S_37"],
    description: "`securityContext.capabilities.drop` does not contain `ALL`, so the container \
keeps the runtime's default Linux capabilities. The `restricted` Pod Security Standard requires \
dropping `ALL` (adding back only `NET_BIND_SERVICE` if needed).",
    remediation: "Set `securityContext.capabilities.drop: [\"ALL\"]` on every container and add \
back only the capabilities the process needs.",
    references: &[
        "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container",
        "https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for w in top_level_workloads(&m.k8s) {
        for c in w.pod_spec().all_containers() {
            let drop = &c.security_context.capabilities_drop;
            if cx
                .known(&w.meta, "securityContext.capabilities.drop", drop)
                .is_none()
            {
                continue;
            }
            if !c.drops_all_capabilities() {
                cx.report(
                    &w.meta,
                    drop.loc().or(Some(&c.loc)),
                    format!("{} does not drop ALL capabilities", container_label(c)),
                );
            }
        }
    }
}
