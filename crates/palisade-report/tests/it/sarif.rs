//! SARIF 2.1.0: the properties the spec requires, and those GitHub code
//! scanning reads.

use crate::fixture::{render_str, report};
use palisade_model::finding::ScanReport;
use palisade_report::Format;
use serde_json::Value;

const LEVELS: [&str; 4] = ["none", "note", "warning", "error"];

fn str_at<'a>(v: &'a Value, what: &str) -> &'a str {
    v.as_str()
        .unwrap_or_else(|| panic!("{what} must be a string, got {v}"))
}

fn non_empty_str(v: &Value, what: &str) {
    assert!(
        !str_at(v, what).trim().is_empty(),
        "{what} must not be empty"
    );
}

fn array<'a>(v: &'a Value, what: &str) -> &'a Vec<Value> {
    v.as_array()
        .unwrap_or_else(|| panic!("{what} must be an array, got {v}"))
}

fn check_physical_location(p: &Value, what: &str) {
    let uri = str_at(
        &p["artifactLocation"]["uri"],
        &format!("{what}.artifactLocation.uri"),
    );
    assert!(
        !uri.is_empty() && !uri.contains('\\') && !uri.contains(' '),
        "{what}: bad uri {uri}"
    );
    if !uri.starts_with("file://") {
        assert!(
            !uri.starts_with('/'),
            "{what}: relative uri expected, got {uri}"
        );
        assert_eq!(p["artifactLocation"]["uriBaseId"], "%SRCROOT%", "{what}");
    }
    if let Some(region) = p.get("region") {
        let start = region["startLine"].as_u64().unwrap_or(0);
        assert!(start >= 1, "{what}: region.startLine must be >= 1");
        if let Some(end) = region.get("endLine") {
            assert!(
                end.as_u64().unwrap_or(0) >= start,
                "{what}: endLine < startLine"
            );
        }
    }
}

