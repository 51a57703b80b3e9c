//! NetworkPolicy semantics, one rule of the specification per test, each
//! asserting the exact connectivity matrix.

mod common;

use palisade_reach::netpol::Cluster;
use palisade_reach::IpSet;
use std::collections::BTreeSet;

type Entries = BTreeSet<(String, String, String)>;

fn matrix_of(yaml: &str) -> Entries {
    let m = common::k8s(yaml);
    let c = Cluster::new(&m.k8s);
    c.matrix(None)
        .entries
        .into_iter()
        .map(|e| (e.src, e.dst, e.conn))
        .collect()
}

fn e(src: &str, dst: &str, conn: &str) -> (String, String, String) {
    (src.into(), dst.into(), conn.into())
}

/// Pod-to-pod entries only (no CIDR lines).
fn pods_only(m: &Entries) -> Entries {
    m.iter()
        .filter(|(s, d, _)| s.contains('[') && d.contains('['))
        .cloned()
        .collect()
}

fn deploy(ns: &str, name: &str, labels: &str, ports: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {ns}
spec:
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {labels}
    spec:
      containers:
        - name: c
          image: nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000
          ports: {ports}
---
"
    )
}

fn ns(name: &str, labels: &str) -> String {
    format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n  labels: {labels}\n---\n")
}

const DENY_ALL_A: &str = "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: a}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
";

#[test]
fn no_policy_allows_everything_both_ways() {
    let y = deploy("a", "x", "{app: x}", "[]") + &deploy("a", "y", "{app: y}", "[]");
    let m = matrix_of(&y);
    assert_eq!(
        pods_only(&m),
        [
            e("a/x[Deployment]", "a/y[Deployment]", "All connections"),
            e("a/y[Deployment]", "a/x[Deployment]", "All connections"),
        ]
        .into_iter()
        .collect()
    );
    assert!(m.contains(&e("a/x[Deployment]", "0.0.0.0/0", "All connections")));
    assert!(m.contains(&e("::/0", "a/y[Deployment]", "All connections")));
}

#[test]
fn default_deny_both_directions_blocks_everything() {
    let y = deploy("a", "x", "{app: x}", "[]") + &deploy("a", "y", "{app: y}", "[]") + DENY_ALL_A;
    assert!(matrix_of(&y).is_empty());
}

#[test]
fn ingress_only_policy_leaves_egress_open() {
    // policyTypes defaults to Ingress; egress stays allowed.
    let y = deploy("a", "x", "{app: x}", "[]")
        + &deploy("a", "y", "{app: y}", "[]")
        + "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-in, namespace: a}
spec:
  podSelector: {matchLabels: {app: y}}
";
    let m = matrix_of(&y);
    assert_eq!(
        pods_only(&m),
        [e("a/y[Deployment]", "a/x[Deployment]", "All connections")]
            .into_iter()
            .collect()
    );
    assert!(m.contains(&e("a/y[Deployment]", "0.0.0.0/0", "All connections")));
    assert!(!m.iter().any(|(_, d, _)| d == "a/y[Deployment]"));
}

#[test]
fn empty_egress_list_without_policy_types_does_not_isolate_egress() {
    // `egress: []` does not make the policy apply to egress (API defaulting),
    // while `ingress: []` (with the implied Ingress type) allows nothing in.
    let y = deploy("a", "x", "{app: x}", "[]")
        + &deploy("a", "y", "{app: y}", "[]")
        + "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: a}
spec:
  podSelector: {matchLabels: {app: x}}
  ingress: []
  egress: []
";
    let m = pods_only(&matrix_of(&y));
    assert_eq!(
        m,
        [e("a/x[Deployment]", "a/y[Deployment]", "All connections")]
            .into_iter()
            .collect()
    );
}

#[test]
fn egress_section_makes_the_policy_apply_to_egress() {
    let y = deploy("a", "x", "{app: x}", "[]")
        + &deploy("a", "y", "{app: y}", "[]")
        + "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: a}
spec:
  podSelector: {matchLabels: {app: x}}
  egress:
    - to: [{podSelector: {matchLabels: {app: y}}}]
      ports: [{port: 80}]
";
    let m = matrix_of(&y);
    // x: egress only TCP 80 to y; ingress to x isolated too (Ingress implied) with no rule.
    assert_eq!(
        pods_only(&m),
        [e("a/x[Deployment]", "a/y[Deployment]", "TCP 80")]
            .into_iter()
            .collect()
    );
    assert!(!m
        .iter()
        .any(|(s, d, _)| s == "a/x[Deployment]" && !d.contains('[')));
}

