//! The unit every reader produces and every detection consumes.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::time;

/// The kind of log a record came from, decided by its content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogKind {
    /// A CloudTrail record (from S3, lookup-events, CloudTrail Lake or EventBridge).
    CloudTrail,
    /// An Application Load Balancer access log line.
    Alb,
    /// An AWS WAF log line.
    Waf,
    /// A VPC flow log line.
    VpcFlow,
    /// A Kubernetes (EKS) audit event.
    K8sAudit,
}

impl LogKind {
    /// A short lowercase name (`cloudtrail`, `alb`, `waf`, `vpcflow`, `k8s_audit`).
    pub fn name(self) -> &'static str {
        match self {
            LogKind::CloudTrail => "cloudtrail",
            LogKind::Alb => "alb",
            LogKind::Waf => "waf",
            LogKind::VpcFlow => "vpcflow",
            LogKind::K8sAudit => "k8s_audit",
        }
    }
}

impl fmt::Display for LogKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a record starts: the file (as given or found while walking a directory;
/// `<stdin>` for standard input) and the 1-based line.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Location {
    /// The file the record was read from.
    pub file: Arc<str>,
    /// The 1-based line on which the record starts (0 when the whole file is concerned).
    pub line: u64,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// One parsed log record.
#[derive(Clone, Debug)]
pub struct Record {
    /// What kind of log it is.
    pub kind: LogKind,
    /// The record as JSON. CloudTrail, WAF and Kubernetes audit records are kept as
    /// delivered (an EventBridge envelope or a lookup-events wrapper is removed);
    /// ALB and flow log lines become objects keyed by the AWS field names.
    pub value: Value,
    /// Where it starts.
    pub location: Location,
}

/// A line or record that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Malformed {
    /// The file.
    pub file: String,
    /// The 1-based line where the bad record starts (0 for a whole-file problem).
    pub line: u64,
    /// What was wrong.
    pub message: String,
}

impl Malformed {
    /// Whether this is an input error rather than one bad record: a file that could
    /// not be opened or read, or whose rest was skipped (corrupt gzip, broken JSON
    /// structure, unrecognized format, read error).
    pub fn is_input_error(&self) -> bool {
        self.line == 0
            || self.message.ends_with("rest of input skipped")
            || self.message.ends_with("rest of file skipped")
    }
}

/// What readers hand to their callback.
#[derive(Clone, Debug)]
pub enum Item {
    /// A record.
    Record(Record),
    /// A line or record that could not be read; it counts as one record read.
    Malformed(Malformed),
}

/// Looks up a dotted path (`userIdentity.sessionContext.sessionIssuer.arn`) in a JSON value,
/// without descending into arrays.
pub fn get_path<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    let mut rest = path;
    // A byte scan: paths are short, and this runs several times per record.
    while let Some(i) = rest.bytes().position(|b| b == b'.') {
        cur = cur.as_object()?.get(&rest[..i])?;
        rest = &rest[i + 1..];
    }
    cur.as_object()?.get(rest)
}

/// Like [`get_path`], for string values.
pub fn get_str<'a>(v: &'a Value, path: &str) -> Option<&'a str> {
    get_path(v, path)?.as_str()
}

impl Record {
    /// The record's time in epoch milliseconds, when it has one.
    pub fn time_ms(&self) -> Option<i64> {
        let v = &self.value;
        match self.kind {
            LogKind::CloudTrail => get_str(v, "eventTime").and_then(time::parse_rfc3339),
            LogKind::Alb => get_str(v, "time").and_then(time::parse_rfc3339),
            LogKind::Waf => v.get("timestamp").and_then(|t| {
                t.as_i64()
                    .or_else(|| t.as_f64().map(|f| f as i64))
                    .or_else(|| t.as_str().and_then(|s| s.parse().ok()))
            }),
            LogKind::VpcFlow => v.get("start").and_then(Value::as_i64).map(|s| s * 1000),
            LogKind::K8sAudit => get_str(v, "requestReceivedTimestamp")
                .or_else(|| get_str(v, "stageTimestamp"))
                .and_then(time::parse_rfc3339),
        }
    }

    /// The record's time as text: the record's own string where it has one,
    /// else the epoch time formatted as RFC 3339.
    pub fn time_text(&self) -> Option<String> {
        let v = &self.value;
        let own = match self.kind {
            LogKind::CloudTrail => get_str(v, "eventTime"),
            LogKind::Alb => get_str(v, "time"),
            LogKind::K8sAudit => {
                get_str(v, "requestReceivedTimestamp").or_else(|| get_str(v, "stageTimestamp"))
            }
            LogKind::Waf | LogKind::VpcFlow => None,
        };
        own.map(str::to_owned)
            .or_else(|| self.time_ms().map(time::format_rfc3339))
    }

    /// The record's own event id: CloudTrail `eventID`, Kubernetes `auditID`.
    pub fn event_id(&self) -> Option<&str> {
        match self.kind {
            LogKind::CloudTrail => get_str(&self.value, "eventID"),
            LogKind::K8sAudit => get_str(&self.value, "auditID"),
            _ => None,
        }
    }

    /// Who acted: the CloudTrail identity ARN (else principal id, invoking service or
    /// identity type), the Kubernetes user name.
    pub fn actor(&self) -> Option<&str> {
        let v = &self.value;
        match self.kind {
            LogKind::CloudTrail => get_str(v, "userIdentity.arn")
                .or_else(|| get_str(v, "userIdentity.principalId"))
                .or_else(|| get_str(v, "userIdentity.invokedBy"))
                .or_else(|| get_str(v, "userIdentity.type")),
            LogKind::K8sAudit => get_str(v, "user.username"),
            _ => None,
        }
    }

    /// The source address of the request or flow.
    pub fn source_ip(&self) -> Option<&str> {
        let v = &self.value;
        match self.kind {
            LogKind::CloudTrail => get_str(v, "sourceIPAddress"),
            LogKind::Alb => get_str(v, "client_ip"),
            LogKind::Waf => get_str(v, "httpRequest.clientIp"),
            LogKind::VpcFlow => get_str(v, "srcaddr"),
            LogKind::K8sAudit => v
                .get("sourceIPs")
                .and_then(|s| s.get(0))
                .and_then(Value::as_str),
        }
    }
}
