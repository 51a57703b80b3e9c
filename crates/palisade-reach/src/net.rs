//! The AWS network as palisade sees it: where each endpoint sits (subnets,
//! addresses), which security groups it carries, and how each defense layer
//! decides (route tables, network ACLs, security groups, public addresses).
//!
//! Semantics, as AWS documents them:
//! - **Routes**: the route table of a subnet is its explicit association,
//!   else the VPC's main table; the most specific route wins; the `local`
//!   route covers the VPC CIDR; routes to an internet gateway work only for
//!   interfaces with a public address (and back only if the destination's
//!   subnet routes the reply to the internet gateway); NAT gateways carry
//!   only flows initiated from inside; peering needs a route on both sides;
//!   routes with unknown destinations or targets make the answer unknown;
//!   a `blackhole` target drops.
//! - **Network ACLs**: stateless, rules in ascending number order, the first
//!   match decides, implicit deny at the end; they apply only when traffic
//!   crosses a subnet boundary, in both directions, so a flow also needs its
//!   return traffic allowed (to the client's ephemeral ports, 1024-65535).
//!   A subnet without an ACL in the input has its VPC's default ACL, which
//!   AWS creates allowing everything; `aws_default_network_acl` and
//!   `aws_network_acl` have exactly the rules written.
//! - **Security groups**: stateful (replies always pass), allow-only, the
//!   union of every group on the interface. A rule matches a peer by CIDR
//!   (`0.0.0.0/0` and `::/0` are separate families), by security group (the
//!   peer interface carries that group; never traffic arriving through NAT
//!   or a load balancer, whose own interfaces are the peer), by `self`, or by
//!   prefix list (AWS's `com.amazonaws.global.cloudfront.origin-facing`
//!   means "CloudFront only"). Security groups declared with Terraform have
//!   exactly the rules written (Terraform removes AWS's default egress rule).

use crate::conns::{Conns, Protocol};
use crate::interval::IntervalSet;
use crate::ip::IpSet;
use crate::netpol::{Cluster, NpPeer};
use crate::space::Space;
use palisade_model::aws::{
    Aws, Lookup, NaclRule, NetworkAcl, Route, RouteTable, RouteTarget, SecurityGroup, SgRule,
    Subnet,
};
use palisade_model::k8s::SecurityGroupPolicy;
use palisade_model::{Location, Meta, Model, Ref, Val};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The CloudFront origin-facing managed prefix list.
pub const CLOUDFRONT_PREFIX_LIST: &str = "com.amazonaws.global.cloudfront.origin-facing";

/// Addresses that are never on the public internet.
pub fn non_public() -> IpSet {
    [
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "224.0.0.0/3",
        "::/3",
        "4000::/2",
        "8000::/1",
    ]
    .iter()
    .filter_map(|c| IpSet::cidr(c).ok())
    .fold(IpSet::empty(), |a, b| a.union(&b))
}

/// Every IPv4 address.
pub fn v4_all() -> IpSet {
    IpSet::cidr("0.0.0.0/0").unwrap_or_default()
}

/// Every public (internet) address.
pub fn public_internet() -> IpSet {
    IpSet::all().subtract(&non_public())
}

/// Public IPv4 addresses: where AWS services and CloudFront's
/// origin-facing servers are, exact addresses unknown.
pub fn public_v4() -> IpSet {
    let p = public_internet();
    IpSet {
        v4: p.v4,
        v6: crate::interval::IntervalSet::empty(),
    }
}

/// The ephemeral ports a client's replies go to.
pub fn ephemeral() -> IntervalSet<u16> {
    IntervalSet::range(1024, 65535)
}

/// Yes / no / unknown, with why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Tri {
    Yes(String),
    No(String),
    Unknown(String),
}

impl Tri {
    pub fn is_yes(&self) -> bool {
        matches!(self, Tri::Yes(_))
    }
    pub fn why(&self) -> &str {
        match self {
            Tri::Yes(w) | Tri::No(w) | Tri::Unknown(w) => w,
        }
    }
}

/// What kind of endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EndKind {
    Internet,
    Cidr,
    CloudFront,
    LoadBalancer {
        network: bool,
    },
    Pods,
    Nodes,
    Instance,
    Lambda,
    /// An interface VPC endpoint (PrivateLink), with its service name.
    InterfaceEndpoint {
        service: String,
    },
    Rds,
    S3Bucket,
    Secret,
}

impl EndKind {
    /// Runs code that can open new connections (a pivot when compromised).
    pub fn is_compute(&self) -> bool {
        matches!(
            self,
            EndKind::Pods | EndKind::Nodes | EndKind::Instance | EndKind::Lambda
        )
    }
    /// Forwards traffic it receives (CloudFront, load balancers, endpoints).
    pub fn is_proxy(&self) -> bool {
        matches!(
            self,
            EndKind::CloudFront | EndKind::LoadBalancer { .. } | EndKind::InterfaceEndpoint { .. }
        )
    }
    pub fn is_data_store(&self) -> bool {
        matches!(self, EndKind::Rds | EndKind::S3Bucket | EndKind::Secret)
    }
    pub fn label(&self) -> &'static str {
        match self {
            EndKind::Internet => "internet",
            EndKind::Cidr => "addresses",
            EndKind::CloudFront => "CloudFront",
            EndKind::LoadBalancer { network: false } => "load balancer",
            EndKind::LoadBalancer { network: true } => "network load balancer",
            EndKind::Pods => "pods",
            EndKind::Nodes => "EKS nodes",
            EndKind::Instance => "EC2 instance",
            EndKind::Lambda => "Lambda",
            EndKind::InterfaceEndpoint { .. } => "interface endpoint",
            EndKind::Rds => "RDS",
            EndKind::S3Bucket => "S3 bucket",
            EndKind::Secret => "Secrets Manager",
        }
    }
}

/// Where an endpoint's interfaces are.
#[derive(Clone, Debug)]
pub enum Places {
    /// Subnets (indexes into `Aws::subnets`).
    Subnets(Vec<usize>),
    /// Outside every VPC: these addresses (`opaque` when the endpoint has
    /// some, unknown, addresses of the set rather than any of them).
    External {
        addrs: IpSet,
        opaque: bool,
    },
    Unknown(String),
}

/// The security groups on an endpoint's interfaces.
#[derive(Clone, Debug)]
pub enum Sgs {
    /// No security group applies (NLB without groups, outside the VPC).
    NotApplicable,
    /// Groups in the model (indexes into `Aws::security_groups`) and links
    /// that point outside it.
    Known {
        groups: Vec<usize>,
        missing: Vec<String>,
        /// Where the list was decided (a SecurityGroupPolicy, a node group).
        source: String,
    },
    Unknown(String),
}

/// A network endpoint: one thing traffic starts or ends at.
#[derive(Clone, Debug)]
pub struct End {
    /// What users call it: `internet`, `aws_db_instance.main`,
    /// `Deployment/prod/api`, a CIDR.
    pub id: String,
    pub kind: EndKind,
    pub loc: Option<Location>,
    pub places: Places,
    pub sgs: Sgs,
    /// A public address (or an internet-facing load balancer).
    pub public: Tri,
    /// What the endpoint listens on (`None`: anything).
    pub listen: Option<(Conns, String)>,
    /// Pod group index in the cluster.
    pub group: Option<usize>,
    /// WAF web ACL attached (CloudFront, ALB).
    pub waf: Option<(String, Option<Location>)>,
    /// Further endpoints this one forwards to (CloudFront origins, an
    /// interface endpoint's service), by end index, filled after building.
    pub forwards: Vec<usize>,
    /// Notes on how it was placed.
    pub notes: Vec<String>,
    /// Hash of everything a hop from this end depends on (ends with the
    /// same profile are evaluated once).
    pub profile: u64,
    /// Only these addresses of its subnets (a CIDR given by the user).
    pub only: Option<IpSet>,
}

/// A security group rule's connections and CIDRs, parsed once.
pub(crate) type ParsedSgRule = (Result<Conns, String>, Vec<(String, Result<IpSet, String>)>);

/// Profiles of a pod group for hops with non-pod peers: what such a hop
/// depends on is the placement, the security groups and the *content* of
/// the NetworkPolicy decisions towards addresses (not which policies).
#[derive(Clone, Copy, Debug, Default)]
pub struct PodProfiles {
    pub egress: u64,
    pub ingress: u64,
}

/// A route table resolved for a subnet.
#[derive(Clone, Debug)]
pub struct RouteView {
    pub table: Option<String>,
    pub loc: Option<Location>,
    /// `(destination, prefix length, target, route)`; the local route first.
    pub routes: Vec<(IpSet, u32, Via, Option<Meta>)>,
    /// Why some routes could not be placed.
    pub unknown: Vec<String>,
}