#[test]
fn pod_and_namespace_selector_in_one_peer_are_anded_separate_peers_ored() {
    let base = ns("a", "{team: red}")
        + &ns("b", "{team: blue}")
        + &deploy("a", "db", "{app: db}", "[]")
        + &deploy("a", "web", "{app: web}", "[]")
        + &deploy("b", "web", "{app: web}", "[]")
        + &deploy("b", "job", "{app: job}", "[]");
    let and = base.clone()
        + "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: a}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
    - from:
        - namespaceSelector: {matchLabels: {team: blue}}
          podSelector: {matchLabels: {app: web}}
";
    let into_db = |m: &Entries| -> BTreeSet<String> {
        m.iter()
            .filter(|(_, d, _)| d == "a/db[Deployment]")
            .map(|(s, _, _)| s.clone())
            .collect()
    };
    assert_eq!(
        into_db(&matrix_of(&and)),
        ["b/web[Deployment]".to_string()].into_iter().collect()
    );
    let or = base
        + "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: a}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
    - from:
        - namespaceSelector: {matchLabels: {team: blue}}
        - podSelector: {matchLabels: {app: web}}
";
    assert_eq!(
        into_db(&matrix_of(&or)),
        [
            "a/web[Deployment]",
            "b/job[Deployment]",
            "b/web[Deployment]"
        ]
        .into_iter()
        .map(String::from)
        .collect()
    );
}

#[test]
fn pod_selector_alone_means_own_namespace_and_empty_namespace_selector_means_all() {
    let base = deploy("a", "db", "{app: db}", "[]")
        + &deploy("a", "web", "{app: web}", "[]")
        + &deploy("b", "web", "{app: web}", "[]");
    let own = base.clone()
        + "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: a}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]
";
    let m = matrix_of(&own);
    assert!(m.contains(&e(
        "a/web[Deployment]",
        "a/db[Deployment]",
        "All connections"
    )));
    assert!(!m.contains(&e(
        "b/web[Deployment]",
        "a/db[Deployment]",
        "All connections"
    )));
    let all = base
        + "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: a}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: web}}}]}]
";
    let m = matrix_of(&all);
    assert!(m.contains(&e(
        "a/web[Deployment]",
        "a/db[Deployment]",
        "All connections"
    )));
    assert!(m.contains(&e(
        "b/web[Deployment]",
        "a/db[Deployment]",
        "All connections"
    )));
}

#[test]
fn missing_from_allows_every_peer_and_policies_add_up() {
    let y = deploy("a", "db", "{app: db}", "[]")
        + &deploy("a", "web", "{app: web}", "[]")
        + "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p1, namespace: a}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{ports: [{port: 5432}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p2, namespace: a}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{ports: [{port: 9187}]}]
";
    let m = matrix_of(&y);
    assert!(m.contains(&e("a/web[Deployment]", "a/db[Deployment]", "TCP 5432,9187")));
    assert!(m.contains(&e("0.0.0.0/0", "a/db[Deployment]", "TCP 5432,9187")));
}

#[test]
fn named_ports_resolve_against_the_destination_pod() {
    let y = deploy("a", "client", "{app: client}", "[]")
        + &deploy(
            "a",
            "s1",
            "{tier: be, app: s1}",
            "[{name: http, containerPort: 8080}]",
        )
        + &deploy(
            "a",
            "s2",
            "{tier: be, app: s2}",
            "[{name: http, containerPort: 9090}, {name: dns, containerPort: 53, protocol: UDP}]",
        )
        + "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client, namespace: a}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress:
    - to: [{podSelector: {matchLabels: {tier: be}}}]
      ports: [{port: http}, {port: dns, protocol: UDP}, {port: dns}]
";
    let m = matrix_of(&y);
    assert!(m.contains(&e("a/client[Deployment]", "a/s1[Deployment]", "TCP 8080")));
    assert!(m.contains(&e(
        "a/client[Deployment]",
        "a/s2[Deployment]",
        "TCP 9090;UDP 53"
    )));
    // A named port means nothing for an address destination.
    assert!(!m
        .iter()
        .any(|(s, d, _)| s == "a/client[Deployment]" && !d.contains('[')));
}

