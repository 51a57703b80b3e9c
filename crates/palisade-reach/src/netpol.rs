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
//! - `ipBlock` (with `except` subtracted) matches addresses. It matches pods
//!   too when their addresses fall in it (the upstream conformance tests
//!   allow pod traffic by a pod's IP): a block matches a pod when it covers
//!   the whole *pod network* (see [`Cluster::with_pod_network`]; by default
//!   every unicast IPv4 and IPv6 address, so that `0.0.0.0/0 except
//!   169.254.169.254/32` reaches pods), matches no pod when it is disjoint
//!   from it, and is reported as undecidable in between (pod IPs are not
//!   known statically). Only the third case adds an entry to `unknowns`,
//!   and only when the pod network was given.
//! - Ports: protocol defaults to TCP; `endPort` extends a numeric `port` to a
//!   range; a named port resolves against the *destination* pod's container
//!   ports (with that name and protocol), so it may mean different numbers
//!   for different pods, and nothing for an address destination.
//! - Pods with `hostNetwork: true` use the node's address; NetworkPolicy
//!   behaviour for them is undefined, so palisade treats them as never
//!   isolated and never selected by a peer, and says so in `unknowns`.
//!
//! Values that could not be read (templated selectors, unknown ports) never
//! become allows: they are listed in [`Matrix::unknowns`].
//!
//! # Pods, workloads and equivalence classes
//!
//! Pods count under the workload that owns them ([`PodGroup`]): controller
//! owner references are followed through the scanned objects, and a Pod
//! owned by a ReplicaSet that was not scanned, whose `pod-template-hash`
//! label ends the ReplicaSet's name, counts under
//! `Deployment/<name without -hash>` (how a live export reads).
//!
//! Computation works on *classes*: pods with the same namespace, the same
//! values for every label key some selector reads, the same named ports some
//! policy refers to and the same `hostNetwork`. Every policy decision is the
//! same for all pods of a class, so the matrix costs classes × matched rule
//! peers rather than pods², and the result is mapped back to workloads.

use crate::conns::{Conns, Protocol};
use crate::interval::IntervalSet;
use crate::ip::IpSet;
use palisade_model::k8s::{
    K8s, LabelSelector, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, PortRef, Workload,
    WorkloadKind,
};
use palisade_model::Location;
use serde::Serialize;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

/// `(name, protocol, port)` of named container ports.
type NamedPorts = Vec<(String, Protocol, u16)>;
/// What decides a class's policies towards addresses: its isolating
/// policies, the direction, its named ports, the addresses asked about.
type SpaceKey = (Vec<usize>, bool, NamedPorts, u64);
/// Addresses with the connections allowed to or from them.
type AddrConns = Vec<(IpSet, Conns)>;

/// Label set (pod or namespace labels; namespaces get the automatic
/// `kubernetes.io/metadata.name`).
pub type Labels = BTreeMap<String, String>;

/// The pods of one workload (exported Pods and ReplicaSets count under the
/// workload that owns them).
#[derive(Debug, Clone)]
pub struct PodGroup<'a> {
    /// `NAMESPACE/NAME[KIND]`.
    pub id: String,
    pub namespace: String,
    pub name: String,
    /// `Deployment`, `StatefulSet`, `Pod`...
    pub kind: String,
    /// Labels of the first pod template seen.
    pub labels: Labels,
    /// The first object seen for this group (a controller or a Pod).
    pub workload: &'a Workload,
    /// Every scanned object attributed to the group.
    pub members: Vec<&'a Workload>,
    /// The service account the pods run as (`default` when not written).
    pub service_account: Option<String>,
    pub host_network: bool,
    /// Equivalence classes the group's pods fall in.
    classes: Vec<usize>,
}

impl PodGroup<'_> {
    /// `Kind/NAMESPACE/NAME`, the address users write.
    pub fn address(&self) -> String {
        format!("{}/{}/{}", self.kind, self.namespace, self.name)
    }
}

/// One allowed connection of the matrix.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct MatrixEntry {
    pub src: String,
    pub dst: String,
    pub conn: String,
}

/// Allowed connections by group index.
#[derive(Debug, Clone, Default)]
pub struct Connections {
    /// `(source group, destination group, conns)`.
    pub pods: Vec<(usize, usize, Conns)>,
    /// `(group, egress, addresses, conns)`: to (egress) or from the addresses.
    pub addresses: Vec<(usize, bool, IpSet, Conns)>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Matrix {
    pub entries: Vec<MatrixEntry>,
    /// What could not be decided, and why.
    pub unknowns: Vec<String>,
}

/// A policy rule that allowed part of a connection.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct RuleHit {
    /// `NetworkPolicy/NAMESPACE/NAME`.
    pub policy: String,
    /// `ingress[0]`, `egress[1]`.
    pub rule: String,
    pub loc: Location,
}

/// What NetworkPolicies decide for one side (egress of the source or
/// ingress of the destination) of a connection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NpSide {
    /// Some policy selects the pod for this direction.
    pub isolated: bool,
    /// Allowed connections (everything when not isolated).
    pub conns: Conns,
    /// Rules that allowed part of `conns`.
    pub rules: Vec<RuleHit>,
    /// Policies that isolate the pod (they decide the default deny).
    pub policies: Vec<(String, Location)>,
    /// Why the answer may be incomplete.
    pub unknowns: Vec<String>,
}

