//! Alerts and the report of a detection run.

use std::cmp::Ordering;
use std::collections::HashSet;
use std::io::{self, Write};

use serde::Serialize;
use serde_json::Value;

use crate::record::{Location, Malformed, Record};
use crate::sigma::Skipped;
use crate::util;

/// One alert.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Alert {
    /// The rule: a built-in id (`PAL-D001`) or a Sigma rule id.
    pub rule: String,
    /// The rule's title.
    pub title: String,
    /// `informational`, `low`, `medium`, `high` or `critical`.
    pub severity: String,
    /// Practice IDs the rule covers (`MON-05`, ...).
    pub practices: Vec<String>,
    /// The record's time (RFC 3339).
    pub time: Option<String>,
    /// The record's event id (CloudTrail `eventID`, Kubernetes `auditID`).
    pub event_id: Option<String>,
    /// Who acted.
    pub actor: Option<String>,
    /// From where.
    pub source_ip: Option<String>,
    /// Where the record starts.
    pub location: Location,
    /// Rule-specific facts; secrets are redacted.
    pub evidence: Value,
    /// Epoch milliseconds of `time`, for ordering.
    #[serde(skip)]
    pub time_ms: Option<i64>,
    /// The sequence number of the record within the run, for counting matched records.
    #[serde(skip)]
    pub record_seq: u64,
}

impl Alert {
    /// An alert on a record, with its time, id, actor and source taken from the record.
    /// The evidence is redacted here.
    pub fn for_record(
        rule: &str,
        title: &str,
        severity: &str,
        practices: &[&str],
        record: &Record,
        record_seq: u64,
        mut evidence: Value,
    ) -> Alert {
        util::redact(&mut evidence);
        Alert {
            rule: rule.to_owned(),
            title: title.to_owned(),
            severity: severity.to_owned(),
            practices: practices.iter().map(|p| (*p).to_owned()).collect(),
            time: record.time_text(),
            event_id: record.event_id().map(str::to_owned),
            actor: record.actor().map(str::to_owned),
            source_ip: record.source_ip().map(str::to_owned),
            location: record.location.clone(),
            evidence,
            time_ms: record.time_ms(),
            record_seq,
        }
    }

    /// A stable key naming this alert, the same whenever the same records are read
    /// again (used to send an alert once): the rule and the client and start of a
    /// burst; else the rule and the record's event id; else the rule, file, line and time.
    pub fn key(&self) -> String {
        let ev = |k: &str| self.evidence.get(k).and_then(Value::as_str);
        if let (Some(ip), Some(first)) = (ev("client_ip"), ev("first_seen")) {
            return format!("{}|burst|{ip}|{first}", self.rule);
        }
        if let Some(id) = &self.event_id {
            return format!("{}|event|{id}", self.rule);
        }
        format!(
            "{}|at|{}|{}|{}",
            self.rule,
            self.location.file,
            self.location.line,
            self.time.as_deref().unwrap_or("-")
        )
    }

    /// The order of alerts in reports: by time (alerts without a time last), file, line, rule.
    pub fn order(a: &Alert, b: &Alert) -> Ordering {
        let t = match (a.time_ms, b.time_ms) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        t.then_with(|| a.location.file.cmp(&b.location.file))
            .then_with(|| a.location.line.cmp(&b.location.line))
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.time.cmp(&b.time))
    }
}

/// Rule counts.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RulesSummary {
    /// Rules in effect: enabled built-in detections plus loaded Sigma rules.
    pub loaded: usize,
    /// Sigma rules that could not be used, with reasons.
    pub skipped: Vec<Skipped>,
}

/// Counts for a run. Every record read is `matched`, unmatched or `malformed`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Records read, malformed ones included.
    pub records: u64,
    /// Records with at least one alert.
    pub matched: u64,
    /// Lines or records that could not be read.
    pub malformed: u64,
    /// Rule counts.
    pub rules: RulesSummary,
}

impl Summary {
    /// Records read that were well-formed and raised no alert.
    pub fn unmatched(&self) -> u64 {
        self.records
            .saturating_sub(self.matched)
            .saturating_sub(self.malformed)
    }
}

/// The result of a detection run.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Report {
    /// Counts.
    pub summary: Summary,
    /// Alerts, ordered by time, file, line and rule.
    pub alerts: Vec<Alert>,
    /// What could not be read (at most `Config::max_malformed_details` entries;
    /// `summary.malformed` has the full count).
    pub malformed: Vec<Malformed>,
}

impl Report {
    /// Sorts alerts and computes `summary.matched`.
    pub(crate) fn finalize(&mut self) {
        self.alerts.sort_by(Alert::order);
        let matched: HashSet<u64> = self.alerts.iter().map(|a| a.record_seq).collect();
        self.summary.matched = matched.len() as u64;
    }

    /// The report as JSON: `{"summary":..,"alerts":[..],"malformed":[..]}`.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// Writes the report as one JSON document (pretty-printed or compact), with a final newline.
    pub fn write_json<W: Write>(&self, mut w: W, pretty: bool) -> io::Result<()> {
        if pretty {
            serde_json::to_writer_pretty(&mut w, self)?;
        } else {
            serde_json::to_writer(&mut w, self)?;
        }
        w.write_all(b"\n")
    }

    /// Writes one alert per line.
    pub fn write_jsonl<W: Write>(&self, mut w: W) -> io::Result<()> {
        for a in &self.alerts {
            serde_json::to_writer(&mut w, a)?;
            w.write_all(b"\n")?;
        }
        Ok(())
    }
}
