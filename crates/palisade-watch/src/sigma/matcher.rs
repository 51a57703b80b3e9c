//! Compiled Sigma search identifiers: field paths, modifiers and value patterns,
//! evaluated directly on a record's JSON.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::net::IpAddr;

use ipnet::IpNet;
use regex::{Regex, RegexBuilder};
use serde_json::Value;

use super::yaml::Y;

/// How a string pattern compares (after Sigma wildcards are resolved).
#[derive(Debug, Clone)]
pub(crate) enum StrMatch {
    Exact(String),
    Prefix(String),
    Suffix(String),
    Contains(String),
    /// `*` alone: any value.
    Any,
    Glob(Regex),
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum CmpOp {
    Gt,
    Gte,
    Lt,
    Lte,
}

/// One value of a field condition.
#[derive(Debug, Clone)]
pub(crate) enum Pattern {
    /// `null`: the field is absent or null.
    Null,
    Str {
        m: StrMatch,
        cased: bool,
    },
    Num {
        n: f64,
        text: String,
    },
    Bool(bool),
    Re(Regex),
    Cidr(IpNet),
    Cmp(CmpOp, f64),
}

/// What a field condition tests.
#[derive(Debug, Clone)]
pub(crate) enum FieldOp {
    /// Any pattern matches (or all of them with `|all`).
    Values { patterns: Vec<Pattern>, all: bool },
    /// `|exists: true/false`.
    Exists(bool),
    /// `|fieldref`: equal to another field's value.
    FieldRef(Vec<String>),
}

#[derive(Debug, Clone)]
pub(crate) struct FieldMatcher {
    pub path: String,
    pub op: FieldOp,
}

/// A search identifier's body.
#[derive(Debug, Clone)]
pub(crate) enum Search {
    /// A map: every field condition holds.
    All(Vec<FieldMatcher>),
    /// A list of maps: any of them holds.
    Any(Vec<Search>),
    /// A list of plain values: any string in the record matches one of them.
    Keywords(Vec<Pattern>),
}

// ---------------------------------------------------------------- compile

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Lit(String),
    Star,
    One,
}

/// Splits a Sigma string on its wildcards. A backslash escapes `*`, `?` and `\`;
/// before any other character it is a literal backslash.
fn wildcard_parts(s: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut lit = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some(&n @ ('*' | '?' | '\\')) => {
                    lit.push(n);
                    chars.next();
                }
                _ => lit.push('\\'),
            },
            '*' | '?' => {
                if !lit.is_empty() {
                    parts.push(Part::Lit(std::mem::take(&mut lit)));
                }
                // Collapse runs of `*`.
                if !(c == '*' && parts.last() == Some(&Part::Star)) {
                    parts.push(if c == '*' { Part::Star } else { Part::One });
                }
            }
            _ => lit.push(c),
        }
    }
    if !lit.is_empty() {
        parts.push(Part::Lit(lit));
    }
    parts
}

fn string_match(mut parts: Vec<Part>, cased: bool) -> Result<StrMatch, String> {
    let norm = |s: &str| {
        if cased {
            s.to_owned()
        } else {
            s.to_lowercase()
        }
    };
    Ok(match parts.as_slice() {
        [] => StrMatch::Exact(String::new()),
        [Part::Lit(s)] => StrMatch::Exact(norm(s)),
        [Part::Star] => StrMatch::Any,
        [Part::Lit(s), Part::Star] => StrMatch::Prefix(norm(s)),
        [Part::Star, Part::Lit(s)] => StrMatch::Suffix(norm(s)),
        [Part::Star, Part::Lit(s), Part::Star] => StrMatch::Contains(norm(s)),
        _ => {
            let mut re = String::from("^");
            for p in parts.drain(..) {
                match p {
                    Part::Lit(s) => re.push_str(&regex::escape(&s)),
                    Part::Star => re.push_str(".*"),
                    Part::One => re.push('.'),
                }
            }
            re.push('$');
            let re = RegexBuilder::new(&re)
                .case_insensitive(!cased)
                .dot_matches_new_line(true)
                .build()
                .map_err(|e| format!("cannot compile wildcard pattern: {e}"))?;
            StrMatch::Glob(re)
        }
    })
}

