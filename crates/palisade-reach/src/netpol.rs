//! Kubernetes NetworkPolicy semantics, exactly as Kubernetes defines them
//! (<https://kubernetes.io/docs/concepts/services-networking/network-policies/>):
//!
//! - A pod is *isolated* for a direction only when some policy in its
//!   namespace selects it and applies to that direction (`policyTypes`,
//!   defaulting to Ingress, plus Egress when an `egress` section has rules).
//!   A pod that no policy isolates allows everything in that direction.
//! - Allowed traffic is the union of what every applicable policy's rules
//!   allow (policies only add).
//! - A connection needs both the source's egress and the destination's
//!   ingress to allow it.
//! - In one peer, `podSelector` and `namespaceSelector` are ANDed; separate
//!   peers are ORed. A peer with only `podSelector` means the policy's own
//!   namespace; `namespaceSelector: {}` means every namespace. A rule with
//!   no (or empty) `from`/`to` matches every peer, and no (or empty) `ports`
//!   matches every port.
//! - `ipBlock` (with `except` subtracted) matches addresses. Palisade treats
//!   ipBlocks as addresses outside the cluster's pod network, as the
//!   Kubernetes documentation recommends; pod IPs are not known statically.
//! - Ports: protocol defaults to TCP; `endPort` extends a numeric `port` to a
//!   range; a named port resolves against the *destination* pod's container
//!   ports (with that name and protocol), so it may mean different numbers
//!   for different pods, and nothing for an address destination.
//!
//! Values that could not be read (templated selectors, unknown ports) never
//! become allows: they are listed in [`Matrix::unknowns`].

use crate::conns::{Conns, Protocol};
use crate::interval::IntervalSet;
use crate::ip::IpSet;
use palisade_model::k8s::{
    K8s, LabelSelector, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicyRule,
    PortRef, Workload,
};
use serde::Serialize;
use std::collections::BTreeMap;

/// Label set of a namespace, with the automatic `kubernetes.io/metadata.name`.
type Labels = BTreeMap<String, String>;

/// A set of pods that behave the same: the pods of one workload (exported
/// Pods and ReplicaSets count under the workload that owns them).
#[derive(Debug, Clone)]
pub struct PodGroup<'a> {
    /// `NAMESPACE/NAME[KIND]`.
    pub id: String,
    pub namespace: String,
    pub labels: Labels,
    pub workload: &'a Workload,
    /// `(name, protocol, port)` of every named container port.
    named_ports: Vec<(String, Protocol, u16)>,
}

/// One allowed connection of the matrix.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct MatrixEntry {
    pub src: String,
    pub dst: String,
    pub conn: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Matrix {
    pub entries: Vec<MatrixEntry>,
    /// What could not be decided, and why.
    pub unknowns: Vec<String>,
}

/// The cluster as NetworkPolicies see it.
pub struct Cluster<'a> {
    pub groups: Vec<PodGroup<'a>>,
    namespaces: BTreeMap<String, Labels>,
    policies: Vec<&'a NetworkPolicy>,
    unknowns: std::cell::RefCell<Vec<String>>,
}

/// Where traffic goes to or comes from.
#[derive(Clone, Copy)]
enum Peer<'p, 'a> {
    Pod(&'p PodGroup<'a>),
    Addresses(&'p IpSet),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Ingress,
    Egress,
}

impl<'a> Cluster<'a> {
    pub fn new(k8s: &'a K8s) -> Self {
        let mut namespaces: BTreeMap<String, Labels> = BTreeMap::new();
        for ns in k8s.namespaces_seen() {
            let mut labels = Labels::new();
            if let Some(decl) = k8s.namespace(&ns) {
                labels.extend(decl.object.labels.to_plain());
            }
            labels.insert("kubernetes.io/metadata.name".into(), ns.clone());
            namespaces.insert(ns, labels);
        }
        let mut groups: BTreeMap<String, PodGroup<'a>> = BTreeMap::new();
        for w in k8s.workloads() {
            let owner = k8s.root_owner(w);
            let id = group_id(owner);
            // The pods' own template is the truth for labels and ports; a
            // controller's template and its exported pods agree.
            groups.entry(id.clone()).or_insert_with(|| PodGroup {
                id,
                namespace: owner.namespace().to_string(),
                labels: w.template.labels.to_plain(),
                workload: owner,
                named_ports: named_ports(w),
            });
        }
        Cluster {
            groups: groups.into_values().collect(),
            namespaces,
            policies: k8s.network_policies.iter().collect(),
            unknowns: Default::default(),
        }
    }

