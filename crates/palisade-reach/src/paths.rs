//! Paths: chains of hops from a source to a destination, through proxies
//! (CloudFront, load balancers, interface endpoints, which open a new
//! connection on the traffic's behalf) and through compute (pods, nodes,
//! instances, Lambda: a *pivot*, where an attacker who controls the code
//! opens the next connection). Every hop lists every layer with its
//! verdict and the rule that decided it; a path counts the independent
//! controls it crosses (layers that restrict its traffic).
//!
//! Also here: the exposure of every data store (who reaches it, with how
//! many controls on each path) and the blast radius of an endpoint
//! (everything it reaches directly).

use crate::conns::Conns;
use crate::hop::{Hop, Verdict};
use crate::ip::IpSet;
use crate::net::{End, EndKind, Net, Places, Sgs, Tri};
use serde::Serialize;
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::rc::Rc;

/// Limits of the path search.
#[derive(Clone, Debug)]
pub struct PathOptions {
    /// Longest chain, in hops.
    pub max_hops: usize,
    /// How many compute endpoints a path may pass through.
    pub max_pivots: usize,
    /// Stop after this many paths (the report says so).
    pub max_paths: usize,
}

impl Default for PathOptions {
    fn default() -> Self {
        PathOptions {
            max_hops: 5,
            max_pivots: 1,
            max_paths: 200,
        }
    }
}

/// A chain of hops.
#[derive(Clone, Debug, Serialize)]
pub struct Path {
    /// Endpoints in order, source first.
    pub ends: Vec<String>,
    pub verdict: Verdict,
    /// What surely gets through the last hop (given the earlier hops).
    pub conns: Conns,
    pub possibly: Conns,
    /// Independent controls crossed (distinct restricting layers).
    pub controls: Vec<String>,
    /// Compute endpoints passed through.
    pub pivots: Vec<String>,
    pub hops: Vec<Hop>,
}

/// The answer to `paths --from SRC --to DST`.
#[derive(Clone, Debug, Serialize)]
pub struct PathsReport {
    pub from: String,
    pub to: String,
    pub request: Conns,
    /// The direct hop, allowed or not.
    pub direct: Hop,
    /// Layers that block the direct hop on their own.
    pub blocked_by: Vec<String>,
    /// Allowed (or undecidable) paths, shortest first.
    pub paths: Vec<Path>,
    pub truncated: bool,
}

