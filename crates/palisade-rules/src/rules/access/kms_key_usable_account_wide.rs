//! A key policy that gives `kms:*` to the account root delegates the key to
//! IAM: every principal whose identity policy allows the KMS action on `*`
//! (or on every key) can use it. Combined with broad identity grants, the
//! "separate key per service, scoped to that service's roles" becomes one
//! key for everyone. The rule evaluates who can use each key for
//! cryptography through grants that are not scoped to it.

use crate::prelude::*;
use palisade_access::{Analysis, Options};

pub static RULE: Rule = Rule {
    id: "PAL125",
    name: "kms-key-usable-account-wide",
    title: "A KMS key is usable by principals whose grants are not scoped to it",
    severity: Severity::Medium,
    practices: &["KMS-05"],
    benchmarks: &[],
    description: "The key policy delegates the key to the account (`kms:*` to the root, or the \
AWS default key policy), and principals whose identity policies allow `kms:Decrypt`, \
`kms:Encrypt`, `kms:GenerateDataKey` or `kms:CreateGrant` on any key can use it — the same \
grant opens every key of the account. The key is not scoped to its service's roles.",
    remediation: "Name the service's roles in the key policy (with `kms:ViaService`), keep the \
root statement for administration actions only, and grant identity policies KMS actions on the \
key ARNs they need.",
    references: &[
        "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html",
        "https://docs.aws.amazon.com/kms/latest/developerguide/least-privilege.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let a = Analysis::new(m, &Options::default());
    for k in a.kms_key_usage() {
        if k.broad.is_empty() {
            continue;
        }
        let who: Vec<String> = k
            .broad
            .iter()
            .take(8)
            .map(|(p, action, acc)| {
                let via = acc
                    .via
                    .first()
                    .map(|s| format!(" via {} statement {}", s.policy, s.statement))
                    .unwrap_or_default();
                format!("{p} ({action}{via})")
            })
            .collect();
        let more = k.broad.len().saturating_sub(who.len());
        let services = if k.services.len() > 1 {
            let s: Vec<&str> = k.services.iter().map(String::as_str).collect();
            format!(
                "; its key policy also admits several services: {}",
                s.join(", ")
            )
        } else {
            String::new()
        };
        let meta = Meta::new(k.key.clone(), "aws_kms_key", k.loc.clone());
        cx.report(
            &meta,
            Some(&k.loc),
            format!(
                "{} can be used by {}{} through grants that open every key of the account{}{services}",
                k.key,
                who.join(", "),
                if more > 0 { format!(" and {more} more") } else { String::new() },
                if k.root_kms_all { " (the key policy gives kms:* to the account)" } else { "" },
            ),
        );
    }
}
