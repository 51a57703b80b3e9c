//! The IAM policy document model and its parser.
//!
//! The grammar follows the [IAM JSON policy elements reference][elements]:
//! `Version`, `Id` and `Statement` at the top; `Sid`, `Effect`,
//! `Action`/`NotAction`, `Resource`/`NotResource`, `Principal`/`NotPrincipal`
//! and `Condition` in each statement. Every element that takes values accepts a
//! single string or an array of strings. Unknown elements are rejected, as IAM
//! rejects them, because a typo such as `"Resources"` would otherwise silently
//! change what a statement means.
//!
//! [elements]: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::condition::{ConditionOperator, OperatorKind};
use crate::error::Error;

/// The policy language version that enables policy variables.
pub const VERSION_2012: &str = "2012-10-17";
/// The legacy policy language version (no policy variables).
pub const VERSION_2008: &str = "2008-10-17";

/// A parsed IAM policy document (identity, resource, boundary, SCP, RCP,
/// session or endpoint policy: they share one grammar).
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// `Version`; `None` when absent (AWS then uses `2008-10-17`).
    pub version: Option<String>,
    /// `Id`, if any.
    pub id: Option<String>,
    statements: Vec<Statement>,
}

/// `Allow` or `Deny`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Effect {
    /// `"Effect": "Allow"`
    Allow,
    /// `"Effect": "Deny"`
    Deny,
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        })
    }
}

/// `Action` or `NotAction`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActionBlock {
    /// The statement applies to actions matching any pattern.
    Action(Vec<String>),
    /// The statement applies to actions matching none of the patterns.
    NotAction(Vec<String>),
}

/// `Resource` or `NotResource`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResourceBlock {
    /// The statement applies to resources matching any pattern.
    Resource(Vec<String>),
    /// The statement applies to resources matching none of the patterns.
    NotResource(Vec<String>),
}

/// `Principal` or `NotPrincipal`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrincipalBlock {
    /// The statement applies to the listed principals.
    Principal(PrincipalSpec),
    /// The statement applies to every principal except the listed ones.
    NotPrincipal(PrincipalSpec),
}

/// The value of a `Principal`/`NotPrincipal` element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrincipalSpec {
    /// `"*"`: everyone, including anonymous callers.
    Any,
    /// `{"AWS": [...], "Service": [...], ...}` in a stable (sorted) order.
    Typed(Vec<(PrincipalType, Vec<String>)>),
}

/// The keys of a typed principal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrincipalType {
    /// `AWS`: accounts, IAM users, roles, role sessions, federated users.
    Aws,
    /// `Service`: AWS service principals such as `ec2.amazonaws.com`.
    Service,
    /// `Federated`: OIDC/SAML providers and web identity providers.
    Federated,
    /// `CanonicalUser`: S3 canonical user IDs.
    CanonicalUser,
}

impl PrincipalType {
    /// The JSON key for this principal type.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalType::Aws => "AWS",
            PrincipalType::Service => "Service",
            PrincipalType::Federated => "Federated",
            PrincipalType::CanonicalUser => "CanonicalUser",
        }
    }
}

/// One `operator -> key -> values` entry of a `Condition` block. Different
/// clauses of a statement are ANDed; the values of one clause are ORed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionClause {
    /// The parsed operator, e.g. `ForAnyValue:StringLikeIfExists`.
    pub operator: ConditionOperator,
    /// The condition key as written (looked up case-insensitively).
    pub key: String,
    /// The policy values, converted to strings (`true`, `10`, ...).
    pub values: Vec<String>,
}

/// One statement of a policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// Position in the `Statement` array (0 for a single statement object).
    pub index: usize,
    /// `Sid`, if any.
    pub sid: Option<String>,
    /// `Effect`.
    pub effect: Effect,
    /// `Action`/`NotAction`.
    pub action: ActionBlock,
    /// `Resource`/`NotResource`; `None` when absent, which role trust policies
    /// do (the resource is the role itself), so an absent element matches any
    /// resource.
    pub resource: Option<ResourceBlock>,
    /// `Principal`/`NotPrincipal`; `None` when absent.
    pub principal: Option<PrincipalBlock>,
    /// `Condition` clauses in a stable order (operator, then key, as written).
    pub conditions: Vec<ConditionClause>,
}

