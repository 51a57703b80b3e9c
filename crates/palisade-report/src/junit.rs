//! JUnit XML for CI test dashboards.
//!
//! One `<testsuite name="palisade">` holding:
//! - one testcase per (rule × resource) with findings, `classname` = rule id,
//!   `name` = resource address, and one `<failure>` per finding;
//! - one passing testcase (`name="all resources"`) per rule that ran and found
//!   nothing, so the dashboard shows what was checked;
//! - one testcase per load error (`classname="palisade.load"`, `name` = file)
//!   with an `<error>`;
//! - one testcase per undecidable value (`classname="palisade.unknown"`) with
//!   `<skipped>`, since the checks depending on it were skipped.
//!
//! Counts on `<testsuites>` and `<testsuite>` count testcases.

use crate::util::span;
use palisade_model::finding::{Finding, ScanReport};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Escapes text content. Characters XML 1.0 cannot carry (most control
/// characters) become U+FFFD.
fn escape_text(s: &str) -> String {
    escape(s, false)
}

/// Escapes an attribute value; whitespace that attribute normalisation would
/// eat is written as character references.
fn escape_attr(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, attr: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            '\'' if attr => out.push_str("&apos;"),
            '\n' if attr => out.push_str("&#10;"),
            '\r' if attr => out.push_str("&#13;"),
            '\t' if attr => out.push_str("&#9;"),
            '\n' | '\r' | '\t' => out.push(c),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

/// The XML 1.0 `Char` production.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

enum Case<'a> {
    Failed(Vec<&'a Finding>),
    Passed,
}

pub(crate) fn render(report: &ScanReport) -> String {
    let mut cases: BTreeMap<(&str, &str), Case<'_>> = BTreeMap::new();
    for f in &report.findings {
        let case = cases
            .entry((f.rule.as_str(), f.resource.as_str()))
            .or_insert_with(|| Case::Failed(Vec::new()));
        if let Case::Failed(list) = case {
            list.push(f);
        }
    }
    let with_findings: BTreeSet<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
    let passed: BTreeSet<&str> = report
        .rules
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| !with_findings.contains(id))
        .collect();
    for id in passed {
        cases.insert((id, "all resources"), Case::Passed);
    }

    let failures = cases
        .values()
        .filter(|c| matches!(c, Case::Failed(_)))
        .count();
    let errors = report.errors.len();
    let skipped = report.unknowns.len();
    let tests = cases.len() + errors + skipped;
    let counts =
        format!(r#"tests="{tests}" failures="{failures}" errors="{errors}" skipped="{skipped}""#);

    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let name = escape_attr(&report.tool.name);
    let _ = writeln!(out, r#"<testsuites name="{name}" {counts}>"#);
    let _ = writeln!(out, r#"  <testsuite name="{name}" {counts}>"#);

    for ((rule, resource), case) in &cases {
        let open = format!(
            r#"    <testcase classname="{}" name="{}""#,
            escape_attr(rule),
            escape_attr(resource)
        );
        match case {
            Case::Passed => {
                let _ = writeln!(out, "{open}/>");
            }
            Case::Failed(list) => {
                let _ = writeln!(out, "{open}>");
                for f in list {
                    failure(&mut out, f);
                }
                let _ = writeln!(out, "    </testcase>");
            }
        }
    }

    for e in &report.errors {
        let place = match e.line {
            Some(l) => format!("{}:{l}", e.file),
            None => e.file.clone(),
        };
        let _ = writeln!(
            out,
            r#"    <testcase classname="palisade.load" name="{}">"#,
            escape_attr(&e.file)
        );
        let _ = writeln!(
            out,
            r#"      <error message="{}" type="load-error">{}</error>"#,
            escape_attr(&e.message),
            escape_text(&format!("{place}: {}", e.message))
        );
        let _ = writeln!(out, "    </testcase>");
    }

    for u in &report.unknowns {
        let at = u
            .location
            .as_ref()
            .map(|l| format!(" at {}", span(&l.file, l.line, l.end_line)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            r#"    <testcase classname="palisade.unknown" name="{}">"#,
            escape_attr(&format!("{}: {}", u.resource, u.attribute))
        );
        let _ = writeln!(
            out,
            r#"      <skipped message="{}"/>"#,
            escape_attr(&format!(
                "could not be decided{at}: {}; checks depending on it were skipped",
                u.reason
            ))
        );
        let _ = writeln!(out, "    </testcase>");
    }

    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn failure(out: &mut String, f: &Finding) {
    let loc = &f.location;
    let mut body = format!(
        "{}[{}]: {}\nat {}\n{}",
        f.severity,
        f.rule,
        f.title,
        span(&loc.file, loc.line, loc.end_line),
        f.message
    );
    if !f.practices.is_empty() {
        body.push_str(&format!("\npractices: {}", f.practices.join(", ")));
    }
    if !f.remediation.is_empty() {
        body.push_str(&format!("\nhelp: {}", f.remediation));
    }
    let _ = writeln!(
        out,
        r#"      <failure message="{}" type="{}">{}</failure>"#,
        escape_attr(&f.title),
        f.severity,
        escape_text(&body)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_invalid_chars() {
        assert_eq!(escape_text("a<b>&c"), "a&lt;b&gt;&amp;c");
        assert_eq!(
            escape_attr("\"x\" 'y'\nz"),
            "&quot;x&quot; &apos;y&apos;&#10;z"
        );
        assert_eq!(escape_text("a\u{1b}b\u{0}c"), "a\u{FFFD}b\u{FFFD}c");
        assert_eq!(escape_text("]]>"), "]]&gt;");
    }
}