/// The peer of one side of a connection.
#[derive(Clone, Copy, Debug)]
pub enum NpPeer<'x, 'a> {
    Group(&'x PodGroup<'a>),
    /// Addresses outside the pod network (or pod addresses by IP).
    Addresses(&'x IpSet),
}

/// Pods that behave the same under every policy.
#[derive(Debug, Clone)]
struct Class {
    ns: String,
    labels: Labels,
    /// `(name, protocol, port)` of container ports whose name some policy uses.
    ports: Vec<(String, Protocol, u16)>,
    host_network: bool,
    groups: Vec<usize>,
    /// Policies isolating the class, per direction.
    ingress: Vec<usize>,
    egress: Vec<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
enum Dir {
    Ingress,
    Egress,
}

/// Classes a rule's peers match.
#[derive(Debug)]
enum PeerSet {
    All,
    Some(Vec<u32>),
}

impl PeerSet {
    fn contains(&self, c: usize) -> bool {
        match self {
            PeerSet::All => true,
            PeerSet::Some(v) => u32::try_from(c).is_ok_and(|c| v.binary_search(&c).is_ok()),
        }
    }
}

/// How an ipBlock relates to the pod network.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Cover {
    All,
    None,
    Part,
}

/// The cluster as NetworkPolicies see it.
pub struct Cluster<'a> {
    pub groups: Vec<PodGroup<'a>>,
    classes: Vec<Class>,
    namespaces: BTreeMap<String, Labels>,
    policies: Vec<&'a NetworkPolicy>,
    /// Pod addresses (default: every unicast address).
    pod_network: IpSet,
    pod_network_given: bool,
    unknowns: RefCell<BTreeSet<String>>,
    peer_cache: RefCell<HashMap<(usize, Dir, usize), Rc<PeerSet>>>,
    /// Classes by namespace.
    by_ns: BTreeMap<String, Vec<usize>>,
    /// NetworkPolicy decisions towards addresses, by isolating policies.
    space_cache: RefCell<HashMap<SpaceKey, crate::space::Space>>,
}

/// Every unicast address: what a pod may have when nothing else is known.
fn default_pod_network() -> IpSet {
    let mut v4 = IpSet::cidr("0.0.0.0/0").unwrap_or_default();
    for special in [
        "0.0.0.0/8",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "224.0.0.0/4",
        "240.0.0.0/4",
    ] {
        v4 = v4.subtract(&IpSet::cidr(special).unwrap_or_default());
    }
    let mut v6 = IpSet::cidr("::/0").unwrap_or_default();
    for special in ["::1/128", "fe80::/10", "ff00::/8", "::/128"] {
        v6 = v6.subtract(&IpSet::cidr(special).unwrap_or_default());
    }
    v4.union(&v6)
}

/// `(kind, name)` of the workload that owns `w`'s pods.
/// Scanned workloads by `(namespace, kind, name)`, to follow owner
/// references without scanning every workload for each pod.
type OwnerIndex<'a> = HashMap<(&'a str, WorkloadKind, &'a str), Vec<&'a Workload>>;

fn owner_index(k8s: &K8s) -> OwnerIndex<'_> {
    let mut idx: OwnerIndex<'_> = HashMap::new();
    for w in k8s.workloads() {
        idx.entry((w.namespace(), w.kind, w.name()))
            .or_default()
            .push(w);
    }
    idx
}

/// Follows controller owner references through scanned objects (as
/// `K8s::root_owner` does, with an index).
fn root_owner<'a>(idx: &OwnerIndex<'a>, w: &'a Workload) -> &'a Workload {
    let mut cur = w;
    for _ in 0..8 {
        let Some(c) = cur.controller() else { break };
        let Some(kind) = WorkloadKind::parse(&c.kind) else {
            break;
        };
        let next = idx
            .get(&(cur.namespace(), kind, c.name.as_str()))
            .and_then(|v| {
                v.iter().copied().find(|o| match (&c.uid, o.uid()) {
                    (Some(want), Some(have)) => want == have,
                    _ => true,
                })
            });
        match next {
            Some(o) if !std::ptr::eq(o, cur) => cur = o,
            _ => break,
        }
    }
    cur
}

fn attribute<'a>(idx: &OwnerIndex<'a>, w: &'a Workload) -> (String, String) {
    let owner = root_owner(idx, w);
    if let Some(o) = owner.controller() {
        // The top scanned object still has a controller that was not
        // scanned: attribute to it (a Deployment for hashed ReplicaSets).
        if o.kind == "ReplicaSet" {
            let hash = owner
                .object
                .labels
                .get("pod-template-hash")
                .or_else(|| owner.template.labels.get("pod-template-hash"));
            if let Some(dep) = hash.and_then(|h| deployment_of(&o.name, h)) {
                return ("Deployment".into(), dep);
            }
        }
        if WorkloadKind::parse(&o.kind).is_some() {
            return (o.kind.clone(), o.name.clone());
        }
    }
    if owner.kind == WorkloadKind::ReplicaSet {
        // A scanned ReplicaSet without its Deployment.
        let hash = owner
            .object
            .labels
            .get("pod-template-hash")
            .or_else(|| owner.template.labels.get("pod-template-hash"));
        if let Some(dep) = hash.and_then(|h| deployment_of(owner.name(), h)) {
            return ("Deployment".into(), dep);
        }
    }
    (owner.kind.as_str().to_string(), owner.name().to_string())
}

