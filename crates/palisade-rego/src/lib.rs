//! Custom palisade rules written in Rego.
//!
//! Users write their own rules in Rego v1 (the language of OPA, Conftest,
//! Trivy and Kubescape), evaluated in-process by [regorus] over the JSON
//! form of the typed model that `palisade model PATH` prints (its shape is
//! in `MODEL.md` beside this crate). A custom rule is a `.rego` file whose
//! package is `palisade.rules.<name>` and which declares
//!
//! * `__rego_metadata__`: a constant object with `id` (`ORG001`; the `PAL`
//!   prefix is reserved for built-in rules), `title`, `severity` (critical,
//!   high, medium, low, info), `description`, `remediation`, and optionally
//!   `practices` (IDs of `shared/PRACTICES.md`) and `references`;
//! * `deny`: a set of objects `{"resource": ADDRESS, "message": TEXT,
//!   "location": {"file": F, "line": N, "end_line": M}}`; `location` is
//!   optional and defaults to the location of the resource with that
//!   address (or key).
//!
//! Their findings are ordinary [`Finding`]s (same fingerprint, severities,
//! practices), so suppressions, baselines and every output format treat
//! them like built-in ones. Files of other packages are libraries the rules
//! may import; `*_test.rego` files are skipped.
//!
//! Every policy is parsed and compiled once per [`RuleSet`]; a scan sets the
//! whole model as `input` once and evaluates each rule's `deny` once.
//! Problems (syntax errors, compile errors, bad metadata, runtime errors,
//! malformed `deny` entries) become [`Diagnostic`]s naming the policy file
//! and line; the other rules still run.

mod deny;
mod diag;
pub mod meta;

pub use meta::Metadata;

use palisade_model::finding::{Finding, RuleInfo};
use palisade_model::{Diagnostic, Model};
use regorus::Engine;
use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The package every custom rule lives under.
pub const RULES_PACKAGE: &str = "palisade.rules";

/// Largest policy file read.
pub const MAX_POLICY_BYTES: u64 = 1024 * 1024;

/// Longest a single rule may evaluate before it is stopped with an error.
pub const EVAL_LIMIT: Duration = Duration::from_secs(60);

/// Deepest directory level searched for policies.
const MAX_DEPTH: usize = 16;

/// A loaded, checked custom rule.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomRule {
    /// Its metadata, as reporters and `palisade rules` show it.
    pub info: RuleInfo,
    /// The policy file declaring `__rego_metadata__`, as shown to users.
    pub file: String,
    /// The package (`palisade.rules.owner_tag`).
    pub package: String,
    /// Line of the `deny` rule (for errors about its entries).
    deny_line: Option<u32>,
}

impl CustomRule {
    /// True when `key` names this rule: its id or name (case-insensitive),
    /// or its package's last component.
    pub fn is(&self, key: &str) -> bool {
        self.info.id.eq_ignore_ascii_case(key)
            || self.info.name.eq_ignore_ascii_case(key)
            || self
                .package
                .rsplit('.')
                .next()
                .is_some_and(|n| n.eq_ignore_ascii_case(key))
    }

    fn deny_path(&self) -> String {
        format!("data.{}.deny", self.package)
    }
}

/// Custom rules compiled into one engine, with the problems met loading them.
#[derive(Clone, Debug, Default)]
pub struct RuleSet {
    /// The rules that run.
    rules: Vec<CustomRule>,
    /// Every rule loaded, selected or not (suppressions may name any).
    all: Vec<CustomRule>,
    engine: Option<Engine>,
    errors: Vec<Diagnostic>,
    files: usize,
}

/// What evaluating the rules over a model produced.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Evaluation {
    pub findings: Vec<Finding>,
    /// Runtime errors and malformed `deny` entries, naming file and line.
    pub errors: Vec<Diagnostic>,
}

/// One policy file.
#[derive(Clone, Debug)]
struct Source {
    /// The path shown to users (and given to regorus, so its errors name it).
    shown: String,
    text: String,
}

impl RuleSet {
    /// Loads every `.rego` file under `dirs` (directories, searched
    /// recursively, or single files). `display` maps a real path to the
    /// path shown to users.
    pub fn load(dirs: &[PathBuf], display: &dyn Fn(&Path) -> String) -> RuleSet {
        let mut sources = Vec::new();
        let mut errors = Vec::new();
        for dir in dirs {
            collect(dir, display, 0, &mut sources, &mut errors);
        }
        let mut seen = std::collections::HashSet::new();
        sources.retain(|s: &Source| seen.insert(s.shown.clone()));
        let mut set = RuleSet::compile(sources);
        errors.append(&mut set.errors);
        set.errors = errors;
        set
    }

    /// Compiles policies given as `(shown path, text)` pairs.
    pub fn from_sources<S: Into<String>, T: Into<String>>(
        sources: impl IntoIterator<Item = (S, T)>,
    ) -> RuleSet {
        RuleSet::compile(
            sources
                .into_iter()
                .map(|(s, t)| Source {
                    shown: s.into(),
                    text: t.into(),
                })
                .collect(),
        )
    }

