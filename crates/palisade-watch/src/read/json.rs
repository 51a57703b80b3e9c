//! JSON inputs: CloudTrail files (`{"Records":[...]}`), JSON arrays of records,
//! `aws cloudtrail lookup-events` output (`{"Events":[{"CloudTrailEvent":"..."}]}`),
//! CloudTrail Lake query results (`{"QueryResultRows":[[{col:val},...]]}`), and JSON
//! lines of CloudTrail, EventBridge, WAF or Kubernetes audit events. Each record is
//! classified by its content.

use std::io;

use serde_json::{Map, Value};

use super::src::{CaptureEnd, Src};
use super::Sink;
use crate::record::LogKind;

/// Keys of a top-level object whose array value holds the records.
const CONTAINER_KEYS: [&str; 3] = ["Records", "Events", "QueryResultRows"];

/// Decides what a JSON record is and unwraps envelopes.
pub fn classify(value: Value) -> Result<(LogKind, Value), String> {
    let Value::Object(mut obj) = value else {
        return Err(format!(
            "expected a JSON object, found {}",
            type_name(&value)
        ));
    };
    // `aws cloudtrail lookup-events` item, or a CloudTrail Lake row selecting eventJson.
    for key in ["CloudTrailEvent", "eventJson"] {
        if let Some(Value::String(s)) = obj.get(key) {
            let inner: Value =
                serde_json::from_str(s).map_err(|e| format!("invalid JSON in {key}: {e}"))?;
            return match classify(inner)? {
                (LogKind::CloudTrail, v) => Ok((LogKind::CloudTrail, v)),
                (kind, _) => Err(format!(
                    "{key} holds a {kind} record, not a CloudTrail record"
                )),
            };
        }
    }
    // EventBridge envelope: the CloudTrail record is in `detail`.
    if obj.contains_key("detail-type") && obj.get("detail").is_some_and(Value::is_object) {
        let detail = obj.remove("detail").unwrap_or(Value::Null);
        if looks_like_cloudtrail(detail.as_object()) {
            return Ok((LogKind::CloudTrail, detail));
        }
        let dt = obj
            .get("detail-type")
            .and_then(Value::as_str)
            .unwrap_or("?");
        return Err(format!(
            "EventBridge event of detail-type \"{dt}\" does not carry a CloudTrail record"
        ));
    }
    if looks_like_cloudtrail(Some(&obj)) {
        return Ok((LogKind::CloudTrail, Value::Object(obj)));
    }
    let is_k8s = obj.get("kind").and_then(Value::as_str) == Some("Event")
        && obj
            .get("apiVersion")
            .and_then(Value::as_str)
            .is_some_and(|a| a.starts_with("audit.k8s.io/"));
    if is_k8s {
        return Ok((LogKind::K8sAudit, Value::Object(obj)));
    }
    let is_waf = obj.get("httpRequest").is_some_and(Value::is_object)
        && obj.contains_key("action")
        && (obj.contains_key("webaclId") || obj.contains_key("terminatingRuleId"));
    if is_waf {
        return Ok((LogKind::Waf, Value::Object(obj)));
    }
    Err("unrecognized record: not CloudTrail, EventBridge, WAF or Kubernetes audit".to_owned())
}

