//! Loads a Terraform root module and evaluates it statically, the way
//! Terraform would plan it, into [`RawResource`]s.
//!
//! Nothing is executed and nothing is downloaded: provisioners are ignored,
//! `external` data sources are never run, remote modules are not fetched.
//! What cannot be known statically stays unknown ([`Raw::Unknown`] with the
//! reason, or [`Raw::Ref`] for attributes of other resources known only
//! after apply) and is never replaced by a guess.
//!
//! Choices where Terraform has no static answer:
//! - A resource or module whose `count`/`for_each` is unknown is emitted as
//!   ONE instance with the bare address (`aws_subnet.private`), evaluated with
//!   `count.index`/`each.*` unknown, and an [`Unknown`] entry (attribute
//!   `count` or `for_each`) says so. Rules still see its shape.
//! - A `dynamic` block whose `for_each` is unknown yields one `Raw::Unknown`
//!   element in that block type's list (standing for an unknown number of
//!   blocks), plus an [`Unknown`] entry.
//! - In `.tf.json`, an object value is a nested block unless its name is a
//!   known map attribute (`tags`, `labels`, ...), since the provider schema
//!   that decides it in Terraform is not available.
//! - Override files (`override.tf`, `*_override.tf`) are skipped with a note.
//! - References: attributes written in the referenced resource's
//!   configuration resolve to their value; any other attribute (`id`, `arn`,
//!   a nested attribute not written) is a [`Raw::Ref`] to the instance
//!   address. A reference cycle between resources reads as references.
//! - Evaluation depth is capped ([`MAX_EVAL_DEPTH`], sized for a 2 MiB thread
//!   stack in debug builds); deeper expressions or reference chains are
//!   unknown, never a fallback value of `try`.
//!
//! Not supported (values are unknown, with a note where it matters):
//! hash/time/uuid functions, `fileset`, `filebase64`, `yamldecode`,
//! `csvdecode`, `templatestring`, provider-defined functions; type
//! constraints beyond primitive conversions, sets and `optional()` object
//! defaults; `moved`/`import`/`check` blocks; override files; remote modules.
//!
//! Terraform plans in JSON (`terraform show -json`) load through
//! [`load_plan`] into the same [`RawResource`]s; see its module for how
//! unknown and sensitive values and locations are handled.
//!
//! [`Raw::Unknown`]: palisade_model::raw::Raw::Unknown
//! [`Raw::Ref`]: palisade_model::raw::Raw::Ref

mod ast;
mod eval;
mod funcs;
mod json;
mod load;
mod plan;
mod value;

use eval::{Evaluator, Inst};
use palisade_model::raw::RawResource;
use palisade_model::{Diagnostic, SecretLiteral, Unknown};
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

pub use eval::{MAX_EVAL_DEPTH, MAX_MODULE_DEPTH};
pub use plan::{load_plan, looks_like_plan};

/// How to load a root module.
#[derive(Clone, Debug)]
pub struct Options {
    /// `-var-file` files, applied in order after the automatic ones.
    pub var_files: Vec<PathBuf>,
    /// `-var name=value` options, applied last. Values of variables with a
    /// complex type (list, map, set, object, tuple) are parsed as HCL
    /// expressions; others are taken as raw strings, as Terraform does.
    pub vars: Vec<(String, String)>,
    /// Files larger than this are not read (an error is reported).
    pub max_file_bytes: u64,
    /// The scanned tree. `file()`/`templatefile()` never read outside it,
    /// and local module sources outside it are not loaded. When `None`, files
    /// are read only under the root module's directory and local modules may
    /// come from anywhere (relative paths only; depth and cycles are capped).
    pub tree_root: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            var_files: Vec::new(),
            vars: Vec::new(),
            max_file_bytes: 5 * 1024 * 1024,
            tree_root: None,
        }
    }
}

/// Everything found in one root module.
#[derive(Debug, Default)]
pub struct RootLoad {
    /// One per resource instance (managed and data), sorted by address.
    pub resources: Vec<RawResource>,
    /// Parts of the input that could not be read (syntax errors, binary or
    /// oversized files, missing modules, cycles).
    pub errors: Vec<Diagnostic>,
    /// Things worth knowing that lost nothing essential (unsupported
    /// functions, external data sources, evaluation errors in attributes).
    pub notes: Vec<Diagnostic>,
    /// What could not be decided statically (unknown `count`/`for_each`,
    /// remote modules, variables without a value).
    pub unknowns: Vec<Unknown>,
    /// Literal secrets written in the source.
    pub secrets: Vec<SecretLiteral>,
    /// Every file read (configuration and variable files).
    pub files: Vec<PathBuf>,
}

