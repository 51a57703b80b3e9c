//! Terraform's built-in functions, over the static evaluator's values.
//!
//! `try` and `can` evaluate their arguments lazily. Every other function
//! sees evaluated arguments; an unknown argument makes the result unknown
//! unless the function only moves values around without reading them
//! (`concat`, `merge`, `length`, `element`...).

use crate::ast::{Expr, ExprKind, Span};
use crate::eval::{
    deep_weight, unknown_of, Ctx, EvalResult, Evaluator, Scope, MAX_STRING_BYTES, MAX_WORK,
    OVER_BUDGET,
};
use crate::value::{equal, fmt_num, from_json, quote, to_json, Map, Value};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::rc::Rc;

fn err<T>(m: impl Into<String>) -> Result<T, String> {
    Err(m.into())
}

/// Functions that cannot be computed statically (time, randomness, hashes,
/// the file system outside the module).
const NOT_STATIC: &[&str] = &[
    "timestamp",
    "plantimestamp",
    "uuid",
    "uuidv5",
    "bcrypt",
    "md5",
    "sha1",
    "sha256",
    "sha512",
    "base64sha256",
    "base64sha512",
    "filemd5",
    "filesha1",
    "filesha256",
    "filesha512",
    "filebase64sha256",
    "filebase64sha512",
    "filebase64",
    "fileset",
    "abspath",
    "pathexpand",
    "formatdate",
    "timeadd",
    "timecmp",
    "rsadecrypt",
    "textencodebase64",
    "textdecodebase64",
    "ephemeralasnull",
];

