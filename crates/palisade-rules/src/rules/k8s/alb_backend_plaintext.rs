//! The seeds encrypt load balancer → pod too (TLS-02): with HTTPS target
//! groups (`backend-protocol: HTTPS`), a TLS sidecar, or a service mesh with
//! strict mTLS. Inside the VPC, plaintext traffic is readable by anyone who
//! gets a foothold on the network path.
//!
//! For each ALB Ingress backend Service: the protocol is the Service's
//! `alb.ingress.kubernetes.io/backend-protocol` annotation, else the
//! Ingress's, else HTTP (the controller's precedence and default). An HTTP
//! backend is accepted when Istio enforces STRICT mTLS for its pods: a
//! PeerAuthentication selecting them, else the namespace-wide one, else the
//! mesh-wide one in the root namespace `istio-system` (modes UNSET or absent
//! inherit). A TLS sidecar cannot be recognised from the manifests.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL235",
    name: "k8s-alb-backend-plaintext",
    title: "ALB forwards to pods over plain HTTP without strict mTLS",
    severity: Severity::Medium,
    practices: &["TLS-02"],
    benchmarks: &[],
    description: "The ALB reaches the Ingress's backend pods with `backend-protocol: HTTP` (the \
default) and no STRICT Istio PeerAuthentication covers those pods, so requests, cookies and \
tokens cross the VPC unencrypted between the load balancer and the pod.",
    remediation: "Serve TLS in the pod (or a TLS sidecar) and set \
`alb.ingress.kubernetes.io/backend-protocol: HTTPS`, or run the namespace in a mesh with a \
STRICT PeerAuthentication.",
    references: &[
        "https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#backend-protocol",
        "https://istio.io/latest/docs/reference/config/security/peer_authentication/",
    ],
    check,
};

/// Istio's default root namespace, where a selector-less PeerAuthentication
/// is mesh-wide.
const MESH_ROOT: &str = "istio-system";

fn check(m: &Model, cx: &mut Ctx) {
    let k = &m.k8s;
    let key = format!("{ALB_ANNOTATION_PREFIX}backend-protocol");
    for ing in &k.ingresses {
        if is_alb_ingress(ing) != Some(true) {
            continue;
        }
        let Some(ns) = ing.object.ns() else { continue };
        let ing_proto = ing.object.annotations.val(&key);
        let mut plaintext: Vec<&str> = Vec::new();
        for b in ing.backends() {
            let Some(name) = b.service_name.as_deref() else {
                continue;
            };
            if b.service_port == Some(PortRef::Name("use-annotation".into()))
                || plaintext.contains(&name)
            {
                continue; // an action, not a Service
            }
            let svc = k
                .services
                .iter()
                .find(|s| s.object.ns() == Some(ns) && s.object.name == name);
            let proto = svc
                .and_then(|s| s.object.annotations.val(&key))
                .or(ing_proto);
            let proto = match proto {
                None => "HTTP".to_string(),
                Some(v) => {
                    match cx.known(&ing.meta, "alb.ingress.kubernetes.io/backend-protocol", v) {
                        Some(p) => p.to_ascii_uppercase(),
                        None => continue,
                    }
                }
            };
            if proto == "HTTPS" {
                continue;
            }
            let targets: Vec<&Workload> = svc
                .map(|s| k.service_targets(s).collect())
                .unwrap_or_default();
            match strict_mtls(k, ns, &targets) {
                Ok(true) => {}
                Ok(false) => plaintext.push(name),
                Err(why) => cx.unknown(&ing.meta, "PeerAuthentication mode", None, why),
            }
        }
        if !plaintext.is_empty() {
            cx.report(
                &ing.meta,
                ing_proto.and_then(Val::loc),
                format!(
                    "Ingress {} forwards to {} over HTTP and namespace {ns} has no STRICT mTLS for them",
                    ing.object.name,
                    plaintext.join(", ")
                ),
            );
        }
    }
}

/// Whether STRICT mTLS applies to all `targets` (or, with none known, to the
/// namespace). `Err` when a deciding mode is templated.
fn strict_mtls(k: &K8s, ns: &str, targets: &[&Workload]) -> Result<bool, String> {
    let fallback = namespace_mode(k, ns)?;
    if targets.is_empty() {
        return Ok(fallback.as_deref() == Some("STRICT"));
    }
    for w in targets {
        let mut mode = fallback.clone();
        for pa in k
            .peer_authentications
            .iter()
            .filter(|p| p.object.ns() == Some(ns))
        {
            let Some(sel) = &pa.selector else { continue };
            if sel.is_empty()
                || !sel.iter().all(|(key, v)| {
                    v.get()
                        .is_some_and(|v| w.template.labels.get(key) == Some(v.as_str()))
                })
            {
                continue;
            }
            if let Some(m) = explicit_mode(pa)? {
                mode = Some(m);
            }
        }
        if mode.as_deref() != Some("STRICT") {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The namespace-wide mode, else the mesh-wide one; `None` when neither is set.
fn namespace_mode(k: &K8s, ns: &str) -> Result<Option<String>, String> {
    for scope in [ns, MESH_ROOT] {
        for pa in k
            .peer_authentications
            .iter()
            .filter(|p| p.object.ns() == Some(scope) && p.selector.is_none())
        {
            if let Some(m) = explicit_mode(pa)? {
                return Ok(Some(m));
            }
        }
    }
    Ok(None)
}

/// The policy's mode unless it inherits (absent or UNSET).
fn explicit_mode(pa: &PeerAuthentication) -> Result<Option<String>, String> {
    match &pa.mtls_mode {
        Val::Unknown { reason, .. } => Err(format!("{}: {reason}", pa.meta.address)),
        v => Ok(v
            .some()
            .map(|m| m.to_ascii_uppercase())
            .filter(|m| m != "UNSET")),
    }
}