fn looks_like_cloudtrail(obj: Option<&Map<String, Value>>) -> bool {
    obj.is_some_and(|o| {
        o.get("eventName").is_some_and(Value::is_string)
            && (o.contains_key("eventSource")
                || o.contains_key("eventVersion")
                || o.contains_key("eventTime"))
    })
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A CloudTrail Lake result row is a list of one-key objects: merge them.
fn merge_row(row: Value) -> Value {
    match row {
        Value::Array(cols) if cols.iter().all(Value::is_object) => {
            let mut merged = Map::new();
            for col in cols {
                if let Value::Object(m) = col {
                    merged.extend(m);
                }
            }
            Value::Object(merged)
        }
        other => other,
    }
}

/// Classifies one parsed element, emitting a record or a malformed entry.
fn emit_value(sink: &mut Sink<'_>, v: Value, line: u64, container: Option<&str>) {
    let v = if container == Some("QueryResultRows") {
        merge_row(v)
    } else {
        v
    };
    match classify(v) {
        Ok((kind, value)) => sink.record(kind, value, line),
        Err(msg) => sink.malformed(line, msg),
    }
}

/// Parses and classifies one element's bytes, emitting a record or a malformed entry.
fn emit_element(sink: &mut Sink<'_>, bytes: &[u8], line: u64, container: Option<&str>) {
    // Checking UTF-8 once for the whole record is cheaper than serde_json checking
    // every string of it (`from_str` trusts its input to be UTF-8).
    let parsed = match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str::<Value>(text),
        Err(_) => serde_json::from_slice::<Value>(bytes),
    };
    match parsed {
        Ok(v) => emit_value(sink, v, line, container),
        Err(e) => sink.malformed(line, format!("invalid JSON: {e}")),
    }
}

/// Streams the elements of an array whose `[` has just been consumed.
/// `Err(message)` means the structure is broken and the rest of the input is lost.
fn stream_array(
    src: &mut Src<'_>,
    sink: &mut Sink<'_>,
    container: Option<&str>,
) -> io::Result<Result<(), String>> {
    let mut buf = Vec::new();
    loop {
        let Some(c) = src.skip_ws()? else {
            return Ok(Err("input ends inside a JSON array".to_owned()));
        };
        if c == b']' {
            src.bump()?;
            return Ok(Ok(()));
        }
        let start = src.line;
        buf.clear();
        // Fast path: the element lies wholly in the read buffer and parses.
        let fast = if matches!(c, b'{' | b'[') {
            src.parse_buffered()?
        } else {
            None
        };
        let end = match fast {
            Some(v) => {
                emit_value(sink, v, start, container);
                None
            }
            None => Some(src.capture(&mut buf, 0, false)?),
        };
        match end {
            None => {}
            Some(CaptureEnd::Done) => emit_element(sink, &buf, start, container),
            Some(CaptureEnd::Eof) => {
                sink.malformed(start, "input ends inside this record".to_owned());
                // Already reported: an empty message tells callers to stop quietly.
                return Ok(Err(String::new()));
            }
            Some(CaptureEnd::RawNewlineInString | CaptureEnd::NewRecordAtLineStart) => {
                sink.malformed(start, "line break inside a JSON string".to_owned());
                return Ok(Err("JSON structure broken".to_owned()));
            }
        }
        match src.skip_ws()? {
            Some(b',') => src.bump()?,
            Some(b']') => {
                src.bump()?;
                return Ok(Ok(()));
            }
            Some(c) => {
                return Ok(Err(format!(
                    "expected ',' or ']' after a record, found '{}'",
                    char::from(c)
                )))
            }
            None => return Ok(Err("input ends inside a JSON array".to_owned())),
        }
    }
}

/// Reads an object key (the next byte is `"`), then the `:`; returns the key, its raw bytes
/// and the first byte of the value.
fn read_key(src: &mut Src<'_>) -> io::Result<Result<(String, Vec<u8>), String>> {
    let mut raw = Vec::new();
    if src.capture(&mut raw, 0, false)? != CaptureEnd::Done {
        return Ok(Err("broken object key".to_owned()));
    }
    let Ok(key) = serde_json::from_slice::<String>(&raw) else {
        return Ok(Err("invalid object key".to_owned()));
    };
    if src.skip_ws()? != Some(b':') {
        return Ok(Err(format!("expected ':' after key \"{key}\"")));
    }
    src.bump()?;
    Ok(Ok((key, raw)))
}

