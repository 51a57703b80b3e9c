//! A small YAML tree with line numbers, built from saphyr-parser events,
//! shared by the Kubernetes and CloudFormation loaders. Tags are kept on
//! every node (CloudFormation's short forms need them on collections too:
//! `!If [c, a, b]`, `!Sub [s, {..}]`).
//!
//! saphyr's own `MarkedYaml` loader is not used because (1) it returns no
//! document at all when any document of the stream is malformed, (2) it has
//! no nesting limit, (3) its alias budget counts a mapping key as one node
//! whatever its size, and (4) for tagged scalars it reports an empty span.
//! This builder keeps every document completed before an error, caps
//! nesting depth, counts the real size of every alias expansion against a
//! budget, and detects duplicate keys. JSON parses as YAML 1.2 (tabs
//! included), so one reader serves both template formats.

pub use saphyr_parser::ScalarStyle;
use saphyr_parser::{Event, Parser, Span};
use std::collections::HashMap;

/// Deepest nesting accepted (collections inside collections).
pub const MAX_DEPTH: usize = 128;
/// Nodes that alias expansion may produce in one file.
pub const MAX_ALIAS_NODES: usize = 100_000;
/// Nodes in one file (aliases expanded).
pub const MAX_NODES: usize = 5_000_000;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Scalar(Scalar),
    Seq(Vec<Node>),
    /// Entries in source order.
    Map(Vec<(Node, Node)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scalar {
    pub text: String,
    pub style: ScalarStyle,
}

impl Scalar {
    pub fn is_plain(&self) -> bool {
        self.style == ScalarStyle::Plain
    }
    /// A plain `null`, `~` or empty scalar (YAML null).
    pub fn is_null(&self) -> bool {
        self.is_plain() && matches!(self.text.as_str(), "" | "~" | "null" | "Null" | "NULL")
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    /// `!!str`, `!Ref`... as written (handle + suffix), on any node.
    pub tag: Option<String>,
    /// 1-based first and last line.
    pub line: u32,
    pub end_line: u32,
    /// Nodes in this subtree (itself included).
    pub size: usize,
    /// Nesting height (1 for a scalar).
    pub height: usize,
}

impl Node {
    /// Value of `key` in a mapping (the last one if the key is duplicated).
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .rev()
                .find(|(k, _)| k.as_scalar().is_some_and(|s| s.text == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// Like [`Node::get`], but a YAML null value counts as absent.
    pub fn get_some(&self, key: &str) -> Option<&Node> {
        self.get(key).filter(|n| !n.is_null())
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// Scalar text (not null).
    pub fn as_str(&self) -> Option<&str> {
        self.as_scalar()
            .filter(|s| !s.is_null())
            .map(|s| s.text.as_str())
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(v) => Some(v),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(v) => Some(v),
            _ => None,
        }
    }

    /// Map entries whose key is a scalar, in source order, keeping only the
    /// last of duplicated keys.
    pub fn entries(&self) -> Vec<(&str, &Node)> {
        let Some(m) = self.as_map() else {
            return Vec::new();
        };
        let all: Vec<(&str, &Node)> = m
            .iter()
            .filter_map(|(k, v)| k.as_scalar().map(|k| (k.text.as_str(), v)))
            .collect();
        let mut last: HashMap<&str, usize> = HashMap::with_capacity(all.len());
        for (i, (k, _)) in all.iter().enumerate() {
            last.insert(k, i);
        }
        if last.len() == all.len() {
            return all;
        }
        all.into_iter()
            .enumerate()
            .filter(|(i, (k, _))| last.get(k) == Some(i))
            .map(|(_, e)| e)
            .collect()
    }

    pub fn is_null(&self) -> bool {
        self.tag.is_none() && self.as_scalar().is_some_and(Scalar::is_null)
    }

    /// Short description of the node's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            Value::Scalar(s) if s.is_null() => "null",
            Value::Scalar(_) => "a scalar",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

/// A problem met while reading the YAML stream.
#[derive(Clone, Debug, PartialEq)]
pub struct YamlError {
    pub line: u32,
    pub message: String,
}

/// One document of the stream.
#[derive(Debug)]
pub struct Document {
    /// `None` for an empty document.
    pub root: Option<Node>,
}

#[derive(Debug, Default)]
pub struct Stream {
    pub docs: Vec<Document>,
    pub errors: Vec<YamlError>,
    /// Occurrences of `{{` inside scalars (for template detection).
    pub scalar_braces: usize,
    alias_nodes: usize,
    nodes: usize,
}

fn line_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX).max(1)
}

/// Last line of a span whose end is exclusive.
fn span_end_line(span: &Span) -> u32 {
    let end = span.end;
    if end.col() == 0 && end.line() > span.start.line() {
        line_of(end.line() - 1)
    } else {
        line_of(end.line())
    }
}

enum Frame {
    Seq {
        items: Vec<Node>,
        anchor: usize,
        tag: Option<String>,
        line: u32,
        flow: bool,
    },
    Map {
        entries: Vec<(Node, Node)>,
        pending_key: Option<Node>,
        anchor: usize,
        tag: Option<String>,
        line: u32,
        flow: bool,
    },
}

struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    alias_nodes: usize,
    nodes: usize,
    root: Option<Node>,
    /// Duplicate keys found in the current document.
    duplicates: Vec<YamlError>,
}

impl Builder {
    fn new(alias_nodes: usize, nodes: usize) -> Self {
        Builder {
            stack: Vec::new(),
            anchors: HashMap::new(),
            alias_nodes,
            nodes,
            root: None,
            duplicates: Vec::new(),
        }
    }

    /// Starts a new document (anchors are per document; budgets per file).
    fn reset_doc(&mut self) {
        self.stack.clear();
        self.anchors.clear();
        self.root = None;
        self.duplicates.clear();
    }

    fn count(&mut self, n: usize, line: u32) -> Result<(), YamlError> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            return Err(YamlError {
                line,
                message: format!("document too large (more than {MAX_NODES} YAML nodes)"),
            });
        }
        Ok(())
    }

    fn push_node(&mut self, node: Node, anchor: usize) -> Result<(), YamlError> {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                self.root = Some(node);
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
        Ok(())
    }

    fn depth_check(&self, extra: usize, line: u32) -> Result<(), YamlError> {
        if self.stack.len() + extra > MAX_DEPTH {
            return Err(YamlError {
                line,
                message: format!("nesting deeper than {MAX_DEPTH} levels; document rejected"),
            });
        }
        Ok(())
    }

    fn event(&mut self, ev: Event<'_>, span: Span) -> Result<(), YamlError> {
        let line = line_of(span.start.line());
        match ev {
            Event::SequenceStart(anchor, tag) => {
                self.depth_check(1, line)?;
                self.stack.push(Frame::Seq {
                    items: Vec::new(),
                    anchor,
                    tag: tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                    line,
                    flow: !span.is_empty(),
                });
            }
            Event::MappingStart(anchor, tag) => {
                self.depth_check(1, line)?;
                self.stack.push(Frame::Map {
                    entries: Vec::new(),
                    pending_key: None,
                    anchor,
                    tag: tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                    line,
                    flow: !span.is_empty(),
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Err(YamlError {
                        line,
                        message: "unbalanced YAML events".into(),
                    });
                };
                let (value, anchor, tag, start, flow) = match frame {
                    Frame::Seq {
                        items,
                        anchor,
                        tag,
                        line,
                        flow,
                    } => (Value::Seq(items), anchor, tag, line, flow),
                    Frame::Map {
                        entries,
                        anchor,
                        tag,
                        line,
                        flow,
                        ..
                    } => {
                        self.find_duplicates(&entries);
                        // A tagged block mapping starts at its tag.
                        let start = if tag.is_some() {
                            line
                        } else {
                            start_line_of_map(&entries, line)
                        };
                        (Value::Map(entries), anchor, tag, start, flow)
                    }
                };
                let (size, height, last) = stats(&value);
                let mut end_line = last.unwrap_or(start).max(start);
                if flow {
                    end_line = end_line.max(span_end_line(&span));
                }
                let node = Node {
                    value,
                    tag,
                    line: start,
                    end_line,
                    size: size + 1,
                    height: height + 1,
                };
                self.count(1, line)?;
                self.push_node(node, anchor)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                let end_line = match style {
                    ScalarStyle::Literal | ScalarStyle::Folded => {
                        let content_lines = text.trim_end_matches('\n').lines().count().max(1);
                        line.saturating_add(u32::try_from(content_lines - 1).unwrap_or(0))
                    }
                    _ => span_end_line(&span).max(line),
                };
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                let node = Node {
                    value: Value::Scalar(Scalar {
                        text: text.into_owned(),
                        style,
                    }),
                    tag,
                    line,
                    end_line,
                    size: 1,
                    height: 1,
                };
                self.count(1, line)?;
                self.push_node(node, anchor)?;
            }
            Event::Alias(id) => {
                let Some(target) = self.anchors.get(&id) else {
                    return Err(YamlError {
                        line,
                        message: "alias to an unknown or unfinished anchor".into(),
                    });
                };
                self.alias_nodes = self.alias_nodes.saturating_add(target.size);
                if self.alias_nodes > MAX_ALIAS_NODES {
                    return Err(YamlError {
                        line,
                        message: format!(
                            "alias expansion exceeds {MAX_ALIAS_NODES} nodes (possible billion-laughs attack); document rejected"
                        ),
                    });
                }
                self.depth_check(target.height.saturating_sub(1), line)?;
                let node = target.clone();
                self.count(node.size, line)?;
                self.push_node(node, 0)?;
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) => {}
            Event::DocumentEnd => {}
        }
        Ok(())
    }

    fn find_duplicates(&mut self, entries: &[(Node, Node)]) {
        if entries.len() < 2 {
            return;
        }
        let mut keys: Vec<(&str, u32)> = entries
            .iter()
            .filter_map(|(k, _)| k.as_scalar().map(|s| (s.text.as_str(), k.line)))
            .collect();
        keys.sort();
        for w in keys.windows(2) {
            if w[0].0 == w[1].0 {
                self.duplicates.push(YamlError {
                    line: w[1].1,
                    message: format!(
                        "duplicate key `{}` in mapping (Kubernetes and CloudFormation reject this; the last value is used)",
                        truncate(w[1].0, 80)
                    ),
                });
            }
        }
    }
}

fn start_line_of_map(entries: &[(Node, Node)], line: u32) -> u32 {
    // A block mapping starts at its first key.
    entries
        .first()
        .map_or(line, |(k, _)| k.line.min(line).max(1))
}

/// (size of children, max child height, max child end line)
fn stats(v: &Value) -> (usize, usize, Option<u32>) {
    let mut size = 0usize;
    let mut height = 0usize;
    let mut last: Option<u32> = None;
    let mut visit = |n: &Node| {
        size = size.saturating_add(n.size);
        height = height.max(n.height);
        last = Some(last.map_or(n.end_line, |l| l.max(n.end_line)));
    };
    match v {
        Value::Scalar(_) => {}
        Value::Seq(items) => items.iter().for_each(&mut visit),
        Value::Map(entries) => {
            for (k, val) in entries {
                visit(k);
                visit(val);
            }
        }
    }
    (size, height, last)
}

pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max).collect();
        t.push('…');
        t
    }
}