/// Loads the root module in `dir` (its `.tf`/`.tf.json` files, not
/// subdirectories), with its variable files and local modules, and evaluates
/// it. `display` maps a real path to the path shown to users.
pub fn load_root(dir: &Path, opts: &Options, display: &dyn Fn(&Path) -> String) -> RootLoad {
    let mut out = RootLoad::default();
    let canon = match dir.canonicalize() {
        Ok(c) if c.is_dir() => c,
        _ => {
            out.errors.push(Diagnostic::new(
                display(dir),
                None,
                "not a readable directory",
            ));
            return out;
        }
    };
    let tree = opts.tree_root.as_ref().and_then(|t| t.canonicalize().ok());
    let file_boundary = tree.clone().unwrap_or_else(|| canon.clone());
    let mut ev = Evaluator::new(opts, display, dir.to_path_buf(), file_boundary, tree);
    let mut def = load::load_module(&mut ev, dir, ".".into(), "");
    def.canon = canon.clone();
    let def = Rc::new(def);
    ev.insts.push(Inst {
        def: def.clone(),
        prefix: String::new(),
        parent: None,
        depth: 0,
        chain: vec![canon],
    });
    for f in load::auto_var_files(dir) {
        load::load_var_file(&mut ev, &f, &def);
    }
    for f in &opts.var_files {
        load::load_var_file(&mut ev, f, &def);
    }
    load::apply_cli_vars(&mut ev, &opts.vars, &def);
    ev.run_instance(0);

    out.resources = std::mem::take(&mut ev.resources);
    out.resources.sort_by(|a, b| a.address.cmp(&b.address));
    out.resources.dedup_by(|a, b| a.address == b.address);
    out.errors = std::mem::take(&mut ev.errors);
    out.errors.sort();
    out.errors.dedup();
    out.notes = std::mem::take(&mut ev.notes);
    out.notes.sort();
    out.notes.dedup();
    out.unknowns = std::mem::take(&mut ev.unknowns);
    out.unknowns.sort();
    out.unknowns.dedup();
    out.secrets = std::mem::take(&mut ev.secrets);
    out.secrets
        .sort_by(|a, b| (&a.loc, &a.attribute).cmp(&(&b.loc, &b.attribute)));
    out.secrets
        .dedup_by(|a, b| a.loc == b.loc && a.attribute == b.attribute);
    out.files = std::mem::take(&mut ev.paths);
    out
}

/// Lexically resolves `.` and `..` in a path (for display).
pub(crate) fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                let last_normal =
                    matches!(out.components().next_back(), Some(Component::Normal(_)));
                if last_normal {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// True when a text looks like Terraform configuration (HCL or JSON syntax).
pub fn looks_like_terraform(text: &str) -> bool {
    let head = text.get(..text.len().min(64 * 1024)).unwrap_or_else(|| {
        // Cut on a char boundary.
        let mut n = text.len().min(64 * 1024);
        while n > 0 && !text.is_char_boundary(n) {
            n -= 1;
        }
        text.get(..n).unwrap_or("")
    });
    let t = head.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with('{') {
        return [
            "\"resource\"",
            "\"module\"",
            "\"variable\"",
            "\"provider\"",
            "\"terraform\"",
            "\"data\"",
            "\"output\"",
            "\"locals\"",
        ]
        .iter()
        .any(|k| t.contains(k));
    }
    head.lines().any(|line| {
        let l = line.trim_start();
        let mut words = l.split_whitespace();
        let Some(first) = words.next() else {
            return false;
        };
        let second = words.next().unwrap_or("");
        match first {
            "resource" | "data" => second.starts_with('"') && l.trim_end().ends_with('{'),
            "module" | "variable" | "output" | "provider" => {
                second.starts_with('"') && l.trim_end().ends_with('{')
            }
            "terraform" | "locals" => second == "{",
            _ => false,
        }
    })
}
