//! A NetworkPolicy ingress rule without `from` and without `ports` admits
//! every source on every port to the pods it selects, cancelling the
//! namespace's default deny. The seeds admit ingress only to the app's port
//! (K8S-02). Sources that are the whole internet (`0.0.0.0/0`) or every
//! namespace, on every port, are just as open.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL202",
    name: "k8s-netpol-allows-all-ingress",
    title: "NetworkPolicy allows ingress from everything",
    severity: Severity::Medium,
    practices: &["K8S-02"],
    benchmarks: &[],
    description: "An ingress rule without `from` (or with an empty `from`), or whose sources \
include `0.0.0.0/0`/`::/0` or every namespace, and without `ports` (or with a port entry that has \
no number), admits any client on any port to the selected pods. The seeds admit ingress only to \
the app's port, from the load balancer.",
    remediation: "Name the sources (the ALB subnets as `ipBlock`, or the pods and namespaces that \
call the app) and the app's port.",
    references: &["https://kubernetes.io/docs/concepts/services-networking/network-policies/"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for p in &m.k8s.network_policies {
        if !p.effective_policy_types().0 {
            continue; // ingress rules are ignored when the policy does not apply to ingress
        }
        for rule in p.ingress.iter().flatten() {
            let Some(ports) = netpol_all_ports(rule) else {
                continue;
            };
            if rule.allows_all_peers() {
                cx.report(
                    &p.meta,
                    Some(&rule.loc),
                    format!("ingress rule admits every source on {ports}"),
                );
                continue;
            }
            for peer in rule.peers.iter().flatten() {
                match netpol_peer_scope(peer) {
                    PeerScope::Everything(what) => {
                        cx.report(
                            &p.meta,
                            Some(&rule.loc),
                            format!("ingress rule admits {what} on {ports}"),
                        );
                        break;
                    }
                    PeerScope::Unknown(why) => {
                        cx.unknown(&p.meta, "ingress peer", Some(&peer.loc), why)
                    }
                    PeerScope::Narrow => {}
                }
            }
        }
    }
}
