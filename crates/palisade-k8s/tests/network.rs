mod common;

use common::{fixture, line, line_after, no_errors};
use palisade_model::k8s::*;
use std::collections::BTreeMap;

fn np<'a>(k: &'a K8s, name: &str) -> &'a NetworkPolicy {
    k.network_policies
        .iter()
        .find(|p| p.object.name == name)
        .unwrap_or_else(|| panic!("no policy {name}"))
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn services() {
    let (text, load) = fixture("network.yaml");
    no_errors(&load);
    let k = &load.k8s;
    assert_eq!(k.services.len(), 2);
    let s = &k.services[0];
    assert_eq!(s.meta.address, "Service/shop-prod/web");
    assert!(s.is_load_balancer());
    assert_eq!(
        s.type_.loc().map(|l| l.line),
        Some(line(&text, "type: LoadBalancer"))
    );
    assert_eq!(
        s.object
            .annotation("service.beta.kubernetes.io/aws-load-balancer-scheme"),
        Some("internet-facing")
    );
    assert_eq!(
        s.object
            .annotations
            .loc("service.beta.kubernetes.io/aws-load-balancer-scheme")
            .map(|l| l.line),
        Some(line(&text, "aws-load-balancer-scheme"))
    );
    assert!(s.selects(&labels(&[("app", "web"), ("x", "y")])));
    assert!(!s.selects(&labels(&[("app", "db")])));
    assert_eq!(s.load_balancer_source_ranges.len(), 1);
    assert_eq!(s.ports.len(), 2);
    assert!(s.ports[0].port.is(&443));
    assert!(s.ports[0].target_port.is(&PortRef::Name("http".into())));
    // targetPort defaults to port.
    assert!(s.ports[1].target_port.is_default());
    assert!(s.ports[1].target_port.is(&PortRef::Number(9090)));
    assert!(s.ports[1].protocol.is_default());
    assert!(s.external_traffic_policy.is_default());

    let h = &k.services[1];
    assert!(h.type_.is_default() && h.type_.is(&"ClusterIP".to_string()));
    assert!(h.selector.is_none());
    assert!(
        !h.selects(&labels(&[("app", "web")])),
        "no selector selects nothing"
    );
    assert_eq!(h.cluster_ip.some().map(String::as_str), Some("None"));
}

#[test]
fn ingresses() {
    let (text, load) = fixture("network.yaml");
    let k = &load.k8s;
    assert_eq!(k.ingresses.len(), 2);
    let i = &k.ingresses[0];
    assert_eq!(i.class(), Some("alb"));
    for (key, value) in [
        ("alb.ingress.kubernetes.io/scheme", "internet-facing"),
        (
            "alb.ingress.kubernetes.io/listen-ports",
            r#"[{"HTTP": 80}, {"HTTPS": 443}]"#,
        ),
        ("alb.ingress.kubernetes.io/ssl-redirect", "443"),
        ("alb.ingress.kubernetes.io/backend-protocol", "HTTP"),
    ] {
        let v = i.annotation(key).unwrap_or_else(|| panic!("{key}"));
        assert!(v.is(&value.to_string()), "{key}");
    }
    let waf = i
        .annotation("alb.ingress.kubernetes.io/wafv2-acl-arn")
        .expect("waf");
    assert_eq!(
        waf.loc().map(|l| l.line),
        Some(line(&text, "wafv2-acl-arn"))
    );
    assert!(i
        .annotation("alb.ingress.kubernetes.io/certificate-arn")
        .is_some());
    assert_eq!(i.tls.len(), 1);
    assert_eq!(i.tls[0].hosts, vec!["shop.example.com".to_string()]);
    assert_eq!(i.tls[0].secret_name.as_deref(), Some("shop-tls"));
    assert_eq!(i.rules.len(), 1);
    let paths = &i.rules[0].paths;
    assert_eq!(paths.len(), 2);
    assert_eq!(paths[0].backend.service_name.as_deref(), Some("web"));
    assert_eq!(paths[0].backend.service_port, Some(PortRef::Number(443)));
    assert_eq!(
        paths[1].backend.service_port,
        Some(PortRef::Name("metrics".into()))
    );
    assert_eq!(paths[1].path_type.as_deref(), Some("Exact"));
    assert_eq!(i.backends().count(), 2);

    let legacy = &k.ingresses[1];
    assert_eq!(legacy.class(), Some("nginx"));
    let b = legacy.default_backend.as_ref().expect("backend");
    assert_eq!(b.service_name.as_deref(), Some("web"));
    assert_eq!(b.service_port, Some(PortRef::Number(443)));
}

#[test]
fn network_policy_default_deny() {
    let (text, load) = fixture("network.yaml");
    let p = np(&load.k8s, "default-deny");
    let sel = p.pod_selector.as_ref().expect("written");
    assert!(sel.is_empty());
    assert!(p.selects(&labels(&[("anything", "x")])));
    assert_eq!(
        p.policy_types.as_deref(),
        Some(&["Ingress".to_string(), "Egress".to_string()][..])
    );
    assert!(p.ingress.is_none() && p.egress.is_none());
    assert_eq!(p.effective_policy_types(), (true, true));
    assert!(p.denies_all_ingress() && p.denies_all_egress());
    assert_eq!(
        p.spec_loc.line,
        line_after(&text, "name: default-deny", "podSelector")
    );
}

