//! Small helpers shared by the reporters.

use palisade_model::finding::{Finding, Severity};

/// Finding counts per severity, most severe first, as `(severity, count)`.
pub(crate) fn severity_counts(findings: &[Finding]) -> [(Severity, usize); 5] {
    Severity::ALL.map(|s| (s, findings.iter().filter(|f| f.severity == s).count()))
}

/// `1 finding`, `2 findings`.
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The report's own summary sentence, without colour:
/// `3 findings (1 critical, 2 high) in 2 files, 5 resources; 1 error; 1 unknown`,
/// followed by `; 2 suppressed` when findings were suppressed.
pub(crate) fn summary_line(report: &palisade_model::finding::ScanReport) -> String {
    let findings = if report.findings.is_empty() {
        "no findings".to_string()
    } else {
        let by_sev: Vec<String> = severity_counts(&report.findings)
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| format!("{n} {s}"))
            .collect();
        format!(
            "{} ({})",
            plural(report.findings.len(), "finding", "findings"),
            by_sev.join(", ")
        )
    };
    let mut line = format!(
        "{findings} in {}, {}; {}; {}",
        plural(report.summary.files, "file", "files"),
        plural(report.summary.resources, "resource", "resources"),
        plural(report.errors.len(), "error", "errors"),
        plural(report.unknowns.len(), "unknown", "unknowns"),
    );
    if !report.suppressed.is_empty() {
        line.push_str(&format!("; {} suppressed", report.suppressed.len()));
    }
    line
}

/// Makes input-derived text safe to print on a terminal or in one line of a
/// table: control characters (including ESC, so no terminal escape sequence
/// from an input file reaches the user's terminal) become `\u{..}` escapes,
/// tabs become spaces. Newlines are kept only when `keep_newlines` is set.
pub(crate) fn sanitize(s: &str, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\r' => {}
            '\n' => out.push(if keep_newlines { '\n' } else { ' ' }),
            '\t' => out.push_str("    "),
            c if c.is_control() || is_bidi_control(c) => {
                out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

/// Unicode bidirectional overrides and isolates, which can make printed text
/// read differently from what it is ("Trojan Source").
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// `file:line` or `file:line-end_line`.
pub(crate) fn span(file: &str, line: u32, end_line: u32) -> String {
    if end_line > line {
        format!("{file}:{line}-{end_line}")
    } else {
        format!("{file}:{line}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_neutralises_terminal_escapes() {
        assert_eq!(sanitize("a\x1b[31mb", false), "a\\u{1b}[31mb");
        assert_eq!(sanitize("a\nb\r\nc", false), "a b c");
        assert_eq!(sanitize("a\nb\r\nc", true), "a\nb\nc");
        assert_eq!(sanitize("x\u{202E}y", true), "x\\u{202e}y");
        assert_eq!(sanitize("\tk = v", true), "    k = v");
    }
}