/// The dash variants `windash` expands to.
const DASHES: [char; 5] = ['-', '/', '\u{2013}', '\u{2014}', '\u{2015}'];

fn windash_variants(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let positions: Vec<usize> = (0..chars.len())
        .filter(|&i| matches!(chars[i], '-' | '/') && (i == 0 || chars[i - 1].is_whitespace()))
        .collect();
    if positions.is_empty() {
        return vec![s.to_owned()];
    }
    DASHES
        .iter()
        .map(|&d| {
            let mut c = chars.clone();
            for &p in &positions {
                c[p] = d;
            }
            c.into_iter().collect()
        })
        .collect()
}

#[derive(Default)]
struct Mods {
    contains: bool,
    startswith: bool,
    endswith: bool,
    all: bool,
    re: bool,
    re_i: bool,
    re_m: bool,
    re_s: bool,
    cidr: bool,
    exists: bool,
    windash: bool,
    cased: bool,
    fieldref: bool,
    cmp: Option<CmpOp>,
}

fn parse_mods(key: &str) -> Result<(String, Mods), String> {
    let mut it = key.split('|');
    let field = it.next().unwrap_or_default().to_owned();
    let mut m = Mods::default();
    for raw in it {
        match raw {
            "contains" => m.contains = true,
            "startswith" => m.startswith = true,
            "endswith" => m.endswith = true,
            "all" => m.all = true,
            "re" => m.re = true,
            "i" => m.re_i = true,
            "m" => m.re_m = true,
            "s" => m.re_s = true,
            "cidr" => m.cidr = true,
            "exists" => m.exists = true,
            "windash" => m.windash = true,
            "cased" => m.cased = true,
            "fieldref" => m.fieldref = true,
            "gt" => m.cmp = Some(CmpOp::Gt),
            "gte" => m.cmp = Some(CmpOp::Gte),
            "lt" => m.cmp = Some(CmpOp::Lt),
            "lte" => m.cmp = Some(CmpOp::Lte),
            "base64" | "base64offset" | "utf16" | "utf16le" | "utf16be" | "wide" | "expand" => {
                return Err(format!("unsupported modifier '{raw}' on field '{field}'"))
            }
            other => return Err(format!("unknown modifier '{other}' on field '{field}'")),
        }
    }
    let string_mods = [m.contains, m.startswith, m.endswith]
        .iter()
        .filter(|&&b| b)
        .count();
    if string_mods > 1 {
        return Err(format!("conflicting modifiers on field '{field}'"));
    }
    if (m.re_i || m.re_m || m.re_s) && !m.re {
        return Err(format!("regex flags without 're' on field '{field}'"));
    }
    let kinds = [
        m.re,
        m.cidr,
        m.exists,
        m.fieldref,
        m.cmp.is_some(),
        string_mods > 0 || m.windash || m.cased,
    ]
    .iter()
    .filter(|&&b| b)
    .count();
    if kinds > 1 {
        return Err(format!(
            "modifier combination on field '{field}' is not supported"
        ));
    }
    Ok((field, m))
}

fn value_list(v: &Y) -> Result<Vec<&Y>, String> {
    match v {
        Y::Seq(items) => {
            if items.iter().any(|i| matches!(i, Y::Seq(_) | Y::Map(_))) {
                return Err("nested lists or maps as field values are not supported".to_owned());
            }
            Ok(items.iter().collect())
        }
        Y::Map(_) => Err("a map as a field value is not supported".to_owned()),
        other => Ok(vec![other]),
    }
}

