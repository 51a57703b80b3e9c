//! Policy documents made ready for exact evaluation.
//!
//! A document from the model may hold unknown parts (`${unknown}`, see
//! `palisade-adapt`). Such parts never match and never grant:
//!
//! * in an `Allow` statement, unknown entries of an `Action`, `Resource` or
//!   principal list are dropped (what remains is granted for sure) and the
//!   unknown entries are kept aside as a *possible* grant;
//! * any other statement with an unknown part (its effect, a `NotAction`,
//!   a condition, every entry of a list, any part of a `Deny`) is left out of
//!   evaluation and kept aside: an unknown `Allow` makes otherwise denied
//!   access *undetermined*, an unknown `Deny` makes allowed access
//!   undetermined.
//!
//! Reference sentinels to model resources are first replaced by their
//! canonical values ([`crate::naming::Naming::substitute`]).

use crate::naming::{Naming, UNKNOWN_MARKER};
use palisade_iam::{action_matches, resource_matches, Effect, Policy};
use palisade_model::Location;
use serde::Serialize;
use serde_json::{Map, Value as Json};

/// Where a policy comes from, for display.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Source {
    /// What the user should look at: the grant or policy address, or the
    /// owning resource's address with the attribute (`aws_iam_role.app.assume_role_policy`).
    pub label: String,
    /// The model resource declaring it, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loc: Option<Location>,
    /// A caveat that applies to every use (an approximated AWS-managed policy).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caveat: Option<String>,
}

/// A statement (or part of one) that could not be known.
#[derive(Clone, Debug, PartialEq)]
pub struct UnknownStatement {
    /// Index in the document's `Statement` list.
    pub index: usize,
    pub sid: Option<String>,
    /// `None` when the effect itself is unknown.
    pub effect: Option<Effect>,
    /// Known action patterns (`None`: unknown, or a `NotAction`).
    pub actions: Option<Vec<String>>,
    /// Known resource patterns (`None`: unknown, absent, or a `NotResource`).
    pub resources: Option<Vec<String>>,
    pub reason: String,
}

impl UnknownStatement {
    /// Whether the statement could apply to `action` on `resource`.
    pub fn may_apply(&self, action: &str, resource: &str) -> bool {
        let a = match &self.actions {
            None => true,
            Some(p) => p.iter().any(|x| is_unknown(x) || action_matches(x, action)),
        };
        let r = match &self.resources {
            None => true,
            Some(p) => p
                .iter()
                .any(|x| is_unknown(x) || x.contains('$') || resource_matches(x, resource)),
        };
        a && r
    }

    /// Whether the statement could grant (its effect is `Allow` or unknown).
    pub fn may_allow(&self) -> bool {
        self.effect != Some(Effect::Deny)
    }

    /// Whether the statement could deny.
    pub fn may_deny(&self) -> bool {
        self.effect != Some(Effect::Allow)
    }
}

/// A policy ready for `palisade-iam`.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub source: Source,
    /// The known statements (`None` when there are none or the document is unusable).
    pub policy: Option<Policy>,
    /// `orig_index[i]` is the document index of the policy's statement `i`.
    pub orig_index: Vec<usize>,
    /// Statements, or parts, that could not be known.
    pub unknown: Vec<UnknownStatement>,
    /// The whole document is unknown or unusable (it could say anything).
    pub whole_unknown: Option<String>,
}

pub(crate) fn is_unknown(s: &str) -> bool {
    s.contains(UNKNOWN_MARKER)
}

fn has_unknown(v: &Json) -> bool {
    match v {
        Json::String(s) => is_unknown(s),
        Json::Array(a) => a.iter().any(has_unknown),
        Json::Object(o) => o.iter().any(|(k, v)| is_unknown(k) || has_unknown(v)),
        _ => false,
    }
}

