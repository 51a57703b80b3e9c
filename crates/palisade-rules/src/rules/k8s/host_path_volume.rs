//! A `hostPath` volume puts part of the node's filesystem in the pod. Writable,
//! it lets the pod plant files the node executes; even read-only it exposes
//! other pods' logs, kubelet credentials or the container runtime socket
//! (K8S-05).

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL209",
    name: "k8s-host-path-volume",
    title: "Pod mounts a hostPath volume",
    severity: Severity::High,
    practices: &["K8S-05"],
    benchmarks: &[],
    description: "`hostPath` volumes give the pod direct access to the node's filesystem, one of \
the most common container escape paths (`/`, `/var/run/containerd`, `/var/lib/kubelet`, `/etc`). \
The Pod Security Standards forbid them from the baseline profile up.",
    remediation: "Use an `emptyDir`, a PersistentVolumeClaim, a ConfigMap/Secret/CSI volume, or \
ship logs with an agent that reads them through the runtime API.",
    references: &[
        "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath",
        "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for w in top_level_workloads(&m.k8s) {
        for v in &w.pod_spec().volumes {
            if let VolumeSource::HostPath { path, .. } = &v.source {
                let what = match path.get() {
                    Some(p) => format!("volume `{}` mounts host path {p}", v.name),
                    None => format!("volume `{}` mounts a host path", v.name),
                };
                cx.report(&w.meta, Some(&v.loc), what);
            }
        }
    }
}