/// The route chosen for some destinations (`None`: no route), with the
/// route that decided.
pub type RouteDecision = Option<(Via, Option<Meta>)>;

/// Where a route sends traffic.
#[derive(Clone, Debug, PartialEq)]
pub enum Via {
    Local,
    InternetGateway(String),
    EgressOnly(String),
    Nat(usize),
    Peering(usize),
    Endpoint(usize),
    Blackhole,
    /// A target beyond the model (transit gateway, VPN, interface).
    Beyond(String),
    Unknown(String),
}

/// A subnet with what every layer needs.
#[derive(Clone, Debug)]
pub struct SubnetInfo {
    pub address: String,
    pub cidr: Result<IpSet, String>,
    pub vpc: Option<usize>,
    pub route: RouteView,
    pub nacl: NaclView,
    pub public_on_launch: Val<bool>,
}

/// The network ACL of a subnet, rules sorted.
#[derive(Clone, Debug)]
pub struct NaclView {
    pub name: String,
    pub loc: Option<Location>,
    pub ingress: Vec<NaclEntry>,
    pub egress: Vec<NaclEntry>,
    /// The ACL itself is assumed (not in the input).
    pub assumed: Option<String>,
    pub unknown: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct NaclEntry {
    pub number: i64,
    pub allow: Option<bool>,
    pub cidr: Option<IpSet>,
    pub conns: Option<Conns>,
    pub what: String,
    pub loc: Option<Location>,
}

/// The network: endpoints and the resolved layers.
pub struct Net<'m> {
    pub model: &'m Model,
    pub aws: &'m Aws,
    pub cluster: Cluster<'m>,
    pub ends: Vec<End>,
    pub subnets: Vec<SubnetInfo>,
    pub vpc_cidrs: Vec<(String, Result<IpSet, String>)>,
    /// Public internet addresses (minus every VPC CIDR).
    pub internet: IpSet,
    sg_index: HashMap<String, usize>,
    subnet_index: HashMap<String, usize>,
    vpc_index: HashMap<String, usize>,
    /// Prefix list links bound to their names.
    prefix_names: HashMap<String, String>,
    /// Per end: profiles for hops with non-pod peers (pods only).
    pub pod_profiles: Vec<Option<PodProfiles>>,
    /// Whether hops record the rules that decided (off for summaries).
    pub detailed: std::cell::Cell<bool>,
    /// What each subnet's ACL lets through from everyone, per direction.
    pub(crate) nacl_open: std::cell::RefCell<HashMap<(usize, bool, Conns), Conns>>,
    /// Per security group rule (model order): its connections and its
    /// CIDRs, parsed once.
    pub(crate) sg_rule_parsed: Vec<ParsedSgRule>,
    /// Rules of each security group (by index).
    sg_rule_index: Vec<Vec<usize>>,
    /// Keys of every resource of the model (for prefix list names).
    all_keys: HashMap<String, Vec<String>>,
    pub notes: Vec<String>,
}

/// A stable hash (for endpoint profiles).
pub fn h64_pub(parts: &[&str]) -> u64 {
    h64(parts)
}

fn h64(parts: &[&str]) -> u64 {
    // FNV-1a: stable across runs.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn keys_of(meta: &Meta) -> impl Iterator<Item = &str> {
    std::iter::once(meta.address.as_str()).chain(meta.keys.iter().map(String::as_str))
}

fn prefix_len(cidr: &str) -> Option<u32> {
    let t = cidr.trim();
    match t.split_once('/') {
        Some((_, l)) => l.parse().ok(),
        None => Some(if t.contains(':') { 128 } else { 32 }),
    }
}

/// Default port of a database engine.
pub fn engine_port(engine: &str) -> Option<u16> {
    let e = engine.to_ascii_lowercase();
    if e.contains("postgres") {
        Some(5432)
    } else if e.contains("mysql") || e.contains("mariadb") {
        Some(3306)
    } else if e.contains("sqlserver") {
        Some(1433)
    } else if e.contains("oracle") {
        Some(1521)
    } else if e.contains("db2") {
        Some(50000)
    } else {
        None
    }
}

/// Connections of a protocol given as AWS writes it, with a port range.
pub fn proto_conns(protocol: &str, from: Option<i64>, to: Option<i64>) -> Result<Conns, String> {
    let p = protocol.trim().to_ascii_lowercase();
    let ports = || -> IntervalSet<u16> {
        match (from, to) {
            (Some(f), Some(t)) => {
                let lo = u16::try_from(f.clamp(0, 65535)).unwrap_or(0);
                let hi = u16::try_from(t.clamp(0, 65535)).unwrap_or(u16::MAX);
                if f < 0 || t < 0 {
                    IntervalSet::full()
                } else {
                    IntervalSet::range(lo, hi)
                }
            }
            (Some(f), None) | (None, Some(f)) => {
                if f < 0 {
                    IntervalSet::full()
                } else {
                    IntervalSet::single(u16::try_from(f.clamp(0, 65535)).unwrap_or(0))
                }
            }
            (None, None) => IntervalSet::full(),
        }
    };
    match p.as_str() {
        "-1" | "all" => Ok(Conns::all()),
        "tcp" | "6" => Ok(Conns::ports(Protocol::Tcp, ports())),
        "udp" | "17" => Ok(Conns::ports(Protocol::Udp, ports())),
        "sctp" | "132" => Ok(Conns::ports(Protocol::Sctp, ports())),
        "icmp" | "1" | "icmpv6" | "58" => Ok(Conns {
            other: true,
            ..Conns::none()
        }),
        other if other.parse::<u8>().is_ok() => Ok(Conns {
            other: true,
            ..Conns::none()
        }),
        other => Err(format!("protocol `{other}` is not understood")),
    }
}

/// A security group rule's connections; `Err` when unknown.
pub fn sg_rule_conns(rule: &SgRule) -> Result<Conns, String> {
    let proto = rule
        .protocol
        .get()
        .ok_or_else(|| format!("protocol of `{}` is unknown", rule.meta.address))?;
    let all = matches!(proto.to_ascii_lowercase().as_str(), "-1" | "all");
    if all {
        return Ok(Conns::all());
    }
    let from = rule
        .from_port
        .get()
        .ok_or_else(|| format!("from_port of `{}` is unknown", rule.meta.address))?;
    let to = rule
        .to_port
        .get()
        .ok_or_else(|| format!("to_port of `{}` is unknown", rule.meta.address))?;
    proto_conns(proto, *from, *to)
}

/// What a prefix list stands for.
#[derive(Clone, Debug, PartialEq)]
pub enum PrefixList {
    CloudFront,
    /// An AWS service's addresses (`s3`, `dynamodb`).
    Service(String),
    Unknown(String),
}

