//! Terraform JSON syntax (`.tf.json`, `.tfvars.json`): a small JSON parser
//! that keeps byte spans (serde_json drops them), and the mapping of
//! Terraform's JSON conventions onto the loader's syntax tree.

use crate::ast::{parse_template_str, Attr, Block, Body, Expr, ExprKind, ObjKey, Span};

#[derive(Clone, Debug, PartialEq)]
pub struct JVal {
    pub kind: JKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum JKind {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<JVal>),
    /// Members in document order: key, span of the key, value.
    Obj(Vec<(String, Span, JVal)>),
}

/// Maximum nesting of JSON arrays/objects.
const MAX_DEPTH: u32 = 128;

/// A JSON syntax error: byte offset and message.
#[derive(Debug)]
pub struct JsonError {
    pub offset: usize,
    pub message: String,
}

pub fn parse(text: &str) -> Result<JVal, JsonError> {
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        i: 0,
    };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i < p.s.len() {
        return Err(p.err("unexpected content after the JSON value"));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
}

impl Parser<'_> {
    fn err(&self, m: &str) -> JsonError {
        JsonError {
            offset: self.i,
            message: m.to_string(),
        }
    }
    fn ws(&mut self) {
        while let Some(c) = self.s.get(self.i) {
            if matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
                self.i += 1;
            } else {
                break;
            }
        }
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn value(&mut self, depth: u32) -> Result<JVal, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.err("JSON nested too deeply"));
        }
        let start = self.i;
        let kind = match self.peek() {
            Some(b'{') => {
                self.i += 1;
                let mut members = Vec::new();
                self.ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                } else {
                    loop {
                        self.ws();
                        let ks = self.i;
                        if self.peek() != Some(b'"') {
                            return Err(self.err("expected a string key"));
                        }
                        let key = self.string()?;
                        let kspan = Span::new(ks, self.i);
                        self.ws();
                        if self.peek() != Some(b':') {
                            return Err(self.err("expected `:`"));
                        }
                        self.i += 1;
                        self.ws();
                        let v = self.value(depth + 1)?;
                        members.push((key, kspan, v));
                        self.ws();
                        match self.peek() {
                            Some(b',') => self.i += 1,
                            Some(b'}') => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(self.err("expected `,` or `}`")),
                        }
                    }
                }
                JKind::Obj(members)
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                } else {
                    loop {
                        self.ws();
                        items.push(self.value(depth + 1)?);
                        self.ws();
                        match self.peek() {
                            Some(b',') => self.i += 1,
                            Some(b']') => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(self.err("expected `,` or `]`")),
                        }
                    }
                }
                JKind::Arr(items)
            }
            Some(b'"') => JKind::Str(self.string()?),
            Some(b't') => self.word("true", JKind::Bool(true))?,
            Some(b'f') => self.word("false", JKind::Bool(false))?,
            Some(b'n') => self.word("null", JKind::Null)?,
            Some(c) if c == b'-' || c.is_ascii_digit() => {
                while let Some(c) = self.peek() {
                    if c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E') {
                        self.i += 1;
                    } else {
                        break;
                    }
                }
                let t = self.text.get(start..self.i).unwrap_or("");
                match t.parse::<f64>() {
                    Ok(n) => JKind::Num(n),
                    Err(_) => return Err(self.err("invalid number")),
                }
            }
            Some(_) => return Err(self.err("unexpected character")),
            None => return Err(self.err("unexpected end of input")),
        };
        Ok(JVal {
            kind,
            span: Span::new(start, self.i),
        })
    }
    fn word(&mut self, w: &str, k: JKind) -> Result<JKind, JsonError> {
        if self.s.get(self.i..self.i + w.len()) == Some(w.as_bytes()) {
            self.i += w.len();
            Ok(k)
        } else {
            Err(self.err("unexpected word"))
        }
    }
    fn hex4(&mut self) -> Result<u32, JsonError> {
        let h = self
            .text
            .get(self.i..self.i + 4)
            .ok_or_else(|| self.err("bad unicode escape"))?;
        let v = u32::from_str_radix(h, 16).map_err(|_| self.err("bad unicode escape"))?;
        self.i += 4;
        Ok(v)
    }
    fn string(&mut self) -> Result<String, JsonError> {
        self.i += 1; // opening quote
        let mut out = String::new();
        loop {
            // Copy a run of plain characters at once.
            let run_start = self.i;
            while let Some(c) = self.peek() {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.i += 1;
            }
            out.push_str(self.text.get(run_start..self.i).unwrap_or(""));
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = self.peek().ok_or_else(|| self.err("bad escape"))?;
                    self.i += 1;
                    match c {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let cp = if (0xD800..0xDC00).contains(&hi)
                                && self.s.get(self.i..self.i + 2) == Some(b"\\u")
                            {
                                self.i += 2;
                                let lo = self.hex4()?;
                                0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF)
                            } else {
                                hi
                            };
                            out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                        }
                        _ => return Err(self.err("bad escape")),
                    }
                }
                Some(_) => return Err(self.err("control character in string")),
                None => return Err(self.err("unterminated string")),
            }
        }
    }
}

