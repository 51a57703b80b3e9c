//! Static evaluation of a template: parameters, mappings, conditions,
//! pseudo parameters and the intrinsic functions, into raw values.
//!
//! What CloudFormation only knows at deploy time stays unknown
//! ([`Raw::Unknown`] with the reason); a reference to another resource of
//! the template (`!Ref X`, `!GetAtt X.Arn`, `${X}` in `Fn::Sub`) is a
//! [`Raw::Ref`] to its logical ID, so links survive. Nothing is guessed: an
//! `Fn::If` on an unknown condition is unknown unless both branches are the
//! same value.

use crate::yaml::ScalarStyle;
use crate::yaml::{Node, Value};
use palisade_model::raw::{Raw, RawNode};
use palisade_model::{Diagnostic, Location};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Deepest chain of nested intrinsic functions and condition references.
pub const MAX_EVAL_DEPTH: u32 = 96;

/// Largest list `Fn::Cidr` may produce (the service allows 256).
const MAX_CIDR_COUNT: u64 = 256;

/// A three-valued condition.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tri {
    True,
    False,
    Unknown(String),
}

impl Tri {
    fn from_bool(b: bool) -> Tri {
        if b {
            Tri::True
        } else {
            Tri::False
        }
    }
}

#[derive(Clone, Debug)]
enum CondState {
    Busy,
    Done(Tri),
}

/// A parameter's value, decided once.
#[derive(Clone, Debug)]
pub(crate) enum ParamValue {
    /// A scalar, typed by the parameter type (`Number` → number).
    Scalar(Raw),
    /// `List<...>` and `CommaDelimitedList` parameters.
    List(Vec<String>),
    Unknown(String),
}

/// Pseudo parameters CloudFormation defines.
pub(crate) const PSEUDO: &[&str] = &[
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

/// Everything a template declares that values may refer to.
pub(crate) struct Scope<'t> {
    pub params: HashMap<String, ParamValue>,
    pub pseudo: HashMap<String, String>,
    pub mappings: Option<&'t Node>,
    pub conditions: HashMap<String, &'t Node>,
    /// Logical ID → (type, properties node).
    pub resources: HashMap<String, (String, Option<&'t Node>)>,
}

pub(crate) struct Evaluator<'t> {
    pub file: Arc<str>,
    pub scope: Scope<'t>,
    cond_state: HashMap<String, CondState>,
    /// Condition names being evaluated, for cycle messages.
    cond_stack: Vec<String>,
    /// `GetAtt` targets being resolved (cycle guard).
    getatt_stack: Vec<String>,
    depth: u32,
    pub errors: Vec<Diagnostic>,
    pub notes: Vec<Diagnostic>,
}

/// The name of an intrinsic function and the node holding its argument.
pub(crate) struct Call<'n> {
    pub name: String,
    pub arg: &'n Node,
    /// The argument is the tagged node itself (short form): read its
    /// content, not its tag.
    pub short: bool,
}

/// Recognises an intrinsic function: a `!Tag` (short form) or a mapping of
/// one `Ref` / `Fn::*` key (long form). `Condition` is a function only
/// inside conditions (`cond` true), where `{Condition: Name}` names one.
pub(crate) fn call_of(n: &Node, cond: bool) -> Option<Call<'_>> {
    if let Some(tag) = &n.tag {
        let name = tag.strip_prefix('!')?;
        if name.starts_with('!') || name.is_empty() {
            return None;
        }
        let name = match name {
            "Ref" | "Condition" => name.to_owned(),
            other => format!("Fn::{other}"),
        };
        return Some(Call {
            name,
            arg: n,
            short: true,
        });
    }
    let entries = n.as_map()?;
    let [(k, v)] = entries else {
        return None;
    };
    let key = k.as_scalar()?.text.as_str();
    if key == "Ref" || key.starts_with("Fn::") || (cond && key == "Condition") {
        return Some(Call {
            name: key.to_owned(),
            arg: v,
            short: false,
        });
    }
    None
}

/// The name of a standard YAML tag (`!!str`, `tag:yaml.org,2002:str` → `str`).
pub(crate) fn core_tag(tag: &str) -> Option<&str> {
    tag.strip_prefix("!!")
        .or_else(|| tag.strip_prefix("tag:yaml.org,2002:"))
}

/// A plain YAML scalar typed by the YAML 1.2 core schema (what
/// CloudFormation reads in YAML templates; JSON values parse the same).
pub(crate) fn typed_scalar(text: &str, style: ScalarStyle) -> Raw {
    if style != ScalarStyle::Plain {
        return Raw::String(text.to_owned());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Raw::Null,
        "true" | "True" | "TRUE" => return Raw::Bool(true),
        "false" | "False" | "FALSE" => return Raw::Bool(false),
        _ => {}
    }
    if let Some(n) = parse_yaml_number(text) {
        return Raw::Number(n);
    }
    Raw::String(text.to_owned())
}

fn parse_yaml_number(t: &str) -> Option<f64> {
    let first = t.chars().next()?;
    if !(first.is_ascii_digit() || matches!(first, '-' | '+' | '.')) {
        return None;
    }
    if let Some(hex) = t.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok().map(|i| i as f64);
    }
    if let Some(oct) = t.strip_prefix("0o") {
        return i64::from_str_radix(oct, 8).ok().map(|i| i as f64);
    }
    // Decimal: digits, one dot, exponent. Rejects "1.2.3", "1_000", dates.
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => (body.get(..i)?, Some(body.get(i + 1..)?)),
        None => (body, None),
    };
    let dots = mantissa.matches('.').count();
    if dots > 1 || mantissa == "." || mantissa.is_empty() {
        return None;
    }
    if !mantissa.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    if let Some(e) = exp {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        if e.is_empty() || !e.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
    }
    // Leading zeros ("0123") read as strings: they are usually IDs.
    let int_part = mantissa.split('.').next().unwrap_or("");
    if int_part.len() > 1 && int_part.starts_with('0') {
        return None;
    }
    t.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// A scalar as text (numbers without a fraction print as integers).
pub(crate) fn scalar_text(r: &Raw) -> Option<String> {
    match r {
        Raw::String(s) => Some(s.clone()),
        Raw::Number(n) => Some(fmt_num(*n)),
        Raw::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub(crate) fn fmt_num(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation)]
        let i = n as i64;
        i.to_string()
    } else {
        format!("{n}")
    }
}