impl Evaluator<'_> {
    pub fn call(
        &mut self,
        ctx: Ctx,
        span: Span,
        name: &str,
        args: &[Expr],
        expand_final: bool,
    ) -> EvalResult {
        match name {
            "try" => {
                for a in args {
                    if let Ok(v) = self.eval(ctx, a) {
                        // References stay links; anything else unknown is unknown.
                        return Ok(match v {
                            Value::Ref(_) => v,
                            v => v.as_unknown().unwrap_or(v),
                        });
                    }
                }
                return err("no argument of `try` could be evaluated");
            }
            "can" => {
                let [a] = args else {
                    return err("`can` takes one argument");
                };
                return Ok(match self.eval(ctx, a) {
                    Ok(v) => v.as_unknown().unwrap_or(Value::Bool(true)),
                    Err(_) => Value::Bool(false),
                });
            }
            _ => {}
        }
        let mut vals = Vec::with_capacity(args.len());
        for a in args {
            vals.push(self.eval(ctx, a)?);
        }
        // What the function will read (and may copy): shared parts of the
        // arguments count each time they are reachable.
        let cap = MAX_WORK.saturating_sub(self.work);
        let mut read = 0;
        let within = vals.iter().all(|v| deep_weight(v, &mut read, cap, 0));
        self.work = self.work.saturating_add(read);
        if !within {
            self.over_budget(ctx.file, span);
            return Ok(Value::unknown(OVER_BUDGET));
        }
        if expand_final {
            match vals.pop() {
                Some(Value::List(l)) => vals.extend(l.iter().cloned()),
                Some(v) if v.as_unknown().is_some() => return Ok(unknown_of(&v)),
                _ => return err("the final argument must be a list to expand it with `...`"),
            }
        }
        if let Some(short) = name.strip_prefix("core::") {
            return self.call_builtin(ctx, span, short, vals);
        }
        self.call_builtin(ctx, span, name, vals)
    }

    fn call_builtin(&mut self, ctx: Ctx, span: Span, name: &str, args: Vec<Value>) -> EvalResult {
        // Functions that handle unknown arguments themselves.
        match name {
            "length" => return length(&args),
            "concat" => return concat(&args),
            "merge" => return merge(&args),
            "tolist" | "toset" | "tomap" | "tostring" | "tonumber" | "tobool" | "sensitive"
            | "nonsensitive" | "coalesce" | "coalescelist" | "element" | "lookup" | "keys"
            | "values" | "zipmap" | "slice" | "reverse" | "one" | "flatten" | "compact"
            | "contains" => {}
            _ => {
                if let Some(u) = args.iter().find_map(Value::as_unknown) {
                    return Ok(u);
                }
            }
        }
        if NOT_STATIC.contains(&name) {
            return Ok(Value::unknown(format!(
                "`{name}()` is not computed statically"
            )));
        }
        let a = |i: usize| args.get(i).cloned().unwrap_or(Value::Null);
        let s = |i: usize| -> Result<Option<String>, String> { a(i).to_str() };
        macro_rules! known_str {
            ($i:expr) => {
                match s($i)? {
                    Some(x) => x,
                    None => return Ok(unknown_of(&a($i))),
                }
            };
        }
        macro_rules! known_num {
            ($i:expr) => {
                match a($i).to_num()? {
                    Some(x) => x,
                    None => return Ok(unknown_of(&a($i))),
                }
            };
        }
        macro_rules! deep_known {
            ($v:expr) => {
                if let Some(u) = $v.deep_unknown() {
                    return Ok(u);
                }
            };
        }
        let argc = |n: usize| -> Result<(), String> {
            if args.len() < n {
                err(format!("`{name}` needs {n} argument(s)"))
            } else {
                Ok(())
            }
        };
        match name {
            // ----- strings
            "lower" => Ok(Value::String(known_str!(0).to_lowercase())),
            "upper" => Ok(Value::String(known_str!(0).to_uppercase())),
            "title" => Ok(Value::String(title(&known_str!(0)))),
            "trimspace" => Ok(Value::str(known_str!(0).trim())),
            "chomp" => Ok(Value::str(known_str!(0).trim_end_matches(['\n', '\r']))),
            "strrev" => Ok(Value::String(known_str!(0).chars().rev().collect())),
            "trim" => {
                argc(2)?;
                let (x, cut) = (known_str!(0), known_str!(1));
                Ok(Value::str(x.trim_matches(|c| cut.contains(c))))
            }
            "trimprefix" => {
                argc(2)?;
                let (x, p) = (known_str!(0), known_str!(1));
                Ok(Value::str(x.strip_prefix(p.as_str()).unwrap_or(&x)))
            }
            "trimsuffix" => {
                argc(2)?;
                let (x, p) = (known_str!(0), known_str!(1));
                Ok(Value::str(x.strip_suffix(p.as_str()).unwrap_or(&x)))
            }
            "startswith" => {
                argc(2)?;
                Ok(Value::Bool(known_str!(0).starts_with(&known_str!(1))))
            }
            "endswith" => {
                argc(2)?;
                Ok(Value::Bool(known_str!(0).ends_with(&known_str!(1))))
            }
            "strcontains" => {
                argc(2)?;
                Ok(Value::Bool(known_str!(0).contains(&known_str!(1))))
            }
            "indent" => {
                argc(2)?;
                let n = known_num!(0);
                let x = known_str!(1);
                let pad = " ".repeat(n.clamp(0.0, 1024.0) as usize);
                let lines = x.matches('\n').count();
                if x.len().saturating_add(lines.saturating_mul(pad.len())) > MAX_STRING_BYTES {
                    return err("`indent` would produce a string longer than palisade allows");
                }
                Ok(Value::String(x.replace('\n', &format!("\n{pad}"))))
            }
            "substr" => {
                argc(3)?;
                let x = known_str!(0);
                let (off, len) = (known_num!(1), known_num!(2));
                let chars: Vec<char> = x.chars().collect();
                let n = chars.len() as i64;
                let mut start = off as i64;
                if start < 0 {
                    start = start.saturating_add(n);
                }
                let start = start.clamp(0, n);
                let end = if len < 0.0 {
                    n
                } else {
                    start.saturating_add(len as i64).min(n)
                };
                Ok(Value::String(
                    chars
                        .get(start as usize..end.max(start) as usize)
                        .unwrap_or(&[])
                        .iter()
                        .collect(),
                ))
            }
            "split" => {
                argc(2)?;
                let (sep, x) = (known_str!(0), known_str!(1));
                if x.is_empty() {
                    return Ok(Value::list(vec![]));
                }
                let parts: Vec<Value> = if sep.is_empty() {
                    x.chars().map(|c| Value::String(c.to_string())).collect()
                } else {
                    x.split(sep.as_str()).map(Value::str).collect()
                };
                Ok(Value::list(parts))
            }
            "join" => {
                argc(2)?;
                let sep = known_str!(0);
                let mut parts = Vec::new();
                for l in args.iter().skip(1) {
                    deep_known!(l);
                    let Value::List(items) = l else {
                        return err("`join` takes lists of strings");
                    };
                    for it in items.iter() {
                        match it.to_str()? {
                            Some(x) => parts.push(x),
                            None => return Ok(unknown_of(it)),
                        }
                    }
                }
                Ok(Value::String(parts.join(&sep)))
            }
            "replace" => {
                argc(3)?;
                let (x, pat, rep) = (known_str!(0), known_str!(1), known_str!(2));
                let too_long = |hits: usize| {
                    x.len().saturating_add(hits.saturating_mul(rep.len())) > MAX_STRING_BYTES
                };
                if pat.len() > 1 && pat.starts_with('/') && pat.ends_with('/') {
                    let re = self.regex(&pat[1..pat.len() - 1])?;
                    // An empty match can repeat at every position.
                    if too_long(re.find_iter(&x).count().saturating_add(1)) {
                        return err("`replace` would produce a string longer than palisade allows");
                    }
                    Ok(Value::String(re.replace_all(&x, rep.as_str()).into_owned()))
                } else if pat.is_empty() {
                    Ok(Value::String(x))
                } else {
                    if too_long(x.matches(pat.as_str()).count()) {
                        return err("`replace` would produce a string longer than palisade allows");
                    }
                    Ok(Value::String(x.replace(&pat, &rep)))
                }
            }
            "regex" | "regexall" => {
                argc(2)?;
                let (pat, x) = (known_str!(0), known_str!(1));
                let re = self.regex(&pat)?;
                let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
                let one = |c: regex_lite::Captures| -> Value {
                    if names.is_empty() {
                        Value::str(c.get(0).map_or("", |m| m.as_str()))
                    } else if names.iter().all(Option::is_some) {
                        Value::map(
                            names
                                .iter()
                                .flatten()
                                .map(|n| {
                                    (
                                        n.to_string(),
                                        c.name(n).map_or(Value::Null, |m| Value::str(m.as_str())),
                                    )
                                })
                                .collect(),
                        )
                    } else {
                        Value::list(
                            (1..=names.len())
                                .map(|i| c.get(i).map_or(Value::Null, |m| Value::str(m.as_str())))
                                .collect(),
                        )
                    }
                };
                if name == "regex" {
                    match re.captures(&x) {
                        Some(c) => Ok(one(c)),
                        None => err("the pattern did not match"),
                    }
                } else {
                    Ok(Value::list(re.captures_iter(&x).map(one).collect()))
                }
            }
            "format" => {
                argc(1)?;
                let f = known_str!(0);
                for v in args.iter().skip(1) {
                    deep_known!(v);
                }
                format(&f, args.get(1..).unwrap_or(&[])).map(Value::String)
            }
            "formatlist" => {
                argc(1)?;
                let f = known_str!(0);
                let rest = args.get(1..).unwrap_or(&[]);
                let mut n: Option<usize> = None;
                for v in rest {
                    if let Value::List(l) = v {
                        if n.is_some_and(|m| m != l.len()) {
                            return err("`formatlist` lists must have the same length");
                        }
                        n = Some(l.len());
                    }
                }
                let n = n.unwrap_or(1);
                let mut out = Vec::with_capacity(n);
                for i in 0..n {
                    let row: Vec<Value> = rest
                        .iter()
                        .map(|v| match v {
                            Value::List(l) => l.get(i).cloned().unwrap_or(Value::Null),
                            x => x.clone(),
                        })
                        .collect();
                    if let Some(u) = row.iter().find_map(Value::deep_unknown) {
                        return Ok(u);
                    }
                    out.push(Value::String(format(&f, &row)?));
                }
                Ok(Value::list(out))
            }
            "urlencode" => {
                let x = known_str!(0);
                let mut out = String::new();
                for b in x.bytes() {
                    if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                        out.push(b as char);
                    } else {
                        out.push_str(&format!("%{b:02X}"));
                    }
                }
                Ok(Value::String(out))
            }
            "base64encode" => Ok(Value::String(b64encode(known_str!(0).as_bytes()))),
            "base64decode" => {
                let bytes = b64decode(&known_str!(0)).ok_or("invalid base64 data")?;
                String::from_utf8(bytes)
                    .map(Value::String)
                    .map_err(|_| "decoded base64 data is not UTF-8".to_string())
            }
            "jsonencode" => {
                // A document with unknown parts (typically a policy naming
                // another resource's ARN) is unknown as a string, as in
                // Terraform; but its structure is what analyses need, so it
                // is passed on as the object itself. Adapters read policy
                // attributes from strings or object trees alike; any string
                // operation on it stays unknown.
                if a(0).deep_unknown().is_some() && matches!(a(0), Value::Map(_) | Value::List(_)) {
                    return Ok(a(0));
                }
                deep_known!(a(0));
                let j = to_json(&a(0)).ok_or("value cannot be encoded as JSON")?;
                Ok(Value::String(j.to_string()))
            }
            "jsondecode" => {
                let x = known_str!(0);
                let j: serde_json::Value = serde_json::from_str(&x)
                    .map_err(|e| format!("invalid JSON at line {}", e.line()))?;
                Ok(from_json(&j))
            }
            "yamlencode" => {
                deep_known!(a(0));
                let mut out = String::new();
                yaml(&a(0), 0, &mut out, false);
                Ok(Value::String(out))
            }
            "csvdecode" | "yamldecode" | "templatestring" => Ok(Value::unknown(format!(
                "`{name}()` is not supported by the static evaluator"
            ))),
            // ----- numbers
            "abs" => Ok(Value::Number(known_num!(0).abs())),
            "ceil" => Ok(Value::Number(known_num!(0).ceil())),
            "floor" => Ok(Value::Number(known_num!(0).floor())),
            "signum" => Ok(Value::Number(known_num!(0).signum())),
            "pow" => {
                argc(2)?;
                Ok(Value::Number(known_num!(0).powf(known_num!(1))))
            }
            "log" => {
                argc(2)?;
                Ok(Value::Number(known_num!(0).log(known_num!(1))))
            }
            "parseint" => {
                argc(2)?;
                let (x, base) = (known_str!(0), known_num!(1));
                if !(2.0..=36.0).contains(&base) || base.fract() != 0.0 {
                    return err("`parseint` base must be a whole number between 2 and 36");
                }
                i64::from_str_radix(&x, base as u32)
                    .map(|n| Value::Number(n as f64))
                    .map_err(|_| "`parseint` could not parse the number".to_string())
            }
            "min" | "max" | "sum" => {
                let items: Vec<Value> = if name == "sum" {
                    match a(0) {
                        Value::List(l) => l.as_ref().clone(),
                        _ => return err("`sum` takes a list of numbers"),
                    }
                } else {
                    args.clone()
                };
                if items.is_empty() {
                    return err(format!("`{name}` needs at least one number"));
                }
                let mut acc: Option<f64> = None;
                for it in &items {
                    let Some(n) = it.to_num()? else {
                        return Ok(unknown_of(it));
                    };
                    acc = Some(match (acc, name) {
                        (None, _) => n,
                        (Some(x), "min") => x.min(n),
                        (Some(x), "max") => x.max(n),
                        (Some(x), _) => x + n,
                    });
                }
                Ok(Value::Number(acc.unwrap_or(0.0)))
            }
            "range" => {
                let nums: Vec<f64> = match args.len() {
                    1 => vec![0.0, known_num!(0), 1.0],
                    2 => vec![known_num!(0), known_num!(1), 1.0],
                    3 => vec![known_num!(0), known_num!(1), known_num!(2)],
                    _ => return err("`range` takes 1 to 3 arguments"),
                };
                let (start, limit, step) = (nums[0], nums[1], nums[2]);
                if step == 0.0 || (limit - start) * step < 0.0 && start != limit {
                    if step == 0.0 {
                        return err("`range` step must not be zero");
                    }
                    return Ok(Value::list(vec![]));
                }
                let count = ((limit - start) / step).ceil();
                if count > 100_000.0 {
                    return err("`range` would produce too many elements");
                }
                let count = count.max(0.0) as usize;
                Ok(Value::list(
                    (0..count)
                        .map(|i| Value::Number(start + step * i as f64))
                        .collect(),
                ))
            }
            // ----- collections
            "coalesce" => {
                for v in &args {
                    match v {
                        Value::Null => continue,
                        Value::String(x) if x.is_empty() => continue,
                        x if x.as_unknown().is_some() => return Ok(unknown_of(x)),
                        x => return Ok(x.clone()),
                    }
                }
                err("no non-null, non-empty argument to `coalesce`")
            }
            "coalescelist" => {
                for v in &args {
                    match v {
                        Value::List(l) if l.is_empty() => continue,
                        Value::List(_) => return Ok(v.clone()),
                        x if x.as_unknown().is_some() => return Ok(unknown_of(x)),
                        _ => return err("`coalescelist` takes lists"),
                    }
                }
                Ok(Value::list(vec![]))
            }
            "compact" => match a(0) {
                Value::List(l) => {
                    let mut out = Vec::new();
                    for it in l.iter() {
                        match it {
                            Value::Null => {}
                            Value::String(x) if x.is_empty() => {}
                            x if x.as_unknown().is_some() => return Ok(unknown_of(x)),
                            x => out.push(x.clone()),
                        }
                    }
                    Ok(Value::list(out))
                }
                x if x.as_unknown().is_some() => Ok(unknown_of(&x)),
                _ => err("`compact` takes a list of strings"),
            },
            "contains" => {
                argc(2)?;
                let (l, v) = (a(0), a(1));
                if let Some(u) = l.as_unknown() {
                    return Ok(u);
                }
                let Some(items) = l.elements() else {
                    return err("`contains` takes a list");
                };
                let mut unsure = None;
                for it in &items {
                    match equal(it, &v) {
                        Some(true) => return Ok(Value::Bool(true)),
                        Some(false) => {}
                        None => {
                            unsure =
                                Some(unknown_of(if v.as_unknown().is_some() { &v } else { it }))
                        }
                    }
                }
                Ok(unsure.unwrap_or(Value::Bool(false)))
            }
            "index" => {
                argc(2)?;
                let (l, v) = (a(0), a(1));
                deep_known!(l);
                deep_known!(v);
                let Value::List(items) = l else {
                    return err("`index` takes a list");
                };
                items
                    .iter()
                    .position(|x| equal(x, &v) == Some(true))
                    .map(|i| Value::Number(i as f64))
                    .ok_or_else(|| "`index`: the value is not in the list".to_string())
            }
            "distinct" => {
                let l = a(0);
                deep_known!(l);
                let Value::List(items) = l else {
                    return err("`distinct` takes a list");
                };
                Ok(Value::list(dedup(items.as_ref())))
            }
            "element" => {
                argc(2)?;
                let (l, i) = (a(0), a(1));
                if let Some(u) = l.as_unknown().or_else(|| i.as_unknown()) {
                    return Ok(u);
                }
                let Value::List(items) = l else {
                    return err("`element` takes a list");
                };
                if items.is_empty() {
                    return err("`element` on an empty list");
                }
                let Some(n) = i.to_num()? else {
                    return Ok(unknown_of(&i));
                };
                if n < 0.0 {
                    return err("`element` index must not be negative");
                }
                Ok(items[(n as usize) % items.len()].clone())
            }
            "flatten" => {
                let l = a(0);
                if let Some(u) = l.as_unknown() {
                    return Ok(u);
                }
                let mut out = Vec::new();
                Ok(flatten(&l, &mut out, 0)?.unwrap_or_else(|| Value::list(out)))
            }
            "keys" | "values" => match a(0) {
                Value::Map(m) => Ok(Value::list(if name == "keys" {
                    m.keys().map(|k| Value::str(k.clone())).collect()
                } else {
                    m.values().cloned().collect()
                })),
                Value::Res(r) if !r.pending => Ok(Value::list(if name == "keys" {
                    r.attrs.keys().map(|k| Value::str(k.clone())).collect()
                } else {
                    r.attrs.values().cloned().collect()
                })),
                x if x.as_unknown().is_some() => Ok(unknown_of(&x)),
                _ => err(format!("`{name}` takes a map")),
            },
            "lookup" => {
                argc(2)?;
                let (m, k) = (a(0), a(1));
                if let Some(u) = m.as_unknown().or_else(|| k.as_unknown()) {
                    return Ok(u);
                }
                let Some(key) = k.to_str()? else {
                    return Ok(unknown_of(&k));
                };
                match &m {
                    Value::Map(map) => match map.get(&key) {
                        Some(v) => Ok(v.clone()),
                        None if args.len() > 2 => Ok(a(2)),
                        None => err("`lookup`: the key is not in the map and no default was given"),
                    },
                    Value::Res(r) => Ok(r
                        .attrs
                        .get(&key)
                        .cloned()
                        .unwrap_or_else(|| Value::reference(r.address.clone(), key))),
                    _ => err("`lookup` takes a map"),
                }
            }
            "zipmap" => {
                argc(2)?;
                let (k, v) = (a(0), a(1));
                if let Some(u) = k.deep_unknown().or_else(|| v.as_unknown()) {
                    return Ok(u);
                }
                let (Value::List(ks), Some(vs)) = (&k, v.elements()) else {
                    return err("`zipmap` takes two lists");
                };
                if ks.len() != vs.len() {
                    return err("`zipmap` lists must have the same length");
                }
                let mut out = Map::new();
                for (kk, vv) in ks.iter().zip(vs) {
                    let Some(s) = kk.to_str()? else {
                        return Ok(unknown_of(kk));
                    };
                    out.insert(s, vv);
                }
                Ok(Value::map(out))
            }
            "slice" => {
                argc(3)?;
                let l = a(0);
                if let Some(u) = l.as_unknown() {
                    return Ok(u);
                }
                let Value::List(items) = l else {
                    return err("`slice` takes a list");
                };
                let (s0, e0) = (known_num!(1), known_num!(2));
                if s0 < 0.0 || e0 < s0 || e0 as usize > items.len() {
                    return err("`slice` indices out of range");
                }
                Ok(Value::list(
                    items.get(s0 as usize..e0 as usize).unwrap_or(&[]).to_vec(),
                ))
            }
            "reverse" => match a(0) {
                Value::List(l) => Ok(Value::list(l.iter().rev().cloned().collect())),
                x if x.as_unknown().is_some() => Ok(unknown_of(&x)),
                _ => err("`reverse` takes a list"),
            },
            "sort" => {
                let l = a(0);
                deep_known!(l);
                let Value::List(items) = l else {
                    return err("`sort` takes a list of strings");
                };
                let mut strs = Vec::with_capacity(items.len());
                for it in items.iter() {
                    strs.push(it.to_str()?.unwrap_or_default());
                }
                strs.sort();
                Ok(Value::list(strs.into_iter().map(Value::String).collect()))
            }
            "one" => match a(0) {
                Value::List(l) => match l.len() {
                    0 => Ok(Value::Null),
                    1 => Ok(l[0].clone()),
                    _ => err("`one` takes a list of at most one element"),
                },
                x if x.as_unknown().is_some() => Ok(unknown_of(&x)),
                _ => err("`one` takes a list"),
            },
            "alltrue" | "anytrue" => {
                let Value::List(l) = a(0) else {
                    return err(format!("`{name}` takes a list of bools"));
                };
                let want = name == "anytrue";
                let mut unsure = None;
                for it in l.iter() {
                    match it.to_bool()? {
                        Some(b) if b == want => return Ok(Value::Bool(want)),
                        Some(_) => {}
                        None => unsure = Some(unknown_of(it)),
                    }
                }
                Ok(unsure.unwrap_or(Value::Bool(!want)))
            }
            "chunklist" => {
                argc(2)?;
                let Value::List(l) = a(0) else {
                    return err("`chunklist` takes a list");
                };
                let n = known_num!(1);
                if n < 0.0 || n.fract() != 0.0 {
                    return err("`chunklist` size must be a whole, non-negative number");
                }
                if n == 0.0 {
                    return Ok(Value::list(vec![a(0)]));
                }
                Ok(Value::list(
                    l.chunks(n as usize)
                        .map(|c| Value::list(c.to_vec()))
                        .collect(),
                ))
            }
            "setunion" | "setintersection" | "setsubtract" => {
                let mut lists = Vec::new();
                for v in &args {
                    deep_known!(v);
                    match v.elements() {
                        Some(e) if matches!(v, Value::List(_)) => lists.push(e),
                        _ => return err(format!("`{name}` takes sets")),
                    }
                }
                let Some(first) = lists.first().cloned() else {
                    return err(format!("`{name}` needs at least one set"));
                };
                let has = |l: &[Value], x: &Value| l.iter().any(|y| equal(x, y) == Some(true));
                let out: Vec<Value> = match name {
                    "setunion" => lists.concat(),
                    "setintersection" => first
                        .into_iter()
                        .filter(|x| lists.iter().skip(1).all(|l| has(l, x)))
                        .collect(),
                    _ => {
                        let sub = lists.get(1).cloned().unwrap_or_default();
                        first.into_iter().filter(|x| !has(&sub, x)).collect()
                    }
                };
                Ok(to_set(out))
            }
            "setproduct" => {
                let mut acc: Vec<Vec<Value>> = vec![vec![]];
                for v in &args {
                    deep_known!(v);
                    let Some(items) = v.elements() else {
                        return err("`setproduct` takes sets or lists");
                    };
                    let mut next = Vec::new();
                    for prefix in &acc {
                        for it in &items {
                            let mut p = prefix.clone();
                            p.push(it.clone());
                            next.push(p);
                        }
                    }
                    if next.len() > 100_000 {
                        return err("`setproduct` would produce too many elements");
                    }
                    acc = next;
                }
                Ok(Value::list(acc.into_iter().map(Value::list).collect()))
            }
            "transpose" => {
                let Value::Map(m) = a(0) else {
                    return err("`transpose` takes a map of lists");
                };
                deep_known!(a(0));
                let mut out: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
                for (k, l) in m.iter() {
                    let Value::List(items) = l else {
                        return err("`transpose` takes a map of lists");
                    };
                    for it in items.iter() {
                        let key = it.to_str()?.unwrap_or_default();
                        out.entry(key).or_default().push(Value::str(k.clone()));
                    }
                }
                Ok(Value::map(
                    out.into_iter().map(|(k, v)| (k, Value::list(v))).collect(),
                ))
            }
            // ----- types
            "tostring" => match a(0) {
                Value::Null => Ok(Value::Null),
                x @ (Value::String(_) | Value::Number(_) | Value::Bool(_)) => {
                    Ok(Value::String(x.to_str()?.unwrap_or_default()))
                }
                x if x.as_unknown().is_some() => Ok(unknown_of(&x)),
                x => err(format!("cannot convert a {} to a string", x.type_name())),
            },
            "tonumber" => match a(0) {
                Value::Null => Ok(Value::Null),
                x => Ok(x.to_num()?.map_or_else(|| unknown_of(&x), Value::Number)),
            },
            "tobool" => match a(0) {
                Value::Null => Ok(Value::Null),
                x => Ok(x.to_bool()?.map_or_else(|| unknown_of(&x), Value::Bool)),
            },
            "tolist" => match a(0) {
                x @ (Value::List(_) | Value::Null) => Ok(x),
                x if x.as_unknown().is_some() => Ok(unknown_of(&x)),
                x => err(format!("cannot convert a {} to a list", x.type_name())),
            },
            "toset" => match a(0) {
                Value::List(l) => {
                    if let Some(u) = l.iter().find_map(Value::as_unknown) {
                        return Ok(u);
                    }
                    Ok(to_set(l.as_ref().clone()))
                }
                x @ Value::Null => Ok(x),
                x if x.as_unknown().is_some() => Ok(unknown_of(&x)),
                x => err(format!("cannot convert a {} to a set", x.type_name())),
            },
            "tomap" => match a(0) {
                x @ (Value::Map(_) | Value::Null) => Ok(x),
                x if x.as_unknown().is_some() => Ok(unknown_of(&x)),
                x => err(format!("cannot convert a {} to a map", x.type_name())),
            },
            "sensitive" | "nonsensitive" => Ok(a(0)),
            "type" => Ok(Value::unknown("`type()` is only for the console")),
            // ----- network
            "cidrsubnet" => {
                argc(3)?;
                let (p, nb, num) = (known_str!(0), known_num!(1), known_num!(2));
                cidrsubnet(&p, nb, num).map(Value::String)
            }
            "cidrsubnets" => {
                argc(1)?;
                let p = known_str!(0);
                let mut nbs = Vec::new();
                for i in 1..args.len() {
                    nbs.push(known_num!(i));
                }
                cidrsubnets(&p, &nbs)
                    .map(|v| Value::list(v.into_iter().map(Value::String).collect()))
            }
            "cidrhost" => {
                argc(2)?;
                let (p, n) = (known_str!(0), known_num!(1));
                cidrhost(&p, n).map(Value::String)
            }
            "cidrnetmask" => {
                let p = known_str!(0);
                let (ip, len) = parse_cidr(&p)?;
                if !matches!(ip, IpAddr::V4(_)) {
                    return err("`cidrnetmask` works on IPv4 prefixes only");
                }
                let mask: u32 = if len == 0 { 0 } else { u32::MAX << (32 - len) };
                Ok(Value::String(Ipv4Addr::from(mask).to_string()))
            }
            // ----- files
            "file" => {
                let p = known_str!(0);
                Ok(match self.read_module_file(&p) {
                    Ok(t) => Value::String(t.to_string()),
                    Err(reason) => Value::unknown(reason),
                })
            }
            "fileexists" => {
                let p = known_str!(0);
                Ok(match self.resolve_path(&p) {
                    Ok(path) => Value::Bool(path.is_file()),
                    Err(reason) => Value::unknown(reason),
                })
            }
            "templatefile" => {
                argc(2)?;
                let p = known_str!(0);
                let vars = a(1);
                let Value::Map(vars) = vars else {
                    return err("`templatefile` variables must be a map");
                };
                let text = match self.read_module_file(&p) {
                    Ok(t) => t,
                    Err(reason) => return Ok(Value::unknown(reason)),
                };
                let tmpl = match crate::ast::parse_template_str(&text, Some(span)) {
                    Ok(t) => t,
                    Err(_) => return err("the template file is not a valid template"),
                };
                self.eval_isolated(ctx, &tmpl, vars)
            }
            "dirname" => {
                let p = known_str!(0);
                Ok(Value::str(match p.rfind('/') {
                    Some(0) => "/",
                    Some(i) => &p[..i],
                    None => ".",
                }))
            }
            "basename" => {
                let p = known_str!(0);
                Ok(Value::str(p.rsplit('/').next().unwrap_or("")))
            }
            _ => {
                let msg = if name.contains("::") {
                    format!("provider function `{name}` is not evaluated; its result is unknown")
                } else {
                    format!("function `{name}` is not supported by the static evaluator; its result is unknown")
                };
                self.note(ctx.file, span, msg);
                Ok(Value::unknown(format!(
                    "function `{name}` is not supported"
                )))
            }
        }
    }

    fn eval_isolated(&mut self, ctx: Ctx, e: &Expr, vars: Rc<Map>) -> EvalResult {
        let sc = Scope {
            name: crate::eval::BAG,
            value: Value::Map(vars),
            parent: None,
        };
        let c = Ctx {
            scope: Some(&sc),
            isolated: true,
            ..ctx
        };
        self.eval(c, e)
    }

    fn regex(&mut self, pat: &str) -> Result<Rc<regex_lite::Regex>, String> {
        if let Some(r) = self.regexes.get(pat) {
            return r
                .clone()
                .ok_or_else(|| "invalid regular expression".to_string());
        }
        let r = regex_lite::Regex::new(pat).ok().map(Rc::new);
        self.regexes.insert(pat.to_string(), r.clone());
        r.ok_or_else(|| "invalid regular expression".to_string())
    }

    /// A path as `file()` sees it: relative paths start at the root module's
    /// directory, like Terraform's working directory. Paths outside the
    /// scanned tree are refused.
    fn resolve_path(&mut self, p: &str) -> Result<std::path::PathBuf, String> {
        let path = std::path::Path::new(p);
        let full = if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.root_dir.join(path)
        };
        let canon = match full.canonicalize() {
            Ok(c) => c,
            Err(_) => return Ok(full),
        };
        if !canon.starts_with(&self.boundary) {
            return Err(format!(
                "file {} is outside the scanned tree; not read",
                quote(p)
            ));
        }
        Ok(canon)
    }

    fn read_module_file(&mut self, p: &str) -> Result<Rc<str>, String> {
        let path = self.resolve_path(p)?;
        if let Some(c) = self.file_cache.get(&path) {
            return c.clone();
        }
        let r = (|| {
            let meta = std::fs::metadata(&path)
                .map_err(|_| format!("file {} does not exist", quote(p)))?;
            if !meta.is_file() {
                return Err(format!("{} is not a file", quote(p)));
            }
            if meta.len() > self.opts.max_file_bytes {
                return Err(format!(
                    "file {} is larger than the size limit; not read",
                    quote(p)
                ));
            }
            let bytes =
                std::fs::read(&path).map_err(|_| format!("file {} could not be read", quote(p)))?;
            String::from_utf8(bytes)
                .map(Rc::from)
                .map_err(|_| format!("file {} is not UTF-8 text", quote(p)))
        })();
        self.file_cache.insert(path, r.clone());
        r
    }
}