impl Policy {
    /// Parses a policy from a JSON value.
    ///
    /// Errors name the offending element, e.g. `Statement[1].Effect`.
    pub fn from_json(value: &Value) -> Result<Policy, Error> {
        parse_policy(value).map_err(|(location, message)| Error::Policy { location, message })
    }

    /// Parses a policy from JSON text.
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(text: &str) -> Result<Policy, Error> {
        let value: Value = serde_json::from_str(text)?;
        Policy::from_json(&value)
    }

    /// The statements, in document order; each carries its [`Statement::index`].
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// True when policy variables are substituted (only in `2012-10-17` policies).
    pub fn variables_enabled(&self) -> bool {
        self.version.as_deref() == Some(VERSION_2012)
    }
}

impl std::str::FromStr for Policy {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Policy::from_str(s)
    }
}

impl<'de> Deserialize<'de> for Policy {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Policy::from_json(&value).map_err(serde::de::Error::custom)
    }
}

impl Serialize for Policy {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl Policy {
    /// Renders the policy back to canonical JSON (arrays everywhere).
    pub fn to_json(&self) -> Value {
        let mut top = serde_json::Map::new();
        if let Some(v) = &self.version {
            top.insert("Version".into(), Value::String(v.clone()));
        }
        if let Some(id) = &self.id {
            top.insert("Id".into(), Value::String(id.clone()));
        }
        let stmts = self.statements.iter().map(Statement::to_json).collect();
        top.insert("Statement".into(), Value::Array(stmts));
        Value::Object(top)
    }
}

fn strings(v: &[String]) -> Value {
    Value::Array(v.iter().cloned().map(Value::String).collect())
}

fn spec_json(spec: &PrincipalSpec) -> Value {
    match spec {
        PrincipalSpec::Any => Value::String("*".into()),
        PrincipalSpec::Typed(entries) => {
            let mut m = serde_json::Map::new();
            for (t, vals) in entries {
                m.insert(t.as_str().into(), strings(vals));
            }
            Value::Object(m)
        }
    }
}

impl Statement {
    fn to_json(&self) -> Value {
        let mut m = serde_json::Map::new();
        if let Some(sid) = &self.sid {
            m.insert("Sid".into(), Value::String(sid.clone()));
        }
        m.insert("Effect".into(), Value::String(self.effect.to_string()));
        match &self.principal {
            Some(PrincipalBlock::Principal(p)) => {
                m.insert("Principal".into(), spec_json(p));
            }
            Some(PrincipalBlock::NotPrincipal(p)) => {
                m.insert("NotPrincipal".into(), spec_json(p));
            }
            None => {}
        }
        match &self.action {
            ActionBlock::Action(a) => m.insert("Action".into(), strings(a)),
            ActionBlock::NotAction(a) => m.insert("NotAction".into(), strings(a)),
        };
        match &self.resource {
            Some(ResourceBlock::Resource(r)) => {
                m.insert("Resource".into(), strings(r));
            }
            Some(ResourceBlock::NotResource(r)) => {
                m.insert("NotResource".into(), strings(r));
            }
            None => {}
        }
        if !self.conditions.is_empty() {
            let mut cond = serde_json::Map::new();
            for c in &self.conditions {
                let op = cond
                    .entry(c.operator.raw.clone())
                    .or_insert_with(|| Value::Object(serde_json::Map::new()));
                if let Value::Object(keys) = op {
                    keys.insert(c.key.clone(), strings(&c.values));
                }
            }
            m.insert("Condition".into(), Value::Object(cond));
        }
        Value::Object(m)
    }