#[test]
fn end_port_protocols_and_default_tcp() {
    let y = deploy("a", "x", "{app: x}", "[]")
        + &deploy("a", "y", "{app: y}", "[]")
        + "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: y, namespace: a}
spec:
  podSelector: {matchLabels: {app: y}}
  ingress:
    - ports:
        - {port: 32000, endPort: 32768}
        - {port: 53, protocol: UDP}
        - {protocol: SCTP}
";
    let m = matrix_of(&y);
    assert!(m.contains(&e(
        "a/x[Deployment]",
        "a/y[Deployment]",
        "TCP 32000-32768;UDP 53;SCTP"
    )));
}

#[test]
fn ip_block_except_is_subtracted() {
    let y = deploy("a", "x", "{app: x}", "[]")
        + "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: x, namespace: a}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16, 10.2.0.0/15]}}]
      ports: [{port: 443}]
";
    let got: BTreeSet<String> = matrix_of(&y)
        .into_iter()
        .filter(|(s, _, _)| s == "a/x[Deployment]")
        .map(|(_, d, c)| format!("{d} {c}"))
        .collect();
    let want: BTreeSet<String> = [
        "10.0.0.0/16 TCP 443",
        "10.4.0.0/14 TCP 443",
        "10.8.0.0/13 TCP 443",
        "10.16.0.0/12 TCP 443",
        "10.32.0.0/11 TCP 443",
        "10.64.0.0/10 TCP 443",
        "10.128.0.0/9 TCP 443",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(got, want);
}

#[test]
fn ip_block_covering_the_pod_network_matches_pods() {
    // Upstream conformance ("should allow egress access to server in CIDR
    // block"): an ipBlock matches pods whose address it contains.
    let y = deploy("a", "x", "{app: x}", "[]")
        + &deploy("b", "y", "{app: y}", "[]")
        + "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: x, namespace: a}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}]
";
    let m = common::k8s(&y);
    let c = Cluster::new(&m.k8s);
    let got = c.matrix(None);
    assert!(got
        .entries
        .iter()
        .any(|e| e.src == "a/x[Deployment]" && e.dst == "b/y[Deployment]"));
    // With the pod network known, a block disjoint from it matches no pod,
    // and one covering it matches every pod.
    let narrow = y.replace("0.0.0.0/0, except: [169.254.169.254/32]", "192.168.0.0/16");
    let m2 = common::k8s(&narrow);
    let c2 = Cluster::new(&m2.k8s).with_pod_network(IpSet::cidr("10.0.0.0/16").unwrap_or_default());
    assert!(!c2
        .matrix(None)
        .entries
        .iter()
        .any(|e| e.dst == "b/y[Deployment]" && e.src == "a/x[Deployment]"));
    let covering = y.replace("0.0.0.0/0, except: [169.254.169.254/32]", "10.0.0.0/8");
    let m3 = common::k8s(&covering);
    let c3 = Cluster::new(&m3.k8s).with_pod_network(IpSet::cidr("10.0.0.0/16").unwrap_or_default());
    assert!(c3
        .matrix(None)
        .entries
        .iter()
        .any(|e| e.dst == "b/y[Deployment]" && e.src == "a/x[Deployment]"));
    // Partly overlapping: undecidable, reported, never an allow.
    let part = y.replace("0.0.0.0/0, except: [169.254.169.254/32]", "10.0.0.0/17");
    let m4 = common::k8s(&part);
    let c4 = Cluster::new(&m4.k8s).with_pod_network(IpSet::cidr("10.0.0.0/16").unwrap_or_default());
    let r4 = c4.matrix(None);
    assert!(!r4
        .entries
        .iter()
        .any(|e| e.dst == "b/y[Deployment]" && e.src == "a/x[Deployment]"));
    assert!(r4
        .unknowns
        .iter()
        .any(|u| u.contains("covers part of the pod network")));
}

#[test]
fn templated_selectors_are_unknowns_not_allows() {
    let y = deploy("a", "x", "{app: x}", "[]")
        + &deploy("a", "y", "{app: y}", "[]")
        + "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: y, namespace: a}
spec:
  podSelector: {matchLabels: {app: y}}
  ingress: [{from: [{podSelector: {matchLabels: {app: '{{ .Values.client }}'}}}]}]
";
    let m = common::k8s(&y);
    let c = Cluster::new(&m.k8s);
    let r = c.matrix(None);
    assert!(!r.entries.iter().any(|e| e.dst == "a/y[Deployment]"));
    let _ = r.unknowns;
}

const MANIFESTS: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: 'x@sha256:00', ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db-client, namespace: shop}
spec:
  selector: {matchLabels: {app: db-client}}
  template:
    metadata: {labels: {app: db-client}}
    spec:
      containers: [{name: c, image: 'x@sha256:00'}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress, Egress]
  ingress: [{from: [{podSelector: {matchLabels: {app: db-client}}}], ports: [{port: http}]}]
  egress: [{to: [{ipBlock: {cidr: 10.20.0.0/16}}], ports: [{port: 5432}]}]
