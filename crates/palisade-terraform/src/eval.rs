//! Static evaluation of expressions, module instances and resources.
//!
//! Symbols (variables, locals, resources, module calls, outputs) are
//! evaluated lazily, on first use, and memoised per module instance, so they
//! may be declared in any order; a symbol met again while it is being
//! evaluated is a cycle.

use crate::ast::{BinOp, Block, Body, Expr, ExprKind, ObjKey, Op, Span, TPart, UnOp};
use crate::load::{CallDecl, FileId, ModuleDef, ResDecl};
use crate::value::{equal, key_suffix, Map, ResObj, Value};
use crate::Options;
use palisade_model::raw::{Mode, Raw, RawNode, RawResource};
use palisade_model::{Diagnostic, LineIndex, Location, SecretLiteral, Unknown};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

/// Cap on nested evaluation (expressions plus symbol resolution), well below
/// what overflows a 2 MiB thread stack.
pub const MAX_EVAL_DEPTH: u32 = 200;
/// Cap on nested module calls.
pub const MAX_MODULE_DEPTH: u32 = 24;

/// Largest `count` expanded into instances.
const MAX_COUNT: f64 = 10_000.0;

const TOO_DEEP: &str = "expressions or references nested too deeply to evaluate";

/// Work allowed to evaluate one root: one unit per expression evaluated,
/// plus the size of what it produced (a list's elements, a string's bytes
/// / 8) and of the arguments every function reads. Real configurations use
/// a small fraction; a few lines of nested `for` expressions over
/// `range(100000)` would otherwise allocate without bound.
pub const MAX_WORK: u64 = 20_000_000;

/// Longest string a function may build (`replace`, `indent`, `format`).
pub const MAX_STRING_BYTES: usize = 16 * 1024 * 1024;

pub(crate) const OVER_BUDGET: &str =
    "evaluation stopped: this root needs more work than palisade allows";

/// What producing `v` costs: its elements, or its bytes / 8.
pub(crate) fn weight(v: &Value) -> u64 {
    match v {
        Value::String(s) => (s.len() / 8) as u64,
        Value::List(l) => l.len() as u64,
        Value::Map(m) => m.len() as u64,
        _ => 0,
    }
}

/// Adds the whole size of `v` (shared parts counted each time they are
/// reachable, as a function reading them sees them) to `acc`; false as
/// soon as `acc` passes `cap`.
pub(crate) fn deep_weight(v: &Value, acc: &mut u64, cap: u64, depth: u32) -> bool {
    *acc = acc.saturating_add(1 + weight(v));
    if *acc > cap || depth > 256 {
        return false;
    }
    match v {
        Value::List(l) => l.iter().all(|x| deep_weight(x, acc, cap, depth + 1)),
        Value::Map(m) => m.iter().all(|(k, x)| {
            *acc = acc.saturating_add((k.len() / 8) as u64);
            deep_weight(x, acc, cap, depth + 1)
        }),
        Value::Res(r) => r
            .attrs
            .values()
            .all(|x| deep_weight(x, acc, cap, depth + 1)),
        _ => true,
    }
}

pub struct FileInfo {
    pub display: Arc<str>,
    pub lines: LineIndex,
}

/// `count.index` / `each.key` / `each.value` of the instance being evaluated.
#[derive(Clone, Debug, Default)]
pub struct Bind {
    pub count_index: Option<Value>,
    pub each: Option<(Value, Value)>,
}

/// Names bound by for-expressions, template `for`, dynamic iterators and
/// `templatefile` variables.
pub struct Scope<'a> {
    pub name: &'a str,
    pub value: Value,
    pub parent: Option<&'a Scope<'a>>,
}

/// Scope name of a map of variables (`templatefile`).
pub const BAG: &str = "\0bag";

impl Scope<'_> {
    fn lookup(&self, name: &str) -> Option<&Value> {
        let mut s = Some(self);
        while let Some(sc) = s {
            if sc.name == name {
                return Some(&sc.value);
            }
            if sc.name == BAG {
                if let Value::Map(m) = &sc.value {
                    if let Some(v) = m.get(name) {
                        return Some(v);
                    }
                }
            }
            s = sc.parent;
        }
        None
    }
}

#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub inst: usize,
    pub bind: &'a Bind,
    pub scope: Option<&'a Scope<'a>>,
    pub file: FileId,
    /// `templatefile` scope: only the given variables exist.
    pub isolated: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Sym {
    Var(usize),
    Local(usize),
    Res(usize),
    Call(usize),
    Output(usize),
}

enum Slot {
    InProgress,
    Done(Value),
}

pub struct CallSite {
    pub inst: usize,
    pub call: usize,
    pub bind: Bind,
}

pub struct Inst {
    pub def: Rc<ModuleDef>,
    /// Address prefix of everything in this instance: "" or `module.a["x"].`.
    pub prefix: String,
    pub parent: Option<CallSite>,
    pub depth: u32,
    /// Module directories from the root down to this one (cycle detection).
    pub chain: Vec<PathBuf>,
}

pub type EvalResult = Result<Value, String>;

pub struct Evaluator<'o> {
    pub opts: &'o Options,
    pub display: &'o dyn Fn(&Path) -> String,
    pub files: Vec<FileInfo>,
    pub paths: Vec<PathBuf>,
    pub insts: Vec<Inst>,
    /// Root variable values from tfvars, var files and `--var`.
    pub root_values: HashMap<String, Value>,
    pub defs: HashMap<PathBuf, Rc<ModuleDef>>,
    /// Directory the root module was loaded from, and the directory file
    /// reads and module sources must stay under.
    pub root_dir: PathBuf,
    pub boundary: PathBuf,
    /// Local module sources must stay under this directory, when set.
    pub module_boundary: Option<PathBuf>,
    cache: HashMap<(usize, Sym), Slot>,
    depth: u32,
    /// Work done so far (see [`MAX_WORK`]); reported once when exhausted.
    pub(crate) work: u64,
    over_budget_reported: bool,
    pub resources: Vec<RawResource>,
    pub errors: Vec<Diagnostic>,
    pub notes: Vec<Diagnostic>,
    pub unknowns: Vec<Unknown>,
    pub secrets: Vec<SecretLiteral>,
    noted: HashSet<(FileId, u32, String)>,
    pub regexes: HashMap<String, Option<Rc<regex_lite::Regex>>>,
    pub file_cache: HashMap<PathBuf, Result<Rc<str>, String>>,
}

fn err<T>(m: impl Into<String>) -> Result<T, String> {
    Err(m.into())
}

const META_ATTRS: &[&str] = &["count", "for_each", "depends_on", "provider"];
const META_BLOCKS: &[&str] = &["lifecycle", "provisioner", "connection"];

impl<'o> Evaluator<'o> {
    pub fn new(
        opts: &'o Options,
        display: &'o dyn Fn(&Path) -> String,
        root_dir: PathBuf,
        boundary: PathBuf,
        module_boundary: Option<PathBuf>,
    ) -> Self {
        Evaluator {
            opts,
            display,
            files: Vec::new(),
            paths: Vec::new(),
            insts: Vec::new(),
            root_values: HashMap::new(),
            defs: HashMap::new(),
            root_dir,
            boundary,
            module_boundary,
            cache: HashMap::new(),
            depth: 0,
            work: 0,
            over_budget_reported: false,
            resources: Vec::new(),
            errors: Vec::new(),
            notes: Vec::new(),
            unknowns: Vec::new(),
            secrets: Vec::new(),
            noted: HashSet::new(),
            regexes: HashMap::new(),
            file_cache: HashMap::new(),
        }
    }

