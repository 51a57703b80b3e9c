//! Terraform plan JSON (`terraform show -json plan.out`) into
//! [`RawResource`]s, in the same attribute schema the HCL loader produces, so
//! the same adapter and rules read both.
//!
//! What is read:
//! - `planned_values.root_module` and its `child_modules`, recursively: every
//!   resource instance with its full address (`module.x.aws_y.z["k"]`) and
//!   its `values`. Without `planned_values`, `resource_changes[].change.after`
//!   (resources only being destroyed are left out). Data sources read at
//!   plan time come from `prior_state` when `planned_values` lacks them.
//! - `resource_changes[].change.after_unknown`: values known only after
//!   apply. They are [`Raw::Unknown`], or a [`Raw::Ref`] to the resource the
//!   configuration takes them from
//!   (`configuration...resources[].expressions.*.references`, followed
//!   through module inputs and outputs), so links between resources survive.
//!   A list known only after apply whose expression names several resources
//!   (or whose name says it is a list, like `vpc_security_group_ids`)
//!   becomes a list of references.
//! - `sensitive_values`: those values are withheld ([`Raw::Unknown`], never
//!   copied into the model); a string that looks like secret material (by
//!   attribute name or credential format) is also reported as a
//!   [`SecretLiteral`] at its line in the plan file, since the plan holds it
//!   in clear.
//! - Planned values win over the configuration: the configuration is used
//!   only where a value is unknown.
//!
//! Locations: the plan records the configuration but not its lines. When
//! the configuration's `.tf`/`.tf.json` files are available (the directory
//! passed as `config_dir`, and local module sources under it), a resource
//! points at its `resource` block there and each attribute at its line in
//! it (nested blocks are matched to the planned elements by their literal
//! values, since sets are reordered in the plan). Otherwise locations are
//! the plan file's lines: the resource's JSON object, each value's line.

use crate::ast::{self, Body, ExprKind};
use crate::json::{self, JKind, JVal};
use crate::RootLoad;
use palisade_model::raw::{Mode, Raw, RawNode, RawResource};
use palisade_model::{Diagnostic, LineIndex, Location, SecretLiteral};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Deepest value nesting converted; deeper values are unknown.
const MAX_VALUE_DEPTH: usize = 64;
/// How many module inputs/outputs a reference is followed through.
const MAX_REF_HOPS: u32 = 8;
/// Configuration files larger than this are not read for locations.
const MAX_CONFIG_FILE_BYTES: u64 = 5 * 1024 * 1024;

/// True when `text` is a Terraform plan in JSON (`terraform show -json`):
/// an object with `format_version` and `planned_values` or
/// `resource_changes`.
pub fn looks_like_plan(text: &str) -> bool {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if !t.starts_with('{') {
        return false;
    }
    // Key order is not fixed (`jq -S` sorts them), so look everywhere.
    t.contains("\"format_version\"")
        && (t.contains("\"planned_values\"") || t.contains("\"resource_changes\""))
}

/// Loads a plan. `display_path` is how the plan file is shown;
/// `config_dir` is the directory of the configuration the plan was made
/// from, when its files are available (for locations); `display` maps real
/// paths of configuration files to the paths shown. Never panics on input.
pub fn load_plan(
    text: &str,
    display_path: &str,
    config_dir: Option<&Path>,
    display: &dyn Fn(&Path) -> String,
) -> RootLoad {
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        load_plan_inner(text, display_path, config_dir, display)
    }));
    caught.unwrap_or_else(|_| RootLoad {
        errors: vec![Diagnostic::new(
            display_path,
            None,
            "internal error while reading this plan; it was skipped",
        )],
        ..Default::default()
    })
}

