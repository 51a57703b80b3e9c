//! The detection run: records in, alerts and counts out.

use std::path::Path;

use serde_json::{json, Map, Value};

use crate::builtin::{Builtins, BUILTINS};
use crate::config::Config;
use crate::read;
use crate::record::{get_path, Item, LogKind, Record};
use crate::report::{Alert, Report, RulesSummary, Summary};
use crate::sigma::SigmaRule;
use crate::state::{MemoryState, State};

/// Runs detections over records fed one at a time (streaming).
pub struct Detector<'a> {
    config: &'a Config,
    state: &'a mut dyn State,
    builtins: Builtins,
    report: Report,
    seq: u64,
}

/// The record fields a Sigma alert shows, by kind.
fn sigma_fields(kind: LogKind) -> &'static [&'static str] {
    match kind {
        LogKind::CloudTrail => &[
            "eventSource",
            "eventName",
            "awsRegion",
            "recipientAccountId",
            "userIdentity.type",
            "userAgent",
            "errorCode",
            "requestParameters",
        ],
        LogKind::K8sAudit => &[
            "verb",
            "requestURI",
            "objectRef",
            "user.username",
            "responseStatus.code",
            "userAgent",
        ],
        LogKind::Alb => &[
            "request",
            "elb_status_code",
            "target_status_code",
            "user_agent",
            "actions_executed",
        ],
        LogKind::Waf => &[
            "action",
            "terminatingRuleId",
            "httpRequest.uri",
            "httpRequest.httpMethod",
            "httpRequest.country",
        ],
        LogKind::VpcFlow => &[
            "srcaddr",
            "dstaddr",
            "srcport",
            "dstport",
            "protocol",
            "action",
            "interface-id",
        ],
    }
}

fn sigma_alert(rule: &SigmaRule, rec: &Record, seq: u64) -> Alert {
    let mut fields = Map::new();
    for f in sigma_fields(rec.kind) {
        if let Some(v) = get_path(&rec.value, f).filter(|v| !v.is_null()) {
            fields.insert((*f).to_owned(), v.clone());
        }
    }
    let evidence = json!({
        "sigma": {"title": rule.title, "level": rule.level, "status": rule.status, "tags": rule.tags, "source": rule.source},
        "fields": Value::Object(fields),
    });
    let practices = rule.practices();
    let practices: Vec<&str> = practices.iter().map(String::as_str).collect();
    Alert::for_record(
        &rule.id,
        &rule.title,
        &rule.level,
        &practices,
        rec,
        seq,
        evidence,
    )
}

impl<'a> Detector<'a> {
    /// A detector using `state` for history-based detections.
    pub fn new(config: &'a Config, state: &'a mut dyn State) -> Self {
        let builtins = if config.builtins {
            BUILTINS.iter().filter(|r| config.enabled(r.id)).count()
        } else {
            0
        };
        let sigma = config
            .sigma
            .rules()
            .iter()
            .filter(|r| config.enabled(&r.id))
            .count();
        let report = Report {
            summary: Summary {
                rules: RulesSummary {
                    loaded: builtins + sigma,
                    skipped: config.sigma.skipped().to_vec(),
                },
                ..Summary::default()
            },
            ..Report::default()
        };
        Detector {
            config,
            state,
            builtins: Builtins::new(),
            report,
            seq: 0,
        }
    }

    /// Counts bursts (PAL-D014, PAL-D015) in the state and raises them as they start,
    /// so a run can be continued later (watch mode). A plain run raises them at
    /// [`Detector::finish`], with the count of the whole burst.
    pub fn incremental_bursts(mut self) -> Self {
        self.builtins.incremental = true;
        self
    }

    /// Takes the alerts raised so far (for a caller that hands them on batch by batch).
    pub fn take_alerts(&mut self) -> Vec<Alert> {
        std::mem::take(&mut self.report.alerts)
    }

    /// The counts so far.
    pub fn summary(&self) -> &Summary {
        &self.report.summary
    }

    /// Feeds one item from a reader.
    pub fn process(&mut self, item: Item) {
        match item {
            Item::Record(rec) => self.process_record(&rec),
            Item::Malformed(m) => {
                self.report.summary.records += 1;
                self.report.summary.malformed += 1;
                if self.report.malformed.len() < self.config.max_malformed_details {
                    self.report.malformed.push(m);
                }
            }
        }
    }

    /// Feeds one record.
    pub fn process_record(&mut self, rec: &Record) {
        let seq = self.seq;
        self.seq += 1;
        self.report.summary.records += 1;
        if self.config.builtins {
            self.builtins
                .check(self.config, self.state, rec, seq, &mut self.report.alerts);
        }
        for rule in self.config.sigma.matching(rec) {
            if self.config.enabled(&rule.id) {
                self.report.alerts.push(sigma_alert(rule, rec, seq));
            }
        }
    }

    /// Alerts raised so far (burst alerts come only with [`Detector::finish`]).
    pub fn alerts(&self) -> &[Alert] {
        &self.report.alerts
    }

    /// Ends the run: evaluates windowed detections, sorts alerts, counts matches.
    pub fn finish(mut self) -> Report {
        if self.config.builtins {
            self.builtins.finish(self.config, &mut self.report.alerts);
        }
        self.report.finalize();
        self.report
    }
}

/// Reads the inputs (files, directories, `-` for stdin) and runs every detection,
/// with in-memory history.
pub fn detect<P: AsRef<Path>>(inputs: &[P], config: &Config) -> Report {
    let mut state = MemoryState::new();
    detect_with_state(inputs, config, &mut state)
}

/// Like [`detect`], with history kept in `state` (so it can persist between runs).
pub fn detect_with_state<P: AsRef<Path>>(
    inputs: &[P],
    config: &Config,
    state: &mut dyn State,
) -> Report {
    let mut det = Detector::new(config, state);
    read::read_inputs(inputs, &mut |item| det.process(item));
    det.finish()
}
