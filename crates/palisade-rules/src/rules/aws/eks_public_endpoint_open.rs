//! The EKS API server is the cluster's control plane. A public endpoint
//! open to 0.0.0.0/0 leaves only authentication between the internet and
//! cluster-admin, and exposes the API to credential stuffing and to any
//! unauthenticated API vulnerability.
//!
//! The seeds keep the API endpoint private, or public only to listed
//! CIDRs. EKS enables the public endpoint, open to 0.0.0.0/0, when
//! `vpc_config` says nothing.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL017",
    name: "eks-public-endpoint-open-to-internet",
    title: "EKS API endpoint is public to the whole internet",
    severity: Severity::High,
    practices: &["NET-09"],
    benchmarks: &[
        "CIS EKS 5.4.1",
        "AWS FSBP EKS.1",
        "CKV_AWS_38",
        "CKV_AWS_39",
    ],
    description: "The cluster's public API endpoint is enabled and `public_access_cidrs` \
includes 0.0.0.0/0 (the default). Anyone on the internet can reach the Kubernetes API server. \
The seeds require the endpoint to be private, or public only to listed CIDRs (VPN, CI).",
    remediation: "Set `endpoint_public_access = false` and `endpoint_private_access = true`, or \
restrict `public_access_cidrs` to your VPN and CI egress ranges.",
    references: &["https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for c in &m.aws.eks_clusters {
        if cx.known(&c.meta, "endpoint_public_access", &c.endpoint_public_access) != Some(&true) {
            continue;
        }
        let Some(cidrs) = cx.known(&c.meta, "public_access_cidrs", &c.public_access_cidrs) else {
            continue;
        };
        let world: Vec<&str> = cidrs
            .iter()
            .map(String::as_str)
            .filter(|c| is_world(c))
            .collect();
        if world.is_empty() {
            continue;
        }
        let loc = c
            .public_access_cidrs
            .loc()
            .or(c.endpoint_public_access.loc());
        cx.report(
            &c.meta,
            loc,
            format!("public API endpoint is open to {}", world.join(", ")),
        );
    }
}
