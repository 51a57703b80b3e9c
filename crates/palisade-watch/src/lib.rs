//! The detection engine behind `palisade detect`.
//!
//! * [`read`]: streaming readers for CloudTrail (S3 `{"Records":[...]}` files,
//!   gzipped or not, whole `AWSLogs/...` trees, JSON arrays, `lookup-events`
//!   output, CloudTrail Lake rows, EventBridge events), ALB access logs, WAF
//!   logs, VPC flow logs and Kubernetes audit logs; the format is decided by
//!   content.
//! * [`sigma`]: a Sigma rule engine running SigmaHQ rules on raw JSON records.
//! * [`builtin`]: built-in detections `PAL-D001`..`PAL-D015` (practices MON-05..MON-08).
//! * [`detect()`] / [`Detector`]: a run over inputs, giving a [`Report`].
//! * [`blocklist`]: WAFv2 `UpdateIPSet` bodies from MON-07 alerts.
//! * [`store`]: the SQLite state database ([`Store`]): history, burst windows, alerts
//!   already raised (by [`Alert::key`]), the notification outbox, the blocklist with
//!   expiry and the position in followed files; a batch commits atomically.
//! * [`follow`]: `palisade watch` ([`Watcher`]): follows directories, resumes after a
//!   crash or restart without losing or repeating alerts.
//! * [`notify`]: Slack-compatible and generic JSON webhooks with retries, back-off,
//!   rate limiting and 429 handling, fed from the outbox.
//! * [`lambda`]: S3 / SNS / SQS / EventBridge event handling for AWS Lambda.
//!
//! ```
//! use palisade_watch::{detect_reader, Config};
//! let line = r#"{"eventVersion":"1.08","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","eventTime":"2024-05-01T10:00:00Z","readOnly":false,"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/mallory","userName":"mallory"}}"#;
//! let report = detect_reader("events.jsonl", line.as_bytes(), &Config::default());
//! assert!(report.alerts.iter().any(|a| a.rule == "PAL-D008"));
//! assert_eq!(report.summary.records, 1);
//! ```

pub mod blocklist;
pub mod builtin;
pub mod config;
mod detect;
pub mod error;
pub mod follow;
pub mod lambda;
pub mod notify;
pub mod read;
pub mod record;
pub mod report;
pub mod sigma;
pub mod state;
pub mod store;
pub mod time;
pub mod util;

pub use blocklist::{
    build_blocklist, build_blocklist_weighted, Blocklist, BlocklistOptions, IpSetRef, Scope,
};
pub use config::{Burst, Config};
pub use detect::{detect, detect_with_state, Detector};
pub use error::{parse_cidr, parse_cidrs, Error};
pub use follow::{Cycle, WatchOptions, Watcher};
pub use notify::{Notifier, Webhook, WebhookKind};
pub use record::{Item, Location, LogKind, Malformed, Record};
pub use report::{Alert, Report, Summary};
pub use sigma::{RuleSet, SigmaRule, Skipped};
pub use state::{BurstHit, BurstWindow, MemoryState, Seen, State, StateRow};
pub use store::Store;

/// Runs every detection over one stream (e.g. a Lambda payload or a test string).
pub fn detect_reader<R: std::io::Read>(name: &str, reader: R, config: &Config) -> Report {
    let mut state = MemoryState::new();
    let mut det = Detector::new(config, &mut state);
    read::read_stream(name, reader, &mut |item| det.process(item));
    det.finish()
}