fn length(args: &[Value]) -> EvalResult {
    match args.first() {
        Some(Value::String(s)) => Ok(Value::Number(s.chars().count() as f64)),
        Some(Value::List(l)) => Ok(Value::Number(l.len() as f64)),
        Some(Value::Map(m)) => Ok(Value::Number(m.len() as f64)),
        Some(x) if x.as_unknown().is_some() => Ok(unknown_of(x)),
        Some(x) => err(format!("`length` of a {}", x.type_name())),
        None => err("`length` takes one argument"),
    }
}

fn concat(args: &[Value]) -> EvalResult {
    let mut out = Vec::new();
    for a in args {
        match a {
            Value::List(l) => out.extend(l.iter().cloned()),
            x if x.as_unknown().is_some() => return Ok(unknown_of(x)),
            x => return err(format!("`concat` takes lists, not a {}", x.type_name())),
        }
    }
    Ok(Value::list(out))
}

fn merge(args: &[Value]) -> EvalResult {
    let mut out = Map::new();
    for a in args {
        match a {
            Value::Null => {}
            Value::Map(m) => out.extend(m.iter().map(|(k, v)| (k.clone(), v.clone()))),
            x if x.as_unknown().is_some() => return Ok(unknown_of(x)),
            x => return err(format!("`merge` takes maps, not a {}", x.type_name())),
        }
    }
    Ok(Value::map(out))
}

