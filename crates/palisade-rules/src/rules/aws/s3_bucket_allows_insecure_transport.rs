//! S3 accepts plain HTTP unless the bucket policy refuses it. The seeds
//! require every bucket to deny requests that do not use TLS, with a Deny
//! statement on `aws:SecureTransport` = `false`, so that no client, SDK
//! misconfiguration or proxy can move objects in cleartext.

use crate::prelude::*;
use serde_json::Value as Json;

pub static RULE: Rule = Rule {
    id: "PAL041",
    name: "s3-bucket-allows-insecure-transport",
    title: "S3 bucket policy does not deny requests without TLS",
    severity: Severity::Medium,
    practices: &["TLS-05"],
    benchmarks: &["CIS AWS 2.1.1", "AWS FSBP S3.5"],
    description: "The bucket has no policy, or its policy has no statement denying every \
principal when `aws:SecureTransport` is `false`. Requests over plain HTTP are then accepted and \
object data and request signatures travel unencrypted. The seeds require buckets to deny \
non-TLS requests.",
    remediation: "Add a bucket policy statement `Effect = Deny`, `Principal = \"*\"`, \
`Action = \"s3:*\"`, `Resource = [bucket ARN, \"bucket ARN/*\"]`, `Condition = { Bool = { \
\"aws:SecureTransport\" = \"false\" } }`.",
    references: &[
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html",
    ],
    check,
};

/// `{"Bool": {"aws:SecureTransport": "false"}}` (or `BoolIfExists`, a list
/// or a JSON `false`).
fn insecure_condition(stmt: &Json) -> bool {
    let Some(Json::Object(ops)) = stmt.get("Condition") else {
        return false;
    };
    ops.iter()
        .filter(|(op, _)| matches!(op.as_str(), "Bool" | "BoolIfExists"))
        .filter_map(|(_, keys)| keys.as_object())
        .flat_map(|keys| keys.iter())
        .filter(|(k, _)| k.eq_ignore_ascii_case("aws:SecureTransport"))
        .any(|(_, v)| match v {
            Json::Bool(b) => !b,
            Json::Array(a) => a.iter().any(|x| {
                x == &Json::Bool(false)
                    || x.as_str().is_some_and(|s| s.eq_ignore_ascii_case("false"))
            }),
            Json::String(s) => s.eq_ignore_ascii_case("false"),
            _ => false,
        })
}

fn denies_insecure_transport(stmt: &Json) -> bool {
    stmt.get("Effect").and_then(Json::as_str) == Some("Deny")
        && principal_is_anyone(stmt)
        && actions_cover(stmt, "s3:GetObject")
        && actions_cover(stmt, "s3:PutObject")
        && insecure_condition(stmt)
}

/// True when an unknown part of the condition could turn out to be
/// `Bool: aws:SecureTransport = false`: an unknown operator or key, or an
/// unknown value under that operator and key. Unknown values of other keys
/// (`aws:SourceVpce`) cannot.
fn condition_may_be_insecure(stmt: &Json) -> bool {
    match stmt.get("Condition") {
        Some(Json::Object(ops)) => ops.iter().any(|(op, keys)| {
            if op.contains(UNKNOWN_MARKER) {
                return true;
            }
            let Some(keys) = keys.as_object() else {
                return has_unknown(keys);
            };
            keys.iter().any(|(k, v)| {
                k.contains(UNKNOWN_MARKER)
                    || (matches!(op.as_str(), "Bool" | "BoolIfExists")
                        && k.eq_ignore_ascii_case("aws:SecureTransport")
                        && has_unknown(v))
            })
        }),
        Some(other) => has_unknown(other),
        None => false,
    }
}

/// A statement with unknown parts that, once known, could deny insecure transport.
fn may_deny_insecure_transport(stmt: &Json) -> bool {
    let part = |k: &str| stmt.get(k).is_some_and(has_unknown);
    let effect = part("Effect") || stmt.get("Effect").and_then(Json::as_str) == Some("Deny");
    let principal = part("Principal") || principal_is_anyone(stmt);
    let actions = part("Action")
        || part("NotAction")
        || (actions_cover(stmt, "s3:GetObject") && actions_cover(stmt, "s3:PutObject"));
    let condition_unknown = condition_may_be_insecure(stmt);
    let condition = condition_unknown || insecure_condition(stmt);
    let any_unknown = condition_unknown
        || ["Effect", "Principal", "Action", "NotAction"]
            .iter()
            .any(|k| part(k));
    any_unknown && effect && principal && actions && condition
}

fn check(m: &Model, cx: &mut Ctx) {
    for b in &m.aws.s3_buckets {
        let Some(policy) = cx.known(&b.meta, "policy", &b.policy) else {
            continue;
        };
        let Some(doc) = policy else {
            cx.report(
                &b.meta,
                None,
                "bucket has no policy, so nothing denies requests without TLS (`aws:SecureTransport` = false)",
            );
            continue;
        };
        let stmts = statements(doc);
        if stmts.iter().any(|s| denies_insecure_transport(s)) {
            continue;
        }
        // Statements that are not known, or a statement whose unknown parts
        // may make it the missing Deny, leave the verdict open.
        let statements_unknown = doc
            .get("Statement")
            .is_some_and(|s| s.is_string() && has_unknown(s));
        if statements_unknown || stmts.iter().any(|s| may_deny_insecure_transport(s)) {
            cx.unknown(
                &b.meta,
                "policy",
                b.policy.loc(),
                "a bucket policy statement is not fully known; it may deny insecure transport",
            );
            continue;
        }
        cx.report(
            &b.meta,
            b.policy.loc(),
            "bucket policy has no statement denying requests without TLS (`aws:SecureTransport` = false)",
        );
    }
}