    /// True when the statement has any `Condition` clause.
    pub fn has_conditions(&self) -> bool {
        !self.conditions.is_empty()
    }
}

type ParseResult<T> = Result<T, (String, String)>;

fn err<T>(location: impl Into<String>, message: impl Into<String>) -> ParseResult<T> {
    Err((location.into(), message.into()))
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn parse_policy(value: &Value) -> ParseResult<Policy> {
    let obj = match value {
        Value::Object(o) => o,
        other => {
            return err(
                "",
                format!("a policy must be a JSON object, found {}", type_name(other)),
            )
        }
    };
    for key in obj.keys() {
        if !matches!(key.as_str(), "Version" | "Id" | "Statement") {
            return err(key.clone(), format!("unknown policy element `{key}`"));
        }
    }
    let version = match obj.get("Version") {
        None => None,
        Some(Value::String(v)) if v == VERSION_2012 || v == VERSION_2008 => Some(v.clone()),
        Some(Value::String(v)) => {
            return err(
                "Version",
                format!(
                    "unsupported policy version `{v}` (expected {VERSION_2012} or {VERSION_2008})"
                ),
            )
        }
        Some(other) => {
            return err(
                "Version",
                format!("must be a string, found {}", type_name(other)),
            )
        }
    };
    let id = match obj.get("Id") {
        None => None,
        Some(Value::String(v)) => Some(v.clone()),
        Some(other) => {
            return err(
                "Id",
                format!("must be a string, found {}", type_name(other)),
            )
        }
    };
    let statements = match obj.get("Statement") {
        None => return err("Statement", "a policy needs a `Statement` element"),
        Some(single @ Value::Object(_)) => vec![parse_statement(single, 0, "Statement")?],
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, s)| parse_statement(s, i, &format!("Statement[{i}]")))
            .collect::<ParseResult<Vec<_>>>()?,
        Some(other) => {
            return err(
                "Statement",
                format!(
                    "must be an object or an array of objects, found {}",
                    type_name(other)
                ),
            )
        }
    };
    Ok(Policy {
        version,
        id,
        statements,
    })
}

/// A string or a non-empty array of strings.
fn string_list(v: &Value, loc: &str) -> ParseResult<Vec<String>> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => {
            if items.is_empty() {
                return err(loc, "must not be an empty array");
            }
            items
                .iter()
                .enumerate()
                .map(|(i, item)| match item {
                    Value::String(s) => Ok(s.clone()),
                    other => err(
                        format!("{loc}[{i}]"),
                        format!("must be a string, found {}", type_name(other)),
                    ),
                })
                .collect()
        }
        other => err(
            loc,
            format!(
                "must be a string or an array of strings, found {}",
                type_name(other)
            ),
        ),
    }
}