#[test]
fn network_policy_missing_vs_empty() {
    let (text, load) = fixture("network.yaml");
    let p = np(&load.k8s, "web-allow");
    assert!(p.policy_types.is_none(), "not written");
    assert_eq!(p.effective_policy_types(), (true, true));
    let ingress = p.ingress.as_ref().expect("ingress written");
    assert_eq!(ingress.len(), 2);

    let r0 = &ingress[0];
    let peers = r0.peers.as_ref().expect("from written");
    assert_eq!(peers.len(), 2);
    // namespaceSelector + podSelector in one peer: both kept (AND).
    let both = &peers[0];
    assert!(both.namespace_selector.is_some() && both.pod_selector.is_some());
    assert_eq!(both.loc.line, line(&text, "- namespaceSelector:"));
    let ip = peers[1].ip_block.as_ref().expect("ipBlock");
    assert!(peers[1].pod_selector.is_none() && peers[1].namespace_selector.is_none());
    assert!(ip.cidr.is(&"10.0.0.0/16".to_string()));
    assert_eq!(ip.except.len(), 1);
    let ports = r0.ports.as_ref().expect("ports");
    assert!(ports[0]
        .port
        .as_ref()
        .is_some_and(|p| p.is(&PortRef::Number(8080))));
    assert!(ports[0].protocol.is_default() && ports[0].protocol.is(&"TCP".to_string()));
    assert!(ports[1]
        .port
        .as_ref()
        .is_some_and(|p| p.is(&PortRef::Name("http".into()))));
    assert!(!ports[1].protocol.is_default());

    // `- {}`: no from, no ports → everything.
    let r1 = &ingress[1];
    assert!(r1.peers.is_none() && r1.ports.is_none());
    assert!(r1.allows_all_peers() && r1.allows_all_ports());

    let egress = p.egress.as_ref().expect("egress");
    let e0 = &egress[0];
    let to = e0.peers.as_ref().expect("to");
    let ns = to[0]
        .namespace_selector
        .as_ref()
        .expect("namespaceSelector: {} written");
    assert!(ns.is_empty());
    assert!(to[0].pod_selector.is_none(), "missing stays missing");
    let eports = e0.ports.as_ref().expect("ports");
    assert!(eports[0].protocol.is(&"UDP".to_string()));
    assert!(eports[1].end_port.as_ref().is_some_and(|e| e.is(&5440)));
    assert!(eports[0].end_port.is_none());
    // `to: []`, `ports: []`: written and empty (Kubernetes: all).
    let e1 = &egress[1];
    assert_eq!(e1.peers.as_ref().map(Vec::len), Some(0));
    assert_eq!(e1.ports.as_ref().map(Vec::len), Some(0));
    assert!(e1.allows_all_peers() && e1.allows_all_ports());
}

#[test]
fn network_policy_type_defaulting() {
    let (_, load) = fixture("network.yaml");
    // `ingress: []` and `egress: []` without policyTypes: Ingress only
    // (an empty egress list does not make it an egress policy).
    let p = np(&load.k8s, "deny-ingress-implicit");
    assert_eq!(p.ingress.as_ref().map(Vec::len), Some(0));
    assert_eq!(p.egress.as_ref().map(Vec::len), Some(0));
    assert_eq!(p.effective_policy_types(), (true, false));
    assert!(p.denies_all_ingress());
    assert!(!p.denies_all_egress());

    let p = np(&load.k8s, "egress-only-written");
    assert!(p.ingress.is_none());
    assert_eq!(p.effective_policy_types(), (true, true));
    assert!(p.denies_all_ingress());
    assert!(!p.denies_all_egress());
    let sel = p.pod_selector.as_ref().expect("selector");
    assert_eq!(sel.match_expressions[0].operator, SelectorOperator::NotIn);
    assert!(p.selects(&labels(&[("app", "web")])));
    assert!(p.selects(&labels(&[])));
    assert!(!p.selects(&labels(&[("app", "db")])));
    assert_eq!(load.k8s.network_policies_in("shop-prod").count(), 4);
}

#[test]
fn empty_policy_types_default_like_missing() {
    let text = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\nspec:\n  podSelector: {}\n  policyTypes: []\n  egress:\n    - {}\n";
    let load = palisade_k8s::load_file(text, "p.yaml");
    no_errors(&load);
    let p = &load.k8s.network_policies[0];
    assert_eq!(p.policy_types.as_ref().map(Vec::len), Some(0));
    assert_eq!(p.effective_policy_types(), (true, true));
    assert!(p.denies_all_ingress());
    assert!(!p.denies_all_egress());
    assert_eq!(p.meta.address, "NetworkPolicy/default/p");
}