    /// The rules that run (all that loaded, less those left out by
    /// [`RuleSet::retain`]), sorted by id.
    pub fn rules(&self) -> &[CustomRule] {
        &self.rules
    }

    /// Every rule that loaded, sorted by id, whether it runs or not.
    pub fn all_rules(&self) -> &[CustomRule] {
        &self.all
    }

    /// Problems met loading the rules (each names a file and, when known, a line).
    pub fn errors(&self) -> &[Diagnostic] {
        &self.errors
    }

    /// Number of policy files read.
    pub fn files(&self) -> usize {
        self.files
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Looks a rule that loaded up by id or name.
    pub fn find(&self, key: &str) -> Option<&CustomRule> {
        self.all.iter().find(|r| r.is(key))
    }

    /// Runs only the rules `keep` accepts.
    pub fn retain(&mut self, keep: impl Fn(&CustomRule) -> bool) {
        self.rules.retain(|r| keep(r));
    }

    /// Evaluates every rule once over the whole model.
    pub fn evaluate(&self, model: &Model) -> Evaluation {
        let mut out = Evaluation::default();
        let Some(engine) = &self.engine else {
            return out;
        };
        if self.rules.is_empty() {
            return out;
        }
        let input = match serde_json::to_string(model) {
            Ok(s) => s,
            Err(e) => {
                out.errors.push(Diagnostic::new(
                    "<model>",
                    None,
                    format!("cannot encode the model for the custom rules: {e}"),
                ));
                return out;
            }
        };
        let mut engine = engine.clone();
        if let Err(e) = engine.set_input_json(&input) {
            out.errors.push(Diagnostic::new(
                "<model>",
                None,
                format!("cannot give the model to the custom rules: {e:#}"),
            ));
            return out;
        }
        if let Some(check_interval) = NonZeroU32::new(1000) {
            engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
                limit: EVAL_LIMIT,
                check_interval,
            });
        }
        let index = deny::Index::new(model);
        for rule in &self.rules {
            match engine.eval_rule(rule.deny_path()) {
                Ok(v) => deny::findings(rule, &v, &index, &mut out),
                Err(e) => out.errors.push(diag::diagnostic(
                    &format!("{e:#}"),
                    &rule.file,
                    &format!("custom rule {}", rule.info.id),
                )),
            }
        }
        out
    }

    fn compile(sources: Vec<Source>) -> RuleSet {
        let mut set = RuleSet {
            files: sources.len(),
            ..RuleSet::default()
        };
        // Parse every file; those that do not parse are left out.
        let mut engine = Engine::new();
        let mut kept = Vec::new();
        for s in sources {
            match engine.add_policy(s.shown.clone(), s.text.clone()) {
                Ok(package) => kept.push((s, package)),
                Err(e) => set.errors.push(diag::diagnostic(
                    &format!("{e:#}"),
                    &s.shown,
                    "Rego parse error",
                )),
            }
        }
        if kept.is_empty() {
            return set;
        }
        // Compile them together; a file that does not compile is left out
        // and the rest compiled again.
        while let Err(e) = engine.eval_query("true".to_string(), false) {
            let text = format!("{e:#}");
            let p = diag::parse(&text);
            let culprit = p
                .file
                .as_deref()
                .and_then(|f| kept.iter().position(|(s, _)| s.shown == f))
                .unwrap_or(0);
            let (s, _) = kept.remove(culprit);
            set.errors
                .push(diag::diagnostic(&text, &s.shown, "Rego compile error"));
            if kept.is_empty() {
                return set;
            }
            engine = Engine::new();
            for (s, _) in &kept {
                // Parsed once already: cannot fail now.
                let _ = engine.add_policy(s.shown.clone(), s.text.clone());
            }
        }
        set.rules = rules(&engine, &kept, &mut set.errors);
        set.all = set.rules.clone();
        set.engine = Some(engine);
        set
    }
}

