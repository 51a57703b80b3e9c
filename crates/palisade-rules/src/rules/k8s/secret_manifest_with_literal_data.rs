//! A Kubernetes `Secret` manifest with `data` or `stringData` puts the
//! secret in the repository: base64 is an encoding, not encryption, and every
//! clone and every CI log of the repository holds the credential (SEC-01). The
//! seeds keep secrets in Secrets Manager and mount them with the Secrets Store
//! CSI driver.
//!
//! One finding per Secret object, at its first literal value; empty values and
//! template expressions (`{{ ... }}`, `${...}`) are not literal data. The
//! generic secret-literal rule reports each value that looks like a credential
//! wherever it appears; this rule is about the Secret object itself, whatever
//! its values look like.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL228",
    name: "k8s-secret-manifest-with-literal-data",
    title: "Kubernetes Secret manifest contains literal secret data",
    severity: Severity::High,
    practices: &["SEC-01"],
    benchmarks: &[],
    description: "A `Secret` object is committed with values in `data` or `stringData`. Anyone \
with read access to the repository, its forks, backups or CI logs can read them; rotating means \
rewriting history.",
    remediation: "Store the value in AWS Secrets Manager and expose it through a \
SecretProviderClass (Secrets Store CSI driver), or commit only an encrypted form (Sealed Secrets, \
SOPS); rotate the exposed value.",
    references: &[
        "https://kubernetes.io/docs/concepts/security/secrets-good-practices/",
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/integrating_csi_driver.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for s in &m.k8s.secrets {
        let literal: Vec<(&String, &SecretEntry)> = s
            .data
            .iter()
            .filter(|(_, e)| !e.empty && !is_template(e.value.expose()))
            .collect();
        let Some(first) = literal.iter().map(|(_, e)| &e.loc).min() else {
            continue;
        };
        let fields: std::collections::BTreeSet<&str> =
            literal.iter().map(|(_, e)| e.field.as_str()).collect();
        let keys: Vec<&str> = literal.iter().map(|(k, _)| k.as_str()).collect();
        cx.report(
            &s.meta,
            Some(first),
            format!(
                "Secret {} commits {} literal value(s) in {} (keys: {})",
                s.object.name,
                literal.len(),
                fields.into_iter().collect::<Vec<_>>().join(" and "),
                keys.join(", ")
            ),
        );
    }
}

fn is_template(v: &str) -> bool {
    let v = v.trim();
    (v.starts_with("{{") && v.ends_with("}}")) || (v.starts_with("${") && v.ends_with('}'))
}