fn ref_text(address: &str, attr: &str) -> String {
    if attr.is_empty() {
        format!("`{address}`")
    } else {
        format!("`{address}.{attr}`")
    }
}

/// Why a value is not a known scalar, for messages.
fn why_unknown(r: &Raw) -> String {
    match r {
        Raw::Unknown(reason) => reason.clone(),
        Raw::Ref { address, attr } => {
            format!("{} is known only after deploy", ref_text(address, attr))
        }
        _ => "not a scalar".to_owned(),
    }
}

impl<'t> Evaluator<'t> {
    pub fn new(file: Arc<str>, scope: Scope<'t>) -> Self {
        Evaluator {
            file,
            scope,
            cond_state: HashMap::new(),
            cond_stack: Vec::new(),
            getatt_stack: Vec::new(),
            depth: 0,
            errors: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn loc(&self, n: &Node) -> Location {
        Location::new(self.file.clone(), n.line, n.end_line)
    }

    pub fn error(&mut self, line: u32, msg: impl Into<String>) {
        let d = Diagnostic::new(self.file.to_string(), Some(line), msg);
        if !self.errors.contains(&d) {
            self.errors.push(d);
        }
    }

    pub fn note(&mut self, line: u32, msg: impl Into<String>) {
        let d = Diagnostic::new(self.file.to_string(), Some(line), msg);
        if !self.notes.contains(&d) {
            self.notes.push(d);
        }
    }

    fn unknown(&self, n: &Node, reason: impl Into<String>) -> RawNode {
        RawNode::new(Raw::Unknown(reason.into()), Some(self.loc(n)))
    }

    fn node(&self, n: &Node, v: Raw) -> RawNode {
        RawNode::new(v, Some(self.loc(n)))
    }

    /// Evaluates a value. `None` stands for `AWS::NoValue` (the property or
    /// list element is removed).
    pub fn eval(&mut self, n: &Node) -> Option<RawNode> {
        if self.depth >= MAX_EVAL_DEPTH {
            let msg = format!("intrinsic functions nest deeper than {MAX_EVAL_DEPTH} levels");
            self.error(n.line, msg.clone());
            return Some(self.unknown(n, msg));
        }
        self.depth += 1;
        let out = self.eval_inner(n);
        self.depth -= 1;
        out
    }

    fn eval_inner(&mut self, n: &Node) -> Option<RawNode> {
        if let Some(core) = n.tag.as_deref().and_then(core_tag) {
            return Some(self.core_tagged(n, core));
        }
        if let Some(call) = call_of(n, false) {
            return self.call(&call, n);
        }
        Some(self.literal(n))
    }

    /// A node without intrinsic functions at its top (its children may have some).
    fn literal(&mut self, n: &Node) -> RawNode {
        match &n.value {
            Value::Scalar(s) => self.node(n, typed_scalar(&s.text, s.style)),
            Value::Seq(items) => {
                let out: Vec<RawNode> = items.iter().filter_map(|i| self.eval(i)).collect();
                self.node(n, Raw::List(out))
            }
            Value::Map(entries) => {
                // Line of each key (the last one of a duplicated key).
                let key_lines: HashMap<&str, u32> = entries
                    .iter()
                    .filter_map(|(k, _)| k.as_scalar().map(|s| (s.text.as_str(), k.line)))
                    .collect();
                let mut out = BTreeMap::new();
                for (k, v) in n.entries() {
                    if let Some(mut ev) = self.eval(v) {
                        // A block collection under its key (`Ebs:` then an
                        // indented mapping) is located from the key's line.
                        if let (Some(&kl), Some(loc)) = (key_lines.get(k), ev.loc.as_mut()) {
                            if kl < v.line && loc.line == v.line {
                                *loc = Location::new(loc.file.clone(), kl, loc.end_line);
                            }
                        }
                        out.insert(k.to_owned(), ev);
                    }
                }
                self.node(n, Raw::Map(out))
            }
        }
    }

    /// `!!str`, `!!int`... (standard YAML tags).
    fn core_tagged(&mut self, n: &Node, core: &str) -> RawNode {
        let Value::Scalar(s) = &n.value else {
            let mut untagged = n.clone();
            untagged.tag = None;
            return self.literal(&untagged);
        };
        let v = match core {
            "str" | "binary" | "timestamp" => Raw::String(s.text.clone()),
            "null" => Raw::Null,
            "bool" => match s.text.to_ascii_lowercase().as_str() {
                "true" => Raw::Bool(true),
                "false" => Raw::Bool(false),
                _ => Raw::String(s.text.clone()),
            },
            "int" | "float" => match s.text.trim().parse::<f64>() {
                Ok(f) if f.is_finite() => Raw::Number(f),
                _ => Raw::String(s.text.clone()),
            },
            _ => typed_scalar(&s.text, s.style),
        };
        self.node(n, v)
    }

    /// The argument of a call as a value (a short form's own content).
    fn arg_value(&mut self, call: &Call<'_>) -> Option<RawNode> {
        if call.short {
            let mut untagged = call.arg.clone();
            untagged.tag = None;
            self.eval(&untagged)
        } else {
            self.eval(call.arg)
        }
    }

    /// The argument's list items (unevaluated), or an error.
    fn arg_items<'n>(&mut self, call: &Call<'n>, at: &Node, want: &str) -> Option<&'n [Node]> {
        match &call.arg.value {
            Value::Seq(items) => Some(items),
            _ => {
                self.error(
                    at.line,
                    format!(
                        "`{}` expects {want}; found {}",
                        call.name,
                        call.arg.type_name()
                    ),
                );
                None
            }
        }
    }

    /// The argument's text, when it is a plain string.
    fn arg_text(&mut self, call: &Call<'_>) -> Option<String> {
        match &call.arg.value {
            Value::Scalar(s) if call.short || call.arg.tag.is_none() => Some(s.text.clone()),
            _ => None,
        }
    }