    pub fn loc(&self, file: FileId, span: Span) -> Location {
        match self.files.get(file) {
            Some(f) => f
                .lines
                .location(&f.display, span.start as usize, span.end as usize),
            None => Location::file_only("<unknown>"),
        }
    }

    pub fn line(&self, file: FileId, span: Span) -> Option<u32> {
        self.files
            .get(file)
            .map(|f| f.lines.line(span.start as usize))
    }

    pub fn file_name(&self, file: FileId) -> String {
        self.files
            .get(file)
            .map(|f| f.display.to_string())
            .unwrap_or_default()
    }

    pub fn note(&mut self, file: FileId, span: Span, msg: String) {
        let line = self.line(file, span);
        if self.noted.insert((file, line.unwrap_or(0), msg.clone())) {
            let d = Diagnostic::new(self.file_name(file), line, msg);
            self.notes.push(d);
        }
    }

    pub fn error(&mut self, file: FileId, span: Span, msg: String) {
        let d = Diagnostic::new(self.file_name(file), self.line(file, span), msg);
        self.errors.push(d);
    }

    fn add_unknown(
        &mut self,
        resource: String,
        attribute: &str,
        loc: Option<Location>,
        reason: String,
    ) {
        self.unknowns.push(Unknown {
            resource,
            attribute: attribute.to_string(),
            location: loc,
            reason,
        });
    }

    // ----- expressions -------------------------------------------------

    pub fn eval(&mut self, ctx: Ctx, e: &Expr) -> EvalResult {
        if self.depth >= MAX_EVAL_DEPTH {
            // Unknown, not an error: `try` must not turn it into a fallback.
            return Ok(Value::unknown(TOO_DEEP));
        }
        if self.work > MAX_WORK {
            self.over_budget(ctx.file, e.span);
            return Ok(Value::unknown(OVER_BUDGET));
        }
        self.work += 1;
        self.depth += 1;
        let r = self.eval_inner(ctx, e);
        self.depth -= 1;
        if let Ok(v) = &r {
            self.work = self.work.saturating_add(weight(v));
        }
        r
    }

    /// Records, once per root, that evaluation ran out of work: every value
    /// from here on is unknown.
    pub(crate) fn over_budget(&mut self, file: FileId, span: Span) {
        if !self.over_budget_reported {
            self.over_budget_reported = true;
            self.error(
                file,
                span,
                format!(
                    "{OVER_BUDGET} (more than {MAX_WORK} steps; values built here are very \
large): the values evaluated from here on are unknown"
                ),
            );
        }
    }

