//! Reading a module directory: file discovery, size/binary/UTF-8 checks,
//! parsing (HCL and JSON syntax) with error recovery, and sorting the
//! top-level blocks into a [`ModuleDef`]. Also the literal-secret scan and
//! root variable values (tfvars, var files, `--var`).

use crate::ast::{self, Block, Body, Expr, ExprKind, ObjKey, Span};
use crate::eval::{Evaluator, FileInfo};
use crate::value::Value;
use palisade_model::raw::Mode;
use palisade_model::{LineIndex, SecretLiteral};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub type FileId = usize;

pub struct VarDecl {
    pub name: String,
    pub default: Option<Expr>,
    pub ty: Option<Expr>,
    pub nullable: bool,
    pub file: FileId,
    pub span: Span,
}

pub struct LocalDecl {
    pub name: String,
    pub expr: Expr,
    pub file: FileId,
    pub span: Span,
}

pub struct ResDecl {
    pub mode: Mode,
    pub ty: String,
    pub name: String,
    pub block: Block,
    pub file: FileId,
}

impl ResDecl {
    /// `type.name` or `data.type.name`.
    pub fn address(&self) -> String {
        match self.mode {
            Mode::Managed => format!("{}.{}", self.ty, self.name),
            Mode::Data => format!("data.{}.{}", self.ty, self.name),
        }
    }
}

pub struct CallDecl {
    pub name: String,
    pub source: Option<String>,
    pub block: Block,
    pub file: FileId,
}

pub struct OutDecl {
    pub expr: Expr,
    pub file: FileId,
}

#[derive(Default)]
pub struct ModuleDef {
    /// The directory as reached (for display), and canonical (for identity).
    pub dir: PathBuf,
    pub canon: PathBuf,
    /// `path.module`, relative to the root module.
    pub rel: String,
    pub vars: Vec<VarDecl>,
    pub var_idx: HashMap<String, usize>,
    pub locals: Vec<LocalDecl>,
    pub local_idx: HashMap<String, usize>,
    pub resources: Vec<ResDecl>,
    /// By address in the module (`type.name`, `data.type.name`).
    pub res_idx: HashMap<String, usize>,
    pub calls: Vec<CallDecl>,
    pub call_idx: HashMap<String, usize>,
    pub outputs: Vec<OutDecl>,
    pub output_idx: HashMap<String, usize>,
}

/// Bytes looked at to decide whether a file is binary.
const SNIFF_BYTES: usize = 8192;

/// Reads a source file, refusing files over the size limit, binary files and
/// invalid UTF-8 (each an error diagnostic). Returns the registered file id
/// and its text.
pub fn read_source(ev: &mut Evaluator, path: &Path) -> Option<(FileId, String)> {
    let display = (ev.display)(path);
    let fail = |ev: &mut Evaluator, line: Option<u32>, msg: String| {
        ev.errors
            .push(palisade_model::Diagnostic::new(display.clone(), line, msg));
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            fail(ev, None, format!("cannot read file: {}", e.kind()));
            return None;
        }
    };
    if meta.len() > ev.opts.max_file_bytes {
        fail(
            ev,
            None,
            format!(
                "file is {} bytes, over the {} byte limit; not read",
                meta.len(),
                ev.opts.max_file_bytes
            ),
        );
        return None;
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            fail(ev, None, format!("cannot read file: {}", e.kind()));
            return None;
        }
    };
    if bytes.len() as u64 > ev.opts.max_file_bytes {
        fail(
            ev,
            None,
            "file grew over the size limit while read; not read".into(),
        );
        return None;
    }
    if bytes.iter().take(SNIFF_BYTES).any(|&b| b == 0) {
        fail(
            ev,
            None,
            "binary file (contains NUL bytes); not read".into(),
        );
        return None;
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let upto = e.utf8_error().valid_up_to();
            let line = e
                .as_bytes()
                .iter()
                .take(upto)
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            fail(
                ev,
                u32::try_from(line).ok(),
                "file is not valid UTF-8; not read".into(),
            );
            return None;
        }
    };
    let text = match text.strip_prefix('\u{feff}') {
        // Keep offsets: replace the BOM with spaces rather than removing it.
        Some(rest) => format!("   {rest}"),
        None => text,
    };
    let id = ev.files.len();
    ev.files.push(FileInfo {
        display: Arc::from(display),
        lines: LineIndex::new(&text),
    });
    ev.paths.push(path.to_path_buf());
    Some((id, text))
}