    fn call(&mut self, call: &Call<'_>, at: &Node) -> Option<RawNode> {
        match call.name.as_str() {
            "Ref" => self.ref_(call, at),
            "Fn::GetAtt" => Some(self.get_att(call, at)),
            "Fn::Sub" => Some(self.sub(call, at)),
            "Fn::Join" => Some(self.join(call, at)),
            "Fn::Select" => self.select(call, at),
            "Fn::Split" => Some(self.split(call, at)),
            "Fn::If" => self.if_(call, at),
            "Fn::Equals" | "Fn::And" | "Fn::Or" | "Fn::Not" | "Condition" => {
                let t = self.cond_call(call, at);
                Some(match t {
                    Tri::True => self.node(at, Raw::Bool(true)),
                    Tri::False => self.node(at, Raw::Bool(false)),
                    Tri::Unknown(r) => self.unknown(at, r),
                })
            }
            "Fn::FindInMap" => Some(self.find_in_map(call, at)),
            "Fn::ImportValue" => {
                let name = self.arg_value(call).and_then(|v| scalar_text(&v.value));
                Some(self.unknown(
                    at,
                    match name {
                        Some(n) => format!("imported from another stack's export `{n}`"),
                        None => "imported from another stack's export".to_owned(),
                    },
                ))
            }
            "Fn::Base64" => Some(self.base64(call, at)),
            "Fn::Cidr" => Some(self.cidr(call, at)),
            "Fn::GetAZs" => Some(self.unknown(
                at,
                "the availability zones of the region are known only at deploy",
            )),
            "Fn::Length" => Some(self.length(call, at)),
            "Fn::ToJsonString" => Some(self.fn_to_json_string(call, at)),
            "Fn::Transform" => {
                self.note(
                    at.line,
                    "`Fn::Transform` runs a macro at deploy; its result is unknown",
                );
                Some(self.unknown(at, "produced by a macro (`Fn::Transform`) at deploy"))
            }
            "Fn::GetParam"
            | "Fn::Contains"
            | "Fn::EachMemberEquals"
            | "Fn::EachMemberIn"
            | "Fn::ValueOf"
            | "Fn::ValueOfAll"
            | "Fn::RefAll" => {
                self.error(
                    at.line,
                    format!("`{}` is not valid in a resource property", call.name),
                );
                Some(self.unknown(at, format!("`{}` cannot be evaluated here", call.name)))
            }
            other => {
                let what = if call.short {
                    format!("unknown tag `!{}`", other.trim_start_matches("Fn::"))
                } else {
                    format!("unknown intrinsic function `{other}`")
                };
                self.error(at.line, format!("{what}; its value is unknown"));
                Some(self.unknown(at, what))
            }
        }
    }

    // ------------------------------------------------------------ Ref

    fn ref_(&mut self, call: &Call<'_>, at: &Node) -> Option<RawNode> {
        let Some(name) = self.arg_text(call) else {
            // A Ref whose name is computed is not valid CloudFormation.
            self.error(at.line, "`Ref` expects a logical ID or parameter name");
            return Some(self.unknown(at, "`Ref` to a computed name"));
        };
        self.ref_name(name.trim(), at)
    }

    /// The value of `Ref NAME` (also used by `Fn::Sub`).
    fn ref_name(&mut self, name: &str, at: &Node) -> Option<RawNode> {
        if name == "AWS::NoValue" {
            return None;
        }
        if let Some(p) = self.scope.params.get(name).cloned() {
            return Some(self.param_node(&p, at));
        }
        if PSEUDO.contains(&name) {
            if let Some(v) = self.scope.pseudo.get(name) {
                let v = if name == "AWS::NotificationARNs" {
                    Raw::List(
                        v.split(',')
                            .filter(|s| !s.trim().is_empty())
                            .map(|s| self.node(at, Raw::String(s.trim().to_owned())))
                            .collect(),
                    )
                } else {
                    Raw::String(v.clone())
                };
                return Some(self.node(at, v));
            }
            return Some(self.unknown(
                at,
                format!("pseudo parameter `{name}` is known only at deploy"),
            ));
        }
        if self.scope.resources.contains_key(name) {
            return Some(self.node(
                at,
                Raw::Ref {
                    address: name.to_owned(),
                    attr: String::new(),
                },
            ));
        }
        self.error(
            at.line,
            format!("`Ref` to `{name}`, which is neither a parameter, a pseudo parameter nor a resource of the template"),
        );
        Some(self.unknown(at, format!("`{name}` is not declared in the template")))
    }

    fn param_node(&self, p: &ParamValue, at: &Node) -> RawNode {
        match p {
            ParamValue::Scalar(v) => self.node(at, v.clone()),
            ParamValue::List(items) => self.node(
                at,
                Raw::List(
                    items
                        .iter()
                        .map(|s| self.node(at, Raw::String(s.clone())))
                        .collect(),
                ),
            ),
            ParamValue::Unknown(r) => self.unknown(at, r.clone()),
        }
    }

    // --------------------------------------------------------- GetAtt

    fn get_att(&mut self, call: &Call<'_>, at: &Node) -> RawNode {
        let (res, attr) = match &call.arg.value {
            Value::Scalar(s) if call.short || call.arg.tag.is_none() => {
                match s.text.split_once('.') {
                    Some((r, a)) => (r.trim().to_owned(), a.trim().to_owned()),
                    None => {
                        self.error(at.line, "`Fn::GetAtt` expects `LogicalId.Attribute`");
                        return self.unknown(at, "malformed `Fn::GetAtt`");
                    }
                }
            }
            Value::Seq(items) if items.len() == 2 => {
                let res = items
                    .first()
                    .and_then(|n| n.as_scalar().filter(|_| n.tag.is_none()))
                    .map(|s| s.text.trim().to_owned());
                let attr = items
                    .get(1)
                    .and_then(|n| self.eval(n))
                    .and_then(|v| scalar_text(&v.value));
                match (res, attr) {
                    (Some(r), Some(a)) => (r, a),
                    (Some(r), None) => {
                        return self.unknown(
                            at,
                            format!("an attribute of `{r}` chosen at deploy is unknown"),
                        )
                    }
                    _ => {
                        self.error(at.line, "`Fn::GetAtt` expects a logical ID");
                        return self.unknown(at, "malformed `Fn::GetAtt`");
                    }
                }
            }
            _ => {
                self.error(
                    at.line,
                    "`Fn::GetAtt` expects `LogicalId.Attribute` or `[LogicalId, Attribute]`",
                );
                return self.unknown(at, "malformed `Fn::GetAtt`");
            }
        };
        self.att_value(&res, &attr, at)
    }

