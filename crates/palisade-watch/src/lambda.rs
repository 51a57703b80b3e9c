//! Running in AWS Lambda behind S3 notifications.
//!
//! [`objects_from_event`] takes the event a Lambda function receives and lists the
//! S3 objects it names. Accepted shapes:
//!
//! * an S3 event notification: `{"Records":[{"eventSource":"aws:s3","s3":{"bucket":{"name":..},"object":{"key":..}}}]}`
//!   (keys are URL-encoded, `+` for a space);
//! * an SNS event wrapping S3 notifications: `{"Records":[{"EventSource":"aws:sns","Sns":{"Message":"<S3 event JSON>"}}]}`;
//! * an SQS event whose message bodies are S3 notifications or SNS envelopes of them;
//! * an EventBridge `Object Created` event from S3 (`{"source":"aws.s3","detail":{"bucket":{"name":..},"object":{"key":..}}}`).
//!
//! `s3:TestEvent` messages (sent when a notification is set up) and records of other
//! event types (e.g. `ObjectRemoved:*`) are ignored. [`handle_event`] reads each object
//! from a local directory (`s3://bucket/key` → `ROOT/bucket/key`; nothing is fetched
//! over the network) and runs the detections over all of them.

use std::path::{Component, Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use crate::config::Config;
use crate::detect::Detector;
use crate::error::Error;
use crate::read;
use crate::report::Report;
use crate::state::State;

/// An S3 object named by an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ObjectRef {
    /// Bucket name.
    pub bucket: String,
    /// Object key (decoded).
    pub key: String,
}

impl ObjectRef {
    /// `s3://bucket/key`.
    pub fn url(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.key)
    }
}

/// Decodes an S3 event key: `%XX` escapes, `+` for a space.
pub fn decode_key(key: &str) -> Result<String, Error> {
    let b = key.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let hex = b
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| Error::Event(format!("bad %-escape in object key '{key}'")))?;
                out.push(hex);
                i += 3;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| Error::Event(format!("object key '{key}' is not UTF-8")))
}

fn s3_record(r: &Value, out: &mut Vec<ObjectRef>) -> Result<(), Error> {
    let event = r.get("eventName").and_then(Value::as_str).unwrap_or("");
    if !event.is_empty() && !event.starts_with("ObjectCreated:") {
        return Ok(());
    }
    let bucket = r
        .pointer("/s3/bucket/name")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::Event("S3 record without s3.bucket.name".to_owned()))?;
    let key = r
        .pointer("/s3/object/key")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::Event("S3 record without s3.object.key".to_owned()))?;
    out.push(ObjectRef {
        bucket: bucket.to_owned(),
        key: decode_key(key)?,
    });
    Ok(())
}

/// A JSON message body (SNS `Message`, SQS `body`).
fn nested(text: &str, out: &mut Vec<ObjectRef>, depth: u32) -> Result<(), Error> {
    let v: Value = serde_json::from_str(text)
        .map_err(|e| Error::Event(format!("message is not JSON: {e}")))?;
    collect(&v, out, depth + 1)
}

fn collect(event: &Value, out: &mut Vec<ObjectRef>, depth: u32) -> Result<(), Error> {
    if depth > 4 {
        return Err(Error::Event("event nested too deeply".to_owned()));
    }
    if event.get("Event").and_then(Value::as_str) == Some("s3:TestEvent") {
        return Ok(());
    }
    // An SNS notification as delivered to SQS (`{"Type":"Notification","Message":"..."}`).
    if event.get("Type").and_then(Value::as_str) == Some("Notification") {
        if let Some(m) = event.get("Message").and_then(Value::as_str) {
            return nested(m, out, depth);
        }
    }
    if event.get("source").and_then(Value::as_str) == Some("aws.s3") {
        let dt = event
            .get("detail-type")
            .and_then(Value::as_str)
            .unwrap_or("");
        if dt != "Object Created" {
            return Ok(());
        }
        let bucket = event.pointer("/detail/bucket/name").and_then(Value::as_str);
        let key = event.pointer("/detail/object/key").and_then(Value::as_str);
        return match (bucket, key) {
            (Some(b), Some(k)) => {
                out.push(ObjectRef {
                    bucket: b.to_owned(),
                    key: k.to_owned(),
                });
                Ok(())
            }
            _ => Err(Error::Event(
                "EventBridge S3 event without detail.bucket.name / detail.object.key".to_owned(),
            )),
        };
    }
    let Some(records) = event.get("Records").and_then(Value::as_array) else {
        return Err(Error::Event(
            "not an S3, SNS, SQS or EventBridge S3 event (no Records)".to_owned(),
        ));
    };
    for r in records {
        let source = r
            .get("eventSource")
            .or_else(|| r.get("EventSource"))
            .and_then(Value::as_str)
            .unwrap_or("");
        match source {
            "aws:s3" => s3_record(r, out)?,
            "aws:sns" => {
                let m = r
                    .pointer("/Sns/Message")
                    .and_then(Value::as_str)
                    .ok_or_else(|| Error::Event("SNS record without Sns.Message".to_owned()))?;
                nested(m, out, depth)?;
            }
            "aws:sqs" => {
                let body = r
                    .get("body")
                    .and_then(Value::as_str)
                    .ok_or_else(|| Error::Event("SQS record without body".to_owned()))?;
                nested(body, out, depth)?;
            }
            other => {
                return Err(Error::Event(format!(
                    "unsupported record source '{other}' (expected aws:s3, aws:sns or aws:sqs)"
                )))
            }
        }
    }
    Ok(())
}

