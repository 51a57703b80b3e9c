//! Every workload should start from "deny everything" in both directions.
//! Single-resource rules look for a default-deny policy in the namespace;
//! what decides is the union of every policy that selects the pods: a
//! default deny plus an allow-all policy is no default deny. This rule
//! computes, per workload, whether the NetworkPolicies that apply leave its
//! ingress or egress open to every pod and every address on every port.

use crate::prelude::*;
use palisade_reach::net::{v4_all, Net};
use palisade_reach::netpol::NpPeer;

pub static RULE: Rule = Rule {
    id: "PAL148",
    name: "reach-workload-open-to-all",
    title: "NetworkPolicies leave a workload's ingress or egress open to everything",
    severity: Severity::Medium,
    practices: &["K8S-01"],
    benchmarks: &[],
    description: "For this workload's pods, the NetworkPolicies that apply (or their absence) allow \
every connection from, or to, every address and every pod: no default deny is in effect for that \
direction. Pods on the host network count too, since policies do not reliably apply to them.",
    remediation: "Select the pods with a default-deny NetworkPolicy for ingress and egress, remove \
allow-all rules, and allow only the traffic the workload needs.",
    references: &["https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let net = Net::new(m);
    let c = &net.cluster;
    let v4 = v4_all();
    for g in &c.groups {
        if is_k8s_system_namespace(&g.namespace) {
            continue;
        }
        let mut open = Vec::new();
        for egress in [false, true] {
            let side = if egress {
                c.egress(g, NpPeer::Addresses(&v4))
            } else {
                c.ingress(g, NpPeer::Addresses(&v4))
            };
            let all = c.side_space(g, egress, &v4).conns_everywhere(&v4);
            let dir = if egress { "egress" } else { "ingress" };
            if g.host_network {
                open.push(format!(
                    "{dir} (host network: NetworkPolicies do not reliably apply)"
                ));
            } else if !side.isolated {
                open.push(format!(
                    "{dir} (no NetworkPolicy selects its pods for {dir})"
                ));
            } else if all.is_all() {
                let rules: Vec<String> = side
                    .rules
                    .iter()
                    .map(|h| format!("{} {} ({})", h.policy, h.rule, h.loc))
                    .collect();
                open.push(format!(
                    "{dir} (allowed for every address by {})",
                    rules.join(", ")
                ));
            }
        }
        if !open.is_empty() {
            cx.report(
                &g.workload.meta,
                None,
                format!(
                    "{} is open to all connections: {}",
                    g.address(),
                    open.join("; ")
                ),
            );
        }
    }
}
