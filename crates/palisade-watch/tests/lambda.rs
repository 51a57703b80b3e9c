//! The Lambda entry point over recorded event shapes: S3 notifications, SNS-wrapped,
//! SQS-wrapped (SNS envelope in the body), EventBridge, the S3 test event, unsafe keys.

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;

use common::{ct, fixtures, temp_dir};
use flate2::write::GzEncoder;
use flate2::Compression;
use palisade_watch::lambda::{handle_event, objects_from_event};
use palisade_watch::{Config, MemoryState};
use serde_json::{json, Value};

const DECODED_KEY: &str = "AWSLogs/111122223333/CloudTrail/eu-west-1/2024/05/01/111122223333_CloudTrail_eu-west-1_20240501T1005Z_Ab Cd=.json.gz";

fn event(name: &str) -> Value {
    let text = fs::read_to_string(fixtures().join("lambda").join(name)).expect("fixture");
    serde_json::from_str(&text).expect("fixture JSON")
}

/// A local copy of the bucket holding one gzipped CloudTrail file named by the events.
fn source_root() -> std::path::PathBuf {
    let root = temp_dir("lambda-src");
    let path = root.join("org-trail-logs").join(DECODED_KEY);
    fs::create_dir_all(path.parent().unwrap_or(Path::new("."))).expect("mkdir");
    let records = json!({"Records": [
        ct("cloudtrail.amazonaws.com", "StopLogging", json!({"requestParameters": {"name": "org-trail"}})),
        ct("ec2.amazonaws.com", "DescribeInstances", json!({"readOnly": true, "eventID": "11111111-2222-4333-8444-555555555555"})),
    ]});
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(records.to_string().as_bytes()).expect("gzip");
    fs::write(&path, gz.finish().expect("gzip")).expect("write");
    root
}

fn cfg() -> Config {
    Config {
        disabled_rules: ["PAL-D001".to_owned()].into_iter().collect(),
        ..Config::default()
    }
}

#[test]
fn every_event_shape_names_the_object_and_its_records_are_checked() {
    let root = source_root();
    for name in [
        "s3-put.json",
        "sns-s3.json",
        "sqs-sns-s3.json",
        "eventbridge-s3.json",
    ] {
        let ev = event(name);
        let objects = objects_from_event(&ev).expect(name);
        // ObjectRemoved records are ignored; the key is URL-decoded.
        assert_eq!(objects.len(), 1, "{name}: {objects:?}");
        assert_eq!(objects[0].bucket, "org-trail-logs");
        assert_eq!(objects[0].key, DECODED_KEY, "{name}");
        let out = handle_event(&ev, &root, &cfg(), &mut MemoryState::new()).expect(name);
        assert!(out.refused.is_empty());
        assert_eq!(out.report.summary.records, 2, "{name}");
        assert_eq!(out.report.summary.malformed, 0, "{name}");
        let rules: Vec<&str> = out.report.alerts.iter().map(|a| a.rule.as_str()).collect();
        assert_eq!(rules, vec!["PAL-D008"], "{name}");
        assert!(out.report.alerts[0]
            .location
            .file
            .ends_with("Ab Cd=.json.gz"));
    }
}

#[test]
fn the_s3_test_event_is_ignored() {
    let ev = event("sns-s3-test-event.json");
    assert!(objects_from_event(&ev).expect("test event").is_empty());
    let out = handle_event(
        &ev,
        &temp_dir("lambda-empty"),
        &cfg(),
        &mut MemoryState::new(),
    )
    .expect("test event");
    assert_eq!(out.report.summary.records, 0);
}

#[test]
fn keys_leaving_the_source_root_are_refused_and_missing_objects_reported() {
    let root = source_root();
    let out = handle_event(
        &event("s3-traversal.json"),
        &root,
        &cfg(),
        &mut MemoryState::new(),
    )
    .expect("event");
    assert_eq!(out.objects[0].key, "../../etc/passwd");
    assert_eq!(out.refused.len(), 1);
    assert!(out.refused[0].contains("leaves the bucket directory"));
    assert_eq!(out.report.summary.records, 0);

    let missing = json!({"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
        "s3": {"bucket": {"name": "org-trail-logs"}, "object": {"key": "AWSLogs/none.json.gz"}}}]});
    let out = handle_event(&missing, &root, &cfg(), &mut MemoryState::new()).expect("event");
    assert_eq!(out.report.summary.malformed, 1);
    assert!(out.report.malformed[0].is_input_error());
}

#[test]
fn other_payloads_are_errors() {
    for bad in [
        json!({"hello": "world"}),
        json!({"Records": [{"eventSource": "aws:dynamodb"}]}),
        json!({"Records": [{"EventSource": "aws:sns", "Sns": {"Message": "not json"}}]}),
        json!({"Records": [{"eventSource": "aws:s3", "s3": {"bucket": {"name": "b"}}}]}),
    ] {
        assert!(objects_from_event(&bad).is_err(), "{bad}");
    }
}
