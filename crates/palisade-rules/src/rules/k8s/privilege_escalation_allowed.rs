//! Unless `allowPrivilegeEscalation` is false, the kernel's `no_new_privs` is
//! not set and a process can gain privileges through setuid binaries or file
//! capabilities (K8S-05). Privileged containers and containers with
//! `CAP_SYS_ADMIN` can always escalate, whatever the field says.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL211",
    name: "k8s-privilege-escalation-allowed",
    title: "Container allows privilege escalation",
    severity: Severity::Medium,
    practices: &["K8S-05"],
    benchmarks: &["CIS EKS 1.7.0 4.2.5", "CKV_K8S_20"],
    description: "`securityContext.allowPrivilegeEscalation` is not set to false (it defaults to \
true), so setuid binaries in the image can raise the process's privileges. The `restricted` Pod \
Security Standard requires it to be false.",
    remediation: "Set `securityContext.allowPrivilegeEscalation: false` on every container, init \
containers included.",
    references: &[
        "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
        "https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for w in top_level_workloads(&m.k8s) {
        for c in w.pod_spec().all_containers() {
            let v = c.effective_allow_privilege_escalation();
            if cx.known(&w.meta, "securityContext.allowPrivilegeEscalation", &v) != Some(&true) {
                continue;
            }
            let sc = &c.security_context;
            let why = if sc.privileged.is_true() {
                "is privileged, so it can always escalate"
            } else if sc.allow_privilege_escalation.some() == Some(&true) {
                "sets allowPrivilegeEscalation: true"
            } else if sc.allow_privilege_escalation.is_none() {
                "does not set allowPrivilegeEscalation: false"
            } else {
                "adds CAP_SYS_ADMIN, so it can always escalate"
            };
            cx.report(
                &w.meta,
                v.loc().or(Some(&c.loc)),
                format!("{} {why}", container_label(c)),
            );
        }
    }
}