/// The rest of a container object (`{"Records":[...], ...}`) after its first array.
fn finish_container(src: &mut Src<'_>, sink: &mut Sink<'_>) -> io::Result<Result<(), String>> {
    let mut skip = Vec::new();
    loop {
        match src.skip_ws()? {
            Some(b'}') => {
                src.bump()?;
                return Ok(Ok(()));
            }
            Some(b',') => {
                src.bump()?;
                if src.skip_ws()? != Some(b'"') {
                    return Ok(Err("expected a key".to_owned()));
                }
                let (key, _) = match read_key(src)? {
                    Ok(k) => k,
                    Err(e) => return Ok(Err(e)),
                };
                let next = src.skip_ws()?;
                if CONTAINER_KEYS.contains(&key.as_str()) && next == Some(b'[') {
                    src.bump()?;
                    if let Err(e) = stream_array(src, sink, Some(&key))? {
                        return Ok(Err(e));
                    }
                } else {
                    skip.clear();
                    if src.capture(&mut skip, 0, false)? != CaptureEnd::Done {
                        return Ok(Err(format!("broken value for key \"{key}\"")));
                    }
                }
            }
            Some(c) => {
                return Ok(Err(format!(
                    "expected ',' or '}}', found '{}'",
                    char::from(c)
                )))
            }
            None => return Ok(Err("input ends inside the top-level object".to_owned())),
        }
    }
}

fn report_broken(src: &Src<'_>, sink: &mut Sink<'_>, e: &str) {
    if !e.is_empty() {
        sink.malformed(src.line, format!("{e}; rest of input skipped"));
    }
}

/// Reads JSON input whose first non-blank byte is `{` or `[`.
pub(crate) fn read_json(src: &mut Src<'_>, sink: &mut Sink<'_>) -> io::Result<()> {
    let mut buf = Vec::new();
    while let Some(c) = src.skip_ws()? {
        let start = src.line;
        match c {
            b'[' => {
                src.bump()?;
                if let Err(e) = stream_array(src, sink, None)? {
                    report_broken(src, sink, &e);
                    return Ok(());
                }
            }
            b'{' => {
                // Fast path for a JSON line: parsed straight from the read buffer
                // (not for a container object, whose array is streamed).
                if !src.starts_container_object(&CONTAINER_KEYS)? {
                    if let Some(v) = src.parse_buffered()? {
                        emit_value(sink, v, start, None);
                        continue;
                    }
                }
                src.bump()?;
                buf.clear();
                buf.push(b'{');
                if src.skip_ws()? == Some(b'"') {
                    let (key, raw) = match read_key(src)? {
                        Ok(k) => k,
                        Err(e) => {
                            sink.malformed(start, e);
                            src.skip_line()?;
                            continue;
                        }
                    };
                    if CONTAINER_KEYS.contains(&key.as_str()) && src.skip_ws()? == Some(b'[') {
                        src.bump()?;
                        let result = match stream_array(src, sink, Some(&key))? {
                            Ok(()) => finish_container(src, sink)?,
                            Err(e) => Err(e),
                        };
                        if let Err(e) = result {
                            report_broken(src, sink, &e);
                            return Ok(());
                        }
                        continue;
                    }
                    buf.extend_from_slice(&raw);
                    buf.push(b':');
                    src.skip_ws()?;
                }
                match src.capture(&mut buf, 1, true)? {
                    CaptureEnd::Done => emit_element(sink, &buf, start, None),
                    CaptureEnd::Eof => {
                        sink.malformed(start, "input ends inside this record".to_owned())
                    }
                    CaptureEnd::NewRecordAtLineStart => sink.malformed(
                        start,
                        "record is cut short (a new record starts on a later line)".to_owned(),
                    ),
                    CaptureEnd::RawNewlineInString => {
                        sink.malformed(start, "line break inside a JSON string".to_owned());
                        src.skip_line()?;
                    }
                }
            }
            _ => {
                sink.malformed(start, "unexpected text outside a JSON value".to_owned());
                src.skip_line()?;
            }
        }
    }
    Ok(())
}
