//! Values of the static evaluator. Like Terraform's, but with two extra
//! kinds: [`Value::Unknown`] (cannot be decided statically, with the reason)
//! and [`Value::Ref`] (an attribute of another resource, known only after
//! apply). Any operation that needs the content of either yields an unknown:
//! unknowns never become concrete values.

use std::collections::BTreeMap;
use std::rc::Rc;

pub type Map = BTreeMap<String, Value>;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    /// Lists, tuples and sets (sets are kept deduplicated and, for strings, sorted).
    List(Rc<Vec<Value>>),
    /// Maps and objects.
    Map(Rc<Map>),
    Unknown(Rc<str>),
    Ref(Rc<RefVal>),
    /// One resource instance: attributes written in its configuration, others
    /// read as references.
    Res(Rc<ResObj>),
    /// One instance of a module call (index into the evaluator's instances).
    Module(usize),
}

#[derive(Clone, Debug, PartialEq)]
pub struct RefVal {
    pub address: String,
    pub attr: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ResObj {
    pub address: String,
    pub attrs: Map,
    /// Stands for a resource whose instances are not known (unknown
    /// `count`/`for_each`, or one still being evaluated): indexing it yields
    /// an instance object with the indexed address.
    pub pending: bool,
    /// With `pending`: the instances are unknown because `count`/`for_each`
    /// is, and the resource was emitted once under its bare address, so an
    /// indexed reference keeps pointing at that address.
    pub keep_address: bool,
}

impl Value {
    pub fn unknown(reason: impl AsRef<str>) -> Value {
        Value::Unknown(Rc::from(reason.as_ref()))
    }

