//! A SecurityGroupPolicy without security group IDs gives the pods it selects
//! nothing: the VPC resource controller does not attach a branch ENI, the
//! pods keep the node's security groups, and the per-pod database access the
//! seeds rely on (K8S-04) does not exist.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL204",
    name: "k8s-sgp-without-security-groups",
    title: "SecurityGroupPolicy lists no security group",
    severity: Severity::Medium,
    practices: &["K8S-04"],
    benchmarks: &[],
    description: "`spec.securityGroups.groupIds` is empty or missing, so the selected pods get no \
security group of their own and keep the node's. Database security groups that admit only the \
pods' group then block the app, and the usual \"fix\" (admitting the node group) opens the \
database to every pod.",
    remediation: "List the security group IDs the pods need in `spec.securityGroups.groupIds` \
(for example the group the RDS security group admits on the database port).",
    references: &["https://docs.aws.amazon.com/eks/latest/userguide/security-groups-for-pods.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for p in &m.k8s.security_group_policies {
        if p.security_group_ids.is_empty() {
            cx.report(
                &p.meta,
                None,
                format!(
                    "SecurityGroupPolicy {} lists no security group ID",
                    p.object.name
                ),
            );
        }
    }
}
