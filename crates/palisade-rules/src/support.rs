//! Small helpers shared by rules. Anything more than a few lines that two
//! rules need lives here, so rule files stay about their one concern.

use palisade_model::aws::{Aws, PolicyDoc, SgRule};
use serde_json::Value as Json;

/// `0.0.0.0/0`: every IPv4 address.
pub fn is_world_v4(cidr: &str) -> bool {
    let c = cidr.trim();
    c == "0.0.0.0/0" || c == "0.0.0.0"
}

/// `::/0`: every IPv6 address.
pub fn is_world_v6(cidr: &str) -> bool {
    let c = cidr.trim();
    c == "::/0" || c == "::" || c == "0:0:0:0:0:0:0:0/0"
}

pub fn is_world(cidr: &str) -> bool {
    is_world_v4(cidr) || is_world_v6(cidr)
}

/// The world CIDRs a security group rule admits, if its sources are known.
/// Returns `None` when the CIDR lists are unknown.
pub fn sg_rule_world_sources(rule: &SgRule) -> Option<Vec<&str>> {
    let v4 = rule.cidrs_v4.get()?;
    let v6 = rule.cidrs_v6.get()?;
    Some(
        v4.iter()
            .chain(v6.iter())
            .map(String::as_str)
            .filter(|c| is_world(c))
            .collect(),
    )
}

/// True when the inclusive port range contains `port`.
pub fn range_contains(range: (i64, i64), port: u16) -> bool {
    range.0 <= i64::from(port) && i64::from(port) <= range.1
}

/// True when the range is every port.
pub fn is_all_ports(range: (i64, i64)) -> bool {
    range.0 <= 0 && range.1 >= 65535
}

/// Statements of a policy document (a single object or an array).
pub fn statements(doc: &PolicyDoc) -> Vec<&Json> {
    match doc.get("Statement") {
        Some(Json::Array(a)) => a.iter().collect(),
        Some(s @ Json::Object(_)) => vec![s],
        _ => Vec::new(),
    }
}

/// A policy element that may be a string or an array of strings.
pub fn strings(v: Option<&Json>) -> Vec<&str> {
    match v {
        Some(Json::String(s)) => vec![s.as_str()],
        Some(Json::Array(a)) => a.iter().filter_map(Json::as_str).collect(),
        _ => Vec::new(),
    }
}

pub fn is_allow(stmt: &Json) -> bool {
    stmt.get("Effect").and_then(Json::as_str) == Some("Allow")
}

/// The sentinel adapters put in a policy where a value was unknown.
pub const UNKNOWN_MARKER: &str = "${unknown}";

/// True when any string in the statement is the unknown sentinel.
pub fn has_unknown(v: &Json) -> bool {
    match v {
        Json::String(s) => s.contains(UNKNOWN_MARKER),
        Json::Array(a) => a.iter().any(has_unknown),
        Json::Object(o) => o.values().any(has_unknown),
        _ => false,
    }
}

/// Actions an Allow statement grants with a service-wide or global wildcard
/// (`*`, `s3:*`, `iam:*`).
pub fn wildcard_actions(stmt: &Json) -> Vec<&str> {
    if !is_allow(stmt) {
        return Vec::new();
    }
    let mut out: Vec<&str> = strings(stmt.get("Action"))
        .into_iter()
        .filter(|a| *a == "*" || a.ends_with(":*"))
        .collect();
    if stmt.get("NotAction").is_some() {
        out.push("NotAction");
    }
    out
}

/// True when an Allow statement applies to every resource.
pub fn all_resources(stmt: &Json) -> bool {
    is_allow(stmt)
        && (strings(stmt.get("Resource")).contains(&"*") || stmt.get("NotResource").is_some())
}

/// True when an Allow statement grants every action on every resource.
pub fn is_admin_statement(stmt: &Json) -> bool {
    is_allow(stmt)
        && strings(stmt.get("Action"))
            .iter()
            .any(|a| *a == "*" || *a == "*:*")
        && strings(stmt.get("Resource")).contains(&"*")
}

/// ALB/NLB security policies that allow only TLS 1.2 or newer.
pub fn is_modern_elb_policy(policy: &str) -> bool {
    let p = policy.to_ascii_uppercase();
    p.contains("TLS13") || p.contains("TLS-1-2") || p.contains("FS-1-2") || p.contains("PQ-TLS-1-2")
}

/// Engines whose transport encryption is enforced by `rds.force_ssl`.
pub fn is_postgres(engine: &str) -> bool {
    engine.contains("postgres")
}