/// Parses every document of `text`. Documents completed before a syntax error
/// are kept; parsing restarts at the next `---` line after the error.
pub fn parse_stream(text: &str) -> Stream {
    let mut out = Stream::default();
    // Byte offsets of lines starting a document (`---` at column 0).
    let doc_starts: Vec<(u32, usize)> = line_starts(text)
        .filter(|(_, off)| {
            let rest = &text[*off..];
            rest.starts_with("---") && rest[3..].chars().next().is_none_or(char::is_whitespace)
        })
        .collect();
    let mut start_off = 0usize;
    let mut start_line = 1u32;
    loop {
        let chunk = &text[start_off..];
        match parse_chunk(chunk, start_line - 1, &mut out) {
            None => break,
            Some(err_line) => {
                // Say which document was lost: the one started by the last
                // `---` before the error (or the chunk's start).
                let doc_line = doc_starts
                    .iter()
                    .rev()
                    .find(|(l, _)| *l >= start_line && *l < err_line)
                    .map_or(start_line, |(l, _)| *l);
                if let Some(e) = out.errors.last_mut() {
                    e.message.push_str(&format!(
                        "; the document starting at line {doc_line} was not read"
                    ));
                }
                // Restart at the first document start at or after the error
                // line, and after where this chunk began (so we progress).
                match doc_starts
                    .iter()
                    .find(|(l, _)| *l > start_line && *l >= err_line)
                {
                    Some(&(l, off)) => {
                        start_line = l;
                        start_off = off;
                    }
                    None => break,
                }
            }
        }
    }
    out
}

