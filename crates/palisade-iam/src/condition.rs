//! Condition operators and their evaluation.
//!
//! Semantics, from [Condition operators][ops] and
//! [Multivalued context keys][multi]:
//!
//! * Several keys under one operator, and several operators in one `Condition`
//!   block, are ANDed. Several values for one key are ORed.
//! * A key missing from the request context makes the condition false, except
//!   that negated operators (`StringNotEquals`, `StringNotLike`,
//!   `StringNotEqualsIgnoreCase`, `NumericNotEquals`, `DateNotEquals`,
//!   `NotIpAddress`, `ArnNotEquals`, `ArnNotLike`) are then true.
//! * `...IfExists` makes a condition on a missing key true.
//! * `Null` tests presence: `true` means "the key is absent".
//! * A negated operator is the negation of its positive form over the whole
//!   value set: `StringNotEquals {k: [a, b]}` is true when the value is
//!   neither `a` nor `b`.
//! * `ForAllValues:` is true when every request value satisfies the operator
//!   against at least one policy value, and also when the key is missing or its
//!   values resolve to an empty set (an empty list or an empty string).
//!   `ForAnyValue:` is true when at least one request value does, and false for
//!   a missing key or empty set. With negated operators the negation applies
//!   per request value (`ForAllValues:StringNotEquals` = no request value is in
//!   the policy list).
//! * Without a set qualifier, a key with several values in the request matches
//!   a positive operator when any of its values does.
//! * Policy variables are substituted in string, ARN and Boolean operator
//!   values; a value whose variable cannot be resolved matches nothing.
//!
//! [ops]: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
//! [multi]: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html

use std::cmp::Ordering;
use std::net::IpAddr;

use ipnet::IpNet;

use crate::context::Context;
use crate::date::parse_date;
use crate::policy::ConditionClause;
use crate::variables::substitute;
use crate::wildcard::{arn_like_toks, string_like_toks, Tok};

/// `ForAllValues:` / `ForAnyValue:` set qualifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SetQualifier {
    /// `ForAllValues:`
    ForAllValues,
    /// `ForAnyValue:`
    ForAnyValue,
}

/// The base condition operators (without qualifier or `IfExists`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum OperatorKind {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

const KINDS: &[(&str, OperatorKind)] = &[
    ("StringEquals", OperatorKind::StringEquals),
    ("StringNotEquals", OperatorKind::StringNotEquals),
    (
        "StringEqualsIgnoreCase",
        OperatorKind::StringEqualsIgnoreCase,
    ),
    (
        "StringNotEqualsIgnoreCase",
        OperatorKind::StringNotEqualsIgnoreCase,
    ),
    ("StringLike", OperatorKind::StringLike),
    ("StringNotLike", OperatorKind::StringNotLike),
    ("NumericEquals", OperatorKind::NumericEquals),
    ("NumericNotEquals", OperatorKind::NumericNotEquals),
    ("NumericLessThan", OperatorKind::NumericLessThan),
    ("NumericLessThanEquals", OperatorKind::NumericLessThanEquals),
    ("NumericGreaterThan", OperatorKind::NumericGreaterThan),
    (
        "NumericGreaterThanEquals",
        OperatorKind::NumericGreaterThanEquals,
    ),
    ("DateEquals", OperatorKind::DateEquals),
    ("DateNotEquals", OperatorKind::DateNotEquals),
    ("DateLessThan", OperatorKind::DateLessThan),
    ("DateLessThanEquals", OperatorKind::DateLessThanEquals),
    ("DateGreaterThan", OperatorKind::DateGreaterThan),
    ("DateGreaterThanEquals", OperatorKind::DateGreaterThanEquals),
    ("Bool", OperatorKind::Bool),
    ("BinaryEquals", OperatorKind::BinaryEquals),
    ("IpAddress", OperatorKind::IpAddress),
    ("NotIpAddress", OperatorKind::NotIpAddress),
    ("ArnEquals", OperatorKind::ArnEquals),
    ("ArnLike", OperatorKind::ArnLike),
    ("ArnNotEquals", OperatorKind::ArnNotEquals),
    ("ArnNotLike", OperatorKind::ArnNotLike),
    ("Null", OperatorKind::Null),
];

