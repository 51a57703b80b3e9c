//! IAM database authentication is only useful when workloads use it. A
//! database with IAM authentication on that no workload role can connect to
//! through `rds-db:connect` means the workloads still log in with
//! passwords. Reported as information: the access analysis found no IAM
//! path, not a misconfiguration.

use crate::prelude::*;
use palisade_access::{Analysis, Options};

pub static RULE: Rule = Rule {
    id: "PAL124",
    name: "rds-iam-auth-unused",
    title: "IAM database authentication is on, but no workload role connects through it",
    severity: Severity::Info,
    practices: &["IAM-06"],
    benchmarks: &[],
    description: "The database has `iam_database_authentication_enabled`, but no role that a \
Kubernetes service account or workload can obtain is allowed `rds-db:connect` on it (an \
undetermined grant counts as a connection). Workloads then presumably use a password.",
    remediation: "Create the workload's database user with the `rds_iam` role and grant the \
workload's role `rds-db:connect` on `dbuser:<DbiResourceId>/<user>`.",
    references: &[
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let a = Analysis::new(m, &Options::default());
    for db in a.db_connections() {
        let Some(iam) = &db.iam_auth else { continue };
        if !iam.is_true() {
            continue;
        }
        let used = db
            .connections
            .iter()
            .any(|c| c.role && !c.service_accounts.is_empty() && c.access.verdict.may_grant());
        if used {
            continue;
        }
        let others: Vec<&str> = db
            .connections
            .iter()
            .filter(|c| c.access.verdict.may_grant())
            .map(|c| c.principal.as_str())
            .collect();
        let note = if others.is_empty() {
            "no principal may connect".to_string()
        } else {
            format!(
                "only {} may connect, and no service account reaches them",
                others.join(", ")
            )
        };
        let meta = Meta::new(db.db.clone(), "aws_db_instance", db.loc.clone());
        cx.report(
            &meta,
            iam.loc(),
            format!("{} has IAM authentication on, but {note}", db.db),
        );
    }
}
