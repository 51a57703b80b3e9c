//! Findings and the scan report: what analyses produce and reporters print.
//! Reporters depend on these types only.

use crate::loc::Location;
use crate::raw::{Diagnostic, Unknown};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "info" => Ok(Severity::Info),
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            other => Err(format!(
                "unknown severity `{other}` (expected critical, high, medium, low or info)"
            )),
        }
    }
}

/// One problem found by a rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub title: String,
    pub practices: Vec<String>,
    pub resource: String,
    pub location: Location,
    pub message: String,
    pub remediation: String,
    /// A stable identity that survives line moves: rule, resource and the
    /// message's subject, hashed. Used by baselines and SARIF.
    pub fingerprint: String,
}

impl Finding {
    /// Sort key giving a deterministic report order.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            std::cmp::Reverse(self.severity),
            &self.location.file,
            self.location.line,
            &self.rule,
            &self.resource,
            &self.message,
        )
    }
}

/// Stable 64-bit FNV-1a hash, hex encoded. Not for security; for identity
/// that is the same on every platform and release.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// Counts shown at the top of every report.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Summary {
    pub files: usize,
    pub resources: usize,
    pub findings: usize,
    pub errors: usize,
    pub unknowns: usize,
    /// Findings suppressed (inline comments, configuration, baseline).
    pub suppressed: usize,
}

/// What silenced a suppressed finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SuppressionSource {
    /// A `palisade:ignore` comment or `palisade.dev/ignore` annotation.
    Inline,
    /// A `checkov:skip` comment naming a check the rule maps to.
    Checkov,
    /// A `tfsec:ignore` comment naming a check the rule maps to.
    Tfsec,
    /// A `trivy:ignore` comment naming a check the rule maps to.
    Trivy,
    /// An `[[ignore]]` entry of `palisade.toml`.
    Config,
    /// The finding is in the baseline report.
    Baseline,
}

impl SuppressionSource {
    pub fn as_str(self) -> &'static str {
        match self {
            SuppressionSource::Inline => "inline",
            SuppressionSource::Checkov => "checkov",
            SuppressionSource::Tfsec => "tfsec",
            SuppressionSource::Trivy => "trivy",
            SuppressionSource::Config => "config",
            SuppressionSource::Baseline => "baseline",
        }
    }

    /// True when the suppression is written in the scanned source itself
    /// (SARIF `inSource`), false for configuration and baselines (`external`).
    pub fn in_source(self) -> bool {
        !matches!(
            self,
            SuppressionSource::Config | SuppressionSource::Baseline
        )
    }
}

impl fmt::Display for SuppressionSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A finding that was found but silenced on purpose: never dropped, listed
/// apart with why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Suppressed {
    pub finding: Finding,
    /// The justification given with the suppression.
    pub reason: String,
    pub source: SuppressionSource,
    /// Where the suppression is written (the comment, annotation or
    /// configuration file), when it has a place.
    pub at: Option<Location>,
}

/// Static description of a rule, as reporters need it (SARIF rule table,
/// docs). Mirrors the rule registry's metadata.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleInfo {
    pub id: String,
    pub name: String,
    pub title: String,
    pub severity: Severity,
    pub practices: Vec<String>,
    pub description: String,
    pub remediation: String,
    pub benchmarks: Vec<String>,
    pub references: Vec<String>,
}

/// The full outcome of a scan.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ScanReport {
    pub tool: Tool,
    pub summary: Summary,
    pub findings: Vec<Finding>,
    pub errors: Vec<Diagnostic>,
    pub unknowns: Vec<Unknown>,
    /// Findings silenced by a suppression or a baseline, with the reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suppressed: Vec<Suppressed>,
    /// Files skipped on purpose (not infrastructure), with the reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Diagnostic>,
    /// Rules that ran (for SARIF's rule table and JUnit).
    #[serde(skip)]
    pub rules: Vec<RuleInfo>,
    /// Where secret literals were found in the inputs. Reporters that show
    /// source lines redact these, whatever finding the snippet belongs to
    /// (even when the secrets rule itself was not selected).
    #[serde(skip)]
    pub secret_locations: Vec<Location>,
    /// The secret values found in the inputs. Reporters replace them
    /// wherever they flowed into a message, reason or name.
    #[serde(skip)]
    pub secret_values: Vec<crate::Secret>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: "palisade".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

impl ScanReport {
    /// Sorts and de-duplicates everything so the same input always gives the
    /// same bytes, and recomputes the summary counts.
    pub fn normalise(&mut self) {
        self.findings
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.findings.dedup_by(|a, b| {
            a.rule == b.rule && a.fingerprint == b.fingerprint && a.location == b.location
        });
        self.errors.sort();
        self.errors.dedup();
        self.unknowns.sort();
        self.unknowns.dedup();
        self.notes.sort();
        self.notes.dedup();
        self.suppressed
            .sort_by(|a, b| a.finding.sort_key().cmp(&b.finding.sort_key()));
        self.suppressed.dedup_by(|a, b| {
            a.finding.rule == b.finding.rule
                && a.finding.fingerprint == b.finding.fingerprint
                && a.finding.location == b.finding.location
        });
        self.rules.sort_by(|a, b| a.id.cmp(&b.id));
        self.secret_locations.sort();
        self.secret_locations.dedup();
        self.summary.findings = self.findings.len();
        self.summary.errors = self.errors.len();
        self.summary.unknowns = self.unknowns.len();
        self.summary.suppressed = self.suppressed.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_stable_and_separates_parts() {
        assert_eq!(fingerprint(&["a", "b"]), fingerprint(&["a", "b"]));
        assert_ne!(fingerprint(&["ab", ""]), fingerprint(&["a", "b"]));
        assert_eq!(fingerprint(&[]).len(), 16);
    }

    #[test]
    fn severity_parses_and_orders() {
        assert_eq!("HIGH".parse::<Severity>(), Ok(Severity::High));
        assert!(Severity::Critical > Severity::Low);
        assert!("urgent".parse::<Severity>().is_err());
    }
}