/// Checks a SARIF log against the required properties of SARIF 2.1.0 and
/// the ones GitHub code scanning requires or uses (rule ids, result messages
/// and locations, partial fingerprints, security-severity).
pub fn validate(log: &Value) {
    // sarifLog (§3.13): version and runs required; $schema recommended.
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(
        log["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    let runs = array(&log["runs"], "runs");
    assert_eq!(runs.len(), 1, "one run");
    for run in runs {
        // run (§3.14): tool required; toolComponent (§3.19): name required.
        let driver = &run["tool"]["driver"];
        non_empty_str(&driver["name"], "tool.driver.name");
        non_empty_str(&driver["version"], "tool.driver.version");
        non_empty_str(&driver["semanticVersion"], "tool.driver.semanticVersion");
        let info = str_at(&driver["informationUri"], "informationUri");
        assert!(
            info.starts_with("https://"),
            "informationUri must be absolute"
        );

        let rules = array(&driver["rules"], "tool.driver.rules");
        let mut ids = std::collections::BTreeSet::new();
        for (i, rule) in rules.iter().enumerate() {
            let what = format!("rules[{i}]");
            // reportingDescriptor (§3.49): id required, unique in the run.
            let id = str_at(&rule["id"], &format!("{what}.id"));
            assert!(ids.insert(id.to_string()), "duplicate rule id {id}");
            non_empty_str(&rule["name"], &format!("{what}.name"));
            non_empty_str(
                &rule["shortDescription"]["text"],
                &format!("{what}.shortDescription.text"),
            );
            non_empty_str(
                &rule["fullDescription"]["text"],
                &format!("{what}.fullDescription.text"),
            );
            non_empty_str(&rule["help"]["text"], &format!("{what}.help.text"));
            non_empty_str(&rule["help"]["markdown"], &format!("{what}.help.markdown"));
            if let Some(uri) = rule.get("helpUri") {
                assert!(str_at(uri, "helpUri").starts_with("http"), "{what}.helpUri");
            }
            let level = str_at(
                &rule["defaultConfiguration"]["level"],
                &format!("{what}.level"),
            );
            assert!(LEVELS.contains(&level), "{what}: level {level}");
            let props = &rule["properties"];
            let tags = array(&props["tags"], &format!("{what}.properties.tags"));
            assert!(
                tags.iter().all(Value::is_string),
                "{what}: tags are strings"
            );
            assert!(tags.len() <= 20, "{what}: GitHub reads at most 20 tags");
            // GitHub: security-severity is a string holding a score 0.0..=10.0.
            let score: f64 = str_at(&props["security-severity"], "security-severity")
                .parse()
                .expect("security-severity is a number");
            assert!((0.0..=10.0).contains(&score), "{what}: score {score}");
            let precision = str_at(&props["precision"], "precision");
            assert!(["very-high", "high", "medium", "low"].contains(&precision));
        }

        for (i, result) in array(&run["results"], "results").iter().enumerate() {
            let what = format!("results[{i}]");
            // result (§3.27): message required, with text (§3.11).
            non_empty_str(&result["message"]["text"], &format!("{what}.message.text"));
            // GitHub: ruleId, and ruleIndex pointing at that rule.
            let rule_id = str_at(&result["ruleId"], &format!("{what}.ruleId"));
            let index = result["ruleIndex"]
                .as_u64()
                .expect("ruleIndex is an integer");
            let index = usize::try_from(index).expect("ruleIndex fits usize");
            assert!(index < rules.len(), "{what}: ruleIndex out of range");
            assert_eq!(
                rules[index]["id"], rule_id,
                "{what}: ruleIndex names another rule"
            );
            let level = str_at(&result["level"], &format!("{what}.level"));
            assert!(LEVELS.contains(&level), "{what}: level {level}");
            // GitHub: at least one location, with a physical location.
            let locations = array(&result["locations"], &format!("{what}.locations"));
            assert!(!locations.is_empty(), "{what}: a location is required");
            for loc in locations {
                check_physical_location(&loc["physicalLocation"], &what);
                assert!(
                    loc["physicalLocation"]["region"].is_object(),
                    "{what}: region"
                );
            }
            // GitHub: partialFingerprints, string values.
            let fps = result["partialFingerprints"]
                .as_object()
                .expect("partialFingerprints is an object");
            assert!(!fps.is_empty() && fps.values().all(Value::is_string));
        }

        // invocation (§3.20): executionSuccessful required.
        for inv in array(&run["invocations"], "invocations") {
            assert!(inv["executionSuccessful"].is_boolean());
            for n in array(
                &inv["toolExecutionNotifications"],
                "toolExecutionNotifications",
            ) {
                // notification (§3.58): message required.
                non_empty_str(&n["message"]["text"], "notification.message.text");
                let level = str_at(&n["level"], "notification.level");
                assert!(LEVELS.contains(&level));
                if let Some(locs) = n.get("locations") {
                    for l in array(locs, "notification.locations") {
                        check_physical_location(&l["physicalLocation"], "notification");
                    }
                }
            }
        }
    }
}

fn parse(r: &ScanReport) -> Value {
    serde_json::from_str(&render_str(r, Format::Sarif)).expect("SARIF is valid JSON")
}

#[test]
fn fixture_is_valid_sarif() {
    validate(&parse(&report()));
}

#[test]
fn empty_report_is_valid_sarif() {
    let log = parse(&ScanReport::default());
    validate(&log);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn results_carry_rule_level_location_and_fingerprint() {
    let r = report();
    let log = parse(&r);
    let run = &log["runs"][0];
    let results = run["results"].as_array().expect("results");
    // Three open findings, then the two suppressed ones.
    assert_eq!(results.len(), 5);
    let first = &results[0];
    assert_eq!(first["ruleId"], "NET-SG-OPEN-SSH");
    assert_eq!(first["level"], "error");
    assert_eq!(
        first["message"]["text"],
        "ingress on port 22 is open to 0.0.0.0/0"
    );
    assert_eq!(
        first["locations"][0]["physicalLocation"],
        serde_json::json!({
            "artifactLocation": {"uri": "network/main.tf", "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 4, "endLine": 4}
        })
    );
    assert_eq!(
        first["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "aws_security_group.web"
    );
    assert_eq!(
        first["partialFingerprints"]["palisadeFingerprint/v1"],
        r.findings[0].fingerprint.as_str()
    );
    let levels: Vec<&str> = results.iter().filter_map(|r| r["level"].as_str()).collect();
    assert_eq!(levels, ["error", "error", "warning", "error", "error"]);
    for open in &results[..3] {
        assert!(open.get("suppressions").is_none());
    }
}

#[test]
fn suppressed_findings_are_results_with_suppressions() {
    let log = parse(&report());
    validate(&log);
    let results = log["runs"][0]["results"].as_array().expect("results");
    let inline = &results[3];
    assert_eq!(inline["ruleId"], "NET-SG-OPEN-SSH");
    assert_eq!(
        inline["suppressions"],
        serde_json::json!([{
            "kind": "inSource",
            "status": "accepted",
            "justification": "break-glass bastion, closed by the VPN migration (inline)",
            "location": {"physicalLocation": {
                "artifactLocation": {"uri": "network/main.tf", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 19, "endLine": 19}
            }}
        }])
    );
    let baseline = &results[4];
    assert_eq!(baseline["suppressions"][0]["kind"], "external");
    assert!(baseline["suppressions"][0].get("location").is_none());
}

#[test]
fn rules_table_has_one_descriptor_per_rule() {
    let log = parse(&report());
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(
        ids,
        [
            "NET-SG-OPEN-SSH",
            "RDS-BACKUP-RETENTION",
            "S3-PUBLIC-ACL",
            "SEC-LITERAL-PASSWORD"
        ]
    );
    let ssh = &rules[0];
    assert_eq!(ssh["name"], "OpenSsh");
    assert_eq!(ssh["defaultConfiguration"]["level"], "error");
    assert_eq!(ssh["properties"]["security-severity"], "9.5");
    assert_eq!(
        ssh["properties"]["tags"],
        serde_json::json!(["security", "NET-07", "NET-01"])
    );
    assert_eq!(
        ssh["helpUri"],
        "https://docs.example.test/rules/NET-SG-OPEN-SSH"
    );
    let scores: Vec<&str> = rules
        .iter()
        .filter_map(|r| r["properties"]["security-severity"].as_str())
        .collect();
    assert_eq!(scores, ["9.5", "5.0", "7.0", "7.0"]);
}

#[test]
fn findings_of_unlisted_rules_get_a_descriptor() {
    let mut r = report();
    r.rules.clear();
    let log = parse(&r);
    validate(&log);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    // The three rules of the findings and the one only a suppressed finding names.
    assert_eq!(rules.len(), 4);
}

#[test]
fn load_errors_are_error_notifications() {
    let log = parse(&report());
    let inv = &log["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], true);
    let notes = inv["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    let errors: Vec<&Value> = notes.iter().filter(|n| n["level"] == "error").collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0]["message"]["text"],
        "expected a mapping, found `- item`"
    );
    assert_eq!(
        errors[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "k8s/broken.yaml"
    );
    assert_eq!(
        errors[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
}

#[test]
fn windows_and_odd_paths_become_forward_slash_uris() {
    let mut r = report();
    r.findings[0].location = palisade_model::Location::new(".\\modules\\net work\\main.tf", 1, 2);
    let log = parse(&r);
    validate(&log);
    assert_eq!(
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "modules/net%20work/main.tf"
    );
}
