//! Blocklists from MON-07 alerts (bursts of errors or WAF blocks per client):
//! WAFv2 `UpdateIPSet` request bodies and a plain list.
//!
//! `UpdateIPSet` replaces the whole address list, IPv4 and IPv6 need separate
//! IP sets, `/0` is rejected and a set holds at most 10,000 addresses. So the
//! builder keeps the set's current addresses (as read with `GetIPSet`) first,
//! adds offending clients as host CIDRs (`/32`, `/128`) ranked by how many
//! events they caused, never lists anything overlapping an allow-listed CIDR,
//! and reports what did not fit.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use ipnet::IpNet;
use serde::Serialize;
use serde_json::{json, Value};

use crate::report::Alert;
use crate::util;

/// The WAFv2 limit on addresses per IP set.
pub const IP_SET_LIMIT: usize = 10_000;

/// Where an IP set lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Scope {
    /// For ALB, API Gateway, AppSync, Cognito.
    #[serde(rename = "REGIONAL")]
    Regional,
    /// For CloudFront (in us-east-1).
    #[serde(rename = "CLOUDFRONT")]
    Cloudfront,
}

/// An existing WAFv2 IP set to update.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpSetRef {
    /// The set's name.
    pub name: String,
    /// The set's id.
    pub id: String,
    /// Its scope.
    pub scope: Scope,
    /// The lock token from `GetIPSet`.
    pub lock_token: String,
}

/// How to build the blocklist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlocklistOptions {
    /// Networks never blocked.
    pub allow: Vec<IpNet>,
    /// Addresses already in the IP sets (kept, ahead of new ones).
    pub existing: Vec<String>,
    /// Addresses per IP set.
    pub limit: usize,
}

impl Default for BlocklistOptions {
    fn default() -> Self {
        BlocklistOptions {
            allow: Vec::new(),
            existing: Vec::new(),
            limit: IP_SET_LIMIT,
        }
    }
}

/// The addresses to block, per family, and what was left out.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Blocklist {
    /// IPv4 CIDRs, sorted.
    pub ipv4: Vec<String>,
    /// IPv6 CIDRs, sorted.
    pub ipv6: Vec<String>,
    /// Candidates not listed because they overlap an allow-listed CIDR.
    pub allowlisted: Vec<String>,
    /// Candidates not listed because the set was full.
    pub over_limit: Vec<String>,
    /// Existing entries dropped as invalid or `/0`.
    pub rejected: Vec<String>,
}

fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

fn host_net(ip: IpAddr) -> IpNet {
    IpNet::from(ip)
}

/// Whether an alert feeds the blocklist: it covers MON-07 and names a client address.
fn is_mon07(a: &Alert) -> bool {
    a.practices.iter().any(|p| p == "MON-07")
}

/// The offending client addresses of MON-07 alerts, with the events each caused.
pub fn offenders(alerts: &[Alert]) -> BTreeMap<IpAddr, u64> {
    let mut weight: BTreeMap<IpAddr, u64> = BTreeMap::new();
    for a in alerts.iter().filter(|a| is_mon07(a)) {
        let ip = a
            .evidence
            .get("client_ip")
            .and_then(Value::as_str)
            .or(a.source_ip.as_deref())
            .and_then(util::parse_ip);
        if let Some(ip) = ip {
            let n = a.evidence.get("count").and_then(Value::as_u64).unwrap_or(1);
            *weight.entry(ip).or_default() += n;
        }
    }
    weight
}

/// Builds the blocklist from alerts.
pub fn build_blocklist(alerts: &[Alert], opts: &BlocklistOptions) -> Blocklist {
    build_blocklist_weighted(offenders(alerts), opts)
}

/// Builds the blocklist from client addresses and the events each caused (e.g. the
/// unexpired entries of the state database in watch mode).
pub fn build_blocklist_weighted(
    clients: impl IntoIterator<Item = (IpAddr, u64)>,
    opts: &BlocklistOptions,
) -> Blocklist {
    let mut out = Blocklist::default();
    let mut chosen: [Vec<IpNet>; 2] = [Vec::new(), Vec::new()];
    let mut seen = BTreeSet::new();
    let fam = |n: &IpNet| usize::from(matches!(n, IpNet::V6(_)));

    let mut admit = |net: IpNet, out: &mut Blocklist, chosen: &mut [Vec<IpNet>; 2]| {
        if !seen.insert(net) {
            return;
        }
        if opts.allow.iter().any(|a| overlaps(a, &net)) {
            out.allowlisted.push(net.to_string());
            return;
        }
        let list = &mut chosen[fam(&net)];
        if list.iter().any(|n| n.contains(&net)) {
            return;
        }
        if list.len() >= opts.limit {
            out.over_limit.push(net.to_string());
            return;
        }
        list.push(net);
    };

    for e in &opts.existing {
        let s = e.trim();
        let parsed = s
            .parse::<IpNet>()
            .ok()
            .or_else(|| util::parse_ip(s).map(host_net));
        match parsed {
            Some(n) if n.prefix_len() > 0 => admit(n.trunc(), &mut out, &mut chosen),
            _ => out.rejected.push(s.to_owned()),
        }
    }

    // Rank offending clients by the events they caused.
    let mut weight: BTreeMap<IpAddr, u64> = BTreeMap::new();
    for (ip, n) in clients {
        *weight.entry(ip).or_default() += n;
    }
    let mut ranked: Vec<(IpAddr, u64)> = weight.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for (ip, _) in ranked {
        admit(host_net(ip), &mut out, &mut chosen);
    }

    let [mut v4, mut v6] = chosen;
    v4.sort();
    v6.sort();
    out.ipv4 = v4.iter().map(IpNet::to_string).collect();
    out.ipv6 = v6.iter().map(IpNet::to_string).collect();
    out
}

impl Blocklist {
    /// The WAFv2 `UpdateIPSet` request body for the IPv4 (`ipv6 = false`) or IPv6 set.
    pub fn update_ip_set_request(&self, set: &IpSetRef, ipv6: bool) -> Value {
        json!({
            "Name": set.name,
            "Scope": set.scope,
            "Id": set.id,
            "Addresses": if ipv6 { &self.ipv6 } else { &self.ipv4 },
            "LockToken": set.lock_token,
        })
    }

    /// One CIDR per line, IPv4 first.
    pub fn plain_list(&self) -> String {
        let mut s = String::new();
        for c in self.ipv4.iter().chain(&self.ipv6) {
            s.push_str(c);
            s.push('\n');
        }
        s
    }
}
