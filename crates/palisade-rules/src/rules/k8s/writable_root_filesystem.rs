//! A writable root filesystem lets an intruder drop tools and modify the
//! application's own files; a read-only one (with `emptyDir` volumes for the
//! paths that must be written) makes the container immutable (K8S-05).

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL214",
    name: "k8s-writable-root-filesystem",
    title: "Container root filesystem is writable",
    severity: Severity::Low,
    practices: &["K8S-05"],
    benchmarks: &["CKV_K8S_22"],
    description: "`securityContext.readOnlyRootFilesystem` is not true (it defaults to false), so \
processes in the container can write anywhere in the image's filesystem: download tooling, alter \
binaries or configuration.",
    remediation: "Set `securityContext.readOnlyRootFilesystem: true` and mount `emptyDir` volumes \
on the directories the application writes (`/tmp`, caches).",
    references: &["https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for w in top_level_workloads(&m.k8s) {
        for c in w.pod_spec().all_containers() {
            let v = &c.security_context.read_only_root_filesystem;
            if cx.known(&w.meta, "securityContext.readOnlyRootFilesystem", v) == Some(&false) {
                let what = if v.is_default() {
                    "does not set readOnlyRootFilesystem: true"
                } else {
                    "sets readOnlyRootFilesystem: false"
                };
                cx.report(
                    &w.meta,
                    v.loc().or(Some(&c.loc)),
                    format!("{} {what}", container_label(c)),
                );
            }
        }
    }
}
