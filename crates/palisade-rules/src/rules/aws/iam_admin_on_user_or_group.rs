//! The seeds: "Probably many companies have too many admin users on their
//! cloud providers", and "rather than granting some groups elevated
//! privileges all the time, it is better to enable just-in-time elevated
//! access". Full administrator rights attached to a user or a group are
//! standing, not just-in-time.

use crate::prelude::*;
use serde_json::Value as Json;

pub static RULE: Rule = Rule {
    id: "PAL063",
    name: "iam-admin-on-user-or-group",
    title: "Administrator access attached to an IAM user or group",
    severity: Severity::High,
    practices: &["IAM-05"],
    benchmarks: &["CIS AWS 1.16", "AWS FSBP IAM.1", "CKV_AWS_274"],
    description: "An IAM user or group holds `AdministratorAccess` or a policy allowing `*` (or \
`*:*`) on `*`. Every member has standing full control of the account, with long-lived \
credentials, and a single leaked password or key compromises everything. The seeds keep \
administrators few and grant elevated access just in time.",
    remediation: "Detach the policy. Grant administrators a role they assume through SSO for a \
limited time (with MFA), and give groups only the permissions their job needs.",
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess.html",
    ],
    check,
};

fn admin_statements(cx: &mut Ctx, who: &Meta, doc: &Json, at: Option<&Location>, source: &str) {
    for stmt in statements(doc) {
        if is_admin_statement(stmt) {
            cx.report(
                who,
                at,
                format!("{source} allows every action on every resource"),
            );
        } else if statement_undecided(stmt)
            && stmt.get("Effect").and_then(Json::as_str) != Some("Deny")
        {
            let could_be_admin = stmt.get("Action").is_some_and(has_unknown)
                || strings(stmt.get("Action"))
                    .iter()
                    .any(|a| *a == "*" || *a == "*:*");
            if could_be_admin {
                cx.unknown(
                    who,
                    "policy",
                    at,
                    format!("a statement of {source} is not fully known"),
                );
            }
        }
    }
}

fn check(m: &Model, cx: &mut Ctx) {
    for g in &m.aws.iam_grants {
        let Some(principal) = g.principal.get() else {
            continue;
        };
        let (who, kind) = if let Some(u) = m.aws.get::<IamUser>(principal) {
            (&u.meta, "user")
        } else if let Some(gr) = m.aws.get::<IamGroup>(principal) {
            (&gr.meta, "group")
        } else {
            continue;
        };
        match &g.policy {
            GrantedPolicy::Managed(link) => {
                let Some(r) = cx.known(&g.meta, "policy_arn", link) else {
                    continue;
                };
                if g.aws_managed_name() == Some("AdministratorAccess") {
                    cx.report(
                        who,
                        Some(&g.meta.loc),
                        format!(
                            "AWS-managed policy `AdministratorAccess` is attached to the {kind}"
                        ),
                    );
                    continue;
                }
                if let Some(p) = m.aws.get::<IamPolicy>(r) {
                    let Some(d) = cx.known(&p.meta, "policy", &p.document) else {
                        continue;
                    };
                    let source = format!("policy `{}` attached to the {kind}", p.meta.address);
                    admin_statements(cx, who, d, Some(&g.meta.loc), &source);
                }
            }
            GrantedPolicy::Inline(doc) => {
                let Some(d) = cx.known(&g.meta, "policy", doc) else {
                    continue;
                };
                let at = doc.loc().or(Some(&g.meta.loc));
                let source = format!("inline policy `{}` of the {kind}", g.meta.address);
                admin_statements(cx, who, d, at, &source);
            }
        }
    }
}