/// Start lines of top-level constructs (for error recovery): a line that
/// starts, in column 0, with an identifier, optional labels and `{`, or
/// `name =`.
fn top_level_starts(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut off = 0;
    for line in text.split_inclusive('\n') {
        let b = line.as_bytes();
        if b.first()
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        {
            let t = line.trim_end();
            if t.ends_with('{') || t.contains('=') {
                out.push(off);
            }
        }
        off += line.len();
    }
    out
}

/// Parses HCL. On a syntax error, reports it and blanks the top-level
/// construct holding it, then parses again, so the rest of the file loads.
pub fn parse_hcl(ev: &mut Evaluator, file: FileId, text: &str) -> Body {
    let mut text: std::borrow::Cow<str> = std::borrow::Cow::Borrowed(text);
    let starts = top_level_starts(&text);
    for _attempt in 0..20 {
        // The parser is not expected to panic; if it ever does, the file is
        // reported instead of bringing the scan down.
        let parsed = std::panic::catch_unwind(|| hcl_edit::parser::parse_body(&text));
        let parsed = match parsed {
            Ok(p) => p,
            Err(_) => {
                let name = ev.file_name(file);
                ev.errors.push(palisade_model::Diagnostic::new(
                    name,
                    None,
                    "internal parser failure on this file; not loaded",
                ));
                return Body::default();
            }
        };
        match parsed {
            Ok(b) => return ast::conv_body(&b),
            Err(e) => {
                let line = e.location().line();
                let col = e.location().column();
                // Byte offset of the error line.
                let lines = LineIndex::new(&text);
                let err_off = byte_of_line(&text, line);
                let start = starts
                    .iter()
                    .rev()
                    .find(|&&s| s <= err_off)
                    .copied()
                    .unwrap_or(0);
                let end = starts
                    .iter()
                    .find(|&&s| s > err_off)
                    .copied()
                    .unwrap_or(text.len());
                let first = lines.line(start);
                let last = lines.line(end.saturating_sub(1).max(start));
                let msg = if start == 0 && end == text.len() {
                    format!(
                        "HCL syntax error: {} (column {col}); file not loaded",
                        e.message()
                    )
                } else {
                    format!(
                        "HCL syntax error: {} (column {col}); lines {first}-{last} skipped",
                        e.message()
                    )
                };
                let name = ev.file_name(file);
                ev.errors.push(palisade_model::Diagnostic::new(
                    name,
                    u32::try_from(line).ok(),
                    msg,
                ));
                if start == 0 && end == text.len() {
                    return Body::default();
                }
                let mut bytes = text.into_owned().into_bytes();
                for b in bytes.get_mut(start..end).unwrap_or(&mut []) {
                    if *b != b'\n' {
                        *b = b' ';
                    }
                }
                // Blanking only writes ASCII spaces over whole UTF-8
                // sequences, so the text stays valid.
                text = std::borrow::Cow::Owned(String::from_utf8_lossy(&bytes).into_owned());
            }
        }
    }
    Body::default()
}

fn byte_of_line(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    text.match_indices('\n')
        .nth(line - 2)
        .map_or(text.len(), |(i, _)| i + 1)
}

pub fn parse_json(ev: &mut Evaluator, file: FileId, text: &str, tfvars: bool) -> Body {
    let r = crate::json::parse(text)
        .map_err(|e| (Some(e.offset), e.message))
        .and_then(|doc| {
            if tfvars {
                crate::json::tfvars_body(&doc)
            } else {
                crate::json::to_body(&doc)
            }
            .map_err(|m| (None, m))
        });
    match r {
        Ok(b) => b,
        Err((off, msg)) => {
            let line = off.and_then(|o| ev.files.get(file).map(|f| f.lines.line(o)));
            let name = ev.file_name(file);
            ev.errors.push(palisade_model::Diagnostic::new(
                name,
                line,
                format!("JSON syntax error: {msg}; file not loaded"),
            ));
            Body::default()
        }
    }
}

