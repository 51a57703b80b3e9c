//! One hop: can traffic flow from one endpoint to another, and what does
//! every layer on the way decide?
//!
//! A hop is evaluated per pair of placements (source subnet, destination
//! subnet). Within a pair, each layer depends either on the source address
//! (the destination's security groups, ACL, return route, NetworkPolicy
//! ingress) or on the destination address (the source's), so layers of the
//! same side are intersected address by address ([`Space`]) before the
//! result is reduced to "some address" (for opaque peers such as CloudFront
//! or S3, whose exact addresses are unknown: "every address" for the sure
//! answer and "some address" for the possible one). Every layer yields a
//! *sure* answer (unknowns read as deny) and a *possible* one (unknowns read
//! as allow); the hop is allowed when the sure answer is non-empty, blocked
//! when the possible one is empty, and unknown in between.

use crate::conns::{Conns, Protocol};
use crate::interval::IntervalSet;
use crate::ip::IpSet;
use crate::net::{
    cidr_space, ephemeral, proto_conns, sg_rule_conns, via_text, End, EndKind, NaclEntry, NaclView,
    Net, Places, PrefixList, Sgs, Tri, Via,
};
use crate::netpol::NpPeer;
use crate::space::Space;
use palisade_model::Location;
use serde::Serialize;
use std::collections::BTreeMap;

/// The kind of a defense layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LayerKind {
    Route,
    PublicAddress,
    Nacl,
    SecurityGroup,
    NetworkPolicy,
    Listener,
    Waf,
    Access,
}

impl LayerKind {
    pub fn label(self) -> &'static str {
        match self {
            LayerKind::Route => "route",
            LayerKind::PublicAddress => "public address",
            LayerKind::Nacl => "network ACL",
            LayerKind::SecurityGroup => "security group",
            LayerKind::NetworkPolicy => "NetworkPolicy",
            LayerKind::Listener => "listener",
            LayerKind::Waf => "WAF",
            LayerKind::Access => "access control",
        }
    }
}

/// A layer's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Allow,
    Deny,
    Unknown,
}

impl Verdict {
    pub fn of(sure: &Conns, maybe: &Conns) -> Verdict {
        if !sure.is_empty() {
            Verdict::Allow
        } else if maybe.is_empty() {
            Verdict::Deny
        } else {
            Verdict::Unknown
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::Deny => "deny",
            Verdict::Unknown => "unknown",
        }
    }
}

/// A rule (or default) that decided part of a layer's answer.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Hit {
    pub allow: bool,
    pub what: String,
    /// `file:line` when the rule was written in the input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

impl Hit {
    fn new(allow: bool, what: impl Into<String>, loc: Option<&Location>) -> Hit {
        Hit {
            allow,
            what: what.into(),
            at: loc.map(|l| l.to_string()),
        }
    }
}