impl OperatorKind {
    /// The operator's name as written in policies.
    pub fn name(self) -> &'static str {
        KINDS
            .iter()
            .find(|(_, k)| *k == self)
            .map(|(n, _)| *n)
            .unwrap_or("Unknown")
    }

    /// Negated operators: true when the key is missing, and the negation of
    /// the positive operator otherwise.
    pub fn is_negated(self) -> bool {
        use OperatorKind::*;
        matches!(
            self,
            StringNotEquals
                | StringNotEqualsIgnoreCase
                | StringNotLike
                | NumericNotEquals
                | DateNotEquals
                | NotIpAddress
                | ArnNotEquals
                | ArnNotLike
        )
    }

    /// The positive form of a negated operator (identity for positive ones).
    fn positive(self) -> OperatorKind {
        use OperatorKind::*;
        match self {
            StringNotEquals => StringEquals,
            StringNotEqualsIgnoreCase => StringEqualsIgnoreCase,
            StringNotLike => StringLike,
            NumericNotEquals => NumericEquals,
            DateNotEquals => DateEquals,
            NotIpAddress => IpAddress,
            ArnNotEquals => ArnEquals,
            ArnNotLike => ArnLike,
            other => other,
        }
    }

    /// Operators whose values may contain policy variables.
    fn takes_variables(self) -> bool {
        use OperatorKind::*;
        matches!(
            self.positive(),
            StringEquals | StringEqualsIgnoreCase | StringLike | ArnEquals | ArnLike | Bool
        )
    }

    /// Operators whose `*`/`?` are wildcards.
    fn has_wildcards(self) -> bool {
        use OperatorKind::*;
        matches!(self.positive(), StringLike | ArnEquals | ArnLike)
    }
}

/// A fully parsed condition operator such as `ForAnyValue:StringLikeIfExists`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConditionOperator {
    /// The operator exactly as written in the policy.
    pub raw: String,
    /// `ForAllValues:`/`ForAnyValue:`, if present.
    pub qualifier: Option<SetQualifier>,
    /// The base operator.
    pub kind: OperatorKind,
    /// Whether the `IfExists` suffix is present.
    pub if_exists: bool,
}

impl ConditionOperator {
    /// Parses an operator name. Names are matched case-insensitively, which
    /// is more forgiving than IAM's validator but never changes meaning.
    pub fn parse(raw: &str) -> Result<ConditionOperator, String> {
        let mut rest = raw;
        let mut qualifier = None;
        if let Some((prefix, tail)) = raw.split_once(':') {
            qualifier = Some(if prefix.eq_ignore_ascii_case("ForAllValues") {
                SetQualifier::ForAllValues
            } else if prefix.eq_ignore_ascii_case("ForAnyValue") {
                SetQualifier::ForAnyValue
            } else {
                return Err(format!(
                    "unknown condition set operator `{prefix}` (expected ForAllValues or ForAnyValue)"
                ));
            });
            rest = tail;
        }
        let lower = rest.to_ascii_lowercase();
        let (base, if_exists) = match lower.strip_suffix("ifexists") {
            Some(b) => (b.to_string(), true),
            None => (lower, false),
        };
        let kind = KINDS
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(&base))
            .map(|(_, k)| *k)
            .ok_or_else(|| format!("unknown condition operator `{raw}`"))?;
        if kind == OperatorKind::Null && if_exists {
            return Err("`IfExists` cannot be used with the Null operator".to_string());
        }
        Ok(ConditionOperator {
            raw: raw.to_string(),
            qualifier,
            kind,
            if_exists,
        })
    }
}

/// A policy value prepared for comparison.
enum Prepared {
    /// A string/ARN/Boolean pattern after variable substitution.
    Toks(Vec<Tok>),
    /// A literal value for the other operator families.
    Raw(String),
}

fn toks_to_string(t: &[Tok]) -> String {
    t.iter()
        .map(|t| match t {
            Tok::Lit(c) => *c,
            Tok::Star => '*',
            Tok::Quest => '?',
        })
        .collect()
}

