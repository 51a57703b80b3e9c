//! Adding capabilities such as `SYS_ADMIN` (mount, namespaces: a container
//! escape on its own), `NET_ADMIN` (rewrite the pod's or, with hostNetwork,
//! the node's networking), `NET_RAW` (spoofing, ARP/DNS poisoning),
//! `SYS_PTRACE` or `SYS_MODULE` gives the container powers Kubernetes
//! withholds by default (K8S-05).
//!
//! Reported: every added capability outside the list the `baseline` Pod
//! Security Standard allows (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER,
//! FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID,
//! SYS_CHROOT), and `ALL`.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL213",
    name: "k8s-dangerous-capability-added",
    title: "Container adds a dangerous Linux capability",
    severity: Severity::High,
    practices: &["K8S-05"],
    benchmarks: &["CIS EKS 1.2.0 4.2.7", "CKV_K8S_25", "CKV_K8S_39"],
    description:
        "`securityContext.capabilities.add` grants a capability the baseline Pod Security \
Standard forbids (for example SYS_ADMIN, NET_ADMIN, NET_RAW, SYS_PTRACE, SYS_MODULE, BPF or ALL). \
Several of them allow escaping the container or tampering with other pods' traffic.",
    remediation: "Remove the capability; if the workload truly needs it, isolate it in a \
dedicated namespace with an admission policy that allows only it.",
    references: &[
        "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
        "https://man7.org/linux/man-pages/man7/capabilities.7.html",
    ],
    check,
};

/// Capabilities the baseline Pod Security Standard lets containers add.
const BASELINE_ALLOWED: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

fn check(m: &Model, cx: &mut Ctx) {
    for w in top_level_workloads(&m.k8s) {
        for c in w.pod_spec().all_containers() {
            let add = &c.security_context.capabilities_add;
            let Some(caps) = cx.known(&w.meta, "securityContext.capabilities.add", add) else {
                continue;
            };
            let bad: Vec<String> = caps
                .iter()
                .map(|c| c.trim().to_ascii_uppercase())
                .map(|c| c.strip_prefix("CAP_").map(str::to_string).unwrap_or(c))
                .filter(|c| !BASELINE_ALLOWED.contains(&c.as_str()))
                .collect();
            if !bad.is_empty() {
                cx.report(
                    &w.meta,
                    add.loc().or(Some(&c.loc)),
                    format!("{} adds {}", container_label(c), bad.join(", ")),
                );
            }
        }
    }
}