fn strings(v: Option<&Json>) -> Option<Vec<String>> {
    match v? {
        Json::String(s) => Some(vec![s.clone()]),
        Json::Array(a) => a
            .iter()
            .map(|x| x.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>(),
        _ => None,
    }
}

/// Drops unknown entries of a string list; `None` when none would remain.
fn known_entries(v: &Json) -> Option<Json> {
    match v {
        Json::String(s) if !is_unknown(s) => Some(v.clone()),
        Json::Array(a) => {
            let kept: Vec<Json> = a
                .iter()
                .filter(|x| !x.as_str().is_some_and(is_unknown))
                .cloned()
                .collect();
            (!kept.is_empty() && kept.iter().all(|x| !has_unknown(x))).then_some(Json::Array(kept))
        }
        _ => None,
    }
}

/// A principal element with unknown values dropped (unknown keys make it unusable).
fn known_principal(v: &Json) -> Option<Json> {
    match v {
        Json::String(s) if !is_unknown(s) => Some(v.clone()),
        Json::Object(o) => {
            let mut out = Map::new();
            for (k, vals) in o {
                if is_unknown(k) {
                    return None;
                }
                if let Some(kept) = known_entries(vals) {
                    out.insert(k.clone(), kept);
                }
            }
            (!out.is_empty()).then_some(Json::Object(out))
        }
        _ => None,
    }
}

/// For an `Allow`, the statement with unknown list entries dropped, when
/// only `Action`, `Resource` and `Principal` lists hold unknowns.
fn narrowed_allow(st: &Map<String, Json>) -> Option<Map<String, Json>> {
    let mut out = Map::new();
    for (k, v) in st {
        if !has_unknown(v) && !is_unknown(k) {
            out.insert(k.clone(), v.clone());
            continue;
        }
        let kept = match k.as_str() {
            "Action" | "Resource" => known_entries(v)?,
            "Principal" => known_principal(v)?,
            _ => return None,
        };
        out.insert(k.clone(), kept);
    }
    Some(out)
}

impl Prepared {
    /// A document that is entirely unknown.
    pub fn unknown(source: Source, reason: impl Into<String>) -> Prepared {
        Prepared {
            source,
            policy: None,
            orig_index: Vec::new(),
            unknown: Vec::new(),
            whole_unknown: Some(reason.into()),
        }
    }

    /// Prepares a document: substitutes references, sets unknown parts aside, parses.
    pub fn new(doc: &Json, source: Source, naming: &Naming) -> Prepared {
        let doc = naming.substitute(doc);
        let Json::Object(top) = &doc else {
            return Prepared::unknown(source, "the policy document is not a JSON object");
        };
        let statements: Vec<Json> = match top.get("Statement") {
            Some(Json::Array(a)) => a.clone(),
            Some(s @ Json::Object(_)) => vec![s.clone()],
            Some(Json::String(s)) if is_unknown(s) => {
                return Prepared::unknown(source, "the policy's statements are unknown")
            }
            _ => Vec::new(),
        };
        let mut kept = Vec::new();
        let mut orig_index = Vec::new();
        let mut unknown = Vec::new();
        for (i, st) in statements.iter().enumerate() {
            let Json::Object(m) = st else {
                kept.push(st.clone());
                orig_index.push(i);
                continue;
            };
            if !has_unknown(st) {
                kept.push(st.clone());
                orig_index.push(i);
                continue;
            }
            let effect = match m.get("Effect").and_then(Json::as_str) {
                Some("Allow") => Some(Effect::Allow),
                Some("Deny") => Some(Effect::Deny),
                _ => None,
            };
            let sid = m.get("Sid").and_then(Json::as_str).map(str::to_string);
            let actions = strings(m.get("Action"));
            let resources = strings(m.get("Resource"));
            let mut reason = "part of the statement is unknown".to_string();
            if effect == Some(Effect::Allow) {
                if let Some(narrow) = narrowed_allow(m) {
                    kept.push(Json::Object(narrow));
                    orig_index.push(i);
                    reason = "some of its actions, resources or principals are unknown".into();
                }
            }
            unknown.push(UnknownStatement {
                index: i,
                sid,
                effect,
                actions,
                resources,
                reason,
            });
        }
        let mut clean = top.clone();
        clean.insert("Statement".into(), Json::Array(kept));
        // A reference the adapter could not resolve may sit in Version/Id.
        if clean.get("Version").is_some_and(has_unknown) {
            clean.insert("Version".into(), Json::String("2012-10-17".into()));
        }
        clean.remove("Id");
        match Policy::from_json(&Json::Object(clean)) {
            Ok(p) => Prepared {
                source,
                policy: Some(p),
                orig_index,
                unknown,
                whole_unknown: None,
            },
            Err(e) => Prepared::unknown(source, format!("the policy does not parse: {e}")),
        }
    }

    /// The document index of the parsed policy's statement `i`.
    pub fn original(&self, i: usize) -> usize {
        self.orig_index.get(i).copied().unwrap_or(i)
    }

    /// Whether unknown parts could allow `action` on `resource`.
    pub fn may_allow_unknown(&self, action: &str, resource: &str) -> Option<String> {
        if let Some(w) = &self.whole_unknown {
            return Some(format!("{}: {w}", self.source.label));
        }
        self.unknown
            .iter()
            .find(|u| u.may_allow() && u.may_apply(action, resource))
            .map(|u| self.describe(u))
    }

    /// Whether unknown parts could deny `action` on `resource`.
    pub fn may_deny_unknown(&self, action: &str, resource: &str) -> Option<String> {
        if let Some(w) = &self.whole_unknown {
            return Some(format!("{}: {w}", self.source.label));
        }
        self.unknown
            .iter()
            .find(|u| u.may_deny() && u.may_apply(action, resource))
            .map(|u| self.describe(u))
    }

    fn describe(&self, u: &UnknownStatement) -> String {
        let sid = u
            .sid
            .as_deref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        format!(
            "{} statement {}{sid}: {}",
            self.source.label, u.index, u.reason
        )
    }

    /// Whether any statement (known or not) of this policy mentions `action`.
    pub fn mentions_action(&self, action: &str) -> bool {
        if self.whole_unknown.is_some() {
            return true;
        }
        let known = self.policy.as_ref().is_some_and(|p| {
            p.statements()
                .iter()
                .any(|s| crate::decide::action_hit(s, action))
        });
        known
            || self.unknown.iter().any(|u| match &u.actions {
                None => true,
                Some(a) => a.iter().any(|x| is_unknown(x) || action_matches(x, action)),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_model::Model;

    fn src() -> Source {
        Source {
            label: "p".into(),
            address: None,
            loc: None,
            caveat: None,
        }
    }

    #[test]
    fn unknown_parts_never_grant_or_deny() {
        let naming = Naming::new(&Model::default(), Some("111122223333"), None);
        let doc = serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::a/*", "${unknown}"]},
            {"Effect": "Deny", "Action": "s3:*", "Resource": "${unknown}"},
            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*", "Condition": {"StringEquals": {"aws:SourceVpce": "${unknown}"}}},
            {"Effect": "${unknown}", "Action": "${unknown}", "Resource": "${unknown}"}
        ]});
        let p = Prepared::new(&doc, src(), &naming);
        let policy = p.policy.as_ref().map(|p| p.statements().len());
        assert_eq!(policy, Some(1));
        assert_eq!(p.unknown.len(), 4);
        assert!(p
            .may_allow_unknown("s3:GetObject", "arn:aws:s3:::b/k")
            .is_some());
        assert!(p
            .may_deny_unknown("s3:GetObject", "arn:aws:s3:::a/k")
            .is_some());
        let none = Prepared::new(
            &serde_json::json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}),
            src(),
            &naming,
        );
        assert!(none.may_deny_unknown("s3:GetObject", "x").is_none());
        assert!(none.unknown.is_empty());
    }

    #[test]
    fn unknown_principal_type_is_set_aside() {
        let naming = Naming::new(&Model::default(), Some("111122223333"), None);
        let doc = serde_json::json!({"Statement": [
            {"Effect": "Allow", "Principal": {"${unknown}": "${unknown}"}, "Action": "sts:AssumeRole"}
        ]});
        let p = Prepared::new(&doc, src(), &naming);
        assert!(p.whole_unknown.is_none());
        assert_eq!(p.policy.as_ref().map(|p| p.statements().len()), Some(0));
        assert_eq!(p.unknown.len(), 1);
    }
}