    /// `X.Attr`: a link to resource `X`, or the written value of a property
    /// when the attribute returns exactly that property.
    fn att_value(&mut self, res: &str, attr: &str, at: &Node) -> RawNode {
        let Some((kind, props)) = self.scope.resources.get(res).cloned() else {
            self.error(
                at.line,
                format!("`Fn::GetAtt` names `{res}`, which is not a resource of the template"),
            );
            return self.unknown(at, format!("`{res}` is not a resource of the template"));
        };
        if attr_is_property(&kind, attr) && !self.getatt_stack.iter().any(|r| r == res) {
            if let Some(v) = props.and_then(|p| p.get(attr)).filter(|v| !v.is_null()) {
                self.getatt_stack.push(res.to_owned());
                let out = self.eval(v);
                self.getatt_stack.pop();
                if let Some(mut out) = out {
                    // The value is used here: report it here.
                    out.loc = Some(self.loc(at));
                    return out;
                }
            }
        }
        self.node(
            at,
            Raw::Ref {
                address: res.to_owned(),
                attr: attr.to_owned(),
            },
        )
    }

    // ------------------------------------------------------------ Sub

    fn sub(&mut self, call: &Call<'_>, at: &Node) -> RawNode {
        let (template, vars_node) = match &call.arg.value {
            Value::Scalar(s) if call.short || call.arg.tag.is_none() => (s.text.clone(), None),
            Value::Seq(items) if items.len() == 2 => {
                let t = items
                    .first()
                    .and_then(|n| n.as_scalar().filter(|_| n.tag.is_none()))
                    .map(|s| s.text.clone());
                match t {
                    Some(t) => (t, items.get(1)),
                    None => {
                        self.error(at.line, "`Fn::Sub` expects a string as its first argument");
                        return self.unknown(at, "malformed `Fn::Sub`");
                    }
                }
            }
            _ => {
                self.error(
                    at.line,
                    "`Fn::Sub` expects a string or `[string, {variables}]`",
                );
                return self.unknown(at, "malformed `Fn::Sub`");
            }
        };
        let mut vars: HashMap<String, Option<RawNode>> = HashMap::new();
        if let Some(vn) = vars_node {
            match vn.as_map() {
                Some(_) if vn.tag.is_none() => {
                    for (k, v) in vn.entries() {
                        let val = self.eval(v);
                        vars.insert(k.to_owned(), val);
                    }
                }
                _ => {
                    self.error(vn.line, "`Fn::Sub` variables must be a mapping");
                    return self.unknown(at, "malformed `Fn::Sub`");
                }
            }
        }
        let parts = parse_sub(&template);
        // A template of one variable is that variable's value.
        if let [SubPart::Var(name)] = parts.as_slice() {
            return match self.sub_var(name, &vars, at) {
                Some(v) => v,
                None => self.node(at, Raw::String(String::new())),
            };
        }
        let mut out = String::new();
        for p in &parts {
            match p {
                SubPart::Text(t) => out.push_str(t),
                SubPart::Var(name) => {
                    let Some(v) = self.sub_var(name, &vars, at) else {
                        continue;
                    };
                    match scalar_text(&v.value) {
                        Some(s) => out.push_str(&s),
                        None => {
                            return self.unknown(
                                at,
                                format!("`Fn::Sub` uses `${{{name}}}`: {}", why_unknown(&v.value)),
                            )
                        }
                    }
                }
            }
        }
        self.node(at, Raw::String(out))
    }

    fn sub_var(
        &mut self,
        name: &str,
        vars: &HashMap<String, Option<RawNode>>,
        at: &Node,
    ) -> Option<RawNode> {
        if let Some(v) = vars.get(name) {
            return v.clone().map(|mut v| {
                v.loc = Some(self.loc(at));
                v
            });
        }
        if !self.scope.params.contains_key(name) && !PSEUDO.contains(&name) {
            if let Some((res, attr)) = name.split_once('.') {
                return Some(self.att_value(res, attr, at));
            }
        }
        self.ref_name(name, at)
    }

    // ----------------------------------------------------------- Join

    fn join(&mut self, call: &Call<'_>, at: &Node) -> RawNode {
        let Some(items) = self.arg_items(call, at, "`[delimiter, [values]]`") else {
            return self.unknown(at, "malformed `Fn::Join`");
        };
        let [delim, list] = items else {
            self.error(at.line, "`Fn::Join` expects `[delimiter, [values]]`");
            return self.unknown(at, "malformed `Fn::Join`");
        };
        let delim = match self.eval(delim).map(|d| d.value) {
            Some(Raw::String(s)) => s,
            Some(Raw::Null) | None => String::new(),
            Some(other) => match scalar_text(&other) {
                Some(s) => s,
                None => {
                    return self.unknown(
                        at,
                        format!(
                            "the `Fn::Join` delimiter is unknown: {}",
                            why_unknown(&other)
                        ),
                    )
                }
            },
        };
        let Some(list) = self.eval(list) else {
            return self.node(at, Raw::String(String::new()));
        };
        let items = match list.value {
            Raw::List(items) => items,
            other => {
                if matches!(other, Raw::Unknown(_) | Raw::Ref { .. }) {
                    return self.unknown(
                        at,
                        format!("`Fn::Join` over an unknown list: {}", why_unknown(&other)),
                    );
                }
                self.error(at.line, "`Fn::Join` expects a list of values to join");
                return self.unknown(at, "malformed `Fn::Join`");
            }
        };
        if let [only] = items.as_slice() {
            if matches!(only.value, Raw::Ref { .. }) {
                let mut v = only.clone();
                v.loc = Some(self.loc(at));
                return v;
            }
        }
        let mut parts = Vec::with_capacity(items.len());
        for i in &items {
            match scalar_text(&i.value) {
                Some(s) => parts.push(s),
                None => {
                    return self.unknown(
                        at,
                        format!("`Fn::Join` of an unknown value: {}", why_unknown(&i.value)),
                    )
                }
            }
        }
        self.node(at, Raw::String(parts.join(&delim)))
    }

    // --------------------------------------------------------- Select