/// Evaluates one condition clause against the request context.
pub(crate) fn evaluate_clause(clause: &ConditionClause, ctx: &Context, variables: bool) -> bool {
    let op = &clause.operator;
    let values = ctx.get(&clause.key);

    if op.kind == OperatorKind::Null {
        let present = values.is_some_and(|v| !v.is_empty());
        return clause.values.iter().any(|pv| {
            if pv.eq_ignore_ascii_case("true") {
                !present
            } else if pv.eq_ignore_ascii_case("false") {
                present
            } else {
                false
            }
        });
    }

    // Resolve policy values once; unresolvable variables drop the value.
    let prepared: Vec<Prepared> = clause
        .values
        .iter()
        .filter_map(|v| {
            if op.kind.takes_variables() {
                substitute(v, ctx, variables, op.kind.has_wildcards()).map(Prepared::Toks)
            } else {
                Some(Prepared::Raw(v.clone()))
            }
        })
        .collect();
    let positive = op.kind.positive();
    let any_policy_match = |ctx_value: &str| {
        prepared
            .iter()
            .any(|pv| matches_one(positive, ctx_value, pv))
    };

    match op.qualifier {
        None => {
            let vals = match values {
                Some(v) if !v.is_empty() => v,
                _ => return op.if_exists || op.kind.is_negated(),
            };
            let hit = vals.iter().any(|v| any_policy_match(v));
            if op.kind.is_negated() {
                !hit
            } else {
                hit
            }
        }
        Some(q) => {
            if values.is_none() && op.if_exists {
                return true;
            }
            // An empty list or a lone empty string is an empty data set.
            let set: Vec<&String> = values
                .unwrap_or(&[])
                .iter()
                .filter(|_| !matches!(values, Some([only]) if only.is_empty()))
                .collect();
            let single = |v: &str| {
                let hit = any_policy_match(v);
                if op.kind.is_negated() {
                    !hit
                } else {
                    hit
                }
            };
            match q {
                SetQualifier::ForAllValues => set.iter().all(|v| single(v)),
                SetQualifier::ForAnyValue => set.iter().any(|v| single(v)),
            }
        }
    }
}

fn matches_one(kind: OperatorKind, ctx_value: &str, pv: &Prepared) -> bool {
    use OperatorKind::*;
    match (kind, pv) {
        (StringEquals, Prepared::Toks(t)) => toks_to_string(t) == ctx_value,
        (StringEqualsIgnoreCase, Prepared::Toks(t)) => {
            toks_to_string(t).to_lowercase() == ctx_value.to_lowercase()
        }
        (StringLike, Prepared::Toks(t)) => string_like_toks(t, ctx_value),
        (ArnEquals | ArnLike, Prepared::Toks(t)) => arn_like_toks(t, ctx_value),
        (Bool, Prepared::Toks(t)) => {
            match (parse_bool(&toks_to_string(t)), parse_bool(ctx_value)) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            }
        }
        (BinaryEquals, Prepared::Raw(p)) => p.trim() == ctx_value.trim(),
        (IpAddress, Prepared::Raw(p)) => ip_in(p, ctx_value),
        (NumericEquals, Prepared::Raw(p)) => compare_numbers(ctx_value, p) == Some(Ordering::Equal),
        (NumericLessThan, Prepared::Raw(p)) => {
            compare_numbers(ctx_value, p) == Some(Ordering::Less)
        }
        (NumericLessThanEquals, Prepared::Raw(p)) => {
            matches!(
                compare_numbers(ctx_value, p),
                Some(Ordering::Less | Ordering::Equal)
            )
        }
        (NumericGreaterThan, Prepared::Raw(p)) => {
            compare_numbers(ctx_value, p) == Some(Ordering::Greater)
        }
        (NumericGreaterThanEquals, Prepared::Raw(p)) => {
            matches!(
                compare_numbers(ctx_value, p),
                Some(Ordering::Greater | Ordering::Equal)
            )
        }
        (DateEquals, Prepared::Raw(p)) => compare_dates(ctx_value, p) == Some(Ordering::Equal),
        (DateLessThan, Prepared::Raw(p)) => compare_dates(ctx_value, p) == Some(Ordering::Less),
        (DateLessThanEquals, Prepared::Raw(p)) => {
            matches!(
                compare_dates(ctx_value, p),
                Some(Ordering::Less | Ordering::Equal)
            )
        }
        (DateGreaterThan, Prepared::Raw(p)) => {
            compare_dates(ctx_value, p) == Some(Ordering::Greater)
        }
        (DateGreaterThanEquals, Prepared::Raw(p)) => {
            matches!(
                compare_dates(ctx_value, p),
                Some(Ordering::Greater | Ordering::Equal)
            )
        }
        _ => false,
    }
}