/// Flattens nested lists; `Some(unknown)` when an element is unknown (it
/// might be a list). References to resource attributes count as scalars.
fn flatten(v: &Value, out: &mut Vec<Value>, depth: u32) -> Result<Option<Value>, String> {
    if depth > 64 {
        return err("`flatten`: lists nested too deeply");
    }
    let Value::List(l) = v else {
        return err("`flatten` takes a list");
    };
    for it in l.iter() {
        match it {
            Value::List(_) => {
                if let Some(u) = flatten(it, out, depth + 1)? {
                    return Ok(Some(u));
                }
            }
            Value::Unknown(_) => return Ok(Some(it.clone())),
            x => out.push(x.clone()),
        }
    }
    Ok(None)
}

fn dedup(items: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    let mut seen_str = std::collections::HashSet::new();
    for it in items {
        let dup = match it {
            Value::String(s) => !seen_str.insert(s.clone()),
            _ => out.iter().any(|o| equal(o, it) == Some(true)),
        };
        if !dup {
            out.push(it.clone());
        }
    }
    out
}

/// A set: deduplicated; strings sorted lexically, numbers numerically.
pub fn to_set(items: Vec<Value>) -> Value {
    let mut out = dedup(&items);
    if out.iter().all(|v| matches!(v, Value::String(_))) {
        out.sort_by(|a, b| match (a, b) {
            (Value::String(x), Value::String(y)) => x.cmp(y),
            _ => std::cmp::Ordering::Equal,
        });
    } else if out.iter().all(|v| matches!(v, Value::Number(_))) {
        out.sort_by(|a, b| match (a, b) {
            (Value::Number(x), Value::Number(y)) => x.total_cmp(y),
            _ => std::cmp::Ordering::Equal,
        });
    }
    Value::list(out)
}

fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = !c.is_alphanumeric();
    }
    out
}

/// Terraform's `format` verbs: `%s %d %f %v %q %t %x %X %o %b %e %%`, with
/// flags, width and precision.
fn format(f: &str, args: &[Value]) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = f.chars().peekable();
    let mut next = 0usize;
    while let Some(c) = chars.next() {
        if out.len() > MAX_STRING_BYTES {
            return err("`format` would produce a string longer than palisade allows");
        }
        if c != '%' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'%') {
            chars.next();
            out.push('%');
            continue;
        }
        let mut flags = String::new();
        while let Some(&fc) = chars.peek() {
            if "-+ #0".contains(fc) {
                flags.push(fc);
                chars.next();
            } else {
                break;
            }
        }
        let mut width = String::new();
        while let Some(&d) = chars.peek() {
            if d.is_ascii_digit() {
                width.push(d);
                chars.next();
            } else {
                break;
            }
        }
        let mut prec: Option<usize> = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut p = String::new();
            while let Some(&d) = chars.peek() {
                if d.is_ascii_digit() {
                    p.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            prec = Some(p.parse().unwrap_or(0));
        }
        let Some(verb) = chars.next() else {
            return err("`format`: incomplete verb at the end of the format string");
        };
        let Some(arg) = args.get(next) else {
            return err("`format`: not enough arguments for the format string");
        };
        next += 1;
        let text = match verb {
            's' => arg.to_str()?.unwrap_or_default(),
            'v' => match arg {
                Value::List(_) | Value::Map(_) => {
                    to_json(arg).map(|j| j.to_string()).unwrap_or_default()
                }
                x => x.to_str()?.unwrap_or_default(),
            },
            'q' => quote(&arg.to_str()?.unwrap_or_default()),
            't' => arg.to_bool()?.unwrap_or_default().to_string(),
            'd' => {
                let n = arg.to_num()?.unwrap_or_default();
                if n.fract() != 0.0 {
                    return err("`format`: %d needs a whole number");
                }
                let s = fmt_num(n);
                if flags.contains('+') && n >= 0.0 {
                    format!("+{s}")
                } else {
                    s
                }
            }
            'f' => {
                let n = arg.to_num()?.unwrap_or_default();
                format!("{:.*}", prec.unwrap_or(6), n)
            }
            'e' => {
                let n = arg.to_num()?.unwrap_or_default();
                format!("{:.*e}", prec.unwrap_or(6), n)
            }
            'g' => fmt_num(arg.to_num()?.unwrap_or_default()),
            'x' | 'X' | 'o' | 'b' => {
                let n = arg.to_num()?.unwrap_or_default() as i64;
                match verb {
                    'x' => format!("{n:x}"),
                    'X' => format!("{n:X}"),
                    'o' => format!("{n:o}"),
                    _ => format!("{n:b}"),
                }
            }
            _ => return err("`format`: unsupported verb"),
        };
        let text = match (verb, prec) {
            ('s' | 'v' | 'q', Some(p)) => text.chars().take(p).collect(),
            _ => text,
        };
        let w: usize = width.parse().unwrap_or(0).min(1024);
        let len = text.chars().count();
        if len < w {
            let pad = w - len;
            if flags.contains('-') {
                out.push_str(&text);
                out.push_str(&" ".repeat(pad));
            } else if flags.contains('0') && matches!(verb, 'd' | 'f' | 'e' | 'x' | 'X' | 'o' | 'b')
            {
                let (sign, digits) = match text.strip_prefix('-') {
                    Some(d) => ("-", d),
                    None => ("", text.as_str()),
                };
                out.push_str(sign);
                out.push_str(&"0".repeat(pad));
                out.push_str(digits);
            } else {
                out.push_str(&" ".repeat(pad));
                out.push_str(&text);
            }
        } else {
            out.push_str(&text);
        }
    }
    Ok(out)
}