fn is_tf(name: &str) -> bool {
    name.ends_with(".tf") || name.ends_with(".tf.json")
}

fn is_override(name: &str) -> bool {
    let stem = name.trim_end_matches(".json").trim_end_matches(".tf");
    stem == "override" || stem.ends_with("_override")
}

/// The `.tf` / `.tf.json` files of a directory (not subdirectories), by name.
pub fn module_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let Ok(entry) = entry else { continue };
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if name.starts_with('.') || !is_tf(name) {
            continue;
        }
        if path.is_file() {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// Loads and sorts the blocks of one module directory. `prefix` is the
/// address prefix used to name secrets found in it ("" or `module.x.`).
pub fn load_module(ev: &mut Evaluator, dir: &Path, rel: String, prefix: &str) -> ModuleDef {
    let mut def = ModuleDef {
        dir: dir.to_path_buf(),
        rel,
        ..ModuleDef::default()
    };
    let files = match module_files(dir) {
        Ok(f) => f,
        Err(e) => {
            let d = (ev.display)(dir);
            ev.errors.push(palisade_model::Diagnostic::new(
                d,
                None,
                format!("cannot list directory: {}", e.kind()),
            ));
            return def;
        }
    };
    for path in files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        if is_override(&name) {
            let d = (ev.display)(&path);
            ev.notes.push(palisade_model::Diagnostic::new(
                d,
                None,
                "override files are not merged by the static evaluator; file skipped",
            ));
            continue;
        }
        let Some((file, text)) = read_source(ev, &path) else {
            continue;
        };
        let body = if name.ends_with(".json") {
            parse_json(ev, file, &text, false)
        } else {
            parse_hcl(ev, file, &text)
        };
        scan_file_secrets(ev, file, &body, prefix);
        add_blocks(ev, &mut def, file, body);
    }
    def
}

fn add_blocks(ev: &mut Evaluator, def: &mut ModuleDef, file: FileId, body: Body) {
    for attr in &body.attrs {
        ev.error(
            file,
            attr.span,
            format!("unexpected top-level attribute `{}`", attr.name),
        );
    }
    for b in body.blocks {
        match b.ty.as_str() {
            "resource" | "data" => {
                let [ty, name] = b.labels.as_slice() else {
                    ev.error(
                        file,
                        b.span,
                        format!("`{}` block needs a type and a name", b.ty),
                    );
                    continue;
                };
                let mode = if b.ty == "data" {
                    Mode::Data
                } else {
                    Mode::Managed
                };
                let decl = ResDecl {
                    mode,
                    ty: ty.clone(),
                    name: name.clone(),
                    block: Block::default(),
                    file,
                };
                let key = decl.address();
                if def.res_idx.contains_key(&key) {
                    ev.error(file, b.span, format!("duplicate {key}; the first is kept"));
                    continue;
                }
                def.res_idx.insert(key, def.resources.len());
                def.resources.push(ResDecl { block: b, ..decl });
            }
            "variable" => {
                let Some(name) = b.labels.first().cloned() else {
                    ev.error(file, b.span, "`variable` block needs a name".into());
                    continue;
                };
                if def.var_idx.contains_key(&name) {
                    ev.error(file, b.span, format!("duplicate variable `{name}`"));
                    continue;
                }
                let nullable = !matches!(
                    b.body.attr("nullable").map(|a| &a.expr.kind),
                    Some(ExprKind::Bool(false))
                );
                let span = b.span;
                let mut body = b.body;
                let default = take_attr(&mut body, "default");
                let ty = take_attr(&mut body, "type");
                def.var_idx.insert(name.clone(), def.vars.len());
                def.vars.push(VarDecl {
                    name,
                    default,
                    ty,
                    nullable,
                    file,
                    span,
                });
            }
            "locals" => {
                for a in b.body.attrs {
                    if def.local_idx.contains_key(&a.name) {
                        ev.error(file, a.span, format!("duplicate local value `{}`", a.name));
                        continue;
                    }
                    def.local_idx.insert(a.name.clone(), def.locals.len());
                    def.locals.push(LocalDecl {
                        name: a.name,
                        expr: a.expr,
                        file,
                        span: a.span,
                    });
                }
            }
            "module" => {
                let Some(name) = b.labels.first().cloned() else {
                    ev.error(file, b.span, "`module` block needs a name".into());
                    continue;
                };
                if def.call_idx.contains_key(&name) {
                    ev.error(file, b.span, format!("duplicate module `{name}`"));
                    continue;
                }
                let source = match b.body.attr("source").map(|a| &a.expr.kind) {
                    Some(ExprKind::String(s)) => Some(s.clone()),
                    _ => None,
                };
                def.call_idx.insert(name.clone(), def.calls.len());
                def.calls.push(CallDecl {
                    name,
                    source,
                    block: b,
                    file,
                });
            }
            "output" => {
                let Some(name) = b.labels.first().cloned() else {
                    ev.error(file, b.span, "`output` block needs a name".into());
                    continue;
                };
                let mut body = b.body;
                let Some(expr) = take_attr(&mut body, "value") else {
                    ev.error(file, b.span, format!("output `{name}` has no `value`"));
                    continue;
                };
                def.output_idx.insert(name, def.outputs.len());
                def.outputs.push(OutDecl { expr, file });
            }
            // provider, terraform, moved, import, check, removed...: no resources.
            _ => {}
        }
    }
}