/// (1-based line, byte offset) of every line.
fn line_starts(text: &str) -> impl Iterator<Item = (u32, usize)> + '_ {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .filter(move |off| *off < text.len())
        .enumerate()
        .map(|(i, off)| (u32::try_from(i + 1).unwrap_or(u32::MAX), off))
}

/// Parses one chunk; returns the (absolute) line of a syntax error that
/// stopped it, `None` when it reached the end of the stream.
fn parse_chunk(chunk: &str, line_offset: u32, out: &mut Stream) -> Option<u32> {
    let mut parser = Parser::new_from_str(chunk);
    let mut b = Builder::new(out.alias_nodes, out.nodes);
    // A document rejected for a limit: skip its events until its end.
    let mut skipping = false;
    let abs = |l: u32| l.saturating_add(line_offset);
    let result = loop {
        let Some(next) = parser.next_event() else {
            break None;
        };
        let (ev, span) = match next {
            Ok(x) => x,
            Err(e) => {
                let line = abs(line_of(e.marker().line()));
                out.errors.push(YamlError {
                    line,
                    message: format!("YAML syntax error: {}", e.info()),
                });
                break Some(line);
            }
        };
        match ev {
            Event::StreamEnd => break None,
            Event::DocumentStart(_) => {
                b.reset_doc();
                skipping = false;
            }
            Event::DocumentEnd => {
                if !skipping {
                    let mut root = b.root.take();
                    if let Some(r) = root.as_mut() {
                        shift_lines(r, line_offset);
                    }
                    for mut d in b.duplicates.drain(..) {
                        d.line = abs(d.line);
                        out.errors.push(d);
                    }
                    out.scalar_braces += root.as_ref().map_or(0, count_braces);
                    out.docs.push(Document { root });
                }
                skipping = false;
                b.reset_doc();
            }
            _ if skipping => {}
            ev => {
                if let Err(mut e) = b.event(ev, span) {
                    e.line = abs(e.line);
                    out.errors.push(e);
                    skipping = true;
                    // Free what was built so far.
                    b.reset_doc();
                }
            }
        }
    };
    out.alias_nodes = b.alias_nodes;
    out.nodes = b.nodes;
    result
}