fn yaml(v: &Value, indent: usize, out: &mut String, inline: bool) {
    let pad = " ".repeat(indent);
    match v {
        Value::Map(m) if !m.is_empty() => {
            for (i, (k, x)) in m.iter().enumerate() {
                if !(inline && i == 0) {
                    out.push_str(&pad);
                }
                out.push_str(&yaml_scalar(k));
                out.push(':');
                match x {
                    Value::Map(mm) if !mm.is_empty() => {
                        out.push('\n');
                        yaml(x, indent + 2, out, false);
                    }
                    Value::List(l) if !l.is_empty() => {
                        out.push('\n');
                        yaml(x, indent, out, false);
                    }
                    _ => {
                        out.push(' ');
                        yaml(x, indent, out, true);
                    }
                }
            }
        }
        Value::List(l) if !l.is_empty() => {
            for x in l.iter() {
                out.push_str(&pad);
                out.push_str("- ");
                match x {
                    Value::Map(mm) if !mm.is_empty() => yaml(x, indent + 2, out, true),
                    Value::List(ll) if !ll.is_empty() => {
                        out.push('\n');
                        yaml(x, indent + 2, out, false);
                    }
                    _ => yaml(x, indent, out, true),
                }
            }
        }
        Value::Map(_) => out.push_str("{}\n"),
        Value::List(_) => out.push_str("[]\n"),
        Value::Null => out.push_str("null\n"),
        Value::Bool(b) => {
            out.push_str(if *b { "true" } else { "false" });
            out.push('\n');
        }
        Value::Number(n) => {
            out.push_str(&fmt_num(*n));
            out.push('\n');
        }
        Value::String(s) => {
            out.push_str(&yaml_scalar(s));
            out.push('\n');
        }
        _ => out.push_str("null\n"),
    }
}

