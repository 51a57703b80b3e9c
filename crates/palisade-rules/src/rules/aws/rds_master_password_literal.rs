//! The seeds store secrets in Secrets Manager. For RDS that is one argument:
//! `manage_master_user_password = true` makes RDS generate the master
//! password, keep it in Secrets Manager (KMS-encrypted) and rotate it. A
//! password written in the configuration instead lives in the repository and
//! in the Terraform state, in clear.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL055",
    name: "rds-master-password-literal",
    title: "RDS master password is a literal instead of managed in Secrets Manager",
    severity: Severity::High,
    practices: &["SEC-02", "SEC-01"],
    benchmarks: &[],
    description: "The DB instance or cluster sets its master password as a literal and does not \
let RDS manage it in Secrets Manager. The most privileged database credential is then in the \
repository and in the Terraform state, and is never rotated. The seeds keep secrets in Secrets \
Manager.",
    remediation: "Remove `password` / `master_password` and set `manage_master_user_password = \
true` (optionally `master_user_secret_kms_key_id`); applications read the credentials (or, better, \
use IAM database authentication) from Secrets Manager.",
    references: &[
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html",
        "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/db_instance#manage_master_user_password",
    ],
    check,
};

/// A resource address without instance keys (`module.db["a"].aws_db_instance.x[0]`
/// → `module.db.aws_db_instance.x`), as literal secrets are recorded per block.
fn static_address(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0u32;
    let mut in_str = false;
    for c in address.chars() {
        match c {
            '"' if depth > 0 => in_str = !in_str,
            '[' if !in_str => depth += 1,
            ']' if !in_str => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The master password argument itself: `password` (DB instance),
/// `master_password` (DB cluster), their write-only `_wo` forms, or
/// CloudFormation's `MasterUserPassword`. Not a nested value that merely
/// has a password-like name (a tag `password`).
fn is_master_password(attribute: &str) -> bool {
    let a = attribute.strip_prefix("Properties.").unwrap_or(attribute);
    matches!(
        a.to_ascii_lowercase().as_str(),
        "password" | "password_wo" | "master_password" | "master_password_wo" | "masteruserpassword"
    )
}

fn check(m: &Model, cx: &mut Ctx) {
    for db in databases(&m.aws) {
        if db.managed_master_password.is_true() {
            continue;
        }
        let address = static_address(&db.meta.address);
        let literals = m
            .secrets
            .iter()
            .filter(|s| s.resource == address && is_master_password(&s.attribute));
        for s in literals {
            cx.report(
                db.meta,
                Some(&s.loc),
                format!(
                    "{} master password is a literal in `{}` instead of being managed by RDS in Secrets Manager",
                    db.what(),
                    s.attribute
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{is_master_password, static_address};

    #[test]
    fn only_the_master_password_argument() {
        assert!(is_master_password("password"));
        assert!(is_master_password("master_password"));
        assert!(is_master_password("MasterUserPassword"));
        assert!(!is_master_password("tags.password"));
        assert!(!is_master_password("tags.db_password"));
    }

    #[test]
    fn strips_instance_keys() {
        assert_eq!(
            static_address("aws_db_instance.main[0]"),
            "aws_db_instance.main"
        );
        assert_eq!(
            static_address("module.db[\"a]\"].aws_rds_cluster.this"),
            "module.db.aws_rds_cluster.this"
        );
    }
}