    pub fn str(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn list(v: Vec<Value>) -> Value {
        Value::List(Rc::new(v))
    }

    pub fn map(m: Map) -> Value {
        Value::Map(Rc::new(m))
    }

    pub fn reference(address: impl Into<String>, attr: impl Into<String>) -> Value {
        Value::Ref(Rc::new(RefVal {
            address: address.into(),
            attr: attr.into(),
        }))
    }

    /// The unknown this value stands for, if it is unknown or a reference.
    pub fn as_unknown(&self) -> Option<Value> {
        match self {
            Value::Unknown(_) => Some(self.clone()),
            Value::Ref(r) => Some(Value::unknown(ref_reason(r))),
            Value::Res(r) if r.pending => Some(Value::unknown(format!(
                "the instances of `{}` are not known",
                r.address
            ))),
            _ => None,
        }
    }

    /// The first unknown found anywhere inside the value.
    pub fn deep_unknown(&self) -> Option<Value> {
        match self {
            Value::List(l) => l.iter().find_map(Value::deep_unknown),
            Value::Map(m) => m.values().find_map(Value::deep_unknown),
            Value::Res(r) => Some(Value::unknown(format!(
                "`{}` is known only after apply",
                r.address
            ))),
            Value::Module(_) => Some(Value::unknown("a whole module object")),
            _ => self.as_unknown(),
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Map(_) => "object",
            Value::Unknown(_) | Value::Ref(_) => "unknown",
            Value::Res(_) => "resource object",
            Value::Module(_) => "module object",
        }
    }

    /// The value as a string where Terraform converts automatically
    /// (strings, numbers, bools). `Ok(None)` for unknowns.
    pub fn to_str(&self) -> Result<Option<String>, String> {
        match self {
            Value::String(s) => Ok(Some(s.clone())),
            Value::Number(n) => Ok(Some(fmt_num(*n))),
            Value::Bool(b) => Ok(Some(b.to_string())),
            Value::Null => Err("a null value cannot be used as a string".into()),
            v if v.as_unknown().is_some() => Ok(None),
            v => Err(format!("a {} cannot be used as a string", v.type_name())),
        }
    }

    /// The value as a number (numeric strings convert). `Ok(None)` for unknowns.
    pub fn to_num(&self) -> Result<Option<f64>, String> {
        match self {
            Value::Number(n) => Ok(Some(*n)),
            Value::String(s) => s
                .trim()
                .parse::<f64>()
                .map(Some)
                .map_err(|_| "a string that is not a number cannot be used as a number".into()),
            v if v.as_unknown().is_some() => Ok(None),
            v => Err(format!("a {} cannot be used as a number", v.type_name())),
        }
    }

    /// The value as a bool ("true"/"false" strings convert). `Ok(None)` for unknowns.
    pub fn to_bool(&self) -> Result<Option<bool>, String> {
        match self {
            Value::Bool(b) => Ok(Some(*b)),
            Value::String(s) if s == "true" => Ok(Some(true)),
            Value::String(s) if s == "false" => Ok(Some(false)),
            v if v.as_unknown().is_some() => Ok(None),
            v => Err(format!("a {} cannot be used as a bool", v.type_name())),
        }
    }

    /// Elements of a list, or of a map's values.
    pub fn elements(&self) -> Option<Vec<Value>> {
        match self {
            Value::List(l) => Some(l.as_ref().clone()),
            Value::Map(m) => Some(m.values().cloned().collect()),
            _ => None,
        }
    }
}

pub fn ref_reason(r: &RefVal) -> String {
    if r.attr.is_empty() {
        format!("`{}` is known only after apply", r.address)
    } else {
        format!("`{}.{}` is known only after apply", r.address, r.attr)
    }
}

/// Formats a number the way Terraform prints it (integers without a fraction).
pub fn fmt_num(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e17 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Renders an instance key in address syntax: `[0]` or `["a"]`.
pub fn key_suffix(k: &Value) -> String {
    match k {
        Value::Number(n) => format!("[{}]", fmt_num(*n)),
        Value::String(s) => format!("[{}]", quote(s)),
        _ => "[*]".into(),
    }
}

/// A Terraform-style quoted string.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Terraform's `==`: same type and same content. `None` when unknown.
pub fn equal(a: &Value, b: &Value) -> Option<bool> {
    if a.as_unknown().is_some() || b.as_unknown().is_some() {
        return None;
    }
    match (a, b) {
        (Value::List(x), Value::List(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            let mut all = true;
            for (p, q) in x.iter().zip(y.iter()) {
                match equal(p, q) {
                    Some(false) => return Some(false),
                    None => all = false,
                    Some(true) => {}
                }
            }
            all.then_some(true)
        }
        (Value::Map(x), Value::Map(y)) => {
            if x.len() != y.len() || x.keys().ne(y.keys()) {
                return Some(false);
            }
            let mut all = true;
            for (p, q) in x.values().zip(y.values()) {
                match equal(p, q) {
                    Some(false) => return Some(false),
                    None => all = false,
                    Some(true) => {}
                }
            }
            all.then_some(true)
        }
        (Value::Res(x), Value::Res(y)) => (x.address == y.address).then_some(true),
        _ => Some(a == b),
    }
}

/// Converts a value to JSON (for `jsonencode`). Fails on unknowns.
pub fn to_json(v: &Value) -> Option<serde_json::Value> {
    Some(match v {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(n) => {
            if n.fract() == 0.0 && n.abs() < 1e15 {
                serde_json::Value::from(*n as i64)
            } else {
                serde_json::Number::from_f64(*n).map_or(serde_json::Value::Null, Into::into)
            }
        }
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::List(l) => {
            serde_json::Value::Array(l.iter().map(to_json).collect::<Option<Vec<_>>>()?)
        }
        Value::Map(m) => serde_json::Value::Object(
            m.iter()
                .map(|(k, v)| to_json(v).map(|j| (k.clone(), j)))
                .collect::<Option<serde_json::Map<_, _>>>()?,
        ),
        _ => return None,
    })
}

/// Converts decoded JSON into a value (for `jsondecode`).
pub fn from_json(j: &serde_json::Value) -> Value {
    match j {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(a) => Value::list(a.iter().map(from_json).collect()),
        serde_json::Value::Object(o) => {
            Value::map(o.iter().map(|(k, v)| (k.clone(), from_json(v))).collect())
        }
    }
}
