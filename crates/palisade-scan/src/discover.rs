//! Finding the inputs under the paths a user names: Terraform roots (every
//! directory holding `.tf`/`.tf.json` files) and Kubernetes manifests, by
//! content. Respects `.gitignore`, skips tool caches, never loops on
//! symlinks, never reads a file twice.

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
}

#[derive(Debug, Default)]
pub struct Discovered {
    /// Directories with Terraform files, sorted.
    pub terraform_roots: Vec<PathBuf>,
    /// YAML/JSON files that look like Kubernetes manifests, sorted.
    pub manifests: Vec<PathBuf>,
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

/// Walks `paths` and classifies what it finds.
pub fn discover(paths: &[PathBuf], max_file_bytes: u64, base: &Path) -> Discovered {
    let mut out = Discovered::default();
    let mut roots = BTreeSet::new();
    let mut manifests = BTreeSet::new();
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
                classify_file(path, max_file_bytes, base, &mut manifests, &mut out);
            }
            continue;
        }
        all_named_files = false;
        let walker = ignore::WalkBuilder::new(path)
            .follow_links(true)
            .hidden(false)
            .git_ignore(true)
            .git_global(false)
            .git_exclude(true)
            .require_git(false)
            .parents(true)
            .filter_entry(|e| {
                let name = e.file_name().to_str().unwrap_or("");
                !(e.file_type().is_some_and(|t| t.is_dir()) && SKIP_DIRS.contains(&name))
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
                classify_file(p, max_file_bytes, base, &mut manifests, &mut out);
            }
        }
    }
    out.terraform_roots = roots.into_iter().collect();
    out.manifests = manifests.into_iter().collect();
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
    out: &mut Discovered,
) {
    if !is_yaml_or_json(path) {
        return;
    }
    let shown = display_path(base, path);
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > max_file_bytes {
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
    if palisade_k8s::looks_like_kubernetes(text) {
        manifests.insert(path.to_path_buf());
    }
}
