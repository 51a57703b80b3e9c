mod common;

use common::{ct, fixtures};
use palisade_watch::{detect_reader, Config};
use serde_json::{json, Value};

fn events() -> String {
    // Out of time order on purpose; one line is broken.
    let mut lines = vec![
        ct("cloudtrail.amazonaws.com", "StopLogging", json!({"eventTime": "2024-05-01T10:05:00Z", "eventID": "ev-late"})).to_string(),
        ct(
            "iam.amazonaws.com",
            "CreateLoginProfile",
            json!({"eventTime": "2024-05-01T10:00:00Z", "eventID": "ev-early",
                   "requestParameters": {"userName": "bob", "password": "Hunter2-Secret!", "passwordResetRequired": true},
                   "responseElements": {"credentials": {"sessionToken": "IQoJb3JpZ2luX2VjEXAMPLETOKEN"}}}),
        )
        .to_string(),
        "{\"eventVersion\": ".to_owned(),
    ];
    let mut no_id = ct(
        "kms.amazonaws.com",
        "DisableKey",
        json!({"eventTime": "2024-05-01T10:01:00Z"}),
    );
    if let Some(m) = no_id.as_object_mut() {
        m.remove("eventID");
    }
    lines.push(no_id.to_string());
    lines.join("\n")
}

#[test]
fn json_shape_is_exact() {
    let mut cfg = Config::default();
    cfg.sigma
        .load_path(&fixtures().join("sigma"))
        .expect("load");
    cfg.sigma
        .load_path(&fixtures().join("sigma-unsupported"))
        .expect("load");
    let report = detect_reader("events.jsonl", events().as_bytes(), &cfg);
    let v = report.to_json();
    // Written in field order.
    let mut out = Vec::new();
    report.write_json(&mut out, false).expect("write");
    let text = String::from_utf8(out).expect("utf8");
    assert!(text.starts_with(r#"{"summary":{"records":4,"matched":3,"malformed":1,"rules":{"loaded":22,"skipped":[{"rule":"#), "{text}");
    assert!(text.contains(r#""alerts":[{"rule":"PAL-D001","title":"Infrastructure changed outside the CI/CD pipeline","severity":"medium","practices":["MON-05"],"time":"2024-05-01T10:00:00Z","event_id":"ev-early","actor":"arn:aws:iam::111122223333:user/alice","source_ip":"203.0.113.10","location":{"file":"events.jsonl","line":2},"evidence":{"#), "{text}");
    assert!(text.contains(r#"],"malformed":[{"file":"events.jsonl","line":3,"message":"#));
    let top: Vec<&str> = v
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(top.len(), 3);
    let summary = &v["summary"];
    assert_eq!(summary["records"], 4);
    assert_eq!(summary["matched"], 3);
    assert_eq!(summary["malformed"], 1);
    assert_eq!(summary["rules"]["loaded"], 15 + 7);
    let skipped = summary["rules"]["skipped"].as_array().expect("array");
    assert_eq!(skipped.len(), 9);
    let sk: Vec<&str> = skipped[0]
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(sk, vec!["reason", "rule"]); // serde_json::Value sorts keys; the writer keeps rule first

    let alert = &v["alerts"][0];
    assert_eq!(alert.as_object().expect("object").len(), 10);
    assert_eq!(
        alert["location"],
        json!({"file": "events.jsonl", "line": 2})
    );
    assert_eq!(alert["event_id"], "ev-early");
    assert_eq!(alert["source_ip"], "203.0.113.10");
    assert_eq!(v["malformed"][0]["file"], "events.jsonl");
    assert_eq!(v["malformed"][0]["line"], 3);
    assert!(v["malformed"][0]["message"].is_string());

    // The record without an eventID gives null.
    let kms = v["alerts"]
        .as_array()
        .expect("array")
        .iter()
        .find(|a| a["rule"] == "PAL-D012")
        .expect("D012");
    assert_eq!(kms["event_id"], Value::Null);
}

#[test]
fn alerts_are_sorted_by_time_file_line_rule() {
    let report = detect_reader("events.jsonl", events().as_bytes(), &Config::default());
    let order: Vec<(&str, &str)> = report
        .alerts
        .iter()
        .map(|a| (a.time.as_deref().unwrap_or(""), a.rule.as_str()))
        .collect();
    assert_eq!(
        order,
        vec![
            ("2024-05-01T10:00:00Z", "PAL-D001"),
            ("2024-05-01T10:01:00Z", "PAL-D001"),
            ("2024-05-01T10:01:00Z", "PAL-D012"),
            ("2024-05-01T10:05:00Z", "PAL-D001"),
            ("2024-05-01T10:05:00Z", "PAL-D008"),
        ]
    );
    // Same input, same bytes.
    let again = detect_reader("events.jsonl", events().as_bytes(), &Config::default());
    let (mut a, mut b) = (Vec::new(), Vec::new());
    report.write_json(&mut a, false).expect("write");
    again.write_json(&mut b, false).expect("write");
    assert_eq!(a, b);
}

#[test]
fn secrets_never_reach_evidence() {
    let report = detect_reader("events.jsonl", events().as_bytes(), &Config::default());
    let mut out = Vec::new();
    report.write_json(&mut out, true).expect("write");
    let text = String::from_utf8(out).expect("utf8");
    assert!(!text.contains("Hunter2-Secret!"));
    assert!(!text.contains("IQoJb3JpZ2luX2VjEXAMPLETOKEN"));
    assert!(text.contains("[redacted]"));
    assert!(text.contains("passwordResetRequired"));
}

#[test]
fn jsonl_writes_one_alert_per_line() {
    let report = detect_reader("events.jsonl", events().as_bytes(), &Config::default());
    let mut out = Vec::new();
    report.write_jsonl(&mut out).expect("write");
    let text = String::from_utf8(out).expect("utf8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), report.alerts.len());
    for (line, alert) in lines.iter().zip(&report.alerts) {
        let v: Value = serde_json::from_str(line).expect("json line");
        assert_eq!(v["rule"], alert.rule.as_str());
        assert!(v.get("time_ms").is_none());
    }
}