fn take_attr(body: &mut Body, name: &str) -> Option<Expr> {
    let i = body.attrs.iter().position(|a| a.name == name)?;
    Some(body.attrs.swap_remove(i).expr)
}

// ----- secrets ---------------------------------------------------------

/// Reports every literal string of a file that looks like secret material,
/// where it is written.
fn scan_file_secrets(ev: &mut Evaluator, file: FileId, body: &Body, prefix: &str) {
    for b in &body.blocks {
        let l0 = b.labels.first().map(String::as_str).unwrap_or("");
        let l1 = b.labels.get(1).map(String::as_str).unwrap_or("");
        match b.ty.as_str() {
            "resource" => {
                let res = format!("{prefix}{l0}.{l1}");
                if l0 == "aws_ssm_parameter" {
                    scan_secure_parameter(ev, file, &b.body, &res);
                }
                scan_body(ev, file, &b.body, &res, "");
            }
            "data" => scan_body(ev, file, &b.body, &format!("{prefix}data.{l0}.{l1}"), ""),
            "variable" => {
                if let Some(a) = b.body.attr("default") {
                    scan_expr(
                        ev,
                        file,
                        &a.expr,
                        &format!("{prefix}var.{l0}"),
                        l0,
                        "default",
                        0,
                    );
                }
            }
            "locals" => {
                for a in &b.body.attrs {
                    scan_expr(
                        ev,
                        file,
                        &a.expr,
                        &format!("{prefix}local.{}", a.name),
                        &a.name,
                        &a.name,
                        0,
                    );
                }
            }
            "module" => {
                let res = format!("{prefix}module.{l0}");
                for a in &b.body.attrs {
                    if !matches!(a.name.as_str(), "source" | "version") {
                        scan_expr(ev, file, &a.expr, &res, &a.name, &a.name, 0);
                    }
                }
            }
            "output" => {
                if let Some(a) = b.body.attr("value") {
                    scan_expr(
                        ev,
                        file,
                        &a.expr,
                        &format!("{prefix}output.{l0}"),
                        l0,
                        "value",
                        0,
                    );
                }
            }
            "provider" => scan_body(ev, file, &b.body, &format!("{prefix}provider.{l0}"), ""),
            other => scan_body(ev, file, &b.body, &format!("{prefix}{other}"), ""),
        }
    }
}