fn compile_pattern(v: &Y, m: &Mods, field: &str) -> Result<Vec<Pattern>, String> {
    if m.re {
        let s = v
            .scalar_text()
            .ok_or_else(|| format!("'re' needs a string on field '{field}'"))?;
        let re = RegexBuilder::new(&s)
            .case_insensitive(m.re_i)
            .multi_line(m.re_m)
            .dot_matches_new_line(m.re_s)
            .build()
            .map_err(|e| format!("invalid regex on field '{field}': {e}"))?;
        return Ok(vec![Pattern::Re(re)]);
    }
    if m.cidr {
        let s = v
            .scalar_text()
            .ok_or_else(|| format!("'cidr' needs a string on field '{field}'"))?;
        let net = s
            .trim()
            .parse::<IpNet>()
            .or_else(|_| s.trim().parse::<IpAddr>().map(IpNet::from))
            .map_err(|_| format!("invalid CIDR '{s}' on field '{field}'"))?;
        return Ok(vec![Pattern::Cidr(net)]);
    }
    if let Some(op) = m.cmp {
        let n = match v {
            Y::Int(i) => *i as f64,
            Y::Float(f) => *f,
            Y::Str(s) => s
                .trim()
                .parse()
                .map_err(|_| format!("comparison needs a number on field '{field}'"))?,
            _ => return Err(format!("comparison needs a number on field '{field}'")),
        };
        return Ok(vec![Pattern::Cmp(op, n)]);
    }
    let has_string_mods = m.contains || m.startswith || m.endswith || m.windash || m.cased;
    match v {
        Y::Null => {
            if has_string_mods {
                return Err(format!("null with a string modifier on field '{field}'"));
            }
            Ok(vec![Pattern::Null])
        }
        Y::Bool(b) if !has_string_mods => Ok(vec![Pattern::Bool(*b)]),
        Y::Int(i) if !has_string_mods => Ok(vec![Pattern::Num {
            n: *i as f64,
            text: i.to_string(),
        }]),
        Y::Float(f) if !has_string_mods => Ok(vec![Pattern::Num {
            n: *f,
            text: f.to_string(),
        }]),
        other => {
            let s = other
                .scalar_text()
                .ok_or_else(|| format!("unsupported value on field '{field}'"))?;
            let variants = if m.windash {
                windash_variants(&s)
            } else {
                vec![s]
            };
            variants
                .into_iter()
                .map(|s| {
                    let mut parts = wildcard_parts(&s);
                    if m.contains || m.endswith {
                        parts.insert(0, Part::Star);
                    }
                    if m.contains || m.startswith {
                        parts.push(Part::Star);
                    }
                    parts.dedup_by(|a, b| *a == Part::Star && *b == Part::Star);
                    Ok(Pattern::Str {
                        m: string_match(parts, m.cased)?,
                        cased: m.cased,
                    })
                })
                .collect()
        }
    }
}

fn compile_field(key: &str, value: &Y) -> Result<FieldMatcher, String> {
    let (field, m) = parse_mods(key)?;
    if m.exists {
        let Y::Bool(b) = value else {
            return Err(format!("'exists' needs true or false on field '{field}'"));
        };
        return Ok(FieldMatcher {
            path: field,
            op: FieldOp::Exists(*b),
        });
    }
    if m.fieldref {
        let others = value_list(value)?
            .into_iter()
            .map(|v| {
                v.scalar_text()
                    .ok_or_else(|| format!("'fieldref' needs field names on field '{field}'"))
            })
            .collect::<Result<_, _>>()?;
        return Ok(FieldMatcher {
            path: field,
            op: FieldOp::FieldRef(others),
        });
    }
    let mut patterns = Vec::new();
    for v in value_list(value)? {
        patterns.extend(compile_pattern(v, &m, &field)?);
    }
    // With `windash`, one value expands to several alternatives; `all` still needs every value.
    if m.all && m.windash {
        return Err(format!(
            "'all' with 'windash' on field '{field}' is not supported"
        ));
    }
    Ok(FieldMatcher {
        path: field,
        op: FieldOp::Values {
            patterns,
            all: m.all,
        },
    })
}

fn compile_map(entries: &[(String, Y)]) -> Result<Search, String> {
    let mut fields = Vec::with_capacity(entries.len());
    for (k, v) in entries {
        if k.is_empty() || k.starts_with('|') {
            return Err("keyword searches with modifiers are not supported".to_owned());
        }
        fields.push(compile_field(k, v)?);
    }
    Ok(Search::All(fields))
}

