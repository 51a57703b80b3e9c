//! The scan pipeline, in one direction:
//! discover inputs → load (per format) → adapt into the typed model → run
//! rules → suppressions and baseline → a normalised [`ScanReport`]. Loaders
//! know formats, rules know the model, reporters (elsewhere) know the report.
//!
//! Terraform plans (`terraform show -json`, found by content or named in
//! [`ScanOptions::plans`]) load with the plan loader. A plan whose
//! configuration directory (its own directory, or
//! [`ScanOptions::plan_config`]) is also a scanned Terraform root replaces
//! that root's evaluated resources by its planned values, address by
//! address; the root's other resources stay. Several plans for one root are
//! each scanned on their own.
//!
//! CloudFormation templates (found by content) load with `palisade-cfn`
//! ([`ScanOptions::cloudformation`] gives parameter and pseudo-parameter
//! values) and adapt with `palisade_adapt::cfn`. When several templates are
//! scanned, each one's logical IDs link only inside it.

pub mod baseline;
pub mod config;
mod discover;
mod scope;
mod suppress;

pub use baseline::Baseline;
pub use config::{Config, Exclude};
pub use discover::{discover, discover_with, Discovered, InputKind, MAX_PLAN_BYTES};
pub use suppress::{ConfigIgnore, ANNOTATION};

use palisade_model::finding::{ScanReport, Severity};
use palisade_model::{Diagnostic, Model};
use palisade_rules::{Params, Rule};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Everything a scan needs to know.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    pub terraform: palisade_terraform::Options,
    /// CloudFormation parameter and pseudo-parameter values.
    pub cloudformation: palisade_cfn::Options,
    pub rules: Vec<&'static Rule>,
    pub params: Params,
    /// Files larger than this are reported and skipped.
    pub max_file_bytes: u64,
    /// Paths are shown relative to this directory when they are under it.
    pub display_base: PathBuf,
    /// Terraform plan JSON files to scan besides what `paths` hold.
    pub plans: Vec<PathBuf>,
    /// The configuration directory of the plans (default: each plan's own
    /// directory when it holds `.tf` files).
    pub plan_config: Option<PathBuf>,
    /// Paths left out of the walk (`palisade.toml` `exclude`).
    pub exclude: Option<Exclude>,
    /// Severity overrides by rule id.
    pub severity: BTreeMap<String, Severity>,
    /// Suppressions from `palisade.toml`.
    pub ignores: Vec<ConfigIgnore>,
    /// Findings accepted by a previous report.
    pub baseline: Option<Baseline>,
    /// Custom rules in Rego (`--rules-dir`, `custom_rules`), compiled once;
    /// their load errors go into the report's errors.
    pub custom_rules: palisade_rego::RuleSet,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            paths: vec![PathBuf::from(".")],
            terraform: palisade_terraform::Options::default(),
            cloudformation: palisade_cfn::Options::default(),
            rules: palisade_rules::all(),
            params: Params::default(),
            max_file_bytes: 5 * 1024 * 1024,
            display_base: std::env::current_dir().unwrap_or_default(),
            plans: Vec::new(),
            plan_config: None,
            exclude: None,
            severity: BTreeMap::new(),
            ignores: Vec::new(),
            baseline: None,
            custom_rules: palisade_rego::RuleSet::default(),
        }
    }
}

/// The model built from the inputs and the report of the rules run on it.
#[derive(Debug, Default)]
pub struct ScanOutcome {
    pub model: Model,
    pub report: ScanReport,
}

/// Shows `path` relative to `base` when it is under it, with forward slashes,
/// so reports are the same on every machine and checkout location.
pub fn display_path(base: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    let rel = rel.strip_prefix(".").unwrap_or(rel);
    let s = rel.to_string_lossy().replace('\\', "/");
    if s.is_empty() {
        ".".into()
    } else {
        s
    }
}

/// What one loader produced, before merging.
#[derive(Default)]
struct Part {
    model: Model,
    errors: Vec<Diagnostic>,
    notes: Vec<Diagnostic>,
    unknowns: Vec<palisade_model::Unknown>,
    files: usize,
}

