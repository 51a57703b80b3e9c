//! The request context: condition keys and their values.
//!
//! Condition key names are case-insensitive in IAM (`aws:CurrentTime` is the
//! same key as `AWS:currenttime`, see [policy variables][vars]), so keys are
//! stored lower-cased. A key may carry one value or a list (multivalued keys
//! such as `aws:TagKeys`).
//!
//! [vars]: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html

use std::collections::BTreeMap;

use serde::Serialize;

/// Condition keys of one request, looked up case-insensitively.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Context {
    /// lower-cased key -> (key as first written, values)
    entries: BTreeMap<String, (String, Vec<String>)>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a key to a single value, replacing any earlier value.
    pub fn insert(&mut self, key: &str, value: impl Into<String>) {
        self.insert_values(key, vec![value.into()]);
    }

    /// Sets a key to a list of values (a multivalued key), replacing any earlier value.
    pub fn insert_values(&mut self, key: &str, values: Vec<String>) {
        self.entries
            .insert(key.to_lowercase(), (key.to_string(), values));
    }

    /// Sets a key only if it is not already present: used for values AWS
    /// derives from the principal, which an explicit context value overrides.
    pub(crate) fn insert_default(&mut self, key: &str, value: impl Into<String>) {
        let lower = key.to_lowercase();
        self.entries
            .entry(lower)
            .or_insert_with(|| (key.to_string(), vec![value.into()]));
    }

    /// The values of a key (case-insensitive), or `None` when the key is absent.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.entries
            .get(&key.to_lowercase())
            .map(|(_, v)| v.as_slice())
    }

    /// Iterates keys (as first written) and values in a stable order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.entries
            .values()
            .map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no key is set.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
