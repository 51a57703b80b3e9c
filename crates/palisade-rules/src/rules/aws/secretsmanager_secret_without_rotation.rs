//! The seeds: secret services "can be extended to enable automated credential
//! rotation". A secret that never rotates stays valid for as long as anyone
//! who ever saw it keeps a copy.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL057",
    name: "secretsmanager-secret-without-rotation",
    title: "Secrets Manager secret is not rotated automatically",
    severity: Severity::Medium,
    practices: &["SEC-03"],
    benchmarks: &["AWS FSBP SecretsManager.1", "CKV2_AWS_57"],
    description: "No rotation is configured for the secret (no \
`aws_secretsmanager_secret_rotation`, no inline rotation rules). A leaked value stays usable \
until someone rotates it by hand. The seeds require secrets to be rotated automatically.",
    remediation: "Add an `aws_secretsmanager_secret_rotation` with a rotation Lambda (or use \
RDS-managed master passwords, which rotate on their own) and `rotation_rules { \
automatically_after_days = 30 }`.",
    references: &[
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for s in &m.aws.secrets {
        match &s.rotation {
            None => cx.report(&s.meta, None, "secret has no automatic rotation"),
            Some(r) => {
                if cx.known(&s.meta, "rotation", &r.enabled) == Some(&false) {
                    cx.report(
                        &s.meta,
                        r.enabled.loc().or(r.loc.as_ref()),
                        "secret rotation is disabled",
                    );
                }
            }
        }
    }
}
