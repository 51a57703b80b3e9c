//! A key policy statement that allows `"AWS": "*"` without conditions lets
//! any principal of any AWS account use the key (IAM policies are not needed
//! when the key policy names the principal). The seeds scope each key's
//! policy to its service's roles.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL050",
    name: "kms-key-policy-allows-anyone",
    title: "KMS key policy allows any principal without conditions",
    severity: Severity::High,
    practices: &["KMS-05"],
    benchmarks: &["CKV_AWS_33"],
    description: "A key policy statement allows actions to `Principal: \"*\"` (or \
`{\"AWS\": \"*\"}`) with no condition. Every principal in every AWS account may then use or \
manage the key, and anyone who obtains ciphertext (a snapshot, an object) can decrypt it. The \
seeds scope each key's policy to the roles of the service it protects.",
    remediation: "Replace the wildcard principal with the account root and the service's roles, \
or add conditions (`aws:PrincipalOrgID`, `kms:CallerAccount` with `kms:ViaService`).",
    references: &[
        "https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html",
        "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for k in &m.aws.kms_keys {
        let Some(Some(doc)) = cx.known(&k.meta, "policy", &k.policy) else {
            continue;
        };
        for stmt in statements(doc) {
            if statement_undecided(stmt) {
                if !has_condition(stmt) {
                    cx.unknown(
                        &k.meta,
                        "policy",
                        k.policy.loc(),
                        "a key policy statement's effect, principal or actions are unknown",
                    );
                }
                continue;
            }
            if !is_allow(stmt) || !principal_is_anyone(stmt) || has_condition(stmt) {
                continue;
            }
            let mut actions = strings(stmt.get("Action"));
            if actions.is_empty() {
                actions = vec!["NotAction"];
            }
            cx.report(
                &k.meta,
                k.policy.loc(),
                format!(
                    "key policy allows `{}` to any principal (`*`) without conditions",
                    actions.join("`, `")
                ),
            );
        }
    }
}