impl<'m> Net<'m> {
    /// Builds the network of `model` (with the cluster's pods placed on the
    /// nodes' subnets, as the VPC CNI does).
    pub fn new(model: &'m Model) -> Net<'m> {
        Net::with_bindings(model, &[])
    }

    /// Like [`Net::new`], with identifiers bound to resources of the model
    /// (see [`crate::bind`]). Bindings that name nothing are listed in `notes`.
    pub fn with_bindings(model: &'m Model, bindings: &[(String, String)]) -> Net<'m> {
        let aws = &model.aws;
        let mut net = Net {
            model,
            aws,
            cluster: Cluster::new(&model.k8s),
            ends: Vec::new(),
            subnets: Vec::new(),
            vpc_cidrs: Vec::new(),
            internet: public_internet(),
            sg_index: HashMap::new(),
            subnet_index: HashMap::new(),
            vpc_index: HashMap::new(),
            prefix_names: HashMap::new(),
            sg_rule_index: vec![Vec::new(); aws.security_groups.len()],
            sg_rule_parsed: aws
                .sg_rules
                .iter()
                .map(|r| {
                    let cidrs = [&r.cidrs_v4, &r.cidrs_v6]
                        .into_iter()
                        .filter_map(|v| v.get())
                        .flatten()
                        .map(|c| (c.clone(), IpSet::cidr(c).map_err(|e| e.to_string())))
                        .collect();
                    (sg_rule_conns(r), cidrs)
                })
                .collect(),
            pod_profiles: Vec::new(),
            detailed: std::cell::Cell::new(true),
            nacl_open: std::cell::RefCell::new(HashMap::new()),
            all_keys: HashMap::new(),
            notes: Vec::new(),
        };
        for (i, sg) in aws.security_groups.iter().enumerate() {
            for k in keys_of(&sg.meta) {
                net.sg_index.entry(k.to_string()).or_insert(i);
            }
        }
        for (i, v) in aws.vpcs.iter().enumerate() {
            for k in keys_of(&v.meta) {
                net.vpc_index.entry(k.to_string()).or_insert(i);
            }
            let cidr = match &v.cidr {
                Val::Unknown { reason, .. } => {
                    Err(format!("CIDR of `{}` is unknown: {reason}", v.meta.address))
                }
                _ => match v.cidr.some() {
                    Some(c) => IpSet::cidr(c).map_err(|e| e.to_string()),
                    None => Err(format!("`{}` has no CIDR", v.meta.address)),
                },
            };
            if let Ok(c) = &cidr {
                net.internet = net.internet.subtract(c);
            }
            net.vpc_cidrs.push((v.meta.address.clone(), cidr));
        }
        for (i, s) in aws.subnets.iter().enumerate() {
            for k in keys_of(&s.meta) {
                net.subnet_index.entry(k.to_string()).or_insert(i);
            }
        }
        for (key, target) in bindings {
            let mut used = false;
            if let Some(&i) = net.sg_index.get(target.as_str()) {
                net.sg_index.insert(key.clone(), i);
                used = true;
            }
            if let Some(&i) = net.subnet_index.get(target.as_str()) {
                net.subnet_index.insert(key.clone(), i);
                used = true;
            }
            if let Some(&i) = net.vpc_index.get(target.as_str()) {
                net.vpc_index.insert(key.clone(), i);
                used = true;
            }
            if target.starts_with("com.amazonaws.") {
                net.prefix_names.insert(key.clone(), target.clone());
                used = true;
            }
            if !used && !key.starts_with("arn:") {
                net.notes.push(format!("binding `{key}` → `{target}`: no security group, subnet or VPC of the input is `{target}`"));
            }
        }
        for (ri, rule) in aws.sg_rules.iter().enumerate() {
            if let Some(gi) = rule
                .group
                .get()
                .and_then(|r| net.sg_index.get(r.key()).copied())
            {
                if let Some(v) = net.sg_rule_index.get_mut(gi) {
                    v.push(ri);
                }
            }
        }
        for (_, m) in aws.metas() {
            if m.keys.is_empty() {
                continue;
            }
            let all: Vec<String> = keys_of(m).map(str::to_string).collect();
            for k in &all {
                net.all_keys
                    .entry(k.clone())
                    .or_default()
                    .extend(all.iter().cloned());
            }
        }
        let infos: Vec<SubnetInfo> = aws.subnets.iter().map(|s| net.subnet_info(s)).collect();
        net.subnets = infos;
        net.build_ends();
        // Pods take addresses from the nodes' subnets (VPC CNI).
        let mut pod_net = IpSet::empty();
        let mut known = false;
        for e in net.ends.iter().filter(|e| e.kind == EndKind::Nodes) {
            if let Places::Subnets(v) = &e.places {
                for &s in v {
                    if let Some(Ok(c)) = net.subnets.get(s).map(|s| &s.cidr) {
                        pod_net = pod_net.union(c);
                        known = true;
                    }
                }
            }
        }
        if known {
            let cluster = std::mem::replace(&mut net.cluster, Cluster::new(&model.k8s));
            net.cluster = cluster.with_pod_network(pod_net);
        }
        net.compute_pod_profiles();
        net
    }

    fn compute_pod_profiles(&mut self) {
        let all = IpSet::all();
        let mut out = Vec::with_capacity(self.ends.len());
        for e in &self.ends {
            let Some(g) = e.group.and_then(|g| self.cluster.groups.get(g)) else {
                out.push(None);
                continue;
            };
            let base = format!("{:?}|{:?}|{:?}|{:?}", e.kind, e.places, e.sgs, e.public);
            let sig = |egress: bool| {
                let side = if egress {
                    self.cluster.egress(g, NpPeer::Addresses(&all))
                } else {
                    self.cluster.ingress(g, NpPeer::Addresses(&all))
                };
                let space = self.cluster.side_space(g, egress, &all).normalized();
                h64(&[
                    &base,
                    if egress { "out" } else { "in" },
                    &format!(
                        "{}|{space:?}|{:?}|{}",
                        side.isolated, side.unknowns, g.host_network
                    ),
                ])
            };
            out.push(Some(PodProfiles {
                egress: sig(true),
                ingress: sig(false),
            }));
        }
        self.pod_profiles = out;
    }

    /// The model object an endpoint stands for (a workload's first object
    /// for pods), for reporting.
    pub fn meta_of(&self, end: usize) -> Option<&'m Meta> {
        let e = self.ends.get(end)?;
        if let Some(g) = e.group {
            return self.cluster.groups.get(g).map(|g| &g.workload.meta);
        }
        self.aws
            .metas()
            .into_iter()
            .map(|(_, m)| m)
            .find(|m| m.address == e.id)
    }

    /// Resolves a security group link.
    pub fn sg(&self, r: &Ref) -> Option<usize> {
        self.sg_index.get(r.key()).copied()
    }

    pub fn subnet(&self, r: &Ref) -> Option<usize> {
        self.subnet_index.get(r.key()).copied()
    }

    pub fn vpc(&self, r: &Ref) -> Option<usize> {
        self.vpc_index.get(r.key()).copied()
    }

    /// Finds an endpoint by id (exact, then case-insensitive, then as the
    /// address of a pod group member).
    pub fn find(&self, key: &str) -> Option<usize> {
        if let Some(i) = self.ends.iter().position(|e| e.id == key) {
            return Some(i);
        }
        if let Some(i) = self
            .ends
            .iter()
            .position(|e| e.id.eq_ignore_ascii_case(key))
        {
            return Some(i);
        }
        if let Some(g) = self.cluster.group(key) {
            let gi = self
                .cluster
                .groups
                .iter()
                .position(|x| std::ptr::eq(x, g))?;
            return self.ends.iter().position(|e| e.group == Some(gi));
        }
        None
    }

    fn subnet_info(&self, s: &Subnet) -> SubnetInfo {
        let cidr = match &s.cidr {
            Val::Unknown { reason, .. } => {
                Err(format!("CIDR of `{}` is unknown: {reason}", s.meta.address))
            }
            _ => match s.cidr.some() {
                Some(c) => IpSet::cidr(c).map_err(|e| e.to_string()),
                None => Err(format!("`{}` has no IPv4 CIDR", s.meta.address)),
            },
        };
        let cidr = match (cidr, s.ipv6_cidr.some().map(|c| IpSet::cidr(c))) {
            (Ok(a), Some(Ok(b))) => Ok(a.union(&b)),
            (c, _) => c,
        };
        let vpc = s.vpc.get().and_then(|r| self.vpc(r));
        SubnetInfo {
            address: s.meta.address.clone(),
            cidr,
            vpc,
            route: self.route_view(s, vpc),
            nacl: self.nacl_view(s),
            public_on_launch: s.map_public_ip_on_launch.clone(),
        }
    }

    fn route_view(&self, s: &Subnet, vpc: Option<usize>) -> RouteView {
        let aws = self.aws;
        let mut view = RouteView {
            table: None,
            loc: None,
            routes: Vec::new(),
            unknown: Vec::new(),
        };
        match vpc.and_then(|v| self.vpc_cidrs.get(v)) {
            Some((_, Ok(c))) => {
                let len = aws
                    .vpcs
                    .get(vpc.unwrap_or(0))
                    .and_then(|v| v.cidr.some())
                    .and_then(|c| prefix_len(c))
                    .unwrap_or(16);
                view.routes.push((c.clone(), len, Via::Local, None));
            }
            Some((_, Err(reason))) => view.unknown.push(reason.clone()),
            None => view.unknown.push(format!(
                "the VPC of `{}` is not in the input: its local route is unknown",
                s.meta.address
            )),
        }
        let rt: Option<&RouteTable> = match aws.route_table_of_subnet(s) {
            Lookup::Found(rt) => Some(rt),
            Lookup::ImplicitMain => None,
            Lookup::Outside(r) | Lookup::Unknown(r) => {
                view.unknown.push(r);
                return view;
            }
        };
        let Some(rt) = rt else {
            view.table = Some("the VPC's main route table (local route only)".into());
            return view;
        };
        view.table = Some(rt.meta.address.clone());
        view.loc = Some(rt.meta.loc.clone());
        for route in aws.routes_of(rt) {
            self.add_route(&mut view, route);
        }
        // Gateway endpoints add routes to their service's prefix list.
        for (i, ep) in aws.vpc_endpoints.iter().enumerate() {
            let is_gateway = ep
                .endpoint_type
                .get()
                .is_some_and(|t| t.eq_ignore_ascii_case("gateway"));
            if is_gateway
                && ep
                    .route_tables
                    .get()
                    .is_some_and(|l| l.iter().any(|r| aws.refers_to(r, &rt.meta)))
            {
                view.routes
                    .push((IpSet::empty(), 0, Via::Endpoint(i), Some(ep.meta.clone())));
            }
        }
        view
    }

    fn add_route(&self, view: &mut RouteView, route: &Route) {
        let aws = self.aws;
        let via = match route.target.get() {
            None => Via::Unknown(format!(
                "target of route `{}` is unknown",
                route.meta.address
            )),
            Some(RouteTarget::Local) => Via::Local,
            Some(RouteTarget::InternetGateway(r)) => Via::InternetGateway(r.key().to_string()),
            Some(RouteTarget::EgressOnlyInternetGateway(r)) => Via::EgressOnly(r.key().to_string()),
            Some(RouteTarget::NatGateway(r)) => {
                match aws
                    .nat_gateways
                    .iter()
                    .position(|n| aws.refers_to(r, &n.meta))
                {
                    Some(i) => Via::Nat(i),
                    None => Via::Unknown(format!(
                        "NAT gateway `{}` of route `{}` is not in the input",
                        r.key(),
                        route.meta.address
                    )),
                }
            }
            Some(RouteTarget::VpcPeering(r)) => {
                match aws
                    .vpc_peerings
                    .iter()
                    .position(|p| aws.refers_to(r, &p.meta))
                {
                    Some(i) => Via::Peering(i),
                    None => Via::Unknown(format!(
                        "peering `{}` of route `{}` is not in the input",
                        r.key(),
                        route.meta.address
                    )),
                }
            }
            Some(RouteTarget::VpcEndpoint(r)) => {
                match aws
                    .vpc_endpoints
                    .iter()
                    .position(|p| aws.refers_to(r, &p.meta))
                {
                    Some(i) => Via::Endpoint(i),
                    None => Via::Beyond(format!("endpoint `{}`", r.key())),
                }
            }
            Some(RouteTarget::TransitGateway(r)) => {
                Via::Beyond(format!("transit gateway `{}`", r.key()))
            }
            Some(RouteTarget::NetworkInterface(r)) => {
                Via::Beyond(format!("network interface `{}`", r.key()))
            }
            Some(RouteTarget::VirtualPrivateGateway(r)) => {
                Via::Beyond(format!("VPN gateway `{}`", r.key()))
            }
            Some(RouteTarget::Other(s)) if s.to_ascii_lowercase().contains("blackhole") => {
                Via::Blackhole
            }
            Some(RouteTarget::Other(s)) => Via::Beyond(s.clone()),
        };
        let mut placed = false;
        for dest in [&route.destination_v4, &route.destination_v6] {
            match dest {
                Val::Unknown { reason, .. } => view.unknown.push(format!(
                    "destination of route `{}` is unknown: {reason}",
                    route.meta.address
                )),
                _ => {
                    if let Some(c) = dest.some() {
                        match (IpSet::cidr(c), prefix_len(c)) {
                            (Ok(set), Some(len)) => {
                                view.routes
                                    .push((set, len, via.clone(), Some(route.meta.clone())));
                                placed = true;
                            }
                            _ => view.unknown.push(format!(
                                "destination `{c}` of route `{}` is not a CIDR",
                                route.meta.address
                            )),
                        }
                    }
                }
            }
        }
        match &route.destination_prefix_list {
            Val::Unknown { reason, .. } => view.unknown.push(format!(
                "prefix list of route `{}` is unknown: {reason}",
                route.meta.address
            )),
            v => {
                if let Some(pl) = v.some() {
                    view.unknown.push(format!(
                        "route `{}` sends prefix list `{}` (entries not in the input) to {}",
                        route.meta.address,
                        pl.key(),
                        via_text(self, &via)
                    ));
                    placed = true;
                }
            }
        }
        let _ = placed;
    }

    /// The route decision for destinations `dest` from a subnet: disjoint
    /// parts with their target (`None`: no route).
    pub fn lookup(&self, subnet: usize, dest: &IpSet) -> Vec<(IpSet, RouteDecision)> {
        let Some(info) = self.subnets.get(subnet) else {
            return vec![(dest.clone(), None)];
        };
        let mut routes: Vec<&(IpSet, u32, Via, Option<Meta>)> = info
            .route
            .routes
            .iter()
            .filter(|(s, _, _, _)| !s.is_empty())
            .collect();
        // Most specific first; the local route before others of its length.
        routes.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then((a.2 != Via::Local).cmp(&(b.2 != Via::Local)))
        });
        let mut remaining = dest.clone();
        let mut out = Vec::new();
        for (set, _, via, meta) in routes {
            if remaining.is_empty() {
                break;
            }
            let part = remaining.intersect(set);
            if part.is_empty() {
                continue;
            }
            remaining = remaining.subtract(&part);
            out.push((part, Some((via.clone(), meta.clone()))));
        }
        if !remaining.is_empty() {
            out.push((remaining, None));
        }
        out
    }

    fn nacl_view(&self, s: &Subnet) -> NaclView {
        let aws = self.aws;
        let acls: Vec<&NetworkAcl> = aws.nacls_of_subnet(s);
        let Some(acl) = acls.first().copied() else {
            return NaclView {
                name: "the VPC's default network ACL".into(),
                loc: None,
                ingress: vec![allow_all_entry("default rule 100 (allow all)")],
                egress: vec![allow_all_entry("default rule 100 (allow all)")],
                assumed: Some(format!(
                    "no network ACL in the input for `{}`: the VPC's default ACL (AWS creates it allowing all traffic) applies",
                    s.meta.address
                )),
                unknown: Vec::new(),
            };
        };
        let mut view = NaclView {
            name: acl.meta.address.clone(),
            loc: Some(acl.meta.loc.clone()),
            ingress: Vec::new(),
            egress: Vec::new(),
            assumed: None,
            unknown: Vec::new(),
        };
        if acls.len() > 1 {
            view.unknown.push(format!(
                "`{}` is associated with {} network ACLs; only `{}` is used",
                s.meta.address,
                acls.len(),
                acl.meta.address
            ));
        }
        if acl.meta.kind.ends_with(" default_network_acl") {
            view.assumed = Some(format!(
                "`{}` is the VPC's default ACL, not declared: AWS's default allow-all entries (rule 100) are assumed",
                acl.meta.address
            ));
            view.ingress
                .push(allow_all_entry("AWS default rule 100 (allow all)"));
            view.egress
                .push(allow_all_entry("AWS default rule 100 (allow all)"));
        }
        for rule in aws.nacl_rules_of(acl) {
            let e = nacl_entry(rule, &mut view.unknown);
            if rule.egress {
                view.egress.push(e);
            } else {
                view.ingress.push(e);
            }
        }
        view.ingress.sort_by_key(|e| e.number);
        view.egress.sort_by_key(|e| e.number);
        view
    }
}

