//! The seeds start least privilege from day one: the role used by the EKS
//! workloads "requires access to a limited amount of services — Secrets
//! Manager, KMS for encryption keys, RDS database and S3 bucket", on their
//! own resources. A statement that allows every action of a service (`s3:*`)
//! or of every service (`*`), or everything but a list (`NotAction`), on every
//! resource is the opposite.

use crate::prelude::*;
use serde_json::Value as Json;

pub static RULE: Rule = Rule {
    id: "PAL058",
    name: "iam-role-wildcard-permissions",
    title: "IAM role allows wildcard actions on every resource",
    severity: Severity::High,
    practices: &["IAM-01"],
    benchmarks: &["AWS FSBP IAM.1", "AWS FSBP IAM.21", "CKV_AWS_63"],
    description: "A policy attached to (or inline in) a role has an Allow statement whose \
actions are `*`, a whole service (`s3:*`, `kms:*`) or a `NotAction` list, on `Resource: \"*\"`. \
Whoever runs as the role — a pod through IRSA, a node, a Lambda — can then act on every \
resource of those services in the account. The seeds grant workload roles only the actions they \
need on their own secret, key, database user and bucket.",
    remediation: "List the actions the workload calls (`secretsmanager:GetSecretValue`, \
`kms:Decrypt`, `rds-db:connect`, `s3:GetObject`) and the ARNs of its own resources; use IAM \
Access Analyzer policy generation from CloudTrail activity to find them.",
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_elements_notaction.html",
    ],
    check,
};

/// AWS-managed policies known to allow (almost) everything on `*`.
const BROAD_MANAGED: &[&str] = &["AdministratorAccess", "PowerUserAccess"];

fn check_doc(cx: &mut Ctx, role: &Meta, doc: &Json, at: Option<&Location>, source: &str) {
    for stmt in statements(doc) {
        let effect_unknown = stmt.get("Effect").is_some_and(has_unknown);
        let actions_unknown = ["Action", "NotAction"]
            .iter()
            .any(|k| stmt.get(*k).is_some_and(has_unknown));
        let resources_unknown = strings(stmt.get("Resource"))
            .iter()
            .any(|r| unknown_may_be_anything(r))
            || stmt
                .get("Resource")
                .is_some_and(|r| !r.is_string() && !r.is_array())
            || stmt.get("NotResource").is_some_and(has_unknown);
        if !effect_unknown && !is_allow(stmt) {
            continue;
        }
        let mut wild = strings(stmt.get("Action"))
            .into_iter()
            .filter(|a| *a == "*" || a.ends_with(":*"))
            .collect::<Vec<_>>();
        if stmt.get("NotAction").is_some() {
            wild.push("NotAction");
        }
        let every_resource =
            strings(stmt.get("Resource")).contains(&"*") || stmt.get("NotResource").is_some();
        let could_be_wild = !wild.is_empty() || actions_unknown;
        let could_be_everywhere = every_resource || resources_unknown;
        if !could_be_wild || !could_be_everywhere {
            continue;
        }
        if effect_unknown || wild.is_empty() || !every_resource {
            cx.unknown(
                role,
                "policy",
                at,
                format!("a statement of {source} is not fully known"),
            );
            continue;
        }
        cx.report(
            role,
            at,
            format!("{source} allows `{}` on every resource", wild.join("`, `")),
        );
    }
}

fn check(m: &Model, cx: &mut Ctx) {
    for role in &m.aws.iam_roles {
        for g in m.aws.grants_of(&role.meta) {
            match &g.policy {
                GrantedPolicy::Inline(doc) => {
                    let Some(d) = cx.known(&g.meta, "policy", doc) else {
                        continue;
                    };
                    let at = doc.loc().or(Some(&g.meta.loc));
                    check_doc(
                        cx,
                        &role.meta,
                        d,
                        at,
                        &format!("inline policy `{}`", g.meta.address),
                    );
                }
                GrantedPolicy::Managed(link) => {
                    let Some(r) = cx.known(&g.meta, "policy_arn", link) else {
                        continue;
                    };
                    if let Some(name) = g.aws_managed_name() {
                        if BROAD_MANAGED.contains(&name) {
                            cx.report(
                                &role.meta,
                                Some(&g.meta.loc),
                                format!("AWS-managed policy `{name}` allows every action (or all but IAM) on every resource"),
                            );
                        }
                        continue;
                    }
                    let Some(p) = m.aws.get::<IamPolicy>(r) else {
                        continue; // a customer policy outside the scanned input
                    };
                    let Some(d) = cx.known(&p.meta, "policy", &p.document) else {
                        continue;
                    };
                    let at = p.document.loc().or(Some(&p.meta.loc));
                    check_doc(
                        cx,
                        &role.meta,
                        d,
                        at,
                        &format!("policy `{}`", p.meta.address),
                    );
                }
            }
        }
    }
}
