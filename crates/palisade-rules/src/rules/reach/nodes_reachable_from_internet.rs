//! EKS worker nodes belong in private subnets: nothing from the internet
//! should reach them. Single-resource rules look at subnets and public IP
//! settings; this one follows the actual path (route tables and their
//! associations, public addresses, network ACLs both ways, security
//! groups), including pods on the host network, which share the node's
//! address.

use crate::prelude::*;
use palisade_reach::hop::Verdict;
use palisade_reach::net::{EndKind, Net};
use palisade_reach::paths::Analysis;
use palisade_reach::Conns;

pub static RULE: Rule = Rule {
    id: "PAL143",
    name: "reach-nodes-reachable-from-internet",
    title: "EKS nodes (or host-network pods) are reachable from the internet",
    severity: Severity::Critical,
    practices: &["NET-01"],
    benchmarks: &[],
    description: "A connection from the internet gets through to the worker nodes: their subnet routes \
to an internet gateway, they have public addresses, and the network ACL and security groups let the \
traffic in. Kubelet, node ports and host-network pods are then exposed.",
    remediation: "Run the nodes in private subnets (no internet gateway route, no public IPs) and \
reach the internet through a NAT gateway; expose applications through a load balancer.",
    references: &["https://docs.aws.amazon.com/eks/latest/best-practices/subnets.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let net = Net::new(m);
    let a = Analysis::new(&net);
    for (n, e) in net.ends.iter().enumerate() {
        let host_pods = e.kind == EndKind::Pods
            && e.group
                .and_then(|g| net.cluster.groups.get(g))
                .is_some_and(|g| g.host_network);
        if e.kind != EndKind::Nodes && !host_pods {
            continue;
        }
        let Some(meta) = net.meta_of(n) else { continue };
        let h = a.hop(0, n, &Conns::all());
        match h.verdict {
            Verdict::Allow => cx.report(
                meta,
                None,
                format!("internet → {} gets through with {}", e.id, h.conns),
            ),
            Verdict::Unknown => cx.unknown(
                meta,
                "reachable from the internet",
                None,
                format!(
                    "internet → {} possibly gets through with {}",
                    e.id, h.possibly
                ),
            ),
            Verdict::Deny => {}
        }
    }
}
