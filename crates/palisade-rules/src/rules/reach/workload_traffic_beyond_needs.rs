//! A workload's egress should be limited to DNS and its own database, and
//! its ingress to its application ports (K8S-02). This rule computes what
//! the NetworkPolicies actually allow for each workload (towards every pod
//! and every address, exactly) and reports what goes beyond: egress other
//! than TCP/UDP 53 and the database ports to the database subnets (RDS in
//! the input; any private address when there is none), ingress on ports the
//! workload's containers do not declare.

use crate::prelude::*;
use palisade_reach::net::{EndKind, Net, Places};
use palisade_reach::{Conns, IntervalSet, IpSet, Protocol};

pub static RULE: Rule = Rule {
    id: "PAL149",
    name: "reach-workload-traffic-beyond-needs",
    title: "NetworkPolicies allow a workload more than DNS, its database and its own ports",
    severity: Severity::Medium,
    practices: &["K8S-02"],
    benchmarks: &[],
    description: "The seeds allow a workload egress only to DNS and its database, and ingress only to \
its application port. What the workload's NetworkPolicies allow in effect (the union of every policy \
selecting it) goes beyond that, so a compromised pod can reach more, or be reached on more, than it \
needs.",
    remediation: "Narrow the egress rules to port 53 (TCP and UDP) towards the cluster DNS and to the \
database port towards the database subnets, and the ingress rules to the container ports.",
    references: &["https://kubernetes.io/docs/concepts/services-networking/network-policies/"],
    check,
};

fn dns() -> Conns {
    let p = IntervalSet::single(53);
    Conns::ports(Protocol::Tcp, p.clone()).union(&Conns::ports(Protocol::Udp, p))
}

fn check(m: &Model, cx: &mut Ctx) {
    let net = Net::new(m);
    let c = &net.cluster;
    // Where the databases are.
    let mut db_ranges = IpSet::empty();
    let mut any_db = false;
    for e in net.ends.iter().filter(|e| e.kind == EndKind::Rds) {
        any_db = true;
        if let Places::Subnets(v) = &e.places {
            for &s in v {
                if let Some(Ok(cidr)) = net.subnets.get(s).map(|i| &i.cidr) {
                    db_ranges = db_ranges.union(cidr);
                }
            }
        }
    }
    if !any_db {
        db_ranges = palisade_reach::net::non_public();
    }
    let mut db_ports = IntervalSet::empty();
    for p in &cx.params.database_ports {
        db_ports = db_ports.union(&IntervalSet::single(*p));
    }
    let db = Conns::ports(Protocol::Tcp, db_ports);
    let conns = c.connections(None);
    let mut extra_out: Vec<Vec<String>> = vec![Vec::new(); c.groups.len()];
    let mut extra_in: Vec<Conns> = vec![Conns::none(); c.groups.len()];
    let app_ports: Vec<Conns> = c
        .groups
        .iter()
        .map(|g| {
            let mut out = Conns::none();
            for w in &g.members {
                for ct in w.template.spec.all_containers() {
                    for p in &ct.ports {
                        let (Some(n), proto) = (p.container_port.get(), p.protocol.get()) else {
                            continue;
                        };
                        let Ok(n) = u16::try_from(*n) else { continue };
                        let proto = proto
                            .and_then(|s| Protocol::parse(s))
                            .unwrap_or(Protocol::Tcp);
                        out = out.union(&Conns::ports(proto, IntervalSet::single(n)));
                    }
                }
            }
            out
        })
        .collect();
    for (s, d, cn) in &conns.pods {
        let rest = cn.subtract(&dns());
        if !rest.is_empty() {
            if let (Some(list), Some(dst)) = (extra_out.get_mut(*s), c.groups.get(*d)) {
                list.push(format!("{rest} to {}", dst.address()));
            }
        }
        if let (Some(acc), Some(app)) = (extra_in.get_mut(*d), app_ports.get(*d)) {
            *acc = acc.union(&cn.subtract(app));
        }
    }
    for (g, egress, set, cn) in &conns.addresses {
        if *egress {
            let mut rest = cn.subtract(&dns());
            if set.is_subset(&db_ranges) {
                rest = rest.subtract(&db);
            }
            if !rest.is_empty() {
                if let Some(list) = extra_out.get_mut(*g) {
                    let cidrs = set.to_cidrs();
                    let shown = if cidrs.len() > 3 {
                        format!("{} and {} more", cidrs[..3].join(", "), cidrs.len() - 3)
                    } else {
                        cidrs.join(", ")
                    };
                    list.push(format!("{rest} to {shown}"));
                }
            }
        } else if let (Some(acc), Some(app)) = (extra_in.get_mut(*g), app_ports.get(*g)) {
            *acc = acc.union(&cn.subtract(app));
        }
    }
    for (i, g) in c.groups.iter().enumerate() {
        if is_k8s_system_namespace(&g.namespace) {
            continue;
        }
        if let Some(list) = extra_out.get(i).filter(|l| !l.is_empty()) {
            let mut list = list.clone();
            list.sort();
            list.dedup();
            let n = list.len();
            list.truncate(5);
            cx.report(
                &g.workload.meta,
                None,
                format!(
                    "{} may send more than DNS and its database: {}{}",
                    g.address(),
                    list.join("; "),
                    if n > 5 {
                        format!(" (and {} more)", n - 5)
                    } else {
                        String::new()
                    }
                ),
            );
        }
        if let Some(extra) = extra_in.get(i).filter(|x| !x.is_empty()) {
            cx.report(
                &g.workload.meta,
                None,
                format!(
                    "{} accepts more than its container ports ({}): {extra}",
                    g.address(),
                    app_ports
                        .get(i)
                        .filter(|a| !a.is_empty())
                        .map(|a| a.to_string())
                        .unwrap_or_else(|| "none declared".into())
                ),
            );
        }
    }
}