/// The literal `value` of an `aws_ssm_parameter` of type `SecureString` is
/// secret material whatever the parameter is named.
fn scan_secure_parameter(ev: &mut Evaluator, file: FileId, body: &Body, res: &str) {
    let secure = body
        .attr("type")
        .is_some_and(|a| matches!(&a.expr.kind, ExprKind::String(t) if t == "SecureString"));
    let Some(a) = body.attr("value").filter(|_| secure) else {
        return;
    };
    if let ExprKind::String(v) = &a.expr.kind {
        if !palisade_model::secrets::is_placeholder(v)
            && palisade_model::secrets::classify("value", v).is_none()
        {
            let loc = ev.loc(file, a.expr.span);
            ev.secrets.push(SecretLiteral {
                resource: res.to_string(),
                attribute: "value".to_string(),
                loc,
                why: "literal value of a SecureString parameter".to_string(),
                value: palisade_model::Secret::new(v.clone()),
            });
        }
    }
}

/// Where `{name, value}` pairs are environment variables: ECS and Batch
/// container definitions (`environment`), Kubernetes provider `env` blocks,
/// CodeBuild `environment_variable`, Elastic Beanstalk `setting`. Elsewhere
/// (a DB parameter `password_encryption`) the name is no secret's.
const ENV_PAIR_CONTEXTS: &[&str] = &[
    "env",
    "environment",
    "environment_variable",
    "environment_variables",
    "setting",
];

fn is_env_context(name: &str) -> bool {
    ENV_PAIR_CONTEXTS
        .iter()
        .any(|c| c.eq_ignore_ascii_case(name))
}

/// The `name` a `{name, value}` pair gives its `value` (an environment
/// variable of an ECS container definition or a Kubernetes provider `env`
/// block, an Elastic Beanstalk setting), when written as a literal, in an
/// environment context (`context`: the block or attribute holding it).
fn pair_label<'a>(
    context: &str,
    entries: impl Iterator<Item = (&'a str, &'a Expr)>,
) -> Option<&'a str> {
    if !is_env_context(context) {
        return None;
    }
    let mut label = None;
    for (k, v) in entries {
        if matches!(k, "name" | "Name" | "key" | "Key") {
            if let ExprKind::String(s) = &v.kind {
                label = Some(s.as_str());
            }
        }
    }
    label
}