fn parse_bool(s: &str) -> Option<bool> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("true") {
        Some(true)
    } else if t.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Parses an IP address or CIDR block; a bare address means /32 (or /128).
pub fn parse_cidr(s: &str) -> Option<IpNet> {
    let t = s.trim();
    if let Ok(net) = t.parse::<IpNet>() {
        return Some(net);
    }
    t.parse::<IpAddr>().ok().map(IpNet::from)
}

/// Is `ip` (an address, as in `aws:SourceIp`) inside the policy's `cidr`?
/// A context value written as a CIDR block matches when the whole block is inside.
pub fn ip_in(cidr: &str, ip: &str) -> bool {
    let Some(net) = parse_cidr(cidr) else {
        return false;
    };
    match parse_cidr(ip) {
        Some(inner) => net.contains(&inner),
        None => false,
    }
}

/// A number for the `Numeric*` operators: integers compare exactly, anything
/// else as a finite `f64`.
#[derive(Clone, Copy, Debug)]
enum Num {
    Int(i128),
    Float(f64),
}

fn parse_number(s: &str) -> Option<Num> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    if let Ok(i) = t.parse::<i128>() {
        return Some(Num::Int(i));
    }
    // Rust accepts "inf"/"NaN"; IAM numbers are plain decimals.
    if !t
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
    {
        return None;
    }
    t.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .map(Num::Float)
}

fn compare_numbers(a: &str, b: &str) -> Option<Ordering> {
    match (parse_number(a)?, parse_number(b)?) {
        (Num::Int(x), Num::Int(y)) => Some(x.cmp(&y)),
        (x, y) => {
            let f = |n: Num| match n {
                Num::Int(i) => i as f64,
                Num::Float(f) => f,
            };
            f(x).partial_cmp(&f(y))
        }
    }
}