fn allow_all_entry(what: &str) -> NaclEntry {
    NaclEntry {
        number: 100,
        allow: Some(true),
        cidr: Some(IpSet::all()),
        conns: Some(Conns::all()),
        what: what.to_string(),
        loc: None,
    }
}

fn nacl_entry(rule: &NaclRule, unknown: &mut Vec<String>) -> NaclEntry {
    let number = match rule.number.get() {
        Some(n) => *n,
        None => {
            unknown.push(format!("number of `{}` is unknown", rule.meta.address));
            // Placed first, where it matters most: both bounds are kept.
            -1
        }
    };
    let allow = match rule.action.get().map(|a| a.to_ascii_lowercase()) {
        Some(a) if a == "allow" => Some(true),
        Some(a) if a == "deny" => Some(false),
        _ => {
            unknown.push(format!("action of `{}` is unknown", rule.meta.address));
            None
        }
    };
    let cidr = match (&rule.cidr_v4, &rule.cidr_v6) {
        (Val::Unknown { reason, .. }, _) | (_, Val::Unknown { reason, .. }) => {
            unknown.push(format!(
                "CIDR of `{}` is unknown: {reason}",
                rule.meta.address
            ));
            None
        }
        (a, b) => {
            let mut set = IpSet::empty();
            let mut ok = true;
            for c in [a.some(), b.some()].into_iter().flatten() {
                match IpSet::cidr(c) {
                    Ok(s) => set = set.union(&s),
                    Err(e) => {
                        unknown.push(format!("`{}`: {e}", rule.meta.address));
                        ok = false;
                    }
                }
            }
            ok.then_some(set)
        }
    };
    let conns = match (
        rule.protocol.get(),
        rule.from_port.get(),
        rule.to_port.get(),
    ) {
        (Some(p), Some(f), Some(t)) => match proto_conns(p, *f, *t) {
            Ok(c) => Some(c),
            Err(e) => {
                unknown.push(format!("`{}`: {e}", rule.meta.address));
                None
            }
        },
        (Some(p), _, _) if matches!(p.as_str(), "-1" | "all") => Some(Conns::all()),
        _ => {
            unknown.push(format!(
                "protocol or ports of `{}` are unknown",
                rule.meta.address
            ));
            None
        }
    };
    let what = format!(
        "rule {} ({} {} {}{})",
        if number < 0 {
            "?".to_string()
        } else {
            number.to_string()
        },
        match allow {
            Some(true) => "allow",
            Some(false) => "deny",
            None => "?",
        },
        conns
            .as_ref()
            .map(|c| c.to_string())
            .unwrap_or_else(|| "?".into()),
        cidr.as_ref()
            .map(|c| if c.is_empty() {
                "no address".into()
            } else {
                c.to_cidrs().join(",")
            })
            .unwrap_or_else(|| "?".into()),
        if rule.egress { " out" } else { " in" },
    );
    NaclEntry {
        number,
        allow,
        cidr,
        conns,
        what,
        loc: Some(rule.meta.loc.clone()),
    }
}

