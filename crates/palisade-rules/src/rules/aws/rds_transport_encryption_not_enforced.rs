//! Pod → RDS traffic is plaintext unless the database refuses unencrypted
//! connections. The seeds call out this step explicitly: "many applications
//! will not use this option because they think they are running in a private
//! network" — yet anyone who gets into that network can read the traffic.
//! RDS enforces TLS with `rds.force_ssl` (PostgreSQL, SQL Server) or
//! `require_secure_transport` (MySQL, MariaDB) in the DB (cluster) parameter
//! group.
//!
//! Defaults decide many cases: RDS for PostgreSQL 15+ sets `rds.force_ssl`
//! to 1, MariaDB 11.8+ sets `require_secure_transport` ON, everything else
//! defaults to off. A database on its engine's default parameter group whose
//! engine version decides the default (the model does not carry it) is
//! reported as unknown, never as a finding.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL040",
    name: "rds-transport-encryption-not-enforced",
    title: "RDS database accepts unencrypted connections",
    severity: Severity::High,
    practices: &["TLS-03"],
    benchmarks: &[],
    description: "The database's parameter group does not force TLS (`rds.force_ssl` for \
PostgreSQL and SQL Server, `require_secure_transport` for MySQL, MariaDB and Aurora MySQL), so \
clients may connect in plaintext and credentials and rows cross the VPC unencrypted. The seeds \
require the pod → RDS hop to be encrypted even inside private subnets: an attacker who reaches \
the network can otherwise read all traffic.",
    remediation: "Use a custom DB (cluster) parameter group with `rds.force_ssl = 1` \
(PostgreSQL, SQL Server) or `require_secure_transport = ON` (MySQL, MariaDB), and connect with \
`sslmode=verify-full` / `--ssl-mode=VERIFY_IDENTITY`.",
    references: &[
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html",
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/mysql-ssl-connections.require-ssl.html",
        "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Security.html",
    ],
    check,
};

#[derive(Clone, Copy, PartialEq)]
enum Engine {
    Postgres,
    AuroraPostgres,
    MySql,
    MariaDb,
    SqlServer,
}

impl Engine {
    fn of(engine: &str) -> Option<Engine> {
        let e = engine.to_ascii_lowercase();
        if e.starts_with("aurora-postgresql") {
            Some(Engine::AuroraPostgres)
        } else if is_postgres(&e) {
            Some(Engine::Postgres)
        } else if e.contains("mariadb") {
            Some(Engine::MariaDb)
        } else if is_mysql_like(&e) || e == "aurora" {
            Some(Engine::MySql)
        } else if e.starts_with("sqlserver") {
            Some(Engine::SqlServer)
        } else {
            None
        }
    }

    fn parameter(self) -> &'static str {
        match self {
            Engine::Postgres | Engine::AuroraPostgres | Engine::SqlServer => "rds.force_ssl",
            Engine::MySql | Engine::MariaDb => "require_secure_transport",
        }
    }

    fn needs_version(self) -> bool {
        matches!(
            self,
            Engine::Postgres | Engine::AuroraPostgres | Engine::MariaDb
        )
    }

    /// Whether TLS is forced when the parameter is left at its default, for
    /// a parameter group family (`postgres16`, `mariadb11.8`); `None` when
    /// the default is not known for that version.
    fn default_on(self, family: Option<&str>) -> Option<bool> {
        let version = family.and_then(family_version);
        match self {
            Engine::MySql | Engine::SqlServer => Some(false),
            Engine::Postgres => version.map(|(major, _)| major >= 15),
            // Documented as off; newer majors are left undecided.
            Engine::AuroraPostgres => version.and_then(|(major, _)| (major < 17).then_some(false)),
            Engine::MariaDb => version.map(|v| v >= (11, 8)),
        }
    }
}

/// `(major, minor)` of a parameter group family: `postgres16` → (16, 0),
/// `mariadb11.8` → (11, 8).
fn family_version(family: &str) -> Option<(u32, u32)> {
    let start = family.find(|c: char| c.is_ascii_digit())?;
    let rest = family.get(start..)?;
    let mut parts = rest.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts
        .next()
        .and_then(|m| {
            m.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .ok()
        })
        .unwrap_or(0);
    Some((major, minor))
}

