//! A container runs as root unless something says otherwise: the image's
//! `USER`, which the manifest cannot see, decides. Root in a container is one
//! kernel bug or one misconfigured mount away from root on the node (K8S-05).
//!
//! A container is reported when its effective `runAsUser` (container value,
//! else the pod's) is 0, or when its effective `runAsNonRoot` is not true and
//! no non-zero `runAsUser` pins a user. A known non-zero `runAsUser` without
//! `runAsNonRoot` is not reported: that container does not run as root,
//! although the `restricted` Pod Security Standard still asks for
//! `runAsNonRoot: true`.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL210",
    name: "k8s-container-may-run-as-root",
    title: "Container may run as root",
    severity: Severity::Medium,
    practices: &["K8S-05"],
    benchmarks: &["CIS EKS 1.2.0 4.2.6", "CKV_K8S_23"],
    description: "Neither the container nor the pod sets `runAsNonRoot: true` or a non-zero \
`runAsUser` (or `runAsUser` is 0), so the process may run as UID 0. Container-level settings \
override pod-level ones, and init containers count.",
    remediation: "Set `securityContext.runAsNonRoot: true` (pod level, for every container) and a \
non-zero `runAsUser`, and build the image with a non-root `USER`.",
    references: &[
        "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
        "https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for w in top_level_workloads(&m.k8s) {
        let pod = w.pod_spec();
        for c in pod.all_containers() {
            let user = c.effective_run_as_user(pod);
            let non_root = c.effective_run_as_non_root(pod);
            match user.get() {
                Some(Some(0)) => {
                    let at = user.loc().or(Some(&c.loc));
                    cx.report(&w.meta, at, format!("{} runs as UID 0", container_label(c)));
                    continue;
                }
                Some(Some(_)) => continue, // pinned to a non-root user
                Some(None) => {}
                None if non_root.some() == Some(&true) => continue,
                None => {
                    cx.known(&w.meta, "securityContext.runAsUser", &user);
                    continue;
                }
            }
            match cx.known(&w.meta, "securityContext.runAsNonRoot", &non_root) {
                Some(Some(true)) | None => {}
                Some(Some(false)) => cx.report(
                    &w.meta,
                    non_root.loc().or(Some(&c.loc)),
                    format!(
                        "{} sets runAsNonRoot: false and no runAsUser",
                        container_label(c)
                    ),
                ),
                Some(None) => cx.report(
                    &w.meta,
                    Some(&c.loc),
                    format!(
                        "{} sets neither runAsNonRoot: true nor a non-zero runAsUser",
                        container_label(c)
                    ),
                ),
            }
        }
    }
}
