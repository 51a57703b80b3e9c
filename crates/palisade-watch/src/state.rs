//! State kept between records and between runs for history-based detections
//! ("a principal seen from a new source IP").
//!
//! The model is a set of rows `(namespace, subject, value) → first_seen,
//! last_seen, count`, which maps directly onto a SQL table with a primary key
//! on the first three columns; [`MemoryState`] keeps them in memory and can be
//! exported and re-imported row by row.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What was known about `(namespace, subject)` before an observation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Seen {
    /// Observations of the subject (any value) before this one.
    pub subject_observations: u64,
    /// Distinct values seen for the subject before this one.
    pub subject_values: u64,
    /// Whether this value had been seen for the subject before.
    pub value_known: bool,
}

/// One persisted row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateRow {
    /// What is tracked, e.g. `principal.source_ip`.
    pub namespace: String,
    /// Whose history it is, e.g. a role ARN.
    pub subject: String,
    /// The observed value, e.g. an IP address.
    pub value: String,
    /// Epoch milliseconds of the first observation (when known).
    pub first_seen: Option<i64>,
    /// Epoch milliseconds of the last observation (when known).
    pub last_seen: Option<i64>,
    /// How often it was observed.
    pub count: u64,
}

/// Storage for history-based detections.
pub trait State {
    /// Records that `value` was observed for `subject` in `namespace` at `time_ms`,
    /// and tells what was known before.
    fn observe(
        &mut self,
        namespace: &str,
        subject: &str,
        value: &str,
        time_ms: Option<i64>,
    ) -> Seen;
}

#[derive(Clone, Debug, Default)]
struct ValueStats {
    first: Option<i64>,
    last: Option<i64>,
    count: u64,
}

#[derive(Clone, Debug, Default)]
struct Subject {
    observations: u64,
    values: BTreeMap<String, ValueStats>,
}

/// An in-memory [`State`].
#[derive(Clone, Debug, Default)]
pub struct MemoryState {
    subjects: BTreeMap<(String, String), Subject>,
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

fn max_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

impl MemoryState {
    /// An empty state.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every row, ordered by namespace, subject and value.
    pub fn rows(&self) -> Vec<StateRow> {
        let mut out = Vec::new();
        for ((ns, subject), s) in &self.subjects {
            for (value, v) in &s.values {
                out.push(StateRow {
                    namespace: ns.clone(),
                    subject: subject.clone(),
                    value: value.clone(),
                    first_seen: v.first,
                    last_seen: v.last,
                    count: v.count,
                });
            }
        }
        out
    }

    /// A state holding these rows (e.g. loaded from disk).
    pub fn from_rows(rows: impl IntoIterator<Item = StateRow>) -> Self {
        let mut st = Self::default();
        for r in rows {
            let s = st.subjects.entry((r.namespace, r.subject)).or_default();
            s.observations += r.count;
            let v = s.values.entry(r.value).or_default();
            v.count += r.count;
            v.first = min_opt(v.first, r.first_seen);
            v.last = max_opt(v.last, r.last_seen);
        }
        st
    }
}

impl State for MemoryState {
    fn observe(
        &mut self,
        namespace: &str,
        subject: &str,
        value: &str,
        time_ms: Option<i64>,
    ) -> Seen {
        let s = self
            .subjects
            .entry((namespace.to_owned(), subject.to_owned()))
            .or_default();
        let seen = Seen {
            subject_observations: s.observations,
            subject_values: s.values.len() as u64,
            value_known: s.values.contains_key(value),
        };
        s.observations += 1;
        let v = s.values.entry(value.to_owned()).or_default();
        v.count += 1;
        v.first = min_opt(v.first, time_ms);
        v.last = max_opt(v.last, time_ms);
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observes_and_round_trips() {
        let mut st = MemoryState::new();
        let a = st.observe("ns", "alice", "1.1.1.1", Some(10));
        assert_eq!(
            a,
            Seen {
                subject_observations: 0,
                subject_values: 0,
                value_known: false
            }
        );
        let b = st.observe("ns", "alice", "1.1.1.1", Some(5));
        assert_eq!(
            b,
            Seen {
                subject_observations: 1,
                subject_values: 1,
                value_known: true
            }
        );
        let c = st.observe("ns", "alice", "2.2.2.2", None);
        assert!(!c.value_known);
        let rows = st.rows();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].first_seen, Some(5));
        assert_eq!(rows[0].last_seen, Some(10));
        let mut back = MemoryState::from_rows(rows);
        let d = back.observe("ns", "alice", "2.2.2.2", None);
        assert_eq!(
            d,
            Seen {
                subject_observations: 3,
                subject_values: 2,
                value_known: true
            }
        );
    }
}
