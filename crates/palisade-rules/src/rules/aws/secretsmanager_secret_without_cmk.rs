//! Secrets Manager encrypts secrets with the AWS-managed `aws/secretsmanager`
//! key unless told otherwise. That key's policy admits every principal of the
//! account that may call Secrets Manager; the seeds encrypt secrets with a
//! customer-managed key whose policy names the workload roles.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL056",
    name: "secretsmanager-secret-without-cmk",
    title: "Secrets Manager secret is not encrypted with a customer-managed key",
    severity: Severity::Medium,
    practices: &["SEC-03", "KMS-05"],
    benchmarks: &["CKV_AWS_149"],
    description: "The secret uses the AWS-managed `aws/secretsmanager` key. Reading it is then \
gated only by `secretsmanager:GetSecretValue`: the key policy cannot add a second check, the \
secret cannot be shared across accounts, and decryptions cannot be attributed per service. The \
seeds encrypt secrets with a CMK.",
    remediation: "Set `kms_key_id` to the Secrets Manager customer-managed key, whose policy \
allows `kms:Decrypt` only to the roles that read the secret (via `kms:ViaService`).",
    references: &[
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for s in &m.aws.secrets {
        match cx.known(&s.meta, "kms_key_id", &s.kms_key) {
            Some(None) => cx.report(
                &s.meta,
                s.kms_key.loc(),
                "secret is encrypted with the AWS-managed key `aws/secretsmanager`: no `kms_key_id` is set",
            ),
            Some(Some(k)) if is_aws_managed_key(k) => cx.report(
                &s.meta,
                s.kms_key.loc(),
                format!("secret is encrypted with the AWS-managed key `{}`", k.key()),
            ),
            _ => {}
        }
    }
}