    fn select(&mut self, call: &Call<'_>, at: &Node) -> Option<RawNode> {
        let Some(items) = self.arg_items(call, at, "`[index, [values]]`") else {
            return Some(self.unknown(at, "malformed `Fn::Select`"));
        };
        let [index, list] = items else {
            self.error(at.line, "`Fn::Select` expects `[index, [values]]`");
            return Some(self.unknown(at, "malformed `Fn::Select`"));
        };
        let idx = self.eval(index).map(|v| v.value);
        let idx = match idx.as_ref().and_then(scalar_text) {
            Some(s) => match s.trim().parse::<usize>() {
                Ok(i) => i,
                Err(_) => {
                    self.error(at.line, "`Fn::Select` index is not a whole number");
                    return Some(self.unknown(at, "malformed `Fn::Select`"));
                }
            },
            None => {
                let why = idx
                    .as_ref()
                    .map_or_else(|| "no index".to_owned(), why_unknown);
                return Some(self.unknown(at, format!("`Fn::Select` index is unknown: {why}")));
            }
        };
        let list = self.eval(list)?;
        match list.value {
            Raw::List(items) => match items.into_iter().nth(idx) {
                Some(mut v) => {
                    if v.loc.is_none() {
                        v.loc = Some(self.loc(at));
                    }
                    Some(v)
                }
                None => {
                    self.error(at.line, format!("`Fn::Select` index {idx} is out of range"));
                    Some(self.unknown(at, "`Fn::Select` index out of range"))
                }
            },
            other @ (Raw::Unknown(_) | Raw::Ref { .. }) => Some(self.unknown(
                at,
                format!("`Fn::Select` from an unknown list: {}", why_unknown(&other)),
            )),
            _ => {
                self.error(at.line, "`Fn::Select` expects a list to select from");
                Some(self.unknown(at, "malformed `Fn::Select`"))
            }
        }
    }

    // ---------------------------------------------------------- Split

    fn split(&mut self, call: &Call<'_>, at: &Node) -> RawNode {
        let Some(items) = self.arg_items(call, at, "`[delimiter, string]`") else {
            return self.unknown(at, "malformed `Fn::Split`");
        };
        let [delim, source] = items else {
            self.error(at.line, "`Fn::Split` expects `[delimiter, string]`");
            return self.unknown(at, "malformed `Fn::Split`");
        };
        let delim = self.eval(delim).and_then(|d| scalar_text(&d.value));
        let source = self.eval(source).map(|s| s.value);
        match (delim, source) {
            (Some(d), Some(Raw::String(s))) if !d.is_empty() => {
                let parts = s
                    .split(d.as_str())
                    .map(|p| self.node(at, Raw::String(p.to_owned())))
                    .collect();
                self.node(at, Raw::List(parts))
            }
            (Some(d), Some(other)) if !d.is_empty() => match scalar_text(&other) {
                Some(s) => {
                    let parts = s
                        .split(d.as_str())
                        .map(|p| self.node(at, Raw::String(p.to_owned())))
                        .collect();
                    self.node(at, Raw::List(parts))
                }
                None => self.unknown(
                    at,
                    format!("`Fn::Split` of an unknown string: {}", why_unknown(&other)),
                ),
            },
            (None, _) | (Some(_), None) => self.unknown(at, "`Fn::Split` argument is unknown"),
            (Some(_), Some(_)) => {
                self.error(at.line, "`Fn::Split` delimiter is empty");
                self.unknown(at, "malformed `Fn::Split`")
            }
        }
    }

    // ------------------------------------------------------------- If

    fn if_(&mut self, call: &Call<'_>, at: &Node) -> Option<RawNode> {
        let Some(items) = self.arg_items(call, at, "`[condition, value_if_true, value_if_false]`")
        else {
            return Some(self.unknown(at, "malformed `Fn::If`"));
        };
        let [cond, yes, no] = items else {
            self.error(
                at.line,
                "`Fn::If` expects `[condition, value_if_true, value_if_false]`",
            );
            return Some(self.unknown(at, "malformed `Fn::If`"));
        };
        let Some(name) = cond.as_str().filter(|_| cond.tag.is_none()) else {
            self.error(at.line, "`Fn::If` expects a condition name");
            return Some(self.unknown(at, "malformed `Fn::If`"));
        };
        match self.condition(name, cond.line) {
            Tri::True => self.eval(yes),
            Tri::False => self.eval(no),
            Tri::Unknown(reason) => {
                let a = self.eval(yes);
                let b = self.eval(no);
                if same_value(a.as_ref(), b.as_ref()) {
                    return a;
                }
                Some(self.unknown(
                    at,
                    format!("chosen by condition `{name}`, which is unknown: {reason}"),
                ))
            }
        }
    }

    // ----------------------------------------------------- conditions

    /// The value of a named condition (memoised, cycles detected).
    pub fn condition(&mut self, name: &str, line: u32) -> Tri {
        match self.cond_state.get(name) {
            Some(CondState::Done(t)) => return t.clone(),
            Some(CondState::Busy) => {
                let mut chain: Vec<&str> = self
                    .cond_stack
                    .iter()
                    .skip_while(|c| c.as_str() != name)
                    .map(String::as_str)
                    .collect();
                chain.push(name);
                let msg = format!(
                    "conditions refer to each other in a cycle: {}",
                    chain.join(" → ")
                );
                self.error(line, msg.clone());
                return Tri::Unknown(msg);
            }
            None => {}
        }
        let Some(node) = self.scope.conditions.get(name).copied() else {
            self.error(
                line,
                format!("condition `{name}` is not declared in `Conditions`"),
            );
            return Tri::Unknown(format!("condition `{name}` is not declared"));
        };
        if self.depth >= MAX_EVAL_DEPTH {
            let msg = format!("conditions nest deeper than {MAX_EVAL_DEPTH} levels");
            self.error(line, msg.clone());
            return Tri::Unknown(msg);
        }
        self.cond_state.insert(name.to_owned(), CondState::Busy);
        self.cond_stack.push(name.to_owned());
        self.depth += 1;
        let t = self.cond_expr(node);
        self.depth -= 1;
        self.cond_stack.pop();
        // Inside a cycle, the first condition reached records the result.
        self.cond_state
            .insert(name.to_owned(), CondState::Done(t.clone()));
        t
    }