fn compare_dates(a: &str, b: &str) -> Option<Ordering> {
    Some(parse_date(a)?.cmp(&parse_date(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clause(op: &str, key: &str, values: &[&str]) -> ConditionClause {
        ConditionClause {
            operator: ConditionOperator::parse(op).expect("operator"),
            key: key.to_string(),
            values: values.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn ctx(pairs: &[(&str, &[&str])]) -> Context {
        let mut c = Context::new();
        for (k, v) in pairs {
            c.insert_values(k, v.iter().map(|s| s.to_string()).collect());
        }
        c
    }

    #[test]
    fn parse_operators() {
        let op = ConditionOperator::parse("ForAnyValue:StringLikeIfExists").expect("ok");
        assert_eq!(op.qualifier, Some(SetQualifier::ForAnyValue));
        assert_eq!(op.kind, OperatorKind::StringLike);
        assert!(op.if_exists);
        assert!(ConditionOperator::parse("NullIfExists").is_err());
        assert!(ConditionOperator::parse("ForSomeValues:StringLike").is_err());
        assert!(ConditionOperator::parse("StringEqualz").is_err());
        assert_eq!(OperatorKind::ArnNotLike.name(), "ArnNotLike");
    }

    #[test]
    fn ip_parsing() {
        assert!(ip_in("203.0.113.0/24", "203.0.113.9"));
        assert!(!ip_in("203.0.113.0/24", "203.0.114.9"));
        assert!(ip_in("203.0.113.9", "203.0.113.9"));
        assert!(!ip_in("203.0.113.9", "203.0.113.10"));
        assert!(ip_in("2001:DB8:1234:5678::/64", "2001:db8:1234:5678::1"));
        assert!(!ip_in("2001:DB8:1234:5678::/64", "2001:db8:1234:5679::1"));
        assert!(!ip_in("0.0.0.0/0", "::1"));
        assert!(ip_in("::/0", "::1"));
        assert!(ip_in("10.0.0.0/8", "10.1.0.0/16"));
        assert!(!ip_in("10.0.0.0/8", "not-an-ip"));
        assert!(!ip_in("10.0.0.0/33", "10.0.0.1"));
        assert!(parse_cidr("300.1.1.1").is_none());
    }

    #[test]
    fn numbers() {
        assert_eq!(compare_numbers("10", "10.0"), Some(Ordering::Equal));
        assert_eq!(compare_numbers("9", "10"), Some(Ordering::Less));
        assert_eq!(compare_numbers("NaN", "10"), None);
        assert_eq!(compare_numbers("inf", "10"), None);
        assert_eq!(compare_numbers("", "10"), None);
        assert_eq!(compare_numbers("-1.5", "-1"), Some(Ordering::Less));
    }

    #[test]
    fn missing_keys() {
        let c = Context::new();
        assert!(!evaluate_clause(
            &clause("StringEquals", "k", &["a"]),
            &c,
            true
        ));
        assert!(evaluate_clause(
            &clause("StringNotEquals", "k", &["a"]),
            &c,
            true
        ));
        assert!(evaluate_clause(
            &clause("StringEqualsIfExists", "k", &["a"]),
            &c,
            true
        ));
        assert!(evaluate_clause(
            &clause("ForAllValues:StringEquals", "k", &["a"]),
            &c,
            true
        ));
        assert!(!evaluate_clause(
            &clause("ForAnyValue:StringEquals", "k", &["a"]),
            &c,
            true
        ));
        assert!(evaluate_clause(&clause("Null", "k", &["true"]), &c, true));
        assert!(!evaluate_clause(&clause("Null", "k", &["false"]), &c, true));
    }

    #[test]
    fn set_operators() {
        let c = ctx(&[("tags", &["a", "b"]), ("empty", &[]), ("blank", &[""])]);
        assert!(evaluate_clause(
            &clause("ForAllValues:StringEquals", "tags", &["a", "b", "c"]),
            &c,
            true
        ));
        assert!(!evaluate_clause(
            &clause("ForAllValues:StringEquals", "tags", &["a"]),
            &c,
            true
        ));
        assert!(evaluate_clause(
            &clause("ForAnyValue:StringEquals", "tags", &["b", "z"]),
            &c,
            true
        ));
        assert!(!evaluate_clause(
            &clause("ForAnyValue:StringEquals", "tags", &["z"]),
            &c,
            true
        ));
        assert!(evaluate_clause(
            &clause("ForAllValues:StringNotEquals", "tags", &["z"]),
            &c,
            true
        ));
        assert!(!evaluate_clause(
            &clause("ForAllValues:StringNotEquals", "tags", &["a"]),
            &c,
            true
        ));
        assert!(evaluate_clause(
            &clause("ForAnyValue:StringNotEquals", "tags", &["a"]),
            &c,
            true
        ));
        assert!(evaluate_clause(
            &clause("ForAllValues:StringEquals", "empty", &["a"]),
            &c,
            true
        ));
        assert!(!evaluate_clause(
            &clause("ForAnyValue:StringEquals", "empty", &["a"]),
            &c,
            true
        ));
        assert!(evaluate_clause(
            &clause("ForAllValues:StringEquals", "blank", &["a"]),
            &c,
            true
        ));
        assert!(!evaluate_clause(
            &clause("ForAnyValue:StringEquals", "blank", &["a"]),
            &c,
            true
        ));
        // No qualifier: any value.
        assert!(evaluate_clause(
            &clause("StringEquals", "tags", &["b"]),
            &c,
            true
        ));
        assert!(!evaluate_clause(
            &clause("StringNotEquals", "tags", &["b"]),
            &c,
            true
        ));
    }
}