fn scan_body(ev: &mut Evaluator, file: FileId, body: &Body, res: &str, path: &str) {
    let context = path.rsplit('.').next().unwrap_or("");
    let label = pair_label(
        context,
        body.attrs.iter().map(|a| (a.name.as_str(), &a.expr)),
    );
    for a in &body.attrs {
        let p = join(path, &a.name);
        let name = match (label, a.name.as_str()) {
            (Some(l), "value" | "Value") => l,
            _ => a.name.as_str(),
        };
        scan_expr(ev, file, &a.expr, res, name, &p, 0);
    }
    for b in &body.blocks {
        if b.ty == "dynamic" {
            let label = b.labels.first().map(String::as_str).unwrap_or("dynamic");
            for c in b.body.blocks.iter().filter(|c| c.ty == "content") {
                scan_body(ev, file, &c.body, res, &join(path, label));
            }
            continue;
        }
        scan_body(ev, file, &b.body, res, &join(path, &b.ty));
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn scan_expr(
    ev: &mut Evaluator,
    file: FileId,
    e: &Expr,
    res: &str,
    name: &str,
    path: &str,
    depth: u32,
) {
    if depth > 64 {
        return;
    }
    match &e.kind {
        ExprKind::String(s) => {
            if let Some(why) = palisade_model::secrets::classify(name, s) {
                let loc = ev.loc(file, e.span);
                ev.secrets.push(SecretLiteral {
                    resource: res.to_string(),
                    attribute: path.to_string(),
                    loc,
                    why,
                    value: palisade_model::Secret::new(s.clone()),
                });
            } else if s.contains('\n') && !s.trim_start().starts_with(['{', '[']) {
                // A script or configuration file in a heredoc (`user_data`):
                // its `NAME=value` / `name: value` lines.
                for (k, v) in text_settings(s) {
                    if let Some(why) = palisade_model::secrets::classify(&k, &v) {
                        let loc = ev.loc(file, e.span);
                        ev.secrets.push(SecretLiteral {
                            resource: res.to_string(),
                            attribute: format!("{path}[{k}]"),
                            loc,
                            why,
                            value: palisade_model::Secret::new(v),
                        });
                    }
                }
            } else if s.trim_start().starts_with(['{', '[']) {
                // JSON written as a string or heredoc (`container_definitions`,
                // a policy): its values are read like an object's.
                if let Ok(json) = serde_json::from_str::<serde_json::Value>(s) {
                    let mut found = Vec::new();
                    json_secrets(&json, name, path, 0, &mut found);
                    for (attribute, why, value) in found {
                        let loc = ev.loc(file, e.span);
                        ev.secrets.push(SecretLiteral {
                            resource: res.to_string(),
                            attribute,
                            loc,
                            why,
                            value: palisade_model::Secret::new(value),
                        });
                    }
                }
            }
        }
        ExprKind::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                scan_expr(ev, file, x, res, name, &format!("{path}[{i}]"), depth + 1);
            }
        }
        ExprKind::Object(items) => {
            let key_of = |k: &'_ ObjKey| -> Option<String> {
                match k {
                    ObjKey::Ident(s) => Some(s.clone()),
                    ObjKey::Expr(Expr {
                        kind: ExprKind::String(s),
                        ..
                    }) => Some(s.clone()),
                    _ => None,
                }
            };
            let keys: Vec<Option<String>> = items.iter().map(|(k, _)| key_of(k)).collect();
            let label = pair_label(
                name,
                keys.iter()
                    .zip(items)
                    .filter_map(|(k, (_, x))| k.as_deref().map(|k| (k, x))),
            );
            for (k, (_, x)) in keys.iter().zip(items) {
                let key = k.as_deref().unwrap_or(name);
                let as_name = match (label, key) {
                    (Some(l), "value" | "Value") => l,
                    _ => key,
                };
                scan_expr(ev, file, x, res, as_name, &join(path, key), depth + 1);
            }
        }
        ExprKind::Call { args, .. } => {
            for x in args {
                scan_expr(ev, file, x, res, name, path, depth + 1);
            }
        }
        ExprKind::Cond(_, t, f) => {
            scan_expr(ev, file, t, res, name, path, depth + 1);
            scan_expr(ev, file, f, res, name, path, depth + 1);
        }
        _ => {}
    }
}

/// `NAME=value`, `export NAME="value"` and `name: value` lines of a script
/// or configuration file written in a heredoc. Values that expand a shell
/// variable (`$X`, `${X}`, `$(cmd)`) are not literals.
fn text_settings(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let l = line.trim();
        if l.starts_with('#') || l.starts_with("//") {
            continue;
        }
        let Some(pos) = l.find(['=', ':']) else {
            continue;
        };
        let (k, v) = (l[..pos].trim(), l[pos + 1..].trim());
        let k = k.strip_prefix("export ").unwrap_or(k);
        let k = k.trim_start_matches(['-', ' ']).trim_matches(['"', '\'']);
        let v = v.trim_end_matches([',', ';']).trim_matches(['"', '\'']);
        if k.is_empty()
            || v.is_empty()
            || v.starts_with('$')
            || !k
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            continue;
        }
        out.push((k.to_string(), v.to_string()));
    }
    out
}

/// Secret material in a JSON document written as a string: `(attribute
/// path, why, value)` of each literal whose key (or `{name, value}` pair)
/// says it is a secret, or whose value has a credential format.
fn json_secrets(
    v: &serde_json::Value,
    name: &str,
    path: &str,
    depth: u32,
    out: &mut Vec<(String, String, String)>,
) {
    use serde_json::Value as J;
    if depth > 64 {
        return;
    }
    match v {
        J::String(s) => {
            if let Some(why) = palisade_model::secrets::classify(name, s) {
                out.push((path.to_string(), why, s.clone()));
            }
        }
        J::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                json_secrets(x, name, &format!("{path}[{i}]"), depth + 1, out);
            }
        }
        J::Object(m) => {
            let label = ["name", "Name", "key", "Key"]
                .iter()
                .find_map(|k| m.get(*k).and_then(J::as_str))
                .filter(|_| is_env_context(name));
            for (k, x) in m {
                let as_name = match (label, k.as_str()) {
                    (Some(l), "value" | "Value") => l,
                    _ => k.as_str(),
                };
                json_secrets(x, as_name, &join(path, k), depth + 1, out);
            }
        }
        _ => {}
    }
}