/// Human text for a route target.
pub fn via_text(net: &Net<'_>, via: &Via) -> String {
    match via {
        Via::Local => "local (same VPC)".into(),
        Via::InternetGateway(r) => format!("internet gateway `{r}`"),
        Via::EgressOnly(r) => format!("egress-only internet gateway `{r}`"),
        Via::Nat(i) => format!(
            "NAT gateway `{}`",
            net.aws
                .nat_gateways
                .get(*i)
                .map(|n| n.meta.address.as_str())
                .unwrap_or("?")
        ),
        Via::Peering(i) => format!(
            "VPC peering `{}`",
            net.aws
                .vpc_peerings
                .get(*i)
                .map(|n| n.meta.address.as_str())
                .unwrap_or("?")
        ),
        Via::Endpoint(i) => format!(
            "VPC endpoint `{}`",
            net.aws
                .vpc_endpoints
                .get(*i)
                .map(|n| n.meta.address.as_str())
                .unwrap_or("?")
        ),
        Via::Blackhole => "blackhole".into(),
        Via::Beyond(s) => s.clone(),
        Via::Unknown(r) => format!("unknown ({r})"),
    }
}

// ------------------------------------------------------------------ ends

impl<'m> Net<'m> {
    fn sgs_from(&self, refs: &Val<Vec<Ref>>, source: &str) -> Sgs {
        match refs {
            Val::Unknown { reason, .. } => {
                Sgs::Unknown(format!("security groups of {source} are unknown: {reason}"))
            }
            _ => {
                let list = refs.get().cloned().unwrap_or_default();
                let mut groups = Vec::new();
                let mut missing = Vec::new();
                for r in &list {
                    match self.sg(r) {
                        Some(i) => groups.push(i),
                        None => missing.push(r.key().to_string()),
                    }
                }
                groups.sort_unstable();
                groups.dedup();
                Sgs::Known {
                    groups,
                    missing,
                    source: source.to_string(),
                }
            }
        }
    }

    fn places_from(&self, refs: &Val<Vec<Ref>>, what: &str) -> Places {
        match refs {
            Val::Unknown { reason, .. } => {
                Places::Unknown(format!("subnets of {what} are unknown: {reason}"))
            }
            _ => {
                let list = refs.get().cloned().unwrap_or_default();
                let mut out = Vec::new();
                let mut missing = Vec::new();
                for r in &list {
                    match self.subnet(r) {
                        Some(i) => out.push(i),
                        None => missing.push(r.key().to_string()),
                    }
                }
                if !missing.is_empty() && out.is_empty() {
                    return Places::Unknown(format!(
                        "subnets of {what} are not in the input ({})",
                        missing.join(", ")
                    ));
                }
                if list.is_empty() {
                    return Places::Unknown(format!("{what} names no subnet"));
                }
                out.sort_unstable();
                out.dedup();
                Places::Subnets(out)
            }
        }
    }

    /// Public address from subnets' `map_public_ip_on_launch` and an explicit setting.
    fn public_of(&self, places: &Places, explicit: &Val<Option<bool>>, what: &str) -> Tri {
        match explicit {
            Val::Unknown { reason, .. } => {
                return Tri::Unknown(format!("public IP of {what} is unknown: {reason}"))
            }
            _ => match explicit.some() {
                Some(true) => return Tri::Yes(format!("{what} associates a public IP")),
                Some(false) => return Tri::No(format!("{what} has no public IP")),
                None => {}
            },
        }
        let Places::Subnets(list) = places else {
            return Tri::Unknown(format!("subnets of {what} are unknown"));
        };
        let mut unknown = None;
        for &s in list {
            let Some(info) = self.subnets.get(s) else {
                continue;
            };
            match &info.public_on_launch {
                Val::Unknown { reason, .. } => unknown = Some(reason.clone()),
                v if v.is_true() => {
                    return Tri::Yes(format!(
                        "subnet `{}` maps public IPs on launch",
                        info.address
                    ))
                }
                _ => {}
            }
        }
        match unknown {
            Some(r) => Tri::Unknown(format!("map_public_ip_on_launch is unknown: {r}")),
            None => Tri::No(format!(
                "{what} gets no public IP (its subnets do not map public IPs)"
            )),
        }
    }

    fn push(&mut self, mut e: End) {
        let places = match &e.places {
            Places::Subnets(v) => format!("{v:?}"),
            Places::External { addrs, opaque } => format!("{addrs:?}{opaque}"),
            Places::Unknown(r) => r.clone(),
        };
        let sgs = format!("{:?}", e.sgs);
        // Pod groups that every NetworkPolicy treats alike share a profile.
        let (group_part, id_part) = match e.group.and_then(|g| self.cluster.groups.get(g)) {
            Some(g) => (self.cluster.class_key(g), String::new()),
            None => (String::new(), self.access_content(&e)),
        };
        let kind = format!("{:?}", e.kind);
        let public = format!("{:?}", e.public);
        // Pod groups: same placement and groups behave the same towards
        // non-pod destinations, except for NetworkPolicy classes (part of id).
        let listen = format!("{:?}{:?}{:?}", e.listen, e.waf, e.forwards);
        e.profile = h64(&[
            &kind,
            &places,
            &sgs,
            &public,
            &group_part,
            &id_part,
            &listen,
        ]);
        self.ends.push(e);
    }

    /// What the access-control layers of a data store depend on.
    fn access_content(&self, e: &End) -> String {
        match e.kind {
            EndKind::S3Bucket => self
                .aws
                .s3_buckets
                .iter()
                .find(|b| b.meta.address == e.id)
                .map(|b| format!("{:?}{:?}", b.public_access_block, b.policy.get()))
                .unwrap_or_default(),
            EndKind::Secret => self
                .aws
                .secrets
                .iter()
                .find(|x| x.meta.address == e.id)
                .map(|x| format!("{:?}", x.kms_key.get()))
                .unwrap_or_default(),
            EndKind::InterfaceEndpoint { .. } | EndKind::Internet | EndKind::Cidr => e.id.clone(),
            _ => String::new(),
        }
    }

