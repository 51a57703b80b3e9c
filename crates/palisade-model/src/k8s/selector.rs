//! Label maps and label selectors, with Kubernetes' exact matching semantics.

use crate::loc::Location;
use crate::val::Val;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

/// A string map as written in a manifest (labels, annotations, parameters,
/// a Service selector). Each value keeps where it was written; a templated
/// value is [`Val::Unknown`].
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct StrMap(pub BTreeMap<String, Val<String>>);

impl StrMap {
    pub fn new() -> Self {
        StrMap(BTreeMap::new())
    }
    /// The value of `key` when it is known.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.get()).map(String::as_str)
    }
    /// The value of `key` with its provenance.
    pub fn val(&self, key: &str) -> Option<&Val<String>> {
        self.0.get(key)
    }
    /// Where `key` was written.
    pub fn loc(&self, key: &str) -> Option<&Location> {
        self.0.get(key).and_then(Val::loc)
    }
    pub fn contains_key(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }
    pub fn insert(&mut self, key: impl Into<String>, value: Val<String>) {
        self.0.insert(key.into(), value);
    }
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Val<String>)> {
        self.0.iter()
    }
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.keys()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Known values only, as a plain map.
    pub fn to_plain(&self) -> BTreeMap<String, String> {
        self.0
            .iter()
            .filter_map(|(k, v)| v.get().map(|v| (k.clone(), v.clone())))
            .collect()
    }
    /// True when a value is templated (cannot be decided statically).
    pub fn has_unknown(&self) -> bool {
        self.0.values().any(Val::is_unknown)
    }
}

/// Anything labels can be looked up in. Unknown (templated) label values are
/// treated as absent.
pub trait LabelLookup {
    fn label(&self, key: &str) -> Option<&str>;
}

impl LabelLookup for StrMap {
    fn label(&self, key: &str) -> Option<&str> {
        self.get(key)
    }
}

impl LabelLookup for BTreeMap<String, String> {
    fn label(&self, key: &str) -> Option<&str> {
        self.get(key).map(String::as_str)
    }
}

impl<S: BuildHasher> LabelLookup for HashMap<String, String, S> {
    fn label(&self, key: &str) -> Option<&str> {
        self.get(key).map(String::as_str)
    }
}

impl<L: LabelLookup + ?Sized> LabelLookup for &L {
    fn label(&self, key: &str) -> Option<&str> {
        (**self).label(key)
    }
}

/// Operator of a `matchExpressions` requirement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum SelectorOperator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
    /// Anything else: the API server rejects it; such a selector matches nothing.
    Invalid(String),
}

impl SelectorOperator {
    pub fn parse(s: &str) -> Self {
        match s {
            "In" => SelectorOperator::In,
            "NotIn" => SelectorOperator::NotIn,
            "Exists" => SelectorOperator::Exists,
            "DoesNotExist" => SelectorOperator::DoesNotExist,
            other => SelectorOperator::Invalid(other.to_string()),
        }
    }
}

/// One `matchExpressions` entry.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SelectorRequirement {
    pub key: String,
    pub operator: SelectorOperator,
    pub values: Vec<String>,
}

impl SelectorRequirement {
    /// Kubernetes semantics (`k8s.io/apimachinery/pkg/labels`): `In` needs the
    /// label present with one of the values; `NotIn` matches when the label is
    /// absent or has none of the values; `Exists`/`DoesNotExist` test presence.
    /// `In`/`NotIn` with no values and `Exists`/`DoesNotExist` with values are
    /// invalid (the API server rejects them) and match nothing.
    pub fn matches<L: LabelLookup + ?Sized>(&self, labels: &L) -> bool {
        let v = labels.label(&self.key);
        match &self.operator {
            SelectorOperator::In => {
                !self.values.is_empty() && v.is_some_and(|v| self.values.iter().any(|x| x == v))
            }
            SelectorOperator::NotIn => {
                !self.values.is_empty()
                    && match v {
                        None => true,
                        Some(v) => !self.values.iter().any(|x| x == v),
                    }
            }
            SelectorOperator::Exists => self.values.is_empty() && v.is_some(),
            SelectorOperator::DoesNotExist => self.values.is_empty() && v.is_none(),
            SelectorOperator::Invalid(_) => false,
        }
    }

