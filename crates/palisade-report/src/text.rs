//! The human-facing text report, styled like a compiler diagnostic:
//!
//! ```text
//! === high (1 finding) ===
//!
//! high[NET-SG-SSH]: Security group allows SSH from anywhere
//!  --> network/main.tf:4
//!   |
//! 4 |   cidr_blocks = ["0.0.0.0/0"]
//!   |   ^^^^^^^^^^^^^^^^^^^^^^^^^^^
//!   |
//!   = resource: aws_security_group.web
//!   = note: ingress on port 22 is open to 0.0.0.0/0
//!   = practices: NET-07
//!   = help: restrict cidr_blocks to known ranges
//! ```
//!
//! Source lines come from disk (relative to `TextOptions::source_root`); a
//! file that cannot be read, or a location past its end, just drops the
//! snippet. Every input-derived string is sanitised so an input file cannot
//! send escape sequences to the user's terminal.

use crate::util::{plural, sanitize, severity_counts, span, summary_line};
use crate::TextOptions;
use palisade_model::finding::{Finding, ScanReport, Severity};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The practice that marks a finding about a literal secret; its source
/// lines are redacted.
const SECRET_PRACTICE: &str = "SEC-01";
/// Spans longer than this many lines are shown as their first and last lines.
const MAX_SNIPPET_LINES: usize = 6;
const SNIPPET_HEAD: usize = 3;
const SNIPPET_TAIL: usize = 2;
/// Source lines are cut at this many characters (minified JSON, plans).
const MAX_LINE_CHARS: usize = 160;
/// Source files larger than this are not read for snippets.
const MAX_SOURCE_BYTES: u64 = 8 * 1024 * 1024;
/// At most this many unknowns and notes are listed.
const MAX_LISTED: usize = 20;
const REDACTED: &str = "<redacted>";

/// ANSI styles, applied only when colour is on.
#[derive(Clone, Copy)]
struct Painter {
    color: bool,
}

const BOLD: &str = "1";
const GUTTER: &str = "1;34";
const ERROR: &str = "1;31";
const GOOD: &str = "1;32";
const WARN: &str = "1;33";

fn severity_style(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "1;35",
        Severity::High => "1;31",
        Severity::Medium => "1;33",
        Severity::Low => "1;36",
        Severity::Info => "1;32",
    }
}