/// Loads every input into one model (no rules run).
pub fn load(opts: &ScanOptions) -> (Model, ScanReport, BTreeSet<String>) {
    let found = discover_with(
        &opts.paths,
        opts.max_file_bytes,
        &opts.display_base,
        opts.exclude.as_ref(),
    );
    let base = opts.display_base.clone();
    let display = move |p: &Path| display_path(&base, p);

    // Plans: those named and those found, each with its configuration.
    let (root_plans, lone_plans, plan_notes) = place_plans(&found, opts, &display);
    // Several roots in one model: keep each root's links inside it.
    let scoped = found.terraform_roots.len() > 1;
    let tf_parts: Vec<Part> = found
        .terraform_roots
        .par_iter()
        .enumerate()
        .map(|(i, dir)| {
            let plan = root_plans.iter().find(|(r, _)| *r == i).map(|(_, p)| p);
            let scope = scoped.then(|| display(dir));
            load_terraform_root(dir, opts, plan, scope.as_deref(), &display)
        })
        .collect();
    let plan_parts: Vec<Part> = lone_plans
        .par_iter()
        .map(|(plan, config)| load_plan_part(plan, config.as_deref(), &display))
        .collect();
    let k8s_parts: Vec<Part> = found
        .manifests
        .par_iter()
        .map(|file| load_manifest(file, &display))
        .collect();
    let several = found.templates.len() > 1;
    let cfn_parts: Vec<Part> = found
        .templates
        .par_iter()
        .map(|file| load_template(file, opts, several, &display))
        .collect();

    let mut model = Model::default();
    let mut report = ScanReport {
        errors: found.errors.clone(),
        notes: found.notes.clone(),
        ..Default::default()
    };
    report.notes.extend(plan_notes);
    let mut files = 0;
    for part in tf_parts
        .into_iter()
        .chain(plan_parts)
        .chain(k8s_parts)
        .chain(cfn_parts)
    {
        model.extend(part.model);
        report.errors.extend(part.errors);
        report.notes.extend(part.notes);
        report.unknowns.extend(part.unknowns);
        files += part.files;
    }
    model.aws.finish();
    report.summary.files = files;
    report.summary.resources = model.resource_count();
    (model, report, found.only_files)
}

/// The scanned path a Terraform root was found under: `file()` and local
/// module sources never read outside it.
fn tree_root_of(dir: &Path, paths: &[PathBuf]) -> Option<PathBuf> {
    paths
        .iter()
        .map(|p| {
            if p.is_file() {
                p.parent().map(Path::to_path_buf).unwrap_or_default()
            } else {
                p.clone()
            }
        })
        .map(|p| {
            if p.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                p
            }
        })
        .find(|p| dir.starts_with(p))
}

/// Decides where each plan goes: `(root index, plan)` for a plan that
/// replaces a scanned root's values, `(plan, config dir)` for plans scanned
/// on their own, and notes.
#[allow(clippy::type_complexity)]
fn place_plans(
    found: &Discovered,
    opts: &ScanOptions,
    display: &(dyn Fn(&Path) -> String + Sync),
) -> (
    Vec<(usize, PathBuf)>,
    Vec<(PathBuf, Option<PathBuf>)>,
    Vec<Diagnostic>,
) {
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| config::absolute(p));
    let mut plans: Vec<PathBuf> = Vec::new();
    let mut seen = BTreeSet::new();
    for p in opts.plans.iter().chain(&found.plans) {
        if seen.insert(canon(p)) {
            plans.push(p.clone());
        }
    }
    let roots: Vec<PathBuf> = found.terraform_roots.iter().map(|r| canon(r)).collect();
    let mut by_root: BTreeMap<usize, Vec<(PathBuf, PathBuf)>> = BTreeMap::new();
    let mut lone = Vec::new();
    for plan in plans {
        let config = opts.plan_config.clone().or_else(|| {
            let dir = plan.parent().map(Path::to_path_buf).unwrap_or_default();
            let dir = if dir.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                dir
            };
            has_terraform_files(&dir).then_some(dir)
        });
        match config.as_ref().and_then(|c| {
            let c = canon(c);
            roots.iter().position(|r| *r == c)
        }) {
            Some(i) => by_root
                .entry(i)
                .or_default()
                .push((plan, config.unwrap_or_default())),
            None => lone.push((plan, config)),
        }
    }
    let mut merged = Vec::new();
    let mut notes = Vec::new();
    for (i, list) in by_root {
        if list.len() == 1 {
            if let Some((plan, _)) = list.into_iter().next() {
                merged.push((i, plan));
            }
        } else {
            let dir = found
                .terraform_roots
                .get(i)
                .map(|d| display(d))
                .unwrap_or_default();
            for (plan, config) in list {
                notes.push(Diagnostic::new(
                    display(&plan),
                    None,
                    format!("one of several plans of {dir}: scanned on its own, beside the configuration"),
                ));
                lone.push((plan, Some(config)));
            }
        }
    }
    (merged, lone, notes)
}

fn has_terraform_files(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|rd| {
        rd.flatten().any(|e| {
            let n = e.file_name();
            let n = n.to_string_lossy();
            n.ends_with(".tf") || n.ends_with(".tf.json")
        })
    })
}

