//! The scan pipeline, in one direction:
//! discover inputs → load (per format) → adapt into the typed model → run
//! rules → a normalised [`ScanReport`]. Loaders know formats, rules know the
//! model, reporters (elsewhere) know the report.

mod discover;

pub use discover::{discover, Discovered, InputKind};

use palisade_model::finding::{ScanReport, Severity};
use palisade_model::{Diagnostic, Model};
use palisade_rules::{Params, Rule};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Everything a scan needs to know.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    pub terraform: palisade_terraform::Options,
    pub rules: Vec<&'static Rule>,
    pub params: Params,
    /// Files larger than this are reported and skipped.
    pub max_file_bytes: u64,
    /// Paths are shown relative to this directory when they are under it.
    pub display_base: PathBuf,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            paths: vec![PathBuf::from(".")],
            terraform: palisade_terraform::Options::default(),
            rules: palisade_rules::all(),
            params: Params::default(),
            max_file_bytes: 5 * 1024 * 1024,
            display_base: std::env::current_dir().unwrap_or_default(),
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
    let found = discover(&opts.paths, opts.max_file_bytes, &opts.display_base);
    let base = opts.display_base.clone();
    let display = move |p: &Path| display_path(&base, p);

    let tf_parts: Vec<Part> = found
        .terraform_roots
        .par_iter()
        .map(|dir| load_terraform_root(dir, opts, &display))
        .collect();
    let k8s_parts: Vec<Part> = found
        .manifests
        .par_iter()
        .map(|file| load_manifest(file, &display))
        .collect();

    let mut model = Model::default();
    let mut report = ScanReport {
        errors: found.errors.clone(),
        notes: found.notes.clone(),
        ..Default::default()
    };
    let mut files = 0;
    for part in tf_parts.into_iter().chain(k8s_parts) {
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

fn load_terraform_root(
    dir: &Path,
    opts: &ScanOptions,
    display: &(dyn Fn(&Path) -> String + Sync),
) -> Part {
    let mut tf = opts.terraform.clone();
    if tf.tree_root.is_none() {
        tf.tree_root = tree_root_of(dir, &opts.paths);
    }
    let root = palisade_terraform::load_root(dir, &tf, display);
    let adapted = palisade_adapt::terraform::adapt_terraform(&root.resources);
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
    let (findings, unknowns) = palisade_rules::run(&model, &opts.rules, &opts.params);
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
    report.rules = opts.rules.iter().map(|r| r.info()).collect();
    report.secret_locations = model.secrets.iter().map(|s| s.loc.clone()).collect();
    report.normalise();
    ScanOutcome { model, report }
}

/// Findings at or above `min`.
pub fn at_or_above(report: &ScanReport, min: Severity) -> usize {
    report.findings.iter().filter(|f| f.severity >= min).count()
}