/// Compiles a search identifier's YAML body.
pub(crate) fn compile_search(body: &Y) -> Result<Search, String> {
    match body {
        Y::Map(entries) => compile_map(entries),
        Y::Seq(items) if items.iter().all(|i| matches!(i, Y::Map(_))) => {
            let mut alts = Vec::with_capacity(items.len());
            for i in items {
                if let Y::Map(entries) = i {
                    alts.push(compile_map(entries)?);
                }
            }
            Ok(Search::Any(alts))
        }
        Y::Seq(items) => {
            let mut patterns = Vec::new();
            for i in items {
                if matches!(i, Y::Map(_) | Y::Seq(_)) {
                    return Err("a list mixing maps and plain values is not supported".to_owned());
                }
                patterns.extend(compile_pattern(i, &Mods::default(), "keywords")?);
            }
            Ok(Search::Keywords(patterns))
        }
        Y::Str(_) | Y::Int(_) | Y::Float(_) => Ok(Search::Keywords(compile_pattern(
            body,
            &Mods::default(),
            "keywords",
        )?)),
        _ => Err(
            "a search identifier must be a map, a list of maps or a list of keywords".to_owned(),
        ),
    }
}

// ---------------------------------------------------------------- evaluate

/// Collects the values at a dotted path. At each object the whole remaining path is
/// tried as a literal key first (for flattened records), then split at each dot;
/// arrays on the way are searched element by element.
pub(crate) fn resolve<'a>(v: &'a Value, path: &str, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(m) => {
            // The rest of the path as one (dotted) key, e.g. a Kubernetes annotation
            // `authorization.k8s.io/decision` under `annotations`.
            if let Some(x) = m.get(path) {
                out.push(x);
            }
            // Else one level down. (A dotted key in the middle of a path, `a.b` of
            // `a.b.c`, is not looked up: two lookups per level instead of one per dot.)
            if let Some(i) = path.bytes().position(|b| b == b'.') {
                if let Some(x) = m.get(&path[..i]) {
                    resolve(x, &path[i + 1..], out);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                resolve(item, path, out);
            }
        }
        _ => {}
    }
}