fn load_plan_inner(
    text: &str,
    display_path: &str,
    config_dir: Option<&Path>,
    display: &dyn Fn(&Path) -> String,
) -> RootLoad {
    let mut out = RootLoad::default();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines = LineIndex::new(text);
    let doc = match json::parse(text) {
        Ok(d) => d,
        Err(e) => {
            out.errors.push(Diagnostic::new(
                display_path,
                Some(lines.line(e.offset)),
                format!("invalid plan JSON: {}; plan not read", e.message),
            ));
            return out;
        }
    };
    if !matches!(doc.kind, JKind::Obj(_)) {
        out.errors.push(Diagnostic::new(
            display_path,
            Some(1),
            "a Terraform plan must be a JSON object; plan not read",
        ));
        return out;
    }
    match get(&doc, "format_version").and_then(as_str) {
        Some(v) => {
            if v.split('.').next() != Some("1") {
                out.notes.push(Diagnostic::new(
                    display_path,
                    Some(line_of(&lines, get(&doc, "format_version"))),
                    format!("plan format_version {v} is not 1.x; read as 1.x"),
                ));
            }
        }
        None => {
            out.errors.push(Diagnostic::new(
                display_path,
                Some(1),
                "not a Terraform plan: no `format_version`; plan not read",
            ));
            return out;
        }
    }
    let planned = get(&doc, "planned_values").and_then(|p| get(p, "root_module"));
    let changes = get(&doc, "resource_changes");
    if planned.is_none() && changes.is_none() {
        out.errors.push(Diagnostic::new(
            display_path,
            Some(1),
            "not a Terraform plan: neither `planned_values` nor `resource_changes`; plan not read",
        ));
        return out;
    }

    let file: Arc<str> = Arc::from(display_path);
    let mut cx = Cx {
        file: file.clone(),
        lines,
        config_root: get(&doc, "configuration").and_then(|c| get(c, "root_module")),
        files: ConfigFiles::new(config_dir, display),
        secrets: Vec::new(),
        addresses: Vec::new(),
    };

    // after_unknown / after_sensitive of each instance, by address.
    let mut change_of: HashMap<String, &JVal> = HashMap::new();
    for ch in items(changes) {
        if get(ch, "deposed").is_some() {
            continue;
        }
        if let (Some(addr), Some(change)) = (get(ch, "address").and_then(as_str), get(ch, "change"))
        {
            change_of.insert(addr.to_string(), change);
        }
    }

    let mut found: Vec<Planned> = Vec::new();
    if let Some(root) = planned {
        collect_module(root, &mut found, 0);
    } else {
        for ch in items(changes) {
            if get(ch, "deposed").is_some() {
                continue;
            }
            let Some(change) = get(ch, "change") else {
                continue;
            };
            let actions: Vec<&str> = items(get(change, "actions")).filter_map(as_str).collect();
            if actions == ["delete"] || get(change, "after").is_none_or(is_null) {
                continue;
            }
            found.push(Planned {
                obj: ch,
                values: get(change, "after"),
                sensitive: get(change, "after_sensitive"),
            });
        }
    }
    // Data sources read during planning live in the prior state.
    if let Some(prior) = get(&doc, "prior_state")
        .and_then(|p| get(p, "values"))
        .and_then(|v| get(v, "root_module"))
    {
        let mut prior_found = Vec::new();
        collect_module(prior, &mut prior_found, 0);
        let known: std::collections::HashSet<String> = found
            .iter()
            .filter_map(|p| get(p.obj, "address").and_then(as_str).map(str::to_string))
            .collect();
        for p in prior_found {
            let is_data = get(p.obj, "mode").and_then(as_str) == Some("data");
            let addr = get(p.obj, "address").and_then(as_str).unwrap_or("");
            if is_data && !known.contains(addr) {
                found.push(p);
            }
        }
    }

    cx.addresses = found.iter().map(|p| resource_address(p.obj)).collect();
    for p in &found {
        if let Some(r) = cx.resource(p, change_of.get(resource_address(p.obj).as_str()).copied()) {
            out.resources.push(r);
        } else {
            out.notes.push(Diagnostic::new(
                display_path,
                Some(line_of(&cx.lines, Some(p.obj))),
                "a planned resource without `type` and `name` was skipped",
            ));
        }
    }
    out.resources.sort_by(|a, b| a.address.cmp(&b.address));
    out.resources.dedup_by(|a, b| a.address == b.address);
    out.secrets = std::mem::take(&mut cx.secrets);
    out.secrets
        .sort_by(|a, b| (&a.loc, &a.attribute).cmp(&(&b.loc, &b.attribute)));
    out.secrets
        .dedup_by(|a, b| a.loc == b.loc && a.attribute == b.attribute);
    out.errors.extend(std::mem::take(&mut cx.files.errors));
    out.errors.sort();
    out.errors.dedup();
    out.notes.sort();
    out.notes.dedup();
    out.files = std::iter::once(PathBuf::from(display_path))
        .chain(cx.files.read.iter().cloned())
        .collect();
    out
}

/// One resource instance found in the plan.
struct Planned<'a> {
    /// The resource's JSON object (planned_values entry or resource_change).
    obj: &'a JVal,
    values: Option<&'a JVal>,
    sensitive: Option<&'a JVal>,
}

fn collect_module<'a>(module: &'a JVal, out: &mut Vec<Planned<'a>>, depth: u32) {
    if depth > 64 {
        return;
    }
    for r in items(get(module, "resources")) {
        out.push(Planned {
            obj: r,
            values: get(r, "values"),
            sensitive: get(r, "sensitive_values"),
        });
    }
    for m in items(get(module, "child_modules")) {
        collect_module(m, out, depth + 1);
    }
}

/// The instance address of a planned resource: its `address`, or one built
/// from its parts.
fn resource_address(obj: &JVal) -> String {
    if let Some(a) = get(obj, "address").and_then(as_str) {
        return a.to_string();
    }
    let module = get(obj, "module_address").and_then(as_str).unwrap_or("");
    let ty = get(obj, "type").and_then(as_str).unwrap_or("");
    let name = get(obj, "name").and_then(as_str).unwrap_or("");
    let data = if get(obj, "mode").and_then(as_str) == Some("data") {
        "data."
    } else {
        ""
    };
    let index = match get(obj, "index").map(|v| &v.kind) {
        Some(JKind::Num(n)) => format!("[{n}]"),
        Some(JKind::Str(s)) => format!("[{s:?}]"),
        _ => String::new(),
    };
    let prefix = if module.is_empty() {
        String::new()
    } else {
        format!("{module}.")
    };
    format!("{prefix}{data}{ty}.{name}{index}")
}

/// The module part of an instance address, as `(name, index)` steps:
/// `module.a[0].module.b.aws_x.y` → `[(a, Some("0")), (b, None)]`.
fn module_steps(address: &str) -> Vec<(String, Option<String>)> {
    let segs = split_segments(address);
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < segs.len() && segs[i] == "module" {
        let (name, index) = split_index(&segs[i + 1]);
        out.push((name.to_string(), index.map(str::to_string)));
        i += 2;
    }
    out
}