/// The S3 objects an event names, in order, without repeats.
pub fn objects_from_event(event: &Value) -> Result<Vec<ObjectRef>, Error> {
    let mut out = Vec::new();
    collect(event, &mut out, 0)?;
    let mut seen = std::collections::HashSet::new();
    out.retain(|o| seen.insert((o.bucket.clone(), o.key.clone())));
    Ok(out)
}

/// The local path of an object under `root`: `root/bucket/key`. Keys that would
/// leave the bucket's directory (`..`, absolute paths) are refused.
pub fn local_path(root: &Path, obj: &ObjectRef) -> Result<PathBuf, Error> {
    let bad = |what: &str| Error::Event(format!("refusing {} ({what})", obj.url()));
    if obj.bucket.is_empty() || obj.bucket.contains(['/', '\\']) || obj.bucket.starts_with('.') {
        return Err(bad("invalid bucket name"));
    }
    let key = Path::new(&obj.key);
    if obj.key.is_empty() || obj.key.contains('\0') {
        return Err(bad("empty key"));
    }
    let mut path = root.join(&obj.bucket);
    for c in key.components() {
        match c {
            Component::Normal(p) => path.push(p),
            Component::CurDir => {}
            _ => return Err(bad("key leaves the bucket directory")),
        }
    }
    Ok(path)
}

/// What a Lambda invocation did.
#[derive(Clone, Debug, Serialize)]
pub struct LambdaOutcome {
    /// The objects named by the event.
    pub objects: Vec<ObjectRef>,
    /// Objects refused (unsafe keys).
    pub refused: Vec<String>,
    /// The detection report over all of them.
    pub report: Report,
}

/// Runs the detections over the objects an event names, read from `source_root`.
pub fn handle_event(
    event: &Value,
    source_root: &Path,
    config: &Config,
    state: &mut dyn State,
) -> Result<LambdaOutcome, Error> {
    let objects = objects_from_event(event)?;
    let mut refused = Vec::new();
    let mut paths = Vec::new();
    for o in &objects {
        match local_path(source_root, o) {
            Ok(p) => paths.push(p),
            Err(e) => refused.push(e.to_string()),
        }
    }
    let mut det = Detector::new(config, state);
    for p in &paths {
        read::read_file(p, &mut |item| det.process(item));
    }
    Ok(LambdaOutcome {
        objects,
        refused,
        report: det.finish(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_decode_and_paths_stay_inside() {
        assert_eq!(
            decode_key("AWSLogs/a+b/%3Dx.json.gz").ok().as_deref(),
            Some("AWSLogs/a b/=x.json.gz")
        );
        assert!(decode_key("bad%zz").is_err());
        let root = Path::new("/data");
        let ok = ObjectRef {
            bucket: "b".into(),
            key: "AWSLogs/1/x.json".into(),
        };
        assert_eq!(
            local_path(root, &ok).ok(),
            Some(PathBuf::from("/data/b/AWSLogs/1/x.json"))
        );
        for key in ["../../etc/passwd", "/etc/passwd", "a/../../x"] {
            let o = ObjectRef {
                bucket: "b".into(),
                key: key.into(),
            };
            assert!(local_path(root, &o).is_err(), "{key}");
        }
        let o = ObjectRef {
            bucket: "..".into(),
            key: "x".into(),
        };
        assert!(local_path(root, &o).is_err());
    }
}
