//! IRSA and EKS Pod Identity give each workload its own role. If pods can
//! still reach the instance metadata service (IMDSv1 allowed, or a hop
//! limit above 1 for IMDSv2), any pod can take the node's instance role
//! instead, and with it everything the nodes may do.

use crate::prelude::*;
use palisade_access::{Analysis, Options};

pub static RULE: Rule = Rule {
    id: "PAL127",
    name: "pods-reach-node-role",
    title: "Pods can use the node's instance role through the metadata service",
    severity: Severity::Medium,
    practices: &["IAM-01", "IAM-02"],
    benchmarks: &["AWS FSBP EC2.8"],
    description: "The node group's launch template leaves IMDSv1 on (`http_tokens` is not \
`required`) or sets `http_put_response_hop_limit` above 1, or the node group uses EKS's \
default settings: pods on the pod network reach the instance metadata service and obtain \
the node's instance role credentials, bypassing their own IRSA or Pod Identity role.",
    remediation: "Set `metadata_options { http_tokens = \"required\", \
http_put_response_hop_limit = 1 }` in the node group's launch template, and give workloads \
their own roles through IRSA or EKS Pod Identity.",
    references: &[
        "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html#_restrict_access_to_the_instance_profile_assigned_to_the_worker_node",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let a = Analysis::new(m, &Options::default());
    for n in a.node_role_exposure() {
        let role = n
            .role
            .as_deref()
            .map(|r| format!("the node role {r}"))
            .unwrap_or_else(|| "the node role".into());
        let pods = if n.workloads.is_empty() {
            String::new()
        } else {
            let list: Vec<&str> = n.workloads.iter().map(String::as_str).take(6).collect();
            format!(
                " (scanned workloads that may run there: {})",
                list.join(", ")
            )
        };
        let meta = Meta::new(n.node_group.clone(), "aws_eks_node_group", n.loc.clone());
        cx.report(
            &meta,
            Some(&n.loc),
            format!(
                "pods on {} can obtain {role}: {}{pods}",
                n.node_group, n.why
            ),
        );
    }
}