";

const EXPORT: &str = "apiVersion: v1
kind: PodList
items:
  - apiVersion: v1
    kind: Pod
    metadata:
      name: web-7c9d8f6b5-abcde
      namespace: shop
      labels: {app: web, pod-template-hash: 7c9d8f6b5}
      ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-7c9d8f6b5, uid: u1, controller: true}]
    spec:
      containers: [{name: c, image: 'x@sha256:00', ports: [{name: http, containerPort: 8080}]}]
  - apiVersion: v1
    kind: Pod
    metadata:
      name: web-7c9d8f6b5-fghij
      namespace: shop
      labels: {app: web, pod-template-hash: 7c9d8f6b5}
      ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-7c9d8f6b5, uid: u1, controller: true}]
    spec:
      containers: [{name: c, image: 'x@sha256:00', ports: [{name: http, containerPort: 8080}]}]
  - apiVersion: v1
    kind: Pod
    metadata:
      name: db-client-5f6d7c8b9-xyz12
      namespace: shop
      labels: {app: db-client, pod-template-hash: 5f6d7c8b9}
      ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: db-client-5f6d7c8b9, uid: u2, controller: true}]
    spec:
      containers: [{name: c, image: 'x@sha256:00'}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress, Egress]
  ingress: [{from: [{podSelector: {matchLabels: {app: db-client}}}], ports: [{port: http}]}]
  egress: [{to: [{ipBlock: {cidr: 10.20.0.0/16}}], ports: [{port: 5432}]}]
";

#[test]
fn exported_pods_count_under_their_deployment() {
    let from_manifests = matrix_of(MANIFESTS);
    let from_export = matrix_of(EXPORT);
    assert_eq!(from_manifests, from_export);
    assert!(from_export.contains(&e(
        "shop/db-client[Deployment]",
        "shop/web[Deployment]",
        "TCP 8080"
    )));
    assert!(from_export.contains(&e("shop/web[Deployment]", "10.20.0.0/16", "TCP 5432")));
    let m = common::k8s(EXPORT);
    let c = Cluster::new(&m.k8s);
    let web = c.group("Deployment/shop/web").map(|g| g.members.len());
    assert_eq!(web, Some(2));
}

#[test]
fn classes_collapse_pods_that_policies_cannot_tell_apart() {
    // 30 workloads with distinct names but only two label values that any
    // selector reads: two classes.
    let mut y = String::new();
    for i in 0..30 {
        let role = if i % 2 == 0 { "fe" } else { "be" };
        y += &deploy(
            "a",
            &format!("w{i}"),
            &format!("{{role: {role}, app: w{i}}}"),
            "[]",
        );
    }
    y += "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: be, namespace: a}
spec:
  podSelector: {matchLabels: {role: be}}
  ingress: [{from: [{podSelector: {matchLabels: {role: fe}}}], ports: [{port: 8080}]}]
";
    let m = common::k8s(&y);
    let c = Cluster::new(&m.k8s);
    assert_eq!(c.class_count(), 2);
    let r = c.matrix(None);
    let pods = r
        .entries
        .iter()
        .filter(|e| e.src.contains('[') && e.dst.contains('['))
        .count();
    // fe → everything (15×29: 14 fe peers + 15 be), be → fe only (15×15).
    assert_eq!(pods, 15 * 14 + 15 * 15 + 15 * 15);
    assert!(r.entries.iter().any(|e| e.src == "a/w0[Deployment]"
        && e.dst == "a/w1[Deployment]"
        && e.conn == "TCP 8080"));
}
