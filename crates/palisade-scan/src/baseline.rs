//! Baselines: a previous JSON report whose findings are accepted for now.
//! A scan with a baseline reports only findings that are not in it, matched
//! by rule and `fingerprint` (stable across line moves), and lists the
//! others as suppressed with source `baseline`.

use palisade_model::finding::{ScanReport, Suppressed, SuppressionSource};
use std::collections::HashSet;
use std::path::Path;

/// Largest baseline read.
const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// The accepted findings of a baseline file.
#[derive(Clone, Debug, Default)]
pub struct Baseline {
    /// How the file is named in reasons.
    pub shown: String,
    entries: HashSet<(String, String)>,
}

impl Baseline {
    /// Reads a palisade JSON report (`--format json`, or one written by
    /// `--write-baseline`).
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let shown = path.display().to_string();
        let size = std::fs::metadata(path)
            .map_err(|e| format!("baseline {shown}: cannot read: {e}"))?
            .len();
        if size > MAX_BYTES {
            return Err(format!("baseline {shown}: {size} bytes, too large"));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("baseline {shown}: cannot read: {e}"))?;
        Baseline::parse(&text, &shown)
    }

    /// Parses a JSON report. Entries of `findings[]` are taken, and those of
    /// `suppressed[]` that a baseline suppressed (so a report made with a
    /// baseline still works as the next one).
    pub fn parse(text: &str, shown: &str) -> Result<Baseline, String> {
        let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            format!(
                "baseline {shown}:{}: not a palisade JSON report: {e}",
                e.line()
            )
        })?;
        let Some(findings) = doc.get("findings").and_then(|f| f.as_array()) else {
            return Err(format!(
                "baseline {shown}: not a palisade JSON report (no `findings` list); \
                 write one with `palisade scan --format json` or `--write-baseline`"
            ));
        };
        let baselined = doc
            .get("suppressed")
            .and_then(|s| s.as_array())
            .into_iter()
            .flatten()
            .filter(|s| s.get("source").and_then(|v| v.as_str()) == Some("baseline"));
        let mut entries = HashSet::new();
        for (i, f) in findings.iter().chain(baselined).enumerate() {
            let rule = f.get("rule").and_then(|v| v.as_str());
            let fp = f.get("fingerprint").and_then(|v| v.as_str());
            match (rule, fp) {
                (Some(r), Some(p)) => {
                    entries.insert((r.to_string(), p.to_string()));
                }
                _ => {
                    return Err(format!(
                        "baseline {shown}: entry {i} has no `rule` and `fingerprint`"
                    ))
                }
            }
        }
        Ok(Baseline {
            shown: shown.to_string(),
            entries,
        })
    }

    /// Number of accepted findings.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Moves the findings of `report` that are in the baseline to
    /// `report.suppressed`.
    pub fn apply(&self, report: &mut ScanReport) {
        let (old, new): (Vec<_>, Vec<_>) = std::mem::take(&mut report.findings)
            .into_iter()
            .partition(|f| {
                self.entries
                    .contains(&(f.rule.clone(), f.fingerprint.clone()))
            });
        report.findings = new;
        report
            .suppressed
            .extend(old.into_iter().map(|finding| Suppressed {
                finding,
                reason: format!("in baseline {}", self.shown),
                source: SuppressionSource::Baseline,
                at: None,
            }));
    }
}
