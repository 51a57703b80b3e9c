//! Finding the inputs under the paths a user names: Terraform roots (every
//! directory holding `.tf`/`.tf.json` files), Terraform plans in JSON,
//! CloudFormation templates and Kubernetes manifests, by content (a
//! template is never also read as a manifest). Paths matching `palisade.toml`'s
//! `exclude` globs are not walked. Respects `.gitignore`, skips tool caches, never loops on
//! symlinks, never reads a file twice.

use crate::config::Exclude;
use crate::display_path;
use palisade_model::Diagnostic;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Directories that hold downloaded or generated code, never the user's own.
const SKIP_DIRS: &[&str] = &[
    ".terraform",
    ".git",
    "node_modules",
    "vendor",
    ".terragrunt-cache",
    "target",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    TerraformRoot,
    Manifest,
    CloudFormation,
}

#[derive(Debug, Default)]
pub struct Discovered {
    /// Directories with Terraform files, sorted.
    pub terraform_roots: Vec<PathBuf>,
    /// YAML/JSON files that look like Kubernetes manifests, sorted.
    pub manifests: Vec<PathBuf>,
    /// JSON files that are Terraform plans (`terraform show -json`), sorted.
    pub plans: Vec<PathBuf>,
    /// YAML/JSON files that are CloudFormation templates, sorted.
    pub templates: Vec<PathBuf>,
    pub errors: Vec<Diagnostic>,
    pub notes: Vec<Diagnostic>,
    /// When the user named individual `.tf` files, their display paths:
    /// only findings in them are reported.
    pub only_files: BTreeSet<String>,
}

fn is_terraform_file(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.ends_with(".tf") || name.ends_with(".tf.json")
}

fn is_yaml_or_json(p: &Path) -> bool {
    matches!(
        p.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("yaml" | "yml" | "json")
    ) && !is_terraform_file(p)
}

/// Plans may be this large (they repeat the configuration several times).
pub const MAX_PLAN_BYTES: u64 = 128 * 1024 * 1024;

/// Walks `paths` and classifies what it finds.
pub fn discover(paths: &[PathBuf], max_file_bytes: u64, base: &Path) -> Discovered {
    discover_with(paths, max_file_bytes, base, None)
}

/// [`discover`], leaving out what `exclude` matches (files named directly
/// in `paths` are always read).
pub fn discover_with(
    paths: &[PathBuf],
    max_file_bytes: u64,
    base: &Path,
    exclude: Option<&Exclude>,
) -> Discovered {
    let mut out = Discovered::default();
    let mut roots = BTreeSet::new();
    let mut manifests = BTreeSet::new();
    let mut plans = BTreeSet::new();
    let mut templates = BTreeSet::new();
    let mut all_named_files = true;
    let mut named_tf_files = BTreeSet::new();

    for path in paths {
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                out.errors.push(Diagnostic::new(
                    display_path(base, path),
                    None,
                    format!("cannot read: {e}"),
                ));
                continue;
            }
        };
        if meta.is_file() {
            if is_terraform_file(path) {
                let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
                let dir = if dir.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    dir
                };
                roots.insert(dir);
                named_tf_files.insert(display_path(base, path));
            } else {
                all_named_files = false;
                classify_file(
                    path,
                    max_file_bytes,
                    base,
                    &mut manifests,
                    &mut plans,
                    &mut templates,
                    &mut out,
                );
            }
            continue;
        }
        all_named_files = false;
        let exclude = exclude.cloned();
        let walker = ignore::WalkBuilder::new(path)
            .follow_links(true)
            .hidden(false)
            .git_ignore(true)
            .git_global(false)
            .git_exclude(true)
            .require_git(false)
            .parents(true)
            .filter_entry(move |e| {
                let name = e.file_name().to_str().unwrap_or("");
                let skip_dir =
                    e.file_type().is_some_and(|t| t.is_dir()) && SKIP_DIRS.contains(&name);
                let excluded =
                    e.depth() > 0 && exclude.as_ref().is_some_and(|x| x.matches(e.path()));
                !(skip_dir || excluded)
            })
            .sort_by_file_name(|a, b| a.cmp(b))
            .build();
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    let (file, msg) = describe_walk_error(&err, base);
                    out.errors.push(Diagnostic::new(file, None, msg));
                    continue;
                }
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let p = entry.path();
            if is_terraform_file(p) {
                if let Some(dir) = p.parent() {
                    roots.insert(dir.to_path_buf());
                }
            } else {
                classify_file(
                    p,
                    max_file_bytes,
                    base,
                    &mut manifests,
                    &mut plans,
                    &mut templates,
                    &mut out,
                );
            }
        }
    }
    out.terraform_roots = roots.into_iter().collect();
    out.manifests = manifests.into_iter().collect();
    out.plans = plans.into_iter().collect();
    out.templates = templates.into_iter().collect();
    if all_named_files {
        out.only_files = named_tf_files;
    }
    out
}

fn describe_walk_error(err: &ignore::Error, base: &Path) -> (String, String) {
    let path = match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        ignore::Error::WithDepth { err, .. } => return describe_walk_error(err, base),
        _ => None,
    };
    let file = path
        .map(|p| display_path(base, &p))
        .unwrap_or_else(|| ".".into());
    let msg = match err {
        ignore::Error::Loop { .. } => "symbolic link loop: not followed".to_string(),
        other => other.to_string(),
    };
    (file, msg)
}

fn classify_file(
    path: &Path,
    max_file_bytes: u64,
    base: &Path,
    manifests: &mut BTreeSet<PathBuf>,
    plans: &mut BTreeSet<PathBuf>,
    templates: &mut BTreeSet<PathBuf>,
    out: &mut Discovered,
) {
    if !is_yaml_or_json(path) {
        return;
    }
    let shown = display_path(base, path);
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if size > max_file_bytes && !(json && size <= MAX_PLAN_BYTES) {
        out.errors.push(Diagnostic::new(
            shown,
            None,
            format!("file is {size} bytes, over the {max_file_bytes}-byte limit: skipped"),
        ));
        return;
    }
    let text = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            out.errors.push(Diagnostic::new(
                shown,
                None,
                format!("cannot read file: {e}"),
            ));
            return;
        }
    };
    let Ok(text) = std::str::from_utf8(&text) else {
        out.errors.push(Diagnostic::new(
            shown,
            None,
            "not valid UTF-8 text (binary file?)",
        ));
        return;
    };
    if json && palisade_terraform::looks_like_plan(text) {
        plans.insert(path.to_path_buf());
    } else if size > max_file_bytes {
        out.errors.push(Diagnostic::new(
            shown,
            None,
            format!("file is {size} bytes, over the {max_file_bytes}-byte limit: skipped"),
        ));
    } else if palisade_cfn::is_template(text) {
        templates.insert(path.to_path_buf());
    } else if palisade_k8s::looks_like_kubernetes(text) {
        manifests.insert(path.to_path_buf());
    }
}
