//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use palisade_watch::{detect_reader, Config, Report};
use serde_json::{json, Value};

pub const ACCOUNT: &str = "111122223333";

/// Merges `extra` into `base` (objects recursively, anything else replaced).
pub fn merge(base: &mut Value, extra: Value) {
    match (base, extra) {
        (Value::Object(b), Value::Object(e)) => {
            for (k, v) in e {
                match b.get_mut(&k) {
                    Some(slot) if slot.is_object() && v.is_object() => merge(slot, v),
                    _ => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

/// A realistic CloudTrail management event by IAM user alice, with `extra` merged in.
pub fn ct(source: &str, name: &str, extra: Value) -> Value {
    let mut base = json!({
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": "AIDAQEXAMPLEALICE01",
            "arn": "arn:aws:iam::111122223333:user/alice",
            "accountId": ACCOUNT,
            "accessKeyId": "AKIAQEXAMPLEALICE01",
            "userName": "alice"
        },
        "eventTime": "2024-05-01T10:00:00Z",
        "eventSource": source,
        "eventName": name,
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "203.0.113.10",
        "userAgent": "aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0 exe/x86_64.amzn.2023 prompt/off",
        "requestParameters": null,
        "responseElements": null,
        "requestID": "5b3c1f7e-8d2a-4c1b-9e7f-0a1b2c3d4e5f",
        "eventID": "e1f2a3b4-c5d6-4e7f-8091-a2b3c4d5e6f7",
        "readOnly": false,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": "cloudtrail.eu-west-1.amazonaws.com"}
    });
    merge(&mut base, extra);
    base
}

/// An assumed-role identity (role `name`, session `session`).
pub fn assumed_role(name: &str, session: &str) -> Value {
    json!({
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": format!("AROAQEXAMPLEROLE0001:{session}"),
            "arn": format!("arn:aws:sts::111122223333:assumed-role/{name}/{session}"),
            "accountId": ACCOUNT,
            "accessKeyId": "ASIAQEXAMPLESESS0001",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": "AROAQEXAMPLEROLE0001",
                    "arn": format!("arn:aws:iam::111122223333:role/{name}"),
                    "accountId": ACCOUNT,
                    "userName": name
                },
                "attributes": {"creationDate": "2024-05-01T09:00:00Z", "mfaAuthenticated": "false"}
            }
        }
    })
}

/// Runs the detections over records given as JSON lines.
pub fn run(records: &[Value], cfg: &Config) -> Report {
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    detect_reader("events.jsonl", text.as_bytes(), cfg)
}

/// The rule ids of a report's alerts.
pub fn rules(report: &Report) -> Vec<&str> {
    report.alerts.iter().map(|a| a.rule.as_str()).collect()
}

/// A fresh empty directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "palisade-watch-{}-{}-{name}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// The fixtures directory.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}