    /// A condition expression (`Fn::Equals`, `Fn::And`, ..., `Condition`).
    fn cond_expr(&mut self, n: &Node) -> Tri {
        match call_of(n, true) {
            Some(call) => self.cond_call(&call, n),
            None => match n.as_scalar().map(|s| typed_scalar(&s.text, s.style)) {
                // `true`/`false` literals are accepted in condition lists.
                Some(Raw::Bool(b)) => Tri::from_bool(b),
                Some(Raw::String(s)) if s == "true" => Tri::True,
                Some(Raw::String(s)) if s == "false" => Tri::False,
                _ => {
                    self.error(n.line, "a condition must be a condition function");
                    Tri::Unknown("malformed condition".into())
                }
            },
        }
    }

    fn cond_call(&mut self, call: &Call<'_>, at: &Node) -> Tri {
        if self.depth >= MAX_EVAL_DEPTH {
            let msg = format!("conditions nest deeper than {MAX_EVAL_DEPTH} levels");
            self.error(at.line, msg.clone());
            return Tri::Unknown(msg);
        }
        self.depth += 1;
        let t = self.cond_call_inner(call, at);
        self.depth -= 1;
        t
    }

    fn cond_call_inner(&mut self, call: &Call<'_>, at: &Node) -> Tri {
        match call.name.as_str() {
            "Condition" => match self.arg_text(call) {
                Some(name) => self.condition(name.trim(), at.line),
                None => {
                    self.error(at.line, "`Condition` expects a condition name");
                    Tri::Unknown("malformed `Condition`".into())
                }
            },
            "Fn::Equals" => {
                let Some(items) = self.arg_items(call, at, "two values") else {
                    return Tri::Unknown("malformed `Fn::Equals`".into());
                };
                let [a, b] = items else {
                    self.error(at.line, "`Fn::Equals` expects two values");
                    return Tri::Unknown("malformed `Fn::Equals`".into());
                };
                let a = self.eval(a);
                let b = self.eval(b);
                equals(a.as_ref(), b.as_ref())
            }
            "Fn::Not" => {
                let Some(items) = self.arg_items(call, at, "one condition") else {
                    return Tri::Unknown("malformed `Fn::Not`".into());
                };
                let [c] = items else {
                    self.error(at.line, "`Fn::Not` expects one condition");
                    return Tri::Unknown("malformed `Fn::Not`".into());
                };
                match self.cond_expr(c) {
                    Tri::True => Tri::False,
                    Tri::False => Tri::True,
                    u => u,
                }
            }
            "Fn::And" | "Fn::Or" => {
                let and = call.name == "Fn::And";
                let Some(items) = self.arg_items(call, at, "a list of conditions") else {
                    return Tri::Unknown(format!("malformed `{}`", call.name));
                };
                if items.len() < 2 || items.len() > 10 {
                    self.error(
                        at.line,
                        format!("`{}` expects 2 to 10 conditions", call.name),
                    );
                }
                let mut unknown = None;
                for c in items {
                    match self.cond_expr(c) {
                        Tri::True if !and => return Tri::True,
                        Tri::False if and => return Tri::False,
                        Tri::Unknown(r) => {
                            unknown.get_or_insert(r);
                        }
                        _ => {}
                    }
                }
                match unknown {
                    Some(r) => Tri::Unknown(r),
                    None => Tri::from_bool(and),
                }
            }
            "Fn::If" => match self.call(call, at).map(|v| v.value) {
                Some(Raw::Bool(b)) => Tri::from_bool(b),
                Some(Raw::Unknown(r)) => Tri::Unknown(r),
                _ => {
                    self.error(at.line, "a condition must be a condition function");
                    Tri::Unknown("malformed condition".into())
                }
            },
            _ => {
                // A value function (`Ref` to a boolean parameter...).
                match self.call(call, at).map(|v| v.value) {
                    Some(Raw::Bool(b)) => Tri::from_bool(b),
                    Some(Raw::String(s)) if s == "true" => Tri::True,
                    Some(Raw::String(s)) if s == "false" => Tri::False,
                    Some(other @ (Raw::Unknown(_) | Raw::Ref { .. })) => {
                        Tri::Unknown(why_unknown(&other))
                    }
                    _ => {
                        self.error(
                            at.line,
                            format!("`{}` is not a condition function", call.name),
                        );
                        Tri::Unknown("malformed condition".into())
                    }
                }
            }
        }
    }

    // ---------------------------------------------------- FindInMap

    fn find_in_map(&mut self, call: &Call<'_>, at: &Node) -> RawNode {
        let Some(items) = self.arg_items(call, at, "`[MapName, TopLevelKey, SecondLevelKey]`")
        else {
            return self.unknown(at, "malformed `Fn::FindInMap`");
        };
        if items.len() != 3 && items.len() != 4 {
            self.error(
                at.line,
                "`Fn::FindInMap` expects `[MapName, TopLevelKey, SecondLevelKey]`",
            );
            return self.unknown(at, "malformed `Fn::FindInMap`");
        }
        let mut keys = Vec::with_capacity(3);
        for k in items.iter().take(3) {
            keys.push(self.eval(k).map(|v| v.value));
        }
        // `{DefaultValue: x}` (AWS::LanguageExtensions).
        let default = items
            .get(3)
            .and_then(|d| d.get("DefaultValue"))
            .and_then(|d| self.eval(d));
        let Some(mappings) = self.scope.mappings else {
            self.error(
                at.line,
                "`Fn::FindInMap` used but the template has no `Mappings`",
            );
            return self.unknown(at, "no `Mappings` in the template");
        };
        let text = |k: &Option<Raw>| k.as_ref().and_then(scalar_text);
        let Some(map_name) = text(&keys[0]) else {
            return self.unknown(at, "`Fn::FindInMap` map name is unknown");
        };
        let Some(map) = mappings.get(&map_name) else {
            if let Some(d) = default {
                return d;
            }
            self.error(at.line, format!("mapping `{map_name}` is not declared"));
            return self.unknown(at, format!("mapping `{map_name}` is not declared"));
        };
        let second = text(&keys[2]);
        match text(&keys[1]) {
            Some(top) => {
                let Some(entry) = map.get(&top) else {
                    if let Some(d) = default {
                        return d;
                    }
                    self.error(at.line, format!("mapping `{map_name}` has no key `{top}`"));
                    return self.unknown(at, format!("mapping `{map_name}` has no key `{top}`"));
                };
                let Some(second) = second else {
                    return self.unknown(
                        at,
                        format!(
                            "a key into mapping `{map_name}` is unknown: {}",
                            keys[2]
                                .as_ref()
                                .map_or_else(|| "no key".into(), why_unknown)
                        ),
                    );
                };
                match entry.get(&second) {
                    Some(v) => self.mapped(v, at),
                    None => {
                        if let Some(d) = default {
                            return d;
                        }
                        self.error(
                            at.line,
                            format!("mapping `{map_name}` has no key `{top}`.`{second}`"),
                        );
                        self.unknown(
                            at,
                            format!("mapping `{map_name}` has no key `{top}`.`{second}`"),
                        )
                    }
                }
            }
            None => {
                // An unknown top-level key (usually `AWS::Region`): the
                // value is still known when every entry agrees.
                let why = keys[1]
                    .as_ref()
                    .map_or_else(|| "no key".into(), why_unknown);
                let reason = format!("a key into mapping `{map_name}` is unknown: {why}");
                let Some(second) = second else {
                    return self.unknown(at, reason);
                };
                let mut values = Vec::new();
                for (_, entry) in map.entries() {
                    match entry.get(&second) {
                        Some(v) => values.push(self.mapped(v, at)),
                        None => return self.unknown(at, reason),
                    }
                }
                let first = values.first().cloned();
                match first {
                    Some(f) if values.iter().all(|v| same_value(Some(v), Some(&f))) => f,
                    _ => self.unknown(at, reason),
                }
            }
        }
    }