/// Splits a traversal on `.` outside brackets and quotes.
fn split_segments(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0u32;
    let mut in_str = false;
    let mut escaped = false;
    for c in s.chars() {
        if in_str {
            cur.push(c);
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
            '"' => {
                in_str = true;
                cur.push(c);
            }
            '[' => {
                depth += 1;
                cur.push(c);
            }
            ']' => {
                depth = depth.saturating_sub(1);
                cur.push(c);
            }
            '.' if depth == 0 => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// `name[idx]` → (`name`, Some(`idx`)); `name` → (`name`, None).
fn split_index(seg: &str) -> (&str, Option<&str>) {
    match seg.find('[') {
        Some(i) if seg.ends_with(']') => {
            (seg.get(..i).unwrap_or(seg), seg.get(i + 1..seg.len() - 1))
        }
        _ => (seg, None),
    }
}

fn module_prefix(steps: &[(String, Option<String>)]) -> String {
    steps
        .iter()
        .map(|(n, i)| match i {
            Some(i) => format!("module.{n}[{i}]."),
            None => format!("module.{n}."),
        })
        .collect()
}

// ----- JSON helpers ------------------------------------------------------

fn get<'a>(v: &'a JVal, key: &str) -> Option<&'a JVal> {
    match &v.kind {
        JKind::Obj(m) => m.iter().rev().find(|(k, _, _)| k == key).map(|(_, _, v)| v),
        _ => None,
    }
}

fn as_str(v: &JVal) -> Option<&str> {
    match &v.kind {
        JKind::Str(s) => Some(s),
        _ => None,
    }
}

fn is_null(v: &JVal) -> bool {
    matches!(v.kind, JKind::Null)
}

fn is_true(v: Option<&JVal>) -> bool {
    matches!(v.map(|v| &v.kind), Some(JKind::Bool(true)))
}

fn items(v: Option<&JVal>) -> impl Iterator<Item = &JVal> {
    let list: &[JVal] = match v.map(|v| &v.kind) {
        Some(JKind::Arr(a)) => a,
        _ => &[],
    };
    list.iter()
}

fn line_of(lines: &LineIndex, v: Option<&JVal>) -> u32 {
    v.map_or(1, |v| lines.line(v.span.start as usize))
}

fn child_at<'a>(v: Option<&'a JVal>, seg: &Seg) -> Option<&'a JVal> {
    let v = v?;
    match (seg, &v.kind) {
        (Seg::Key(k), JKind::Obj(_)) => get(v, k),
        (Seg::Index(i), JKind::Arr(a)) => a.get(*i),
        _ => None,
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

fn path_string(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

// ----- configuration files (for locations) ------------------------------

struct ConfFile {
    display: Arc<str>,
    lines: LineIndex,
    body: Body,
}

/// The configuration's files, parsed on demand per module directory.
struct ConfigFiles<'d> {
    root: Option<PathBuf>,
    display: &'d dyn Fn(&Path) -> String,
    dirs: HashMap<PathBuf, Arc<Vec<ConfFile>>>,
    read: Vec<PathBuf>,
    errors: Vec<Diagnostic>,
}

impl<'d> ConfigFiles<'d> {
    fn new(root: Option<&Path>, display: &'d dyn Fn(&Path) -> String) -> Self {
        ConfigFiles {
            root: root.map(Path::to_path_buf),
            display,
            dirs: HashMap::new(),
            read: Vec::new(),
            errors: Vec::new(),
        }
    }

    fn dir(&mut self, dir: &Path) -> Arc<Vec<ConfFile>> {
        if let Some(d) = self.dirs.get(dir) {
            return d.clone();
        }
        let mut files = Vec::new();
        for path in crate::load::module_files(dir).unwrap_or_default() {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let stem = name.trim_end_matches(".json").trim_end_matches(".tf");
            if stem == "override" || stem.ends_with("_override") {
                continue;
            }
            if std::fs::metadata(&path).map_or(true, |m| m.len() > MAX_CONFIG_FILE_BYTES) {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let shown = (self.display)(&path);
            let body = if name.ends_with(".json") {
                json::parse(&text)
                    .ok()
                    .and_then(|doc| json::to_body(&doc).ok())
            } else {
                std::panic::catch_unwind(|| hcl_edit::parser::parse_body(&text))
                    .ok()
                    .and_then(Result::ok)
                    .map(|b| ast::conv_body(&b))
            };
            let Some(body) = body else {
                // The plan still loads; locations fall back to its own lines.
                self.errors.push(Diagnostic::new(
                    shown,
                    None,
                    "configuration file of the plan does not parse; plan lines are used instead",
                ));
                continue;
            };
            self.read.push(PathBuf::from(&shown));
            files.push(ConfFile {
                display: Arc::from(shown.as_str()),
                lines: LineIndex::new(&text),
                body,
            });
        }
        let files = Arc::new(files);
        self.dirs.insert(dir.to_path_buf(), files.clone());
        files
    }
}

/// The configuration block of one resource.
struct ConfBlock {
    files: Arc<Vec<ConfFile>>,
    file: usize,
    block: usize,
}

impl ConfBlock {
    fn file(&self) -> Option<&ConfFile> {
        self.files.get(self.file)
    }
    fn body(&self) -> Option<&Body> {
        self.file()?.body.blocks.get(self.block).map(|b| &b.body)
    }
    fn loc(&self, span: ast::Span) -> Option<Location> {
        let f = self.file()?;
        Some(
            f.lines
                .location(&f.display, span.start as usize, span.end as usize),
        )
    }
}

// ----- conversion --------------------------------------------------------

struct Cx<'a, 'd> {
    file: Arc<str>,
    lines: LineIndex,
    config_root: Option<&'a JVal>,
    files: ConfigFiles<'d>,
    secrets: Vec<SecretLiteral>,
    /// Every instance address in the plan.
    addresses: Vec<String>,
}

/// What one resource's conversion needs to know.
struct Res<'a> {
    address: String,
    steps: Vec<(String, Option<String>)>,
    exprs: Option<&'a JVal>,
    block: Option<ConfBlock>,
    loc: Location,
}

impl<'a> Cx<'a, '_> {
    fn loc(&self, v: &JVal) -> Location {
        self.lines
            .location(&self.file, v.span.start as usize, v.span.end as usize)
    }

    /// The configuration of a module, by call names from the root.
    fn module_config(&self, names: &[&str]) -> Option<&'a JVal> {
        let mut m = self.config_root?;
        for n in names {
            m = get(get(get(m, "module_calls")?, n)?, "module")?;
        }
        Some(m)
    }

    /// The directory of a module's configuration files, for local sources.
    fn module_dir(&self, names: &[&str]) -> Option<PathBuf> {
        let mut dir = self.files.root.clone()?;
        let mut m = self.config_root;
        for n in names {
            let call = m
                .and_then(|m| get(m, "module_calls"))
                .and_then(|c| get(c, n))?;
            let source = get(call, "source").and_then(as_str)?;
            if !(source.starts_with("./") || source.starts_with("../")) {
                return None;
            }
            dir = crate::normalize(&dir.join(source));
            m = get(call, "module");
        }
        Some(dir)
    }

    fn resource(&mut self, p: &Planned<'a>, change: Option<&'a JVal>) -> Option<RawResource> {
        let obj = p.obj;
        let ty = get(obj, "type").and_then(as_str)?.to_string();
        let name = get(obj, "name").and_then(as_str)?.to_string();
        let mode = if get(obj, "mode").and_then(as_str) == Some("data") {
            Mode::Data
        } else {
            Mode::Managed
        };
        let address = resource_address(obj);
        let steps = module_steps(&address);
        let names: Vec<&str> = steps.iter().map(|(n, _)| n.as_str()).collect();
        let config_address = match mode {
            Mode::Data => format!("data.{ty}.{name}"),
            Mode::Managed => format!("{ty}.{name}"),
        };
        let exprs = self
            .module_config(&names)
            .and_then(|m| {
                items(get(m, "resources"))
                    .find(|r| get(r, "address").and_then(as_str) == Some(config_address.as_str()))
            })
            .and_then(|r| get(r, "expressions"));
        let block = self.module_dir(&names).and_then(|dir| {
            let files = self.files.dir(&dir);
            let kw = match mode {
                Mode::Data => "data",
                Mode::Managed => "resource",
            };
            let (fi, bi) = files.iter().enumerate().find_map(|(fi, f)| {
                f.body
                    .blocks
                    .iter()
                    .position(|b| b.ty == kw && b.labels == [ty.as_str(), name.as_str()])
                    .map(|bi| (fi, bi))
            })?;
            Some(ConfBlock {
                files: files.clone(),
                file: fi,
                block: bi,
            })
        });
        let loc = block
            .as_ref()
            .and_then(|b| {
                let span = b.file()?.body.blocks.get(b.block)?.span;
                b.loc(span)
            })
            .unwrap_or_else(|| self.loc(obj));
        let res = Res {
            address: address.clone(),
            steps,
            exprs,
            block,
            loc: loc.clone(),
        };
        let unknown = change.and_then(|c| get(c, "after_unknown"));
        let sensitive = p
            .sensitive
            .or_else(|| change.and_then(|c| get(c, "after_sensitive")));
        let mut path = Vec::new();
        let mut epath = Vec::new();
        let cfg = Cfg::Body(res.block.as_ref().and_then(ConfBlock::body));
        let mut body = self.node(
            &res, p.values, unknown, sensitive, &mut path, &mut epath, cfg,
        );
        if !matches!(body.value, Raw::Map(_)) {
            body = RawNode::new(Raw::Map(BTreeMap::new()), Some(loc.clone()));
        }
        body.loc = Some(loc.clone());
        Some(RawResource {
            address,
            kind: ty,
            mode,
            loc,
            body,
        })
    }

    /// Converts one value with its unknown and sensitive markers. `path` is
    /// the value's path in the plan, `epath` the same path in the
    /// configuration's expressions (block indexes differ when the plan
    /// reorders a set).
    #[allow(clippy::too_many_arguments)]
    fn node(
        &mut self,
        res: &Res<'a>,
        v: Option<&JVal>,
        unknown: Option<&JVal>,
        sensitive: Option<&JVal>,
        path: &mut Vec<Seg>,
        epath: &mut Vec<Seg>,
        cfg: Cfg<'_>,
    ) -> RawNode {
        let cfg_loc = self.cfg_loc(res, &cfg);
        let loc = cfg_loc
            .clone()
            .or_else(|| v.filter(|v| v.span.end > 0).map(|v| self.loc(v)))
            .unwrap_or_else(|| res.loc.clone());
        if path.len() > MAX_VALUE_DEPTH {
            return RawNode::new(Raw::Unknown("value nested too deeply".into()), Some(loc));
        }
        if is_true(sensitive) {
            if let Some(v) = v {
                self.find_secrets(res, v, path, 0);
            }
            return RawNode::new(
                Raw::Unknown("marked sensitive in the plan; value withheld".into()),
                Some(loc),
            );
        }
        if is_true(unknown) && v.is_none_or(is_null) {
            return self.unknown_value(res, path, epath, &cfg, loc, None);
        }
        let Some(v) = v else {
            return match unknown.map(|u| &u.kind) {
                Some(JKind::Obj(_)) => {
                    // Only partly known, with no known part written.
                    self.node(res, Some(&EMPTY_OBJ), unknown, sensitive, path, epath, cfg)
                }
                Some(JKind::Arr(_)) => {
                    self.node(res, Some(&EMPTY_ARR), unknown, sensitive, path, epath, cfg)
                }
                _ => RawNode::new(Raw::Null, Some(loc)),
            };
        };
        let value = match &v.kind {
            JKind::Null => Raw::Null,
            JKind::Bool(b) => Raw::Bool(*b),
            JKind::Num(n) => Raw::Number(*n),
            JKind::Str(s) => {
                if let Some(why) = palisade_model::secrets::classify(&secret_name(path), s) {
                    self.push_secret(res, path, self.loc(v), why, s);
                }
                Raw::String(s.clone())
            }
            JKind::Obj(members) => {
                let mut map = BTreeMap::new();
                let mut keys: Vec<&str> = members.iter().map(|(k, _, _)| k.as_str()).collect();
                if let Some(JKind::Obj(u)) = unknown.map(|u| &u.kind) {
                    keys.extend(u.iter().map(|(k, _, _)| k.as_str()));
                }
                keys.sort_unstable();
                keys.dedup();
                for k in keys {
                    let seg = Seg::Key(k.to_string());
                    let child_cfg = self.cfg_child(res, &cfg, &seg, child_at(Some(v), &seg));
                    path.push(seg.clone());
                    epath.push(seg.clone());
                    let n = self.node(
                        res,
                        child_at(Some(v), &seg),
                        child_at(unknown, &seg),
                        child_at(sensitive, &seg),
                        path,
                        epath,
                        child_cfg,
                    );
                    path.pop();
                    epath.pop();
                    map.insert(k.to_string(), n);
                }
                Raw::Map(map)
            }
            JKind::Arr(elems) => {
                let n_unknown = match unknown.map(|u| &u.kind) {
                    Some(JKind::Arr(a)) => a.len(),
                    _ => 0,
                };
                let n = elems.len().max(n_unknown);
                let mut assign = self.assign_blocks(res, &cfg, elems);
                if assign.is_empty() {
                    assign = assign_exprs(self.expr_list(res.exprs, epath), elems);
                }
                let mut list = Vec::with_capacity(n);
                for i in 0..n {
                    let seg = Seg::Index(i);
                    let child_cfg = match &cfg {
                        Cfg::Blocks(blocks) => match assign.get(i).copied().flatten() {
                            Some(bi) => blocks.get(bi).map_or(Cfg::None, |b| Cfg::Block(b.0, b.1)),
                            None => Cfg::None,
                        },
                        Cfg::Dynamic(span) => Cfg::Dynamic(*span),
                        Cfg::Attr(span, expr) => Cfg::Elem(*span, *expr, i),
                        Cfg::Elem(span, _, _) => Cfg::Span(*span),
                        Cfg::Span(span) => Cfg::Span(*span),
                        _ => Cfg::None,
                    };
                    path.push(seg.clone());
                    epath.push(Seg::Index(assign.get(i).copied().flatten().unwrap_or(i)));
                    let node = if is_true(child_at(unknown, &seg))
                        && child_at(Some(v), &seg).is_none_or(is_null)
                    {
                        let l = self
                            .cfg_loc(res, &child_cfg)
                            .or_else(|| cfg_loc.clone())
                            .unwrap_or_else(|| loc.clone());
                        self.unknown_value(res, path, epath, &child_cfg, l, Some((i, n)))
                    } else {
                        self.node(
                            res,
                            child_at(Some(v), &seg),
                            child_at(unknown, &seg),
                            child_at(sensitive, &seg),
                            path,
                            epath,
                            child_cfg,
                        )
                    };
                    path.pop();
                    epath.pop();
                    list.push(node);
                }
                Raw::List(list)
            }
        };
        RawNode::new(value, Some(loc))
    }

    fn push_secret(&mut self, res: &Res<'a>, path: &[Seg], loc: Location, why: String, s: &str) {
        self.secrets.push(SecretLiteral {
            resource: res.address.clone(),
            attribute: path_string(path),
            loc,
            why,
            value: palisade_model::Secret::new(s.to_string()),
        });
    }

    /// Secret-looking strings inside a withheld (sensitive) value.
    fn find_secrets(&mut self, res: &Res<'a>, v: &JVal, path: &mut Vec<Seg>, depth: usize) {
        if depth > MAX_VALUE_DEPTH {
            return;
        }
        match &v.kind {
            JKind::Str(s) => {
                if let Some(why) = palisade_model::secrets::classify(&secret_name(path), s) {
                    self.push_secret(res, path, self.loc(v), why, s);
                }
            }
            JKind::Arr(a) => {
                for (i, x) in a.iter().enumerate() {
                    path.push(Seg::Index(i));
                    self.find_secrets(res, x, path, depth + 1);
                    path.pop();
                }
            }
            JKind::Obj(m) => {
                for (k, _, x) in m {
                    path.push(Seg::Key(k.clone()));
                    self.find_secrets(res, x, path, depth + 1);
                    path.pop();
                }
            }
            _ => {}
        }
    }

    /// A value known only after apply: references to the resources the
    /// configuration takes it from, or an unknown.
    fn unknown_value(
        &mut self,
        res: &Res<'a>,
        path: &[Seg],
        epath: &[Seg],
        cfg: &Cfg<'_>,
        loc: Location,
        elem: Option<(usize, usize)>,
    ) -> RawNode {
        let (mut refs, bare) = self
            .expr_at(res.exprs, epath)
            .map(|e| self.resolve_refs(e, &res.steps, 0))
            .unwrap_or_default();
        let attr_name = path
            .iter()
            .rev()
            .find_map(|s| match s {
                Seg::Key(k) => Some(k.as_str()),
                Seg::Index(_) => None,
            })
            .unwrap_or("");
        let from_splat = refs.is_empty() && !bare.is_empty();
        if refs.is_empty() {
            // `aws_subnet.private[*].id` names only `aws_subnet.private`:
            // its instances in the plan, by their identity.
            for b in &bare {
                let prefix = format!("{b}[");
                let mut inst: Vec<&String> = self
                    .addresses
                    .iter()
                    .filter(|a| *a == b || a.starts_with(&prefix))
                    .collect();
                inst.sort();
                refs.extend(inst.into_iter().map(|a| (a.clone(), "id".to_string())));
            }
        }
        let reference = |(address, attr): &(String, String)| {
            RawNode::new(
                Raw::Ref {
                    address: address.clone(),
                    attr: attr.clone(),
                },
                Some(loc.clone()),
            )
        };
        if let Some((i, n)) = elem {
            // One element of a list: the matching reference when the list
            // has one per element.
            let pick = if refs.len() == 1 {
                refs.first()
            } else if refs.len() == n {
                refs.get(i)
            } else {
                None
            };
            if let Some(r) = pick {
                return reference(r);
            }
        } else {
            // A list literal in the configuration is a list; otherwise the
            // shape says so: several references, a splat, a list's name.
            let literal_list =
                matches!(cfg, Cfg::Attr(_, Some(e)) if matches!(e.kind, ExprKind::Array(_)));
            let is_list = literal_list || from_splat || refs.len() > 1 || list_like(attr_name);
            if is_list
                && !refs.is_empty()
                && refs
                    .iter()
                    .all(|(_, a)| !a.contains('[') && !a.contains('.'))
            {
                return RawNode::new(Raw::List(refs.iter().map(reference).collect()), Some(loc));
            }
            if refs.len() == 1 && !is_list {
                if let Some(r) = refs.first() {
                    return reference(r);
                }
            }
        }
        let reason = if refs.is_empty() {
            format!("`{}` is known only after apply", path_string(path))
        } else {
            let names: Vec<String> = refs.iter().map(|(a, at)| format!("{a}.{at}")).collect();
            format!(
                "`{}` is known only after apply (from {})",
                path_string(path),
                names.join(", ")
            )
        };
        RawNode::new(Raw::Unknown(reason), Some(loc))
    }

    /// The configuration expression of the attribute at `path`.
    fn expr_at(&self, exprs: Option<&'a JVal>, path: &[Seg]) -> Option<&'a JVal> {
        let mut cur = exprs?;
        for seg in path {
            if is_expression(cur) {
                return Some(cur);
            }
            cur = match (seg, &cur.kind) {
                (Seg::Key(k), JKind::Obj(_)) => get(cur, k)?,
                (Seg::Index(i), JKind::Arr(a)) => a.get(*i).or_else(|| a.first())?,
                _ => return None,
            };
        }
        is_expression(cur).then_some(cur)
    }

    /// The resource references an expression's value comes from, followed
    /// through module inputs (`var.x`) and outputs (`module.m.out`).
    fn resolve_refs(
        &self,
        expr: &'a JVal,
        steps: &[(String, Option<String>)],
        hops: u32,
    ) -> (Vec<(String, String)>, Vec<String>) {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut bare: Vec<String> = Vec::new();
        if hops > MAX_REF_HOPS {
            return (out, bare);
        }
        let refs: Vec<&str> = items(get(expr, "references")).filter_map(as_str).collect();
        for r in refs {
            let segs = split_segments(r);
            let Some(first) = segs.first() else { continue };
            match first.as_str() {
                "var" => {
                    let Some(var) = segs.get(1) else { continue };
                    let Some((_, parent)) = steps.split_last() else {
                        continue; // a root variable: its value is in the plan
                    };
                    let names: Vec<&str> = steps.iter().map(|(n, _)| n.as_str()).collect();
                    let Some((last, parent_names)) = names.split_last() else {
                        continue;
                    };
                    let call_expr = self
                        .module_config(parent_names)
                        .and_then(|m| get(m, "module_calls"))
                        .and_then(|c| get(c, last))
                        .and_then(|c| get(c, "expressions"))
                        .and_then(|e| get(e, var));
                    if let Some(e) = call_expr {
                        let (r, b) = self.resolve_refs(e, parent, hops + 1);
                        merge(&mut out, r);
                        merge(&mut bare, b);
                    }
                }
                "module" => {
                    let (Some(call), Some(output)) = (segs.get(1), segs.get(2)) else {
                        continue;
                    };
                    let (call_name, index) = split_index(call);
                    let mut child = steps.to_vec();
                    child.push((call_name.to_string(), index.map(str::to_string)));
                    let names: Vec<&str> = child.iter().map(|(n, _)| n.as_str()).collect();
                    let out_expr = self
                        .module_config(&names)
                        .and_then(|m| get(m, "outputs"))
                        .and_then(|o| get(o, output))
                        .and_then(|o| get(o, "expression"));
                    if let Some(e) = out_expr {
                        let (r, b) = self.resolve_refs(e, &child, hops + 1);
                        merge(&mut out, r);
                        merge(&mut bare, b);
                    }
                }
                "local" | "each" | "count" | "path" | "terraform" | "self" => {}
                _ => {
                    let (address, rest) = if first == "data" {
                        match (segs.get(1), segs.get(2)) {
                            (Some(t), Some(n)) => (format!("data.{t}.{n}"), segs.get(3..)),
                            _ => continue,
                        }
                    } else {
                        match segs.get(1) {
                            Some(n) => (format!("{first}.{n}"), segs.get(2..)),
                            None => continue,
                        }
                    };
                    let attr = rest.map(|r| r.join(".")).unwrap_or_default();
                    let address = format!("{}{address}", module_prefix(steps));
                    if attr.is_empty() {
                        // The whole object (or a splat over its instances).
                        merge(&mut bare, vec![address]);
                    } else {
                        merge(&mut out, vec![(address, attr)]);
                    }
                }
            }
        }
        // A bare reference that a precise one covers adds nothing.
        bare.retain(|b| {
            !out.iter()
                .any(|(a, _)| a == b || a.starts_with(&format!("{b}[")))
        });
        (out, bare)
    }

    /// The configuration expressions of the nested blocks at `epath`, when
    /// they are a list of blocks.
    fn expr_list(&self, exprs: Option<&'a JVal>, epath: &[Seg]) -> Option<&'a [JVal]> {
        let mut cur = exprs?;
        for seg in epath {
            if is_expression(cur) {
                return None;
            }
            cur = child_at(Some(cur), seg)?;
        }
        match &cur.kind {
            JKind::Arr(a) if !is_expression(cur) => Some(a),
            _ => None,
        }
    }

    // ----- configuration locations ---------------------------------------

    fn cfg_loc(&self, res: &Res<'a>, cfg: &Cfg<'_>) -> Option<Location> {
        let b = res.block.as_ref()?;
        match cfg {
            Cfg::Attr(span, _) | Cfg::Span(span) | Cfg::Dynamic(span) => b.loc(*span),
            Cfg::Elem(span, expr, i) => match expr.map(|e| &e.kind) {
                Some(ExprKind::Array(items)) => items
                    .get(*i)
                    .and_then(|x| b.loc(x.span))
                    .or_else(|| b.loc(*span)),
                _ => b.loc(*span),
            },
            Cfg::Block(span, _) => b.loc(*span),
            Cfg::Blocks(_) | Cfg::Body(_) | Cfg::None => None,
        }
    }

    fn cfg_child<'c>(
        &self,
        _res: &Res<'a>,
        cfg: &Cfg<'c>,
        seg: &Seg,
        _v: Option<&JVal>,
    ) -> Cfg<'c> {
        let Seg::Key(k) = seg else {
            return Cfg::None;
        };
        let body = match cfg {
            Cfg::Body(Some(b)) | Cfg::Block(_, b) => *b,
            Cfg::Attr(span, _) | Cfg::Elem(span, _, _) | Cfg::Span(span) | Cfg::Dynamic(span) => {
                return Cfg::Span(*span)
            }
            _ => return Cfg::None,
        };
        if let Some(a) = body.attr(k) {
            return Cfg::Attr(a.span, Some(&a.expr));
        }
        let blocks: Vec<(ast::Span, &Body)> = body
            .blocks
            .iter()
            .filter(|b| b.ty == *k)
            .map(|b| (b.span, &b.body))
            .collect();
        if !blocks.is_empty() {
            return Cfg::Blocks(blocks);
        }
        if let Some(d) = body
            .blocks
            .iter()
            .find(|b| b.ty == "dynamic" && b.labels.first().map(String::as_str) == Some(k))
        {
            return Cfg::Dynamic(d.span);
        }
        Cfg::None
    }

    /// Which configuration block each planned element of a nested block
    /// list comes from: by their literal values when the counts match
    /// (sets are reordered in the plan), the only block when there is one.
    fn assign_blocks(&self, _res: &Res<'a>, cfg: &Cfg<'_>, elems: &[JVal]) -> Vec<Option<usize>> {
        let Cfg::Blocks(blocks) = cfg else {
            return Vec::new();
        };
        if blocks.len() == 1 {
            return vec![Some(0); elems.len()];
        }
        if blocks.len() != elems.len() {
            return Vec::new();
        }
        let mut used = vec![false; blocks.len()];
        let mut out = Vec::with_capacity(elems.len());
        for e in elems {
            let best = blocks
                .iter()
                .enumerate()
                .filter(|(i, _)| !used.get(*i).copied().unwrap_or(true))
                .max_by_key(|(i, (_, body))| (score(e, body), std::cmp::Reverse(*i)))
                .map(|(i, _)| i);
            if let Some(i) = best {
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
            }
            out.push(best);
        }
        out
    }
}