fn check(m: &Model, cx: &mut Ctx) {
    for db in databases(&m.aws) {
        let Some(engine) = cx.known(db.meta, "engine", db.engine) else {
            continue;
        };
        let Some(engine_name) = engine.clone() else {
            continue; // replicas and restores inherit their engine
        };
        let Some(kind) = Engine::of(&engine_name) else {
            continue;
        };
        let param = kind.parameter();
        let Some(group_link) = cx.known(db.meta, "parameter_group", db.parameter_group) else {
            continue;
        };
        let Some(group_link) = group_link.clone() else {
            // The engine's default parameter group.
            match kind.default_on(None) {
                Some(false) => cx.report(
                    db.meta,
                    None,
                    format!(
                        "{} ({engine_name}) uses the default parameter group, where `{param}` is off",
                        db.what()
                    ),
                ),
                Some(true) => {}
                None => cx.unknown(
                    db.meta,
                    param,
                    None,
                    "the default parameter group's value depends on the engine version, which is not known",
                ),
            }
            continue;
        };
        let Some(group) = m.aws.get::<DbParameterGroup>(&group_link) else {
            cx.unknown(
                db.meta,
                param,
                db.parameter_group.loc(),
                format!(
                    "parameter group `{}` is not in the scanned input",
                    group_link.key()
                ),
            );
            continue;
        };
        match group.parameter(param) {
            Some(p) => {
                let Some(value) = cx.known(&group.meta, param, &p.value) else {
                    continue;
                };
                match setting_on(value) {
                    Some(true) => {}
                    Some(false) => cx.report(
                        db.meta,
                        p.value.loc(),
                        format!(
                            "`{param}` is `{value}` in parameter group `{}`: {} ({engine_name}) accepts plaintext connections",
                            group.meta.address,
                            db.what()
                        ),
                    ),
                    None => cx.unknown(
                        &group.meta,
                        param,
                        p.value.loc(),
                        format!("`{value}` is not a recognised value for `{param}`"),
                    ),
                }
            }
            None => {
                if let Some(p) = group.parameters.iter().find(|p| p.name.is_unknown()) {
                    cx.known(&group.meta, "parameter", &p.name);
                    continue;
                }
                let family = if kind.needs_version() {
                    match cx.known(&group.meta, "family", &group.family) {
                        Some(f) => f.as_deref(),
                        None => continue,
                    }
                } else {
                    None
                };
                match kind.default_on(family) {
                    Some(true) => {}
                    Some(false) => cx.report(
                        db.meta,
                        Some(&group.meta.loc),
                        format!(
                            "parameter group `{}` leaves `{param}` at its default (off): {} ({engine_name}) accepts plaintext connections",
                            group.meta.address,
                            db.what()
                        ),
                    ),
                    None => cx.unknown(
                        &group.meta,
                        param,
                        None,
                        "the default of this parameter is not known for the group's family",
                    ),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_by_family() {
        assert_eq!(family_version("postgres16"), Some((16, 0)));
        assert_eq!(family_version("mariadb11.8"), Some((11, 8)));
        assert_eq!(family_version("aurora-mysql8.0"), Some((8, 0)));
        assert_eq!(Engine::Postgres.default_on(Some("postgres15")), Some(true));
        assert_eq!(Engine::Postgres.default_on(Some("postgres14")), Some(false));
        assert_eq!(Engine::Postgres.default_on(None), None);
        assert_eq!(Engine::MariaDb.default_on(Some("mariadb10.6")), Some(false));
        assert_eq!(Engine::MariaDb.default_on(Some("mariadb11.8")), Some(true));
        assert_eq!(Engine::MySql.default_on(None), Some(false));
        assert_eq!(
            Engine::AuroraPostgres.default_on(Some("aurora-postgresql17")),
            None
        );
    }
}
