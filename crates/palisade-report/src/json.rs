//! The JSON report: the stable contract documented in `JSON.md`.
//!
//! The shape is spelled out here with its own structs, rather than by
//! serialising the model types directly, so that a change to the model cannot
//! change the contract by accident.

use palisade_model::finding::{Finding, ScanReport, Suppressed};
use palisade_model::{Diagnostic, Location, Unknown};
use serde::Serialize;
use std::io;

#[derive(Serialize)]
struct Report<'a> {
    tool: Tool<'a>,
    summary: Summary,
    findings: Vec<JsonFinding<'a>>,
    errors: Vec<JsonDiagnostic<'a>>,
    unknowns: Vec<JsonUnknown<'a>>,
    suppressed: Vec<JsonSuppressed<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'a str,
    version: &'a str,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    resources: usize,
    findings: usize,
    errors: usize,
    unknowns: usize,
    suppressed: usize,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: &'static str,
    title: &'a str,
    practices: &'a [String],
    resource: &'a str,
    location: JsonLocation<'a>,
    message: &'a str,
    remediation: &'a str,
    fingerprint: &'a str,
}

#[derive(Serialize)]
struct JsonSuppressed<'a> {
    #[serde(flatten)]
    finding: JsonFinding<'a>,
    reason: &'a str,
    source: &'static str,
    suppressed_at: Option<JsonLocation<'a>>,
}

#[derive(Serialize)]
struct JsonLocation<'a> {
    file: &'a str,
    line: u32,
    end_line: u32,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    file: &'a str,
    line: Option<u32>,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonUnknown<'a> {
    resource: &'a str,
    attribute: &'a str,
    location: Option<JsonLocation<'a>>,
    reason: &'a str,
}

fn location(l: &Location) -> JsonLocation<'_> {
    JsonLocation {
        file: &l.file,
        line: l.line,
        end_line: l.end_line,
    }
}

fn finding(f: &Finding) -> JsonFinding<'_> {
    JsonFinding {
        rule: &f.rule,
        severity: f.severity.as_str(),
        title: &f.title,
        practices: &f.practices,
        resource: &f.resource,
        location: location(&f.location),
        message: &f.message,
        remediation: &f.remediation,
        fingerprint: &f.fingerprint,
    }
}

fn suppressed(s: &Suppressed) -> JsonSuppressed<'_> {
    JsonSuppressed {
        finding: finding(&s.finding),
        reason: &s.reason,
        source: s.source.as_str(),
        suppressed_at: s.at.as_ref().map(location),
    }
}

fn diagnostic(d: &Diagnostic) -> JsonDiagnostic<'_> {
    JsonDiagnostic {
        file: &d.file,
        line: d.line,
        message: &d.message,
    }
}

fn unknown(u: &Unknown) -> JsonUnknown<'_> {
    JsonUnknown {
        resource: &u.resource,
        attribute: &u.attribute,
        location: u.location.as_ref().map(location),
        reason: &u.reason,
    }
}

pub(crate) fn render(report: &ScanReport) -> io::Result<Vec<u8>> {
    let doc = Report {
        tool: Tool {
            name: &report.tool.name,
            version: &report.tool.version,
        },
        summary: Summary {
            files: report.summary.files,
            resources: report.summary.resources,
            // Counted from the lists themselves, so they always agree with
            // them even for a report that was not normalised.
            findings: report.findings.len(),
            errors: report.errors.len(),
            unknowns: report.unknowns.len(),
            suppressed: report.suppressed.len(),
        },
        findings: report.findings.iter().map(finding).collect(),
        errors: report.errors.iter().map(diagnostic).collect(),
        unknowns: report.unknowns.iter().map(unknown).collect(),
        suppressed: report.suppressed.iter().map(suppressed).collect(),
        notes: report.notes.iter().map(diagnostic).collect(),
    };
    // serde_json's pretty printer indents with two spaces.
    let mut buf = serde_json::to_vec_pretty(&doc).map_err(io::Error::other)?;
    buf.push(b'\n');
    Ok(buf)
}
