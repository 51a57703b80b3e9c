//! Cross-VPC database access should be limited to the client CIDRs: over a
//! peering connection, not every address of the peer VPC should reach the
//! database; and an internet-facing network load balancer (PrivateLink or
//! exposed NLB) should admit only listed source ranges.
//!
//! "Every address" is decided exactly: the peer VPC's whole CIDR is taken as
//! the source and the connection must get through for each of its
//! addresses (routes both ways, ACLs both ways, security groups).

use crate::prelude::*;
use palisade_reach::hop::{LayerKind, Verdict};
use palisade_reach::net::{End, EndKind, Net, Places, Sgs, Tri};
use palisade_reach::paths::Analysis;
use palisade_reach::Conns;

pub static RULE: Rule = Rule {
    id: "PAL147",
    name: "reach-cross-vpc-db-access-unrestricted",
    title: "A whole peer VPC reaches a database, or an internet-facing NLB admits any source",
    severity: Severity::High,
    practices: &["NET-10"],
    benchmarks: &[],
    description: "Every address of a peered VPC can connect to the database (routes and security \
groups open to the whole peer CIDR rather than the client subnets), or an internet-facing network \
load balancer lets the whole internet through (no security group restricting sources).",
    remediation:
        "Limit the peering routes and the database's security group to the client subnets' \
CIDRs; attach a security group to the NLB (or restrict its targets' groups) that admits only the \
listed source ranges.",
    references: &[
        "https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-security-groups.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let mut net = Net::new(m);
    // Peer VPCs of each VPC.
    let mut peer_ends = Vec::new();
    for pc in &m.aws.vpc_peerings {
        let (Some(a), Some(b)) = (
            pc.vpc.get().and_then(|r| net.vpc(r)),
            pc.peer_vpc.get().and_then(|r| net.vpc(r)),
        ) else {
            continue;
        };
        for (from, to) in [(a, b), (b, a)] {
            let Some((name, Ok(cidr))) = net.vpc_cidrs.get(from).cloned() else {
                continue;
            };
            let id = format!("every address of {name}");
            net.ends.push(End {
                id: id.clone(),
                kind: EndKind::Cidr,
                loc: None,
                places: Places::External {
                    addrs: cidr.clone(),
                    opaque: true,
                },
                sgs: Sgs::NotApplicable,
                public: Tri::No("a peer VPC".into()),
                listen: None,
                group: None,
                waf: None,
                forwards: Vec::new(),
                notes: Vec::new(),
                profile: palisade_reach::net::h64_pub(&["peer", &id]),
                only: None,
            });
            peer_ends.push((net.ends.len() - 1, to, name, pc.meta.address.clone()));
        }
    }
    let a = Analysis::new(&net);
    for (d, e) in net.ends.iter().enumerate() {
        let Some(meta) = net.meta_of(d) else { continue };
        match e.kind {
            EndKind::Rds => {
                let Places::Subnets(subnets) = &e.places else {
                    continue;
                };
                let vpcs: Vec<usize> = subnets
                    .iter()
                    .filter_map(|&s| net.subnets.get(s).and_then(|i| i.vpc))
                    .collect();
                for (src, to, name, pc) in &peer_ends {
                    if !vpcs.contains(to) {
                        continue;
                    }
                    let h = a.hop(*src, d, &Conns::all());
                    if h.verdict == Verdict::Allow {
                        cx.report(
                            meta,
                            None,
                            format!(
                                "every address of {name} reaches {} over `{pc}` with {}",
                                e.id, h.conns
                            ),
                        );
                    }
                }
            }
            EndKind::LoadBalancer { network: true } if e.public.is_yes() => {
                let h = a.hop(0, d, &Conns::all());
                let restricted = h
                    .layers
                    .iter()
                    .any(|l| l.kind == LayerKind::SecurityGroup && l.control);
                match h.verdict {
                    Verdict::Allow if !restricted => cx.report(
                        meta,
                        None,
                        format!(
                            "internet → {} gets through from any address with {}: no security group restricts the sources",
                            e.id, h.conns
                        ),
                    ),
                    Verdict::Unknown => cx.unknown(
                        meta,
                        "source ranges",
                        None,
                        format!("internet → {} possibly gets through with {}", e.id, h.possibly),
                    ),
                    _ => {}
                }
            }
            _ => {}
        }
    }
}