fn yaml_scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
        && !matches!(
            s,
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "~"
        )
        && s.parse::<f64>().is_err();
    if plain {
        s.to_string()
    } else {
        quote(s)
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn b64encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn b64decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let mut buf = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        if c == b'=' {
            break;
        }
        if c.is_ascii_whitespace() {
            continue;
        }
        let v = B64.iter().position(|&x| x == c)? as u32;
        buf = (buf << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((buf >> bits) & 0xFF) as u8);
        }
    }
    Some(out)
}

// ----- CIDR -----------------------------------------------------------

fn parse_cidr(p: &str) -> Result<(IpAddr, u32), String> {
    let (ip, len) = p.split_once('/').ok_or("invalid CIDR prefix")?;
    let ip: IpAddr = ip
        .parse()
        .map_err(|_| "invalid IP address in CIDR prefix".to_string())?;
    let len: u32 = len
        .parse()
        .map_err(|_| "invalid CIDR prefix length".to_string())?;
    let bits = if ip.is_ipv4() { 32 } else { 128 };
    if len > bits {
        return err("CIDR prefix length too large");
    }
    Ok((ip, len))
}

fn ip_bits(ip: IpAddr) -> (u128, u32) {
    match ip {
        IpAddr::V4(a) => (u128::from(u32::from(a)), 32),
        IpAddr::V6(a) => (u128::from(a), 128),
    }
}

fn mk_ip(n: u128, bits: u32) -> IpAddr {
    if bits == 32 {
        IpAddr::V4(Ipv4Addr::from((n & 0xFFFF_FFFF) as u32))
    } else {
        IpAddr::V6(Ipv6Addr::from(n))
    }
}

fn mask(len: u32, bits: u32) -> u128 {
    let all: u128 = if bits == 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    };
    if len == 0 {
        0
    } else {
        all & !((1u128 << (bits - len)) - 1) & all
    }
}

fn cidrsubnet(p: &str, newbits: f64, num: f64) -> Result<String, String> {
    let (ip, len) = parse_cidr(p)?;
    let (n, bits) = ip_bits(ip);
    if newbits < 0.0 || num < 0.0 || newbits.fract() != 0.0 || num.fract() != 0.0 {
        return err("`cidrsubnet` arguments must be whole, non-negative numbers");
    }
    let nb = newbits as u32;
    let new_len = len + nb;
    if new_len > bits {
        return err("`cidrsubnet`: not enough address bits for the new prefix");
    }
    if nb < 128 && (num as u128) >= (1u128 << nb) {
        return err("`cidrsubnet`: the network number does not fit in the new bits");
    }
    let base = n & mask(len, bits);
    let shift = bits - new_len;
    let sub = if shift >= 128 {
        0
    } else {
        (num as u128) << shift
    };
    Ok(format!("{}/{}", mk_ip(base | sub, bits), new_len))
}

fn cidrsubnets(p: &str, newbits: &[f64]) -> Result<Vec<String>, String> {
    let (ip, len) = parse_cidr(p)?;
    let (n, bits) = ip_bits(ip);
    let base = n & mask(len, bits);
    let mut cur: u128 = base;
    let end: u128 = if bits - len >= 128 {
        u128::MAX
    } else {
        base + ((1u128 << (bits - len)) - 1)
    };
    let mut out = Vec::new();
    for &nb in newbits {
        if nb < 1.0 || nb.fract() != 0.0 {
            return err("`cidrsubnets` new bits must be whole, positive numbers");
        }
        let new_len = len + nb as u32;
        if new_len > bits {
            return err("`cidrsubnets`: not enough address bits");
        }
        let size: u128 = 1u128 << (bits - new_len).min(127);
        // Align up to the subnet size.
        let aligned = cur
            .checked_add(size - 1)
            .ok_or("`cidrsubnets`: address space exhausted")?
            & !(size - 1);
        if aligned > end || aligned.saturating_add(size - 1) > end {
            return err("`cidrsubnets`: not enough address space for all subnets");
        }
        out.push(format!("{}/{}", mk_ip(aligned, bits), new_len));
        cur = aligned.saturating_add(size);
    }
    Ok(out)
}

fn cidrhost(p: &str, num: f64) -> Result<String, String> {
    let (ip, len) = parse_cidr(p)?;
    let (n, bits) = ip_bits(ip);
    if num.fract() != 0.0 {
        return err("`cidrhost` host number must be whole");
    }
    let host_bits = bits - len;
    let size: u128 = if host_bits >= 128 {
        u128::MAX
    } else {
        1u128 << host_bits
    };
    let base = n & mask(len, bits);
    let off: u128 = if num < 0.0 {
        let back = (-num) as u128;
        if back > size {
            return err("`cidrhost`: host number out of range");
        }
        size - back
    } else {
        let f = num as u128;
        if f >= size {
            return err("`cidrhost`: host number out of range");
        }
        f
    };
    Ok(mk_ip(base + off, bits).to_string())
}

