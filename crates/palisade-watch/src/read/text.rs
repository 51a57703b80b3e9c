//! Line formats: ALB access logs, VPC flow logs (v2 default or a custom format
//! named by a header line), and timestamp-prefixed JSON lines (CloudWatch Logs
//! exports, e.g. EKS audit logs).

use std::io;
use std::net::IpAddr;

use serde_json::{Map, Number, Value};

use super::src::Src;
use super::Sink;
use crate::record::LogKind;
use crate::time;

/// ALB access log fields in order; later fields are ignored.
pub(crate) const ALB_FIELDS: [&str; 30] = [
    "type",
    "time",
    "elb",
    "client",
    "target",
    "request_processing_time",
    "target_processing_time",
    "response_processing_time",
    "elb_status_code",
    "target_status_code",
    "received_bytes",
    "sent_bytes",
    "request",
    "user_agent",
    "ssl_cipher",
    "ssl_protocol",
    "target_group_arn",
    "trace_id",
    "domain_name",
    "chosen_cert_arn",
    "matched_rule_priority",
    "request_creation_time",
    "actions_executed",
    "redirect_url",
    "error_reason",
    "target_port_list",
    "target_status_code_list",
    "classification",
    "classification_reason",
    "conn_trace_id",
];
/// Fields up to and including `request` must be present.
const ALB_MIN_FIELDS: usize = 13;
const ALB_TYPES: [&str; 6] = ["http", "https", "h2", "grpcs", "ws", "wss"];

/// The default (version 2) VPC flow log format.
pub(crate) const FLOW_V2_FIELDS: [&str; 14] = [
    "version",
    "account-id",
    "interface-id",
    "srcaddr",
    "dstaddr",
    "srcport",
    "dstport",
    "protocol",
    "packets",
    "bytes",
    "start",
    "end",
    "action",
    "log-status",
];
const FLOW_NUMERIC: [&str; 11] = [
    "version",
    "srcport",
    "dstport",
    "protocol",
    "packets",
    "bytes",
    "start",
    "end",
    "tcp-flags",
    "traffic-path",
    "pkt-src-port",
];

enum Format {
    Alb,
    Flow(Vec<String>),
    TimestampedJson,
}

fn flow_header(tokens: &[&str]) -> Option<Vec<String>> {
    let names: Vec<String> = tokens
        .iter()
        .map(|t| {
            t.strip_prefix("${")
                .and_then(|t| t.strip_suffix('}'))
                .unwrap_or(t)
                .to_owned()
        })
        .collect();
    let well_formed = names.iter().all(|n| {
        n.bytes().next().is_some_and(|c| c.is_ascii_lowercase())
            && n.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
    });
    let known = names
        .iter()
        .any(|n| matches!(n.as_str(), "srcaddr" | "dstaddr" | "interface-id"));
    (well_formed && known).then_some(names)
}

fn is_flow_v2_line(tokens: &[&str]) -> bool {
    tokens.len() == FLOW_V2_FIELDS.len()
        && tokens[0].parse::<u32>().is_ok()
        && (tokens[2].starts_with("eni-") || tokens[2] == "-")
}

fn timestamped_json(line: &str) -> Option<&str> {
    let (ts, rest) = line.split_once(' ')?;
    time::parse_rfc3339(ts)?;
    let rest = rest.trim_start();
    rest.starts_with('{').then_some(rest)
}

/// Decides the format from the first non-empty line; `true` when that line is a header.
fn sniff(line: &str) -> Option<(Format, bool)> {
    let tokens: Vec<&str> = line.split_ascii_whitespace().collect();
    if tokens.len() >= 2
        && ALB_TYPES.contains(&tokens[0])
        && time::parse_rfc3339(tokens[1]).is_some()
    {
        return Some((Format::Alb, false));
    }
    if let Some(fields) = flow_header(&tokens) {
        return Some((Format::Flow(fields), true));
    }
    if is_flow_v2_line(&tokens) {
        return Some((
            Format::Flow(FLOW_V2_FIELDS.iter().map(|s| (*s).to_owned()).collect()),
            false,
        ));
    }
    if timestamped_json(line).is_some() {
        return Some((Format::TimestampedJson, false));
    }
    None
}

pub(crate) fn read_text(src: &mut Src<'_>, sink: &mut Sink<'_>) -> io::Result<()> {
    let mut buf = Vec::new();
    let mut format: Option<Format> = None;
    loop {
        let line_no = src.line;
        if !src.read_line(&mut buf)? {
            return Ok(());
        }
        let line = String::from_utf8_lossy(&buf);
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let fmt = match &format {
            Some(f) => f,
            None => match sniff(line) {
                Some((f, is_header)) => {
                    format = Some(f);
                    if is_header {
                        continue;
                    }
                    match &format {
                        Some(f) => f,
                        None => continue,
                    }
                }
                None => {
                    sink.malformed(
                        line_no,
                        "unrecognized log format (not JSON, ALB, VPC flow log or timestamped JSON lines); \
                         rest of file skipped"
                            .to_owned(),
                    );
                    return Ok(());
                }
            },
        };
        match fmt {
            Format::Alb => match parse_alb(line) {
                Ok(v) => sink.record(LogKind::Alb, v, line_no),
                Err(e) => sink.malformed(line_no, e),
            },
            Format::Flow(fields) => {
                let tokens: Vec<&str> = line.split_ascii_whitespace().collect();
                if let Some(new_fields) = flow_header(&tokens) {
                    // Concatenated files repeat their header.
                    format = Some(Format::Flow(new_fields));
                    continue;
                }
                match parse_flow(fields, &tokens) {
                    Ok(v) => sink.record(LogKind::VpcFlow, v, line_no),
                    Err(e) => sink.malformed(line_no, e),
                }
            }
            Format::TimestampedJson => {
                let json = timestamped_json(line).unwrap_or(line);
                match serde_json::from_str::<Value>(json) {
                    Ok(v) => match super::json::classify(v) {
                        Ok((kind, value)) => sink.record(kind, value, line_no),
                        Err(e) => sink.malformed(line_no, e),
                    },
                    Err(e) => sink.malformed(line_no, format!("invalid JSON: {e}")),
                }
            }
        }
    }
}