/// Object attributes that hold maps (not nested blocks) in the AWS provider.
/// Terraform decides with the provider schema; without it, these names are
/// read as map attributes and any other JSON object as a nested block.
const MAP_ATTRS: &[&str] = &[
    "tags",
    "tags_all",
    "labels",
    "annotations",
    "variables",
    "environment_variables",
    "parameters",
    "triggers",
    "context",
    "request_parameters",
    "request_templates",
    "response_parameters",
    "response_templates",
    "node_labels",
    "stage_variables",
];

fn objects(v: &JVal) -> Vec<&JVal> {
    match &v.kind {
        JKind::Obj(_) => vec![v],
        JKind::Arr(items) => items
            .iter()
            .filter(|i| matches!(i.kind, JKind::Obj(_)))
            .collect(),
        _ => Vec::new(),
    }
}

fn members(v: &JVal) -> &[(String, Span, JVal)] {
    match &v.kind {
        JKind::Obj(m) => m,
        _ => &[],
    }
}

/// Maps a Terraform JSON document onto a body of top-level blocks.
pub fn to_body(doc: &JVal) -> Result<Body, String> {
    let JKind::Obj(top) = &doc.kind else {
        return Err("a Terraform JSON file must hold an object".into());
    };
    let mut out = Body::default();
    for (key, kspan, val) in top {
        let span_of = |ks: Span, v: &JVal| Span {
            start: ks.start,
            end: v.span.end,
        };
        match key.as_str() {
            "resource" | "data" => {
                for o in objects(val) {
                    for (ty, _, names) in members(o) {
                        for no in objects(names) {
                            for (name, nspan, b) in members(no) {
                                for bo in objects(b) {
                                    out.blocks.push(Block {
                                        ty: key.clone(),
                                        labels: vec![ty.clone(), name.clone()],
                                        body: body_of(bo, 0),
                                        span: span_of(*nspan, bo),
                                    });
                                }
                            }
                        }
                    }
                }
            }
            "variable" => {
                for o in objects(val) {
                    for (name, nspan, b) in members(o) {
                        for bo in objects(b) {
                            let mut body = Body::default();
                            for (k, ks, v) in members(bo) {
                                let expr = if k == "default" {
                                    literal(v, 0)
                                } else if k == "type" {
                                    match &v.kind {
                                        JKind::Str(s) => crate::ast::parse_expr_str(s)
                                            .map(|mut e| {
                                                fix_span(&mut e, v.span);
                                                e
                                            })
                                            .unwrap_or_else(|_| literal(v, 0)),
                                        _ => literal(v, 0),
                                    }
                                } else {
                                    literal(v, 0)
                                };
                                body.attrs.push(Attr {
                                    name: k.clone(),
                                    expr,
                                    span: span_of(*ks, v),
                                });
                            }
                            out.blocks.push(Block {
                                ty: "variable".into(),
                                labels: vec![name.clone()],
                                body,
                                span: span_of(*nspan, bo),
                            });
                        }
                    }
                }
            }
            "locals" => {
                for o in objects(val) {
                    let mut body = Body::default();
                    for (k, ks, v) in members(o) {
                        if k == "//" {
                            continue;
                        }
                        body.attrs.push(Attr {
                            name: k.clone(),
                            expr: expr_of(v, 0),
                            span: span_of(*ks, v),
                        });
                    }
                    out.blocks.push(Block {
                        ty: "locals".into(),
                        labels: vec![],
                        body,
                        span: span_of(*kspan, o),
                    });
                }
            }
            "module" | "output" | "provider" => {
                for o in objects(val) {
                    for (name, nspan, b) in members(o) {
                        for bo in objects(b) {
                            out.blocks.push(Block {
                                ty: key.clone(),
                                labels: vec![name.clone()],
                                body: body_of(bo, 0),
                                span: span_of(*nspan, bo),
                            });
                        }
                    }
                }
            }
            "//" => {}
            _ => {
                for o in objects(val) {
                    out.blocks.push(Block {
                        ty: key.clone(),
                        labels: vec![],
                        body: body_of(o, 0),
                        span: span_of(*kspan, o),
                    });
                }
            }
        }
    }
    Ok(out)
}