/// Engines whose transport encryption is enforced by `require_secure_transport`.
pub fn is_mysql_like(engine: &str) -> bool {
    engine.contains("mysql") || engine.contains("mariadb")
}

/// Looks a security group's rules up and returns those that admit the
/// internet on `port` (ingress), with the world CIDRs.
pub fn world_ingress_on<'a>(
    aws: &'a Aws,
    rules: impl Iterator<Item = &'a SgRule>,
    port: u16,
) -> Vec<&'a SgRule> {
    let _ = aws;
    rules
        .filter(|r| r.ingress)
        .filter(|r| {
            r.port_range()
                .is_some_and(|range| range_contains(range, port))
        })
        .filter(|r| sg_rule_world_sources(r).is_some_and(|w| !w.is_empty()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn world_cidrs() {
        assert!(is_world_v4("0.0.0.0/0"));
        assert!(!is_world_v4("10.0.0.0/8"));
        assert!(is_world_v6("::/0"));
        assert!(!is_world_v6("0.0.0.0/0"));
    }

    #[test]
    fn admin_statements() {
        let s = json!({"Effect":"Allow","Action":"*","Resource":"*"});
        assert!(is_admin_statement(&s));
        let d = json!({"Effect":"Deny","Action":"*","Resource":"*"});
        assert!(!is_admin_statement(&d));
        let doc = json!({"Statement": s});
        assert_eq!(statements(&doc).len(), 1);
    }

    #[test]
    fn elb_policies() {
        assert!(is_modern_elb_policy("ELBSecurityPolicy-TLS13-1-2-2021-06"));
        assert!(!is_modern_elb_policy("ELBSecurityPolicy-2016-08"));
    }
}

// ------------------------------------------------ data, keys and identity

use palisade_model::aws::KmsKey;
use palisade_model::{Meta, Ref, Val};

/// The KMS key a link names: the key itself, or the key that an alias of
/// the model targets. `None` when the key is outside the model.
pub fn kms_key_of<'a>(aws: &'a Aws, r: &Ref) -> Option<&'a KmsKey> {
    if let Some(k) = aws.get::<KmsKey>(r) {
        return Some(k);
    }
    let alias = aws.get::<palisade_model::aws::KmsAlias>(r)?;
    aws.get::<KmsKey>(alias.target.get()?)
}

/// True when a key link names an AWS-managed key (`alias/aws/rds`,
/// `arn:aws:kms:...:alias/aws/s3`) rather than a customer-managed one.
pub fn is_aws_managed_key(r: &Ref) -> bool {
    r.key().contains("alias/aws/")
}

/// IAM-style wildcard match (`*` any run, `?` one character), case-insensitive
/// as action names are.
pub fn iam_glob(pattern: &str, value: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let v: Vec<char> = value.to_ascii_lowercase().chars().collect();
    let (mut pi, mut vi) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while vi < v.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some(pi);
                mark = vi;
                pi += 1;
            }
            Some(c) if *c == '?' || Some(c) == v.get(vi) => {
                pi += 1;
                vi += 1;
            }
            _ => match star {
                Some(s) => {
                    pi = s + 1;
                    mark += 1;
                    vi = mark;
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}

/// True when a statement's `Action` (or `NotAction`) covers `action`.
pub fn actions_cover(stmt: &Json, action: &str) -> bool {
    if let Some(not) = stmt.get("NotAction") {
        return !strings(Some(not)).iter().any(|p| iam_glob(p, action));
    }
    strings(stmt.get("Action"))
        .iter()
        .any(|p| iam_glob(p, action))
}

/// True when a statement's principal is everyone: `"*"` or `{"AWS": "*"}`.
pub fn principal_is_anyone(stmt: &Json) -> bool {
    match stmt.get("Principal") {
        Some(Json::String(s)) => s == "*",
        Some(Json::Object(o)) => strings(o.get("AWS")).contains(&"*"),
        _ => false,
    }
}

/// True when a statement has a non-empty `Condition`.
pub fn has_condition(stmt: &Json) -> bool {
    match stmt.get("Condition") {
        Some(Json::Object(o)) => !o.is_empty(),
        Some(Json::Null) | None => false,
        Some(_) => true,
    }
}

/// True when a decisive part of a statement (effect, principal, actions,
/// resources) holds the unknown sentinel: such a statement decides nothing.
pub fn statement_undecided(stmt: &Json) -> bool {
    [
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
    ]
    .iter()
    .any(|k| stmt.get(*k).is_some_and(has_unknown))
}

/// A boolean database parameter or condition value: `1`/`on`/`true` or
/// `0`/`off`/`false`; `None` for anything else.
pub fn setting_on(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "on" | "true" => Some(true),
        "0" | "off" | "false" => Some(false),
        _ => None,
    }
}

