//! SARIF 2.1.0, the subset GitHub code scanning reads.
//!
//! Hand-written with serde structs (no code generation): field order is fixed
//! by the struct definitions, so the output does not depend on serde_json's
//! map features.
//!
//! - one run; `tool.driver.rules` holds every rule that ran (from
//!   [`ScanReport::rules`]), plus a descriptor made from the finding for any
//!   rule a finding names that is missing from that table, so every result
//!   has a valid `ruleIndex`;
//! - `level`: critical and high → `error`, medium → `warning`, low and info →
//!   `note`; the rule's `security-severity` is 9.5 / 7.0 / 5.0 / 3.0 / 0.0 (GitHub: over 9.0 is critical);
//! - paths are relative URIs against `%SRCROOT%`, with forward slashes and
//!   percent-encoding; absolute paths become `file://` URIs;
//! - `partialFingerprints["palisadeFingerprint/v1"]` is the finding's
//!   fingerprint, so alerts survive line moves;
//! - suppressed findings (inline comments, configuration, baseline) are
//!   results too, after the others, with a `suppressions` entry: kind
//!   `inSource` for comments and annotations in the scanned files, `external`
//!   for `palisade.toml` and baselines, `status` `accepted`, and the reason as
//!   `justification`; viewers list them as suppressed, never as open alerts;
//! - load errors are `error` notifications of the one invocation, skipped
//!   files and undecidable values are `note` notifications.

use palisade_model::finding::{Finding, RuleInfo, ScanReport, Severity, Suppressed};
use palisade_model::Location;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io;

pub(crate) const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Where users learn about the tool (SARIF `informationUri`).
pub(crate) const INFORMATION_URI: &str = "https://github.com/palisade-sec/palisade";
const SRCROOT: &str = "%SRCROOT%";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: [Invocation; 1],
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'a str,
    information_uri: &'static str,
    version: &'a str,
    semantic_version: &'a str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

