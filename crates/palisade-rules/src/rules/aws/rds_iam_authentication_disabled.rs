//! The seeds pair IAM roles for service accounts with the database: the pod's
//! role gets `rds-db:connect` for its own database user and connects with a
//! 15-minute IAM token instead of a stored password. That needs IAM database
//! authentication on the instance or cluster.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL065",
    name: "rds-iam-authentication-disabled",
    title: "RDS database does not enable IAM database authentication",
    severity: Severity::Medium,
    practices: &["IAM-06"],
    benchmarks: &[
        "AWS FSBP RDS.10",
        "AWS FSBP RDS.12",
        "CKV_AWS_161",
        "CKV_AWS_162",
    ],
    description: "IAM database authentication is off, so workloads must authenticate with \
long-lived database passwords that have to be distributed, stored and rotated. The seeds have \
workloads connect with short-lived IAM tokens obtained through their IRSA role \
(`rds-db:connect` on their own database user).",
    remediation: "Set `iam_database_authentication_enabled = true`, create the database user \
with the `rds_iam` role (PostgreSQL) or `AWSAuthenticationPlugin` (MySQL), and grant the \
workload role `rds-db:connect` on that user only.",
    references: &[
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.html",
    ],
    check,
};

/// Engines that support IAM database authentication.
fn supports_iam_auth(engine: &str) -> bool {
    let e = engine.to_ascii_lowercase();
    e.contains("postgres") || e.contains("mysql") || e.contains("mariadb") || e == "aurora"
}

fn check(m: &Model, cx: &mut Ctx) {
    for db in databases(&m.aws) {
        let Some(engine) = cx.known(db.meta, "engine", db.engine) else {
            continue;
        };
        if !engine.as_deref().is_some_and(supports_iam_auth) {
            continue;
        }
        if cx.known(
            db.meta,
            "iam_database_authentication_enabled",
            db.iam_authentication,
        ) == Some(&false)
        {
            cx.report(
                db.meta,
                db.iam_authentication.loc(),
                format!("{} does not enable IAM database authentication", db.what()),
            );
        }
    }
}