fn parse_statement(v: &Value, index: usize, loc: &str) -> ParseResult<Statement> {
    let obj = match v {
        Value::Object(o) => o,
        other => {
            return err(
                loc,
                format!("a statement must be an object, found {}", type_name(other)),
            )
        }
    };
    for key in obj.keys() {
        if !matches!(
            key.as_str(),
            "Sid"
                | "Effect"
                | "Action"
                | "NotAction"
                | "Resource"
                | "NotResource"
                | "Principal"
                | "NotPrincipal"
                | "Condition"
        ) {
            return err(
                format!("{loc}.{key}"),
                format!("unknown statement element `{key}`"),
            );
        }
    }
    let sid = match obj.get("Sid") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            return err(
                format!("{loc}.Sid"),
                format!("must be a string, found {}", type_name(other)),
            )
        }
    };
    let effect = match obj.get("Effect") {
        Some(Value::String(s)) if s == "Allow" => Effect::Allow,
        Some(Value::String(s)) if s == "Deny" => Effect::Deny,
        Some(Value::String(s)) => {
            return err(
                format!("{loc}.Effect"),
                format!("must be \"Allow\" or \"Deny\", found \"{s}\""),
            )
        }
        Some(other) => {
            return err(
                format!("{loc}.Effect"),
                format!("must be a string, found {}", type_name(other)),
            )
        }
        None => return err(format!("{loc}.Effect"), "a statement needs an `Effect`"),
    };
    let action = match (obj.get("Action"), obj.get("NotAction")) {
        (Some(_), Some(_)) => {
            return err(loc, "a statement cannot have both `Action` and `NotAction`");
        }
        (Some(a), None) => ActionBlock::Action(non_empty(
            string_list(a, &format!("{loc}.Action"))?,
            &format!("{loc}.Action"),
        )?),
        (None, Some(a)) => ActionBlock::NotAction(non_empty(
            string_list(a, &format!("{loc}.NotAction"))?,
            &format!("{loc}.NotAction"),
        )?),
        (None, None) => return err(loc, "a statement needs `Action` or `NotAction`"),
    };
    let resource = match (obj.get("Resource"), obj.get("NotResource")) {
        (Some(_), Some(_)) => {
            return err(
                loc,
                "a statement cannot have both `Resource` and `NotResource`",
            );
        }
        (Some(r), None) => Some(ResourceBlock::Resource(string_list(
            r,
            &format!("{loc}.Resource"),
        )?)),
        (None, Some(r)) => Some(ResourceBlock::NotResource(string_list(
            r,
            &format!("{loc}.NotResource"),
        )?)),
        (None, None) => None,
    };
    let principal = match (obj.get("Principal"), obj.get("NotPrincipal")) {
        (Some(_), Some(_)) => {
            return err(
                loc,
                "a statement cannot have both `Principal` and `NotPrincipal`",
            );
        }
        (Some(p), None) => Some(PrincipalBlock::Principal(parse_principal(
            p,
            &format!("{loc}.Principal"),
        )?)),
        (None, Some(p)) => Some(PrincipalBlock::NotPrincipal(parse_principal(
            p,
            &format!("{loc}.NotPrincipal"),
        )?)),
        (None, None) => None,
    };
    let conditions = match obj.get("Condition") {
        None => Vec::new(),
        Some(c) => parse_conditions(c, &format!("{loc}.Condition"))?,
    };
    Ok(Statement {
        index,
        sid,
        effect,
        action,
        resource,
        principal,
        conditions,
    })
}

fn non_empty(items: Vec<String>, loc: &str) -> ParseResult<Vec<String>> {
    if let Some(i) = items.iter().position(|s| s.is_empty()) {
        return err(format!("{loc}[{i}]"), "an action must not be empty");
    }
    Ok(items)
}

fn parse_principal(v: &Value, loc: &str) -> ParseResult<PrincipalSpec> {
    match v {
        Value::String(s) if s == "*" => Ok(PrincipalSpec::Any),
        Value::String(s) => err(
            loc,
            format!("must be \"*\" or an object such as {{\"AWS\": \"{s}\"}}"),
        ),
        Value::Object(map) => {
            if map.is_empty() {
                return err(loc, "must name at least one principal");
            }
            let mut entries = Vec::new();
            for (k, vals) in map {
                let t = match k.as_str() {
                    "AWS" => PrincipalType::Aws,
                    "Service" => PrincipalType::Service,
                    "Federated" => PrincipalType::Federated,
                    "CanonicalUser" => PrincipalType::CanonicalUser,
                    other => {
                        return err(
                            format!("{loc}.{other}"),
                            format!("unknown principal type `{other}` (expected AWS, Service, Federated or CanonicalUser)"),
                        )
                    }
                };
                entries.push((t, string_list(vals, &format!("{loc}.{k}"))?));
            }
            entries.sort_by_key(|(t, _)| *t);
            Ok(PrincipalSpec::Typed(entries))
        }
        other => err(
            loc,
            format!("must be \"*\" or an object, found {}", type_name(other)),
        ),
    }
}

fn scalar_string(v: &Value, loc: &str) -> ParseResult<String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        other => err(
            loc,
            format!(
                "a condition value must be a string, number or boolean, found {}",
                type_name(other)
            ),
        ),
    }
}