fn fix_span(e: &mut Expr, span: Span) {
    e.span = span;
}

/// A block body: objects become nested blocks (except known map attributes),
/// `dynamic` maps onto dynamic blocks.
fn body_of(o: &JVal, depth: u32) -> Body {
    let mut body = Body::default();
    if depth > MAX_DEPTH {
        return body;
    }
    for (k, ks, v) in members(o) {
        let span = Span {
            start: ks.start,
            end: v.span.end,
        };
        if k == "//" {
            continue;
        }
        if k == "dynamic" {
            for o2 in objects(v) {
                for (name, nspan, spec) in members(o2) {
                    for so in objects(spec) {
                        body.blocks.push(Block {
                            ty: "dynamic".into(),
                            labels: vec![name.clone()],
                            body: body_of(so, depth + 1),
                            span: Span {
                                start: nspan.start,
                                end: so.span.end,
                            },
                        });
                    }
                }
            }
            continue;
        }
        let is_block = !MAP_ATTRS.contains(&k.as_str())
            && match &v.kind {
                JKind::Obj(_) => true,
                JKind::Arr(items) => {
                    !items.is_empty() && items.iter().all(|i| matches!(i.kind, JKind::Obj(_)))
                }
                _ => false,
            };
        if is_block {
            for bo in objects(v) {
                body.blocks.push(Block {
                    ty: k.clone(),
                    labels: vec![],
                    body: body_of(bo, depth + 1),
                    span: bo.span,
                });
            }
        } else {
            body.attrs.push(Attr {
                name: k.clone(),
                expr: expr_of(v, depth + 1),
                span,
            });
        }
    }
    body
}

/// An expression in JSON syntax: strings are templates.
pub fn expr_of(v: &JVal, depth: u32) -> Expr {
    let span = v.span;
    let kind = if depth > MAX_DEPTH {
        ExprKind::Invalid("expression nested too deeply".into())
    } else {
        match &v.kind {
            JKind::Null => ExprKind::Null,
            JKind::Bool(b) => ExprKind::Bool(*b),
            JKind::Num(n) => ExprKind::Number(*n),
            JKind::Str(s) => match parse_template_str(s, Some(span)) {
                Ok(e) => return e,
                Err(m) => ExprKind::Invalid(m),
            },
            JKind::Arr(items) => {
                ExprKind::Array(items.iter().map(|i| expr_of(i, depth + 1)).collect())
            }
            JKind::Obj(m) => ExprKind::Object(
                m.iter()
                    .filter(|(k, _, _)| k != "//")
                    .map(|(k, ks, v)| {
                        let key = if k.contains("${") {
                            match parse_template_str(k, Some(*ks)) {
                                Ok(e) => ObjKey::Expr(e),
                                Err(_) => ObjKey::Ident(k.clone()),
                            }
                        } else {
                            ObjKey::Ident(k.clone())
                        };
                        (key, expr_of(v, depth + 1))
                    })
                    .collect(),
            ),
        }
    };
    Expr { kind, span }
}

/// A literal value (variable defaults, `.tfvars.json`): strings are not templates.
pub fn literal(v: &JVal, depth: u32) -> Expr {
    let span = v.span;
    let kind = if depth > MAX_DEPTH {
        ExprKind::Invalid("value nested too deeply".into())
    } else {
        match &v.kind {
            JKind::Null => ExprKind::Null,
            JKind::Bool(b) => ExprKind::Bool(*b),
            JKind::Num(n) => ExprKind::Number(*n),
            JKind::Str(s) => ExprKind::String(s.clone()),
            JKind::Arr(items) => {
                ExprKind::Array(items.iter().map(|i| literal(i, depth + 1)).collect())
            }
            JKind::Obj(m) => ExprKind::Object(
                m.iter()
                    .map(|(k, _, v)| (ObjKey::Ident(k.clone()), literal(v, depth + 1)))
                    .collect(),
            ),
        }
    };
    Expr { kind, span }
}

/// A `.tfvars.json` document: one attribute per variable.
pub fn tfvars_body(doc: &JVal) -> Result<Body, String> {
    let JKind::Obj(top) = &doc.kind else {
        return Err("a variables JSON file must hold an object".into());
    };
    let mut body = Body::default();
    for (k, ks, v) in top {
        body.attrs.push(Attr {
            name: k.clone(),
            expr: literal(v, 0),
            span: Span {
                start: ks.start,
                end: v.span.end,
            },
        });
    }
    Ok(body)
}