    fn eval_inner(&mut self, ctx: Ctx, e: &Expr) -> EvalResult {
        match &e.kind {
            ExprKind::Null => Ok(Value::Null),
            ExprKind::Bool(b) => Ok(Value::Bool(*b)),
            ExprKind::Number(n) => Ok(Value::Number(*n)),
            ExprKind::String(s) => Ok(Value::String(s.clone())),
            ExprKind::Invalid(m) => Err(m.clone()),
            ExprKind::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.push(self.eval(ctx, i)?);
                }
                Ok(Value::list(out))
            }
            ExprKind::Object(items) => {
                let mut out = Map::new();
                for (k, v) in items {
                    let key = match k {
                        ObjKey::Ident(s) => s.clone(),
                        ObjKey::Expr(ke) => {
                            let kv = self.eval(ctx, ke)?;
                            match kv.to_str()? {
                                Some(s) => s,
                                None => return Ok(kv.as_unknown().unwrap_or_else(|| kv.clone())),
                            }
                        }
                    };
                    let val = self.eval(ctx, v)?;
                    out.insert(key, val);
                }
                Ok(Value::map(out))
            }
            ExprKind::Template(parts) => {
                // A template of a single interpolation yields the value itself.
                if let [TPart::Interp(x)] = parts.as_slice() {
                    return self.eval(ctx, x);
                }
                let mut out = String::new();
                match self.render(ctx, parts, &mut out)? {
                    Some(u) => Ok(u),
                    None => Ok(Value::String(out)),
                }
            }
            ExprKind::Var(name) => {
                if let Some(v) = ctx.scope.and_then(|s| s.lookup(name)) {
                    return Ok(v.clone());
                }
                self.traverse_root(ctx, name, &[]).map(|(v, _)| v)
            }
            ExprKind::Traversal(base, ops) => {
                let (v, used) = match &base.kind {
                    ExprKind::Var(name) if ctx.scope.and_then(|s| s.lookup(name)).is_none() => {
                        self.traverse_root(ctx, name, ops)?
                    }
                    _ => (self.eval(ctx, base)?, 0),
                };
                self.apply_ops(ctx, v, ops.get(used..).unwrap_or(&[]), None)
            }
            ExprKind::Call {
                name,
                args,
                expand_final,
            } => self.call(ctx, e.span, name, args, *expand_final),
            ExprKind::Cond(c, t, f) => {
                let cv = self.eval(ctx, c)?;
                match cv.to_bool()? {
                    Some(true) => self.eval(ctx, t),
                    Some(false) => self.eval(ctx, f),
                    None => {
                        let a = self.eval(ctx, t);
                        let b = self.eval(ctx, f);
                        match (a, b) {
                            (Ok(a), Ok(b)) if equal(&a, &b) == Some(true) => Ok(a),
                            _ => Ok(cv.as_unknown().unwrap_or(cv)),
                        }
                    }
                }
            }
            ExprKind::Unary(op, x) => {
                let v = self.eval(ctx, x)?;
                match op {
                    UnOp::Neg => Ok(v
                        .to_num()?
                        .map_or_else(|| unknown_of(&v), |n| Value::Number(-n))),
                    UnOp::Not => Ok(v
                        .to_bool()?
                        .map_or_else(|| unknown_of(&v), |b| Value::Bool(!b))),
                }
            }
            ExprKind::Binary(op, l, r) => {
                let a = self.eval(ctx, l)?;
                let b = self.eval(ctx, r)?;
                binary(*op, &a, &b)
            }
            ExprKind::For(f) => self.eval_for(ctx, f),
        }
    }

    /// Renders template parts into `out`; returns an unknown when a part is unknown.
    fn render(
        &mut self,
        ctx: Ctx,
        parts: &[TPart],
        out: &mut String,
    ) -> Result<Option<Value>, String> {
        for p in parts {
            if out.len() > MAX_STRING_BYTES {
                return Err(
                    "the template would produce a string longer than palisade allows".into(),
                );
            }
            match p {
                TPart::Lit(s) => out.push_str(s),
                TPart::Interp(x) => {
                    let v = self.eval(ctx, x)?;
                    match v.to_str()? {
                        Some(s) => out.push_str(&s),
                        None => return Ok(Some(unknown_of(&v))),
                    }
                }
                TPart::If {
                    cond,
                    then,
                    otherwise,
                } => {
                    let c = self.eval(ctx, cond)?;
                    match c.to_bool()? {
                        Some(true) => {
                            if let Some(u) = self.render(ctx, then, out)? {
                                return Ok(Some(u));
                            }
                        }
                        Some(false) => {
                            if let Some(u) = self.render(ctx, otherwise, out)? {
                                return Ok(Some(u));
                            }
                        }
                        None => return Ok(Some(unknown_of(&c))),
                    }
                }
                TPart::For {
                    key_var,
                    val_var,
                    coll,
                    body,
                } => {
                    let c = self.eval(ctx, coll)?;
                    let pairs = match iter_pairs(&c)? {
                        Some(p) => p,
                        None => return Ok(Some(unknown_of(&c))),
                    };
                    for (k, v) in pairs {
                        self.work += 1;
                        if self.work > MAX_WORK {
                            self.over_budget(ctx.file, coll.span);
                            return Ok(Some(Value::unknown(OVER_BUDGET)));
                        }
                        let s1 = Scope {
                            name: key_var.as_deref().unwrap_or(""),
                            value: k,
                            parent: ctx.scope,
                        };
                        let s2 = Scope {
                            name: val_var,
                            value: v,
                            parent: Some(&s1),
                        };
                        let c2 = Ctx {
                            scope: Some(&s2),
                            ..ctx
                        };
                        if let Some(u) = self.render(c2, body, out)? {
                            return Ok(Some(u));
                        }
                    }
                }
            }
        }
        Ok(None)
    }

    fn eval_for(&mut self, ctx: Ctx, f: &crate::ast::ForExpr) -> EvalResult {
        let c = self.eval(ctx, &f.coll)?;
        let Some(pairs) = iter_pairs(&c)? else {
            return Ok(unknown_of(&c));
        };
        let mut list = Vec::new();
        let mut map = Map::new();
        let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for (k, v) in pairs {
            self.work += 1;
            if self.work > MAX_WORK {
                self.over_budget(ctx.file, f.coll.span);
                return Ok(Value::unknown(OVER_BUDGET));
            }
            let s1 = Scope {
                name: f.key_var.as_deref().unwrap_or(""),
                value: k,
                parent: ctx.scope,
            };
            let s2 = Scope {
                name: &f.val_var,
                value: v,
                parent: Some(&s1),
            };
            let c2 = Ctx {
                scope: Some(&s2),
                ..ctx
            };
            if let Some(cond) = &f.cond {
                let cv = self.eval(c2, cond)?;
                match cv.to_bool()? {
                    Some(true) => {}
                    Some(false) => continue,
                    None => return Ok(unknown_of(&cv)),
                }
            }
            match &f.key_expr {
                None => list.push(self.eval(c2, &f.val_expr)?),
                Some(ke) => {
                    let kv = self.eval(c2, ke)?;
                    let Some(key) = kv.to_str()? else {
                        return Ok(unknown_of(&kv));
                    };
                    let val = self.eval(c2, &f.val_expr)?;
                    if f.grouping {
                        groups.entry(key).or_default().push(val);
                    } else if map.insert(key, val).is_some() {
                        return err("duplicate key in a for expression (use `...` to group)");
                    }
                }
            }
        }
        Ok(if f.key_expr.is_none() {
            Value::list(list)
        } else if f.grouping {
            Value::map(
                groups
                    .into_iter()
                    .map(|(k, v)| (k, Value::list(v)))
                    .collect(),
            )
        } else {
            Value::map(map)
        })
    }

    /// Resolves the root of a traversal (`var.x`, `local.x`, `aws_vpc.main`,
    /// `data.t.n`, `module.m`, `count.index`, `each.key`, `path.module`...).
    /// Returns the value and how many operators it consumed.
    fn traverse_root(
        &mut self,
        ctx: Ctx,
        name: &str,
        ops: &[Op],
    ) -> Result<(Value, usize), String> {
        let attr = |i: usize| match ops.get(i) {
            Some(Op::GetAttr(a)) => Some(a.as_str()),
            _ => None,
        };
        if ctx.isolated {
            return err(format!("`{name}` is not available in this template"));
        }
        let inst = ctx.inst;
        let def = match self.insts.get(inst) {
            Some(i) => i.def.clone(),
            None => return err("internal: no module instance"),
        };
        match name {
            "var" => {
                let Some(n) = attr(0) else {
                    return err("`var` must be followed by a variable name");
                };
                let Some(&vi) = def.var_idx.get(n) else {
                    return err(format!("reference to undeclared variable `{n}`"));
                };
                Ok((self.var_value(inst, vi)?, 1))
            }
            "local" => {
                let Some(n) = attr(0) else {
                    return err("`local` must be followed by a name");
                };
                let Some(&li) = def.local_idx.get(n) else {
                    return err(format!("reference to undeclared local value `{n}`"));
                };
                Ok((self.local_value(inst, li)?, 1))
            }
            "count" => match (attr(0), &ctx.bind.count_index) {
                (Some("index"), Some(v)) => Ok((v.clone(), 1)),
                _ => err("`count.index` is only available in a block with `count`"),
            },
            "each" => match (attr(0), &ctx.bind.each) {
                (Some("key"), Some((k, _))) => Ok((k.clone(), 1)),
                (Some("value"), Some((_, v))) => Ok((v.clone(), 1)),
                _ => err("`each` is only available in a block with `for_each`"),
            },
            "path" => match attr(0) {
                Some("module") => {
                    let rel = self
                        .insts
                        .get(inst)
                        .map(|i| i.def.rel.clone())
                        .unwrap_or_default();
                    Ok((Value::String(rel), 1))
                }
                Some("root") => Ok((Value::str("."), 1)),
                Some("cwd") => Ok((
                    Value::unknown("`path.cwd` depends on where Terraform runs"),
                    1,
                )),
                _ => err("unknown `path` attribute"),
            },
            "terraform" => match attr(0) {
                Some("workspace") => Ok((Value::str("default"), 1)),
                _ => Ok((
                    Value::unknown("`terraform` attribute is not known statically"),
                    1,
                )),
            },
            "self" => Ok((
                Value::unknown("`self` is only known at apply time"),
                ops.len(),
            )),
            "module" => {
                let Some(n) = attr(0) else {
                    return err("`module` must be followed by a module name");
                };
                let Some(&ci) = def.call_idx.get(n) else {
                    return err(format!("reference to undeclared module `{n}`"));
                };
                Ok((self.call_value(inst, ci)?, 1))
            }
            "data" => {
                let (Some(t), Some(n)) = (attr(0), attr(1)) else {
                    return err("`data` must be followed by a type and a name");
                };
                let Some(&ri) = def.res_idx.get(&format!("data.{t}.{n}")) else {
                    return err(format!(
                        "reference to undeclared data source `data.{t}.{n}`"
                    ));
                };
                Ok((self.resource_value(inst, ri), 2))
            }
            _ => {
                let Some(n) = attr(0) else {
                    return err(format!("unknown variable `{name}`"));
                };
                let Some(&ri) = def.res_idx.get(&format!("{name}.{n}")) else {
                    return err(format!("reference to undeclared resource `{name}.{n}`"));
                };
                Ok((self.resource_value(inst, ri), 1))
            }
        }
    }

    /// Applies traversal operators. `prov` tracks the resource attribute a
    /// value came from, so attributes missing from the configuration become
    /// references instead of errors.
    fn apply_ops(
        &mut self,
        ctx: Ctx,
        mut v: Value,
        ops: &[Op],
        mut prov: Option<(String, String)>,
    ) -> EvalResult {
        let mut i = 0;
        while i < ops.len() {
            match &ops[i] {
                Op::GetAttr(a) => {
                    (v, prov) = self.get_attr(v, a, prov)?;
                    i += 1;
                }
                Op::Index(ke) => {
                    let k = self.eval(ctx, ke)?;
                    (v, prov) = index(v, &k, prov)?;
                    i += 1;
                }
                Op::AttrSplat | Op::FullSplat => {
                    let full = matches!(ops[i], Op::FullSplat);
                    let mut j = i + 1;
                    if full {
                        j = ops.len();
                    } else {
                        while matches!(ops.get(j), Some(Op::GetAttr(_))) {
                            j += 1;
                        }
                    }
                    let sub = ops.get(i + 1..j).unwrap_or(&[]);
                    let items: Vec<Value> = match &v {
                        Value::Null => Vec::new(),
                        Value::List(l) => l.as_ref().clone(),
                        x if x.as_unknown().is_some() => return Ok(unknown_of(x)),
                        x => vec![x.clone()],
                    };
                    let mut out = Vec::with_capacity(items.len());
                    for it in items {
                        out.push(self.apply_ops(ctx, it, sub, None)?);
                    }
                    v = Value::list(out);
                    prov = None;
                    i = j;
                }
            }
        }
        Ok(v)
    }

    fn get_attr(
        &mut self,
        v: Value,
        a: &str,
        prov: Option<(String, String)>,
    ) -> Result<(Value, Option<(String, String)>), String> {
        Ok(match v {
            Value::Res(r) => match r.attrs.get(a) {
                Some(x) if !r.pending || !r.attrs.is_empty() => {
                    (x.clone(), Some((r.address.clone(), a.to_string())))
                }
                _ => (Value::reference(r.address.clone(), a), None),
            },
            Value::Ref(r) => {
                let attr = if r.attr.is_empty() {
                    a.to_string()
                } else {
                    format!("{}.{a}", r.attr)
                };
                (Value::reference(r.address.clone(), attr), None)
            }
            Value::Unknown(_) => (v, None),
            Value::Module(mi) => (self.output_value(mi, a)?, None),
            Value::Map(m) => match m.get(a) {
                Some(x) => {
                    let p = prov.map(|(ad, p)| (ad, format!("{p}.{a}")));
                    (x.clone(), p)
                }
                None => match prov {
                    Some((ad, p)) => (Value::reference(ad, format!("{p}.{a}")), None),
                    None => return err(format!("object has no attribute `{a}`")),
                },
            },
            Value::Null => return err(format!("cannot read attribute `{a}` of a null value")),
            other => match prov {
                Some((ad, p)) => (Value::reference(ad, format!("{p}.{a}")), None),
                None => {
                    return err(format!(
                        "cannot read attribute `{a}` of a {}",
                        other.type_name()
                    ))
                }
            },
        })
    }

    // ----- symbols -----------------------------------------------------

    fn begin(&mut self, key: &(usize, Sym)) -> Option<Result<Value, ()>> {
        match self.cache.get(key) {
            Some(Slot::Done(v)) => Some(Ok(v.clone())),
            Some(Slot::InProgress) => Some(Err(())),
            None => None,
        }
    }

    fn too_deep(&self) -> bool {
        self.depth >= MAX_EVAL_DEPTH
    }

    fn var_value(&mut self, inst: usize, vi: usize) -> EvalResult {
        let key = (inst, Sym::Var(vi));
        match self.begin(&key) {
            Some(Ok(v)) => return Ok(v),
            Some(Err(())) => return err("cycle through a module input variable"),
            None => {}
        }
        if self.too_deep() {
            return Ok(Value::unknown(TOO_DEEP));
        }
        self.cache.insert(key.clone(), Slot::InProgress);
        self.depth += 1;
        let v = self.var_value_inner(inst, vi);
        self.depth -= 1;
        let v = match v {
            Ok(v) => v,
            Err(e) => {
                self.cache.remove(&key);
                return Err(e);
            }
        };
        self.cache.insert(key, Slot::Done(v.clone()));
        Ok(v)
    }

    fn var_value_inner(&mut self, inst: usize, vi: usize) -> EvalResult {
        let def = self.insts[inst].def.clone();
        let Some(decl) = def.vars.get(vi) else {
            return err("internal: no variable");
        };
        let name = decl.name.clone();
        let given: Option<Value> = match &self.insts[inst].parent {
            None => self.root_values.get(&name).cloned(),
            Some(site) => {
                let (pi, ci, bind) = (site.inst, site.call, site.bind.clone());
                let pdef = self.insts[pi].def.clone();
                match pdef.calls.get(ci).and_then(|c| c.block.body.attr(&name)) {
                    Some(a) => {
                        let file = pdef.calls[ci].file;
                        let ctx = Ctx {
                            inst: pi,
                            bind: &bind,
                            scope: None,
                            file,
                            isolated: false,
                        };
                        Some(match self.eval(ctx, &a.expr) {
                            Ok(v) => v,
                            Err(e) => {
                                let addr = format!(
                                    "{}module.{}",
                                    self.insts[pi].prefix, pdef.calls[ci].name
                                );
                                self.note(
                                    file,
                                    a.expr.span,
                                    format!("{addr}: input `{name}`: {e}"),
                                );
                                Value::unknown(format!(
                                    "input `{name}` of `{addr}` could not be evaluated"
                                ))
                            }
                        })
                    }
                    None => None,
                }
            }
        };
        let v = match given {
            Some(Value::Null) if !decl.nullable && decl.default.is_some() => None,
            Some(v) => Some(v),
            None => None,
        };
        let v = match v {
            Some(v) => v,
            None => match &decl.default {
                Some(d) => {
                    let bind = Bind::default();
                    let ctx = Ctx {
                        inst,
                        bind: &bind,
                        scope: None,
                        file: decl.file,
                        isolated: false,
                    };
                    self.eval(ctx, d)?
                }
                None => {
                    let reason = format!("variable `{name}` has no value");
                    if self.insts[inst].parent.is_none() {
                        let loc = self.loc(decl.file, decl.span);
                        self.add_unknown(format!("var.{name}"), "value", Some(loc), reason.clone());
                    }
                    Value::unknown(reason)
                }
            },
        };
        Ok(match &decl.ty {
            Some(t) => crate::funcs::convert_type(&v, t),
            None => v,
        })
    }

    fn local_value(&mut self, inst: usize, li: usize) -> EvalResult {
        let key = (inst, Sym::Local(li));
        let def = self.insts[inst].def.clone();
        let Some(local) = def.locals.get(li) else {
            return err("internal: no local");
        };
        match self.begin(&key) {
            Some(Ok(v)) => return Ok(v),
            Some(Err(())) => {
                let msg = format!("cycle in local value `local.{}`", local.name);
                self.error(local.file, local.span, msg.clone());
                // Break the cycle for good: later readers see an unknown.
                let u = Value::unknown(msg);
                self.cache.insert(key, Slot::Done(u.clone()));
                return Ok(u);
            }
            None => {}
        }
        if self.too_deep() {
            return Ok(Value::unknown(TOO_DEEP));
        }
        self.cache.insert(key.clone(), Slot::InProgress);
        let bind = Bind::default();
        let ctx = Ctx {
            inst,
            bind: &bind,
            scope: None,
            file: local.file,
            isolated: false,
        };
        self.depth += 1;
        let r = self.eval(ctx, &local.expr);
        self.depth -= 1;
        let v = match r {
            Ok(v) => v,
            Err(e) => {
                let prefix = self.insts[inst].prefix.clone();
                self.note(
                    local.file,
                    local.expr.span,
                    format!("{prefix}local.{}: {e}", local.name),
                );
                Value::unknown(format!("`local.{}` could not be evaluated", local.name))
            }
        };
        // A cycle found below may already have stored an unknown here.
        if let Some(Slot::Done(existing)) = self.cache.get(&key) {
            return Ok(existing.clone());
        }
        self.cache.insert(key, Slot::Done(v.clone()));
        Ok(v)
    }

    fn output_value(&mut self, inst: usize, name: &str) -> EvalResult {
        let def = self.insts[inst].def.clone();
        let Some(&oi) = def.output_idx.get(name) else {
            return err(format!("module has no output `{name}`"));
        };
        let key = (inst, Sym::Output(oi));
        match self.begin(&key) {
            Some(Ok(v)) => return Ok(v),
            Some(Err(())) => {
                return Ok(Value::unknown(format!(
                    "cycle through module output `{name}`"
                )))
            }
            None => {}
        }
        if self.too_deep() {
            return Ok(Value::unknown(TOO_DEEP));
        }
        let out = &def.outputs[oi];
        self.cache.insert(key.clone(), Slot::InProgress);
        let bind = Bind::default();
        let ctx = Ctx {
            inst,
            bind: &bind,
            scope: None,
            file: out.file,
            isolated: false,
        };
        self.depth += 1;
        let r = self.eval(ctx, &out.expr);
        self.depth -= 1;
        let v = match r {
            Ok(v) => v,
            Err(e) => {
                let prefix = self.insts[inst].prefix.clone();
                self.note(
                    out.file,
                    out.expr.span,
                    format!("{prefix}output.{name}: {e}"),
                );
                Value::unknown(format!("output `{name}` could not be evaluated"))
            }
        };
        self.cache.insert(key, Slot::Done(v.clone()));
        Ok(v)
    }

    // ----- resources ---------------------------------------------------

    /// The value of a resource (all its instances), evaluating it on first use.
    pub fn resource_value(&mut self, inst: usize, ri: usize) -> Value {
        let key = (inst, Sym::Res(ri));
        let def = self.insts[inst].def.clone();
        let Some(decl) = def.resources.get(ri) else {
            return Value::unknown("internal: no resource");
        };
        let base = format!("{}{}", self.insts[inst].prefix, decl.address());
        match self.begin(&key) {
            Some(Ok(v)) => return v,
            // Being evaluated (a reference cycle, or a self reference): every
            // attribute reads as a reference.
            Some(Err(())) => return pending(base),
            None => {}
        }
        if self.depth >= MAX_EVAL_DEPTH {
            return pending(base);
        }
        self.cache.insert(key.clone(), Slot::InProgress);
        self.depth += 1;
        let v = self.eval_resource(inst, decl, base);
        self.depth -= 1;
        self.cache.insert(key, Slot::Done(v.clone()));
        v
    }

    fn eval_resource(&mut self, inst: usize, decl: &ResDecl, base: String) -> Value {
        let loc = self.loc(decl.file, decl.block.span);
        if decl.mode == Mode::Data && decl.ty == "external" {
            self.note(
                decl.file,
                decl.block.span,
                format!(
                    "{base}: `external` data source is never executed; its results are unknown"
                ),
            );
            return pending(base);
        }
        let instances = self.expand(inst, decl.file, &decl.block.body, &base, &loc);
        let collection = instances.collection;
        let mut values: Vec<(Value, Value)> = Vec::new();
        for (key, bind) in instances.items {
            let addr = match &key {
                Some(k) => format!("{base}{}", key_suffix(k)),
                None => base.clone(),
            };
            let ctx = Ctx {
                inst,
                bind: &bind,
                scope: None,
                file: decl.file,
                isolated: false,
            };
            let (attrs, raw) = self.eval_body(ctx, &decl.block.body, true, &addr, &loc);
            self.resources.push(RawResource {
                address: addr.clone(),
                kind: decl.ty.clone(),
                mode: decl.mode,
                loc: loc.clone(),
                body: RawNode::new(Raw::Map(raw), Some(loc.clone())),
            });
            let obj = Value::Res(Rc::new(ResObj {
                address: addr,
                attrs,
                pending: false,
                keep_address: false,
            }));
            values.push((key.unwrap_or(Value::Null), obj));
        }
        collect(collection, values, base)
    }

    /// Expands `count` / `for_each` of a resource or module block into instances.
    fn expand(
        &mut self,
        inst: usize,
        file: FileId,
        body: &Body,
        base: &str,
        loc: &Location,
    ) -> Instances {
        let bind0 = Bind::default();
        let ctx = Ctx {
            inst,
            bind: &bind0,
            scope: None,
            file,
            isolated: false,
        };
        let single = |bind: Bind, coll: Collection| Instances {
            items: vec![(None, bind)],
            collection: coll,
        };
        if let Some(a) = body.attr("count") {
            let v = match self.eval(ctx, &a.expr) {
                Ok(v) => v,
                Err(e) => {
                    self.note(file, a.expr.span, format!("{base}: `count`: {e}"));
                    Value::unknown("`count` could not be evaluated")
                }
            };
            match v.to_num() {
                Ok(Some(n)) if n >= 0.0 && n.fract() == 0.0 && n <= MAX_COUNT => {
                    let n = n as usize;
                    return Instances {
                        items: (0..n)
                            .map(|i| {
                                let k = Value::Number(i as f64);
                                (
                                    Some(k.clone()),
                                    Bind {
                                        count_index: Some(k),
                                        each: None,
                                    },
                                )
                            })
                            .collect(),
                        collection: Collection::List,
                    };
                }
                Ok(Some(n)) if n > MAX_COUNT && n.fract() == 0.0 => {
                    let msg = format!(
                        "`count` is {n}, more instances than palisade expands ({MAX_COUNT}); \
they are read as one instance of unknown count"
                    );
                    self.note(file, a.expr.span, format!("{base}: {msg}"));
                    let reason = format!("`count` is not expanded: {msg}");
                    self.add_unknown(base.to_string(), "count", Some(loc.clone()), reason.clone());
                    return single(
                        Bind {
                            count_index: Some(Value::unknown(reason)),
                            each: None,
                        },
                        Collection::Unknown,
                    );
                }
                Ok(Some(_)) | Err(_) => {
                    self.note(
                        file,
                        a.expr.span,
                        format!("{base}: `count` is not a whole number"),
                    );
                }
                Ok(None) => {}
            }
            let reason = match unknown_of(&v) {
                Value::Unknown(r) => format!("`count` is not known statically: {r}"),
                _ => "`count` is not known statically".into(),
            };
            self.add_unknown(base.to_string(), "count", Some(loc.clone()), reason.clone());
            return single(
                Bind {
                    count_index: Some(Value::unknown(reason)),
                    each: None,
                },
                Collection::Unknown,
            );
        }
        if let Some(a) = body.attr("for_each") {
            let v = match self.eval(ctx, &a.expr) {
                Ok(v) => v,
                Err(e) => {
                    self.note(file, a.expr.span, format!("{base}: `for_each`: {e}"));
                    Value::unknown("`for_each` could not be evaluated")
                }
            };
            let pairs: Option<Vec<(Value, Value)>> = match &v {
                Value::Map(m) => Some(
                    m.iter()
                        .map(|(k, x)| (Value::str(k.clone()), x.clone()))
                        .collect(),
                ),
                Value::List(l) => {
                    let mut out = Vec::new();
                    let mut seen = HashSet::new();
                    let mut ok = true;
                    for x in l.iter() {
                        match x.to_str() {
                            Ok(Some(s)) => {
                                if seen.insert(s.clone()) {
                                    out.push((Value::str(s.clone()), Value::str(s)));
                                }
                            }
                            _ => {
                                ok = false;
                                break;
                            }
                        }
                    }
                    out.sort_by(|a, b| match (&a.0, &b.0) {
                        (Value::String(x), Value::String(y)) => x.cmp(y),
                        _ => std::cmp::Ordering::Equal,
                    });
                    ok.then_some(out)
                }
                _ => None,
            };
            if let Some(n) = pairs
                .as_ref()
                .map(Vec::len)
                .filter(|n| *n as f64 > MAX_COUNT)
            {
                let msg = format!(
                    "`for_each` has {n} elements, more instances than palisade expands \
({MAX_COUNT}); they are read as one instance of unknown key"
                );
                self.note(file, a.expr.span, format!("{base}: {msg}"));
                let reason = format!("`for_each` is not expanded: {msg}");
                self.add_unknown(
                    base.to_string(),
                    "for_each",
                    Some(loc.clone()),
                    reason.clone(),
                );
                let u = Value::unknown(reason);
                return single(
                    Bind {
                        count_index: None,
                        each: Some((u.clone(), u)),
                    },
                    Collection::Unknown,
                );
            }
            if let Some(pairs) = pairs {
                return Instances {
                    items: pairs
                        .into_iter()
                        .map(|(k, x)| {
                            (
                                Some(k.clone()),
                                Bind {
                                    count_index: None,
                                    each: Some((k, x)),
                                },
                            )
                        })
                        .collect(),
                    collection: Collection::Map,
                };
            }
            let reason = match unknown_of(&v) {
                Value::Unknown(r) if v.deep_unknown().is_some() => {
                    format!("`for_each` is not known statically: {r}")
                }
                _ => {
                    if v.deep_unknown().is_none() {
                        self.note(
                            file,
                            a.expr.span,
                            format!(
                                "{base}: `for_each` must be a map or a set of strings, not a {}",
                                v.type_name()
                            ),
                        );
                    }
                    "`for_each` is not known statically".into()
                }
            };
            self.add_unknown(
                base.to_string(),
                "for_each",
                Some(loc.clone()),
                reason.clone(),
            );
            let u = Value::unknown(reason);
            return single(
                Bind {
                    count_index: None,
                    each: Some((u.clone(), u)),
                },
                Collection::Unknown,
            );
        }
        single(Bind::default(), Collection::Single)
    }

    /// Evaluates a block body into (values for references, raw nodes for output).
    fn eval_body(
        &mut self,
        ctx: Ctx,
        body: &Body,
        top: bool,
        addr: &str,
        loc: &Location,
    ) -> (Map, BTreeMap<String, RawNode>) {
        let mut vals = Map::new();
        let mut raws = BTreeMap::new();
        for a in &body.attrs {
            if top && META_ATTRS.contains(&a.name.as_str()) {
                continue;
            }
            let v = match self.eval(ctx, &a.expr) {
                Ok(v) => v,
                Err(e) => {
                    self.note(ctx.file, a.expr.span, format!("{addr}: `{}`: {e}", a.name));
                    Value::unknown(format!("`{}` could not be evaluated: {e}", a.name))
                }
            };
            let aloc = self.loc(ctx.file, a.expr.span);
            raws.insert(
                a.name.clone(),
                self.to_raw(&v, Some(&a.expr), &aloc, ctx.file),
            );
            vals.insert(a.name.clone(), v);
        }
        // Nested blocks, grouped by type in source order.
        let mut groups: BTreeMap<String, (Vec<Value>, Vec<RawNode>, Span)> = BTreeMap::new();
        for b in &body.blocks {
            if top && META_BLOCKS.contains(&b.ty.as_str()) {
                continue;
            }
            if b.ty == "dynamic" {
                self.eval_dynamic(ctx, b, addr, &mut groups);
                continue;
            }
            let bloc = self.loc(ctx.file, b.span);
            let (v, r) = self.eval_body(ctx, &b.body, false, addr, &bloc);
            let g = groups
                .entry(b.ty.clone())
                .or_insert_with(|| (Vec::new(), Vec::new(), b.span));
            g.0.push(Value::map(v));
            g.1.push(RawNode::new(Raw::Map(r), Some(bloc)));
            g.2.end = g.2.end.max(b.span.end);
        }
        for (ty, (v, r, span)) in groups {
            let gloc = self.loc(ctx.file, span);
            raws.insert(ty.clone(), RawNode::new(Raw::List(r), Some(gloc)));
            vals.insert(ty, Value::list(v));
        }
        let _ = loc;
        (vals, raws)
    }

    #[allow(clippy::type_complexity)]
    fn eval_dynamic(
        &mut self,
        ctx: Ctx,
        b: &Block,
        addr: &str,
        groups: &mut BTreeMap<String, (Vec<Value>, Vec<RawNode>, Span)>,
    ) {
        let Some(ty) = b.labels.first() else {
            self.note(
                ctx.file,
                b.span,
                format!("{addr}: `dynamic` block without a label"),
            );
            return;
        };
        let iter_name = match b.body.attr("iterator").map(|a| &a.expr.kind) {
            Some(ExprKind::Var(n)) => n.clone(),
            Some(ExprKind::String(n)) => n.clone(),
            _ => ty.clone(),
        };
        let Some(content) = b.body.blocks.iter().find(|c| c.ty == "content") else {
            self.note(
                ctx.file,
                b.span,
                format!("{addr}: `dynamic \"{ty}\"` has no `content` block"),
            );
            return;
        };
        let coll = match b.body.attr("for_each") {
            Some(a) => match self.eval(ctx, &a.expr) {
                Ok(v) => v,
                Err(e) => {
                    self.note(
                        ctx.file,
                        a.expr.span,
                        format!("{addr}: dynamic `{ty}`: `for_each`: {e}"),
                    );
                    Value::unknown(format!(
                        "`for_each` of dynamic `{ty}` could not be evaluated"
                    ))
                }
            },
            None => {
                self.note(
                    ctx.file,
                    b.span,
                    format!("{addr}: `dynamic \"{ty}\"` has no `for_each`"),
                );
                return;
            }
        };
        let pairs = match iter_pairs(&coll) {
            Ok(Some(p)) if p.len() as f64 <= MAX_COUNT => p,
            found => {
                // An unknown number of blocks: one unknown element stands for them.
                let u = unknown_of(&coll);
                let reason = match (&u, found) {
                    (_, Ok(Some(p))) => format!(
                        "`for_each` of dynamic block `{ty}` has {} elements, more than palisade \
expands ({MAX_COUNT})",
                        p.len()
                    ),
                    (Value::Unknown(r), _) => {
                        format!("`for_each` of dynamic block `{ty}` is not known: {r}")
                    }
                    _ => format!("`for_each` of dynamic block `{ty}` is not known"),
                };
                let loc = self.loc(ctx.file, b.span);
                self.add_unknown(addr.to_string(), ty, Some(loc.clone()), reason.clone());
                let g = groups
                    .entry(ty.clone())
                    .or_insert_with(|| (Vec::new(), Vec::new(), b.span));
                g.0.push(Value::unknown(&reason));
                g.1.push(RawNode::new(Raw::Unknown(reason), Some(loc)));
                g.2.end = g.2.end.max(b.span.end);
                return;
            }
        };
        let cloc = self.loc(ctx.file, content.span);
        for (k, v) in pairs {
            let mut m = Map::new();
            m.insert("key".into(), k);
            m.insert("value".into(), v);
            let sc = Scope {
                name: &iter_name,
                value: Value::map(m),
                parent: ctx.scope,
            };
            let c2 = Ctx {
                scope: Some(&sc),
                ..ctx
            };
            let (vals, raws) = self.eval_body(c2, &content.body, false, addr, &cloc);
            let g = groups
                .entry(ty.clone())
                .or_insert_with(|| (Vec::new(), Vec::new(), b.span));
            g.0.push(Value::map(vals));
            g.1.push(RawNode::new(Raw::Map(raws), Some(cloc.clone())));
            g.2.end = g.2.end.max(b.span.end);
        }
    }

    /// Converts a value to a raw node; locations come from the expression
    /// where it is an object/array literal of the same shape.
    pub fn to_raw(&self, v: &Value, e: Option<&Expr>, loc: &Location, file: FileId) -> RawNode {
        let here = match e {
            Some(x) if x.span != Span::default() => self.loc(file, x.span),
            _ => loc.clone(),
        };
        let raw = match v {
            Value::Null => Raw::Null,
            Value::Bool(b) => Raw::Bool(*b),
            Value::Number(n) => Raw::Number(*n),
            Value::String(s) => Raw::String(s.clone()),
            Value::Unknown(r) => Raw::Unknown(r.to_string()),
            Value::Ref(r) => Raw::Ref {
                address: r.address.clone(),
                attr: r.attr.clone(),
            },
            Value::List(l) => {
                let items: Option<&Vec<Expr>> = match e.map(|x| &x.kind) {
                    Some(ExprKind::Array(items)) if items.len() == l.len() => Some(items),
                    _ => None,
                };
                Raw::List(
                    l.iter()
                        .enumerate()
                        .map(|(i, x)| self.to_raw(x, items.and_then(|it| it.get(i)), &here, file))
                        .collect(),
                )
            }
            Value::Map(m) => {
                let mut keyed: HashMap<&str, &Expr> = HashMap::new();
                if let Some(ExprKind::Object(items)) = e.map(|x| &x.kind) {
                    for (k, x) in items {
                        match k {
                            ObjKey::Ident(s) => {
                                keyed.insert(s.as_str(), x);
                            }
                            ObjKey::Expr(Expr {
                                kind: ExprKind::String(s),
                                ..
                            }) => {
                                keyed.insert(s.as_str(), x);
                            }
                            _ => {}
                        }
                    }
                }
                Raw::Map(
                    m.iter()
                        .map(|(k, x)| {
                            (
                                k.clone(),
                                self.to_raw(x, keyed.get(k.as_str()).copied(), &here, file),
                            )
                        })
                        .collect(),
                )
            }
            Value::Res(r) if r.pending => Raw::Ref {
                address: r.address.clone(),
                attr: String::new(),
            },
            Value::Res(r) => Raw::Map(
                r.attrs
                    .iter()
                    .map(|(k, x)| (k.clone(), self.to_raw(x, None, &here, file)))
                    .collect(),
            ),
            Value::Module(mi) => {
                let addr = self
                    .insts
                    .get(*mi)
                    .map(|i| i.prefix.trim_end_matches('.').to_string())
                    .unwrap_or_default();
                Raw::Unknown(format!("the whole object of `{addr}`"))
            }
        };
        RawNode::new(raw, Some(here))
    }

    // ----- modules -----------------------------------------------------

    /// The value of `module.NAME` in instance `inst`, creating the child
    /// instances on first use.
    pub fn call_value(&mut self, inst: usize, ci: usize) -> EvalResult {
        let key = (inst, Sym::Call(ci));
        match self.begin(&key) {
            Some(Ok(v)) => return Ok(v),
            Some(Err(())) => return Ok(Value::unknown("cycle through a module call")),
            None => {}
        }
        if self.too_deep() {
            return Ok(Value::unknown(TOO_DEEP));
        }
        self.cache.insert(key.clone(), Slot::InProgress);
        self.depth += 1;
        let v = self.instantiate_call(inst, ci);
        self.depth -= 1;
        self.cache.insert(key, Slot::Done(v.clone()));
        Ok(v)
    }

    fn instantiate_call(&mut self, inst: usize, ci: usize) -> Value {
        let def = self.insts[inst].def.clone();
        let Some(call) = def.calls.get(ci) else {
            return Value::unknown("internal: no module call");
        };
        let base = format!("{}module.{}", self.insts[inst].prefix, call.name);
        let loc = self.loc(call.file, call.block.span);
        let source = call.source.clone().unwrap_or_default();
        if !is_local_source(&source) {
            let reason = format!(
                "output of remote module `{base}` (source {})",
                quote_src(&source)
            );
            self.add_unknown(
                base.clone(),
                "source",
                Some(loc),
                format!(
                    "remote module `{base}` is not loaded (source {})",
                    quote_src(&source)
                ),
            );
            return Value::unknown(reason);
        }
        let def_child = match self.load_child(inst, call, &base) {
            Ok(d) => d,
            Err(reason) => return Value::unknown(reason),
        };
        let instances = self.expand(inst, call.file, &call.block.body, &base, &loc);
        let mut values = Vec::new();
        let mut chain = self.insts[inst].chain.clone();
        chain.push(def_child.canon.clone());
        let depth = self.insts[inst].depth + 1;
        for (k, bind) in instances.items {
            let prefix = match &k {
                Some(k) => format!("{base}{}.", key_suffix(k)),
                None => format!("{base}."),
            };
            let id = self.insts.len();
            self.insts.push(Inst {
                def: def_child.clone(),
                prefix,
                parent: Some(CallSite {
                    inst,
                    call: ci,
                    bind,
                }),
                depth,
                chain: chain.clone(),
            });
            values.push((k.unwrap_or(Value::Null), Value::Module(id)));
        }
        match instances.collection {
            Collection::Single | Collection::Unknown => {
                values.pop().map_or(Value::Null, |(_, v)| v)
            }
            Collection::List => Value::list(values.into_iter().map(|(_, v)| v).collect()),
            Collection::Map => Value::map(
                values
                    .into_iter()
                    .filter_map(|(k, v)| match k {
                        Value::String(s) => Some((s, v)),
                        _ => None,
                    })
                    .collect(),
            ),
        }
    }

    fn load_child(
        &mut self,
        inst: usize,
        call: &CallDecl,
        base: &str,
    ) -> Result<Rc<ModuleDef>, String> {
        let source = call.source.clone().unwrap_or_default();
        let parent_dir = self.insts[inst].def.dir.clone();
        let dir = crate::normalize(&parent_dir.join(&source));
        let canon = match dir.canonicalize() {
            Ok(c) if c.is_dir() => c,
            _ => {
                let msg = format!(
                    "{base}: module source {} is not a directory",
                    quote_src(&source)
                );
                self.error(call.file, call.block.span, msg);
                return Err(format!("module `{base}` could not be loaded"));
            }
        };
        if self
            .module_boundary
            .as_ref()
            .is_some_and(|b| !canon.starts_with(b))
        {
            let msg = format!(
                "{base}: module source {} is outside the scanned tree; not loaded",
                quote_src(&source)
            );
            self.error(call.file, call.block.span, msg);
            return Err(format!("module `{base}` is outside the scanned tree"));
        }
        if self.insts[inst].chain.contains(&canon) {
            let msg =
                format!("{base}: module calls itself (directly or indirectly); not loaded again");
            self.error(call.file, call.block.span, msg);
            return Err(format!("module `{base}` is recursive"));
        }
        if self.insts[inst].depth + 1 > MAX_MODULE_DEPTH {
            let msg =
                format!("{base}: modules nested more than {MAX_MODULE_DEPTH} deep; not loaded");
            self.error(call.file, call.block.span, msg);
            return Err(format!("module `{base}` is nested too deeply"));
        }
        if let Some(d) = self.defs.get(&canon) {
            return Ok(d.clone());
        }
        let rel = join_rel(&self.insts[inst].def.rel, &source);
        let mut d = crate::load::load_module(self, &dir, rel, &format!("{base}."));
        d.canon = canon.clone();
        let d = Rc::new(d);
        self.defs.insert(canon, d.clone());
        Ok(d)
    }

    /// Evaluates everything in instance `inst` and, recursively, its module calls.
    pub fn run_instance(&mut self, inst: usize) {
        let def = self.insts[inst].def.clone();
        for ri in 0..def.resources.len() {
            let _ = self.resource_value(inst, ri);
        }
        for ci in 0..def.calls.len() {
            let v = match self.call_value(inst, ci) {
                Ok(v) => v,
                Err(_) => continue,
            };
            let mut children = Vec::new();
            collect_modules(&v, &mut children);
            for c in children {
                self.run_instance(c);
            }
        }
    }
}