fn text(s: impl Into<String>) -> Text {
    Text { text: s.into() }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    precision: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [ResultLocation<'a>; 1],
    partial_fingerprints: Fingerprints<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<NotificationLocation>,
}

#[derive(Serialize)]
struct Fingerprints<'a> {
    #[serde(rename = "palisadeFingerprint/v1")]
    v1: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultLocation<'a> {
    physical_location: PhysicalLocation,
    logical_locations: [LogicalLocation<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    fully_qualified_name: &'a str,
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NotificationLocation {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    end_line: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    descriptor: Descriptor,
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<NotificationLocation>,
}

#[derive(Serialize)]
struct Descriptor {
    id: &'static str,
}

/// SARIF `level` for a severity.
pub(crate) fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` score for a severity (CVSS bands).
pub(crate) fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "7.0",
        Severity::Medium => "5.0",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// Percent-encodes a path for a URI reference: unreserved characters, `/`
/// and the harmless sub-delimiters stay, everything else (space, `%`, `#`,
/// `?`, `:`, non-ASCII) is encoded as UTF-8 bytes.
fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'@'
            );
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The artifact location of a report path: relative to `%SRCROOT%` with
/// forward slashes, or a `file://` URI for an absolute path.
fn artifact(file: &str) -> ArtifactLocation {
    let path = file.replace('\\', "/");
    let bytes = path.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if drive {
        // C:/dir/file → file:///C:/dir/file (the drive colon stays).
        let (letter, rest) = path.split_at(2);
        return ArtifactLocation {
            uri: format!("file:///{letter}{}", percent_encode(rest)),
            uri_base_id: None,
        };
    }
    if path.starts_with('/') {
        return ArtifactLocation {
            uri: format!("file://{}", percent_encode(&path)),
            uri_base_id: None,
        };
    }
    let mut rel = path.as_str();
    while let Some(rest) = rel.strip_prefix("./") {
        rel = rest;
    }
    ArtifactLocation {
        uri: percent_encode(rel),
        uri_base_id: Some(SRCROOT),
    }
}

fn physical(loc: &Location) -> PhysicalLocation {
    let start = loc.line.max(1);
    PhysicalLocation {
        artifact_location: artifact(&loc.file),
        region: Some(Region {
            start_line: start,
            end_line: loc.end_line.max(start),
        }),
    }
}

fn rule(info: &RuleInfo) -> Rule {
    let description = if info.description.trim().is_empty() {
        info.title.clone()
    } else {
        info.description.clone()
    };
    let mut help_text = description.clone();
    let mut help_md = description.clone();
    if !info.remediation.is_empty() {
        help_text.push_str(&format!("\n\nRemediation: {}", info.remediation));
        help_md.push_str(&format!("\n\n**Remediation:** {}", info.remediation));
    }
    if !info.practices.is_empty() {
        help_text.push_str(&format!("\n\nPractices: {}", info.practices.join(", ")));
        let codes: Vec<String> = info.practices.iter().map(|p| format!("`{p}`")).collect();
        help_md.push_str(&format!("\n\n**Practices:** {}", codes.join(", ")));
    }
    if !info.benchmarks.is_empty() {
        help_text.push_str(&format!("\n\nBenchmarks: {}", info.benchmarks.join(", ")));
        help_md.push_str(&format!(
            "\n\n**Benchmarks:** {}",
            info.benchmarks.join(", ")
        ));
    }
    if !info.references.is_empty() {
        help_text.push_str("\n\nReferences:");
        help_md.push_str("\n\n**References:**\n");
        for r in &info.references {
            help_text.push_str(&format!("\n- {r}"));
            help_md.push_str(&format!("\n- <{r}>"));
        }
    }
    let help_uri = info
        .references
        .iter()
        .find(|r| r.starts_with("https://") || r.starts_with("http://"))
        .cloned();
    let mut tags = vec!["security".to_string()];
    tags.extend(info.practices.iter().cloned());
    Rule {
        id: info.id.clone(),
        name: if info.name.trim().is_empty() {
            info.id.clone()
        } else {
            info.name.clone()
        },
        short_description: text(info.title.clone()),
        full_description: text(description),
        help: Help {
            text: help_text,
            markdown: help_md,
        },
        help_uri,
        default_configuration: Configuration {
            level: level(info.severity),
        },
        properties: RuleProperties {
            tags,
            security_severity: security_severity(info.severity),
            precision: "high",
        },
    }
}

/// A rule descriptor for a finding whose rule is not in the report's table.
fn rule_from_finding(f: &Finding) -> RuleInfo {
    RuleInfo {
        id: f.rule.clone(),
        name: f.rule.clone(),
        title: f.title.clone(),
        severity: f.severity,
        practices: f.practices.clone(),
        description: f.title.clone(),
        remediation: f.remediation.clone(),
        benchmarks: Vec::new(),
        references: Vec::new(),
    }
}

pub(crate) fn render<'a>(report: &'a ScanReport) -> io::Result<Vec<u8>> {
    // The rule table: the report's rules (first of each id), then any rule a
    // finding names that is missing from it, in id order.
    let mut infos: Vec<RuleInfo> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for info in &report.rules {
        if !index.contains_key(&info.id) {
            index.insert(info.id.clone(), infos.len());
            infos.push(info.clone());
        }
    }
    let mut missing: BTreeMap<&str, &Finding> = BTreeMap::new();
    for f in report
        .findings
        .iter()
        .chain(report.suppressed.iter().map(|s| &s.finding))
    {
        if !index.contains_key(&f.rule) {
            missing.entry(&f.rule).or_insert(f);
        }
    }
    for f in missing.into_values() {
        index.insert(f.rule.clone(), infos.len());
        infos.push(rule_from_finding(f));
    }

    let result = |f: &'a Finding, suppressions: Vec<Suppression>| SarifResult {
        rule_id: &f.rule,
        rule_index: index.get(&f.rule).copied().unwrap_or_default(),
        level: level(f.severity),
        message: text(f.message.clone()),
        locations: [ResultLocation {
            physical_location: physical(&f.location),
            logical_locations: [LogicalLocation {
                fully_qualified_name: &f.resource,
                kind: "resource",
            }],
        }],
        partial_fingerprints: Fingerprints { v1: &f.fingerprint },
        suppressions,
    };
    let mut results: Vec<SarifResult> = report
        .findings
        .iter()
        .map(|f| result(f, Vec::new()))
        .collect();
    results.extend(
        report
            .suppressed
            .iter()
            .map(|s| result(&s.finding, vec![suppression(s)])),
    );

    let mut notifications = Vec::new();
    for e in &report.errors {
        notifications.push(Notification {
            descriptor: Descriptor {
                id: "palisade/load-error",
            },
            level: "error",
            message: text(e.message.clone()),
            locations: vec![diagnostic_location(&e.file, e.line)],
        });
    }
    for u in &report.unknowns {
        notifications.push(Notification {
            descriptor: Descriptor {
                id: "palisade/unknown-value",
            },
            level: "note",
            message: text(format!(
                "{} of {} could not be decided ({}); checks depending on it were skipped",
                u.attribute, u.resource, u.reason
            )),
            locations: u
                .location
                .iter()
                .map(|l| NotificationLocation {
                    physical_location: physical(l),
                })
                .collect(),
        });
    }
    for n in &report.notes {
        notifications.push(Notification {
            descriptor: Descriptor {
                id: "palisade/skipped-file",
            },
            level: "note",
            message: text(n.message.clone()),
            locations: vec![diagnostic_location(&n.file, n.line)],
        });
    }

    let version = report.tool.version.as_str();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: &report.tool.name,
                    information_uri: INFORMATION_URI,
                    version,
                    semantic_version: version.strip_prefix('v').unwrap_or(version),
                    rules: infos.iter().map(rule).collect(),
                },
            },
            // The scan ran to the end; inputs it could not read are reported
            // as error notifications rather than as a failed run.
            invocations: [Invocation {
                execution_successful: true,
                tool_execution_notifications: notifications,
            }],
            results,
        }],
    };
    let mut buf = serde_json::to_vec_pretty(&log).map_err(io::Error::other)?;
    buf.push(b'\n');
    Ok(buf)
}