/// The rule packages among the compiled files, with their metadata checked.
fn rules(
    engine: &Engine,
    kept: &[(Source, String)],
    errors: &mut Vec<Diagnostic>,
) -> Vec<CustomRule> {
    let prefix = format!("data.{RULES_PACKAGE}.");
    // Package → its files, in load order.
    let mut packages: BTreeMap<String, Vec<&Source>> = BTreeMap::new();
    for (s, package) in kept {
        let Some(name) = package.strip_prefix(&prefix) else {
            continue; // a library
        };
        let well_formed =
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !well_formed {
            errors.push(Diagnostic::new(
                s.shown.clone(),
                line_of(&s.text, "package"),
                format!(
                    "custom rule package `{}` must be `{RULES_PACKAGE}.<name>`, with a name of letters, digits and `_`",
                    package.trim_start_matches("data.")
                ),
            ));
            continue;
        }
        packages.entry(name.to_string()).or_default().push(s);
    }
    let mut out: Vec<CustomRule> = Vec::new();
    for (name, files) in packages {
        let package = format!("{RULES_PACKAGE}.{name}");
        let declares = |s: &Source, rule: &str| {
            engine
                .has_declared_rule_rooted_at(&s.shown, rule)
                .unwrap_or(false)
        };
        let Some(first) = files.first() else {
            continue;
        };
        let Some(meta_file) = files.iter().find(|s| declares(s, "__rego_metadata__")) else {
            errors.push(Diagnostic::new(
                first.shown.clone(),
                line_of(&first.text, "package"),
                format!(
                    "custom rule package `{package}` declares no `__rego_metadata__` (id, title, severity, description, remediation)"
                ),
            ));
            continue;
        };
        let meta_line = line_of(&meta_file.text, "__rego_metadata__");
        let Some(deny_file) = files.iter().find(|s| declares(s, "deny")) else {
            errors.push(Diagnostic::new(
                meta_file.shown.clone(),
                line_of(&meta_file.text, "package"),
                format!("custom rule package `{package}` declares no `deny` rule"),
            ));
            continue;
        };
        let deny_line = line_of(&deny_file.text, "deny");
        let mut engine = engine.clone();
        let value = match engine.eval_rule(format!("data.{package}.__rego_metadata__")) {
            Ok(v) => v,
            Err(e) => {
                errors.push(diag::diagnostic(
                    &format!("{e:#}"),
                    &meta_file.shown,
                    "cannot evaluate `__rego_metadata__`",
                ));
                continue;
            }
        };
        let checked = if value == regorus::Value::Undefined {
            Err("`__rego_metadata__` is undefined: it must be a constant object, not depend on `input`".to_string())
        } else {
            serde_json::to_value(&value)
                .map_err(|e| e.to_string())
                .and_then(|v| meta::check(&v))
        };
        let m = match checked {
            Ok(m) => m,
            Err(e) => {
                errors.push(Diagnostic::new(meta_file.shown.clone(), meta_line, e));
                continue;
            }
        };
        if let Some(other) = out.iter().find(|r| r.info.id == m.id) {
            errors.push(Diagnostic::new(
                meta_file.shown.clone(),
                meta_line,
                format!(
                    "custom rule id `{}` is already used by {}",
                    m.id, other.file
                ),
            ));
            continue;
        }
        out.push(CustomRule {
            info: RuleInfo {
                id: m.id,
                name: name.replace('_', "-"),
                title: m.title,
                severity: m.severity,
                practices: m.practices,
                description: m.description,
                remediation: m.remediation,
                benchmarks: Vec::new(),
                references: m.references,
            },
            file: meta_file.shown.clone(),
            package,
            deny_line,
        });
    }
    out.sort_by(|a, b| a.info.id.cmp(&b.info.id));
    out
}

/// 1-based line of the first line starting (after indentation) with `word`
/// followed by a non-identifier character.
fn line_of(text: &str, word: &str) -> Option<u32> {
    text.lines()
        .position(|l| {
            l.trim_start().strip_prefix(word).is_some_and(|rest| {
                !rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            })
        })
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// Adds the policy files under `path` (recursively; symbolic links to
/// directories are not followed, so there are no loops).
fn collect(
    path: &Path,
    display: &dyn Fn(&Path) -> String,
    depth: usize,
    out: &mut Vec<Source>,
    errors: &mut Vec<Diagnostic>,
) {
    let shown = display(path);
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            errors.push(Diagnostic::new(
                shown,
                None,
                format!("cannot read custom rules: {e}"),
            ));
            return;
        }
    };
    if meta.is_file() {
        if depth > 0 && !is_policy(path) {
            return;
        }
        if meta.len() > MAX_POLICY_BYTES {
            errors.push(Diagnostic::new(
                shown,
                None,
                format!(
                    "policy of {} bytes is over the {MAX_POLICY_BYTES}-byte limit; not loaded",
                    meta.len()
                ),
            ));
            return;
        }
        match std::fs::read(path).map(String::from_utf8) {
            Ok(Ok(text)) => out.push(Source { shown, text }),
            Ok(Err(_)) => errors.push(Diagnostic::new(
                shown,
                None,
                "policy is not valid UTF-8 text",
            )),
            Err(e) => errors.push(Diagnostic::new(
                shown,
                None,
                format!("cannot read policy: {e}"),
            )),
        }
        return;
    }
    if depth > MAX_DEPTH {
        return;
    }
    let entries = match std::fs::read_dir(path) {
        Ok(rd) => {
            let mut v: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
            v.sort();
            v
        }
        Err(e) => {
            errors.push(Diagnostic::new(
                shown,
                None,
                format!("cannot read custom rules directory: {e}"),
            ));
            return;
        }
    };
    for p in entries {
        let hidden = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        let link_to_dir = std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_symlink()) && p.is_dir();
        if hidden || link_to_dir {
            continue;
        }
        if p.is_dir() || is_policy(&p) {
            collect(&p, display, depth + 1, out, errors);
        }
    }
}

/// `.rego` files, less OPA test files (`*_test.rego`).
fn is_policy(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.ends_with(".rego") && !name.ends_with("_test.rego")
}

#[cfg(test)]
mod tests;
