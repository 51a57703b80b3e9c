//! An internet-facing Network Load Balancer in front of a database is
//! sometimes the right design (the seeds expose RDS to partners that way),
//! but only when the sources are restricted to listed ranges. Without a
//! security group on the NLB, every source on the internet reaches the
//! listener, and the database security group sees NLB addresses, not
//! clients.
//!
//! The rule follows each listener to its load balancer, keeps internet-
//! facing NLBs listening on a database port (`params.database_ports`), and
//! checks the NLB's security groups for a restriction.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL020",
    name: "nlb-database-port-open-to-internet",
    title: "Internet-facing NLB exposes a database port to every source",
    severity: Severity::Critical,
    practices: &["NET-10"],
    benchmarks: &[],
    description: "A listener of an internet-facing Network Load Balancer uses a database port, \
and the NLB either has no security group (so it forwards from any source) or one of its security \
groups admits 0.0.0.0/0 or ::/0 on that port. The seeds allow an external NLB in front of RDS \
only when it is restricted to listed source ranges.",
    remediation: "Attach a security group to the NLB that admits only the listed client CIDRs \
on the database port (security groups can only be added when the NLB is created), or use \
PrivateLink / VPC peering instead of an internet-facing NLB.",
    references: &[
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html",
        "https://aws.amazon.com/blogs/networking-and-content-delivery/using-static-ip-addresses-for-application-load-balancers/",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let aws = &m.aws;
    for l in &aws.listeners {
        let lb = match aws.resolve::<LoadBalancer>(&l.load_balancer) {
            Ok(Some(lb)) => lb,
            Ok(None) => continue,
            Err(reason) => {
                cx.unknown(&l.meta, "load_balancer_arn", l.load_balancer.loc(), reason);
                continue;
            }
        };
        let Some(kind) = cx.known(&lb.meta, "load_balancer_type", &lb.lb_type) else {
            continue;
        };
        if !kind.eq_ignore_ascii_case("network")
            || cx.known(&lb.meta, "internal", &lb.internal) != Some(&false)
        {
            continue;
        }
        let Some(Some(port)) = cx.known(&l.meta, "port", &l.port) else {
            continue;
        };
        let Some(port) = cx
            .params
            .database_ports
            .iter()
            .copied()
            .find(|p| i64::from(*p) == *port)
        else {
            continue;
        };
        let Some(groups) = cx.known(&lb.meta, "security_groups", &lb.security_groups) else {
            continue;
        };
        let loc = l.port.loc();
        if groups.is_empty() {
            cx.report(
                &l.meta,
                loc,
                format!(
                    "internet-facing NLB `{}` listens on database port {port} with no security \
group: every source is forwarded",
                    lb.meta.address
                ),
            );
            continue;
        }
        let found = world_ingress_of_groups(aws, groups, Some(port));
        for rule in &found.undecided {
            cx.unknown(
                &rule.meta,
                "ingress",
                Some(&rule.meta.loc),
                "ports or sources are unknown",
            );
        }
        for (sg, _, world) in found.open {
            cx.report(
                &l.meta,
                loc,
                format!(
                    "internet-facing NLB `{}` listens on database port {port} and its security \
group `{}` admits {}",
                    lb.meta.address,
                    sg.meta.address,
                    world.join(", ")
                ),
            );
        }
    }
}