    fn build_ends(&mut self) {
        let aws = self.aws;
        self.push(End {
            id: "internet".into(),
            kind: EndKind::Internet,
            loc: None,
            places: Places::External {
                addrs: self.internet.clone(),
                opaque: false,
            },
            sgs: Sgs::NotApplicable,
            public: Tri::Yes("the internet".into()),
            listen: None,
            group: None,
            waf: None,
            forwards: Vec::new(),
            notes: Vec::new(),
            profile: 0,
            only: None,
        });
        // CloudFront distributions.
        for d in &aws.cloudfront_distributions {
            let waf = d
                .web_acl
                .some()
                .map(|r| (r.key().to_string(), d.web_acl.loc().cloned()));
            self.push(End {
                id: d.meta.address.clone(),
                kind: EndKind::CloudFront,
                loc: Some(d.meta.loc.clone()),
                places: Places::External {
                    addrs: public_v4(),
                    opaque: true,
                },
                sgs: Sgs::NotApplicable,
                public: Tri::Yes("CloudFront edge".into()),
                listen: Some((
                    Conns::ports(
                        Protocol::Tcp,
                        IntervalSet::from_ranges([(80, 80), (443, 443)]),
                    ),
                    "CloudFront viewers connect on 80 and 443".into(),
                )),
                group: None,
                waf,
                forwards: Vec::new(),
                notes: Vec::new(),
                profile: 0,
                only: None,
            });
        }
        // Load balancers.
        for lb in &aws.load_balancers {
            let network = lb
                .lb_type
                .get()
                .is_some_and(|t| t.eq_ignore_ascii_case("network"));
            let places = self.places_from(&lb.subnets, &format!("`{}`", lb.meta.address));
            let sgs = match (&lb.security_groups, network) {
                (v, true) if v.get().is_some_and(Vec::is_empty) => Sgs::NotApplicable,
                (v, _) => self.sgs_from(v, &format!("`{}`", lb.meta.address)),
            };
            let public = match lb.internet_facing() {
                Some(true) => Tri::Yes(format!("`{}` is internet-facing", lb.meta.address)),
                Some(false) => Tri::No(format!("`{}` is internal", lb.meta.address)),
                None => Tri::Unknown(format!(
                    "whether `{}` is internal is unknown",
                    lb.meta.address
                )),
            };
            let mut listen = Conns::none();
            let mut listeners = Vec::new();
            let mut unknown_listener = None;
            for l in aws.children(&lb.meta, |l: &palisade_model::aws::Listener| {
                l.load_balancer.get()
            }) {
                let proto = l.protocol.some().map(|p| p.to_ascii_uppercase());
                match (l.port.get(), proto.as_deref()) {
                    (Some(Some(p)), Some(pr)) => {
                        let Ok(port) = u16::try_from(*p) else {
                            continue;
                        };
                        let set = IntervalSet::single(port);
                        let c = match pr {
                            "UDP" => Conns::ports(Protocol::Udp, set),
                            "TCP_UDP" => Conns::ports(Protocol::Tcp, set.clone())
                                .union(&Conns::ports(Protocol::Udp, set)),
                            _ => Conns::ports(Protocol::Tcp, set),
                        };
                        listen = listen.union(&c);
                        listeners.push(format!("{pr} {port} ({})", l.meta.loc));
                    }
                    (Some(Some(p)), None) => {
                        if let Ok(port) = u16::try_from(*p) {
                            listen = listen
                                .union(&Conns::ports(Protocol::Tcp, IntervalSet::single(port)));
                            listeners.push(format!("{port} ({})", l.meta.loc));
                        }
                    }
                    _ => unknown_listener = Some(l.meta.address.clone()),
                }
            }
            let listen_text = if let Some(u) = unknown_listener {
                listen = Conns::all();
                format!("listener `{u}` has an unknown port or protocol")
            } else if listeners.is_empty() {
                format!("`{}` has no listener in the input", lb.meta.address)
            } else {
                format!("listeners {}", listeners.join(", "))
            };
            let waf = aws
                .waf_associations
                .iter()
                .find(|a| a.resource.get().is_some_and(|r| aws.refers_to(r, &lb.meta)))
                .map(|a| {
                    (
                        a.web_acl
                            .get()
                            .map(|r| r.key().to_string())
                            .unwrap_or_default(),
                        Some(a.meta.loc.clone()),
                    )
                });
            self.push(End {
                id: lb.meta.address.clone(),
                kind: EndKind::LoadBalancer { network },
                loc: Some(lb.meta.loc.clone()),
                places,
                sgs,
                public,
                listen: Some((listen, listen_text)),
                group: None,
                waf,
                forwards: Vec::new(),
                notes: Vec::new(),
                profile: 0,
                only: None,
            });
        }
        self.build_nodes_and_pods();
        for i in &aws.instances {
            let places = match &i.subnet {
                Val::Unknown { reason, .. } => Places::Unknown(format!(
                    "subnet of `{}` is unknown: {reason}",
                    i.meta.address
                )),
                v => match v.some().and_then(|r| self.subnet(r)) {
                    Some(s) => Places::Subnets(vec![s]),
                    None => Places::Unknown(format!(
                        "`{}` names no subnet in the input",
                        i.meta.address
                    )),
                },
            };
            let public = self.public_of(
                &places,
                &i.associate_public_ip,
                &format!("`{}`", i.meta.address),
            );
            let sgs = self.sgs_from(&i.security_groups, &format!("`{}`", i.meta.address));
            self.push(End {
                id: i.meta.address.clone(),
                kind: EndKind::Instance,
                loc: Some(i.meta.loc.clone()),
                places,
                sgs,
                public,
                listen: None,
                group: None,
                waf: None,
                forwards: Vec::new(),
                notes: Vec::new(),
                profile: 0,
                only: None,
            });
        }
        for f in &aws.lambda_functions {
            if f.subnets.get().is_some_and(Vec::is_empty) {
                continue;
            }
            let places = self.places_from(&f.subnets, &format!("`{}`", f.meta.address));
            let sgs = self.sgs_from(&f.security_groups, &format!("`{}`", f.meta.address));
            self.push(End {
                id: f.meta.address.clone(),
                kind: EndKind::Lambda,
                loc: Some(f.meta.loc.clone()),
                places,
                sgs,
                public: Tri::No("Lambda functions in a VPC have no public IP".into()),
                listen: Some((
                    Conns::none(),
                    "a Lambda function accepts no inbound connection".into(),
                )),
                group: None,
                waf: None,
                forwards: Vec::new(),
                notes: Vec::new(),
                profile: 0,
                only: None,
            });
        }
        for ep in &aws.vpc_endpoints {
            let interface = ep
                .endpoint_type
                .get()
                .is_some_and(|t| t.eq_ignore_ascii_case("interface"));
            if !interface {
                continue;
            }
            let service = ep.service_name.get().cloned().unwrap_or_default();
            let places = self.places_from(&ep.subnets, &format!("`{}`", ep.meta.address));
            let sgs = self.sgs_from(&ep.security_groups, &format!("`{}`", ep.meta.address));
            let listen = if service.starts_with("com.amazonaws.") {
                Some((
                    Conns::ports(Protocol::Tcp, IntervalSet::single(443)),
                    "AWS service endpoints listen on HTTPS (443)".into(),
                ))
            } else {
                None
            };
            self.push(End {
                id: ep.meta.address.clone(),
                kind: EndKind::InterfaceEndpoint { service },
                loc: Some(ep.meta.loc.clone()),
                places,
                sgs,
                public: Tri::No("interface endpoints have private addresses only".into()),
                listen,
                group: None,
                waf: None,
                forwards: Vec::new(),
                notes: Vec::new(),
                profile: 0,
                only: None,
            });
        }
        self.build_data_stores();
        self.link_forwards();
    }

    fn build_data_stores(&mut self) {
        let aws = self.aws;
        for c in &aws.db_clusters {
            let (places, notes) = self.db_places(&c.subnet_group, &c.meta);
            let members: Vec<_> = aws
                .db_instances
                .iter()
                .filter(|i| i.cluster.some().is_some_and(|r| aws.refers_to(r, &c.meta)))
                .collect();
            let public = if members.iter().any(|m| m.publicly_accessible.is_true()) {
                Tri::Yes("a cluster member is publicly accessible".into())
            } else if members.iter().any(|m| m.publicly_accessible.is_unknown()) {
                Tri::Unknown("publicly_accessible of a member is unknown".into())
            } else {
                Tri::No("no member is publicly accessible".into())
            };
            let sgs = self.sgs_from(&c.security_groups, &format!("`{}`", c.meta.address));
            let listen = db_listen(&c.engine);
            self.push(End {
                id: c.meta.address.clone(),
                kind: EndKind::Rds,
                loc: Some(c.meta.loc.clone()),
                places,
                sgs,
                public,
                listen,
                group: None,
                waf: None,
                forwards: Vec::new(),
                notes,
                profile: 0,
                only: None,
            });
        }
        for d in &aws.db_instances {
            if d.cluster.some().is_some() {
                continue;
            }
            let (places, notes) = self.db_places(&d.subnet_group, &d.meta);
            let public = match &d.publicly_accessible {
                Val::Unknown { reason, .. } => {
                    Tri::Unknown(format!("publicly_accessible is unknown: {reason}"))
                }
                v if v.is_true() => {
                    Tri::Yes(format!("`{}` is publicly accessible", d.meta.address))
                }
                _ => Tri::No(format!("`{}` is not publicly accessible", d.meta.address)),
            };
            let sgs = self.sgs_from(&d.security_groups, &format!("`{}`", d.meta.address));
            self.push(End {
                id: d.meta.address.clone(),
                kind: EndKind::Rds,
                loc: Some(d.meta.loc.clone()),
                places,
                sgs,
                public,
                listen: db_listen(&d.engine),
                group: None,
                waf: None,
                forwards: Vec::new(),
                notes,
                profile: 0,
                only: None,
            });
        }
        for b in &aws.s3_buckets {
            self.push(End {
                id: b.meta.address.clone(),
                kind: EndKind::S3Bucket,
                loc: Some(b.meta.loc.clone()),
                places: Places::External {
                    addrs: public_v4(),
                    opaque: true,
                },
                sgs: Sgs::NotApplicable,
                public: Tri::Yes("S3 has public endpoints".into()),
                listen: Some((
                    Conns::ports(
                        Protocol::Tcp,
                        IntervalSet::from_ranges([(80, 80), (443, 443)]),
                    ),
                    "S3 endpoints listen on 80 and 443".into(),
                )),
                group: None,
                waf: None,
                forwards: Vec::new(),
                notes: Vec::new(),
                profile: 0,
                only: None,
            });
        }
        for s in &aws.secrets {
            self.push(End {
                id: s.meta.address.clone(),
                kind: EndKind::Secret,
                loc: Some(s.meta.loc.clone()),
                places: Places::External {
                    addrs: public_v4(),
                    opaque: true,
                },
                sgs: Sgs::NotApplicable,
                public: Tri::Yes("Secrets Manager has public endpoints".into()),
                listen: Some((
                    Conns::ports(Protocol::Tcp, IntervalSet::single(443)),
                    "Secrets Manager listens on HTTPS (443)".into(),
                )),
                group: None,
                waf: None,
                forwards: Vec::new(),
                notes: Vec::new(),
                profile: 0,
                only: None,
            });
        }
    }