/// A database that owns its storage, backup and authentication settings: a
/// DB instance that is not an Aurora cluster member, or a DB cluster.
pub struct Db<'a> {
    pub meta: &'a Meta,
    pub cluster: bool,
    pub engine: &'a Val<Option<String>>,
    pub storage_encrypted: &'a Val<bool>,
    pub kms_key: &'a Val<Option<Ref>>,
    pub parameter_group: &'a Val<Option<Ref>>,
    pub backup_retention_days: &'a Val<i64>,
    pub deletion_protection: &'a Val<bool>,
    pub iam_authentication: &'a Val<bool>,
    pub log_exports: &'a Val<Vec<String>>,
    pub managed_master_password: &'a Val<bool>,
    /// Instances only: `None` for clusters.
    pub multi_az: Option<&'a Val<bool>>,
}

impl Db<'_> {
    /// "DB instance" or "DB cluster", for messages.
    pub fn what(&self) -> &'static str {
        if self.cluster {
            "DB cluster"
        } else {
            "DB instance"
        }
    }
}

/// Standalone DB instances and DB clusters (Aurora members are judged
/// through their cluster).
pub fn databases(aws: &Aws) -> Vec<Db<'_>> {
    let instances = aws
        .db_instances
        .iter()
        .filter(|d| !matches!(d.cluster.get(), Some(Some(_))))
        .map(|d| Db {
            meta: &d.meta,
            cluster: false,
            engine: &d.engine,
            storage_encrypted: &d.storage_encrypted,
            kms_key: &d.kms_key,
            parameter_group: &d.parameter_group,
            backup_retention_days: &d.backup_retention_days,
            deletion_protection: &d.deletion_protection,
            iam_authentication: &d.iam_authentication,
            log_exports: &d.log_exports,
            managed_master_password: &d.managed_master_password,
            multi_az: Some(&d.multi_az),
        });
    let clusters = aws.db_clusters.iter().map(|c| Db {
        meta: &c.meta,
        cluster: true,
        engine: &c.engine,
        storage_encrypted: &c.storage_encrypted,
        kms_key: &c.kms_key,
        parameter_group: &c.parameter_group,
        backup_retention_days: &c.backup_retention_days,
        deletion_protection: &c.deletion_protection,
        iam_authentication: &c.iam_authentication,
        log_exports: &c.log_exports,
        managed_master_password: &c.managed_master_password,
        multi_az: None,
    });
    instances.chain(clusters).collect()
}

#[cfg(test)]
mod data_identity_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn globs() {
        assert!(iam_glob("*", "s3:GetObject"));
        assert!(iam_glob("s3:*", "S3:GetObject"));
        assert!(iam_glob("sts:AssumeRole*", "sts:AssumeRoleWithWebIdentity"));
        assert!(iam_glob("s3:Get?bject", "s3:GetObject"));
        assert!(!iam_glob("s3:Put*", "s3:GetObject"));
        assert!(!iam_glob("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"));
    }

    #[test]
    fn statement_parts() {
        let s = json!({"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"});
        assert!(principal_is_anyone(&s));
        assert!(actions_cover(&s, "kms:Decrypt"));
        assert!(!has_condition(&s));
        assert!(!statement_undecided(&s));
        let n = json!({"Effect":"Allow","NotAction":"iam:*","Resource":"*"});
        assert!(actions_cover(&n, "s3:GetObject"));
        assert!(!actions_cover(&n, "iam:CreateUser"));
        let u = json!({"Effect":"Allow","Principal":{"AWS":"${unknown}"},"Action":"*"});
        assert!(statement_undecided(&u));
        assert!(!principal_is_anyone(&u));
        assert_eq!(setting_on("ON"), Some(true));
        assert_eq!(setting_on("0"), Some(false));
        assert_eq!(setting_on("maybe"), None);
    }

    #[test]
    fn managed_keys() {
        assert!(is_aws_managed_key(&Ref::new("alias/aws/rds")));
        assert!(is_aws_managed_key(&Ref::new(
            "arn:aws:kms:eu-west-1:111122223333:alias/aws/s3"
        )));
        assert!(!is_aws_managed_key(&Ref::new("aws_kms_key.rds")));
        let aws = Aws::default();
        assert!(kms_key_of(&aws, &Ref::new("aws_kms_key.rds")).is_none());
        assert!(databases(&aws).is_empty());
    }
}