fn merge<T: PartialEq>(into: &mut Vec<T>, from: Vec<T>) {
    for x in from {
        if !into.contains(&x) {
            into.push(x);
        }
    }
}

/// Which configuration block expressions each planned element comes from,
/// by their constant values, when the counts match.
fn assign_exprs(exprs: Option<&[JVal]>, elems: &[JVal]) -> Vec<Option<usize>> {
    let Some(exprs) = exprs else {
        return Vec::new();
    };
    if exprs.len() != elems.len() || exprs.len() < 2 {
        return Vec::new();
    }
    let score = |e: &JVal, x: &JVal| -> usize {
        match &x.kind {
            JKind::Obj(m) => m
                .iter()
                .filter(|(k, _, ex)| match (get(ex, "constant_value"), get(e, k)) {
                    (Some(c), Some(v)) => json_eq(c, v),
                    _ => false,
                })
                .count(),
            _ => 0,
        }
    };
    let mut used = vec![false; exprs.len()];
    let mut out = Vec::with_capacity(elems.len());
    for e in elems {
        let best = exprs
            .iter()
            .enumerate()
            .filter(|(i, _)| !used.get(*i).copied().unwrap_or(true))
            .max_by_key(|(i, x)| (score(e, x), std::cmp::Reverse(*i)))
            .map(|(i, _)| i);
        if let Some(i) = best {
            if let Some(u) = used.get_mut(i) {
                *u = true;
            }
        }
        out.push(best);
    }
    out
}