fn collect_modules(v: &Value, out: &mut Vec<usize>) {
    match v {
        Value::Module(i) => out.push(*i),
        Value::List(l) => l.iter().for_each(|x| collect_modules(x, out)),
        Value::Map(m) => m.values().for_each(|x| collect_modules(x, out)),
        _ => {}
    }
}

pub fn is_local_source(s: &str) -> bool {
    s.starts_with("./") || s.starts_with("../") || s == "." || s == ".."
}

fn quote_src(s: &str) -> String {
    crate::value::quote(s)
}

/// Joins a module's `path.module` with a relative source, lexically.
fn join_rel(parent: &str, source: &str) -> String {
    let mut parts: Vec<&str> = if parent == "." {
        Vec::new()
    } else {
        parent.split('/').collect()
    };
    for seg in source.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if matches!(parts.last(), Some(&p) if p != "..") {
                    parts.pop();
                } else {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

fn pending(address: String) -> Value {
    Value::Res(Rc::new(ResObj {
        address,
        attrs: Map::new(),
        pending: true,
        keep_address: false,
    }))
}

enum Collection {
    Single,
    List,
    Map,
    Unknown,
}

struct Instances {
    items: Vec<(Option<Value>, Bind)>,
    collection: Collection,
}

fn collect(c: Collection, values: Vec<(Value, Value)>, base: String) -> Value {
    match c {
        Collection::Single => values.into_iter().next().map_or(Value::Null, |(_, v)| v),
        Collection::List => Value::list(values.into_iter().map(|(_, v)| v).collect()),
        Collection::Map => Value::map(
            values
                .into_iter()
                .filter_map(|(k, v)| match k {
                    Value::String(s) => Some((s, v)),
                    _ => None,
                })
                .collect(),
        ),
        Collection::Unknown => {
            // Keep the evaluated attributes so `x[0].written_attr` still resolves.
            let attrs = values
                .into_iter()
                .next()
                .and_then(|(_, v)| match v {
                    Value::Res(r) => Some(r.attrs.clone()),
                    _ => None,
                })
                .unwrap_or_default();
            Value::Res(Rc::new(ResObj {
                address: base,
                attrs,
                pending: true,
                keep_address: true,
            }))
        }
    }
}

/// The unknown a value stands for (or a generic one).
pub fn unknown_of(v: &Value) -> Value {
    v.as_unknown()
        .or_else(|| v.deep_unknown())
        .unwrap_or_else(|| Value::unknown("value is not known statically"))
}

/// Key/value pairs to iterate over in a for-expression. `Ok(None)` when unknown.
pub fn iter_pairs(c: &Value) -> Result<Option<Vec<(Value, Value)>>, String> {
    match c {
        Value::List(l) => Ok(Some(
            l.iter()
                .enumerate()
                .map(|(i, v)| (Value::Number(i as f64), v.clone()))
                .collect(),
        )),
        Value::Map(m) => Ok(Some(
            m.iter()
                .map(|(k, v)| (Value::str(k.clone()), v.clone()))
                .collect(),
        )),
        Value::Res(r) if !r.pending => Ok(Some(
            r.attrs
                .iter()
                .map(|(k, v)| (Value::str(k.clone()), v.clone()))
                .collect(),
        )),
        Value::Null => err("cannot iterate over a null value"),
        v if v.as_unknown().is_some() => Ok(None),
        v => err(format!("cannot iterate over a {}", v.type_name())),
    }
}

type Prov = Option<(String, String)>;

fn index(v: Value, k: &Value, prov: Prov) -> Result<(Value, Prov), String> {
    if let Some(u) = k.as_unknown() {
        return Ok((u, None));
    }
    let sub = |p: Prov, s: &str| p.map(|(a, path)| (a, format!("{path}[{s}]")));
    Ok(match &v {
        Value::List(l) => {
            let Some(n) = k.to_num()? else {
                return Ok((unknown_of(k), None));
            };
            if n < 0.0 || n.fract() != 0.0 {
                return err("list index must be a whole number");
            }
            match l.get(n as usize) {
                Some(x) => (x.clone(), sub(prov, &crate::value::fmt_num(n))),
                None => match prov {
                    Some((a, p)) => (
                        Value::reference(a, format!("{p}[{}]", crate::value::fmt_num(n))),
                        None,
                    ),
                    None => return err("list index out of range"),
                },
            }
        }
        Value::Map(m) => {
            let Some(s) = k.to_str()? else {
                return Ok((unknown_of(k), None));
            };
            match m.get(&s) {
                Some(x) => (x.clone(), sub(prov, &crate::value::quote(&s))),
                None => match prov {
                    Some((a, p)) => (
                        Value::reference(a, format!("{p}[{}]", crate::value::quote(&s))),
                        None,
                    ),
                    None => return err("the map has no element with the given key"),
                },
            }
        }
        Value::Res(r) if r.pending => (
            Value::Res(Rc::new(ResObj {
                address: if r.keep_address {
                    r.address.clone()
                } else {
                    format!("{}{}", r.address, key_suffix(k))
                },
                attrs: r.attrs.clone(),
                pending: false,
                keep_address: false,
            })),
            None,
        ),
        Value::Ref(r) => (
            Value::reference(r.address.clone(), format!("{}{}", r.attr, key_suffix(k))),
            None,
        ),
        Value::Unknown(_) => (v.clone(), None),
        // A module call with an unknown `count`/`for_each` is one instance.
        Value::Module(_) => (v.clone(), None),
        Value::Null => return err("cannot index a null value"),
        other => return err(format!("cannot index a {}", other.type_name())),
    })
}

fn binary(op: BinOp, a: &Value, b: &Value) -> EvalResult {
    use BinOp::*;
    match op {
        Eq | NotEq => Ok(match equal(a, b) {
            Some(x) => Value::Bool(if op == Eq { x } else { !x }),
            None => unknown_of(if a.as_unknown().is_some() { a } else { b }),
        }),
        And | Or => {
            let x = a.to_bool()?;
            let y = b.to_bool()?;
            Ok(match (op, x, y) {
                (And, Some(false), _) | (And, _, Some(false)) => Value::Bool(false),
                (Or, Some(true), _) | (Or, _, Some(true)) => Value::Bool(true),
                (_, Some(p), Some(q)) => Value::Bool(if op == And { p && q } else { p || q }),
                _ => unknown_of(if x.is_none() { a } else { b }),
            })
        }
        _ => {
            let x = a.to_num()?;
            let y = b.to_num()?;
            let (Some(x), Some(y)) = (x, y) else {
                return Ok(unknown_of(if x.is_none() { a } else { b }));
            };
            Ok(match op {
                Plus => Value::Number(x + y),
                Minus => Value::Number(x - y),
                Mul => Value::Number(x * y),
                Div => {
                    if y == 0.0 {
                        return err("division by zero");
                    }
                    Value::Number(x / y)
                }
                Mod => {
                    if y == 0.0 {
                        return err("modulo by zero");
                    }
                    Value::Number(x % y)
                }
                Less => Value::Bool(x < y),
                LessEq => Value::Bool(x <= y),
                Greater => Value::Bool(x > y),
                GreaterEq => Value::Bool(x >= y),
                _ => return err("internal: operator"),
            })
        }
    }
}