/// Reads and loads one plan file.
fn read_plan(
    plan: &Path,
    config: Option<&Path>,
    display: &(dyn Fn(&Path) -> String + Sync),
) -> palisade_terraform::RootLoad {
    let shown = display(plan);
    let fail = |msg: String| palisade_terraform::RootLoad {
        errors: vec![Diagnostic::new(shown.clone(), None, msg)],
        ..Default::default()
    };
    match std::fs::metadata(plan) {
        Ok(m) if m.len() > MAX_PLAN_BYTES => {
            return fail(format!(
                "plan is {} bytes, over the {MAX_PLAN_BYTES}-byte limit: skipped",
                m.len()
            ))
        }
        Err(e) => return fail(format!("cannot read plan: {e}")),
        Ok(_) => {}
    }
    let text = match std::fs::read(plan).map(String::from_utf8) {
        Ok(Ok(t)) => t,
        Ok(Err(_)) => {
            return fail("not valid UTF-8 text (binary plan? use `terraform show -json`)".into())
        }
        Err(e) => return fail(format!("cannot read plan: {e}")),
    };
    palisade_terraform::load_plan(&text, &shown, config, display)
}

/// A plan scanned on its own.
fn load_plan_part(
    plan: &Path,
    config: Option<&Path>,
    display: &(dyn Fn(&Path) -> String + Sync),
) -> Part {
    let load = read_plan(plan, config, display);
    let adapted = palisade_adapt::terraform::adapt_terraform(&load.resources);
    let mut notes = load.notes;
    notes.extend(adapted.notes);
    let mut unknowns = load.unknowns;
    unknowns.extend(adapted.unknowns);
    Part {
        model: Model {
            aws: adapted.aws,
            secrets: load.secrets,
            ..Default::default()
        },
        errors: load.errors,
        notes,
        unknowns,
        files: 1,
    }
}

/// An address without its instance keys: `module.a[0].aws_x.y["k"]` →
/// `module.a.aws_x.y`.
fn strip_indexes(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0u32;
    let mut in_str = false;
    let mut escaped = false;
    for c in address.chars() {
        if in_str {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '"' if depth > 0 => in_str = true,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Planned values win: the plan's resources replace the evaluated ones of
/// the same resource (whatever their instance keys).
fn merge_plan(root: &mut palisade_terraform::RootLoad, plan: palisade_terraform::RootLoad) {
    let planned: BTreeSet<String> = plan
        .resources
        .iter()
        .map(|r| strip_indexes(&r.address))
        .collect();
    root.resources
        .retain(|r| !planned.contains(&strip_indexes(&r.address)));
    root.unknowns
        .retain(|u| !planned.contains(&strip_indexes(&u.resource)));
    root.resources.extend(plan.resources);
    root.resources.sort_by(|a, b| a.address.cmp(&b.address));
    root.secrets.extend(plan.secrets);
    root.errors.extend(plan.errors);
    root.notes.extend(plan.notes);
    root.unknowns.extend(plan.unknowns);
    root.files.extend(plan.files.into_iter().take(1));
}

fn load_terraform_root(
    dir: &Path,
    opts: &ScanOptions,
    plan: Option<&PathBuf>,
    scope: Option<&str>,
    display: &(dyn Fn(&Path) -> String + Sync),
) -> Part {
    let mut tf = opts.terraform.clone();
    if tf.tree_root.is_none() {
        tf.tree_root = tree_root_of(dir, &opts.paths);
    }
    let mut root = palisade_terraform::load_root(dir, &tf, display);
    if let Some(plan) = plan {
        let loaded = read_plan(plan, Some(dir), display);
        merge_plan(&mut root, loaded);
    }
    if let Some(scope) = scope {
        scope::apply(&mut root.resources, scope);
    }
    let mut adapted = palisade_adapt::terraform::adapt_terraform(&root.resources);
    if scope.is_some() {
        scope::restore(&mut adapted.aws, &mut adapted.unknowns);
    }
    let mut model = Model {
        aws: adapted.aws,
        ..Default::default()
    };
    model.secrets = root.secrets;
    let mut unknowns = root.unknowns;
    unknowns.extend(adapted.unknowns);
    let mut notes = root.notes;
    notes.extend(adapted.notes);
    Part {
        model,
        errors: root.errors,
        notes,
        unknowns,
        files: root.files.len(),
    }
}

/// Loads and adapts one CloudFormation template; `scoped` keeps its logical
/// IDs from linking to another template's.
fn load_template(
    file: &Path,
    opts: &ScanOptions,
    scoped: bool,
    display: &(dyn Fn(&Path) -> String + Sync),
) -> Part {
    let shown = display(file);
    let mut load = match std::fs::read(file) {
        Ok(bytes) => palisade_cfn::load_bytes(&bytes, &shown, &opts.cloudformation),
        Err(e) => {
            return Part {
                errors: vec![Diagnostic::new(
                    shown,
                    None,
                    format!("cannot read file: {e}"),
                )],
                files: 1,
                ..Default::default()
            }
        }
    };
    if scoped {
        scope::apply(&mut load.resources, &shown);
    }
    let mut adapted = palisade_adapt::cfn::adapt_cloudformation(&load.resources);
    if scoped {
        scope::restore(&mut adapted.aws, &mut adapted.unknowns);
    }
    let mut notes = load.notes;
    notes.extend(adapted.notes);
    let mut unknowns = load.unknowns;
    unknowns.extend(adapted.unknowns);
    Part {
        model: Model {
            aws: adapted.aws,
            secrets: load.secrets,
            ..Default::default()
        },
        errors: load.errors,
        notes,
        unknowns,
        files: 1,
    }
}

fn load_manifest(file: &Path, display: &(dyn Fn(&Path) -> String + Sync)) -> Part {
    let shown = display(file);
    let text = match std::fs::read(file) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                return Part {
                    errors: vec![Diagnostic::new(
                        shown,
                        None,
                        "not valid UTF-8 text (binary file?)",
                    )],
                    files: 1,
                    ..Default::default()
                }
            }
        },
        Err(e) => {
            return Part {
                errors: vec![Diagnostic::new(
                    shown,
                    None,
                    format!("cannot read file: {e}"),
                )],
                files: 1,
                ..Default::default()
            }
        }
    };
    let loaded = palisade_k8s::load_file(&text, &shown);
    Part {
        model: Model {
            k8s: loaded.k8s,
            secrets: loaded.secrets,
            ..Default::default()
        },
        errors: loaded.errors,
        notes: loaded.notes,
        unknowns: Vec::new(),
        files: 1,
    }
}