    /// A mapping value, located where it is used.
    fn mapped(&mut self, v: &Node, at: &Node) -> RawNode {
        let mut out = self.eval(v).unwrap_or_else(|| self.node(at, Raw::Null));
        relocate(&mut out, &self.loc(at));
        out
    }

    // ------------------------------------------------- Base64, Cidr...

    fn base64(&mut self, call: &Call<'_>, at: &Node) -> RawNode {
        match self.arg_value(call).map(|v| v.value) {
            Some(v) => match scalar_text(&v) {
                Some(s) => self.node(at, Raw::String(base64(s.as_bytes()))),
                None => self.unknown(
                    at,
                    format!("`Fn::Base64` of an unknown value: {}", why_unknown(&v)),
                ),
            },
            None => self.node(at, Raw::String(String::new())),
        }
    }

    fn cidr(&mut self, call: &Call<'_>, at: &Node) -> RawNode {
        let Some(items) = self.arg_items(call, at, "`[ipBlock, count, cidrBits]`") else {
            return self.unknown(at, "malformed `Fn::Cidr`");
        };
        let [block, count, bits] = items else {
            self.error(at.line, "`Fn::Cidr` expects `[ipBlock, count, cidrBits]`");
            return self.unknown(at, "malformed `Fn::Cidr`");
        };
        let mut vals = Vec::with_capacity(3);
        for n in [block, count, bits] {
            match self.eval(n).map(|v| v.value) {
                Some(v) => match scalar_text(&v) {
                    Some(s) => vals.push(s),
                    None => {
                        return self.unknown(
                            at,
                            format!("`Fn::Cidr` of an unknown value: {}", why_unknown(&v)),
                        )
                    }
                },
                None => return self.unknown(at, "`Fn::Cidr` argument is missing"),
            }
        }
        let (Ok(count), Ok(bits)) = (vals[1].trim().parse::<u64>(), vals[2].trim().parse::<u32>())
        else {
            self.error(
                at.line,
                "`Fn::Cidr` count and cidrBits must be whole numbers",
            );
            return self.unknown(at, "malformed `Fn::Cidr`");
        };
        match crate::cidr::subnets(vals[0].trim(), count.min(MAX_CIDR_COUNT), bits) {
            Ok(list) => {
                if count > MAX_CIDR_COUNT {
                    self.error(
                        at.line,
                        format!("`Fn::Cidr` count is over {MAX_CIDR_COUNT}"),
                    );
                }
                let items = list
                    .into_iter()
                    .map(|c| self.node(at, Raw::String(c)))
                    .collect();
                self.node(at, Raw::List(items))
            }
            Err(msg) => {
                self.error(at.line, format!("`Fn::Cidr`: {msg}"));
                self.unknown(at, format!("`Fn::Cidr`: {msg}"))
            }
        }
    }

    fn length(&mut self, call: &Call<'_>, at: &Node) -> RawNode {
        match self.arg_value(call).map(|v| v.value) {
            Some(Raw::List(items)) => {
                #[allow(clippy::cast_precision_loss)]
                let n = items.len() as f64;
                self.node(at, Raw::Number(n))
            }
            Some(other @ (Raw::Unknown(_) | Raw::Ref { .. })) => self.unknown(
                at,
                format!("`Fn::Length` of an unknown list: {}", why_unknown(&other)),
            ),
            _ => {
                self.error(at.line, "`Fn::Length` expects a list");
                self.unknown(at, "malformed `Fn::Length`")
            }
        }
    }

    fn fn_to_json_string(&mut self, call: &Call<'_>, at: &Node) -> RawNode {
        let Some(v) = self.arg_value(call) else {
            return self.unknown(at, "`Fn::ToJsonString` of nothing");
        };
        match to_json(&v) {
            Ok(s) => self.node(at, Raw::String(s)),
            Err(why) => self.unknown(at, format!("`Fn::ToJsonString` of an unknown value: {why}")),
        }
    }
}

/// Attributes (`Fn::GetAtt`) that return exactly a property of the same
/// name, by resource type: their written value is the attribute's value.
fn attr_is_property(kind: &str, attr: &str) -> bool {
    matches!(
        (kind, attr),
        ("AWS::EC2::VPC", "CidrBlock")
            | (
                "AWS::EC2::Subnet",
                "CidrBlock" | "VpcId" | "AvailabilityZone"
            )
            | ("AWS::EC2::SecurityGroup", "VpcId" | "GroupName")
            | ("AWS::EKS::Nodegroup", "ClusterName" | "NodegroupName")
            | ("AWS::EKS::Cluster", "Name")
            | ("AWS::EC2::NetworkAcl", "VpcId")
            | ("AWS::EC2::RouteTable", "VpcId")
    )
}

/// Sets the location of every node of a tree.
fn relocate(n: &mut RawNode, loc: &Location) {
    let mut todo: Vec<&mut RawNode> = vec![n];
    while let Some(n) = todo.pop() {
        n.loc = Some(loc.clone());
        match &mut n.value {
            Raw::List(items) => todo.extend(items.iter_mut()),
            Raw::Map(m) => todo.extend(m.values_mut()),
            _ => {}
        }
    }
}