    fn db_places(&self, group: &Val<Option<Ref>>, meta: &Meta) -> (Places, Vec<String>) {
        let aws = self.aws;
        match group {
            Val::Unknown { reason, .. } => (
                Places::Unknown(format!("DB subnet group of `{}` is unknown: {reason}", meta.address)),
                Vec::new(),
            ),
            v => match v.some() {
                None => (
                    Places::Unknown(format!(
                        "`{}` has no DB subnet group: it is in the default VPC's default subnet group",
                        meta.address
                    )),
                    Vec::new(),
                ),
                Some(r) => match aws.get::<palisade_model::aws::DbSubnetGroup>(r) {
                    Some(g) => (self.places_from(&g.subnets, &format!("`{}`", g.meta.address)), Vec::new()),
                    None => (
                        Places::Unknown(format!("DB subnet group `{}` is not in the input", r.key())),
                        Vec::new(),
                    ),
                },
            },
        }
    }

    fn build_nodes_and_pods(&mut self) {
        let aws = self.aws;
        let mut node_ends = Vec::new();
        for ng in &aws.eks_node_groups {
            let places = self.places_from(&ng.subnets, &format!("`{}`", ng.meta.address));
            let lt = match &ng.launch_template {
                Val::Unknown { reason, .. } => Err(format!(
                    "launch template of `{}` is unknown: {reason}",
                    ng.meta.address
                )),
                v => Ok(v
                    .some()
                    .and_then(|r| aws.get::<palisade_model::aws::LaunchTemplate>(r))),
            };
            let sgs = match &lt {
                Err(r) => Sgs::Unknown(r.clone()),
                Ok(Some(t)) => match launch_template_sgs(t) {
                    Some(v) if !v.get().is_some_and(Vec::is_empty) => {
                        self.sgs_from(v, &format!("launch template `{}`", t.meta.address))
                    }
                    _ => Sgs::Unknown(format!(
                        "`{}` uses the EKS cluster security group, which EKS creates (its rules are not in the input)",
                        ng.meta.address
                    )),
                },
                Ok(None) => Sgs::Unknown(format!(
                    "`{}` uses the EKS cluster security group, which EKS creates (its rules are not in the input)",
                    ng.meta.address
                )),
            };
            let explicit = match &lt {
                Ok(Some(t)) => t.associate_public_ip.clone(),
                _ => Val::default_(None),
            };
            let public = self.public_of(
                &places,
                &explicit,
                &format!("nodes of `{}`", ng.meta.address),
            );
            node_ends.push(End {
                id: ng.meta.address.clone(),
                kind: EndKind::Nodes,
                loc: Some(ng.meta.loc.clone()),
                places,
                sgs,
                public,
                listen: None,
                group: None,
                waf: None,
                forwards: Vec::new(),
                notes: Vec::new(),
                profile: 0,
                only: None,
            });
        }
        // Pods live on the nodes: their subnets are the nodes' subnets.
        let mut node_places: Vec<usize> = Vec::new();
        let mut node_unknown = None;
        for n in &node_ends {
            match &n.places {
                Places::Subnets(v) => node_places.extend(v.iter().copied()),
                Places::Unknown(r) => node_unknown = Some(r.clone()),
                Places::External { .. } => {}
            }
        }
        node_places.sort_unstable();
        node_places.dedup();
        let node_sgs = merge_sgs(node_ends.iter().map(|e| &e.sgs));
        let node_public = node_ends
            .iter()
            .map(|e| e.public.clone())
            .find(|p| p.is_yes())
            .or_else(|| node_ends.first().map(|e| e.public.clone()))
            .unwrap_or(Tri::Unknown("no EKS node group in the input".into()));
        for e in node_ends {
            self.push(e);
        }
        let pod_places = if !node_places.is_empty() {
            Places::Subnets(node_places)
        } else if let Some(r) = node_unknown {
            Places::Unknown(r)
        } else {
            Places::Unknown("no EKS node group in the input: where pods run is unknown".into())
        };
        let sgps: Vec<&SecurityGroupPolicy> =
            self.model.k8s.security_group_policies.iter().collect();
        let groups: Vec<(usize, String, Option<Location>, bool)> = self
            .cluster
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| {
                (
                    i,
                    g.address(),
                    Some(g.workload.meta.loc.clone()),
                    g.host_network,
                )
            })
            .collect();
        for (gi, address, loc, host_network) in groups {
            let mut notes = Vec::new();
            let sgs = if host_network {
                notes.push(
                    "host network: the pods use the node's address and security groups".into(),
                );
                node_sgs.clone()
            } else {
                match self.pod_sgs(gi, &sgps) {
                    Some(s) => s,
                    None => node_sgs.clone(),
                }
            };
            let public = if host_network {
                node_public.clone()
            } else {
                Tri::No("pods get private addresses from the VPC CNI".into())
            };
            self.push(End {
                id: address,
                kind: EndKind::Pods,
                loc,
                places: pod_places.clone(),
                sgs,
                public,
                listen: None,
                group: Some(gi),
                waf: None,
                forwards: Vec::new(),
                notes,
                profile: 0,
                only: None,
            });
        }
    }

    /// Security groups from every SecurityGroupPolicy that selects the
    /// group's pods (both selectors must match; policies without a selector
    /// or without groups are ignored); `None` when none applies.
    fn pod_sgs(&self, gi: usize, sgps: &[&SecurityGroupPolicy]) -> Option<Sgs> {
        let g = self.cluster.groups.get(gi)?;
        let mut groups = Vec::new();
        let mut missing = Vec::new();
        let mut sources = Vec::new();
        let mut unknown = None;
        for p in sgps {
            if p.object.ns().unwrap_or("default") != g.namespace {
                continue;
            }
            if p.pod_selector.is_none() && p.service_account_selector.is_none() {
                continue;
            }
            if p.security_group_ids.is_empty() {
                continue;
            }
            // Both selectors must match (AND): the pod selector first.
            if let Some(sel) = &p.pod_selector {
                if !sel.is_decidable() {
                    unknown = Some(format!(
                        "{}: pod selector has unreadable parts",
                        p.meta.address
                    ));
                    continue;
                }
                if !sel.matches(&g.labels) {
                    continue;
                }
            }
            let mut matched = true;
            if let Some(sel) = &p.service_account_selector {
                let sa_name = g
                    .service_account
                    .clone()
                    .unwrap_or_else(|| "default".into());
                if !sel.is_decidable() {
                    unknown = Some(format!(
                        "{}: service account selector has unreadable parts",
                        p.meta.address
                    ));
                    continue;
                }
                match self.model.k8s.service_account(&g.namespace, &sa_name) {
                    Some(sa) => matched &= sel.matches(&sa.object.labels),
                    // Kubernetes creates `default` without labels.
                    None if sa_name == "default" || sel.is_empty() => {
                        matched &= sel.matches(&std::collections::BTreeMap::<String, String>::new())
                    }
                    None => {
                        unknown = Some(format!(
                            "{}: service account {}/{} is not in the input, so its labels are unknown",
                            p.meta.address, g.namespace, sa_name
                        ));
                        continue;
                    }
                }
            }
            if !matched {
                continue;
            }
            sources.push(format!(
                "SecurityGroupPolicy `{}` ({})",
                p.meta.address, p.meta.loc
            ));
            for id in &p.security_group_ids {
                match id.get() {
                    Some(key) => match self.sg(&Ref::new(key.clone())) {
                        Some(i) => groups.push(i),
                        None => missing.push(key.clone()),
                    },
                    None => {
                        unknown = Some(format!(
                            "{}: a security group ID is unknown",
                            p.meta.address
                        ))
                    }
                }
            }
        }
        if let Some(u) = unknown {
            return Some(Sgs::Unknown(u));
        }
        if sources.is_empty() {
            return None;
        }
        groups.sort_unstable();
        groups.dedup();
        Some(Sgs::Known {
            groups,
            missing,
            source: sources.join(" + "),
        })
    }

    fn link_forwards(&mut self) {
        let aws = self.aws;
        let ids: HashMap<String, usize> = self
            .ends
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        for (di, d) in aws.cloudfront_distributions.iter().enumerate() {
            let Some(&cf) = ids.get(&d.meta.address) else {
                continue;
            };
            let mut fwd = Vec::new();
            let mut notes = Vec::new();
            for o in &d.origins {
                let target = match &o.domain {
                    Val::Unknown { reason, .. } => aws
                        .load_balancers
                        .iter()
                        .find(|lb| reason.contains(&format!("`{}.dns_name`", lb.meta.address)))
                        .map(|lb| lb.meta.address.clone())
                        .or_else(|| {
                            aws.s3_buckets
                                .iter()
                                .find(|b| reason.contains(&format!("`{}.", b.meta.address)))
                                .map(|b| b.meta.address.clone())
                        }),
                    v => v.get().and_then(|dom| {
                        aws.load_balancers
                            .iter()
                            .find(|lb| keys_of(&lb.meta).any(|k| k == dom))
                            .map(|lb| lb.meta.address.clone())
                            .or_else(|| {
                                aws.s3_buckets
                                    .iter()
                                    .find(|b| {
                                        b.name
                                            .some()
                                            .is_some_and(|n| dom.starts_with(&format!("{n}.s3")))
                                    })
                                    .map(|b| b.meta.address.clone())
                            })
                    }),
                };
                match target.and_then(|t| ids.get(&t)) {
                    Some(&t) => fwd.push(t),
                    None => notes.push(format!(
                        "origin {} of `{}` is not a load balancer or bucket of the input",
                        match o.domain.get() {
                            Some(d) => format!("`{d}`"),
                            None => "(unknown domain)".into(),
                        },
                        d.meta.address
                    )),
                }
            }
            let _ = di;
            if let Some(e) = self.ends.get_mut(cf) {
                e.forwards = fwd;
                e.notes.extend(notes);
            }
        }
        // Interface endpoints forward to their service's data stores.
        let mut links = Vec::new();
        for (i, e) in self.ends.iter().enumerate() {
            if let EndKind::InterfaceEndpoint { service } = &e.kind {
                let svc = service.rsplit('.').next().unwrap_or_default().to_string();
                for (j, d) in self.ends.iter().enumerate() {
                    let hit = match d.kind {
                        EndKind::Secret => svc == "secretsmanager",
                        EndKind::S3Bucket => svc == "s3",
                        _ => false,
                    };
                    if hit {
                        links.push((i, j));
                    }
                }
            }
        }
        for (i, j) in links {
            if let Some(e) = self.ends.get_mut(i) {
                e.forwards.push(j);
            }
        }
    }

    /// What a prefix list link stands for.
    pub fn prefix_list(&self, r: &Ref) -> PrefixList {
        let key = r.key();
        let mut names: Vec<&str> = vec![key];
        if let Some(n) = self.prefix_names.get(key) {
            names.push(n);
        }
        if let Some(v) = self.all_keys.get(key) {
            names.extend(v.iter().map(String::as_str));
        }
        if names.iter().any(|n| n.contains(CLOUDFRONT_PREFIX_LIST)) {
            return PrefixList::CloudFront;
        }
        for n in &names {
            if let Some(rest) = n.strip_prefix("com.amazonaws.") {
                if let Some(svc) = rest.rsplit('.').next() {
                    if matches!(svc, "s3" | "dynamodb") {
                        return PrefixList::Service(svc.to_string());
                    }
                }
            }
        }
        PrefixList::Unknown(format!(
            "the entries of prefix list `{key}` are not in the input"
        ))
    }

    pub fn sg_name(&self, i: usize) -> String {
        self.aws
            .security_groups
            .get(i)
            .map(|s| s.meta.address.clone())
            .unwrap_or_else(|| "?".into())
    }

    pub fn sg_meta(&self, i: usize) -> Option<&SecurityGroup> {
        self.aws.security_groups.get(i)
    }

    /// Rules of a security group, with AWS's defaults for a default group
    /// the input only references (`aws_vpc.x.default_security_group`).
    pub fn sg_rules(&self, i: usize) -> (Vec<(usize, &'m SgRule)>, Option<&'static str>) {
        let Some(sg) = self.aws.security_groups.get(i) else {
            return (Vec::new(), None);
        };
        let rules: Vec<(usize, &SgRule)> = self
            .sg_rule_index
            .get(i)
            .into_iter()
            .flatten()
            .filter_map(|&r| self.aws.sg_rules.get(r).map(|x| (r, x)))
            .collect();
        let synthesized = sg.meta.kind.ends_with(" default_security_group");
        (
            rules,
            synthesized.then_some("AWS defaults assumed: all from the group itself, all outbound"),
        )
    }

    /// Pod network NetworkPolicy decisions for pods of `group`.
    pub fn np_egress(&self, group: usize, peer: &End, set: &IpSet) -> crate::netpol::NpSide {
        let g = &self.cluster.groups[group.min(self.cluster.groups.len().saturating_sub(1))];
        match peer.group.and_then(|p| self.cluster.groups.get(p)) {
            Some(pg) if !peer_host_network(peer, &self.cluster) => {
                self.cluster.egress(g, NpPeer::Group(pg))
            }
            _ => self.cluster.egress(g, NpPeer::Addresses(set)),
        }
    }
}

