//! Markdown for PR comments: table shape, escaping, row cap.

use crate::fixture::{finding, render_str, report};
use palisade_model::finding::{ScanReport, Severity};
use palisade_model::Location;
use palisade_report::Format;

/// Splits a table row on the `|` that are not backslash-escaped.
fn cells(row: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut escaped = false;
    for c in row.chars() {
        match c {
            '|' if !escaped => cells.push(String::new()),
            _ => {
                escaped = c == '\\' && !escaped;
                if let Some(last) = cells.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    cells
}

fn rows(md: &str) -> Vec<&str> {
    md.lines().filter(|l| l.starts_with("| ")).collect()
}

#[test]
fn summary_then_table_in_report_order() {
    let md = render_str(&report(), Format::Markdown);
    let first = md.lines().next().expect("summary line");
    assert_eq!(
        first,
        "**palisade**: 3 findings (1 critical, 1 high, 1 medium) in 3 files, 4 resources; 1 error; 1 unknown; 2 suppressed"
    );
    let rows = rows(&md);
    assert_eq!(
        rows[0],
        "| Severity | Rule | Resource | Location | Message |"
    );
    assert_eq!(rows[1], "| --- | --- | --- | --- | --- |");
    assert_eq!(rows.len(), 5);
    for row in &rows {
        // leading and trailing empty cell around five columns
        assert_eq!(cells(row).len(), 7, "{row}");
    }
    assert!(rows[2].starts_with(
        "| critical | `NET-SG-OPEN-SSH` | `aws_security_group.web` | `network/main.tf:4` |"
    ));
    assert!(rows[4].starts_with("| medium |"));
    assert!(md.contains("- `k8s/broken.yaml:3`: expected a mapping, found \\`- item\\`"));
    assert!(md.contains("_1 value could not be decided; checks depending on it were skipped._"));
    assert!(md.contains("_2 findings suppressed"));
}

#[test]
fn pipes_and_markup_are_escaped() {
    let md = render_str(&report(), Format::Markdown);
    let row = rows(&md)[4];
    assert!(
        row.ends_with("| backup\\_retention\\_period is 1 \\| expected \\>= 7 \\<days\\> |"),
        "{row}"
    );

    let mut r = ScanReport::default();
    r.findings.push(finding(
        "R|1",
        Severity::High,
        "t",
        &[],
        "aws_x.y[\"a|b\"]",
        Location::new("a|b.tf", 1, 1),
        "line one\nline two | <script>alert(1)</script>",
        "",
    ));
    let md = render_str(&r, Format::Markdown);
    let row = rows(&md)[2];
    assert_eq!(cells(row).len(), 7, "{row}");
    assert!(row.contains("`R\\|1`"));
    assert!(row.contains("`aws_x.y[\"a\\|b\"]`"));
    assert!(row.contains("line one line two \\| \\<script\\>alert(1)\\</script\\>"));
    assert!(!row.contains("<script>"));
}

#[test]
fn rows_are_capped() {
    let mut r = ScanReport::default();
    for i in 0..105 {
        r.findings.push(finding(
            "R-1",
            Severity::Low,
            "t",
            &[],
            &format!("aws_x.r{i:03}"),
            Location::new("main.tf", i + 1, i + 1),
            "m",
            "",
        ));
    }
    r.normalise();
    let md = render_str(&r, Format::Markdown);
    assert_eq!(rows(&md).len(), 2 + 100);
    assert!(md.contains("_... and 5 more findings (see the full report)._"));
}

#[test]
fn no_findings_has_no_table() {
    let md = render_str(&ScanReport::default(), Format::Markdown);
    assert!(md.starts_with("**palisade**: no findings in 0 files"));
    assert!(rows(&md).is_empty());
}
