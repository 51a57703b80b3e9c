//! A compact Markdown summary for pull-request comments: the summary line,
//! then one table row per finding in report order (at most
//! [`MAX_ROWS`]), then load errors and a count of undecidable values.
//!
//! Every input-derived string is escaped so it cannot break the table or
//! inject markup: `|` and other Markdown punctuation are backslash-escaped,
//! newlines and control characters are flattened.

use crate::util::{plural, sanitize, span, summary_line};
use palisade_model::finding::ScanReport;
use std::fmt::Write as _;

/// Findings beyond this many are counted, not listed.
pub(crate) const MAX_ROWS: usize = 100;
/// Load errors beyond this many are counted, not listed.
const MAX_ERRORS: usize = 20;

/// Escapes text for a table cell.
pub(crate) fn escape_cell(s: &str) -> String {
    let flat = sanitize(s, false);
    let mut out = String::with_capacity(flat.len());
    for c in flat.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '#' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A code span for identifiers (rule, resource, path). Inside a table only
/// `|` needs escaping in a code span; text with a backtick falls back to an
/// escaped plain cell.
pub(crate) fn code_cell(s: &str) -> String {
    let flat = sanitize(s, false);
    if flat.is_empty() || flat.contains('`') {
        escape_cell(&flat)
    } else {
        format!("`{}`", flat.replace('|', "\\|"))
    }
}

pub(crate) fn render(report: &ScanReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "**{}**: {}",
        escape_cell(&report.tool.name),
        summary_line(report)
    );

    if !report.findings.is_empty() {
        out.push_str("\n| Severity | Rule | Resource | Location | Message |\n");
        out.push_str("| --- | --- | --- | --- | --- |\n");
        for f in report.findings.iter().take(MAX_ROWS) {
            let loc = &f.location;
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                f.severity,
                code_cell(&f.rule),
                code_cell(&f.resource),
                code_cell(&span(&loc.file, loc.line, loc.end_line)),
                escape_cell(&f.message)
            );
        }
        if report.findings.len() > MAX_ROWS {
            let more = report.findings.len() - MAX_ROWS;
            let noun = if more == 1 { "finding" } else { "findings" };
            let _ = writeln!(out, "\n_... and {more} more {noun} (see the full report)._");
        }
    }

    if !report.errors.is_empty() {
        let _ = writeln!(
            out,
            "\n**{}** (these inputs were not fully read):\n",
            plural(report.errors.len(), "load error", "load errors")
        );
        for e in report.errors.iter().take(MAX_ERRORS) {
            let place = match e.line {
                Some(l) => format!("{}:{l}", e.file),
                None => e.file.clone(),
            };
            let _ = writeln!(out, "- {}: {}", code_cell(&place), escape_cell(&e.message));
        }
        if report.errors.len() > MAX_ERRORS {
            let _ = writeln!(out, "- ... and {} more", report.errors.len() - MAX_ERRORS);
        }
    }

    if !report.unknowns.is_empty() {
        let n = report.unknowns.len();
        let _ = writeln!(
            out,
            "\n_{} could not be decided; checks depending on {} were skipped._",
            plural(n, "value", "values"),
            if n == 1 { "it" } else { "them" }
        );
    }

    if !report.suppressed.is_empty() {
        let _ = writeln!(
            out,
            "\n_{} suppressed (listed in the JSON and SARIF reports, with the reason)._",
            plural(report.suppressed.len(), "finding", "findings")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_the_table() {
        assert_eq!(escape_cell("a|b"), "a\\|b");
        assert_eq!(escape_cell("x\ny"), "x y");
        assert_eq!(escape_cell("<b>*c*</b>"), "\\<b\\>\\*c\\*\\</b\\>");
        assert_eq!(
            code_cell("aws_x.y[\"a|b\"]"),
            "`aws_x.y[\"a|b\"]`".replace("a|b", "a\\|b")
        );
        assert_eq!(code_cell("a`b"), "a\\`b");
        assert_eq!(code_cell(""), "");
    }
}
