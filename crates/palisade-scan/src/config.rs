//! `palisade.toml`: the project's scan settings.
//!
//! ```toml
//! exclude = ["legacy/**", "**/testdata/**"]   # globs, relative to this file
//! threshold = "medium"                         # like --min-severity
//! custom_rules = ["policy/rego"]               # like --rules-dir, relative to this file
//!
//! [rules]
//! enable = []                # when set, only these rules run (ids or names)
//! disable = ["PAL060"]
//!
//! [severity]                 # per-rule severity overrides
//! PAL020 = "critical"
//!
//! [params]                   # organisation parameters of the rules
//! pipeline_roles = ["arn:aws:iam::111122223333:role/ci-deploy"]
//! allowed_registries = ["111122223333.dkr.ecr.eu-west-1.amazonaws.com/"]
//! required_tags = ["owner"]
//! admin_ports = [22, 3389]
//!
//! [[ignore]]                 # suppressions kept out of the source
//! rule = "PAL001"
//! resources = ["aws_security_group.break_glass*"]   # optional globs
//! paths = ["bastion/**"]                            # optional globs
//! reason = "break-glass access, reviewed quarterly"
//! ```
//!
//! Found by walking up from the first scanned path, or named with
//! `--config`. Unknown keys are errors naming the file and line, so a typo
//! never silently disables a setting. Command-line flags override the file.

use crate::suppress::ConfigIgnore;
use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use palisade_model::finding::Severity;
use palisade_model::LineIndex;
use palisade_rules::{Params, Rule};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The file name looked for.
pub const FILE_NAME: &str = "palisade.toml";

