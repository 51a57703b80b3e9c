//! The seeds: the role used by the EKS workloads "requires access to a
//! limited amount of services — Secrets Manager, KMS for encryption keys,
//! RDS database and S3 bucket". This rule looks at the roles workloads can
//! actually obtain (the service accounts a role's trust policy admits
//! through IRSA or an EKS Pod Identity association, decided by evaluating the
//! trust policy) and reports their statements that reach other services or
//! use `*`, with the scanned resources the breadth exposes beyond the ones
//! the role's scoped statements name.

use crate::prelude::*;
use palisade_access::checks::WORKLOAD_SERVICES;
use palisade_access::{Analysis, Options};

pub static RULE: Rule = Rule {
    id: "PAL120",
    name: "workload-role-broad-grants",
    title: "A role reachable from Kubernetes service accounts grants more than workloads need",
    severity: Severity::High,
    practices: &["IAM-01"],
    benchmarks: &[],
    description: "A role that service accounts can assume (IRSA or EKS Pod Identity, as \
decided by its trust policy) has an Allow statement for services other than Secrets Manager, \
KMS, RDS, S3 and CloudWatch Logs, or with `*` actions or resources. Every pod running as one of \
those service accounts holds these permissions; the finding lists who reaches the role and the \
scanned resources the breadth exposes that the role's own scoped statements do not name.",
    remediation: "Split the statement: list the actions the workload calls on the ARNs of its \
own secret, key, database user and bucket. Generate the policy from CloudTrail activity with \
IAM Access Analyzer if unsure.",
    references: &[
        "https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let a = Analysis::new(m, &Options::default());
    for role in a.broad_workload_roles() {
        for s in &role.statements {
            let sid = s
                .sid
                .as_deref()
                .map(|x| format!(" ({x})"))
                .unwrap_or_default();
            let mut why = Vec::new();
            if !s.extra_services.is_empty() {
                let extra: Vec<&str> = s.extra_services.iter().map(String::as_str).collect();
                if extra.contains(&"*") {
                    why.push("every service (`*`)".to_string());
                } else {
                    why.push(format!(
                        "services beyond {}: {}",
                        WORKLOAD_SERVICES.join("/"),
                        extra.join(", ")
                    ));
                }
            }
            if s.wildcard {
                why.push("`*` actions or resources".to_string());
            }
            let unused = if s.unused_resources.is_empty() {
                String::new()
            } else {
                let list: Vec<&str> = s
                    .unused_resources
                    .iter()
                    .map(String::as_str)
                    .take(8)
                    .collect();
                let more = s.unused_resources.len().saturating_sub(list.len());
                format!(
                    "; it exposes {} scanned resource(s) the role's scoped statements do not name: {}{}",
                    s.unused_resources.len(),
                    list.join(", "),
                    if more > 0 { format!(" and {more} more") } else { String::new() }
                )
            };
            let meta = Meta::new(
                role.role.clone(),
                "aws_iam_role",
                s.loc.clone().unwrap_or_else(|| Location::file_only("-")),
            );
            cx.report(
                &meta,
                s.loc.as_ref(),
                format!(
                    "{} is reachable from {}; {} statement {}{sid} grants {}{unused}",
                    role.role,
                    role.reached_by.join(", "),
                    s.policy,
                    s.statement,
                    why.join(" and ")
                ),
            );
        }
    }
}
