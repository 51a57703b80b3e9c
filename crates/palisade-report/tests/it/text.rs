//! The text report: layout, snippets from a source root, redaction, colour.

use crate::fixture::{finding, render_with, report, source_root, SECRET};
use palisade_model::finding::{ScanReport, Severity};
use palisade_model::Location;
use palisade_report::{Format, TextOptions};

fn text(r: &ScanReport, color: bool, root: Option<&str>) -> String {
    let opts = TextOptions {
        color,
        source_root: root.map(source_root),
    };
    render_with(r, Format::Text, &opts)
}

#[test]
fn findings_grouped_by_severity_with_snippets() {
    let out = text(&report(), false, Some("layout"));
    let crit = out
        .find("=== critical (1 finding) ===")
        .expect("critical banner");
    let high = out.find("=== high (1 finding) ===").expect("high banner");
    let medium = out
        .find("=== medium (1 finding) ===")
        .expect("medium banner");
    assert!(crit < high && high < medium);

    let expected = "\
critical[NET-SG-OPEN-SSH]: Security group allows SSH from anywhere
 --> network/main.tf:4
  |
4 |     cidr_blocks = [\"0.0.0.0/0\"]
  |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^
  |
  = resource: aws_security_group.web
  = note: ingress on port 22 is open to 0.0.0.0/0
  = practices: NET-07, NET-01
  = help: Restrict cidr_blocks to known ranges.
";
    assert!(out.contains(expected), "{out}");
}

#[test]
fn multi_line_spans_are_marked() {
    let out = text(&report(), false, Some("multiline"));
    let expected = "\
 --> db/rds.tf:2-7
  |
2 | / resource \"aws_db_instance\" \"main\" {
3 | |   engine                  = \"postgres\"
4 | |   username                = \"admin\"
5 | |   password                = <redacted>
6 | |   backup_retention_period = 1
7 | |   publicly_accessible     = false
  | |_________________________________^
  |
";
    assert!(out.contains(expected), "{out}");
}

#[test]
fn long_spans_are_elided() {
    let mut r = report();
    r.findings[0].location = Location::new("network/main.tf", 1, 11);
    let out = text(&r, false, Some("elided"));
    let expected = "\
 1 | / resource \"aws_security_group\" \"web\" {
 2 | |   name = \"web\"
 3 | |   ingress {
...
10 | |   }
11 | | }
   | |_^
";
    assert!(out.contains(expected), "{out}");
}

#[test]
fn secret_lines_are_redacted_everywhere() {
    let out = text(&report(), false, Some("redaction"));
    assert!(!out.contains(SECRET), "secret value printed:\n{out}");
    assert!(!out.contains("hunter2"));
    let expected = "\
high[SEC-LITERAL-PASSWORD]: Password written in the configuration
 --> db/rds.tf:5
  |
5 |   password                = <redacted>
  |   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
";
    assert!(out.contains(expected), "{out}");
    // The medium finding's snippet covers line 5 too: still redacted, while
    // its other lines are shown as they are.
    assert!(out.contains("4 | |   username                = \"admin\""));
}

#[test]
fn secret_finding_redacts_its_whole_span() {
    let mut r = report();
    // A secret finding spanning the whole block redacts every value in it.
    r.findings[1].location = Location::new("db/rds.tf", 2, 8);
    let out = text(&r, false, Some("redact-span"));
    assert!(!out.contains(SECRET));
    assert!(out.contains("  engine                  = <redacted>"));
    assert!(out.contains("| | }\n"), "brackets-only lines stay: {out}");
}

#[test]
fn unreadable_sources_drop_the_snippet_silently() {
    for out in [
        text(&report(), false, None),
        render_with(
            &report(),
            Format::Text,
            &TextOptions {
                color: false,
                source_root: Some("/nonexistent/palisade/root".into()),
            },
        ),
    ] {
        let gutter = out.lines().any(|l| {
            l.trim_start().starts_with('|')
                || l.split_once(" | ")
                    .is_some_and(|(n, _)| n.trim().parse::<u32>().is_ok())
        });
        assert!(!gutter, "no snippet expected:\n{out}");
        assert!(out.contains(" --> network/main.tf:4\n  = resource: aws_security_group.web\n"));
        assert!(!out.to_lowercase().contains("no such file"));
    }
}

#[test]
fn location_past_end_of_file_drops_the_snippet() {
    let mut r = report();
    r.findings[0].location = Location::new("network/main.tf", 40, 41);
    let out = text(&r, false, Some("past-end"));
    assert!(
        out.contains("  --> network/main.tf:40-41\n   = resource:"),
        "{out}"
    );
}

#[test]
fn errors_unknowns_and_summary() {
    let out = text(&report(), false, None);
    assert!(out.contains("error: k8s/broken.yaml:3: expected a mapping, found `- item`\n"));
    assert!(out.contains(
        "1 value could not be decided; checks depending on it were skipped:\n  \
         aws_security_group.web: ingress[1].cidr_blocks (network/main.tf:9): var.admin_cidr has no default\n"
    ));
    assert!(out.contains("1 note:\n  docs/example.yaml: not a Kubernetes manifest"));
    assert!(out.contains(
        "2 findings suppressed:\n  \
         NET-SG-OPEN-SSH network/main.tf:20 (aws_security_group.bastion) [inline]: break-glass bastion"
    ));
    assert!(out.ends_with(
        "3 findings (1 critical, 1 high, 1 medium) in 3 files, 4 resources; 1 error; 1 unknown; 2 suppressed\n"
    ));
}

#[test]
fn no_findings_says_so() {
    let mut r = ScanReport::default();
    r.summary.files = 2;
    r.summary.resources = 7;
    let out = text(&r, false, None);
    assert_eq!(
        out,
        "no findings in 2 files, 7 resources; 0 errors; 0 unknowns\n"
    );
    let coloured = text(&r, true, None);
    assert!(coloured.contains("\x1b[1;32mno findings"), "{coloured:?}");
}

#[test]
fn colour_only_when_asked() {
    let plain = text(&report(), false, Some("plain"));
    assert!(!plain.contains('\x1b'));
    let coloured = text(&report(), true, Some("coloured"));
    assert!(coloured.contains("\x1b[1;35mcritical[NET-SG-OPEN-SSH]\x1b[0m"));
    assert!(coloured.contains("\x1b[1;34m-->\x1b[0m"));
    // Same text once the escapes are removed.
    assert_eq!(strip_ansi(&coloured), plain);
}

#[test]
fn input_cannot_inject_terminal_escapes() {
    let mut r = ScanReport::default();
    r.findings.push(finding(
        "R-1",
        Severity::Low,
        "title \u{1b}]0;pwned\u{7}",
        &[],
        "aws_x.\u{1b}[2Jy",
        Location::new("a.tf", 1, 1),
        "message \u{1b}[31mred\u{202e}",
        "",
    ));
    r.errors.push(palisade_model::Diagnostic::new(
        "b\u{1b}.tf",
        None,
        "bad \u{1b}c",
    ));
    let out = text(&r, false, None);
    assert!(
        !out.contains('\x1b') && !out.contains('\u{7}') && !out.contains('\u{202e}'),
        "{out:?}"
    );
    assert!(out.contains("aws_x.\\u{1b}[2Jy"));
}

#[test]
fn multi_line_messages_stay_aligned() {
    let mut r = report();
    r.findings[0].message = "first line\nsecond line".into();
    let out = text(&r, false, None);
    assert!(
        out.contains("  = note: first line\n          second line\n"),
        "{out}"
    );
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