fn parse_conditions(v: &Value, loc: &str) -> ParseResult<Vec<ConditionClause>> {
    let ops = match v {
        Value::Object(o) => o,
        other => {
            return err(
                loc,
                format!("must be an object, found {}", type_name(other)),
            )
        }
    };
    let mut clauses = Vec::new();
    for (op_name, keys) in ops {
        let op_loc = format!("{loc}.{op_name}");
        let operator = ConditionOperator::parse(op_name).map_err(|m| (op_loc.clone(), m))?;
        let keys = match keys {
            Value::Object(k) => k,
            other => {
                return err(
                    op_loc,
                    format!(
                        "must be an object of condition keys, found {}",
                        type_name(other)
                    ),
                )
            }
        };
        if keys.is_empty() {
            return err(op_loc, "must contain at least one condition key");
        }
        for (key, vals) in keys {
            let key_loc = format!("{op_loc}.{key}");
            if key.is_empty() {
                return err(key_loc, "a condition key must not be empty");
            }
            let values = match vals {
                Value::Array(items) => items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| scalar_string(item, &format!("{key_loc}[{i}]")))
                    .collect::<ParseResult<Vec<_>>>()?,
                other => vec![scalar_string(other, &key_loc)?],
            };
            if operator.kind == OperatorKind::Null {
                for (i, val) in values.iter().enumerate() {
                    if !val.eq_ignore_ascii_case("true") && !val.eq_ignore_ascii_case("false") {
                        return err(
                            format!("{key_loc}[{i}]"),
                            "a Null condition value must be true or false",
                        );
                    }
                }
            }
            clauses.push(ConditionClause {
                operator: operator.clone(),
                key: key.clone(),
                values,
            });
        }
    }
    Ok(clauses)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn single_statement_object_and_strings() {
        let p = Policy::from_json(&json!({
            "Version": "2012-10-17",
            "Id": "x",
            "Statement": {"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
        }))
        .expect("valid");
        assert_eq!(p.statements().len(), 1);
        let s = &p.statements()[0];
        assert_eq!(s.index, 0);
        assert_eq!(s.sid.as_deref(), Some("A"));
        assert_eq!(s.action, ActionBlock::Action(vec!["s3:GetObject".into()]));
        assert_eq!(s.resource, Some(ResourceBlock::Resource(vec!["*".into()])));
        assert!(p.variables_enabled());
    }

    #[test]
    fn round_trips_through_json() {
        let p = Policy::from_str(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},
            "NotAction":["s3:*"],"NotResource":"arn:aws:s3:::b","Condition":{"Bool":{"aws:SecureTransport":false}}}]}"#,
        )
        .expect("valid");
        let again = Policy::from_json(&p.to_json()).expect("round trip");
        assert_eq!(p, again);
        assert_eq!(
            p.statements()[0].conditions[0].values,
            vec!["false".to_string()]
        );
    }

    #[test]
    fn errors_name_the_element() {
        let e = Policy::from_str(
            r#"{"Statement":[{"Effect":"Allow","Action":"*"},{"Effect":"allow","Action":"*"}]}"#,
        )
        .expect_err("bad effect");
        assert!(e.to_string().contains("Statement[1].Effect"), "{e}");
        let e =
            Policy::from_str(r#"{"Statement":{"Effect":"Allow","Action":"*","Resources":"*"}}"#)
                .expect_err("typo");
        assert!(e.to_string().contains("Resources"), "{e}");
        let e =
            Policy::from_str(r#"{"Version":"2020-01-01","Statement":[]}"#).expect_err("version");
        assert!(e.to_string().contains("Version"), "{e}");
        let e = Policy::from_str(r#"{"Statement":{"Effect":"Allow","Action":"*","Condition":{"StringEquls":{"a":"b"}}}}"#)
            .expect_err("operator");
        assert!(e.to_string().contains("StringEquls"), "{e}");
    }
}
