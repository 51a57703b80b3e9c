//! Reporters: turn a [`ScanReport`] into bytes for people and for tools.
//!
//! | format | for | contract |
//! | --- | --- | --- |
//! | [`Format::Text`] | a terminal | compiler-style diagnostics, for people; may change |
//! | [`Format::Json`] | scripts, tests, other tools | stable, documented in `JSON.md` |
//! | [`Format::Sarif`] | GitHub code scanning and SARIF viewers | SARIF 2.1.0 |
//! | [`Format::Junit`] | CI test dashboards | JUnit XML |
//! | [`Format::Markdown`] | pull-request comments | a compact table |
//!
//! Reporters know only the model's report types; they never see loaders or
//! rules. Every output is deterministic: the report arrives normalised
//! ([`ScanReport::normalise`]) and nothing here iterates a hash map.
//!
//! Reporters print only what findings, diagnostics and unknowns carry. The
//! text reporter also shows source lines read from disk; for findings about
//! literal secrets (practice `SEC-01`) it redacts the value on those lines.

mod json;
mod junit;
mod markdown;
mod sarif;
mod text;
mod util;

use palisade_model::finding::ScanReport;
use std::fmt;
use std::io;
use std::path::PathBuf;
use std::str::FromStr;

pub use text::redact_line;

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Junit,
    Markdown,
}

impl Format {
    /// Every format, in the order they are documented.
    pub const ALL: [Format; 5] = [
        Format::Text,
        Format::Json,
        Format::Sarif,
        Format::Junit,
        Format::Markdown,
    ];

    /// The name [`FromStr`] accepts and [`fmt::Display`] prints.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Markdown => "markdown",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = String;

    /// Parses a format name, case-insensitively. Accepts the canonical names
    /// (`text`, `json`, `sarif`, `junit`, `markdown`) and the aliases `human`,
    /// `junit-xml`, `xml` and `md`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "text" | "human" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            "junit" | "junit-xml" | "xml" => Ok(Format::Junit),
            "markdown" | "md" => Ok(Format::Markdown),
            other => Err(format!(
                "unknown output format `{other}` (expected text, json, sarif, junit or markdown)"
            )),
        }
    }
}

/// Options for the human-facing text output.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextOptions {
    /// Emit ANSI colour. The caller decides (a terminal, and no `NO_COLOR`);
    /// the reporter never looks at the environment.
    pub color: bool,
    /// The directory finding paths are relative to. When set, the text output
    /// shows the source lines of each finding read from there; when unset, or
    /// when a file cannot be read, the snippet is left out.
    pub source_root: Option<PathBuf>,
}

/// Renders `report` in `format` to `out`. `opts` is used by [`Format::Text`]
/// only. The output is written in one piece; nothing is written if rendering
/// fails before the write.
///
/// ```
/// use palisade_model::finding::ScanReport;
/// use palisade_report::{render, Format, TextOptions};
///
/// let mut out = Vec::new();
/// render(&ScanReport::default(), Format::Json, &TextOptions::default(), &mut out)?;
/// assert!(String::from_utf8_lossy(&out).contains("\"findings\": []"));
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn render(
    report: &ScanReport,
    format: Format,
    opts: &TextOptions,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let report = &*redacted(report);
    let bytes = match format {
        Format::Text => text::render(report, opts).into_bytes(),
        Format::Json => json::render(report)?,
        Format::Sarif => sarif::render(report)?,
        Format::Junit => junit::render(report).into_bytes(),
        Format::Markdown => markdown::render(report).into_bytes(),
    };
    out.write_all(&bytes)?;
    out.flush()
}

/// The report with every secret value found in the inputs
/// ([`ScanReport::secret_values`]) replaced by the redaction marker in the
/// strings that come from the inputs: messages, resource names, unknown
/// reasons, diagnostics and suppression reasons. Values reach them when
/// evaluation carries a secret into another attribute (an error quoting it,
/// an instance key made of it).
fn redacted(report: &ScanReport) -> std::borrow::Cow<'_, ScanReport> {
    use palisade_model::secrets::{redact_values, values_to_redact};
    let values = values_to_redact(&report.secret_values);
    let hits = |s: &str| values.iter().any(|v| s.contains(v));
    let finding_hits = |f: &palisade_model::finding::Finding| hits(&f.message) || hits(&f.resource);
    let any = report.findings.iter().any(finding_hits)
        || report
            .suppressed
            .iter()
            .any(|s| finding_hits(&s.finding) || hits(&s.reason))
        || report
            .unknowns
            .iter()
            .any(|u| hits(&u.resource) || hits(&u.attribute) || hits(&u.reason))
        || report
            .errors
            .iter()
            .chain(&report.notes)
            .any(|d| hits(&d.message) || hits(&d.file));
    if !any {
        return std::borrow::Cow::Borrowed(report);
    }
    let fix = |s: &mut String| {
        if let std::borrow::Cow::Owned(r) = redact_values(s, &values) {
            *s = r;
        }
    };
    let mut r = report.clone();
    let fix_finding = |f: &mut palisade_model::finding::Finding| {
        fix(&mut f.message);
        fix(&mut f.resource);
    };
    r.findings.iter_mut().for_each(fix_finding);
    for s in &mut r.suppressed {
        fix_finding(&mut s.finding);
        fix(&mut s.reason);
    }
    for u in &mut r.unknowns {
        fix(&mut u.resource);
        fix(&mut u.attribute);
        fix(&mut u.reason);
    }
    for d in r.errors.iter_mut().chain(r.notes.iter_mut()) {
        fix(&mut d.message);
        fix(&mut d.file);
    }
    std::borrow::Cow::Owned(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_round_trips_through_its_name() {
        for f in Format::ALL {
            assert_eq!(f.to_string().parse::<Format>(), Ok(f));
        }
        assert_eq!("MD".parse::<Format>(), Ok(Format::Markdown));
        assert_eq!(" junit-xml ".parse::<Format>(), Ok(Format::Junit));
        let err = "yaml".parse::<Format>().err().unwrap_or_default();
        assert!(err.contains("yaml") && err.contains("sarif"), "{err}");
    }
}