/// One source of a data store.
#[derive(Clone, Debug, Serialize)]
pub struct Exposure {
    pub store: String,
    pub kind: String,
    /// Direct sources: endpoints whose own connections reach the store.
    pub sources: Vec<Source>,
    /// Paths from the internet (through proxies and one pivot).
    pub internet_paths: Vec<Path>,
    /// Fewest controls on an internet path (`None` when none exists).
    pub min_internet_controls: Option<usize>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Source {
    pub source: String,
    pub kind: String,
    pub verdict: Verdict,
    pub conns: Conns,
    pub possibly: Conns,
    pub controls: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Everything one endpoint reaches directly.
#[derive(Clone, Debug, Serialize)]
pub struct BlastRadius {
    pub from: String,
    pub reach: Vec<Source>,
}

/// Hop evaluation with a cache keyed by endpoint profiles.
pub struct Analysis<'n, 'm> {
    pub net: &'n Net<'m>,
    pub opts: PathOptions,
    cache: RefCell<HashMap<(u64, u64, u64), Rc<Hop>>>,
    summary: RefCell<HashMap<(u64, u64, u64), Rc<Hop>>>,
    admits: RefCell<HashMap<usize, Option<Rc<Admit>>>>,
    src_addrs: RefCell<HashMap<usize, Option<Rc<IpSet>>>>,
}

/// Who a destination's security groups can admit at all: a cheap,
/// conservative pre-check (a source outside it is surely denied).
struct Admit {
    groups: HashSet<usize>,
    cidrs: IpSet,
}

impl<'n, 'm> Analysis<'n, 'm> {
    pub fn new(net: &'n Net<'m>) -> Self {
        Analysis {
            net,
            opts: PathOptions::default(),
            cache: RefCell::new(HashMap::new()),
            summary: RefCell::new(HashMap::new()),
            admits: RefCell::new(HashMap::new()),
            src_addrs: RefCell::new(HashMap::new()),
        }
    }

    /// The hop `a → b` (cached for ends of equal profiles).
    pub fn hop(&self, a: usize, b: usize, req: &Conns) -> Rc<Hop> {
        let (Some(ea), Some(eb)) = (self.net.ends.get(a), self.net.ends.get(b)) else {
            return Rc::new(self.net.hop(a, b, req));
        };
        let _ = (ea, eb);
        let key = (a as u64, b as u64, conns_key(req));
        if let Some(h) = self.cache.borrow().get(&key) {
            if h.possibly.is_subset_of(req) {
                return h.clone();
            }
        }
        let h = Rc::new(self.net.hop(a, b, req));
        self.cache.borrow_mut().insert(key, h.clone());
        h
    }

    /// Number of distinct hop evaluations so far.
    pub fn evaluations(&self) -> usize {
        self.cache.borrow().len() + self.summary.borrow().len()
    }

    fn summary_key(&self, i: usize, peer: usize, as_src: bool) -> u64 {
        let ends = &self.net.ends;
        let (Some(e), Some(p)) = (ends.get(i), ends.get(peer)) else {
            return 0;
        };
        if e.group.is_some() && p.group.is_none() {
            if let Some(Some(pp)) = self.net.pod_profiles.get(i) {
                return if as_src { pp.egress } else { pp.ingress };
            }
        }
        e.profile
    }

    /// The hop `a → b`, possibly computed for other endpoints that every
    /// layer treats alike (pods with the same placement, security groups
    /// and NetworkPolicy decisions towards addresses): verdicts, connections
    /// and controls are exact; rule hits may name the other endpoint's
    /// policies. For summaries (exposure, blast radius, path search).
    pub fn hop_summary(&self, a: usize, b: usize, req: &Conns) -> Rc<Hop> {
        let (Some(ea), Some(eb)) = (self.net.ends.get(a), self.net.ends.get(b)) else {
            return Rc::new(self.net.hop(a, b, req));
        };
        let h = self.summary_raw(a, b, req);
        if h.from == ea.id && h.to == eb.id {
            return h;
        }
        let mut h2 = (*h).clone();
        let (of, nf) = (format!("`{}`", h.from), format!("`{}`", ea.id));
        let (ot, nt) = (format!("`{}`", h.to), format!("`{}`", eb.id));
        for l in &mut h2.layers {
            l.name = l.name.replace(&of, &nf).replace(&ot, &nt);
            l.control_id = l.control_id.replace(&of, &nf).replace(&ot, &nt);
        }
        h2.from = ea.id.clone();
        h2.to = eb.id.clone();
        Rc::new(h2)
    }

    /// The cached hop for endpoints treated alike, as computed for the
    /// first of them (names may be another endpoint's).
    fn summary_raw(&self, a: usize, b: usize, req: &Conns) -> Rc<Hop> {
        let key = (
            self.summary_key(a, b, true),
            self.summary_key(b, a, false),
            conns_key(req),
        );
        if let Some(h) = self.summary.borrow().get(&key) {
            if h.possibly.is_subset_of(req) {
                return h.clone();
            }
        }
        self.net.detailed.set(false);
        let h = Rc::new(self.net.hop(a, b, req));
        self.net.detailed.set(true);
        self.summary.borrow_mut().insert(key, h.clone());
        h
    }

    /// What `a` reaches at `b` (verdict and connections are exact; the hop
    /// may have been computed for an equivalent endpoint).
    fn reaches(&self, a: usize, b: usize, req: &Conns) -> bool {
        !self.surely_denied(a, b) && !self.summary_raw(a, b, req).possibly.is_empty()
    }

    /// The destination's security groups admit nothing from `a` (no rule
    /// names a group of `a`, no CIDR rule covers an address of `a`, and
    /// nothing about it is unknown).
    fn surely_denied(&self, a: usize, b: usize) -> bool {
        let admit = {
            let cached = self.admits.borrow().get(&b).cloned();
            match cached {
                Some(x) => x,
                None => {
                    let x = self.admit_of(b).map(Rc::new);
                    self.admits.borrow_mut().insert(b, x.clone());
                    x
                }
            }
        };
        let (Some(admit), Some(src)) = (admit, self.net.ends.get(a)) else {
            return false;
        };
        let groups = match &src.sgs {
            Sgs::Known {
                groups, missing, ..
            } if missing.is_empty() => groups,
            Sgs::NotApplicable => &Vec::new(),
            _ => return false,
        };
        if groups.iter().any(|g| admit.groups.contains(g)) {
            return false;
        }
        let cached = self.src_addrs.borrow().get(&a).cloned();
        let addrs = match cached {
            Some(x) => x,
            None => {
                let x = match &src.places {
                    Places::Subnets(v) => {
                        let mut set = Some(IpSet::empty());
                        for &s in v {
                            set = match (set, self.net.subnets.get(s).map(|i| &i.cidr)) {
                                (Some(acc), Some(Ok(c))) => Some(acc.union(c)),
                                _ => None,
                            };
                        }
                        set
                    }
                    Places::External { addrs, .. } => Some(addrs.clone()),
                    Places::Unknown(_) => None,
                };
                let x = x.map(Rc::new);
                self.src_addrs.borrow_mut().insert(a, x.clone());
                x
            }
        };
        addrs.is_some_and(|addrs| addrs.intersect(&admit.cidrs).is_empty())
    }

    fn admit_of(&self, b: usize) -> Option<Admit> {
        let e = self.net.ends.get(b)?;
        let Sgs::Known {
            groups, missing, ..
        } = &e.sgs
        else {
            return None;
        };
        if !missing.is_empty() {
            return None;
        }
        let mut admit = Admit {
            groups: HashSet::new(),
            cidrs: IpSet::empty(),
        };
        for &g in groups {
            let (rules, defaults) = self.net.sg_rules(g);
            if defaults.is_some() {
                return None;
            }
            for (ri, rule) in rules.into_iter().filter(|(_, r)| r.ingress) {
                let (Some((conns, cidrs)), Some(sources), Some(pls)) = (
                    self.net.sg_rule_parsed.get(ri),
                    rule.source_groups.get(),
                    rule.prefix_lists.get(),
                ) else {
                    return None;
                };
                if conns.is_err()
                    || !pls.is_empty()
                    || rule.cidrs_v4.get().is_none()
                    || rule.cidrs_v6.get().is_none()
                {
                    return None;
                }
                for (_, c) in cidrs {
                    admit.cidrs = admit.cidrs.union(c.as_ref().ok()?);
                }
                for r in sources {
                    admit.groups.insert(self.net.sg(r)?);
                }
                if rule.self_ref {
                    admit.groups.insert(g);
                }
            }
        }
        Some(admit)
    }

    /// A line for `s → d` from a summary hop, naming `s` (or `d` when
    /// `name_dst`).
    fn source(&self, s: usize, d: usize, req: &Conns) -> Option<Source> {
        self.line(s, d, req, false)
    }

    fn line(&self, s: usize, d: usize, req: &Conns, name_dst: bool) -> Option<Source> {
        if self.surely_denied(s, d) {
            return None;
        }
        let h = self.summary_raw(s, d, req);
        if h.possibly.is_empty() {
            return None;
        }
        let (ea, eb) = (self.net.ends.get(s)?, self.net.ends.get(d)?);
        let mut src = source_of(if name_dst { eb } else { ea }, &h);
        let (of, nf) = (format!("`{}`", h.from), format!("`{}`", ea.id));
        let (ot, nt) = (format!("`{}`", h.to), format!("`{}`", eb.id));
        if of != nf || ot != nt {
            for c in &mut src.controls {
                *c = c.replace(&of, &nf).replace(&ot, &nt);
            }
        }
        Some(src)
    }

    /// Where a proxy can send traffic (among the destination and other
    /// proxies: what matters to reach the destination through it).
    fn proxy_targets(&self, p: usize, dst: usize, proxies: &[usize]) -> Vec<usize> {
        let Some(e) = self.net.ends.get(p) else {
            return Vec::new();
        };
        match &e.kind {
            EndKind::CloudFront | EndKind::InterfaceEndpoint { .. } => e.forwards.clone(),
            EndKind::LoadBalancer { .. } => std::iter::once(dst)
                .chain(proxies.iter().copied().filter(|&i| {
                    i != p
                        && self
                            .net
                            .ends
                            .get(i)
                            .is_some_and(|x| x.kind != EndKind::CloudFront)
                }))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Proxies that lead to `dst` (through other proxies), and compute
    /// endpoints that reach `dst` directly or through those proxies.
    fn useful(&self, dst: usize, req: &Conns) -> (HashSet<usize>, HashSet<usize>) {
        let proxies: Vec<usize> = (0..self.net.ends.len())
            .filter(|&i| i != dst && self.net.ends.get(i).is_some_and(|e| e.kind.is_proxy()))
            .collect();
        let mut useful_proxies: HashSet<usize> = HashSet::new();
        loop {
            let mut grew = false;
            for &p in &proxies {
                if useful_proxies.contains(&p) {
                    continue;
                }
                let ok = self.proxy_targets(p, dst, &proxies).into_iter().any(|t| {
                    let r = if t == dst { req.clone() } else { Conns::all() };
                    (t == dst || useful_proxies.contains(&t)) && self.reaches(p, t, &r)
                });
                if ok {
                    useful_proxies.insert(p);
                    grew = true;
                }
            }
            if !grew {
                break;
            }
        }
        let mut pivots = HashSet::new();
        for (i, e) in self.net.ends.iter().enumerate() {
            if i == dst || !e.kind.is_compute() {
                continue;
            }
            if self.reaches(i, dst, req)
                || useful_proxies
                    .iter()
                    .any(|&p| self.reaches(i, p, &Conns::all()))
            {
                pivots.insert(i);
            }
        }
        (useful_proxies, pivots)
    }

    /// Next endpoints a path may continue to from `cur`, given the pivots
    /// already passed.
    fn next_of(
        &self,
        cur: usize,
        first: bool,
        pivots: usize,
        dst: usize,
        useful: &(HashSet<usize>, HashSet<usize>),
    ) -> Vec<usize> {
        let Some(e) = self.net.ends.get(cur) else {
            return Vec::new();
        };
        let max = self.opts.max_pivots;
        let ok = |i: usize| -> bool {
            if i == cur {
                return false;
            }
            if i == dst {
                return true;
            }
            let Some(x) = self.net.ends.get(i) else {
                return false;
            };
            if x.kind.is_compute() {
                // A new pivot: allowed while pivots remain; the last one
                // must lead to the destination.
                pivots < max && (pivots + 1 < max || useful.1.contains(&i))
            } else if x.kind.is_proxy() {
                pivots < max || useful.0.contains(&i)
            } else {
                false
            }
        };
        let candidates: Vec<usize> = if first || e.kind.is_compute() {
            if e.kind.is_compute() && !first && pivots > max {
                return Vec::new();
            }
            (0..self.net.ends.len()).collect()
        } else if e.kind.is_proxy() {
            match &e.kind {
                EndKind::LoadBalancer { .. } => (0..self.net.ends.len())
                    .filter(|&i| {
                        self.net.ends.get(i).is_some_and(|x| {
                            i == dst
                                || x.kind.is_compute()
                                || matches!(x.kind, EndKind::InterfaceEndpoint { .. })
                        })
                    })
                    .collect(),
                _ => e.forwards.clone(),
            }
        } else {
            return Vec::new();
        };
        candidates.into_iter().filter(|&i| ok(i)).collect()
    }

    /// Every path from `src` to `dst` for connections `req` at `dst`.
    pub fn paths(&self, src: usize, dst: usize, req: &Conns) -> PathsReport {
        let direct = (*self.hop(src, dst, req)).clone();
        let blocked_by = direct.blocking();
        let useful = self.useful(dst, req);
        let mut found: Vec<Vec<usize>> = Vec::new();
        let mut truncated = false;
        let mut stack: Vec<(Vec<usize>, usize)> = vec![(vec![src], 0)];
        while let Some((path, pivots)) = stack.pop() {
            let Some(&cur) = path.last() else { continue };
            if path.len() > self.opts.max_hops {
                continue;
            }
            let is_pivot =
                path.len() > 1 && self.net.ends.get(cur).is_some_and(|e| e.kind.is_compute());
            let pivots = pivots + usize::from(is_pivot);
            let mut nexts = self.next_of(cur, path.len() == 1, pivots, dst, &useful);
            nexts.retain(|n| !path.contains(n));
            nexts.sort_by_key(|&n| std::cmp::Reverse(n == dst));
            for n in nexts.into_iter().rev() {
                let r = if n == dst { req.clone() } else { Conns::all() };
                if !self.reaches(cur, n, &r) {
                    continue;
                }
                let mut p2 = path.clone();
                p2.push(n);
                if n == dst {
                    if found.len() >= self.opts.max_paths {
                        truncated = true;
                        continue;
                    }
                    found.push(p2);
                } else if p2.len() <= self.opts.max_hops {
                    stack.push((p2, pivots));
                }
            }
        }
        let mut out: Vec<Path> = found
            .iter()
            .map(|p| {
                let hops: Vec<Rc<Hop>> = p
                    .windows(2)
                    .map(|w| {
                        let r = if w[1] == dst {
                            req.clone()
                        } else {
                            Conns::all()
                        };
                        self.hop(w[0], w[1], &r)
                    })
                    .collect();
                self.make_path(p, &hops)
            })
            .collect();
        out.sort_by(|a, b| a.hops.len().cmp(&b.hops.len()).then(a.ends.cmp(&b.ends)));
        PathsReport {
            from: self
                .net
                .ends
                .get(src)
                .map(|e| e.id.clone())
                .unwrap_or_default(),
            to: self
                .net
                .ends
                .get(dst)
                .map(|e| e.id.clone())
                .unwrap_or_default(),
            request: req.clone(),
            direct,
            blocked_by,
            paths: out,
            truncated,
        }
    }

    fn make_path(&self, ends: &[usize], hops: &[Rc<Hop>]) -> Path {
        let mut controls = BTreeSet::new();
        let mut verdict = Verdict::Allow;
        for h in hops {
            controls.extend(h.controls());
            match h.verdict {
                Verdict::Deny => verdict = Verdict::Deny,
                Verdict::Unknown if verdict == Verdict::Allow => verdict = Verdict::Unknown,
                _ => {}
            }
        }
        let last = hops.last();
        let pivots = ends
            .iter()
            .skip(1)
            .take(ends.len().saturating_sub(2))
            .filter_map(|&i| self.net.ends.get(i))
            .filter(|e| e.kind.is_compute())
            .map(|e| e.id.clone())
            .collect();
        Path {
            ends: ends
                .iter()
                .filter_map(|&i| self.net.ends.get(i))
                .map(|e| e.id.clone())
                .collect(),
            verdict,
            conns: if verdict == Verdict::Allow {
                last.map(|h| h.conns.clone()).unwrap_or_default()
            } else {
                Conns::none()
            },
            possibly: last.map(|h| h.possibly.clone()).unwrap_or_default(),
            controls: controls.into_iter().collect(),
            pivots,
            hops: hops.iter().map(|h| (**h).clone()).collect(),
        }
    }

    /// Who reaches each data store, and through how many controls.
    pub fn exposure(&self) -> Vec<Exposure> {
        let net = self.net;
        let mut out = Vec::new();
        for (d, store) in net.ends.iter().enumerate() {
            if !store.kind.is_data_store() {
                continue;
            }
            let mut sources = Vec::new();
            for (s, e) in net.ends.iter().enumerate() {
                if s == d || e.kind.is_data_store() || e.kind == EndKind::Cidr {
                    continue;
                }
                if e.kind == EndKind::CloudFront && !e.forwards.contains(&d) {
                    // CloudFront only connects to its origins.
                    continue;
                }
                sources.extend(self.source(s, d, &Conns::all()));
            }
            let internet = self.paths(0, d, &Conns::all());
            let internet_paths: Vec<Path> = internet.paths;
            let min_internet_controls = internet_paths
                .iter()
                .filter(|p| p.verdict != Verdict::Deny)
                .map(|p| p.controls.len())
                .min();
            out.push(Exposure {
                store: store.id.clone(),
                kind: store.kind.label().to_string(),
                sources,
                internet_paths,
                min_internet_controls,
            });
        }
        out
    }

    /// Everything `src` reaches with its own connections.
    pub fn blast_radius(&self, src: usize, req: &Conns) -> BlastRadius {
        let net = self.net;
        let mut reach = Vec::new();
        for (d, e) in net.ends.iter().enumerate() {
            if d == src || e.kind == EndKind::Cidr {
                continue;
            }
            reach.extend(self.line(src, d, req, true));
        }
        BlastRadius {
            from: net.ends.get(src).map(|e| e.id.clone()).unwrap_or_default(),
            reach,
        }
    }
}

/// A 64-bit key for a set of connections (FNV over its ranges). A hit is
/// also checked against the request (a hop never carries more than asked).
fn conns_key(c: &Conns) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |x: u64| {
        for b in x.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for (i, set) in [&c.tcp, &c.udp, &c.sctp].into_iter().enumerate() {
        eat(0xffff_0000 + i as u64);
        for &(lo, hi) in set.ranges() {
            eat(u64::from(lo) << 16 | u64::from(hi));
        }
    }
    eat(u64::from(c.other));
    h
}

fn source_of(e: &End, h: &Hop) -> Source {
    Source {
        source: e.id.clone(),
        kind: e.kind.label().to_string(),
        verdict: h.verdict,
        conns: h.conns.clone(),
        possibly: h.possibly.clone(),
        controls: h.controls(),
        notes: h
            .layers
            .iter()
            .flat_map(|l| {
                l.notes
                    .iter()
                    .filter(|n| n.starts_with("unknown because"))
                    .cloned()
            })
            .collect(),
    }
}

/// Resolves a `--from`/`--to` argument to endpoints: `internet`, a CIDR
/// (added as an endpoint), a resource address, a pod group
/// (`Deployment/ns/name`, `ns/name`), `any-pod`, `namespace:NS`.
pub fn resolve(net: &mut Net<'_>, key: &str) -> Result<Vec<usize>, String> {
    let k = key.trim();
    if k.eq_ignore_ascii_case("internet") {
        return Ok(vec![0]);
    }
    if k.eq_ignore_ascii_case("any-pod") {
        let v: Vec<usize> = net
            .ends
            .iter()
            .enumerate()
            .filter(|(_, e)| e.kind == EndKind::Pods)
            .map(|(i, _)| i)
            .collect();
        return if v.is_empty() {
            Err("no pods in the input".into())
        } else {
            Ok(v)
        };
    }
    if let Some(ns) = k.strip_prefix("namespace:") {
        let v: Vec<usize> = net
            .ends
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.group
                    .and_then(|g| net.cluster.groups.get(g))
                    .is_some_and(|g| g.namespace == ns)
            })
            .map(|(i, _)| i)
            .collect();
        return if v.is_empty() {
            Err(format!("no pods in namespace `{ns}`"))
        } else {
            Ok(v)
        };
    }
    if let Some(i) = net.find(k) {
        return Ok(vec![i]);
    }
    if let Ok(set) = IpSet::cidr(k) {
        return Ok(vec![add_cidr(net, k, set)]);
    }
    let mut hint: Vec<&str> = net
        .ends
        .iter()
        .map(|e| e.id.as_str())
        .filter(|id| id.contains(k) || k.contains(*id))
        .take(5)
        .collect();
    hint.sort_unstable();
    Err(if hint.is_empty() {
        format!("`{k}` is not `internet`, a CIDR, `any-pod`, `namespace:NS` or an endpoint of the input")
    } else {
        format!(
            "`{k}` is not an endpoint of the input; did you mean {}?",
            hint.join(", ")
        )
    })
}

/// Adds an endpoint for a CIDR: inside a subnet it is a host there (with
/// unknown security groups: none are assumed); outside, external addresses.
pub fn add_cidr(net: &mut Net<'_>, text: &str, set: IpSet) -> usize {
    let mut subnets = Vec::new();
    for (i, s) in net.subnets.iter().enumerate() {
        if let Ok(c) = &s.cidr {
            if set.is_subset(c) {
                subnets.push(i);
            }
        }
    }
    let places = if subnets.is_empty() {
        Places::External {
            addrs: set.clone(),
            opaque: false,
        }
    } else {
        Places::Subnets(subnets)
    };
    let inside = matches!(places, Places::Subnets(_));
    let end = End {
        id: text.to_string(),
        kind: EndKind::Cidr,
        loc: None,
        places,
        sgs: Sgs::NotApplicable,
        public: if set.intersect(&net.internet).is_empty() {
            Tri::No("private addresses".into())
        } else {
            Tri::Yes("public addresses".into())
        },
        listen: None,
        group: None,
        waf: None,
        forwards: Vec::new(),
        notes: if inside {
            vec![format!(
                "`{text}` is inside a subnet: a host there is assumed to have no security group"
            )]
        } else {
            Vec::new()
        },
        profile: crate::net::h64_pub(&["cidr", text]),
        only: inside.then(|| set.clone()),
    };
    net.ends.push(end);
    net.ends.len() - 1
}