fn suppression(s: &Suppressed) -> Suppression {
    Suppression {
        kind: if s.source.in_source() {
            "inSource"
        } else {
            "external"
        },
        status: "accepted",
        justification: format!("{} ({})", s.reason, s.source),
        location: s.at.as_ref().map(|l| NotificationLocation {
            physical_location: physical(l),
        }),
    }
}

fn diagnostic_location(file: &str, line: Option<u32>) -> NotificationLocation {
    NotificationLocation {
        physical_location: PhysicalLocation {
            artifact_location: artifact(file),
            region: line.map(|l| Region {
                start_line: l.max(1),
                end_line: l.max(1),
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        let a = artifact("modules\\net\\main.tf");
        assert_eq!(a.uri, "modules/net/main.tf");
        assert_eq!(a.uri_base_id, Some(SRCROOT));
        assert_eq!(artifact("./a b/c#1.tf").uri, "a%20b/c%231.tf");
        assert_eq!(artifact("k8s/ns:x.yaml").uri, "k8s/ns%3Ax.yaml");
        assert_eq!(artifact("dir/é.tf").uri, "dir/%C3%A9.tf");
        let abs = artifact("/srv/infra/main.tf");
        assert_eq!(abs.uri, "file:///srv/infra/main.tf");
        assert_eq!(abs.uri_base_id, None);
        assert_eq!(
            artifact("C:\\infra\\main.tf").uri,
            "file:///C:/infra/main.tf"
        );
    }

    #[test]
    fn levels_and_scores_follow_severity() {
        assert_eq!(level(Severity::Critical), "error");
        assert_eq!(level(Severity::Medium), "warning");
        assert_eq!(level(Severity::Info), "note");
        assert_eq!(security_severity(Severity::High), "7.0");
    }
}