    pub fn is_valid(&self) -> bool {
        match self.operator {
            SelectorOperator::In | SelectorOperator::NotIn => !self.values.is_empty(),
            SelectorOperator::Exists | SelectorOperator::DoesNotExist => self.values.is_empty(),
            SelectorOperator::Invalid(_) => false,
        }
    }
}

/// A `metav1.LabelSelector`. Whether a selector was written at all (null vs
/// `{}`) is kept by the field holding it (`Option<LabelSelector>`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LabelSelector {
    pub match_labels: BTreeMap<String, String>,
    pub match_expressions: Vec<SelectorRequirement>,
    /// Where the selector was written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loc: Option<Location>,
    /// Parts that could not be read (templated values, wrong shapes). A
    /// selector with unknown parts is not decidable; `matches` treats the
    /// unreadable parts as absent.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown: Vec<String>,
}

impl LabelSelector {
    /// Selector from `matchLabels` only.
    pub fn from_labels<K: Into<String>, V: Into<String>>(
        labels: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        LabelSelector {
            match_labels: labels
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
            ..Default::default()
        }
    }

    /// True for `{}`: selects everything.
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }

    /// All `matchLabels` and all `matchExpressions` hold (AND). An empty
    /// selector matches every label set.
    pub fn matches<L: LabelLookup + ?Sized>(&self, labels: &L) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.label(k) == Some(v.as_str()))
            && self.match_expressions.iter().all(|r| r.matches(labels))
    }

    /// False when part of the selector could not be read, so `matches` is only
    /// a best effort.
    pub fn is_decidable(&self) -> bool {
        self.unknown.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn req(key: &str, op: &str, values: &[&str]) -> SelectorRequirement {
        SelectorRequirement {
            key: key.into(),
            operator: SelectorOperator::parse(op),
            values: values.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn empty_selector_matches_everything() {
        let s = LabelSelector::default();
        assert!(s.matches(&labels(&[])));
        assert!(s.matches(&labels(&[("app", "x")])));
    }

    #[test]
    fn match_labels_are_anded() {
        let s = LabelSelector::from_labels([("app", "web"), ("tier", "fe")]);
        assert!(s.matches(&labels(&[("app", "web"), ("tier", "fe"), ("x", "y")])));
        assert!(!s.matches(&labels(&[("app", "web")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("tier", "be")])));
    }

    #[test]
    fn expressions() {
        let l = labels(&[("env", "prod"), ("app", "web")]);
        assert!(req("env", "In", &["prod", "int"]).matches(&l));
        assert!(!req("env", "In", &["test"]).matches(&l));
        assert!(!req("missing", "In", &["x"]).matches(&l));
        assert!(req("env", "NotIn", &["test"]).matches(&l));
        assert!(!req("env", "NotIn", &["prod"]).matches(&l));
        // NotIn matches when the label is absent.
        assert!(req("missing", "NotIn", &["x"]).matches(&l));
        assert!(req("env", "Exists", &[]).matches(&l));
        assert!(!req("missing", "Exists", &[]).matches(&l));
        assert!(req("missing", "DoesNotExist", &[]).matches(&l));
        assert!(!req("env", "DoesNotExist", &[]).matches(&l));
        // Invalid requirements match nothing.
        assert!(!req("env", "In", &[]).matches(&l));
        assert!(!req("env", "Exists", &["prod"]).matches(&l));
        assert!(!req("env", "Equals", &["prod"]).matches(&l));
    }

    #[test]
    fn labels_and_expressions_are_anded() {
        let mut s = LabelSelector::from_labels([("app", "web")]);
        s.match_expressions.push(req("env", "In", &["prod"]));
        assert!(s.matches(&labels(&[("app", "web"), ("env", "prod")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("env", "test")])));
        assert!(!s.matches(&labels(&[("app", "db"), ("env", "prod")])));
    }

    #[test]
    fn strmap_unknown_values_are_absent() {
        let mut m = StrMap::new();
        m.insert(
            "app",
            Val::known("web".to_string(), Location::file_only("f")),
        );
        m.insert("env", Val::unknown("templated", None));
        let s = LabelSelector::from_labels([("app", "web")]);
        assert!(s.matches(&m));
        assert!(req("env", "DoesNotExist", &[]).matches(&m));
        assert!(m.has_unknown());
    }
}
