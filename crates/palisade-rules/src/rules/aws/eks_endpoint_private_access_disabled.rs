//! With a public API endpoint and no private one, the nodes and every
//! in-VPC client talk to the Kubernetes API server over the internet path,
//! and the public endpoint can never be closed without breaking the
//! cluster.
//!
//! The seeds want the EKS API endpoint private (public only to listed
//! CIDRs, if at all). EKS disables private access unless it is asked for.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL018",
    name: "eks-endpoint-private-access-disabled",
    title: "EKS API endpoint is public without private access",
    severity: Severity::Medium,
    practices: &["NET-09"],
    benchmarks: &["CIS EKS 5.4.2"],
    description: "The cluster enables its public API endpoint but not the private one \
(`endpoint_private_access` defaults to false). Worker nodes then reach the control plane \
through the public endpoint, which must stay open to their NAT addresses, and API traffic from \
the VPC leaves it. The seeds keep the API endpoint private.",
    remediation: "Set `endpoint_private_access = true`, then restrict or disable the public \
endpoint.",
    references: &["https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for c in &m.aws.eks_clusters {
        if cx.known(&c.meta, "endpoint_public_access", &c.endpoint_public_access) != Some(&true) {
            continue;
        }
        let v = &c.endpoint_private_access;
        if cx.known(&c.meta, "endpoint_private_access", v) == Some(&false) {
            cx.report(
                &c.meta,
                v.loc(),
                "public API endpoint is enabled and private access is disabled",
            );
        }
    }
}