fn shift_lines(n: &mut Node, offset: u32) {
    if offset == 0 {
        return;
    }
    // Iterative to stay off the call stack.
    let mut todo: Vec<&mut Node> = vec![n];
    while let Some(n) = todo.pop() {
        n.line = n.line.saturating_add(offset);
        n.end_line = n.end_line.saturating_add(offset);
        match &mut n.value {
            Value::Scalar(_) => {}
            Value::Seq(items) => todo.extend(items.iter_mut()),
            Value::Map(entries) => {
                for (k, v) in entries.iter_mut() {
                    todo.push(k);
                    todo.push(v);
                }
            }
        }
    }
}

fn count_braces(n: &Node) -> usize {
    let mut total = 0usize;
    let mut todo: Vec<&Node> = vec![n];
    while let Some(n) = todo.pop() {
        match &n.value {
            Value::Scalar(s) => total = total.saturating_add(s.text.matches("{{").count()),
            Value::Seq(items) => todo.extend(items.iter()),
            Value::Map(entries) => {
                for (k, v) in entries {
                    todo.push(k);
                    todo.push(v);
                }
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_recovery() {
        let s = parse_stream("a: 1\nb:\n  - x\n---\nc: [1, 2\n---\nd: |\n  l1\n  l2\ne: 2\n");
        assert_eq!(s.docs.len(), 2, "{:?}", s.errors);
        assert_eq!(s.errors.len(), 1);
        let d = s.docs[1]
            .root
            .as_ref()
            .map(|r| r.get("d").map(|n| (n.line, n.end_line)));
        assert_eq!(d, Some(Some((8, 9))));
    }

    #[test]
    fn duplicate_keys() {
        let s = parse_stream("a: 1\na: 2\n");
        assert_eq!(s.errors.len(), 1);
        let a = s.docs[0]
            .root
            .as_ref()
            .and_then(|r| r.get("a"))
            .and_then(|n| n.as_str());
        assert_eq!(a, Some("2"));
    }
}