/// Runs a whole scan: load, run the selected rules, build a normalised report.
pub fn scan(opts: &ScanOptions) -> ScanOutcome {
    let (model, mut report, only_files) = load(opts);
    let (mut findings, mut unknowns) = palisade_rules::run(&model, &opts.rules, &opts.params);
    // Custom rules: the whole model is their input, evaluated once.
    let custom = opts.custom_rules.evaluate(&model);
    findings.extend(custom.findings);
    report
        .errors
        .extend(opts.custom_rules.errors().iter().cloned());
    report.errors.extend(custom.errors);
    // Messages may name linked resources by their root-scoped keys.
    for f in &mut findings {
        let message = scope::strip(&f.message);
        if message != f.message {
            f.message = message;
            f.fingerprint =
                palisade_model::finding::fingerprint(&[&f.rule, &f.resource, &f.message]);
        }
    }
    for u in &mut unknowns {
        u.resource = scope::strip(&u.resource);
        u.reason = scope::strip(&u.reason);
    }
    report.findings = findings;
    report.unknowns.extend(unknowns);
    if !only_files.is_empty() {
        // The user named single files of a larger root: the whole root was
        // evaluated, but only what is in those files is reported.
        report
            .findings
            .retain(|f| only_files.contains(f.location.file.as_ref()));
        report.unknowns.retain(|u| {
            u.location
                .as_ref()
                .is_none_or(|l| only_files.contains(l.file.as_ref()))
        });
    }
    for f in &mut report.findings {
        if let Some(s) = opts.severity.get(&f.rule) {
            f.severity = *s;
        }
    }
    let custom: Vec<_> = opts
        .custom_rules
        .all_rules()
        .iter()
        .map(|r| r.info.clone())
        .collect();
    // `[[ignore]]` entries may name custom rules, known only now.
    for ig in &opts.ignores {
        if palisade_rules::find(&ig.rule).is_none() && !custom.iter().any(|c| c.id == ig.rule) {
            report.errors.push(Diagnostic::new(
                &*ig.at.file,
                Some(ig.at.line),
                format!(
                    "[[ignore]] names unknown rule `{}` (see `palisade rules`)",
                    ig.rule
                ),
            ));
        }
    }
    suppress::apply(
        &mut report,
        &model,
        &opts.display_base,
        &opts.ignores,
        &custom,
    );
    if let Some(b) = &opts.baseline {
        b.apply(&mut report);
    }
    report.rules = opts
        .rules
        .iter()
        .map(|r| {
            let mut info = r.info();
            if let Some(s) = opts.severity.get(r.id) {
                info.severity = *s;
            }
            info
        })
        .collect();
    report
        .rules
        .extend(opts.custom_rules.rules().iter().map(|r| r.info.clone()));
    report.secret_locations = model.secrets.iter().map(|s| s.loc.clone()).collect();
    report.secret_values = model.secrets.iter().map(|s| s.value.clone()).collect();
    report.normalise();
    ScanOutcome { model, report }
}

/// Findings at or above `min`.
pub fn at_or_above(report: &ScanReport, min: Severity) -> usize {
    report.findings.iter().filter(|f| f.severity >= min).count()
}
