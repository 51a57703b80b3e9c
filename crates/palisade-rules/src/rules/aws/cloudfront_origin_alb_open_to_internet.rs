//! An ALB that serves as a CloudFront origin but still accepts the whole
//! internet lets attackers go around CloudFront, and with it around the WAF
//! and the edge's DDoS absorption.
//!
//! The seeds place the ALBs in public subnets "serving as the origin for
//! CloudFront distributions" with a WAF on each distribution. The origin
//! must then accept only CloudFront, with the managed prefix list
//! `com.amazonaws.global.cloudfront.origin-facing` in its security group.
//!
//! The model does not link a CloudFront origin to a load balancer (origins
//! name DNS names, usually known only after apply), so every internet-facing
//! ALB is treated as an origin when the input has a CloudFront distribution
//! with a custom (non-S3) origin.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL016",
    name: "cloudfront-origin-alb-open-to-internet",
    title: "ALB behind CloudFront admits the whole internet",
    severity: Severity::High,
    practices: &["NET-08", "EDGE-01"],
    benchmarks: &[],
    description: "An internet-facing Application Load Balancer, in an input where CloudFront \
distributions forward to custom origins, has a security group rule admitting 0.0.0.0/0 or ::/0. \
Clients can reach the ALB directly and bypass CloudFront's WAF, geo and rate controls. The seeds \
make the load balancers CloudFront origins that should accept only CloudFront.",
    remediation: "Admit only the AWS-managed prefix list `com.amazonaws.global.cloudfront.\
origin-facing` in the ALB's security group (look it up with `aws_ec2_managed_prefix_list`), \
and optionally require a secret origin header in a listener rule.",
    references: &[
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/LocationsOfEdgeServers.html#managed-prefix-list",
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/restrict-access-to-load-balancer.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let aws = &m.aws;
    let custom_origin = aws
        .cloudfront_distributions
        .iter()
        .flat_map(|d| d.origins.iter())
        .any(|o| !o.s3);
    if !custom_origin {
        return;
    }
    for lb in &aws.load_balancers {
        let Some(kind) = cx.known(&lb.meta, "load_balancer_type", &lb.lb_type) else {
            continue;
        };
        if !is_application_lb(kind) || cx.known(&lb.meta, "internal", &lb.internal) != Some(&false)
        {
            continue;
        }
        let Some(groups) = cx.known(&lb.meta, "security_groups", &lb.security_groups) else {
            continue;
        };
        let found = world_ingress_of_groups(aws, groups, None);
        for rule in found.undecided {
            cx.unknown(
                &rule.meta,
                "ingress",
                Some(&rule.meta.loc),
                "ports or sources are unknown",
            );
        }
        for (sg, rule, world) in found.open {
            let loc = rule.cidrs_v4.loc().or(rule.cidrs_v6.loc());
            cx.report(
                &lb.meta,
                loc,
                format!(
                    "ALB behind CloudFront admits {} on {} through security group `{}` instead \
of CloudFront's origin-facing prefix list",
                    world.join(", "),
                    ports(rule),
                    sg.meta.address
                ),
            );
        }
    }
}

fn ports(rule: &SgRule) -> String {
    match rule.port_range() {
        Some(r) if is_all_ports(r) => "all ports".to_owned(),
        Some((a, b)) if a == b => format!("port {a}"),
        Some((a, b)) => format!("ports {a}-{b}"),
        None => "unknown ports".to_owned(),
    }
}
