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