fn json_eq(a: &JVal, b: &JVal) -> bool {
    match (&a.kind, &b.kind) {
        (JKind::Null, JKind::Null) => true,
        (JKind::Bool(x), JKind::Bool(y)) => x == y,
        (JKind::Num(x), JKind::Num(y)) => x == y,
        (JKind::Str(x), JKind::Str(y)) => x == y,
        (JKind::Arr(x), JKind::Arr(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        _ => false,
    }
}

static EMPTY_OBJ: JVal = JVal {
    kind: JKind::Obj(Vec::new()),
    span: ast::Span { start: 0, end: 0 },
};
static EMPTY_ARR: JVal = JVal {
    kind: JKind::Arr(Vec::new()),
    span: ast::Span { start: 0, end: 0 },
};

/// Where a value sits in the configuration, as far as it is known.
enum Cfg<'c> {
    None,
    /// A resource or block body (`None`: no configuration).
    Body(Option<&'c Body>),
    /// An attribute: its span and expression.
    Attr(ast::Span, Option<&'c ast::Expr>),
    /// Element `i` of an attribute's value.
    Elem(ast::Span, Option<&'c ast::Expr>, usize),
    /// Somewhere inside a span.
    Span(ast::Span),
    /// The blocks of one type, in order.
    Blocks(Vec<(ast::Span, &'c Body)>),
    /// One block.
    Block(ast::Span, &'c Body),
    /// A `dynamic` block producing the elements.
    Dynamic(ast::Span),
}

/// How many literal attributes of a block equal the planned element's.
fn score(e: &JVal, body: &Body) -> usize {
    body.attrs
        .iter()
        .filter(|a| get(e, &a.name).is_some_and(|v| literal_eq(&a.expr, v)))
        .count()
}

fn literal_eq(e: &ast::Expr, v: &JVal) -> bool {
    match (&e.kind, &v.kind) {
        (ExprKind::String(a), JKind::Str(b)) => a == b,
        (ExprKind::String(a), JKind::Num(b)) => a.parse::<f64>().ok() == Some(*b),
        (ExprKind::Number(a), JKind::Num(b)) => a == b,
        (ExprKind::Number(a), JKind::Str(b)) => b.parse::<f64>().ok() == Some(*a),
        (ExprKind::Bool(a), JKind::Bool(b)) => a == b,
        (ExprKind::Array(a), JKind::Arr(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| literal_eq(x, y))
        }
        _ => false,
    }
}

/// A configuration expression object (`references` / `constant_value`).
fn is_expression(v: &JVal) -> bool {
    get(v, "references").is_some() || get(v, "constant_value").is_some()
}

/// Attribute names that hold a list in the AWS provider schema, for values
/// known only after apply whose configuration files are not available.
fn list_like(name: &str) -> bool {
    const SUFFIXES: &[&str] = &[
        "_ids",
        "_arns",
        "security_groups",
        "subnets",
        "_groups",
        "_names",
        "_blocks",
        "_cidrs",
        "_endpoints",
        "_roles",
    ];
    SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// The name the secret heuristics see for a value at `path`: the nearest
/// key.
fn secret_name(path: &[Seg]) -> String {
    path.iter()
        .rev()
        .find_map(|s| match s {
            Seg::Key(k) => Some(k.clone()),
            Seg::Index(_) => None,
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_respect_brackets_and_quotes() {
        assert_eq!(
            split_segments(r#"module.a["x.y"].aws_s3_bucket.b[0].id"#),
            vec!["module", r#"a["x.y"]"#, "aws_s3_bucket", "b[0]", "id"]
        );
        assert_eq!(
            module_steps(r#"module.a[0].module.b.aws_x.y"#),
            vec![
                ("a".to_string(), Some("0".to_string())),
                ("b".to_string(), None)
            ]
        );
        assert_eq!(split_index("b[\"k\"]"), ("b", Some("\"k\"")));
    }

    #[test]
    fn detection() {
        assert!(looks_like_plan(
            r#"{"format_version":"1.2","planned_values":{}}"#
        ));
        assert!(looks_like_plan(
            "\u{feff}  {\"format_version\":\"1.0\",\"resource_changes\":[]}"
        ));
        assert!(!looks_like_plan(r#"{"apiVersion":"v1","kind":"List"}"#));
        assert!(!looks_like_plan(r#"{"planned_values":{}}"#));
        assert!(!looks_like_plan("[]"));
    }
}