/// Largest configuration file read.
const MAX_BYTES: u64 = 1024 * 1024;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct Raw {
    exclude: Vec<Spanned<String>>,
    threshold: Option<Severity>,
    custom_rules: Vec<Spanned<String>>,
    rules: RawRules,
    severity: BTreeMap<String, Spanned<Severity>>,
    params: Params,
    ignore: Vec<RawIgnore>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawRules {
    enable: Vec<Spanned<String>>,
    disable: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    rule: Spanned<String>,
    #[serde(default)]
    paths: Vec<Spanned<String>>,
    #[serde(default)]
    resources: Vec<Spanned<String>>,
    reason: Spanned<String>,
}

/// A loaded `palisade.toml`.
#[derive(Debug, Default)]
pub struct Config {
    /// The file it was read from (empty for the default configuration).
    pub path: PathBuf,
    /// Minimum severity reported (`--min-severity` wins).
    pub threshold: Option<Severity>,
    /// Rules to run when `--rule` is not given (empty: all).
    pub enable: Vec<&'static Rule>,
    /// Rules never run unless named by `--rule`.
    pub disable: Vec<&'static Rule>,
    /// Severity per rule id.
    pub severity: BTreeMap<String, Severity>,
    pub params: Params,
    /// Paths left out of the scan.
    pub exclude: Option<Exclude>,
    /// `[[ignore]]` entries.
    pub ignores: Vec<ConfigIgnore>,
    /// Directories (or files) of custom Rego rules, made relative to the
    /// file's directory.
    pub custom_rules: Vec<PathBuf>,
}

/// Glob patterns of paths to leave out, relative to a base directory.
#[derive(Clone, Debug)]
pub struct Exclude {
    base: PathBuf,
    set: GlobSet,
}

impl Exclude {
    /// Compiles `patterns` (relative to `base`).
    pub fn new(base: &Path, patterns: &[&str]) -> Result<Exclude, String> {
        let mut b = GlobSetBuilder::new();
        for p in patterns {
            b.add(path_glob(p)?);
        }
        Ok(Exclude {
            base: absolute(base),
            set: b.build().map_err(|e| e.to_string())?,
        })
    }

    /// True when `path` (as the walker sees it) matches a pattern, or lies
    /// under a directory that does.
    pub fn matches(&self, path: &Path) -> bool {
        let abs = absolute(path);
        let rel = abs.strip_prefix(&self.base).unwrap_or(&abs);
        let rel = rel.to_string_lossy().replace('\\', "/");
        if rel.is_empty() {
            return false;
        }
        self.set.is_match(&rel)
    }
}

/// A glob over `/`-separated relative paths: `*` stays within one
/// directory, `**` crosses them, and a pattern without `/` matches a name
/// at any depth (as in `.gitignore`).
pub(crate) fn path_glob(p: &str) -> Result<Glob, String> {
    let p = p.trim().trim_start_matches("./");
    let p = p.trim_end_matches('/');
    let pattern = if p.contains('/') {
        p.to_string()
    } else {
        format!("**/{p}")
    };
    GlobBuilder::new(&pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| format!("bad glob `{p}`: {e}"))
}

/// `path` made absolute and lexically normalised, without touching the
/// file system beyond the current directory.
pub(crate) fn absolute(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

impl Config {
    /// The `palisade.toml` in `start`'s directory or the nearest parent.
    pub fn find(start: &Path) -> Option<PathBuf> {
        let abs = absolute(start);
        let mut dir = if abs.is_file() {
            abs.parent()?.to_path_buf()
        } else {
            abs
        };
        loop {
            let candidate = dir.join(FILE_NAME);
            if candidate.is_file() {
                return Some(candidate);
            }
            if !dir.pop() {
                return None;
            }
        }
    }

    /// Reads and checks a configuration file. Errors name the file and the
    /// line (`palisade.toml:7: unknown field `tresholds`...`).
    pub fn load(path: &Path) -> Result<Config, String> {
        let shown = path.display().to_string();
        let size = std::fs::metadata(path)
            .map_err(|e| format!("{shown}: cannot read: {e}"))?
            .len();
        if size > MAX_BYTES {
            return Err(format!(
                "{shown}: {size} bytes, over the {MAX_BYTES}-byte limit"
            ));
        }
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("{shown}: cannot read: {e}"))?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut c = Config::parse(&text, &shown, &base)?;
        c.path = path.to_path_buf();
        Ok(c)
    }

    /// Parses configuration text; `shown` names it in errors, `base` is the
    /// directory relative paths are taken from.
    pub fn parse(text: &str, shown: &str, base: &Path) -> Result<Config, String> {
        let lines = LineIndex::new(text);
        let at = |span: std::ops::Range<usize>| format!("{shown}:{}", lines.line(span.start));
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let place = e.span().map_or_else(|| shown.to_string(), at);
            format!("{place}: {}", e.message().trim())
        })?;
        let rule = |key: &Spanned<String>| -> Result<&'static Rule, String> {
            palisade_rules::find(key.get_ref()).ok_or_else(|| {
                format!(
                    "{}: unknown rule `{}` (see `palisade rules`)",
                    at(key.span()),
                    key.get_ref()
                )
            })
        };
        let mut c = Config {
            threshold: raw.threshold,
            params: raw.params,
            ..Config::default()
        };
        for p in &raw.custom_rules {
            if p.get_ref().trim().is_empty() {
                return Err(format!("{}: custom_rules: empty path", at(p.span())));
            }
            c.custom_rules.push(base.join(p.get_ref()));
        }
        for k in &raw.rules.enable {
            c.enable.push(rule(k)?);
        }
        for k in &raw.rules.disable {
            c.disable.push(rule(k)?);
        }
        for (k, sev) in &raw.severity {
            let r = palisade_rules::find(k).ok_or_else(|| {
                format!(
                    "{}: [severity] names unknown rule `{k}` (see `palisade rules`)",
                    at(sev.span())
                )
            })?;
            c.severity.insert(r.id.to_string(), *sev.get_ref());
        }
        if !raw.exclude.is_empty() {
            for p in &raw.exclude {
                path_glob(p.get_ref()).map_err(|e| format!("{}: exclude: {e}", at(p.span())))?;
            }
            let patterns: Vec<&str> = raw.exclude.iter().map(|p| p.get_ref().as_str()).collect();
            c.exclude = Some(Exclude::new(base, &patterns)?);
        }
        for ig in &raw.ignore {
            // A custom rule's id is checked once the custom rules are loaded.
            let id = match rule(&ig.rule) {
                Ok(r) => r.id.to_string(),
                Err(_) if palisade_rego::meta::id_problem(ig.rule.get_ref()).is_none() => {
                    ig.rule.get_ref().clone()
                }
                Err(e) => return Err(e),
            };
            if ig.reason.get_ref().trim().is_empty() {
                return Err(format!(
                    "{}: [[ignore]] of {id} needs a non-empty `reason`",
                    at(ig.reason.span()),
                ));
            }
            let mut paths = GlobSetBuilder::new();
            for p in &ig.paths {
                paths.add(path_glob(p.get_ref()).map_err(|e| format!("{}: {e}", at(p.span())))?);
            }
            let mut resources = GlobSetBuilder::new();
            for p in &ig.resources {
                let g = GlobBuilder::new(p.get_ref())
                    .literal_separator(false)
                    .build()
                    .map_err(|e| format!("{}: bad glob `{}`: {e}", at(p.span()), p.get_ref()))?;
                resources.add(g);
            }
            c.ignores.push(ConfigIgnore {
                rule: id,
                paths: (!ig.paths.is_empty())
                    .then(|| paths.build())
                    .transpose()
                    .map_err(|e| e.to_string())?,
                resources: (!ig.resources.is_empty())
                    .then(|| resources.build())
                    .transpose()
                    .map_err(|e| e.to_string())?,
                reason: ig.reason.get_ref().trim().to_string(),
                base: absolute(base),
                at: palisade_model::Location::new(
                    shown,
                    lines.line(ig.rule.span().start),
                    lines.line(ig.reason.span().start),
                ),
            });
        }
        Ok(c)
    }

    /// The rules to run: `only` (from `--rule`) when given, else the file's
    /// `enable` list, else all; less `skip` (`--skip-rule`) and the file's
    /// `disable` list (a rule named by `--rule` runs even if disabled).
    pub fn select_rules(
        &self,
        only: &[String],
        skip: &[String],
    ) -> Result<Vec<&'static Rule>, String> {
        for key in only.iter().chain(skip) {
            if palisade_rules::find(key).is_none() {
                return Err(format!("unknown rule `{key}` (see `palisade rules`)"));
            }
        }
        Ok(palisade_rules::all()
            .into_iter()
            .filter(|r| {
                if !only.is_empty() {
                    only.iter().any(|k| r.is(k))
                } else {
                    self.enable.is_empty() || self.enable.iter().any(|e| e.id == r.id)
                }
            })
            .filter(|r| !skip.iter().any(|k| r.is(k)))
            .filter(|r| {
                let named = only.iter().any(|k| r.is(k));
                named || !self.disable.iter().any(|d| d.id == r.id)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(text, "palisade.toml", Path::new("/repo"))
    }

    #[test]
    fn full_file_parses() {
        let c = parse(
            r#"
exclude = ["legacy/**", "*.bak.tf"]
threshold = "medium"

[rules]
enable = []
disable = ["PAL001"]

[severity]
sg-admin-port-open-to-internet = "high"

[params]
pipeline_roles = ["arn:aws:iam::111122223333:role/ci"]
admin_ports = [22, 3389, 5985]

[[ignore]]
rule = "PAL001"
resources = ["aws_security_group.bastion*"]
reason = "break-glass"
"#,
        )
        .expect("valid");
        assert_eq!(c.threshold, Some(Severity::Medium));
        assert_eq!(c.disable.len(), 1);
        assert_eq!(c.severity.get("PAL001"), Some(&Severity::High));
        assert_eq!(c.params.admin_ports, vec![22, 3389, 5985]);
        assert_eq!(c.params.pipeline_roles.len(), 1);
        // Defaults stay for what the file does not set.
        assert!(c.params.database_ports.contains(&5432));
        assert_eq!(c.ignores.len(), 1);
        assert_eq!(c.ignores[0].at.line, 17);
        let ex = c.exclude.expect("exclude");
        assert!(ex.matches(Path::new("/repo/legacy/a/main.tf")));
        assert!(ex.matches(Path::new("/repo/x/old.bak.tf")));
        assert!(!ex.matches(Path::new("/repo/infra/main.tf")));
        assert!(!ex.matches(Path::new("/elsewhere/legacy2/main.tf")));
    }

    #[test]
    fn errors_name_file_and_line() {
        let cases = [
            (
                "threshold = \"low\"\ntresholds = 1\n",
                "palisade.toml:2:",
                "unknown field `tresholds`",
            ),
            (
                "[rules]\ndisable = [\"PAL999\"]\n",
                "palisade.toml:2:",
                "unknown rule `PAL999`",
            ),
            (
                "[params]\nadmin_port = [22]\n",
                "palisade.toml:2:",
                "unknown field `admin_port`",
            ),
            (
                "[params]\nadmin_ports = [\"ssh\"]\n",
                "palisade.toml:2:",
                "invalid type",
            ),
            (
                "threshold = \"urgent\"\n",
                "palisade.toml:1:",
                "unknown variant `urgent`",
            ),
            (
                "[severity]\nPAL998 = \"low\"\n",
                "palisade.toml:2:",
                "unknown rule `PAL998`",
            ),
            (
                "[[ignore]]\nrule = \"PAL001\"\n",
                "palisade.toml:1:",
                "missing field `reason`",
            ),
            (
                "\n[[ignore]]\nrule = \"PAL001\"\nreason = \"  \"\n",
                "palisade.toml:4:",
                "non-empty `reason`",
            ),
            ("exclude = [\"a/[\"]\n", "palisade.toml:1:", "bad glob"),
            ("this is not toml", "palisade.toml:1:", ""),
        ];
        for (text, place, msg) in cases {
            let err = parse(text).err().unwrap_or_default();
            assert!(err.starts_with(place), "{text:?}: {err}");
            assert!(err.contains(msg), "{text:?}: {err}");
        }
    }

    #[test]
    fn rule_selection_follows_flags_then_file() {
        let c = parse("[rules]\ndisable = [\"PAL001\"]\n").expect("valid");
        let all = c.select_rules(&[], &[]).expect("ok");
        assert!(!all.iter().any(|r| r.id == "PAL001"));
        // --rule wins over the file's disable list.
        let only = c.select_rules(&["PAL001".into()], &[]).expect("ok");
        assert_eq!(only.len(), 1);
        assert!(c.select_rules(&["nope".into()], &[]).is_err());
        let c = parse("[rules]\nenable = [\"PAL001\"]\n").expect("valid");
        assert_eq!(c.select_rules(&[], &[]).expect("ok").len(), 1);
        assert!(c
            .select_rules(&[], &["PAL001".into()])
            .expect("ok")
            .is_empty());
    }

    #[test]
    fn custom_rules_are_relative_to_the_file() {
        let c = parse("custom_rules = [\"policy/rego\", \"/abs/rules\"]\n").expect("valid");
        assert_eq!(
            c.custom_rules,
            vec![
                PathBuf::from("/repo/policy/rego"),
                PathBuf::from("/abs/rules")
            ]
        );
        let err = parse("\ncustom_rules = [\"\"]\n").err().unwrap_or_default();
        assert!(err.starts_with("palisade.toml:2:"), "{err}");
    }
}