/// Structural equality of two evaluated values (locations ignored); `false`
/// when either is unknown.
fn same_value(a: Option<&RawNode>, b: Option<&RawNode>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => same_raw(&a.value, &b.value),
        _ => false,
    }
}

fn same_raw(a: &Raw, b: &Raw) -> bool {
    match (a, b) {
        (Raw::Unknown(_), _) | (_, Raw::Unknown(_)) => false,
        (Raw::List(x), Raw::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_raw(&p.value, &q.value))
        }
        (Raw::Map(x), Raw::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k1, v1), (k2, v2))| k1 == k2 && same_raw(&v1.value, &v2.value))
        }
        _ => a == b,
    }
}

/// `Fn::Equals`: CloudFormation compares the values as strings.
fn equals(a: Option<&RawNode>, b: Option<&RawNode>) -> Tri {
    let (Some(a), Some(b)) = (a, b) else {
        return Tri::from_bool(a.is_none() && b.is_none());
    };
    for v in [&a.value, &b.value] {
        if has_unknown(v) {
            return Tri::Unknown(format!(
                "`Fn::Equals` compares an unknown value: {}",
                first_unknown(v)
            ));
        }
    }
    match (scalar_text(&a.value), scalar_text(&b.value)) {
        (Some(x), Some(y)) => Tri::from_bool(x == y),
        _ => Tri::from_bool(same_raw(&a.value, &b.value)),
    }
}

fn has_unknown(v: &Raw) -> bool {
    match v {
        Raw::Unknown(_) | Raw::Ref { .. } => true,
        Raw::List(items) => items.iter().any(|i| has_unknown(&i.value)),
        Raw::Map(m) => m.values().any(|i| has_unknown(&i.value)),
        _ => false,
    }
}

fn first_unknown(v: &Raw) -> String {
    match v {
        Raw::Unknown(_) | Raw::Ref { .. } => why_unknown(v),
        Raw::List(items) => items
            .iter()
            .find(|i| has_unknown(&i.value))
            .map_or_else(String::new, |i| first_unknown(&i.value)),
        Raw::Map(m) => m
            .values()
            .find(|i| has_unknown(&i.value))
            .map_or_else(String::new, |i| first_unknown(&i.value)),
        _ => String::new(),
    }
}

/// A fully known value as compact JSON.
fn to_json(v: &RawNode) -> Result<String, String> {
    fn go(v: &Raw, out: &mut String) -> Result<(), String> {
        match v {
            Raw::Null => out.push_str("null"),
            Raw::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Raw::Number(n) => out.push_str(&fmt_num(*n)),
            Raw::String(s) => json_string(s, out),
            Raw::List(items) => {
                out.push('[');
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    go(&x.value, out)?;
                }
                out.push(']');
            }
            Raw::Map(m) => {
                out.push('{');
                for (i, (k, x)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    json_string(k, out);
                    out.push(':');
                    go(&x.value, out)?;
                }
                out.push('}');
            }
            other => return Err(why_unknown(other)),
        }
        Ok(())
    }
    let mut out = String::new();
    go(&v.value, &mut out)?;
    Ok(out)
}

fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Standard base64 with padding.
pub(crate) fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let sym = |shift: u32| char::from(T[((n >> shift) & 63) as usize]);
        out.push(sym(18));
        out.push(sym(12));
        out.push(if chunk.len() > 1 { sym(6) } else { '=' });
        out.push(if chunk.len() > 2 { sym(0) } else { '=' });
    }
    out
}

#[derive(Debug, PartialEq)]
enum SubPart {
    Text(String),
    Var(String),
}

/// Splits an `Fn::Sub` template into text and `${Name}` variables
/// (`${!Literal}` is the literal text `${Literal}`).
fn parse_sub(s: &str) -> Vec<SubPart> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        text.push_str(rest.get(..i).unwrap_or(""));
        let after = rest.get(i + 2..).unwrap_or("");
        if let Some(lit) = after.strip_prefix('!') {
            text.push_str("${");
            rest = lit;
            continue;
        }
        match after.find('}') {
            Some(j) => {
                if !text.is_empty() {
                    out.push(SubPart::Text(std::mem::take(&mut text)));
                }
                out.push(SubPart::Var(after.get(..j).unwrap_or("").trim().to_owned()));
                rest = after.get(j + 1..).unwrap_or("");
            }
            None => {
                text.push_str("${");
                rest = after;
            }
        }
    }
    text.push_str(rest);
    if !text.is_empty() {
        out.push(SubPart::Text(text));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_parts() {
        assert_eq!(
            parse_sub("arn:${AWS::Partition}:s3:::${B}/*${!Lit}x${"),
            vec![
                SubPart::Text("arn:".into()),
                SubPart::Var("AWS::Partition".into()),
                SubPart::Text(":s3:::".into()),
                SubPart::Var("B".into()),
                SubPart::Text("/*${Lit}x${".into()),
            ]
        );
        assert_eq!(parse_sub("${X}"), vec![SubPart::Var("X".into())]);
    }

    #[test]
    fn numbers() {
        assert_eq!(typed_scalar("22", ScalarStyle::Plain), Raw::Number(22.0));
        assert_eq!(typed_scalar("-1", ScalarStyle::Plain), Raw::Number(-1.0));
        assert_eq!(
            typed_scalar("1.5e3", ScalarStyle::Plain),
            Raw::Number(1500.0)
        );
        assert_eq!(
            typed_scalar("0123", ScalarStyle::Plain),
            Raw::String("0123".into())
        );
        assert_eq!(
            typed_scalar("10.0.0.0/16", ScalarStyle::Plain),
            Raw::String("10.0.0.0/16".into())
        );
        assert_eq!(
            typed_scalar("2012-10-17", ScalarStyle::Plain),
            Raw::String("2012-10-17".into())
        );
        assert_eq!(
            typed_scalar("22", ScalarStyle::SingleQuoted),
            Raw::String("22".into())
        );
        assert_eq!(typed_scalar("~", ScalarStyle::Plain), Raw::Null);
        assert_eq!(typed_scalar("True", ScalarStyle::Plain), Raw::Bool(true));
    }

    #[test]
    fn base64_encodes() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"#!/bin/bash"), "IyEvYmluL2Jhc2g=");
    }
}
