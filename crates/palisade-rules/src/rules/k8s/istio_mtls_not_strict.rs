//! With Istio, STRICT mutual TLS is how the seeds' third option encrypts
//! load balancer → pod and pod → pod traffic (TLS-02). A PeerAuthentication in
//! PERMISSIVE mode still accepts plaintext, and DISABLE turns mTLS off: a
//! workload outside the mesh, or an attacker on the network, can then talk
//! to the pods in clear text and unauthenticated.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL236",
    name: "k8s-istio-mtls-not-strict",
    title: "Istio PeerAuthentication accepts plaintext (PERMISSIVE or DISABLE)",
    severity: Severity::Medium,
    practices: &["TLS-02"],
    benchmarks: &[],
    description: "`spec.mtls.mode` (or a `portLevelMtls` entry) is PERMISSIVE or DISABLE, so the \
selected workloads accept unencrypted, unauthenticated connections next to mTLS ones.",
    remediation: "Set `spec.mtls.mode: STRICT` once every client is in the mesh (PERMISSIVE is a \
migration step, not an end state).",
    references: &[
        "https://istio.io/latest/docs/reference/config/security/peer_authentication/",
        "https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for pa in &m.k8s.peer_authentications {
        let scope = if pa.selector.is_some() {
            "its workloads"
        } else {
            "the namespace"
        };
        if let Some(Some(mode)) = cx.known(&pa.meta, "mtls.mode", &pa.mtls_mode) {
            if is_weak(mode) {
                cx.report(
                    &pa.meta,
                    pa.mtls_mode.loc(),
                    format!(
                        "PeerAuthentication {} sets mTLS mode {mode} for {scope}",
                        pa.object.name
                    ),
                );
            }
        }
        for (port, v) in &pa.port_level_mtls {
            if let Some(mode) = cx.known(&pa.meta, "portLevelMtls", v) {
                if is_weak(mode) {
                    cx.report(
                        &pa.meta,
                        v.loc(),
                        format!(
                            "PeerAuthentication {} sets mTLS mode {mode} on port {port}",
                            pa.object.name
                        ),
                    );
                }
            }
        }
    }
}

fn is_weak(mode: &str) -> bool {
    mode.eq_ignore_ascii_case("PERMISSIVE") || mode.eq_ignore_ascii_case("DISABLE")
}