    fn ns_labels(&self, ns: &str) -> Labels {
        self.namespaces.get(ns).cloned().unwrap_or_else(|| {
            let mut l = Labels::new();
            l.insert("kubernetes.io/metadata.name".into(), ns.to_string());
            l
        })
    }

    fn note(&self, what: String) {
        self.unknowns.borrow_mut().push(what);
    }

    fn selector_matches(
        &self,
        sel: &LabelSelector,
        labels: &Labels,
        owner: &NetworkPolicy,
    ) -> bool {
        if !sel.is_decidable() {
            self.note(format!(
                "{}: a selector has unreadable parts; it is treated as matching nothing",
                owner.meta.address
            ));
            return false;
        }
        sel.matches(labels)
    }

    /// Policies that isolate `pod` in `dir`.
    fn isolating(&self, pod: &PodGroup<'a>, dir: Direction) -> Vec<&'a NetworkPolicy> {
        self.policies
            .iter()
            .copied()
            .filter(|p| p.object.ns() == Some(pod.namespace.as_str()))
            .filter(|p| {
                let (ing, eg) = p.effective_policy_types();
                if dir == Direction::Ingress {
                    ing
                } else {
                    eg
                }
            })
            .filter(|p| match &p.pod_selector {
                None => true,
                Some(sel) => self.selector_matches(sel, &pod.labels, p),
            })
            .collect()
    }

    fn peer_matches(
        &self,
        policy: &NetworkPolicy,
        peer: &NetworkPolicyPeer,
        other: Peer<'_, 'a>,
    ) -> bool {
        match other {
            Peer::Pod(pod) => {
                if peer.ip_block.is_some() {
                    return false;
                }
                let policy_ns = policy.object.ns().unwrap_or("default");
                match (&peer.pod_selector, &peer.namespace_selector) {
                    (Some(ps), None) => {
                        pod.namespace == policy_ns && self.selector_matches(ps, &pod.labels, policy)
                    }
                    (None, Some(ns)) => {
                        self.selector_matches(ns, &self.ns_labels(&pod.namespace), policy)
                    }
                    (Some(ps), Some(ns)) => {
                        self.selector_matches(ns, &self.ns_labels(&pod.namespace), policy)
                            && self.selector_matches(ps, &pod.labels, policy)
                    }
                    (None, None) => false,
                }
            }
            Peer::Addresses(atom) => match &peer.ip_block {
                Some(block) => match block_set(block) {
                    Ok(set) => !set.intersect(atom).is_empty(),
                    Err(reason) => {
                        self.note(format!("{}: {reason}", policy.meta.address));
                        false
                    }
                },
                None => false,
            },
        }
    }

    /// What one rule allows between `other` and the pod `target` (whose
    /// ports a named port refers to when it is the destination).
    fn rule_allows(
        &self,
        policy: &NetworkPolicy,
        rule: &NetworkPolicyRule,
        other: Peer<'_, 'a>,
        port_owner: Option<&PodGroup<'a>>,
    ) -> Conns {
        let peer_ok = rule.allows_all_peers()
            || rule
                .peers
                .iter()
                .flatten()
                .any(|peer| self.peer_matches(policy, peer, other));
        if !peer_ok {
            return Conns::none();
        }
        if rule.allows_all_ports() {
            return Conns::all();
        }
        let mut out = Conns::none();
        for port in rule.ports.iter().flatten() {
            out = out.union(&self.port_conns(policy, port, port_owner));
        }
        out
    }

    fn port_conns(
        &self,
        policy: &NetworkPolicy,
        port: &NetworkPolicyPort,
        dst: Option<&PodGroup<'a>>,
    ) -> Conns {
        let Some(proto_text) = port.protocol.get() else {
            self.note(format!(
                "{}: a port's protocol is unknown",
                policy.meta.address
            ));
            return Conns::none();
        };
        let Some(proto) = Protocol::parse(proto_text) else {
            self.note(format!(
                "{}: protocol `{proto_text}` is not TCP, UDP or SCTP",
                policy.meta.address
            ));
            return Conns::none();
        };
        let Some(port_val) = &port.port else {
            return Conns::ports(proto, IntervalSet::full());
        };
        match port_val.get() {
            Some(PortRef::Number(n)) => {
                let Ok(lo) = u16::try_from(*n) else {
                    self.note(format!("{}: port {n} is out of range", policy.meta.address));
                    return Conns::none();
                };
                let hi = match &port.end_port {
                    None => lo,
                    Some(v) => match v.get().and_then(|e| u16::try_from(*e).ok()) {
                        Some(e) if e >= lo => e,
                        _ => {
                            self.note(format!(
                                "{}: endPort is unknown or invalid",
                                policy.meta.address
                            ));
                            return Conns::none();
                        }
                    },
                };
                Conns::ports(proto, IntervalSet::range(lo, hi))
            }
            Some(PortRef::Name(name)) => {
                let ports = dst
                    .map(|d| {
                        d.named_ports
                            .iter()
                            .filter(|(n, p, _)| n == name && *p == proto)
                            .map(|&(_, _, num)| (num, num))
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default();
                Conns::ports(proto, IntervalSet::from_ranges(ports))
            }
            None => {
                self.note(format!("{}: a port is unknown", policy.meta.address));
                Conns::none()
            }
        }
    }

    /// What `pod` allows in `dir` with `other`; `None` when not isolated
    /// (everything allowed).
    fn side(
        &self,
        pod: &PodGroup<'a>,
        dir: Direction,
        other: Peer<'_, 'a>,
        port_owner: Option<&PodGroup<'a>>,
    ) -> Option<Conns> {
        let policies = self.isolating(pod, dir);
        if policies.is_empty() {
            return None;
        }
        let mut out = Conns::none();
        for p in policies {
            let rules = if dir == Direction::Ingress {
                &p.ingress
            } else {
                &p.egress
            };
            for rule in rules.iter().flatten() {
                out = out.union(&self.rule_allows(p, rule, other, port_owner));
            }
        }
        Some(out)
    }

    /// Connections allowed from pods of `src` to pods of `dst`.
    pub fn pod_to_pod(&self, src: &PodGroup<'a>, dst: &PodGroup<'a>) -> Conns {
        let egress = self.side(src, Direction::Egress, Peer::Pod(dst), Some(dst));
        let ingress = self.side(dst, Direction::Ingress, Peer::Pod(src), Some(dst));
        match (egress, ingress) {
            (None, None) => Conns::all(),
            (Some(e), None) => e,
            (None, Some(i)) => i,
            (Some(e), Some(i)) => e.intersect(&i),
        }
    }

    /// Address regions with uniform policy decisions: the atoms of every
    /// ipBlock's CIDR and exceptions.
    fn address_atoms(&self) -> Vec<IpSet> {
        let mut atoms = vec![IpSet::all()];
        let mut blocks: Vec<IpSet> = Vec::new();
        for p in &self.policies {
            for rule in p.ingress.iter().flatten().chain(p.egress.iter().flatten()) {
                for peer in rule.peers.iter().flatten() {
                    if let Some(b) = &peer.ip_block {
                        for text in std::iter::once(&b.cidr)
                            .chain(b.except.iter())
                            .filter_map(|v| v.get())
                        {
                            if let Ok(set) = IpSet::cidr(text) {
                                blocks.push(set);
                            }
                        }
                    }
                }
            }
        }
        blocks.sort();
        blocks.dedup();
        for b in &blocks {
            let mut next = Vec::with_capacity(atoms.len() + 1);
            for a in atoms {
                let inside = a.intersect(b);
                let outside = a.subtract(b);
                if !inside.is_empty() {
                    next.push(inside);
                }
                if !outside.is_empty() {
                    next.push(outside);
                }
            }
            atoms = next;
        }
        atoms
    }

    /// Groups atoms by the connections allowed, as `(addresses, conns)`.
    fn with_addresses(&self, atoms: &[IpSet], f: impl Fn(&IpSet) -> Conns) -> Vec<(IpSet, Conns)> {
        let mut by_conns: BTreeMap<Conns, IpSet> = BTreeMap::new();
        for atom in atoms {
            let c = f(atom);
            if !c.is_empty() {
                let e = by_conns.entry(c).or_default();
                *e = e.union(atom);
            }
        }
        by_conns.into_iter().map(|(c, s)| (s, c)).collect()
    }

    /// The connectivity matrix, optionally limited to pods of one namespace
    /// (as source or destination).
    pub fn matrix(&self, namespace: Option<&str>) -> Matrix {
        let in_scope = |g: &PodGroup| namespace.is_none_or(|ns| g.namespace == ns);
        let atoms = self.address_atoms();
        let mut entries = Vec::new();
        for src in &self.groups {
            for dst in &self.groups {
                if std::ptr::eq(src, dst) || !(in_scope(src) || in_scope(dst)) {
                    continue;
                }
                let c = self.pod_to_pod(src, dst);
                if !c.is_empty() {
                    entries.push(MatrixEntry {
                        src: src.id.clone(),
                        dst: dst.id.clone(),
                        conn: c.to_string(),
                    });
                }
            }
        }
        for pod in self.groups.iter().filter(|g| in_scope(g)) {
            let egress = self.with_addresses(&atoms, |a| {
                self.side(pod, Direction::Egress, Peer::Addresses(a), None)
                    .unwrap_or_else(Conns::all)
            });
            for (set, c) in egress {
                for cidr in set.to_cidrs() {
                    entries.push(MatrixEntry {
                        src: pod.id.clone(),
                        dst: cidr,
                        conn: c.to_string(),
                    });
                }
            }
            let ingress = self.with_addresses(&atoms, |a| {
                self.side(pod, Direction::Ingress, Peer::Addresses(a), Some(pod))
                    .unwrap_or_else(Conns::all)
            });
            for (set, c) in ingress {
                for cidr in set.to_cidrs() {
                    entries.push(MatrixEntry {
                        src: cidr,
                        dst: pod.id.clone(),
                        conn: c.to_string(),
                    });
                }
            }
        }
        entries.sort();
        entries.dedup();
        let mut unknowns = self.unknowns.borrow().clone();
        unknowns.sort();
        unknowns.dedup();
        Matrix { entries, unknowns }
    }

    /// Finds a pod group by `NAMESPACE/NAME`, `NAMESPACE/NAME[KIND]` or
    /// `Kind/NAMESPACE/NAME`.
    pub fn group(&self, key: &str) -> Option<&PodGroup<'a>> {
        self.groups.iter().find(|g| {
            g.id == key || g.id.split('[').next() == Some(key) || g.workload.meta.address == key
        })
    }
}

fn group_id(w: &Workload) -> String {
    format!("{}/{}[{}]", w.namespace(), w.name(), w.kind.as_str())
}

fn named_ports(w: &Workload) -> Vec<(String, Protocol, u16)> {
    let mut out = Vec::new();
    for c in w.template.spec.all_containers() {
        for p in &c.ports {
            let (Some(name), Some(num)) = (&p.name, p.container_port.get()) else {
                continue;
            };
            let proto = p
                .protocol
                .get()
                .and_then(|s| Protocol::parse(s))
                .unwrap_or(Protocol::Tcp);
            if let Ok(num) = u16::try_from(*num) {
                out.push((name.clone(), proto, num));
            }
        }
    }
    out
}

/// The addresses an ipBlock matches: its CIDR minus its exceptions.
fn block_set(block: &palisade_model::k8s::IpBlock) -> Result<IpSet, String> {
    let cidr = block.cidr.get().ok_or("an ipBlock CIDR is unknown")?;
    let mut set = IpSet::cidr(cidr).map_err(|e| e.to_string())?;
    for ex in &block.except {
        let text = ex.get().ok_or("an ipBlock exception is unknown")?;
        set = set.subtract(&IpSet::cidr(text).map_err(|e| e.to_string())?);
    }
    Ok(set)
}