/// `web-7d4b9c` with hash `7d4b9c` → `web`.
fn deployment_of(rs_name: &str, hash: &str) -> Option<String> {
    if hash.is_empty() {
        return None;
    }
    rs_name
        .strip_suffix(hash)
        .and_then(|n| n.strip_suffix('-'))
        .filter(|n| !n.is_empty())
        .map(str::to_string)
}

fn selector_keys(sel: &LabelSelector, out: &mut BTreeSet<String>) {
    out.extend(sel.match_labels.keys().cloned());
    out.extend(sel.match_expressions.iter().map(|r| r.key.clone()));
}

fn container_ports(w: &Workload) -> Vec<(String, Protocol, u16)> {
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
    out.sort();
    out.dedup();
    out
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
        let policies: Vec<&NetworkPolicy> = k8s.network_policies.iter().collect();

        // What selectors and ports policies read.
        let mut keys = BTreeSet::new();
        let mut port_names = BTreeSet::new();
        for p in &policies {
            if let Some(s) = &p.pod_selector {
                selector_keys(s, &mut keys);
            }
            for rule in p.ingress.iter().flatten().chain(p.egress.iter().flatten()) {
                for peer in rule.peers.iter().flatten() {
                    if let Some(s) = &peer.pod_selector {
                        selector_keys(s, &mut keys);
                    }
                }
                for port in rule.ports.iter().flatten() {
                    if let Some(PortRef::Name(n)) = port.port.as_ref().and_then(|v| v.get()) {
                        port_names.insert(n.clone());
                    }
                }
            }
        }

        let mut unknowns = BTreeSet::new();
        let mut groups: Vec<PodGroup<'a>> = Vec::new();
        let mut group_index: HashMap<String, usize> = HashMap::new();
        let mut classes: Vec<Class> = Vec::new();
        let mut class_index: HashMap<(String, Labels, NamedPorts, bool), usize> = HashMap::new();
        let idx = owner_index(k8s);
        for w in k8s.workloads() {
            let (kind, name) = attribute(&idx, w);
            let ns = w.namespace().to_string();
            let id = format!("{ns}/{name}[{kind}]");
            let labels = w.template.labels.to_plain();
            if w.template.labels.has_unknown() {
                unknowns.insert(format!(
                    "{}: some pod labels are templated; they are treated as absent",
                    w.meta.address
                ));
            }
            let host_network = w.template.spec.host_network.is_true();
            let gi = *group_index.entry(id.clone()).or_insert_with(|| {
                groups.push(PodGroup {
                    id,
                    namespace: ns.clone(),
                    name,
                    kind,
                    labels: labels.clone(),
                    workload: w,
                    members: Vec::new(),
                    service_account: w.template.spec.service_account_name.get().cloned(),
                    host_network,
                    classes: Vec::new(),
                });
                groups.len() - 1
            });
            let projected: Labels = labels
                .iter()
                .filter(|(k, _)| keys.contains(*k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let ports: Vec<_> = container_ports(w)
                .into_iter()
                .filter(|(n, _, _)| port_names.contains(n))
                .collect();
            let key = (ns.clone(), projected, ports, host_network);
            let ci = match class_index.get(&key) {
                Some(&ci) => ci,
                None => {
                    classes.push(Class {
                        ns: ns.clone(),
                        // Matching uses the full labels of the first pod: the
                        // projection keeps every key selectors read, so any
                        // member's labels decide the same way.
                        labels,
                        ports: key.2.clone(),
                        host_network,
                        groups: Vec::new(),
                        ingress: Vec::new(),
                        egress: Vec::new(),
                    });
                    class_index.insert(key, classes.len() - 1);
                    classes.len() - 1
                }
            };
            if let Some(g) = groups.get_mut(gi) {
                g.members.push(w);
                g.host_network |= host_network;
                if !g.classes.contains(&ci) {
                    g.classes.push(ci);
                }
            }
            if let Some(c) = classes.get_mut(ci) {
                if !c.groups.contains(&gi) {
                    c.groups.push(gi);
                }
            }
        }

        let mut cluster = Cluster {
            groups,
            classes,
            namespaces,
            policies,
            pod_network: default_pod_network(),
            pod_network_given: false,
            unknowns: RefCell::new(unknowns),
            peer_cache: RefCell::new(HashMap::new()),
            by_ns: BTreeMap::new(),
            space_cache: RefCell::new(HashMap::new()),
        };
        for (ci, c) in cluster.classes.iter().enumerate() {
            cluster.by_ns.entry(c.ns.clone()).or_default().push(ci);
        }
        cluster.compute_isolation();
        cluster
    }

    /// The addresses pods can have (e.g. the subnets of the nodes, with the
    /// VPC CNI). ipBlocks are then decided against it exactly.
    pub fn with_pod_network(mut self, net: IpSet) -> Self {
        self.pod_network = net;
        self.pod_network_given = true;
        self.peer_cache.borrow_mut().clear();
        self
    }

    fn compute_isolation(&mut self) {
        let mut by_ns: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, p) in self.policies.iter().enumerate() {
            by_ns
                .entry(p.object.ns().unwrap_or("default"))
                .or_default()
                .push(i);
        }
        let mut result = Vec::with_capacity(self.classes.len());
        for c in &self.classes {
            let mut ing = Vec::new();
            let mut eg = Vec::new();
            if c.host_network {
                self.note(format!(
                    "pods of {} use the host network: NetworkPolicy behaviour for them is undefined; treated as not isolated",
                    self.class_name(c)
                ));
            } else {
                for &pi in by_ns.get(c.ns.as_str()).into_iter().flatten() {
                    let Some(p) = self.policies.get(pi) else {
                        continue;
                    };
                    let selected = match &p.pod_selector {
                        None => true,
                        Some(sel) => self.selector_matches(sel, &c.labels, p),
                    };
                    if !selected {
                        continue;
                    }
                    let (i, e) = p.effective_policy_types();
                    if i {
                        ing.push(pi);
                    }
                    if e {
                        eg.push(pi);
                    }
                }
            }
            result.push((ing, eg));
        }
        for (c, (i, e)) in self.classes.iter_mut().zip(result) {
            c.ingress = i;
            c.egress = e;
        }
    }

    fn class_name(&self, c: &Class) -> String {
        c.groups
            .first()
            .and_then(|&g| self.groups.get(g))
            .map(|g| g.id.clone())
            .unwrap_or_else(|| c.ns.clone())
    }

    fn ns_labels(&self, ns: &str) -> std::borrow::Cow<'_, Labels> {
        match self.namespaces.get(ns) {
            Some(l) => std::borrow::Cow::Borrowed(l),
            None => {
                let mut l = Labels::new();
                l.insert("kubernetes.io/metadata.name".into(), ns.to_string());
                std::borrow::Cow::Owned(l)
            }
        }
    }

    fn note(&self, what: String) {
        self.unknowns.borrow_mut().insert(what);
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

    /// Whether `block` matches pods: per address family (a pod reached by
    /// its IPv4 address matches an IPv4 block covering the IPv4 pod network).
    fn cover(&self, block: &IpSet) -> Cover {
        let net = &self.pod_network;
        let v4_all = !net.v4.is_empty() && net.v4.is_subset(&block.v4);
        let v6_all = !net.v6.is_empty() && net.v6.is_subset(&block.v6);
        if v4_all || v6_all {
            Cover::All
        } else if net.intersect(block).is_empty() {
            Cover::None
        } else {
            Cover::Part
        }
    }

    fn peer_matches_class(
        &self,
        policy: &NetworkPolicy,
        peer: &NetworkPolicyPeer,
        c: &Class,
    ) -> bool {
        if c.host_network {
            return false;
        }
        if let Some(block) = &peer.ip_block {
            return match block_set(block) {
                Ok(set) => match self.cover(&set) {
                    Cover::All => true,
                    Cover::None => false,
                    Cover::Part => {
                        if self.pod_network_given {
                            self.note(format!(
                                "{}: ipBlock {} covers part of the pod network; whether it matches a pod depends on the pod's address (treated as not matching)",
                                policy.meta.address,
                                set.to_cidrs().join(",")
                            ));
                        }
                        false
                    }
                },
                Err(reason) => {
                    self.note(format!("{}: {reason}", policy.meta.address));
                    false
                }
            };
        }
        let policy_ns = policy.object.ns().unwrap_or("default");
        match (&peer.pod_selector, &peer.namespace_selector) {
            (Some(ps), None) => c.ns == policy_ns && self.selector_matches(ps, &c.labels, policy),
            (None, Some(ns)) => self.selector_matches(ns, &self.ns_labels(&c.ns), policy),
            (Some(ps), Some(ns)) => {
                self.selector_matches(ns, &self.ns_labels(&c.ns), policy)
                    && self.selector_matches(ps, &c.labels, policy)
            }
            (None, None) => false,
        }
    }

    fn rules(&self, pi: usize, dir: Dir) -> &'a [palisade_model::k8s::NetworkPolicyRule] {
        let Some(p) = self.policies.get(pi) else {
            return &[];
        };
        let rules = match dir {
            Dir::Ingress => &p.ingress,
            Dir::Egress => &p.egress,
        };
        rules.as_deref().unwrap_or(&[])
    }

    /// Classes the peers of rule `ri` of policy `pi` match.
    fn peer_set(&self, pi: usize, dir: Dir, ri: usize) -> Rc<PeerSet> {
        if let Some(s) = self.peer_cache.borrow().get(&(pi, dir, ri)) {
            return s.clone();
        }
        let set = match (self.policies.get(pi), self.rules(pi, dir).get(ri)) {
            (Some(p), Some(rule)) if !rule.allows_all_peers() => {
                let mut v = Vec::new();
                for peer in rule.peers.iter().flatten() {
                    let policy_ns = p.object.ns().unwrap_or("default");
                    if peer.ip_block.is_some() {
                        // The same for every (non-host-network) class.
                        let probe = self.classes.iter().position(|c| !c.host_network);
                        let all = probe
                            .and_then(|ci| self.classes.get(ci))
                            .is_some_and(|c| self.peer_matches_class(p, peer, c));
                        if all {
                            v.extend(
                                self.classes
                                    .iter()
                                    .enumerate()
                                    .filter(|(_, c)| !c.host_network)
                                    .map(|(ci, _)| u32::try_from(ci).unwrap_or(u32::MAX)),
                            );
                        }
                        continue;
                    }
                    // A pod selector alone means the policy's namespace.
                    let only_own = peer.ip_block.is_none() && peer.namespace_selector.is_none();
                    let namespaces: Vec<(&String, &Vec<usize>)> = if only_own {
                        self.by_ns.get_key_value(policy_ns).into_iter().collect()
                    } else {
                        self.by_ns.iter().collect()
                    };
                    for (ns, classes) in namespaces {
                        // Namespace part first, once per namespace.
                        if peer.ip_block.is_none() {
                            let ns_ok = match (&peer.pod_selector, &peer.namespace_selector) {
                                (_, Some(sel)) => {
                                    self.selector_matches(sel, &self.ns_labels(ns), p)
                                }
                                (Some(_), None) => ns == policy_ns,
                                (None, None) => false,
                            };
                            if !ns_ok {
                                continue;
                            }
                        }
                        for &ci in classes {
                            if let Some(c) = self.classes.get(ci) {
                                if self.peer_matches_class(p, peer, c) {
                                    v.push(u32::try_from(ci).unwrap_or(u32::MAX));
                                }
                            }
                        }
                    }
                }
                v.sort_unstable();
                v.dedup();
                PeerSet::Some(v)
            }
            (Some(_), Some(_)) => PeerSet::All,
            _ => PeerSet::Some(Vec::new()),
        };
        let set = Rc::new(set);
        self.peer_cache
            .borrow_mut()
            .insert((pi, dir, ri), set.clone());
        set
    }

    /// Connections a rule allows; named ports resolve against `dst`.
    fn rule_conns(&self, pi: usize, dir: Dir, ri: usize, dst: Option<&Class>) -> Conns {
        let (Some(policy), Some(rule)) = (self.policies.get(pi), self.rules(pi, dir).get(ri))
        else {
            return Conns::none();
        };
        if rule.allows_all_ports() {
            return Conns::all();
        }
        let mut out = Conns::none();
        for port in rule.ports.iter().flatten() {
            out = out.union(&self.port_conns(policy, port, dst));
        }
        out
    }

    fn port_conns(
        &self,
        policy: &NetworkPolicy,
        port: &NetworkPolicyPort,
        dst: Option<&Class>,
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
                if port.end_port.is_some() {
                    // The API server rejects endPort with a named port.
                    self.note(format!(
                        "{}: endPort with the named port `{name}` is invalid; the port is ignored",
                        policy.meta.address
                    ));
                    return Conns::none();
                }
                let ports = dst
                    .map(|d| {
                        d.ports
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

    fn rule_has_named_port(&self, pi: usize, dir: Dir, ri: usize) -> bool {
        self.rules(pi, dir).get(ri).is_some_and(|r| {
            r.ports.iter().flatten().any(|p| {
                matches!(
                    p.port.as_ref().and_then(|v| v.get()),
                    Some(PortRef::Name(_))
                )
            })
        })
    }

    fn isolating<'c>(&self, c: &'c Class, dir: Dir) -> &'c [usize] {
        match dir {
            Dir::Ingress => &c.ingress,
            Dir::Egress => &c.egress,
        }
    }

    /// Connections class `ci` allows in `dir` with class `peer`, or `None`
    /// when not isolated. `dst` is the destination class (named ports).
    fn class_side(
        &self,
        ci: usize,
        dir: Dir,
        peer: usize,
        hits: Option<&mut Vec<RuleHit>>,
    ) -> Option<Conns> {
        let c = self.classes.get(ci)?;
        let pols = self.isolating(c, dir);
        if pols.is_empty() {
            return None;
        }
        let dst = match dir {
            Dir::Ingress => c,
            Dir::Egress => self.classes.get(peer)?,
        };
        let mut out = Conns::none();
        let mut hits = hits;
        for &pi in pols {
            for ri in 0..self.rules(pi, dir).len() {
                if self.peer_set(pi, dir, ri).contains(peer) {
                    let rc = self.rule_conns(pi, dir, ri, Some(dst));
                    if let Some(h) = hits.as_deref_mut() {
                        if !rc.is_empty() {
                            h.push(self.hit(pi, dir, ri));
                        }
                    }
                    out = out.union(&rc);
                }
            }
        }
        Some(out)
    }

    fn hit(&self, pi: usize, dir: Dir, ri: usize) -> RuleHit {
        let p = self.policies.get(pi);
        let loc = self
            .rules(pi, dir)
            .get(ri)
            .map(|r| r.loc.clone())
            .or_else(|| p.map(|p| p.meta.loc.clone()))
            .unwrap_or_else(|| Location::file_only("?"));
        RuleHit {
            policy: p.map(|p| p.meta.address.clone()).unwrap_or_default(),
            rule: format!(
                "{}[{ri}]",
                if dir == Dir::Ingress {
                    "ingress"
                } else {
                    "egress"
                }
            ),
            loc,
        }
    }

    /// Connections class `ci` allows in `dir` with addresses `set` (some
    /// address of it), or `None` when not isolated.
    fn class_side_addr(
        &self,
        ci: usize,
        dir: Dir,
        set: &IpSet,
        hits: Option<&mut Vec<RuleHit>>,
    ) -> Option<Conns> {
        let c = self.classes.get(ci)?;
        let pols = self.isolating(c, dir);
        if pols.is_empty() {
            return None;
        }
        let dst = match dir {
            Dir::Ingress => Some(c),
            Dir::Egress => None,
        };
        let mut out = Conns::none();
        let mut hits = hits;
        for &pi in pols {
            let Some(p) = self.policies.get(pi) else {
                continue;
            };
            for (ri, rule) in self.rules(pi, dir).iter().enumerate() {
                let matches = rule.allows_all_peers()
                    || rule
                        .peers
                        .iter()
                        .flatten()
                        .any(|peer| match &peer.ip_block {
                            Some(b) => match block_set(b) {
                                Ok(bs) => !bs.intersect(set).is_empty(),
                                Err(reason) => {
                                    self.note(format!("{}: {reason}", p.meta.address));
                                    false
                                }
                            },
                            None => false,
                        });
                if matches {
                    let rc = self.rule_conns(pi, dir, ri, dst);
                    if let Some(h) = hits.as_deref_mut() {
                        if !rc.is_empty() {
                            h.push(self.hit(pi, dir, ri));
                        }
                    }
                    out = out.union(&rc);
                }
            }
        }
        Some(out)
    }

    /// What NetworkPolicies allow on the egress side of `src` towards `to`.
    pub fn egress(&self, src: &PodGroup<'a>, to: NpPeer<'_, 'a>) -> NpSide {
        self.side(src, Dir::Egress, to)
    }

    /// What NetworkPolicies allow on the ingress side of `dst` from `from`.
    pub fn ingress(&self, dst: &PodGroup<'a>, from: NpPeer<'_, 'a>) -> NpSide {
        self.side(dst, Dir::Ingress, from)
    }

    fn side(&self, g: &PodGroup<'a>, dir: Dir, peer: NpPeer<'_, 'a>) -> NpSide {
        let mut isolated = false;
        let mut conns = Conns::none();
        let mut rules = Vec::new();
        let mut policies = Vec::new();
        for &ci in &g.classes {
            let peer_classes: Vec<usize> = match peer {
                NpPeer::Group(pg) => pg.classes.clone(),
                NpPeer::Addresses(_) => vec![usize::MAX],
            };
            for pc in peer_classes {
                let r = match peer {
                    NpPeer::Group(_) => self.class_side(ci, dir, pc, Some(&mut rules)),
                    NpPeer::Addresses(set) => self.class_side_addr(ci, dir, set, Some(&mut rules)),
                };
                match r {
                    Some(c) => {
                        isolated = true;
                        conns = conns.union(&c);
                    }
                    None => conns = Conns::all(),
                }
            }
            if let Some(c) = self.classes.get(ci) {
                for &pi in self.isolating(c, dir) {
                    if let Some(p) = self.policies.get(pi) {
                        policies.push((p.meta.address.clone(), p.meta.loc.clone()));
                    }
                }
            }
        }
        if g.classes.is_empty() {
            conns = Conns::all();
        }
        rules.sort();
        rules.dedup();
        policies.sort();
        policies.dedup();
        let mut subjects: Vec<String> = policies.iter().map(|(a, _)| format!("{a}:")).collect();
        subjects.extend(g.members.iter().map(|w| format!("{}:", w.meta.address)));
        subjects.push(format!("pods of {} ", g.id));
        let unknowns = self
            .unknowns
            .borrow()
            .iter()
            .filter(|u| subjects.iter().any(|s| u.starts_with(s.as_str())))
            .cloned()
            .collect();
        NpSide {
            isolated,
            conns,
            rules,
            policies,
            unknowns,
        }
    }

    /// What policies allow for pods of `g` with each address of `domain`
    /// (egress towards it, or ingress from it), exactly per address.
    pub fn side_space(
        &self,
        g: &PodGroup<'a>,
        egress: bool,
        domain: &IpSet,
    ) -> crate::space::Space {
        let dir = if egress { Dir::Egress } else { Dir::Ingress };
        // One class: cache by what decides (its policies, its named ports).
        let key = match g.classes.as_slice() {
            [ci] => self.classes.get(*ci).map(|c| {
                use std::hash::{Hash, Hasher};
                let mut h = std::collections::hash_map::DefaultHasher::new();
                domain.hash(&mut h);
                (
                    self.isolating(c, dir).to_vec(),
                    egress,
                    if egress { Vec::new() } else { c.ports.clone() },
                    h.finish(),
                )
            }),
            _ => None,
        };
        if let Some(k) = &key {
            if let Some(sp) = self.space_cache.borrow().get(k) {
                return sp.clone();
            }
        }
        let sp = self.side_space_uncached(g, dir, domain);
        if let Some(k) = key {
            self.space_cache.borrow_mut().insert(k, sp.clone());
        }
        sp
    }

    fn side_space_uncached(
        &self,
        g: &PodGroup<'a>,
        dir: Dir,
        domain: &IpSet,
    ) -> crate::space::Space {
        let mut blocks = Vec::new();
        for &ci in &g.classes {
            let Some(c) = self.classes.get(ci) else {
                continue;
            };
            for &pi in self.isolating(c, dir) {
                for rule in self.rules(pi, dir) {
                    for peer in rule.peers.iter().flatten() {
                        if let Some(b) = &peer.ip_block {
                            if let Ok(set) = block_set(b) {
                                blocks.push(set);
                            }
                        }
                    }
                }
            }
        }
        blocks.sort();
        blocks.dedup();
        let mut out = crate::space::Space::empty();
        if g.classes.is_empty() {
            return crate::space::Space::uniform(domain, Conns::all());
        }
        for atom in atoms_of(&blocks) {
            let atom = atom.intersect(domain);
            if atom.is_empty() {
                continue;
            }
            let mut c = Conns::none();
            for &ci in &g.classes {
                c = c.union(
                    &self
                        .class_side_addr(ci, dir, &atom, None)
                        .unwrap_or_else(Conns::all),
                );
            }
            out.push(atom, c);
        }
        out.simplify()
    }

    /// A key equal for groups that every policy treats the same.
    pub fn class_key(&self, g: &PodGroup<'a>) -> String {
        format!("{:?}", g.classes)
    }

    /// Connections allowed from pods of `src` to pods of `dst`.
    pub fn pod_to_pod(&self, src: &PodGroup<'a>, dst: &PodGroup<'a>) -> Conns {
        self.egress(src, NpPeer::Group(dst))
            .conns
            .intersect(&self.ingress(dst, NpPeer::Group(src)).conns)
    }

    /// Every unknown noted so far.
    pub fn unknowns(&self) -> Vec<String> {
        self.unknowns.borrow().iter().cloned().collect()
    }

    /// Number of equivalence classes (for benchmarks and tests).
    pub fn class_count(&self) -> usize {
        self.classes.len()
    }

    /// The connectivity matrix, optionally limited to pods of one namespace
    /// (as source or destination).
    pub fn matrix(&self, namespace: Option<&str>) -> Matrix {
        let raw = self.connections(namespace);
        let mut entries = Vec::new();
        for (gs, gd, c) in &raw.pods {
            if let (Some(a), Some(b)) = (self.groups.get(*gs), self.groups.get(*gd)) {
                entries.push(MatrixEntry {
                    src: a.id.clone(),
                    dst: b.id.clone(),
                    conn: c.to_string(),
                });
            }
        }
        for (g, egress, set, c) in &raw.addresses {
            let Some(group) = self.groups.get(*g) else {
                continue;
            };
            for cidr in set.to_cidrs() {
                let (src, dst) = if *egress {
                    (group.id.clone(), cidr)
                } else {
                    (cidr, group.id.clone())
                };
                entries.push(MatrixEntry {
                    src,
                    dst,
                    conn: c.to_string(),
                });
            }
        }
        entries.sort();
        entries.dedup();
        Matrix {
            entries,
            unknowns: self.unknowns(),
        }
    }

    /// Every allowed connection, by group index: pod pairs, and address
    /// sets per group and direction (`true` = egress).
    pub fn connections(&self, namespace: Option<&str>) -> Connections {
        let n = self.classes.len();
        let in_scope =
            |ci: usize| namespace.is_none_or(|ns| self.classes.get(ci).is_some_and(|c| c.ns == ns));
        // Egress allowances of egress-isolated classes: what rules allow to
        // every class, plus sparse per-class additions.
        let mut egress_maps: Vec<Option<(Conns, HashMap<usize, Conns>)>> = Vec::with_capacity(n);
        for c in &self.classes {
            if c.egress.is_empty() {
                egress_maps.push(None);
                continue;
            }
            let mut to_all = Conns::none();
            let mut m: HashMap<usize, Conns> = HashMap::new();
            for &pi in &c.egress {
                for ri in 0..self.rules(pi, Dir::Egress).len() {
                    let set = self.peer_set(pi, Dir::Egress, ri);
                    if matches!(&*set, PeerSet::All)
                        && !self.rule_has_named_port(pi, Dir::Egress, ri)
                    {
                        to_all = to_all.union(&self.rule_conns(pi, Dir::Egress, ri, None));
                        continue;
                    }
                    let mut add = |d: usize| {
                        if let Some(dc) = self.classes.get(d) {
                            let rc = self.rule_conns(pi, Dir::Egress, ri, Some(dc));
                            if !rc.is_empty() {
                                let e = m.entry(d).or_default();
                                *e = e.union(&rc);
                            }
                        }
                    };
                    match &*set {
                        PeerSet::All => (0..n).for_each(&mut add),
                        PeerSet::Some(v) => v.iter().for_each(|&d| add(d as usize)),
                    }
                }
            }
            egress_maps.push(Some((to_all, m)));
        }
        let egress_of = |s: usize, d: usize| -> Option<Conns> {
            match egress_maps.get(s) {
                Some(Some((all, m))) => {
                    let c = match m.get(&d) {
                        Some(x) => x.union(all),
                        None => all.clone(),
                    };
                    (!c.is_empty()).then_some(c)
                }
                _ => Some(Conns::all()),
            }
        };

        let mut pairs: BTreeMap<(usize, usize), Conns> = BTreeMap::new();
        let mut emit = |cs: usize, cd: usize, conns: Conns| {
            let (Some(a), Some(b)) = (self.classes.get(cs), self.classes.get(cd)) else {
                return;
            };
            for &gs in &a.groups {
                for &gd in &b.groups {
                    if gs != gd {
                        let e = pairs.entry((gs, gd)).or_default();
                        *e = e.union(&conns);
                    }
                }
            }
        };
        let mut scratch: Vec<Option<Conns>> = vec![None; n];
        let mut touched: Vec<usize> = Vec::new();
        for (cd, c) in self.classes.iter().enumerate() {
            if c.ingress.is_empty() {
                for cs in 0..n {
                    if !(in_scope(cs) || in_scope(cd)) {
                        continue;
                    }
                    if let Some(e) = egress_of(cs, cd) {
                        emit(cs, cd, e);
                    }
                }
                continue;
            }
            for &pi in &c.ingress {
                for ri in 0..self.rules(pi, Dir::Ingress).len() {
                    let rc = self.rule_conns(pi, Dir::Ingress, ri, Some(c));
                    if rc.is_empty() {
                        continue;
                    }
                    let set = self.peer_set(pi, Dir::Ingress, ri);
                    let mut add = |s: usize| {
                        if let Some(slot) = scratch.get_mut(s) {
                            match slot {
                                Some(x) => *x = x.union(&rc),
                                None => {
                                    *slot = Some(rc.clone());
                                    touched.push(s);
                                }
                            }
                        }
                    };
                    match &*set {
                        PeerSet::All => (0..n).for_each(&mut add),
                        PeerSet::Some(v) => v.iter().for_each(|&s| add(s as usize)),
                    }
                }
            }
            for s in touched.drain(..) {
                let Some(ing) = scratch.get_mut(s).and_then(Option::take) else {
                    continue;
                };
                if !(in_scope(s) || in_scope(cd)) {
                    continue;
                }
                if let Some(e) = egress_of(s, cd) {
                    let both = e.intersect(&ing);
                    if !both.is_empty() {
                        emit(s, cd, both);
                    }
                }
            }
        }

        let pods: Vec<(usize, usize, Conns)> = pairs
            .into_iter()
            .filter(|(_, c)| !c.is_empty())
            .map(|((a, b), c)| (a, b, c))
            .collect();

        // Addresses: per class, the atoms of its own policies' ipBlocks.
        let mut cache: HashMap<(Vec<usize>, Dir, NamedPorts), Rc<AddrConns>> = HashMap::new();
        let mut per_group: BTreeMap<(usize, Dir), Vec<Rc<AddrConns>>> = BTreeMap::new();
        for (ci, c) in self.classes.iter().enumerate() {
            if !in_scope(ci) {
                continue;
            }
            for dir in [Dir::Egress, Dir::Ingress] {
                let pols = self.isolating(c, dir).to_vec();
                let ports = if dir == Dir::Ingress {
                    c.ports.clone()
                } else {
                    Vec::new()
                };
                let key = (pols.clone(), dir, ports);
                let res = match cache.get(&key) {
                    Some(r) => r.clone(),
                    None => {
                        let r = Rc::new(self.address_side(ci, dir, &pols));
                        cache.insert(key, r.clone());
                        r
                    }
                };
                for &g in &c.groups {
                    per_group.entry((g, dir)).or_default().push(res.clone());
                }
            }
        }
        let mut addresses = Vec::new();
        for ((g, dir), list) in per_group {
            let merged = match list.as_slice() {
                [one] => one.to_vec(),
                _ => merge_spaces(list.iter().flat_map(|l| l.iter().cloned()).collect()),
            };
            for (set, c) in merged {
                addresses.push((g, dir == Dir::Egress, set, c));
            }
        }
        Connections { pods, addresses }
    }

    /// `(addresses, conns)` a class with isolating policies `pols` allows in
    /// `dir` with addresses outside the pod network, grouped by conns.
    fn address_side(&self, ci: usize, dir: Dir, pols: &[usize]) -> Vec<(IpSet, Conns)> {
        if pols.is_empty() {
            return vec![(IpSet::all(), Conns::all())];
        }
        let mut blocks: Vec<IpSet> = Vec::new();
        for &pi in pols {
            for rule in self.rules(pi, dir) {
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
        let atoms = atoms_of(&blocks);
        let mut by_conns: BTreeMap<Conns, IpSet> = BTreeMap::new();
        for atom in atoms {
            let c = self
                .class_side_addr(ci, dir, &atom, None)
                .unwrap_or_else(Conns::all);
            if !c.is_empty() {
                let e = by_conns.entry(c).or_default();
                *e = e.union(&atom);
            }
        }
        by_conns.into_iter().map(|(c, s)| (s, c)).collect()
    }

    /// Finds a pod group by `NAMESPACE/NAME`, `NAMESPACE/NAME[KIND]` or
    /// `Kind/NAMESPACE/NAME`.
    pub fn group(&self, key: &str) -> Option<&PodGroup<'a>> {
        self.groups.iter().find(|g| {
            g.id == key
                || g.id.split('[').next() == Some(key)
                || g.address() == key
                || g.members.iter().any(|w| w.meta.address == key)
        })
    }
}

/// The regions of the address space on which every set in `blocks` is
/// either wholly in or wholly out.
pub(crate) fn atoms_of(blocks: &[IpSet]) -> Vec<IpSet> {
    let mut atoms = vec![IpSet::all()];
    for b in blocks {
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

/// Union of possibly overlapping `(addresses, conns)` lists, as disjoint
/// address sets grouped by conns.
fn merge_spaces(list: Vec<(IpSet, Conns)>) -> Vec<(IpSet, Conns)> {
    let sets: Vec<IpSet> = list.iter().map(|(s, _)| s.clone()).collect();
    let mut by_conns: BTreeMap<Conns, IpSet> = BTreeMap::new();
    for atom in atoms_of(&sets) {
        let mut c = Conns::none();
        for (s, cc) in &list {
            if atom.is_subset(s) {
                c = c.union(cc);
            }
        }
        if !c.is_empty() {
            let e = by_conns.entry(c).or_default();
            *e = e.union(&atom);
        }
    }
    by_conns.into_iter().map(|(c, s)| (s, c)).collect()
}

/// The addresses an ipBlock matches: its CIDR minus its exceptions.
pub(crate) fn block_set(block: &palisade_model::k8s::IpBlock) -> Result<IpSet, String> {
    let cidr = block.cidr.get().ok_or("an ipBlock CIDR is unknown")?;
    let mut set = IpSet::cidr(cidr).map_err(|e| e.to_string())?;
    for ex in &block.except {
        let text = ex.get().ok_or("an ipBlock exception is unknown")?;
        set = set.subtract(&IpSet::cidr(text).map_err(|e| e.to_string())?);
    }
    Ok(set)
}
