//! Managed node groups configured for SSH without source security groups
//! get port 22 opened to 0.0.0.0/0 by EKS itself: nothing in the input
//! shows the rule, but it is there.
//!
//! The seeds allow admin access only through a VPN or SSM Session Manager,
//! never a public SSH port.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL021",
    name: "eks-node-group-ssh-open",
    title: "EKS node group allows SSH from anywhere",
    severity: Severity::High,
    practices: &["NET-11", "NET-07"],
    benchmarks: &["CKV_AWS_100"],
    description: "The node group has a `remote_access` block (an EC2 SSH key) and no \
`source_security_group_ids`. EKS then creates a security group rule admitting port 22 from \
0.0.0.0/0 on the worker nodes. The seeds reach hosts only through a VPN or SSM, never a public \
SSH port.",
    remediation: "Remove `remote_access` and use SSM Session Manager (the SSM agent is on the \
EKS AMIs), or set `source_security_group_ids` to a bastion or VPN security group.",
    references: &[
        "https://docs.aws.amazon.com/eks/latest/APIReference/API_RemoteAccessConfig.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for ng in &m.aws.eks_node_groups {
        if cx.known(&ng.meta, "remote_access", &ng.remote_access) != Some(&true) {
            continue;
        }
        let sources = &ng.remote_access_sources;
        if cx
            .known(&ng.meta, "remote_access.source_security_group_ids", sources)
            .is_some_and(Vec::is_empty)
        {
            cx.report(
                &ng.meta,
                ng.remote_access.loc(),
                "remote_access has no source_security_group_ids: EKS opens SSH (22) to 0.0.0.0/0",
            );
        }
    }
}
