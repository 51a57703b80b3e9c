//! A NetworkPolicy egress rule that names no destination, or names the whole
//! internet or every namespace, on every port, undoes the namespace's default
//! deny for the pods it selects: they can again reach any database and any
//! host on the internet. The seeds allow egress only to DNS and the app's own
//! database range and port (K8S-02).

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL201",
    name: "k8s-netpol-allows-all-egress",
    title: "NetworkPolicy allows egress to everything",
    severity: Severity::Medium,
    practices: &["K8S-02"],
    benchmarks: &[],
    description: "An egress rule without `to` (or with an empty `to`), or whose destinations \
include `0.0.0.0/0`/`::/0` or every namespace (`namespaceSelector: {}` without a pod selector), \
and without `ports` (or with a port entry that has no number), lets the selected pods open \
connections to any destination on any port. The seeds allow egress only to DNS (53 TCP/UDP) and \
the app's own database range and port.",
    remediation: "Replace the rule with rules that name the destinations (kube-dns, the database \
subnets as `ipBlock`) and their ports.",
    references: &["https://kubernetes.io/docs/concepts/services-networking/network-policies/"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for p in &m.k8s.network_policies {
        if !p.effective_policy_types().1 {
            continue; // egress rules are ignored when the policy does not apply to egress
        }
        for rule in p.egress.iter().flatten() {
            let Some(ports) = netpol_all_ports(rule) else {
                continue;
            };
            if rule.allows_all_peers() {
                cx.report(
                    &p.meta,
                    Some(&rule.loc),
                    format!("egress rule allows every destination on {ports}"),
                );
                continue;
            }
            for peer in rule.peers.iter().flatten() {
                match netpol_peer_scope(peer) {
                    PeerScope::Everything(what) => {
                        cx.report(
                            &p.meta,
                            Some(&rule.loc),
                            format!("egress rule allows {what} on {ports}"),
                        );
                        break;
                    }
                    PeerScope::Unknown(why) => {
                        cx.unknown(&p.meta, "egress peer", Some(&peer.loc), why)
                    }
                    PeerScope::Narrow => {}
                }
            }
        }
    }
}