fn lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase() || b >= 0x80) {
        Cow::Owned(s.to_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// Case-insensitive search of a lowercase ASCII `needle` in ASCII `hay`, without allocating.
fn contains_ignore_ascii_case(hay: &[u8], needle: &[u8]) -> bool {
    let Some(&first) = needle.first() else {
        return true;
    };
    if hay.len() < needle.len() {
        return false;
    }
    let upper = first.to_ascii_uppercase();
    let last_start = hay.len() - needle.len();
    let mut i = 0;
    while i <= last_start {
        let Some(k) = memchr::memchr2(first, upper, &hay[i..=last_start]) else {
            return false;
        };
        let at = i + k;
        if hay[at..at + needle.len()].eq_ignore_ascii_case(needle) {
            return true;
        }
        i = at + 1;
    }
    false
}

fn str_matches(m: &StrMatch, cased: bool, s: &str) -> bool {
    if let StrMatch::Glob(re) = m {
        return re.is_match(s);
    }
    if let StrMatch::Any = m {
        return true;
    }
    // Patterns are stored lowercased: compare ASCII text without lowercasing a copy.
    if !cased && s.is_ascii() {
        let b = s.as_bytes();
        return match m {
            StrMatch::Exact(p) => b.eq_ignore_ascii_case(p.as_bytes()),
            StrMatch::Prefix(p) => {
                b.len() >= p.len() && b[..p.len()].eq_ignore_ascii_case(p.as_bytes())
            }
            StrMatch::Suffix(p) => {
                b.len() >= p.len() && b[b.len() - p.len()..].eq_ignore_ascii_case(p.as_bytes())
            }
            StrMatch::Contains(p) => contains_ignore_ascii_case(b, p.as_bytes()),
            StrMatch::Any | StrMatch::Glob(_) => true,
        };
    }
    let s = if cased { Cow::Borrowed(s) } else { lower(s) };
    match m {
        StrMatch::Exact(p) => *s == **p,
        StrMatch::Prefix(p) => s.starts_with(p.as_str()),
        StrMatch::Suffix(p) => s.ends_with(p.as_str()),
        StrMatch::Contains(p) => s.contains(p.as_str()),
        StrMatch::Any | StrMatch::Glob(_) => true,
    }
}

/// A scalar's text for string matching; containers give their JSON text.
fn text_of(v: &Value) -> Option<Cow<'_, str>> {
    match v {
        Value::String(s) => Some(Cow::Borrowed(s)),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        Value::Null => None,
        Value::Array(_) | Value::Object(_) => serde_json::to_string(v).ok().map(Cow::Owned),
    }
}

fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Whether a pattern matches one value (never `Null`, which is handled by the caller).
fn pattern_matches(p: &Pattern, v: &Value) -> bool {
    if let Value::Array(items) = v {
        if items.iter().any(|i| pattern_matches(p, i)) {
            return true;
        }
        return matches!(p, Pattern::Str { .. } | Pattern::Re(_)) && text_matches(p, v);
    }
    match p {
        Pattern::Null => v.is_null(),
        Pattern::Str { .. } | Pattern::Re(_) => text_matches(p, v),
        Pattern::Num { n, text } => match v {
            Value::Number(x) => x.as_f64() == Some(*n),
            Value::String(s) => s == text || s.trim().parse::<f64>().ok() == Some(*n),
            _ => false,
        },
        Pattern::Bool(b) => match v {
            Value::Bool(x) => x == b,
            Value::String(s) => s.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
            _ => false,
        },
        Pattern::Cidr(net) => v
            .as_str()
            .and_then(|s| s.trim().parse::<IpAddr>().ok())
            .is_some_and(|ip| net.contains(&ip)),
        Pattern::Cmp(op, n) => as_number(v).is_some_and(|x| match op {
            CmpOp::Gt => x > *n,
            CmpOp::Gte => x >= *n,
            CmpOp::Lt => x < *n,
            CmpOp::Lte => x <= *n,
        }),
    }
}

fn text_matches(p: &Pattern, v: &Value) -> bool {
    if let Pattern::Str {
        m: StrMatch::Any, ..
    } = p
    {
        return !v.is_null();
    }
    let Some(text) = text_of(v) else { return false };
    match p {
        Pattern::Str { m, cased } => str_matches(m, *cased, &text),
        Pattern::Re(re) => re.is_match(&text),
        _ => false,
    }
}

fn pattern_matches_any(p: &Pattern, values: &[&Value]) -> bool {
    if let Pattern::Null = p {
        return values.is_empty() || values.iter().any(|v| v.is_null());
    }
    values.iter().any(|v| pattern_matches(p, v))
}

fn value_eq(a: &Value, b: &Value) -> bool {
    match (text_of(a), text_of(b)) {
        (Some(x), Some(y)) => lower(&x) == lower(&y),
        _ => a.is_null() && b.is_null(),
    }
}

impl FieldMatcher {
    pub fn matches(&self, record: &Value) -> bool {
        let mut values = Vec::new();
        resolve(record, &self.path, &mut values);
        match &self.op {
            FieldOp::Exists(want) => values.iter().any(|v| !v.is_null()) == *want,
            FieldOp::Values { patterns, all } => {
                if patterns.is_empty() {
                    return false;
                }
                if *all {
                    patterns.iter().all(|p| pattern_matches_any(p, &values))
                } else {
                    patterns.iter().any(|p| pattern_matches_any(p, &values))
                }
            }
            FieldOp::FieldRef(others) => others.iter().all(|o| {
                let mut theirs = Vec::new();
                resolve(record, o, &mut theirs);
                values.iter().any(|a| theirs.iter().any(|b| value_eq(a, b)))
            }),
        }
    }
}

fn any_string_leaf(v: &Value, p: &Pattern) -> bool {
    match v {
        Value::String(_) => pattern_matches(p, v),
        Value::Array(items) => items.iter().any(|i| any_string_leaf(i, p)),
        Value::Object(m) => m.values().any(|i| any_string_leaf(i, p)),
        _ => false,
    }
}

impl Search {
    pub fn matches(&self, record: &Value) -> bool {
        match self {
            Search::All(fields) => fields.iter().all(|f| f.matches(record)),
            Search::Any(alts) => alts.iter().any(|a| a.matches(record)),
            Search::Keywords(patterns) => patterns.iter().any(|p| any_string_leaf(record, p)),
        }
    }

    /// The lowercased exact values this search requires for `field`, if it pins them.
    pub fn pinned(&self, field: &str) -> Option<BTreeSet<String>> {
        match self {
            Search::All(fields) => fields.iter().find_map(|f| {
                if f.path != field {
                    return None;
                }
                let FieldOp::Values {
                    patterns,
                    all: false,
                } = &f.op
                else {
                    return None;
                };
                let mut set = BTreeSet::new();
                for p in patterns {
                    match p {
                        Pattern::Str {
                            m: StrMatch::Exact(s),
                            ..
                        } => set.insert(s.to_lowercase()),
                        _ => return None,
                    };
                }
                Some(set)
            }),
            Search::Any(alts) => {
                let mut set = BTreeSet::new();
                for a in alts {
                    set.extend(a.pinned(field)?);
                }
                Some(set)
            }
            Search::Keywords(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_and_escapes() {
        assert_eq!(
            wildcard_parts("a*b"),
            vec![Part::Lit("a".into()), Part::Star, Part::Lit("b".into())]
        );
        assert_eq!(wildcard_parts(r"a\*b"), vec![Part::Lit("a*b".into())]);
        assert_eq!(wildcard_parts(r"a\?b"), vec![Part::Lit("a?b".into())]);
        assert_eq!(
            wildcard_parts(r"C:\Windows\\"),
            vec![Part::Lit(r"C:\Windows\".into())]
        );
        assert_eq!(
            wildcard_parts("**x"),
            vec![Part::Star, Part::Lit("x".into())]
        );
        assert_eq!(wildcard_parts("a?"), vec![Part::Lit("a".into()), Part::One]);
    }

    #[test]
    fn windash_expands_leading_dashes() {
        let v = windash_variants("cmd -enc /x a-b");
        assert_eq!(v.len(), 5);
        assert!(v.contains(&"cmd /enc /x a-b".to_owned()));
        assert!(v.contains(&"cmd \u{2013}enc \u{2013}x a-b".to_owned()));
        assert_eq!(windash_variants("plain"), vec!["plain".to_owned()]);
    }

    #[test]
    fn ascii_case_insensitive_matching_without_copies() {
        assert!(contains_ignore_ascii_case(
            b"Mozilla/5.0 (X11; Kali Linux)",
            b"kali"
        ));
        assert!(!contains_ignore_ascii_case(b"Mozilla/5.0", b"kali"));
        assert!(contains_ignore_ascii_case(b"abc", b""));
        assert!(!contains_ignore_ascii_case(b"ka", b"kali"));
        assert!(contains_ignore_ascii_case(b"kkkali", b"kali"));
        let m = StrMatch::Suffix("linux)".to_owned());
        assert!(str_matches(&m, false, "X11; Kali LINUX)"));
        assert!(!str_matches(&m, true, "X11; Kali LINUX)"));
        // Non-ASCII text takes the Unicode path.
        let m = StrMatch::Exact("ärger".to_owned());
        assert!(str_matches(&m, false, "ÄRGER"));
    }

    #[test]
    fn resolves_dotted_paths_through_arrays_and_literal_keys() {
        let v: Value = serde_json::json!({
            "a": {"items": [{"b": 1}, {"b": 2}]},
            "x.y": "flat",
        });
        let mut out = Vec::new();
        resolve(&v, "a.items.b", &mut out);
        assert_eq!(out.len(), 2);
        out.clear();
        resolve(&v, "x.y", &mut out);
        assert_eq!(out, vec![&Value::String("flat".into())]);
    }
}
