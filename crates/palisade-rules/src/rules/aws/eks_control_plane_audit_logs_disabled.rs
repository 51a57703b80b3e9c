//! The EKS `audit` log records every request to the Kubernetes API (who read
//! which Secret, who created which pod); `authenticator` records which IAM
//! principal became which Kubernetes user. The seeds enable EKS control-plane
//! audit logs; without them a cluster compromise cannot be reconstructed.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL072",
    name: "eks-control-plane-audit-logs-disabled",
    title: "EKS cluster does not export audit and authenticator logs",
    severity: Severity::Medium,
    practices: &["MON-02"],
    benchmarks: &["AWS FSBP EKS.8", "CKV_AWS_37"],
    description: "`enabled_cluster_log_types` lacks `audit` and/or `authenticator`. API requests \
to the cluster and the mapping of IAM principals to Kubernetes identities are not recorded, and \
are lost for good: EKS does not keep them. The seeds require EKS control-plane audit logs.",
    remediation: "Set `enabled_cluster_log_types = [\"api\", \"audit\", \"authenticator\", \
\"controllerManager\", \"scheduler\"]` (at least `audit` and `authenticator`) and give the \
`/aws/eks/<cluster>/cluster` log group a retention period.",
    references: &["https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html"],
    check,
};

const REQUIRED: &[&str] = &["audit", "authenticator"];

fn check(m: &Model, cx: &mut Ctx) {
    for c in &m.aws.eks_clusters {
        let Some(types) = cx.known(&c.meta, "enabled_cluster_log_types", &c.log_types) else {
            continue;
        };
        let missing: Vec<&str> = REQUIRED
            .iter()
            .copied()
            .filter(|r| !types.iter().any(|t| t == r))
            .collect();
        if !missing.is_empty() {
            cx.report(
                &c.meta,
                c.log_types.loc(),
                format!(
                    "control-plane logs are not exported: `{}`",
                    missing.join("`, `")
                ),
            );
        }
    }
}