/// One layer of a hop.
#[derive(Clone, Debug, Serialize)]
pub struct Layer {
    pub kind: LayerKind,
    /// What the layer is (`security group aws_security_group.rds (ingress)`).
    pub name: String,
    pub verdict: Verdict,
    /// What surely gets through this layer.
    pub allowed: Conns,
    /// What may get through (differs when something is unknown).
    pub possibly: Conns,
    pub hits: Vec<Hit>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The layer restricts this traffic (would not let everything from
    /// everywhere through): it counts as an independent control.
    pub control: bool,
    /// Which control this is, independent of subnets (layers with the same
    /// id count once).
    pub control_id: String,
}

/// The evaluation of one hop.
#[derive(Clone, Debug, Serialize)]
pub struct Hop {
    pub from: String,
    pub to: String,
    pub verdict: Verdict,
    /// Connections that surely get through.
    pub conns: Conns,
    /// Connections that may get through.
    pub possibly: Conns,
    /// How the traffic is carried (same VPC, NAT, peering...).
    pub via: Vec<String>,
    pub layers: Vec<Layer>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Hop {
    /// Independent controls that block this hop on their own.
    pub fn blocking(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .layers
            .iter()
            .filter(|l| l.verdict == Verdict::Deny)
            .map(|l| l.control_id.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    }
    /// Independent controls that restrict this hop without blocking it.
    pub fn controls(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .layers
            .iter()
            .filter(|l| l.control && l.verdict != Verdict::Deny)
            .map(|l| l.control_id.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

/// One placement of an endpoint for a pair.
#[derive(Clone, Debug)]
struct Place {
    subnet: Option<usize>,
    vpc: Option<usize>,
    domain: IpSet,
    opaque: bool,
    /// False when the placement itself is uncertain (results only count
    /// as possible).
    exact: bool,
    note: Option<String>,
}

/// Which address a layer depends on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Side {
    /// The source's address (layers at the destination).
    Src,
    /// The destination's address (layers at the source).
    Dst,
    Const,
}

/// A layer's answer within one pair.
struct Eval {
    kind: LayerKind,
    name: String,
    /// The control this layer is (equal for the same control seen from
    /// several subnets): `network ACL into `aws_db_instance.main``.
    id: String,
    side: Side,
    sure: Space,
    maybe: Space,
    hits: Vec<Hit>,
    notes: Vec<String>,
    control: bool,
    /// For filtering layers: what it lets through from (or to) every
    /// address. It is a control on a hop only if that does not cover what
    /// the hop carries.
    open: Option<Conns>,
}

/// Replies to a request need the reverse direction open to the client's
/// ephemeral ports (per protocol; other protocols as a whole).
fn reply_conns(req: &Conns) -> Conns {
    let eph = ephemeral();
    let mut c = Conns::none();
    for p in Protocol::ALL {
        if !req.get(p).is_empty() {
            c = c.union(&Conns::ports(p, eph.clone()));
        }
    }
    c.other = req.other;
    c
}

/// Request connections whose replies the reply space lets through.
fn request_from_reply(reply: &Conns, req: &Conns) -> Conns {
    let mut c = Conns::none();
    for p in Protocol::ALL {
        if !reply.get(p).is_empty() {
            c = c.union(&Conns::ports(p, req.get(p).clone()));
        }
    }
    c.other = req.other && reply.other;
    c
}

/// Evaluates ordered NACL rules over `domain × req`: `(allowed space,
/// decisions)`. Unknown parts of a rule read as `unknown_allows`.
fn nacl_eval(
    rules: &[NaclEntry],
    domain: &IpSet,
    req: &Conns,
    unknown_allows: bool,
    detailed: bool,
) -> (Space, Vec<(Hit, bool)>) {
    let mut pending: Vec<(IpSet, Conns)> = vec![(domain.clone(), req.clone())];
    let mut allowed = Space::empty();
    let mut hits: Vec<(Hit, bool)> = Vec::new();
    for r in rules {
        if pending.is_empty() {
            break;
        }
        let cidr = r.cidr.clone().unwrap_or_else(IpSet::all);
        let conns = r.conns.clone().unwrap_or_else(Conns::all);
        let allow = r.allow.unwrap_or(unknown_allows);
        let uncertain = r.cidr.is_none() || r.conns.is_none() || r.allow.is_none();
        let mut next = Vec::new();
        let mut matched = false;
        for (set, c) in pending {
            let inside = set.intersect(&cidr);
            let hit_c = c.intersect(&conns);
            if inside.is_empty() || hit_c.is_empty() {
                next.push((set, c));
                continue;
            }
            matched = true;
            if allow {
                allowed.push(inside.clone(), hit_c.clone());
            }
            let rest = c.subtract(&conns);
            if !rest.is_empty() {
                next.push((inside.clone(), rest));
            }
            let outside = set.subtract(&cidr);
            if !outside.is_empty() {
                next.push((outside, c));
            }
        }
        if matched && detailed {
            hits.push((Hit::new(allow, r.what.clone(), r.loc.as_ref()), uncertain));
        }
        pending = next;
    }
    if !pending.is_empty() && detailed {
        hits.push((Hit::new(false, "rule * (implicit deny)", None), false));
    }
    (allowed.simplify(), hits)
}

impl<'m> Net<'m> {
    fn places(&self, e: &End) -> Vec<Place> {
        match &e.places {
            Places::Subnets(list) => list
                .iter()
                .map(|&s| {
                    let info = self.subnets.get(s);
                    match info.map(|i| &i.cidr) {
                        Some(Ok(c)) => Place {
                            subnet: Some(s),
                            vpc: info.and_then(|i| i.vpc),
                            domain: match &e.only {
                                Some(o) => c.intersect(o),
                                None => c.clone(),
                            },
                            opaque: false,
                            exact: true,
                            note: None,
                        },
                        Some(Err(r)) => Place {
                            subnet: Some(s),
                            vpc: info.and_then(|i| i.vpc),
                            domain: IpSet::all(),
                            opaque: false,
                            exact: false,
                            note: Some(r.clone()),
                        },
                        None => Place {
                            subnet: None,
                            vpc: None,
                            domain: IpSet::all(),
                            opaque: false,
                            exact: false,
                            note: Some("subnet not found".into()),
                        },
                    }
                })
                .collect(),
            Places::External { addrs, opaque } => vec![Place {
                subnet: None,
                vpc: None,
                domain: addrs.clone(),
                opaque: *opaque,
                exact: true,
                note: None,
            }],
            Places::Unknown(r) => vec![Place {
                subnet: None,
                vpc: None,
                domain: IpSet::all(),
                opaque: false,
                exact: false,
                note: Some(r.clone()),
            }],
        }
    }

    /// Placements of both ends. Subnets of one end that share VPC, route
    /// table and network ACL decide alike, so they are merged into one
    /// placement (their addresses united), unless the two ends share a
    /// subnet (traffic within a subnet skips the ACL).
    fn merged_places(&self, src: &End, dst: &End) -> (Vec<Place>, Vec<Place>) {
        let a = self.places(src);
        let b = self.places(dst);
        let shared = a
            .iter()
            .any(|p| p.subnet.is_some() && b.iter().any(|q| q.subnet == p.subnet));
        if shared {
            return (a, b);
        }
        (self.merge(a), self.merge(b))
    }

    fn merge(&self, places: Vec<Place>) -> Vec<Place> {
        if places.len() < 2 {
            return places;
        }
        let mut out: Vec<(String, Place)> = Vec::new();
        for p in places {
            let key = match (p.subnet.and_then(|s| self.subnets.get(s)), p.exact) {
                (Some(info), true) => format!(
                    "{:?}|{:?}|{}|{}",
                    info.vpc,
                    info.route.table,
                    info.nacl.name,
                    info.nacl.assumed.is_some()
                ),
                _ => {
                    out.push((String::new(), p));
                    continue;
                }
            };
            match out.iter_mut().find(|(k, _)| *k == key) {
                Some((_, q)) => q.domain = q.domain.union(&p.domain),
                None => out.push((key, p)),
            }
        }
        out.into_iter().map(|(_, p)| p).collect()
    }

    /// Evaluates the hop `a → b` for connections in `req`.
    pub fn hop(&self, a: usize, b: usize, req: &Conns) -> Hop {
        let (Some(src), Some(dst)) = (self.ends.get(a), self.ends.get(b)) else {
            return Hop {
                from: String::new(),
                to: String::new(),
                verdict: Verdict::Deny,
                conns: Conns::none(),
                possibly: Conns::none(),
                via: Vec::new(),
                layers: Vec::new(),
                notes: vec!["no such endpoint".into()],
            };
        };
        if matches!(src.kind, EndKind::InterfaceEndpoint { .. }) && src.forwards.contains(&b) {
            return self.service_hop(src, dst, req);
        }
        let mut sure_total = Conns::none();
        let mut maybe_total = Conns::none();
        let mut layers: Vec<Layer> = Vec::new();
        let mut layer_pos: BTreeMap<String, usize> = BTreeMap::new();
        let mut opens: Vec<Option<Conns>> = Vec::new();
        let mut vias = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        notes.extend(src.notes.iter().cloned());
        notes.extend(dst.notes.iter().cloned());
        let (src_places, dst_places) = self.merged_places(src, dst);
        for p in &src_places {
            for q in &dst_places {
                notes.extend(p.note.iter().cloned());
                notes.extend(q.note.iter().cloned());
                let (evals, via) = self.pair(src, dst, p, q, req);
                if let Some(v) = via {
                    if !vias.contains(&v) {
                        vias.push(v);
                    }
                }
                let exact = p.exact && q.exact;
                let (s, m) = joint(&evals, p, q);
                if exact {
                    sure_total = sure_total.union(&s);
                }
                maybe_total = maybe_total.union(&m);
                for e in evals {
                    let domain = match e.side {
                        Side::Src => Some(p),
                        Side::Dst => Some(q),
                        Side::Const => None,
                    };
                    let (es, em) = reduce(&e.sure, &e.maybe, domain);
                    let es = if exact { es } else { Conns::none() };
                    let pos = *layer_pos.entry(e.name.clone()).or_insert_with(|| {
                        layers.push(Layer {
                            kind: e.kind,
                            name: e.name.clone(),
                            control_id: e.id.clone(),
                            verdict: Verdict::Deny,
                            allowed: Conns::none(),
                            possibly: Conns::none(),
                            hits: Vec::new(),
                            notes: Vec::new(),
                            control: false,
                        });
                        opens.push(None);
                        layers.len() - 1
                    });
                    let Some(entry) = layers.get_mut(pos) else {
                        continue;
                    };
                    entry.allowed = entry.allowed.union(&es);
                    entry.possibly = entry.possibly.union(&em);
                    entry.control |= e.control;
                    if let (Some(o), Some(slot)) = (&e.open, opens.get_mut(pos)) {
                        *slot = Some(match slot.take() {
                            Some(prev) => prev.intersect(o),
                            None => o.clone(),
                        });
                    }
                    for h in e.hits {
                        if !entry.hits.contains(&h) {
                            entry.hits.push(h);
                        }
                    }
                    for n in e.notes {
                        if !entry.notes.contains(&n) {
                            entry.notes.push(n);
                        }
                    }
                }
            }
        }
        for (l, open) in layers.iter_mut().zip(opens.iter()) {
            l.verdict = Verdict::of(&l.allowed, &l.possibly);
            // A filter that lets everyone through with what this hop
            // carries is no control for it.
            if let Some(open) = open {
                if !maybe_total.is_empty() && maybe_total.is_subset_of(open) {
                    l.control = false;
                }
            }
            if l.verdict == Verdict::Deny {
                // Only the deciding denials matter for a blocked layer.
                l.hits.retain(|h| !h.allow);
            } else {
                l.hits.retain(|h| h.allow);
            }
        }
        notes.sort();
        notes.dedup();
        Hop {
            from: src.id.clone(),
            to: dst.id.clone(),
            verdict: Verdict::of(&sure_total, &maybe_total),
            conns: sure_total,
            possibly: maybe_total,
            via: vias,
            layers,
            notes,
        }
    }

    /// An interface endpoint hands requests to its AWS service over
    /// PrivateLink: no VPC routing; the endpoint policy and the service's
    /// own access control decide.
    fn service_hop(&self, src: &End, dst: &End, req: &Conns) -> Hop {
        let all = IpSet::all();
        let listen = dst
            .listen
            .as_ref()
            .map(|(c, _)| c.intersect(req))
            .unwrap_or_else(|| req.clone());
        let mut evals = vec![Eval {
            kind: LayerKind::Route,
            name: format!("PrivateLink from `{}` to the service", src.id),
            id: format!("PrivateLink of `{}`", src.id),
            side: Side::Const,
            sure: Space::uniform(&all, listen.clone()),
            maybe: Space::uniform(&all, listen.clone()),
            hits: vec![Hit::new(
                true,
                "requests go to the service over the AWS network",
                src.loc.as_ref(),
            )],
            notes: Vec::new(),
            control: false,
            open: None,
        }];
        if let Some(ep) = self
            .aws
            .vpc_endpoints
            .iter()
            .find(|e| e.meta.address == src.id)
        {
            if ep.policy.some().is_some() {
                evals.push(Eval {
                    kind: LayerKind::Access,
                    name: format!("endpoint policy of `{}`", src.id),
                    id: format!("endpoint policy of `{}`", src.id),
                    side: Side::Const,
                    sure: Space::uniform(&all, listen.clone()),
                    maybe: Space::uniform(&all, listen.clone()),
                    hits: vec![Hit::new(
                        true,
                        "limits what may be requested through the endpoint",
                        ep.policy.loc(),
                    )],
                    notes: Vec::new(),
                    control: true,
                    open: None,
                });
            }
        }
        evals.extend(self.access_evals(dst, &listen));
        let layers: Vec<Layer> = evals
            .into_iter()
            .map(|e| Layer {
                kind: e.kind,
                verdict: Verdict::of(&e.sure.conns(), &e.maybe.conns()),
                allowed: e.sure.conns(),
                possibly: e.maybe.conns(),
                hits: e.hits,
                notes: e.notes,
                control: e.control,
                control_id: e.id,
                name: e.name,
            })
            .collect();
        Hop {
            from: src.id.clone(),
            to: dst.id.clone(),
            verdict: Verdict::of(&listen, &listen),
            conns: listen.clone(),
            possibly: listen,
            via: vec![format!("PrivateLink (`{}`)", src.id)],
            layers,
            notes: Vec::new(),
        }
    }

    /// Every layer for one pair of placements.
    fn pair(
        &self,
        src: &End,
        dst: &End,
        p: &Place,
        q: &Place,
        req: &Conns,
    ) -> (Vec<Eval>, Option<String>) {
        let mut out = Vec::new();
        let crossing = p.subnet.is_some() && q.subnet.is_some() && p.subnet != q.subnet
            || (p.subnet.is_some() != q.subnet.is_some());
        // Source side (depends on the destination address).
        if let Some(g) = src.group {
            if !self.cluster.groups.get(g).is_some_and(|x| x.host_network) {
                out.push(self.np_eval(src, dst, q, req, true));
            }
        }
        if let Some(e) = self.sg_eval(src, dst, q, req, false) {
            out.push(e);
        }
        let mut via = None;
        if let Some(s) = p.subnet {
            let (e, v) = self.route_eval(src, dst, s, p, q, req);
            via = v;
            out.push(e);
            if crossing {
                out.push(self.nacl_eval_side(s, &src.id, q, req, false));
            }
        }
        // Destination side (depends on the source address).
        if let Some(s) = q.subnet {
            if p.subnet.is_none() || p.vpc != q.vpc {
                out.push(self.return_route_eval(src, dst, s, p, q, req));
            }
            if crossing {
                out.push(self.nacl_eval_side(s, &dst.id, p, req, true));
            }
        } else if dst.kind.is_data_store()
            || matches!(dst.kind, EndKind::CloudFront)
            || dst.kind == EndKind::Internet
        {
            // Outside every VPC: reached over the internet or an endpoint.
        }
        if let Some(e) = self.sg_eval(dst, src, p, req, true) {
            out.push(e);
        }
        if let Some(g) = dst.group {
            if !self.cluster.groups.get(g).is_some_and(|x| x.host_network) {
                out.push(self.np_eval(dst, src, p, req, false));
            }
        }
        if p.subnet.is_none()
            && q.subnet.is_some()
            && !p.domain.intersect(&self.internet).is_empty()
        {
            out.push(self.public_eval(dst, req));
        }
        out.extend(self.access_evals(dst, req));
        if let Some((c, why)) = &dst.listen {
            out.push(Eval {
                kind: LayerKind::Listener,
                name: format!("{} `{}` listens", dst.kind.label(), dst.id),
                id: format!("listener of `{}`", dst.id),
                side: Side::Const,
                sure: Space::uniform(&IpSet::all(), c.intersect(req)),
                maybe: Space::uniform(&IpSet::all(), c.intersect(req)),
                hits: vec![Hit::new(true, why.clone(), dst.loc.as_ref())],
                notes: Vec::new(),
                control: false,
                open: None,
            });
        }
        if let Some((acl, loc)) = &dst.waf {
            out.push(Eval {
                kind: LayerKind::Waf,
                name: format!("WAF web ACL `{acl}` on `{}`", dst.id),
                id: format!("WAF on `{}`", dst.id),
                side: Side::Const,
                sure: Space::uniform(&IpSet::all(), req.clone()),
                maybe: Space::uniform(&IpSet::all(), req.clone()),
                hits: vec![Hit::new(
                    true,
                    "inspects HTTP requests (managed and custom rules)",
                    loc.as_ref(),
                )],
                notes: Vec::new(),
                control: true,
                open: None,
            });
        }
        (out, via)
    }

    /// Traffic from the internet needs a public address on the destination.
    fn public_eval(&self, dst: &End, req: &Conns) -> Eval {
        let all = IpSet::all();
        let (sure, maybe, allow) = match &dst.public {
            Tri::Yes(_) => (
                Space::uniform(&all, req.clone()),
                Space::uniform(&all, req.clone()),
                true,
            ),
            Tri::No(_) => (Space::empty(), Space::empty(), false),
            Tri::Unknown(_) => (Space::empty(), Space::uniform(&all, req.clone()), false),
        };
        let mut notes = Vec::new();
        if let Tri::Unknown(w) = &dst.public {
            notes.push(format!("unknown because {w}"));
        }
        Eval {
            kind: LayerKind::PublicAddress,
            name: format!("public address of `{}`", dst.id),
            id: format!("private placement of `{}`", dst.id),
            side: Side::Const,
            sure,
            maybe,
            hits: vec![Hit::new(
                allow,
                dst.public.why().to_string(),
                dst.loc.as_ref(),
            )],
            notes,
            control: !allow,
            open: None,
        }
    }

    /// Access control of AWS services (S3, Secrets Manager): requests are
    /// authenticated by IAM, and resource and key policies may restrict
    /// them further. Never blocks at the network level; each is a control.
    fn access_evals(&self, dst: &End, req: &Conns) -> Vec<Eval> {
        let all = IpSet::all();
        let mut out = Vec::new();
        let mut add = |id: &str, what: String, loc: Option<&Location>| {
            out.push(Eval {
                kind: LayerKind::Access,
                name: format!("{id} of `{}`", dst.id),
                id: format!("{id} of `{}`", dst.id),
                side: Side::Const,
                sure: Space::uniform(&all, req.clone()),
                maybe: Space::uniform(&all, req.clone()),
                hits: vec![Hit::new(true, what, loc)],
                notes: Vec::new(),
                control: true,
                open: None,
            });
        };
        match dst.kind {
            EndKind::S3Bucket => {
                let Some(b) = self
                    .aws
                    .s3_buckets
                    .iter()
                    .find(|b| b.meta.address == dst.id)
                else {
                    return out;
                };
                add(
                    "IAM authentication",
                    "requests must be signed unless a policy or ACL makes the bucket public".into(),
                    None,
                );
                if let Some(pab) = &b.public_access_block {
                    let on = [
                        &pab.block_public_acls,
                        &pab.block_public_policy,
                        &pab.ignore_public_acls,
                        &pab.restrict_public_buckets,
                    ]
                    .iter()
                    .all(|v| v.is_true());
                    if on {
                        add(
                            "S3 Block Public Access",
                            "all four settings are on".into(),
                            pab.block_public_acls.loc(),
                        );
                    }
                }
                if let Some(doc) = b.policy.some() {
                    let text = doc.to_string();
                    let keys: Vec<&str> = ["aws:SourceVpce", "aws:SourceVpc", "aws:SourceIp"]
                        .into_iter()
                        .filter(|k| text.contains("\"Deny\"") && text.contains(k))
                        .collect();
                    if !keys.is_empty() {
                        add(
                            "bucket policy network condition",
                            format!("the bucket policy denies requests by {}", keys.join(", ")),
                            b.policy.loc(),
                        );
                    }
                }
            }
            EndKind::Secret => {
                let Some(sec) = self.aws.secrets.iter().find(|x| x.meta.address == dst.id) else {
                    return out;
                };
                add("IAM authentication", "requests must be signed".into(), None);
                if let Some(k) = sec.kms_key.some() {
                    add(
                        "KMS key policy",
                        format!("the secret is encrypted with `{}`, whose key policy must allow decryption", k.key()),
                        sec.kms_key.loc(),
                    );
                }
            }
            _ => {}
        }
        out
    }

    fn np_eval(&self, me: &End, peer: &End, peer_place: &Place, req: &Conns, egress: bool) -> Eval {
        let g = me.group.and_then(|g| self.cluster.groups.get(g));
        let Some(g) = g else {
            return Eval {
                kind: LayerKind::NetworkPolicy,
                name: "NetworkPolicy".into(),
                id: "NetworkPolicy".into(),
                side: Side::Const,
                sure: Space::uniform(&IpSet::all(), req.clone()),
                maybe: Space::uniform(&IpSet::all(), req.clone()),
                hits: Vec::new(),
                notes: Vec::new(),
                control: false,
                open: None,
            };
        };
        let peer_group = peer
            .group
            .and_then(|pg| self.cluster.groups.get(pg))
            .filter(|pg| !pg.host_network);
        let side = match peer_group {
            Some(pg) => {
                if egress {
                    self.cluster.egress(g, NpPeer::Group(pg))
                } else {
                    self.cluster.ingress(g, NpPeer::Group(pg))
                }
            }
            None => {
                if egress {
                    self.cluster
                        .egress(g, NpPeer::Addresses(&peer_place.domain))
                } else {
                    self.cluster
                        .ingress(g, NpPeer::Addresses(&peer_place.domain))
                }
            }
        };
        let space = match peer_group {
            Some(_) => Space::uniform(&peer_place.domain, side.conns.clone()),
            None => self.cluster.side_space(g, egress, &peer_place.domain),
        }
        .restrict(req);
        let dir = if egress { "egress" } else { "ingress" };
        let mut hits: Vec<Hit> = side
            .rules
            .iter()
            .map(|h| Hit::new(true, format!("{} {}", h.policy, h.rule), Some(&h.loc)))
            .collect();
        if side.isolated {
            for (p, loc) in &side.policies {
                if self.detailed.get() {
                    hits.push(Hit::new(
                        false,
                        format!("{p} selects the pods for {dir} (default deny)"),
                        Some(loc),
                    ));
                }
            }
        } else {
            if self.detailed.get() {
                hits.push(Hit::new(
                    true,
                    format!("no NetworkPolicy selects the pods for {dir}"),
                    None,
                ));
            }
        }
        let unknown = !side.unknowns.is_empty();
        let maybe = if unknown {
            Space::uniform(&peer_place.domain, req.clone())
        } else {
            space.clone()
        };
        let open = if side.isolated {
            let v4 = crate::net::v4_all();
            self.cluster
                .side_space(g, egress, &v4)
                .conns_everywhere(&v4)
        } else {
            Conns::all()
        };
        let control = side.isolated;
        Eval {
            kind: LayerKind::NetworkPolicy,
            name: format!("NetworkPolicy {dir} of `{}`", me.id),
            id: format!("NetworkPolicy {dir} of `{}`", me.id),
            side: if egress { Side::Dst } else { Side::Src },
            sure: space,
            maybe,
            hits,
            notes: side.unknowns,
            control,
            open: Some(open),
        }
    }

    /// Security groups of `owner` for traffic with `peer` (ingress when
    /// `ingress`, else egress), over the peer's addresses.
    fn sg_eval(
        &self,
        owner: &End,
        peer: &End,
        peer_place: &Place,
        req: &Conns,
        ingress: bool,
    ) -> Option<Eval> {
        let dir = if ingress { "ingress" } else { "egress" };
        let name = format!("security groups of `{}` ({dir})", owner.id);
        let side = if ingress { Side::Src } else { Side::Dst };
        let domain = &peer_place.domain;
        let (groups, missing, source) = match &owner.sgs {
            Sgs::NotApplicable => return None,
            Sgs::Unknown(r) => {
                return Some(Eval {
                    kind: LayerKind::SecurityGroup,
                    id: name.clone(),
                    name,
                    side,
                    sure: Space::empty(),
                    maybe: Space::uniform(domain, req.clone()),
                    hits: Vec::new(),
                    notes: vec![format!("unknown because {r}")],
                    control: true,
                    open: None,
                })
            }
            Sgs::Known {
                groups,
                missing,
                source,
            } => (groups, missing, source),
        };
        let mut sure = Space::empty();
        let mut maybe = Space::empty();
        let mut hits = Vec::new();
        let mut notes = Vec::new();
        let mut anyone = Conns::none();
        if !missing.is_empty() {
            notes.push(format!(
                "unknown because {} names security group(s) not in the input: {} (bind IDs with --ids or a Terraform state)",
                source,
                missing.join(", ")
            ));
            maybe.push(domain.clone(), req.clone());
        }
        for &gi in groups {
            let (rules, defaults) = self.sg_rules(gi);
            if let Some(d) = defaults {
                notes.push(format!("`{}`: {d}", self.sg_name(gi)));
                let c = req.clone();
                if ingress {
                    if peer_has_sg(peer, gi) {
                        sure.push(domain.clone(), c.clone());
                        maybe.push(domain.clone(), c);
                    }
                } else {
                    sure.push(domain.clone(), c.clone());
                    maybe.push(domain.clone(), c);
                    anyone = anyone.union(req);
                }
            }
            for (ri, rule) in rules.into_iter().filter(|(_, r)| r.ingress == ingress) {
                let parsed = self.sg_rule_parsed.get(ri);
                let conns = match parsed {
                    Some((c, _)) => c.clone(),
                    None => sg_rule_conns(rule),
                };
                let rc = match conns {
                    Ok(c) => c.intersect(req),
                    Err(e) => {
                        notes.push(format!("unknown because {e}"));
                        maybe.push(domain.clone(), req.clone());
                        continue;
                    }
                };
                if rc.is_empty() {
                    continue;
                }
                let (rs, rm, why) =
                    self.sg_rule_match(rule, ri, gi, peer, peer_place, &rc, &mut notes);
                if !rs.is_empty() && self.detailed.get() {
                    hits.push(Hit::new(
                        true,
                        format!("{} ({}{})", rule.meta.address, rc, why),
                        Some(&rule.meta.loc),
                    ));
                }
                // Whether it admits the whole internet (for the control test).
                let world = |v: &palisade_model::Val<Vec<String>>, w: &str| {
                    v.get().is_some_and(|l| l.iter().any(|c| c.trim() == w))
                };
                if world(&rule.cidrs_v4, "0.0.0.0/0") || world(&rule.cidrs_v6, "::/0") {
                    anyone = anyone.union(&rc);
                }
                sure = sure.union(&rs);
                maybe = maybe.union(&rm);
            }
        }
        if sure.is_empty() {
            let names: Vec<String> = groups.iter().map(|&g| self.sg_name(g)).collect();
            let loc = groups
                .first()
                .and_then(|&g| self.sg_meta(g))
                .map(|s| s.meta.loc.clone());
            if self.detailed.get() {
                hits.push(Hit::new(
                    false,
                    if names.is_empty() {
                        format!("no security group ({source})")
                    } else {
                        format!("no {dir} rule of {} matches", names.join(", "))
                    },
                    loc.as_ref(),
                ));
            }
        }
        let _ = source;
        Some(Eval {
            kind: LayerKind::SecurityGroup,
            id: name.clone(),
            name: format!("{name}: {}", sg_list(self, groups, missing)),
            side,
            sure: sure.simplify(),
            maybe: maybe.simplify(),
            hits,
            notes,
            control: true,
            open: Some(anyone),
        })
    }

    /// Whether one rule matches the peer: (sure, possible, why).
    #[allow(clippy::too_many_arguments)]
    fn sg_rule_match(
        &self,
        rule: &palisade_model::aws::SgRule,
        ri: usize,
        own: usize,
        peer: &End,
        place: &Place,
        rc: &Conns,
        notes: &mut Vec<String>,
    ) -> (Space, Space, String) {
        let domain = &place.domain;
        let mut sure = Space::empty();
        let mut maybe = Space::empty();
        let mut why = String::new();
        if rule.cidrs_v4.get().is_none() || rule.cidrs_v6.get().is_none() {
            notes.push(format!(
                "unknown because the CIDRs of `{}` are unknown",
                rule.meta.address
            ));
            maybe.push(domain.clone(), rc.clone());
        }
        if let Some((_, cidrs)) = self.sg_rule_parsed.get(ri) {
            for (c, set) in cidrs {
                match set {
                    Ok(set) => {
                        let (s, m) = cidr_space(domain, place.opaque, set, rc);
                        if !s.is_empty() && self.detailed.get() {
                            why = format!(" from {c}");
                        }
                        sure = sure.union(&s);
                        maybe = maybe.union(&m);
                    }
                    Err(e) => notes.push(format!("`{}`: {e}", rule.meta.address)),
                }
            }
        }
        let sg_match = |gi: usize| -> (bool, bool) {
            match &peer.sgs {
                Sgs::Known {
                    groups, missing, ..
                } => (
                    groups.contains(&gi),
                    groups.contains(&gi) || !missing.is_empty(),
                ),
                Sgs::Unknown(_) => (false, true),
                Sgs::NotApplicable => (false, false),
            }
        };
        if rule.self_ref {
            let (s, m) = sg_match(own);
            if s {
                sure.push(domain.clone(), rc.clone());
                why = " from its own group".into();
            }
            if m {
                maybe.push(domain.clone(), rc.clone());
            }
        }
        match rule.source_groups.get() {
            None => {
                notes.push(format!(
                    "unknown because the security groups of `{}` are unknown",
                    rule.meta.address
                ));
                maybe.push(domain.clone(), rc.clone());
            }
            Some(list) => {
                for r in list {
                    match self.sg(r) {
                        Some(gi) => {
                            let (s, m) = sg_match(gi);
                            if s {
                                sure.push(domain.clone(), rc.clone());
                                why = format!(" from members of {}", self.sg_name(gi));
                            }
                            if m {
                                maybe.push(domain.clone(), rc.clone());
                            }
                        }
                        None => {
                            let carried = match &peer.sgs {
                                Sgs::Known { missing, .. } => missing.iter().any(|k| k == r.key()),
                                _ => false,
                            };
                            if carried {
                                sure.push(domain.clone(), rc.clone());
                                why = format!(" from members of {}", r.key());
                            } else if !matches!(peer.sgs, Sgs::NotApplicable) {
                                notes.push(format!(
                                    "`{}` refers to security group `{}`, not in the input",
                                    rule.meta.address,
                                    r.key()
                                ));
                            }
                        }
                    }
                }
            }
        }
        match rule.prefix_lists.get() {
            None => {
                notes.push(format!(
                    "unknown because the prefix lists of `{}` are unknown",
                    rule.meta.address
                ));
                maybe.push(domain.clone(), rc.clone());
            }
            Some(list) => {
                for r in list {
                    match self.prefix_list(r) {
                        PrefixList::CloudFront => {
                            if peer.kind == EndKind::CloudFront {
                                sure.push(domain.clone(), rc.clone());
                                maybe.push(domain.clone(), rc.clone());
                                why = " from CloudFront only (managed prefix list)".into();
                            }
                        }
                        PrefixList::Service(svc) => {
                            let is = match peer.kind {
                                EndKind::S3Bucket => svc == "s3",
                                _ => false,
                            };
                            if is {
                                sure.push(domain.clone(), rc.clone());
                                maybe.push(domain.clone(), rc.clone());
                                why = format!(" to the {svc} prefix list");
                            }
                        }
                        PrefixList::Unknown(reason) => {
                            if matches!(peer.places, Places::External { .. }) {
                                notes.push(format!("unknown because {reason}"));
                                maybe.push(domain.clone(), rc.clone());
                            }
                        }
                    }
                }
            }
        }
        (sure, maybe, why)
    }

    fn nacl_eval_side(
        &self,
        subnet: usize,
        owner: &str,
        peer: &Place,
        req: &Conns,
        ingress: bool,
    ) -> Eval {
        let info = self.subnets.get(subnet);
        let empty = NaclView {
            name: "?".into(),
            loc: None,
            ingress: Vec::new(),
            egress: Vec::new(),
            assumed: None,
            unknown: Vec::new(),
        };
        let view = info.map(|i| &i.nacl).unwrap_or(&empty);
        let (req_rules, reply_rules) = if ingress {
            (&view.ingress, &view.egress)
        } else {
            (&view.egress, &view.ingress)
        };
        let domain = &peer.domain;
        let reply = reply_conns(req);
        let mut result = [Space::empty(), Space::empty()];
        let mut hits = Vec::new();
        let mut notes: Vec<String> = view
            .unknown
            .iter()
            .map(|u| format!("unknown because {u}"))
            .collect();
        if let Some(a) = &view.assumed {
            notes.push(a.clone());
        }
        let modes: &[bool] = if view.unknown.is_empty() {
            &[false]
        } else {
            &[false, true]
        };
        for (i, &unknown_allows) in modes.iter().enumerate() {
            let detailed = i == 0 && self.detailed.get();
            let (fwd, fh) = nacl_eval(req_rules, domain, req, unknown_allows, detailed);
            let (back, bh) = nacl_eval(reply_rules, domain, &reply, unknown_allows, detailed);
            // Replies: per address, which request protocols get replies back.
            let mut back_req = Space::empty();
            for (set, c) in &back.0 {
                back_req.push(set.clone(), request_from_reply(c, req));
            }
            result[i] = fwd.intersect(&back_req);
            if i == 0 {
                let fdir = if ingress { "in" } else { "out" };
                for (h, _) in fh {
                    hits.push(Hit {
                        what: format!("{} ({fdir})", h.what),
                        ..h
                    });
                }
                for (h, _) in bh {
                    hits.push(Hit {
                        what: format!("{} (replies)", h.what),
                        ..h
                    });
                }
                let partial = back.0.iter().any(|(_, c)| {
                    Protocol::ALL
                        .iter()
                        .any(|&p| !c.get(p).is_empty() && *c.get(p) != ephemeral())
                });
                if partial {
                    notes.push(format!(
                        "replies are allowed to only part of the ephemeral ports 1024-65535 ({}); clients using other source ports fail",
                        back.conns()
                    ));
                }
            }
        }
        if modes.len() == 1 {
            result[1] = result[0].clone();
        }
        let [sure, maybe] = result;
        // What it lets through for every (IPv4) address, both ways.
        let key = (subnet, ingress, req.clone());
        let cached = self.nacl_open.borrow().get(&key).cloned();
        let open = match cached {
            Some(o) => o,
            None => {
                let v4 = crate::net::v4_all();
                let (all_fwd, _) = nacl_eval(req_rules, &v4, req, false, false);
                let (all_back, _) = nacl_eval(reply_rules, &v4, &reply, false, false);
                let mut back_req = Space::empty();
                for (set, c) in &all_back.0 {
                    back_req.push(set.clone(), request_from_reply(c, req));
                }
                let o = all_fwd.intersect(&back_req).conns_everywhere(&v4);
                self.nacl_open.borrow_mut().insert(key, o.clone());
                o
            }
        };
        let control = true;
        let dir = if ingress { "into" } else { "out of" };
        Eval {
            kind: LayerKind::Nacl,
            name: format!("network ACL `{}` ({dir} `{owner}`)", view.name),
            id: format!("network ACL {dir} `{owner}`"),
            side: if ingress { Side::Src } else { Side::Dst },
            sure,
            maybe,
            hits,
            notes,
            control,
            open: Some(open),
        }
    }

    /// Routing from the source's subnet towards the destination.
    fn route_eval(
        &self,
        src: &End,
        dst: &End,
        subnet: usize,
        p: &Place,
        q: &Place,
        req: &Conns,
    ) -> (Eval, Option<String>) {
        let info = self.subnets.get(subnet);
        let view = info.map(|i| &i.route);
        let table = view
            .and_then(|v| v.table.clone())
            .unwrap_or_else(|| "?".into());
        let name = format!("route table `{table}` (from `{}`)", src.id);
        let id = format!("routing from `{}`", src.id);
        let mut sure = Space::empty();
        let mut maybe = Space::empty();
        let mut hits = Vec::new();
        let mut notes: Vec<String> = view
            .map(|v| {
                v.unknown
                    .iter()
                    .map(|u| format!("unknown because {u}"))
                    .collect()
            })
            .unwrap_or_default();
        let mut vias: Vec<String> = Vec::new();
        let any_unknown = !notes.is_empty();
        let loc = view.and_then(|v| v.loc.clone());
        // Gateway endpoints for S3 come first (their prefix list is more
        // specific than any default route).
        if dst.kind == EndKind::S3Bucket {
            if let Some(v) = view {
                for (_, _, via, meta) in &v.routes {
                    if let Via::Endpoint(i) = via {
                        let svc = self
                            .aws
                            .vpc_endpoints
                            .get(*i)
                            .and_then(|e| e.service_name.get().cloned())
                            .unwrap_or_default();
                        if svc.ends_with(".s3") {
                            let text = via_text(self, via);
                            if self.detailed.get() {
                                hits.push(Hit::new(
                                    true,
                                    format!("S3 prefix list → {text}"),
                                    meta.as_ref().map(|m| &m.loc),
                                ));
                            }
                            vias.push(text);
                            let s = Space::uniform(&q.domain, req.clone());
                            return (
                                Eval {
                                    kind: LayerKind::Route,
                                    name,
                                    id,
                                    side: Side::Dst,
                                    sure: s.clone(),
                                    maybe: s,
                                    hits,
                                    notes,
                                    control: false,
                                    open: None,
                                },
                                vias.first().cloned(),
                            );
                        }
                    }
                }
            }
        }
        for (part, decision) in self.lookup(subnet, &q.domain) {
            let Some((via, meta)) = decision else {
                if self.detailed.get() {
                    hits.push(Hit::new(
                        false,
                        format!("no route to {}", self.show_set(&part)),
                        loc.as_ref(),
                    ));
                }
                continue;
            };
            let at = meta.as_ref().map(|m| m.loc.clone()).or_else(|| loc.clone());
            let text = via_text(self, &via);
            let (ok, unsure, why): (bool, bool, String) = match &via {
                Via::Local => {
                    if q.subnet.is_some() && q.vpc == p.vpc {
                        (true, false, "local route".into())
                    } else {
                        (
                            false,
                            false,
                            "the local route keeps it inside the VPC".into(),
                        )
                    }
                }
                Via::Peering(i) => {
                    let pc = self.aws.vpc_peerings.get(*i);
                    let ends: Vec<Option<usize>> = pc
                        .map(|pc| {
                            vec![
                                pc.vpc.get().and_then(|r| self.vpc(r)),
                                pc.peer_vpc.get().and_then(|r| self.vpc(r)),
                            ]
                        })
                        .unwrap_or_default();
                    let joins = q.subnet.is_some()
                        && ends.contains(&p.vpc)
                        && ends.contains(&q.vpc)
                        && p.vpc != q.vpc;
                    let unknown = ends.iter().any(Option::is_none);
                    (joins, unknown && !joins, text.clone())
                }
                Via::InternetGateway(_) => {
                    if q.subnet.is_some() {
                        (
                            false,
                            false,
                            "the internet gateway does not lead into the VPC".into(),
                        )
                    } else {
                        match &src.public {
                            Tri::Yes(w) => (true, false, format!("{text}; {w}")),
                            Tri::No(w) => (
                                false,
                                false,
                                format!("{text}, but {w}: the internet gateway drops it"),
                            ),
                            Tri::Unknown(w) => (false, true, format!("{text}; {w}")),
                        }
                    }
                }
                Via::EgressOnly(_) => (q.subnet.is_none(), false, text.clone()),
                Via::Nat(i) => {
                    if q.subnet.is_some() {
                        (false, false, format!("{text} does not lead into a VPC"))
                    } else {
                        let nat = self.aws.nat_gateways.get(*i);
                        let public = nat.map(|n| !n.public.is_false()).unwrap_or(true);
                        if public {
                            (true, false, format!("{text} (outbound-initiated only)"))
                        } else {
                            (
                                false,
                                false,
                                format!("{text} is private: it does not reach the internet"),
                            )
                        }
                    }
                }
                Via::Endpoint(_) => (false, false, text.clone()),
                Via::Blackhole => (false, false, "blackhole route".into()),
                Via::Beyond(s) => (false, true, format!("{s}: beyond the input")),
                Via::Unknown(r) => (false, true, r.clone()),
            };
            if ok {
                let mut c = req.clone();
                if let Via::Nat(i) = &via {
                    c = self.nat_legs(*i, p, &q.domain, req, &mut hits, &mut notes);
                }
                sure.push(part.clone(), c.clone());
                maybe.push(part.clone(), c);
                if self.detailed.get() {
                    hits.push(Hit::new(
                        true,
                        format!("{} → {why}", self.show_set(&part)),
                        at.as_ref(),
                    ));
                }
                if !vias.contains(&text) {
                    vias.push(text);
                }
            } else {
                if unsure {
                    maybe.push(part.clone(), req.clone());
                    notes.push(format!("unknown because {why}"));
                }
                if self.detailed.get() {
                    hits.push(Hit::new(
                        false,
                        format!("{} → {why}", self.show_set(&part)),
                        at.as_ref(),
                    ));
                }
            }
        }
        if any_unknown {
            maybe = Space::uniform(&q.domain, req.clone());
        }
        let _ = dst;
        (
            Eval {
                kind: LayerKind::Route,
                name,
                id,
                side: Side::Dst,
                sure,
                maybe,
                hits,
                notes,
                control: false,
                open: None,
            },
            vias.first().cloned(),
        )
    }

    /// The NAT gateway's subnet ACL on both legs (client → NAT, NAT → internet).
    fn nat_legs(
        &self,
        nat: usize,
        p: &Place,
        dest: &IpSet,
        req: &Conns,
        hits: &mut Vec<Hit>,
        notes: &mut Vec<String>,
    ) -> Conns {
        let Some(n) = self.aws.nat_gateways.get(nat) else {
            return req.clone();
        };
        let Some(s) = n.subnet.get().and_then(|r| self.subnet(r)) else {
            notes.push(format!(
                "the subnet of `{}` is not in the input",
                n.meta.address
            ));
            return req.clone();
        };
        if Some(s) == p.subnet {
            return req.clone();
        }
        let leg1 = self.nacl_eval_side(s, &n.meta.address, p, req, true);
        let out_place = Place {
            subnet: None,
            vpc: None,
            domain: dest.clone(),
            opaque: false,
            exact: true,
            note: None,
        };
        let leg2 = self.nacl_eval_side(s, &n.meta.address, &out_place, req, false);
        for h in leg1.hits.iter().chain(leg2.hits.iter()) {
            if self.detailed.get() {
                hits.push(Hit {
                    what: format!("NAT subnet ACL: {}", h.what),
                    ..h.clone()
                });
            }
        }
        notes.extend(leg1.notes);
        notes.extend(leg2.notes);
        leg1.sure.conns().intersect(&leg2.sure.conns())
    }

    /// The destination subnet must route replies back to the source.
    fn return_route_eval(
        &self,
        src: &End,
        dst: &End,
        subnet: usize,
        p: &Place,
        q: &Place,
        req: &Conns,
    ) -> Eval {
        let info = self.subnets.get(subnet);
        let view = info.map(|i| &i.route);
        let table = view
            .and_then(|v| v.table.clone())
            .unwrap_or_else(|| "?".into());
        let loc = view.and_then(|v| v.loc.clone());
        let mut sure = Space::empty();
        let mut maybe = Space::empty();
        let mut hits = Vec::new();
        let mut notes: Vec<String> = view
            .map(|v| {
                v.unknown
                    .iter()
                    .map(|u| format!("unknown because {u}"))
                    .collect()
            })
            .unwrap_or_default();
        let any_unknown = !notes.is_empty();
        let kind = LayerKind::Route;
        for (part, decision) in self.lookup(subnet, &p.domain) {
            let Some((via, meta)) = decision else {
                if self.detailed.get() {
                    hits.push(Hit::new(
                        false,
                        format!("no route back to {}", self.show_set(&part)),
                        loc.as_ref(),
                    ));
                }
                continue;
            };
            let at = meta.as_ref().map(|m| m.loc.clone()).or_else(|| loc.clone());
            let text = via_text(self, &via);
            let (ok, unsure, why) = match &via {
                // The public address itself is its own layer.
                Via::InternetGateway(_) if p.subnet.is_none() => {
                    (true, false, format!("replies via {text}"))
                }
                Via::Nat(_) if p.subnet.is_none() => (
                    false,
                    false,
                    format!("replies would leave through {text}: the internet cannot initiate connections through NAT"),
                ),
                Via::Peering(i) => {
                    let pc = self.aws.vpc_peerings.get(*i);
                    let ends: Vec<Option<usize>> = pc
                        .map(|pc| vec![pc.vpc.get().and_then(|r| self.vpc(r)), pc.peer_vpc.get().and_then(|r| self.vpc(r))])
                        .unwrap_or_default();
                    // A source outside the modelled subnets (an address
                    // range) is in the peer VPC when that VPC's CIDR holds it.
                    let src_in_peer = if p.subnet.is_some() {
                        ends.contains(&p.vpc)
                    } else {
                        ends.iter().flatten().any(|&v| {
                            Some(v) != q.vpc
                                && matches!(self.vpc_cidrs.get(v), Some((_, Ok(c))) if p.domain.is_subset(c))
                        })
                    };
                    let joins = src_in_peer && ends.contains(&q.vpc);
                    (joins, ends.iter().any(Option::is_none) && !joins, format!("replies via {text}"))
                }
                Via::Local => (false, false, "the local route keeps replies inside the VPC".into()),
                Via::Blackhole => (false, false, "blackhole route".into()),
                Via::Beyond(s) => (false, true, format!("{s}: beyond the input")),
                Via::Unknown(r) => (false, true, r.clone()),
                _ => (false, false, format!("replies go to {text}")),
            };
            if ok {
                sure.push(part.clone(), req.clone());
                maybe.push(part.clone(), req.clone());
                if self.detailed.get() {
                    hits.push(Hit::new(
                        true,
                        format!("{} ← {why}", self.show_set(&part)),
                        at.as_ref(),
                    ));
                }
            } else {
                if unsure {
                    maybe.push(part.clone(), req.clone());
                    notes.push(format!("unknown because {why}"));
                }
                if self.detailed.get() {
                    hits.push(Hit::new(
                        false,
                        format!("{} ← {why}", self.show_set(&part)),
                        at.as_ref(),
                    ));
                }
            }
        }
        if any_unknown {
            maybe = Space::uniform(&p.domain, req.clone());
        }
        let _ = src;
        Eval {
            kind,
            name: format!("route table `{table}` (replies from `{}`)", dst.id),
            id: format!("return routing of `{}`", dst.id),
            side: Side::Src,
            sure,
            maybe,
            hits,
            notes,
            control: false,
            open: None,
        }
    }
}

fn peer_has_sg(peer: &End, gi: usize) -> bool {
    matches!(&peer.sgs, Sgs::Known { groups, .. } if groups.contains(&gi))
}

fn sg_list(net: &Net<'_>, groups: &[usize], missing: &[String]) -> String {
    let mut v: Vec<String> = groups.iter().map(|&g| net.sg_name(g)).collect();
    v.extend(missing.iter().map(|m| format!("{m} (not in the input)")));
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

impl Net<'_> {
    /// An address set for people: the internet by name, else CIDRs.
    fn show_set(&self, s: &IpSet) -> String {
        let inet = &self.internet;
        let v4 = !inet.v4.is_empty() && inet.v4.is_subset(&s.v4);
        let v6 = !inet.v6.is_empty() && inet.v6.is_subset(&s.v6);
        let rest = IpSet {
            v4: if v4 {
                s.v4.subtract(&inet.v4)
            } else {
                s.v4.clone()
            },
            v6: if v6 {
                s.v6.subtract(&inet.v6)
            } else {
                s.v6.clone()
            },
        };
        let mut parts = Vec::new();
        match (v4, v6) {
            (true, true) => parts.push("the internet".to_string()),
            (true, false) => parts.push("the IPv4 internet".to_string()),
            (false, true) => parts.push("the IPv6 internet".to_string()),
            _ => {}
        }
        if !rest.is_empty() {
            parts.push(short_set(&rest));
        }
        parts.join(" and ")
    }
}

/// A short text for an address set.
pub fn short_set(s: &IpSet) -> String {
    if *s == IpSet::all() {
        return "everything".into();
    }
    let v = s.to_cidrs();
    if v.len() > 3 {
        format!("{} and {} more", v[..3].join(", "), v.len() - 3)
    } else {
        v.join(", ")
    }
}

/// Sure and possible connections of one layer, reduced over its domain.
fn reduce(sure: &Space, maybe: &Space, domain: Option<&Place>) -> (Conns, Conns) {
    match domain {
        Some(p) if p.opaque => (sure.conns_everywhere(&p.domain), maybe.conns()),
        _ => (sure.conns(), maybe.conns()),
    }
}

/// The pair's end-to-end sure and possible connections.
fn joint(evals: &[Eval], p: &Place, q: &Place) -> (Conns, Conns) {
    let side = |s: Side, place: &Place, sure: bool| -> Conns {
        let mut acc: Option<Space> = None;
        for e in evals.iter().filter(|e| e.side == s) {
            let sp = if sure { &e.sure } else { &e.maybe };
            acc = Some(match acc {
                None => sp.clone(),
                Some(a) => a.intersect(sp),
            });
        }
        match acc {
            None => Conns::all(),
            Some(a) if place.opaque && sure => a.conns_everywhere(&place.domain),
            Some(a) => a.conns(),
        }
    };
    let mut consts_s = Conns::all();
    let mut consts_m = Conns::all();
    for e in evals.iter().filter(|e| e.side == Side::Const) {
        consts_s = consts_s.intersect(&e.sure.conns());
        consts_m = consts_m.intersect(&e.maybe.conns());
    }
    let s = side(Side::Src, p, true)
        .intersect(&side(Side::Dst, q, true))
        .intersect(&consts_s);
    let m = side(Side::Src, p, false)
        .intersect(&side(Side::Dst, q, false))
        .intersect(&consts_m);
    (s, m)
}

/// Parses `tcp`, `udp`, `tcp:443`, `443` into connections.
pub fn request(protocol: Option<&str>, port: Option<&str>) -> Result<Conns, String> {
    let ports = match port {
        None => IntervalSet::full(),
        Some(p) => {
            let (lo, hi) = match p.split_once('-') {
                Some((a, b)) => (a, b),
                None => (p, p),
            };
            let lo: u16 = lo
                .trim()
                .parse()
                .map_err(|_| format!("`{p}` is not a port or range"))?;
            let hi: u16 = hi
                .trim()
                .parse()
                .map_err(|_| format!("`{p}` is not a port or range"))?;
            if lo > hi {
                return Err(format!("`{p}`: empty range"));
            }
            IntervalSet::range(lo, hi)
        }
    };
    match protocol {
        None if port.is_none() => Ok(Conns::all()),
        None => {
            Ok(Conns::ports(Protocol::Tcp, ports.clone())
                .union(&Conns::ports(Protocol::Udp, ports)))
        }
        Some(pr) => match Protocol::parse(pr) {
            Some(p) => Ok(Conns::ports(p, ports)),
            None => proto_conns(pr, None, None).map_err(|_| format!("unknown protocol `{pr}`")),
        },
    }
}