impl Painter {
    fn paint(self, style: &str, text: &str) -> String {
        if self.color && !text.is_empty() {
            format!("\x1b[{style}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// Redacts the value on one source line of a secret finding: the key and its
/// `=` or `:` are kept, the rest becomes `<redacted>`
/// (`password = "hunter2"` → `password = <redacted>`).
///
/// Only a key-like prefix followed by `= ` or `: ` (a separator and then
/// whitespace, or the end of the line) is kept; anything else — a heredoc
/// line, base64 with `=` padding, minified JSON — is redacted whole, keeping
/// only the indentation. Lines of nothing but brackets are kept as they are.
pub fn redact_line(line: &str) -> String {
    let trimmed = line.trim();
    if trimmed
        .chars()
        .all(|c| matches!(c, '{' | '}' | '[' | ']' | '(' | ')' | ',' | ';'))
    {
        return line.to_string();
    }
    let indent = &line[..line.len() - line.trim_start().len()];
    if let Some(i) = line.find(['=', ':']) {
        let rest = &line[i + 1..];
        let spaced = rest.is_empty() || rest.starts_with([' ', '\t']);
        let key = line[..i].trim();
        let key = key.strip_prefix("- ").unwrap_or(key).trim();
        let key_like = !key.is_empty()
            && key.chars().count() <= 128
            && key.chars().all(|c| {
                c.is_alphanumeric()
                    || matches!(c, '_' | '-' | '.' | '"' | '\'' | '/' | '[' | ']' | ' ')
            });
        if spaced && key_like {
            return format!("{} {REDACTED}", &line[..=i]);
        }
    }
    format!("{indent}{REDACTED}")
}

fn is_secret(f: &Finding) -> bool {
    f.practices
        .iter()
        .any(|p| p.trim().eq_ignore_ascii_case(SECRET_PRACTICE))
}

/// Source files read so far (`None` for one that could not be read), and the
/// lines secret findings mark, which are redacted in every snippet that shows
/// them, not only in the secret finding's own.
struct Sources {
    root: Option<PathBuf>,
    files: BTreeMap<String, Option<Vec<String>>>,
    secret_lines: BTreeMap<String, Vec<(u32, u32)>>,
}

impl Sources {
    fn new(
        root: Option<&Path>,
        findings: &[Finding],
        secrets: &[palisade_model::Location],
    ) -> Self {
        let mut secret_lines: BTreeMap<String, Vec<(u32, u32)>> = BTreeMap::new();
        let secret_findings = findings
            .iter()
            .filter(|f| is_secret(f))
            .map(|f| &f.location);
        for loc in secret_findings.chain(secrets) {
            secret_lines
                .entry(loc.file.to_string())
                .or_default()
                .push((loc.line, loc.end_line.max(loc.line)));
        }
        Sources {
            root: root.map(Path::to_path_buf),
            files: BTreeMap::new(),
            secret_lines,
        }
    }

    /// Whether line `n` of `file` is inside a secret finding's span.
    fn is_secret_line(&self, file: &str, n: u32) -> bool {
        self.secret_lines
            .get(file)
            .is_some_and(|spans| spans.iter().any(|&(a, b)| (a..=b).contains(&n)))
    }

    /// Lines `line..=end_line` (1-based) of `file`, or `None` when the file
    /// cannot be read or the span is not inside it.
    fn lines(&mut self, file: &str, line: u32, end_line: u32) -> Option<&[String]> {
        let root = self.root.as_ref()?;
        let text = self
            .files
            .entry(file.to_string())
            .or_insert_with(|| read_lines(&root.join(file)))
            .as_ref()?;
        let start = usize::try_from(line).ok()?.checked_sub(1)?;
        let end = usize::try_from(end_line).ok()?.max(start + 1);
        if end > text.len() {
            return None;
        }
        text.get(start..end)
    }
}

fn read_lines(path: &Path) -> Option<Vec<String>> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_SOURCE_BYTES {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    Some(
        String::from_utf8_lossy(&bytes)
            .lines()
            .map(str::to_string)
            .collect(),
    )
}

/// Cuts a display line to `MAX_LINE_CHARS` characters.
fn clip(line: String) -> String {
    match line.char_indices().nth(MAX_LINE_CHARS) {
        Some((i, _)) => format!("{}...", &line[..i]),
        None => line,
    }
}

pub(crate) fn render(report: &ScanReport, opts: &TextOptions) -> String {
    let p = Painter { color: opts.color };
    let mut sources = Sources::new(
        opts.source_root.as_deref(),
        &report.findings,
        &report.secret_locations,
    );
    let mut out = String::new();

    // The report arrives sorted; grouping again (stably) keeps the promise
    // of "by severity, then by file" even for a report that was not.
    let mut order: Vec<&Finding> = report.findings.iter().collect();
    order.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.location.file.cmp(&b.location.file))
    });

    let counts = severity_counts(&report.findings);
    let mut current: Option<Severity> = None;
    for f in order {
        if current != Some(f.severity) {
            current = Some(f.severity);
            let n = counts
                .iter()
                .find(|(s, _)| *s == f.severity)
                .map_or(0, |(_, n)| *n);
            let banner = format!(
                "=== {} ({}) ===",
                f.severity,
                plural(n, "finding", "findings")
            );
            let _ = writeln!(out, "{}\n", p.paint(severity_style(f.severity), &banner));
        }
        finding(&mut out, p, &mut sources, f);
        out.push('\n');
    }

    for e in &report.errors {
        let place = match e.line {
            Some(l) => format!("{}:{l}", e.file),
            None => e.file.clone(),
        };
        let _ = writeln!(
            out,
            "{}: {}: {}",
            p.paint(ERROR, "error"),
            p.paint(BOLD, &sanitize(&place, false)),
            sanitize(&e.message, false)
        );
    }
    if !report.errors.is_empty() {
        out.push('\n');
    }

    if !report.unknowns.is_empty() {
        let n = report.unknowns.len();
        let head = format!(
            "{} could not be decided; checks depending on {} were skipped:",
            plural(n, "value", "values"),
            if n == 1 { "it" } else { "them" }
        );
        let _ = writeln!(out, "{}", p.paint(WARN, &head));
        for u in report.unknowns.iter().take(MAX_LISTED) {
            let at = u
                .location
                .as_ref()
                .map(|l| format!(" ({})", span(&l.file, l.line, l.end_line)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {}: {}{}: {}",
                sanitize(&u.resource, false),
                sanitize(&u.attribute, false),
                sanitize(&at, false),
                sanitize(&u.reason, false)
            );
        }
        if n > MAX_LISTED {
            let _ = writeln!(out, "  ... and {} more", n - MAX_LISTED);
        }
        out.push('\n');
    }

    if !report.suppressed.is_empty() {
        let n = report.suppressed.len();
        let head = format!("{} suppressed:", plural(n, "finding", "findings"));
        let _ = writeln!(out, "{}", p.paint(BOLD, &head));
        for s in report.suppressed.iter().take(MAX_LISTED) {
            let l = &s.finding.location;
            let _ = writeln!(
                out,
                "  {} {} ({}) [{}]: {}",
                sanitize(&s.finding.rule, false),
                sanitize(&span(&l.file, l.line, l.end_line), false),
                sanitize(&s.finding.resource, false),
                s.source,
                sanitize(&s.reason, false)
            );
        }
        if n > MAX_LISTED {
            let _ = writeln!(out, "  ... and {} more", n - MAX_LISTED);
        }
        out.push('\n');
    }

    if !report.notes.is_empty() {
        let n = report.notes.len();
        // Skipped files, and other things worth knowing that lost nothing
        // (suppressions not honoured, unsupported functions...).
        let head = format!("{}:", plural(n, "note", "notes"));
        let _ = writeln!(out, "{}", p.paint(BOLD, &head));
        for d in report.notes.iter().take(MAX_LISTED) {
            let place = match d.line {
                Some(l) => format!("{}:{l}", d.file),
                None => d.file.clone(),
            };
            let _ = writeln!(
                out,
                "  {}: {}",
                sanitize(&place, false),
                sanitize(&d.message, false)
            );
        }
        if n > MAX_LISTED {
            let _ = writeln!(out, "  ... and {} more", n - MAX_LISTED);
        }
        out.push('\n');
    }

    let style = if !report.findings.is_empty() || !report.errors.is_empty() {
        BOLD
    } else {
        GOOD
    };
    let _ = writeln!(out, "{}", p.paint(style, &summary_line(report)));
    out
}

fn finding(out: &mut String, p: Painter, sources: &mut Sources, f: &Finding) {
    let sev = severity_style(f.severity);
    let loc = &f.location;
    let _ = writeln!(
        out,
        "{}{}",
        p.paint(
            sev,
            &format!("{}[{}]", f.severity, sanitize(&f.rule, false))
        ),
        p.paint(BOLD, &format!(": {}", sanitize(&f.title, false)))
    );

    // A secret finding's own lines are all redacted; any other snippet has
    // the lines some secret finding marks redacted.
    let redact_lines = is_secret(f);
    let snippet: Option<Vec<String>> = sources
        .lines(&loc.file, loc.line, loc.end_line)
        .map(<[String]>::to_vec)
        .map(|lines| {
            (loc.line..)
                .zip(lines)
                .map(|(n, l)| {
                    let l = if redact_lines || sources.is_secret_line(&loc.file, n) {
                        redact_line(&l)
                    } else {
                        l
                    };
                    clip(sanitize(&l, false))
                })
                .collect()
        });

    let width = loc.end_line.max(loc.line).to_string().len();
    let pad = " ".repeat(width);
    let bar = p.paint(GUTTER, "|");
    let _ = writeln!(
        out,
        "{pad}{} {}",
        p.paint(GUTTER, "-->"),
        sanitize(&span(&loc.file, loc.line, loc.end_line), false)
    );

    if let Some(lines) = snippet {
        let _ = writeln!(out, "{pad} {bar}");
        let numbered: Vec<(u32, &String)> = (loc.line..).zip(lines.iter()).collect();
        let shown: Vec<Option<(u32, &String)>> = if numbered.len() > MAX_SNIPPET_LINES {
            let tail = numbered.len() - SNIPPET_TAIL;
            numbered[..SNIPPET_HEAD]
                .iter()
                .copied()
                .map(Some)
                .chain(std::iter::once(None))
                .chain(numbered[tail..].iter().copied().map(Some))
                .collect()
        } else {
            numbered.iter().copied().map(Some).collect()
        };
        let num = |n: u32| p.paint(GUTTER, &format!("{n:>width$}"));

        if numbered.len() == 1 {
            let (n, text) = numbered[0];
            let _ = writeln!(out, "{} {bar} {text}", num(n));
            let start = text.chars().take_while(|c| c.is_whitespace()).count();
            let len = text.trim().chars().count().max(1);
            let _ = writeln!(
                out,
                "{pad} {bar} {}{}",
                " ".repeat(start),
                p.paint(sev, &"^".repeat(len))
            );
        } else {
            for (i, row) in shown.iter().enumerate() {
                match row {
                    Some((n, text)) => {
                        let mark = if i == 0 { "/" } else { "|" };
                        let _ = writeln!(out, "{} {bar} {} {text}", num(*n), p.paint(sev, mark));
                    }
                    None => {
                        let _ = writeln!(out, "{}", p.paint(GUTTER, "..."));
                    }
                }
            }
            let last = numbered
                .last()
                .map_or(0, |(_, t)| t.trim_end().chars().count());
            let under = format!("|{}^", "_".repeat(last.max(1)));
            let _ = writeln!(out, "{pad} {bar} {}", p.paint(sev, &under));
        }
        let _ = writeln!(out, "{pad} {bar}");
    }

    let eq = p.paint(GUTTER, "=");
    let mut note = |label: &str, text: &str| {
        let indent = " ".repeat(width + 3 + label.len() + 2);
        let body = sanitize(text, true).replace('\n', &format!("\n{indent}"));
        let _ = writeln!(out, "{pad} {eq} {}: {body}", p.paint(BOLD, label));
    };
    note("resource", &f.resource);
    note("note", &f.message);
    if !f.practices.is_empty() {
        note("practices", &f.practices.join(", "));
    }
    if !f.remediation.is_empty() {
        note("help", &f.remediation);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_values_but_keeps_keys() {
        assert_eq!(
            redact_line(r#"  password = "hunter2""#),
            "  password = <redacted>"
        );
        assert_eq!(redact_line("    value: s3cr3t"), "    value: <redacted>");
        assert_eq!(
            redact_line(r#"  "password": "x","#),
            r#"  "password": <redacted>"#
        );
        assert_eq!(redact_line("  - name: DB_PASSWORD"), "  - name: <redacted>");
        assert_eq!(redact_line("  }"), "  }");
        assert_eq!(redact_line(""), "");
    }

    #[test]
    fn redacts_whole_line_when_no_clear_key() {
        // base64 padding is not a key separator
        assert_eq!(redact_line("  c2VjcmV0=="), "  <redacted>");
        // no separator at all (heredoc content)
        assert_eq!(redact_line("\tAKIAABCDEFGHIJKLMNOP"), "\t<redacted>");
        // minified JSON: separator not followed by a space
        assert_eq!(redact_line(r#"{"password":"x","user":"y"}"#), "<redacted>");
        // the key part would itself show too much
        assert_eq!(
            redact_line(r#"  url = "postgres://u:pw@h""#),
            "  url = <redacted>"
        );
        assert_eq!(redact_line("PASSWORD=hunter2"), "<redacted>");
    }

    #[test]
    fn clip_cuts_long_lines_on_char_boundaries() {
        let long = "é".repeat(MAX_LINE_CHARS + 5);
        let clipped = clip(long);
        assert!(clipped.ends_with("..."));
        assert_eq!(clipped.chars().count(), MAX_LINE_CHARS + 3);
        assert_eq!(clip("short".into()), "short");
    }
}
