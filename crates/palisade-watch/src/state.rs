//! State kept between records and between runs for history-based detections
//! ("a principal seen from a new source IP").
//!
//! The model is a set of rows `(namespace, subject, value) → first_seen,
//! last_seen, count`, which maps directly onto a SQL table with a primary key
//! on the first three columns; [`MemoryState`] keeps them in memory and can be
//! exported and re-imported row by row.

use std::collections::{BTreeMap, HashMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::config::Burst;

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

    /// Counts one event of `rule` for `key` (a client address) at `time_ms` in a
    /// sliding window, and tells when the event starts a burst (see [`BurstWindow`]).
    fn burst_event(
        &mut self,
        rule: &str,
        key: &str,
        time_ms: i64,
        tag: &str,
        burst: Burst,
    ) -> Option<BurstHit>;
}

/// A burst that just started: `count` events within the window, from `first_ms` to `last_ms`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BurstHit {
    /// Events in the window when the burst started.
    pub count: u64,
    /// The first of them (epoch milliseconds).
    pub first_ms: i64,
    /// The last of them.
    pub last_ms: i64,
    /// Events per tag (status code, WAF rule).
    pub tags: BTreeMap<String, u64>,
}

/// A burst in progress.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveBurst {
    /// The first event of the window that started it.
    pub start: i64,
    /// Its latest event.
    pub last: i64,
    /// Events in it so far.
    pub count: u64,
}

/// The incremental form of the burst detections (PAL-D014, PAL-D015), for watch
/// mode: the events of one client within the window (at most `threshold` of them)
/// and the burst in progress. The first event that brings `threshold` events within
/// the window starts a burst (one alert); the burst goes on while events keep
/// coming within the window of the previous one, and a new one can start after it.
/// This is the batch rule of `palisade detect`, taken one event at a time.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BurstWindow {
    /// `(time, tag)` of recent events, oldest first.
    pub events: VecDeque<(i64, String)>,
    /// The burst in progress.
    pub active: Option<ActiveBurst>,
}

impl BurstWindow {
    /// Adds one event; returns the burst it starts, if it does.
    pub fn add(&mut self, t: i64, tag: &str, burst: Burst) -> Option<BurstHit> {
        let window = i64::try_from(burst.window_secs)
            .unwrap_or(i64::MAX)
            .saturating_mul(1000);
        let threshold = burst.threshold.max(1);
        if let Some(a) = &mut self.active {
            if t <= a.last.saturating_add(window) {
                a.count += 1;
                a.last = a.last.max(t);
                return None;
            }
            self.active = None;
            self.events.clear();
        }
        // Keep events in time order (logs from several nodes interleave a little).
        let pos = self.events.partition_point(|(x, _)| *x <= t);
        self.events.insert(pos, (t, tag.to_owned()));
        let newest = self.events.back().map_or(t, |(x, _)| *x);
        while self
            .events
            .front()
            .is_some_and(|(x, _)| newest.saturating_sub(*x) > window)
        {
            self.events.pop_front();
        }
        if self.events.len() >= threshold {
            let first_ms = self.events.front().map_or(t, |(x, _)| *x);
            let mut tags = BTreeMap::new();
            for (_, tag) in &self.events {
                *tags.entry(tag.clone()).or_default() += 1;
            }
            let hit = BurstHit {
                count: self.events.len() as u64,
                first_ms,
                last_ms: newest,
                tags,
            };
            self.active = Some(ActiveBurst {
                start: first_ms,
                last: newest,
                count: hit.count,
            });
            self.events.clear();
            return Some(hit);
        }
        while self.events.len() >= threshold {
            self.events.pop_front();
        }
        None
    }

    /// The latest event time held (to expire idle windows).
    pub fn last_ms(&self) -> Option<i64> {
        match &self.active {
            Some(a) => Some(a.last),
            None => self.events.back().map(|(t, _)| *t),
        }
    }
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
    values: HashMap<String, ValueStats>,
}

/// An in-memory [`State`].
#[derive(Clone, Debug, Default)]
pub struct MemoryState {
    /// namespace → subject → history (looked up without allocating).
    subjects: HashMap<String, HashMap<String, Subject>>,
    bursts: HashMap<(String, String), BurstWindow>,
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
        for (ns, subjects) in &self.subjects {
            for (subject, s) in subjects {
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
        }
        out.sort_by(|a, b| {
            (&a.namespace, &a.subject, &a.value).cmp(&(&b.namespace, &b.subject, &b.value))
        });
        out
    }

    /// A state holding these rows (e.g. loaded from disk).
    pub fn from_rows(rows: impl IntoIterator<Item = StateRow>) -> Self {
        let mut st = Self::default();
        for r in rows {
            let s = st
                .subjects
                .entry(r.namespace)
                .or_default()
                .entry(r.subject)
                .or_default();
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
        if !self.subjects.contains_key(namespace) {
            self.subjects.insert(namespace.to_owned(), HashMap::new());
        }
        let Some(subjects) = self.subjects.get_mut(namespace) else {
            return Seen::default();
        };
        if !subjects.contains_key(subject) {
            subjects.insert(subject.to_owned(), Subject::default());
        }
        let Some(s) = subjects.get_mut(subject) else {
            return Seen::default();
        };
        let known = s.values.contains_key(value);
        let seen = Seen {
            subject_observations: s.observations,
            subject_values: s.values.len() as u64,
            value_known: known,
        };
        s.observations += 1;
        if !known {
            s.values.insert(value.to_owned(), ValueStats::default());
        }
        let Some(v) = s.values.get_mut(value) else {
            return seen;
        };
        v.count += 1;
        v.first = min_opt(v.first, time_ms);
        v.last = max_opt(v.last, time_ms);
        seen
    }

    fn burst_event(
        &mut self,
        rule: &str,
        key: &str,
        time_ms: i64,
        tag: &str,
        burst: Burst,
    ) -> Option<BurstHit> {
        self.bursts
            .entry((rule.to_owned(), key.to_owned()))
            .or_default()
            .add(time_ms, tag, burst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_window_starts_once_and_restarts_after_a_gap() {
        let b = Burst {
            threshold: 3,
            window_secs: 10,
        };
        let mut w = BurstWindow::default();
        assert!(w.add(0, "404", b).is_none());
        assert!(w.add(20_000, "404", b).is_none()); // first one fell out of the window
        assert!(w.add(25_000, "500", b).is_none());
        let hit = w.add(29_000, "404", b).expect("burst");
        assert_eq!(hit.count, 3);
        assert_eq!(hit.first_ms, 20_000);
        assert_eq!(hit.tags.get("404"), Some(&2));
        // The burst goes on: no new alert.
        assert!(w.add(35_000, "404", b).is_none());
        assert!(w.add(44_000, "404", b).is_none());
        // A gap longer than the window ends it; a new one needs 3 events again.
        assert!(w.add(60_000, "404", b).is_none());
        assert!(w.add(61_000, "404", b).is_none());
        assert!(w.add(62_000, "404", b).is_some());
        assert!(w.events.len() <= 3);
    }

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
