//! IAM database authentication binds a workload to its own database user.
//! A grant of `rds-db:connect` on every user of a database (or every
//! database) lets the holder log in as any user, the master user included.
//! The rule evaluates, for every database, which principals may connect as
//! any user and names the service accounts behind them.

use crate::prelude::*;
use palisade_access::{Analysis, Options};

pub static RULE: Rule = Rule {
    id: "PAL123",
    name: "rds-iam-connect-any-user",
    title: "A principal may connect to a database as any database user",
    severity: Severity::High,
    practices: &["IAM-06"],
    benchmarks: &[],
    description: "An identity policy allows `rds-db:connect` on \
`arn:aws:rds-db:REGION:ACCOUNT:dbuser:DB/*` (or a wider pattern): with IAM database \
authentication, the principal — and every service account or workload that reaches it — can \
log in as any database user, including administrators.",
    remediation: "Grant `rds-db:connect` on `dbuser:<DbiResourceId>/<the workload's user>` only.",
    references: &[
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let a = Analysis::new(m, &Options::default());
    for db in a.db_connections() {
        for c in db
            .connections
            .iter()
            .filter(|c| c.user == "*" && c.access.verdict.grants())
        {
            let via = c.access.via.first();
            let at = via.and_then(|s| s.loc.clone());
            let sas: Vec<String> = c.service_accounts.iter().map(|s| s.address()).collect();
            let behind = if sas.is_empty() {
                String::new()
            } else {
                format!(" (reached by {})", sas.join(", "))
            };
            let meta = Meta::new(c.principal.clone(), "iam principal", db.loc.clone());
            cx.report(
                &meta,
                at.as_ref().or(Some(&db.loc)),
                format!(
                    "{}{behind} may rds-db:connect to {} as any database user{}",
                    c.principal,
                    db.db,
                    via.map(|s| format!(" via {} statement {}", s.policy, s.statement))
                        .unwrap_or_default()
                ),
            );
        }
    }
}
