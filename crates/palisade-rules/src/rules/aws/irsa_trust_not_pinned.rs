//! IRSA trusts the cluster's OIDC issuer. Without conditions, any service
//! account of the cluster — in any namespace — can assume the role; with a
//! wildcard `sub`, any service account matching it can. The seeds pin the
//! trust to the exact service account (`system:serviceaccount:NS:NAME`) and
//! audience (`sts.amazonaws.com`), so one namespace's pods cannot borrow
//! another's AWS permissions.

use crate::prelude::*;
use serde_json::Value as Json;

pub static RULE: Rule = Rule {
    id: "PAL060",
    name: "irsa-trust-not-pinned",
    title: "IRSA role trust does not pin the service account and audience",
    severity: Severity::High,
    practices: &["IAM-03"],
    benchmarks: &[],
    description: "A role trusts an EKS OIDC provider (`sts:AssumeRoleWithWebIdentity`) without \
conditions that pin `<issuer>:sub` to one exact `system:serviceaccount:NAMESPACE:NAME` \
(`StringEquals`, or `StringLike` without wildcards) and `<issuer>:aud` to \
`sts.amazonaws.com`. Any pod whose service account token the issuer signs — any namespace, any \
workload — can then assume the role. The seeds bind each role to its own service account.",
    remediation: "Add `StringEquals` conditions on `<issuer>:sub` = \
`system:serviceaccount:<namespace>:<service-account>` and `<issuer>:aud` = \
`sts.amazonaws.com` (or use EKS Pod Identity associations).",
    references: &[
        "https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_condition",
    ],
    check,
};

const WEB_IDENTITY: &str = "sts:AssumeRoleWithWebIdentity";
const SA_PREFIX: &str = "system:serviceaccount:";

/// One condition: operator, key, values.
struct Cond<'a> {
    op: &'a str,
    key: &'a str,
    values: Vec<String>,
}

fn conditions(stmt: &Json) -> Vec<Cond<'_>> {
    let mut out = Vec::new();
    let Some(Json::Object(ops)) = stmt.get("Condition") else {
        return out;
    };
    for (op, keys) in ops {
        let Some(keys) = keys.as_object() else {
            continue;
        };
        for (key, v) in keys {
            let values = match v {
                Json::Array(a) => a.iter().map(json_str).collect(),
                other => vec![json_str(other)],
            };
            out.push(Cond {
                op: op.as_str(),
                key: key.as_str(),
                values,
            });
        }
    }
    out
}

fn json_str(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `system:serviceaccount:NS:NAME` with no wildcard.
fn exact_service_account(v: &str) -> bool {
    v.strip_prefix(SA_PREFIX).is_some_and(|rest| {
        let mut parts = rest.split(':');
        let (ns, name, extra) = (parts.next(), parts.next(), parts.next());
        extra.is_none()
            && [ns, name]
                .iter()
                .all(|p| p.is_some_and(|p| !p.is_empty() && !p.contains(['*', '?'])))
    })
}

fn exact_op(op: &str) -> bool {
    matches!(op, "StringEquals" | "StringLike")
}

/// Whether the web-identity principals are EKS OIDC providers: `Some(true)`
/// when one is, `Some(false)` when none is, `None` when undecidable.
fn is_eks(m: &Model, federated: &[&str], conds: &[Cond<'_>]) -> Option<bool> {
    let hint = conds
        .iter()
        .any(|c| c.key.contains("oidc.eks.") || c.values.iter().any(|v| v.starts_with(SA_PREFIX)));
    if hint {
        return Some(true);
    }
    let mut undecided = false;
    for f in federated {
        if f.contains("oidc.eks.") {
            return Some(true);
        }
        let Some(rest) = f.strip_prefix(UNKNOWN_MARKER) else {
            if f.contains(UNKNOWN_MARKER) {
                undecided = true;
            }
            continue; // a literal provider ARN of another issuer
        };
        let provider = m
            .aws
            .iam_oidc_providers
            .iter()
            // `address.attr`, or the bare address (CloudFormation `!Ref`).
            .find(|p| rest == p.meta.address || rest.starts_with(&format!("{}.", p.meta.address)));
        match provider.map(|p| p.url.get()) {
            Some(Some(Some(url))) if url.contains("oidc.eks.") => return Some(true),
            Some(Some(_)) => {}
            _ => undecided = true,
        }
    }
    if undecided {
        None
    } else {
        Some(false)
    }
}

fn check(m: &Model, cx: &mut Ctx) {
    for role in &m.aws.iam_roles {
        let Some(doc) = cx.known(&role.meta, "assume_role_policy", &role.trust_policy) else {
            continue;
        };
        let at = role.trust_policy.loc();
        for stmt in statements(doc) {
            let effect_unknown = stmt.get("Effect").is_some_and(has_unknown);
            if !effect_unknown && !is_allow(stmt) {
                continue;
            }
            let action_unknown = ["Action", "NotAction"]
                .iter()
                .any(|k| stmt.get(*k).is_some_and(has_unknown));
            if !actions_cover(stmt, WEB_IDENTITY) {
                if action_unknown {
                    cx.unknown(
                        &role.meta,
                        "assume_role_policy",
                        at,
                        "a trust statement's actions are unknown",
                    );
                }
                continue;
            }
            let federated = match stmt.get("Principal") {
                Some(Json::Object(p)) => strings(p.get("Federated")),
                _ => Vec::new(),
            };
            let conds = conditions(stmt);
            match is_eks(m, &federated, &conds) {
                Some(true) => {}
                Some(false) => continue,
                None => {
                    cx.unknown(
                        &role.meta,
                        "assume_role_policy",
                        at,
                        "cannot tell whether the federated principal is an EKS OIDC provider",
                    );
                    continue;
                }
            }
            let undecided = effect_unknown
                || conds.iter().any(|c| {
                    c.op.contains(UNKNOWN_MARKER)
                        || c.key.contains(UNKNOWN_MARKER)
                        || (c.key.ends_with(":sub") || c.key.ends_with(":aud"))
                            && c.values.iter().any(|v| v.contains(UNKNOWN_MARKER))
                });
            let sub_pinned = conds.iter().any(|c| {
                exact_op(c.op)
                    && c.key.ends_with(":sub")
                    && !c.values.is_empty()
                    && c.values.iter().all(|v| exact_service_account(v))
            });
            let aud_pinned = conds.iter().any(|c| {
                exact_op(c.op)
                    && c.key.ends_with(":aud")
                    && !c.values.is_empty()
                    && c.values.iter().all(|v| v == "sts.amazonaws.com")
            });
            let mut problems = Vec::new();
            if !sub_pinned {
                problems.push("`sub` is not pinned to one `system:serviceaccount:NAMESPACE:NAME`");
            }
            if !aud_pinned {
                problems.push("`aud` is not required to be `sts.amazonaws.com`");
            }
            if problems.is_empty() {
                continue;
            }
            if undecided {
                cx.unknown(
                    &role.meta,
                    "assume_role_policy",
                    at,
                    "the trust statement's conditions are not fully known",
                );
                continue;
            }
            cx.report(
                &role.meta,
                at,
                format!(
                    "role trusts the EKS OIDC provider but {}",
                    problems.join(" and ")
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::exact_service_account;

    #[test]
    fn service_accounts() {
        assert!(exact_service_account("system:serviceaccount:shop:api"));
        assert!(!exact_service_account("system:serviceaccount:shop:*"));
        assert!(!exact_service_account("system:serviceaccount:*"));
        assert!(!exact_service_account("system:serviceaccount:shop"));
        assert!(!exact_service_account("repo:org/app:ref:refs/heads/main"));
    }
}