// ----- root variable values ---------------------------------------------

/// Variable definition files of a root directory, in Terraform's order:
/// `terraform.tfvars`, `terraform.tfvars.json`, then `*.auto.tfvars(.json)`
/// by name.
pub fn auto_var_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for n in ["terraform.tfvars", "terraform.tfvars.json"] {
        let p = dir.join(n);
        if p.is_file() {
            out.push(p);
        }
    }
    let mut auto: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                        n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json")
                    }) && p.is_file()
                })
                .collect()
        })
        .unwrap_or_default();
    auto.sort();
    out.extend(auto);
    out
}

/// Reads one variable definitions file into the root values (later files win).
pub fn load_var_file(ev: &mut Evaluator, path: &Path, root: &ModuleDef) {
    let Some((file, text)) = read_source(ev, path) else {
        return;
    };
    let is_json = path.extension().is_some_and(|e| e == "json");
    let body = if is_json {
        parse_json(ev, file, &text, true)
    } else {
        parse_hcl(ev, file, &text)
    };
    for b in &body.blocks {
        ev.error(
            file,
            b.span,
            format!("unexpected block `{}` in a variables file", b.ty),
        );
    }
    for a in &body.attrs {
        scan_expr(
            ev,
            file,
            &a.expr,
            &format!("var.{}", a.name),
            &a.name,
            &a.name,
            0,
        );
        if !root.var_idx.contains_key(&a.name) {
            ev.note(
                file,
                a.span,
                format!("value given for undeclared variable `{}`", a.name),
            );
            continue;
        }
        let v = const_eval(ev, file, &a.expr);
        ev.root_values.insert(a.name.clone(), v);
    }
}

/// Evaluates a constant expression (tfvars, `--var`): no references.
fn const_eval(ev: &mut Evaluator, file: FileId, e: &Expr) -> Value {
    let bind = crate::eval::Bind::default();
    let ctx = crate::eval::Ctx {
        inst: 0,
        bind: &bind,
        scope: None,
        file,
        isolated: true,
    };
    match ev.eval(ctx, e) {
        Ok(v) => v,
        Err(m) => {
            ev.note(
                file,
                e.span,
                format!("variable value could not be evaluated: {m}"),
            );
            Value::unknown("variable value could not be evaluated")
        }
    }
}

/// Applies `--var name=value` options (highest precedence).
pub fn apply_cli_vars(ev: &mut Evaluator, vars: &[(String, String)], root: &ModuleDef) {
    for (k, raw) in vars {
        let decl = root.var_idx.get(k).and_then(|&i| root.vars.get(i));
        let Some(decl) = decl else {
            ev.notes.push(palisade_model::Diagnostic::new(
                "--var",
                None,
                format!("value given for undeclared variable `{k}`"),
            ));
            continue;
        };
        let v = if crate::funcs::is_complex_type(decl.ty.as_ref()) {
            match ast::parse_expr_str(raw) {
                Ok(e) => {
                    let v = const_eval(ev, usize::MAX, &e);
                    if let Value::Unknown(_) = v {
                        ev.notes.push(palisade_model::Diagnostic::new(
                            "--var",
                            None,
                            format!("value of `{k}` could not be evaluated"),
                        ));
                    }
                    v
                }
                Err(_) => {
                    ev.notes.push(palisade_model::Diagnostic::new(
                        "--var",
                        None,
                        format!("value of `{k}` is not a valid expression"),
                    ));
                    Value::unknown(format!("value of `{k}` given with --var is not valid"))
                }
            }
        } else {
            Value::String(raw.clone())
        };
        ev.root_values.insert(k.clone(), v);
    }
}