// ----- type constraints ----------------------------------------------

/// Converts a variable value to its declared type where Terraform would
/// (primitive conversions, sets); unknowns stay unknown.
pub fn convert_type(v: &Value, ty: &Expr) -> Value {
    match (&ty.kind, v) {
        (_, x) if x.as_unknown().is_some() => x.clone(),
        (_, Value::Null) => Value::Null,
        (ExprKind::Var(t), x) => match t.as_str() {
            "string" => match x {
                Value::Number(_) | Value::Bool(_) => {
                    x.to_str().ok().flatten().map_or(x.clone(), Value::String)
                }
                _ => x.clone(),
            },
            "number" => match x {
                Value::String(s) => s.trim().parse::<f64>().map_or(x.clone(), Value::Number),
                _ => x.clone(),
            },
            "bool" => match x {
                Value::String(s) if s == "true" => Value::Bool(true),
                Value::String(s) if s == "false" => Value::Bool(false),
                _ => x.clone(),
            },
            _ => x.clone(),
        },
        (ExprKind::Call { name, args, .. }, x) => {
            let inner = args.first();
            match (name.as_str(), x) {
                ("list" | "set", Value::List(l)) => {
                    let items: Vec<Value> = match inner {
                        Some(t) => l.iter().map(|i| convert_type(i, t)).collect(),
                        None => l.as_ref().clone(),
                    };
                    if name == "set" && items.iter().all(|i| i.as_unknown().is_none()) {
                        to_set(items)
                    } else {
                        Value::list(items)
                    }
                }
                ("object", Value::Map(m)) => match inner.map(|t| &t.kind) {
                    Some(ExprKind::Object(fields)) => {
                        let mut out = m.as_ref().clone();
                        for (k, t) in fields {
                            let key = match k {
                                crate::ast::ObjKey::Ident(s) => s.clone(),
                                crate::ast::ObjKey::Expr(Expr {
                                    kind: ExprKind::String(s),
                                    ..
                                }) => s.clone(),
                                _ => continue,
                            };
                            let (ty, default) = match &t.kind {
                                ExprKind::Call { name, args, .. } if name == "optional" => {
                                    (args.first(), Some(args.get(1)))
                                }
                                _ => (Some(t), None),
                            };
                            match out.get(&key).cloned() {
                                Some(v) if !(v == Value::Null && default.flatten().is_some()) => {
                                    if let Some(ty) = ty {
                                        out.insert(key, convert_type(&v, ty));
                                    }
                                }
                                _ => {
                                    if let Some(d) = default {
                                        let v = d.and_then(literal_value).unwrap_or(Value::Null);
                                        let v = match ty {
                                            Some(ty) => convert_type(&v, ty),
                                            None => v,
                                        };
                                        out.insert(key, v);
                                    }
                                }
                            }
                        }
                        Value::map(out)
                    }
                    _ => x.clone(),
                },
                ("map", Value::Map(m)) => match inner {
                    Some(t) => Value::map(
                        m.iter()
                            .map(|(k, i)| (k.clone(), convert_type(i, t)))
                            .collect(),
                    ),
                    None => x.clone(),
                },
                _ => x.clone(),
            }
        }
        _ => v.clone(),
    }
}

/// The value of a literal expression (`optional()` defaults).
fn literal_value(e: &Expr) -> Option<Value> {
    Some(match &e.kind {
        ExprKind::Null => Value::Null,
        ExprKind::Bool(b) => Value::Bool(*b),
        ExprKind::Number(n) => Value::Number(*n),
        ExprKind::String(s) => Value::String(s.clone()),
        ExprKind::Array(items) => Value::list(
            items
                .iter()
                .map(literal_value)
                .collect::<Option<Vec<_>>>()?,
        ),
        ExprKind::Object(items) => {
            let mut m = Map::new();
            for (k, v) in items {
                let key = match k {
                    crate::ast::ObjKey::Ident(s) => s.clone(),
                    crate::ast::ObjKey::Expr(Expr {
                        kind: ExprKind::String(s),
                        ..
                    }) => s.clone(),
                    _ => return None,
                };
                m.insert(key, literal_value(v)?);
            }
            Value::map(m)
        }
        _ => return None,
    })
}

/// True when a `--var` value for a variable of this type is an HCL
/// expression rather than a raw string (Terraform's rule: complex types).
pub fn is_complex_type(ty: Option<&Expr>) -> bool {
    match ty.map(|t| &t.kind) {
        Some(ExprKind::Call { .. }) => true,
        Some(ExprKind::Var(n)) => matches!(n.as_str(), "list" | "map" | "set" | "object" | "tuple"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_functions() {
        assert_eq!(
            cidrsubnet("10.0.0.0/16", 8.0, 2.0).ok().as_deref(),
            Some("10.0.2.0/24")
        );
        assert_eq!(
            cidrsubnet("10.1.2.3/16", 4.0, 15.0).ok().as_deref(),
            Some("10.1.240.0/20")
        );
        assert!(cidrsubnet("10.0.0.0/16", 8.0, 256.0).is_err());
        assert_eq!(
            cidrhost("10.0.1.0/24", 5.0).ok().as_deref(),
            Some("10.0.1.5")
        );
        assert_eq!(
            cidrhost("10.0.1.0/24", -1.0).ok().as_deref(),
            Some("10.0.1.255")
        );
        assert_eq!(
            cidrsubnet("fd00::/56", 8.0, 1.0).ok().as_deref(),
            Some("fd00:0:0:1::/64")
        );
        assert_eq!(
            cidrsubnets("10.1.0.0/16", &[4.0, 4.0, 8.0, 4.0]).ok(),
            Some(vec![
                "10.1.0.0/20".to_string(),
                "10.1.16.0/20".into(),
                "10.1.32.0/24".into(),
                "10.1.48.0/20".into()
            ])
        );
    }

    #[test]
    fn base64_roundtrip() {
        for s in ["", "a", "ab", "abc", "hello world!"] {
            assert_eq!(
                b64decode(&b64encode(s.as_bytes())).as_deref(),
                Some(s.as_bytes())
            );
        }
        assert_eq!(b64encode(b"Hello"), "SGVsbG8=");
    }

    #[test]
    fn format_verbs() {
        let r = format(
            "%s-%03d %5s|%-4s|%.2f %q %v %t %%",
            &[
                Value::str("a"),
                Value::Number(7.0),
                Value::str("x"),
                Value::str("y"),
                Value::Number(1.005),
                Value::str("q"),
                Value::Number(3.0),
                Value::Bool(true),
            ],
        );
        assert_eq!(
            r.ok().as_deref(),
            Some("a-007     x|y   |1.00 \"q\" 3 true %")
        );
    }
}