/// Splits an ALB line on spaces, honouring double-quoted fields (with `\"` escapes).
pub(crate) fn split_quoted(line: &str) -> Result<Vec<String>, String> {
    let b = line.as_bytes();
    let mut fields = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b' ' {
            i += 1;
            continue;
        }
        if b[i] == b'"' {
            i += 1;
            let mut s = Vec::new();
            loop {
                match b.get(i) {
                    None => {
                        return Err(format!(
                            "unterminated quoted field (field {})",
                            fields.len() + 1
                        ))
                    }
                    Some(b'\\') if matches!(b.get(i + 1), Some(b'"' | b'\\')) => {
                        s.push(b[i + 1]);
                        i += 2;
                    }
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(&c) => {
                        s.push(c);
                        i += 1;
                    }
                }
            }
            fields.push(String::from_utf8_lossy(&s).into_owned());
        } else {
            let start = i;
            while i < b.len() && b[i] != b' ' {
                i += 1;
            }
            fields.push(String::from_utf8_lossy(&b[start..i]).into_owned());
        }
    }
    Ok(fields)
}

/// Splits `ip:port` (`[v6]:port` or `v6:port` too); `-` gives nothing.
fn split_host_port(s: &str) -> (Option<String>, Option<u16>) {
    if s == "-" || s.is_empty() {
        return (None, None);
    }
    if let Ok(ip) = s.parse::<IpAddr>() {
        return (Some(ip.to_string()), None);
    }
    if let Some((host, port)) = s.rsplit_once(':') {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if let (Ok(ip), Ok(port)) = (host.parse::<IpAddr>(), port.parse::<u16>()) {
            return (Some(ip.to_string()), Some(port));
        }
    }
    (None, None)
}

fn num_or_null(s: &str) -> Value {
    if s == "-" {
        return Value::Null;
    }
    if let Ok(i) = s.parse::<i64>() {
        return Value::Number(i.into());
    }
    match s.parse::<f64>().ok().and_then(Number::from_f64) {
        Some(n) => Value::Number(n),
        None => Value::String(s.to_owned()),
    }
}

fn str_or_null(s: String) -> Value {
    if s == "-" {
        Value::Null
    } else {
        Value::String(s)
    }
}

/// Parses one ALB access log line into an object keyed by [`ALB_FIELDS`], plus
/// `client_ip`, `client_port`, `target_ip`, `target_port`, `request_method`,
/// `request_url` and `request_protocol`.
pub(crate) fn parse_alb(line: &str) -> Result<Value, String> {
    let fields = split_quoted(line)?;
    if fields.len() < ALB_MIN_FIELDS {
        return Err(format!(
            "ALB line has {} fields, expected at least {ALB_MIN_FIELDS}",
            fields.len()
        ));
    }
    if time::parse_rfc3339(&fields[1]).is_none() {
        return Err(format!("ALB line has an invalid time \"{}\"", fields[1]));
    }
    if fields[8] != "-" && fields[8].parse::<u16>().is_err() {
        return Err(format!(
            "ALB line has an invalid elb_status_code \"{}\"",
            fields[8]
        ));
    }
    let mut obj = Map::new();
    for (name, value) in ALB_FIELDS.iter().zip(fields) {
        let v = match *name {
            "client" | "target" => {
                let (ip, port) = split_host_port(&value);
                obj.insert(format!("{name}_ip"), ip.map_or(Value::Null, Value::String));
                obj.insert(
                    format!("{name}_port"),
                    port.map_or(Value::Null, |p| Value::Number(p.into())),
                );
                str_or_null(value)
            }
            "request_processing_time"
            | "target_processing_time"
            | "response_processing_time"
            | "elb_status_code"
            | "target_status_code"
            | "received_bytes"
            | "sent_bytes" => num_or_null(&value),
            "request" => {
                let mut parts = value.splitn(3, ' ');
                if let (Some(m), Some(u)) = (parts.next(), parts.next()) {
                    obj.insert("request_method".into(), Value::String(m.to_owned()));
                    obj.insert("request_url".into(), Value::String(u.to_owned()));
                    if let Some(p) = parts.next() {
                        obj.insert("request_protocol".into(), Value::String(p.to_owned()));
                    }
                }
                Value::String(value)
            }
            _ => str_or_null(value),
        };
        obj.insert((*name).to_owned(), v);
    }
    Ok(Value::Object(obj))
}

/// Parses one flow log line against its field names.
pub(crate) fn parse_flow(fields: &[String], tokens: &[&str]) -> Result<Value, String> {
    if tokens.len() != fields.len() {
        return Err(format!(
            "flow log line has {} fields, the format has {}",
            tokens.len(),
            fields.len()
        ));
    }
    let mut obj = Map::new();
    for (name, tok) in fields.iter().zip(tokens) {
        let v = if *tok == "-" {
            Value::Null
        } else if FLOW_NUMERIC.contains(&name.as_str()) {
            match tok.parse::<i64>() {
                Ok(n) => Value::Number(n.into()),
                Err(_) => return Err(format!("flow log field {name} is not a number: \"{tok}\"")),
            }
        } else {
            Value::String((*tok).to_owned())
        };
        obj.insert(name.clone(), v);
    }
    Ok(Value::Object(obj))
}
