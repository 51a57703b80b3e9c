//! Traffic from the load balancer to the pods crosses the VPC in clear text
//! when the target group speaks HTTP. "Once an attacker managed to get into
//! that network he is able to listen all the traffic" (seeds).
//!
//! The seeds encrypt load balancer → pod with HTTPS target groups, a TLS
//! sidecar or a mesh with strict mTLS. The model does not link a listener's
//! forward action to its target groups, so the rule reports HTTP target
//! groups in a VPC that hosts an internet-facing ALB (found through the
//! ALB's subnets).

use crate::prelude::*;
use std::collections::BTreeMap;

pub static RULE: Rule = Rule {
    id: "PAL026",
    name: "alb-http-target-group",
    title: "Target group behind an internet-facing ALB uses plain HTTP",
    severity: Severity::Medium,
    practices: &["TLS-02"],
    benchmarks: &["CKV_AWS_378"],
    description: "A target group with protocol HTTP lives in the VPC of an internet-facing \
Application Load Balancer. Requests decrypted at the ALB travel to the targets unencrypted, \
readable by anyone who gains a foothold in the VPC. The seeds encrypt the hop from the load \
balancer to the pod as well.",
    remediation: "Use `protocol = \"HTTPS\"` on the target group with TLS served by the \
application, a TLS sidecar, or a service mesh ingress with strict mTLS behind it.",
    references: &[
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html#target-group-routing-configuration",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let aws = &m.aws;
    // VPC key → an internet-facing ALB in it.
    let mut albs: BTreeMap<String, &LoadBalancer> = BTreeMap::new();
    for lb in &aws.load_balancers {
        let (Some(kind), Some(internal)) = (lb.lb_type.get(), lb.internal.get()) else {
            continue;
        };
        if !is_application_lb(kind) || *internal {
            continue;
        }
        for subnet in lb
            .subnets
            .get()
            .into_iter()
            .flat_map(|s| subnets_named(aws, s))
        {
            if let Some(vpc) = subnet.vpc.get() {
                albs.entry(vpc_key(aws, vpc)).or_insert(lb);
            }
        }
    }
    if albs.is_empty() {
        return;
    }
    for tg in &aws.target_groups {
        let Some(Some(protocol)) = cx.known(&tg.meta, "protocol", &tg.protocol) else {
            continue;
        };
        if !protocol.eq_ignore_ascii_case("HTTP") {
            continue;
        }
        let Some(Some(vpc)) = cx.known(&tg.meta, "vpc_id", &tg.vpc) else {
            continue;
        };
        if let Some(lb) = albs.get(&vpc_key(aws, vpc)) {
            cx.report(
                &tg.meta,
                tg.protocol.loc(),
                format!(
                    "target group uses plain HTTP in the VPC of internet-facing ALB `{}`",
                    lb.meta.address
                ),
            );
        }
    }
}
