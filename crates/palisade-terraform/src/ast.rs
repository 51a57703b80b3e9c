//! The loader's own syntax tree: a compact copy of what hcl-edit parses (or
//! what a `.tf.json` file says), with byte spans on every node. Both file
//! syntaxes map onto it, so the evaluator has one input.

use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::structure::{Body as HBody, Structure};
use hcl_edit::template::{Directive, Element, Strip, Template};
use hcl_edit::Span as _;

/// Byte range `start..end` in the file the node came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }
    fn of(r: Option<std::ops::Range<usize>>, fallback: Span) -> Span {
        r.map_or(fallback, |r| Span::new(r.start, r.end))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Eq,
    NotEq,
    LessEq,
    GreaterEq,
    Less,
    Greater,
    Plus,
    Minus,
    Mul,
    Div,
    Mod,
    And,
    Or,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Null,
    Bool(bool),
    Number(f64),
    /// A literal string (quoted without interpolation, or a literal heredoc).
    String(String),
    Array(Vec<Expr>),
    Object(Vec<(ObjKey, Expr)>),
    Template(Vec<TPart>),
    Var(String),
    Traversal(Box<Expr>, Vec<Op>),
    Call {
        name: String,
        args: Vec<Expr>,
        expand_final: bool,
    },
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    For(Box<ForExpr>),
    /// Input nested too deeply, or otherwise not convertible.
    Invalid(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum ObjKey {
    Ident(String),
    Expr(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    GetAttr(String),
    Index(Expr),
    AttrSplat,
    FullSplat,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ForExpr {
    pub key_var: Option<String>,
    pub val_var: String,
    pub coll: Expr,
    pub key_expr: Option<Expr>,
    pub val_expr: Expr,
    pub cond: Option<Expr>,
    pub grouping: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TPart {
    Lit(String),
    Interp(Expr),
    If {
        cond: Expr,
        then: Vec<TPart>,
        otherwise: Vec<TPart>,
    },
    For {
        key_var: Option<String>,
        val_var: String,
        coll: Expr,
        body: Vec<TPart>,
    },
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Body {
    pub attrs: Vec<Attr>,
    pub blocks: Vec<Block>,
}

impl Body {
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Attr {
    pub name: String,
    pub expr: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Block {
    pub ty: String,
    pub labels: Vec<String>,
    pub body: Body,
    pub span: Span,
}

/// Conversion recursion cap. hcl-edit already limits nesting (64 levels and
/// 128 chained operators), this is a second guard.
const MAX_DEPTH: u32 = 400;

pub fn conv_body(b: &HBody) -> Body {
    conv_body_d(b, 0)
}

fn conv_body_d(b: &HBody, depth: u32) -> Body {
    let mut out = Body::default();
    for s in b.iter() {
        match s {
            Structure::Attribute(a) => {
                let span = Span::of(a.span(), Span::default());
                out.attrs.push(Attr {
                    name: a.key.as_str().to_string(),
                    expr: conv_expr_d(&a.value, None, depth + 1),
                    span,
                });
            }
            Structure::Block(bl) => {
                let span = Span::of(bl.span(), Span::default());
                let body = if depth > MAX_DEPTH {
                    Body::default()
                } else {
                    conv_body_d(&bl.body, depth + 1)
                };
                out.blocks.push(Block {
                    ty: bl.ident.as_str().to_string(),
                    labels: bl.labels.iter().map(|l| l.as_str().to_string()).collect(),
                    body,
                    span,
                });
            }
        }
    }
    out
}

/// Converts an hcl-edit expression. With `fixed`, every node gets that span
/// (used for templates embedded in JSON strings, whose offsets are relative to
/// the string).
pub fn conv_expr(e: &Expression, fixed: Option<Span>) -> Expr {
    conv_expr_d(e, fixed, 0)
}

fn conv_expr_d(e: &Expression, fixed: Option<Span>, depth: u32) -> Expr {
    let span = fixed.unwrap_or_else(|| Span::of(e.span(), Span::default()));
    if depth > MAX_DEPTH {
        return Expr {
            kind: ExprKind::Invalid("expression nested too deeply".into()),
            span,
        };
    }
    let d = depth + 1;
    let sub = |x: &Expression| conv_expr_d(x, fixed, d);
    let kind = match e {
        Expression::Null(_) => ExprKind::Null,
        Expression::Bool(b) => ExprKind::Bool(*b.value()),
        Expression::Number(n) => ExprKind::Number(n.value().as_f64().unwrap_or(f64::NAN)),
        Expression::String(s) => ExprKind::String(s.value().clone()),
        Expression::Array(a) => ExprKind::Array(a.iter().map(sub).collect()),
        Expression::Object(o) => ExprKind::Object(
            o.iter()
                .map(|(k, v)| {
                    let key = match k {
                        ObjectKey::Ident(i) => ObjKey::Ident(i.as_str().to_string()),
                        ObjectKey::Expression(x) => ObjKey::Expr(sub(x)),
                    };
                    (key, sub(v.expr()))
                })
                .collect(),
        ),
        Expression::StringTemplate(t) => template_kind(conv_template(t, fixed, d)),
        Expression::HeredocTemplate(h) => template_kind(conv_template(&h.template, fixed, d)),
        Expression::Parenthesis(p) => return conv_expr_d(p.inner(), fixed, d),
        Expression::Variable(v) => ExprKind::Var(v.as_str().to_string()),
        Expression::Conditional(c) => ExprKind::Cond(
            Box::new(sub(&c.cond_expr)),
            Box::new(sub(&c.true_expr)),
            Box::new(sub(&c.false_expr)),
        ),
        Expression::FuncCall(f) => {
            let mut name = String::new();
            for ns in &f.name.namespace {
                name.push_str(ns.as_str());
                name.push_str("::");
            }
            name.push_str(f.name.name.as_str());
            ExprKind::Call {
                name,
                args: f.args.iter().map(sub).collect(),
                expand_final: f.args.expand_final(),
            }
        }
        Expression::Traversal(t) => {
            let ops = t
                .operators
                .iter()
                .map(|op| match op.value() {
                    TraversalOperator::AttrSplat(_) => Op::AttrSplat,
                    TraversalOperator::FullSplat(_) => Op::FullSplat,
                    TraversalOperator::GetAttr(i) => Op::GetAttr(i.as_str().to_string()),
                    TraversalOperator::Index(x) => Op::Index(sub(x)),
                    TraversalOperator::LegacyIndex(i) => Op::Index(Expr {
                        kind: ExprKind::Number(*i.value() as f64),
                        span,
                    }),
                })
                .collect();
            ExprKind::Traversal(Box::new(sub(&t.expr)), ops)
        }
        Expression::UnaryOp(u) => {
            let op = match u.operator.value() {
                UnaryOperator::Neg => UnOp::Neg,
                UnaryOperator::Not => UnOp::Not,
            };
            ExprKind::Unary(op, Box::new(sub(&u.expr)))
        }
        Expression::BinaryOp(b) => {
            let op = match b.operator.value() {
                BinaryOperator::Eq => BinOp::Eq,
                BinaryOperator::NotEq => BinOp::NotEq,
                BinaryOperator::LessEq => BinOp::LessEq,
                BinaryOperator::GreaterEq => BinOp::GreaterEq,
                BinaryOperator::Less => BinOp::Less,
                BinaryOperator::Greater => BinOp::Greater,
                BinaryOperator::Plus => BinOp::Plus,
                BinaryOperator::Minus => BinOp::Minus,
                BinaryOperator::Mul => BinOp::Mul,
                BinaryOperator::Div => BinOp::Div,
                BinaryOperator::Mod => BinOp::Mod,
                BinaryOperator::And => BinOp::And,
                BinaryOperator::Or => BinOp::Or,
            };
            ExprKind::Binary(op, Box::new(sub(&b.lhs_expr)), Box::new(sub(&b.rhs_expr)))
        }
        Expression::ForExpr(f) => ExprKind::For(Box::new(ForExpr {
            key_var: f.intro.key_var.as_ref().map(|k| k.as_str().to_string()),
            val_var: f.intro.value_var.as_str().to_string(),
            coll: sub(&f.intro.collection_expr),
            key_expr: f.key_expr.as_ref().map(sub),
            val_expr: sub(&f.value_expr),
            cond: f.cond.as_ref().map(|c| sub(&c.expr)),
            grouping: f.grouping,
        })),
    };
    Expr { kind, span }
}

/// A template of literals only is a plain string.
fn template_kind(parts: Vec<TPart>) -> ExprKind {
    if parts.iter().all(|p| matches!(p, TPart::Lit(_))) {
        let mut s = String::new();
        for p in parts {
            if let TPart::Lit(l) = p {
                s.push_str(&l);
            }
        }
        ExprKind::String(s)
    } else {
        ExprKind::Template(parts)
    }
}

/// Strip markers of one converted element: whether whitespace before it
/// and after it must be removed from the neighbouring literals.
struct Converted {
    part: TPart,
    strip_before: bool,
    strip_after: bool,
}

pub fn conv_template(t: &Template, fixed: Option<Span>, depth: u32) -> Vec<TPart> {
    let mut items: Vec<Converted> = Vec::new();
    if depth > MAX_DEPTH {
        return vec![TPart::Lit(String::new())];
    }
    let d = depth + 1;
    for el in t.iter() {
        match el {
            Element::Literal(l) => items.push(Converted {
                part: TPart::Lit(l.value().clone()),
                strip_before: false,
                strip_after: false,
            }),
            Element::Interpolation(i) => items.push(Converted {
                part: TPart::Interp(conv_expr_d(&i.expr, fixed, d)),
                strip_before: i.strip.strip_start(),
                strip_after: i.strip.strip_end(),
            }),
            Element::Directive(dir) => match dir.as_ref() {
                Directive::If(ifd) => {
                    let mut then = conv_template(&ifd.if_expr.template, fixed, d);
                    if ifd.if_expr.strip.strip_end() {
                        trim_first(&mut then);
                    }
                    let mut otherwise = Vec::new();
                    let endif_strip: Strip = ifd.endif_expr.strip;
                    if let Some(e) = &ifd.else_expr {
                        if e.strip.strip_start() {
                            trim_last(&mut then);
                        }
                        otherwise = conv_template(&e.template, fixed, d);
                        if e.strip.strip_end() {
                            trim_first(&mut otherwise);
                        }
                        if endif_strip.strip_start() {
                            trim_last(&mut otherwise);
                        }
                    } else if endif_strip.strip_start() {
                        trim_last(&mut then);
                    }
                    items.push(Converted {
                        part: TPart::If {
                            cond: conv_expr_d(&ifd.if_expr.cond_expr, fixed, d),
                            then,
                            otherwise,
                        },
                        strip_before: ifd.if_expr.strip.strip_start(),
                        strip_after: endif_strip.strip_end(),
                    });
                }
                Directive::For(fd) => {
                    let mut body = conv_template(&fd.for_expr.template, fixed, d);
                    if fd.for_expr.strip.strip_end() {
                        trim_first(&mut body);
                    }
                    if fd.endfor_expr.strip.strip_start() {
                        trim_last(&mut body);
                    }
                    items.push(Converted {
                        part: TPart::For {
                            key_var: fd.for_expr.key_var.as_ref().map(|k| k.as_str().to_string()),
                            val_var: fd.for_expr.value_var.as_str().to_string(),
                            coll: conv_expr_d(&fd.for_expr.collection_expr, fixed, d),
                            body,
                        },
                        strip_before: fd.for_expr.strip.strip_start(),
                        strip_after: fd.endfor_expr.strip.strip_end(),
                    });
                }
            },
        }
    }
    // Apply strip markers to neighbouring literals.
    for i in 0..items.len() {
        if items[i].strip_before && i > 0 {
            if let TPart::Lit(s) = &mut items[i - 1].part {
                let n = s.trim_end().len();
                s.truncate(n);
            }
        }
        if items[i].strip_after && i + 1 < items.len() {
            if let TPart::Lit(s) = &mut items[i + 1].part {
                *s = s.trim_start().to_string();
            }
        }
    }
    items.into_iter().map(|c| c.part).collect()
}

fn trim_first(parts: &mut [TPart]) {
    if let Some(TPart::Lit(s)) = parts.first_mut() {
        *s = s.trim_start().to_string();
    }
}

fn trim_last(parts: &mut [TPart]) {
    if let Some(TPart::Lit(s)) = parts.last_mut() {
        let n = s.trim_end().len();
        s.truncate(n);
    }
}

/// Parses a string as an HCL template (Terraform JSON strings, `templatefile`).
pub fn parse_template_str(s: &str, fixed: Option<Span>) -> Result<Expr, String> {
    let span = fixed.unwrap_or_else(|| Span::new(0, s.len()));
    if !s.contains("${") && !s.contains("%{") {
        return Ok(Expr {
            kind: ExprKind::String(s.to_string()),
            span,
        });
    }
    match hcl_edit::parser::parse_template(s) {
        Ok(t) => Ok(Expr {
            kind: template_kind(conv_template(&t, fixed, 0)),
            span,
        }),
        Err(e) => Err(format!(
            "invalid template: {} (line {}, column {})",
            e.message(),
            e.location().line(),
            e.location().column()
        )),
    }
}

/// Parses an expression from text (`--var` values of complex type).
pub fn parse_expr_str(s: &str) -> Result<Expr, String> {
    match hcl_edit::parser::parse_expr(s) {
        Ok(e) => Ok(conv_expr(&e, Some(Span::new(0, s.len())))),
        Err(e) => Err(e.message().to_string()),
    }
}
