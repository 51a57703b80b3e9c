//! The JSON contract (see JSON.md): shape, key order, formatting.

use crate::fixture::{render_str, report};
use palisade_model::finding::ScanReport;
use palisade_report::Format;
use serde_json::Value;

/// Keys of the object lines indented by exactly `indent` spaces that lie
/// between `from` and `to` (byte offsets), in output order.
fn keys_at(text: &str, indent: usize) -> Vec<String> {
    let prefix = format!("{}\"", " ".repeat(indent));
    text.lines()
        .filter(|l| l.starts_with(&prefix) && !l[indent + 1..].starts_with(' '))
        .filter_map(|l| {
            let rest = &l[indent + 1..];
            let end = rest.find("\":")?;
            Some(rest[..end].to_string())
        })
        .collect()
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("output is valid JSON")
}

#[test]
fn top_level_keys_in_contract_order() {
    let text = render_str(&report(), Format::Json);
    assert_eq!(
        keys_at(&text, 2),
        [
            "tool",
            "summary",
            "findings",
            "errors",
            "unknowns",
            "suppressed",
            "notes"
        ]
    );
    assert!(text.starts_with("{\n  \"tool\": {\n    \"name\": \"palisade\""));
    assert!(text.ends_with("}\n"), "trailing newline");
    assert!(!text.contains('\t'));
}

#[test]
fn notes_are_omitted_when_empty() {
    let mut r = report();
    r.notes.clear();
    let text = render_str(&r, Format::Json);
    assert_eq!(
        keys_at(&text, 2),
        [
            "tool",
            "summary",
            "findings",
            "errors",
            "unknowns",
            "suppressed"
        ]
    );
}

#[test]
fn finding_shape_and_order() {
    let text = render_str(&report(), Format::Json);
    // The first finding's keys (6 spaces deep: {, findings: [, {).
    let first: String = text
        .split("\"findings\": [")
        .nth(1)
        .and_then(|rest| rest.split("\n    }").next())
        .expect("findings array")
        .to_string();
    assert_eq!(
        keys_at(&first, 6),
        [
            "rule",
            "severity",
            "title",
            "practices",
            "resource",
            "location",
            "message",
            "remediation",
            "fingerprint"
        ]
    );
    assert_eq!(keys_at(&first, 8), ["file", "line", "end_line"]);

    let v = parse(&text);
    let findings = v["findings"].as_array().expect("findings array");
    assert_eq!(findings.len(), 3);
    let f = &findings[0];
    assert_eq!(f["rule"], "NET-SG-OPEN-SSH");
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["practices"], serde_json::json!(["NET-07", "NET-01"]));
    assert_eq!(f["resource"], "aws_security_group.web");
    assert_eq!(
        f["location"],
        serde_json::json!({"file": "network/main.tf", "line": 4, "end_line": 4})
    );
    assert_eq!(f["fingerprint"].as_str().map(str::len), Some(16));
    let severities: Vec<&str> = findings
        .iter()
        .filter_map(|f| f["severity"].as_str())
        .collect();
    assert_eq!(severities, ["critical", "high", "medium"]);
}

#[test]
fn summary_errors_unknowns_and_notes() {
    let v = parse(&render_str(&report(), Format::Json));
    assert_eq!(
        v["tool"],
        serde_json::json!({"name": "palisade", "version": "0.1.0"})
    );
    assert_eq!(
        v["summary"],
        serde_json::json!({"files": 3, "resources": 4, "findings": 3, "errors": 1, "unknowns": 1, "suppressed": 2})
    );
    assert_eq!(
        v["errors"],
        serde_json::json!([{"file": "k8s/broken.yaml", "line": 3, "message": "expected a mapping, found `- item`"}])
    );
    assert_eq!(
        v["unknowns"],
        serde_json::json!([{
            "resource": "aws_security_group.web",
            "attribute": "ingress[1].cidr_blocks",
            "location": {"file": "network/main.tf", "line": 9, "end_line": 9},
            "reason": "var.admin_cidr has no default"
        }])
    );
    assert_eq!(
        v["notes"],
        serde_json::json!([{"file": "docs/example.yaml", "line": null, "message": "not a Kubernetes manifest or CloudFormation template"}])
    );
}

#[test]
fn unknown_without_location_is_null() {
    let mut r = report();
    r.unknowns[0].location = None;
    let v = parse(&render_str(&r, Format::Json));
    assert!(v["unknowns"][0]["location"].is_null());
}

#[test]
fn empty_report_has_every_list() {
    let text = render_str(&ScanReport::default(), Format::Json);
    let v = parse(&text);
    for key in ["findings", "errors", "unknowns", "suppressed"] {
        assert_eq!(v[key], serde_json::json!([]), "{key}");
    }
    assert!(v.get("notes").is_none());
    assert_eq!(v["summary"]["findings"], 0);
}

#[test]
fn summary_counts_follow_the_lists() {
    // A report built without normalise() still reports consistent counts.
    let mut r = report();
    r.summary.findings = 99;
    r.findings.pop();
    let v = parse(&render_str(&r, Format::Json));
    assert_eq!(v["summary"]["findings"], 2);
}

/// Every key the JSON output can contain, collected recursively.
fn keys(v: &Value, out: &mut std::collections::BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                out.insert(k.clone());
                keys(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

#[test]
fn json_md_documents_every_field() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/JSON.md")).expect("JSON.md");
    let mut all = std::collections::BTreeSet::new();
    keys(&parse(&render_str(&report(), Format::Json)), &mut all);
    for key in &all {
        let documented = doc.contains(&format!("| `{key}` |"))
            || doc.contains(&format!("### `{key}`"))
            || doc.contains(&format!("### `{key}[]`"));
        assert!(documented, "JSON.md does not document `{key}`");
    }
    // The example in JSON.md is itself valid JSON of the same shape.
    let example = doc
        .split("```json\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("JSON example");
    let mut documented_keys = std::collections::BTreeSet::new();
    keys(&parse(example), &mut documented_keys);
    assert_eq!(documented_keys, all);
}

#[test]
fn suppressed_findings_carry_reason_source_and_place() {
    let text = render_str(&report(), Format::Json);
    let v = parse(&text);
    let s = v["suppressed"].as_array().expect("suppressed array");
    assert_eq!(s.len(), 2);
    // Sorted like findings: critical first.
    assert_eq!(s[0]["rule"], "NET-SG-OPEN-SSH");
    assert_eq!(s[0]["resource"], "aws_security_group.bastion");
    assert_eq!(s[0]["source"], "inline");
    assert_eq!(
        s[0]["reason"],
        "break-glass bastion, closed by the VPN migration"
    );
    assert_eq!(
        s[0]["suppressed_at"],
        serde_json::json!({"file": "network/main.tf", "line": 19, "end_line": 19})
    );
    assert_eq!(s[0]["fingerprint"].as_str().map(str::len), Some(16));
    assert_eq!(s[1]["source"], "baseline");
    assert!(s[1]["suppressed_at"].is_null());
    // Suppressed findings are not counted as findings.
    assert_eq!(v["summary"]["findings"], 3);
    assert_eq!(v["summary"]["suppressed"], 2);
    let first: String = text
        .split("\"suppressed\": [")
        .nth(1)
        .and_then(|rest| rest.split("\n    }").next())
        .expect("suppressed array")
        .to_string();
    assert_eq!(
        keys_at(&first, 6),
        [
            "rule",
            "severity",
            "title",
            "practices",
            "resource",
            "location",
            "message",
            "remediation",
            "fingerprint",
            "reason",
            "source",
            "suppressed_at"
        ]
    );
}
