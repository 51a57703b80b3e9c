//! Security groups for pods (`SecurityGroupPolicy`) are how the seeds bind
//! database access to the pods that need it (K8S-04): the RDS security group
//! admits only the pods' security group, not the nodes'. A policy with
//! neither `podSelector` nor `serviceAccountSelector` selects nothing: the
//! VPC resource controller ignores it, the pods silently keep the node's
//! security groups, and whatever the node security group may reach, every pod
//! on the node may reach too.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL203",
    name: "k8s-sgp-selects-no-pods",
    title: "SecurityGroupPolicy selects no pods",
    severity: Severity::Medium,
    practices: &["K8S-04"],
    benchmarks: &[],
    description: "A SecurityGroupPolicy must name the pods it applies to with `podSelector` or \
`serviceAccountSelector`. Without either it applies to no pod, so the pods meant to get the \
database security group run with the node's security groups instead, and the database must then \
admit the nodes, which means every pod.",
    remediation: "Add a `podSelector` (or `serviceAccountSelector`) matching the labels of the \
pods that need the security groups.",
    references: &[
        "https://docs.aws.amazon.com/eks/latest/userguide/security-groups-for-pods.html",
        "https://docs.aws.amazon.com/eks/latest/userguide/sg-pods-example-deployment.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for p in &m.k8s.security_group_policies {
        if p.pod_selector.is_none() && p.service_account_selector.is_none() {
            cx.report(
                &p.meta,
                None,
                format!(
                    "SecurityGroupPolicy {} has neither podSelector nor serviceAccountSelector",
                    p.object.name
                ),
            );
        }
    }
}