fn peer_host_network(e: &End, c: &Cluster<'_>) -> bool {
    e.group
        .and_then(|g| c.groups.get(g))
        .is_some_and(|g| g.host_network)
}

fn db_listen(engine: &Val<Option<String>>) -> Option<(Conns, String)> {
    engine.some().and_then(|e| {
        engine_port(e).map(|p| {
            (
                Conns::ports(Protocol::Tcp, IntervalSet::single(p)),
                format!("{e} listens on {p} (engine default)"),
            )
        })
    })
}

/// The security groups a launch template puts on its instances.
fn launch_template_sgs(t: &palisade_model::aws::LaunchTemplate) -> Option<&Val<Vec<Ref>>> {
    Some(&t.security_groups)
}

fn merge_sgs<'x>(list: impl Iterator<Item = &'x Sgs>) -> Sgs {
    let mut groups = BTreeSet::new();
    let mut missing = BTreeSet::new();
    let mut sources = Vec::new();
    let mut any = false;
    for s in list {
        any = true;
        match s {
            Sgs::Unknown(r) => return Sgs::Unknown(r.clone()),
            Sgs::NotApplicable => {}
            Sgs::Known {
                groups: g,
                missing: m,
                source,
            } => {
                groups.extend(g.iter().copied());
                missing.extend(m.iter().cloned());
                sources.push(source.clone());
            }
        }
    }
    if !any {
        return Sgs::Unknown(
            "no EKS node group in the input: the nodes' security groups are unknown".into(),
        );
    }
    Sgs::Known {
        groups: groups.into_iter().collect(),
        missing: missing.into_iter().collect(),
        source: format!("node security groups ({})", sources.join(", ")),
    }
}

/// Keys the ends of `net` by id, for callers.
pub fn end_ids(net: &Net<'_>) -> BTreeMap<String, usize> {
    net.ends
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.clone(), i))
        .collect()
}

/// A space over `domain` with `conns` on the addresses of `set` (or, for
/// an opaque domain, on all of it when `set` covers it).
pub fn cidr_space(domain: &IpSet, opaque: bool, set: &IpSet, conns: &Conns) -> (Space, Space) {
    if opaque {
        let inter = domain.intersect(set);
        if inter.is_empty() {
            return (Space::empty(), Space::empty());
        }
        let sure = if domain.is_subset(set) {
            Space::uniform(domain, conns.clone())
        } else {
            Space::empty()
        };
        return (sure, Space::uniform(domain, conns.clone()));
    }
    let s = Space::uniform(&domain.intersect(set), conns.clone());
    (s.clone(), s)
}
