//! Loads AWS CloudFormation templates (YAML, short-form tags included, or
//! JSON) into [`RawResource`]s in the CloudFormation resource schema, with
//! the line of every value. The adapter in `palisade-adapt`
//! (`cfn::adapt_cloudformation`) turns them into the typed model; this crate
//! knows the template format only.
//!
//! ```
//! let t = "Resources:\n  Logs:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: logs\n";
//! let load = palisade_cfn::load_template(t, "t.yaml", &palisade_cfn::Options::default());
//! assert_eq!(load.resources.len(), 1);
//! assert_eq!(load.resources[0].kind, "AWS::S3::Bucket");
//! assert!(load.errors.is_empty());
//! ```
//!
//! # Values
//!
//! * Resource bodies are the evaluated `Properties`; the address is the
//!   logical ID, the kind the CloudFormation type.
//! * `Ref` to a parameter is its override ([`Options::parameters`]) or its
//!   `Default`; without either it is unknown. `List<...>` and
//!   `CommaDelimitedList` parameters are lists; `Number` parameters numbers.
//!   `AWS::SSM::Parameter::Value<...>` parameters are unknown (their default
//!   names an SSM parameter, not the value).
//! * Pseudo parameters (`AWS::Region`, `AWS::AccountId`...) are unknown unless
//!   given in [`Options::pseudo`]; `AWS::NoValue` removes the property or
//!   list element.
//! * `Ref X` / `Fn::GetAtt X.Attr` to a resource is [`Raw::Ref`] to `X`
//!   (a link); `Fn::GetAtt` of an attribute that returns a written property
//!   of the same name (`VPC.CidrBlock`, `Subnet.VpcId`) is that value.
//! * `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::FindInMap`
//!   (with `DefaultValue`), `Fn::Base64`, `Fn::Cidr`, `Fn::Length`,
//!   `Fn::ToJsonString` are computed when their inputs are known; a string
//!   built from an unknown part is unknown. `Fn::Sub` of a single
//!   `${X}` is `X` itself (so a link survives). `Fn::FindInMap` with an
//!   unknown top-level key is known when every entry agrees.
//! * Conditions are evaluated three-valued. `Fn::If` on an unknown
//!   condition is unknown unless both branches are the same value. A
//!   resource whose `Condition` is false is left out; one whose condition is
//!   unknown is kept, and an [`Unknown`] says that it may not exist.
//! * `Fn::ImportValue`, `Fn::GetAZs`, `Fn::Transform` are unknown;
//!   dynamic references (`{{resolve:...}}`) are kept as written strings, are
//!   never secrets, and read as unknown where a value matters.
//!
//! # Problems
//!
//! Errors (the part was not read, or CloudFormation would reject it):
//! malformed YAML/JSON, nesting or alias-expansion limits, unknown tags and
//! functions, malformed intrinsic arguments, references to undeclared
//! names, condition cycles, resources without `Type`. Notes: transforms and
//! macros (SAM resources stay unmodelled), `Fn::ForEach`, nested stacks,
//! extra YAML documents. Parameter overrides apply to every template that
//! declares the parameter (others ignore them). Nothing
//! panics on input; values are never printed in messages.
//!
//! [`Raw::Ref`]: palisade_model::raw::Raw::Ref

mod cidr;
mod eval;
mod yaml;

use eval::{call_of, Evaluator, ParamValue, Scope, Tri};
use palisade_model::raw::{Mode, Raw, RawNode, RawResource};
use palisade_model::{Diagnostic, Location, Secret, SecretLiteral, Unknown};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use yaml::{Node, Value};

pub use eval::MAX_EVAL_DEPTH;
pub use yaml::{MAX_ALIAS_NODES, MAX_DEPTH};

/// Largest template accepted (bytes). CloudFormation's own limit is 1 MB
/// (from S3); the margin keeps generated templates readable.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

/// Values CloudFormation would get at deploy time.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Parameter values (`--parameter-overrides Name=Value`), applied over
    /// the parameters' defaults. List parameters take comma-separated values.
    pub parameters: Vec<(String, String)>,
    /// Pseudo parameter values (`AWS::Region` = `eu-west-1`,
    /// `AWS::AccountId`, `AWS::Partition`...). Unknown when not given.
    pub pseudo: Vec<(String, String)>,
}

/// What one template contributed.
#[derive(Clone, Debug, Default)]
pub struct TemplateLoad {
    /// One per resource that exists (or may exist), in source order.
    pub resources: Vec<RawResource>,
    /// Parts of the template that could not be read.
    pub errors: Vec<Diagnostic>,
    /// Informational: transforms, unsupported features, skipped parts.
    pub notes: Vec<Diagnostic>,
    /// What could not be decided statically at the template level
    /// (resources under an unknown condition).
    pub unknowns: Vec<Unknown>,
    /// Literal secrets written in the template (values redacted).
    pub secrets: Vec<SecretLiteral>,
}

/// A quick textual test for a file walker: an `AWSTemplateFormatVersion`
/// key, or a `Resources` key and a `Type: AWS::...` value. Confirm with
/// [`is_template`].
pub fn looks_like_cloudformation(text: &str) -> bool {
    if text.contains('\0') {
        return false;
    }
    has_key(text, "AWSTemplateFormatVersion") || (has_key(text, "Resources") && has_aws_type(text))
}

/// True when the text parses and its top-level mapping is a template: it has
/// `AWSTemplateFormatVersion`, or a `Resources` mapping with at least one
/// resource whose `Type` is `AWS::...`, `Custom::...` or `Alexa::...`.
pub fn is_template(text: &str) -> bool {
    if !looks_like_cloudformation(text) || text.len() > MAX_FILE_BYTES {
        return false;
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let stream = yaml::parse_stream(text);
    let root = stream.docs.iter().find_map(|d| d.root.as_ref());
    root.is_some_and(root_is_template)
}

fn root_is_template(root: &Node) -> bool {
    if root.as_map().is_none() {
        return false;
    }
    if root.get("AWSTemplateFormatVersion").is_some() {
        return true;
    }
    let Some(resources) = root.get("Resources") else {
        return false;
    };
    resources.entries().iter().any(|(_, r)| {
        r.get("Type")
            .and_then(Node::as_str)
            .is_some_and(is_resource_type)
    })
}

/// Properties whose names contain a secret word but that configure secret
/// generation, not hold secret material.
const NOT_SECRET_MATERIAL: &[&str] = &["GenerateSecretString"];

fn is_resource_type(t: &str) -> bool {
    t.starts_with("AWS::") || t.starts_with("Custom::") || t.starts_with("Alexa::")
}

fn has_key(text: &str, key: &str) -> bool {
    text.match_indices(key).any(|(i, _)| {
        let before = text.get(..i).and_then(|s| s.chars().next_back());
        let ok_before = match before {
            None => true,
            Some(c) => c.is_whitespace() || matches!(c, '"' | '\'' | '{' | ','),
        };
        if !ok_before {
            return false;
        }
        let rest = text
            .get(i + key.len()..)
            .unwrap_or("")
            .trim_start_matches(['"', '\'']);
        rest.trim_start_matches([' ', '\t']).starts_with(':')
    })
}

fn has_aws_type(text: &str) -> bool {
    text.match_indices("Type").any(|(i, _)| {
        let rest = text.get(i + 4..).unwrap_or("");
        let rest = rest
            .trim_start_matches(['"', '\''])
            .trim_start_matches([' ', '\t']);
        let Some(rest) = rest.strip_prefix(':') else {
            return false;
        };
        let rest = rest.trim_start_matches([' ', '\t', '"', '\'']);
        rest.starts_with("AWS::") || rest.starts_with("Custom::")
    })
}

/// Loads raw bytes: rejects binary and invalid UTF-8 with an error, then
/// behaves as [`load_template`].
pub fn load_bytes(bytes: &[u8], display_path: &str, opts: &Options) -> TemplateLoad {
    match std::str::from_utf8(bytes) {
        Ok(text) => load_template(text, display_path, opts),
        Err(e) => {
            let line = bytes
                .get(..e.valid_up_to())
                .unwrap_or(&[])
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            TemplateLoad {
                errors: vec![Diagnostic::new(
                    display_path,
                    Some(u32::try_from(line).unwrap_or(u32::MAX)),
                    "not valid UTF-8 (binary file?); not read",
                )],
                ..Default::default()
            }
        }
    }
}

/// Loads one template. Never panics.
pub fn load_template(text: &str, display_path: &str, opts: &Options) -> TemplateLoad {
    let caught = std::panic::catch_unwind(|| load_inner(text, display_path, opts));
    match caught {
        Ok(load) => load,
        Err(_) => TemplateLoad {
            errors: vec![Diagnostic::new(
                display_path,
                None,
                "internal error while reading this template; it was skipped",
            )],
            ..Default::default()
        },
    }
}

fn load_inner(text: &str, path: &str, opts: &Options) -> TemplateLoad {
    let mut out = TemplateLoad::default();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.len() > MAX_FILE_BYTES {
        out.errors.push(Diagnostic::new(
            path,
            None,
            format!(
                "file is larger than {} MiB; not read",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        ));
        return out;
    }
    if let Some(i) = text.find(['\0', '\u{fffd}']) {
        let line = text.get(..i).unwrap_or("").matches('\n').count() + 1;
        out.errors.push(Diagnostic::new(
            path,
            Some(u32::try_from(line).unwrap_or(u32::MAX)),
            "binary content (NUL or invalid UTF-8 bytes); not a template",
        ));
        return out;
    }
    if text.trim().is_empty() {
        return out;
    }
    let stream = yaml::parse_stream(text);
    for e in &stream.errors {
        out.errors
            .push(Diagnostic::new(path, Some(e.line), e.message.clone()));
    }
    let mut roots = stream.docs.iter().filter_map(|d| d.root.as_ref());
    let Some(root) = roots.next() else {
        return out;
    };
    if let Some(extra) = roots.next() {
        out.notes.push(Diagnostic::new(
            path,
            Some(extra.line),
            "a template is one YAML document; the documents after the first were not read",
        ));
    }
    if !root_is_template(root) {
        out.notes.push(Diagnostic::new(
            path,
            Some(root.line),
            "not a CloudFormation template (no AWSTemplateFormatVersion or Resources with AWS types); skipped",
        ));
        return out;
    }
    let file: Arc<str> = Arc::from(path);
    Loader::new(file, root, opts, &mut out).run();
    out.errors.sort();
    out.errors.dedup();
    out.notes.sort();
    out.notes.dedup();
    out
}

struct Loader<'t, 'o> {
    root: &'t Node,
    ev: Evaluator<'t>,
    out: &'o mut TemplateLoad,
}

/// The `Type` of a parameter, for deciding its value's shape.
fn param_value(name: &str, ty: &str, given: Option<(&str, bool)>) -> ParamValue {
    let Some((text, overridden)) = given else {
        return ParamValue::Unknown(format!(
            "parameter `{name}` has no default (its value is given at deploy)"
        ));
    };
    if ty.starts_with("AWS::SSM::Parameter::Value<") {
        let how = if overridden { "given" } else { "default" };
        return ParamValue::Unknown(format!(
            "parameter `{name}` is read at deploy from the SSM parameter named by its {how} value"
        ));
    }
    if ty.starts_with("List<") || ty == "CommaDelimitedList" {
        let items = if text.is_empty() {
            Vec::new()
        } else {
            text.split(',').map(|s| s.trim().to_owned()).collect()
        };
        return ParamValue::List(items);
    }
    if ty == "Number" {
        if let Ok(n) = text.trim().parse::<f64>() {
            if n.is_finite() {
                return ParamValue::Scalar(Raw::Number(n));
            }
        }
    }
    ParamValue::Scalar(Raw::String(text.to_owned()))
}

impl<'t, 'o> Loader<'t, 'o> {
    fn new(file: Arc<str>, root: &'t Node, opts: &Options, out: &'o mut TemplateLoad) -> Self {
        let notes: Vec<Diagnostic> = Vec::new();
        let mut errors = Vec::new();
        let diag = |line: u32, msg: String| Diagnostic::new(file.to_string(), Some(line), msg);

        // Parameters.
        let mut params = HashMap::new();
        if let Some(ps) = root.get("Parameters") {
            if ps.as_map().is_none() && !ps.is_null() {
                errors.push(diag(ps.line, "`Parameters` must be a mapping".into()));
            }
            for (name, p) in ps.entries() {
                let ty = p.get("Type").and_then(Node::as_str).unwrap_or("String");
                let over = opts
                    .parameters
                    .iter()
                    .rev()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| (v.as_str(), true));
                let default = p.get("Default").filter(|d| !d.is_null());
                let default_text: Option<String> = default.and_then(|d| match &d.value {
                    Value::Scalar(s) if d.tag.is_none() => Some(s.text.clone()),
                    Value::Seq(items) => Some(
                        items
                            .iter()
                            .filter_map(|i| i.as_str().map(str::to_owned))
                            .collect::<Vec<_>>()
                            .join(","),
                    ),
                    _ => None,
                });
                if default.is_some() && default_text.is_none() {
                    errors.push(diag(
                        default.map_or(p.line, |d| d.line),
                        format!("the `Default` of parameter `{name}` must be a literal value"),
                    ));
                }
                let given = over.or(default_text.as_deref().map(|d| (d, false)));
                params.insert(name.to_owned(), param_value(name, ty, given));
            }
        }

        // Conditions.
        let mut conditions = HashMap::new();
        if let Some(cs) = root.get("Conditions") {
            for (name, c) in cs.entries() {
                conditions.insert(name.to_owned(), c);
            }
        }

        // Resources (declared names, for references).
        let mut resources = HashMap::new();
        if let Some(rs) = root.get("Resources") {
            for (id, r) in rs.entries() {
                let ty = r
                    .get("Type")
                    .and_then(Node::as_str)
                    .unwrap_or("")
                    .to_owned();
                resources.insert(id.to_owned(), (ty, r.get("Properties")));
            }
        }

        let pseudo = opts
            .pseudo
            .iter()
            .filter(|(k, _)| eval::PSEUDO.contains(&k.as_str()))
            .cloned()
            .collect();
        let scope = Scope {
            params,
            pseudo,
            mappings: root.get("Mappings"),
            conditions,
            resources,
        };
        let mut ev = Evaluator::new(file, scope);
        ev.notes.extend(notes);
        ev.errors.extend(errors);
        Loader { root, ev, out }
    }

    fn run(mut self) {
        self.check_header();
        self.scan_parameter_secrets();
        self.scan_mapping_secrets();
        // Every declared condition is evaluated once, so cycles and
        // malformed conditions are reported even when unused.
        let names: Vec<(String, u32)> = self
            .root
            .get("Conditions")
            .map(|cs| {
                cs.entries()
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.line))
                    .collect()
            })
            .unwrap_or_default();
        for (name, line) in names {
            self.ev.condition(&name, line);
        }
        match self.root.get("Resources") {
            Some(rs) if rs.as_map().is_some() => {
                let entries: Vec<(&str, &Node)> = rs.entries();
                // Keys of the `Resources` mapping, for the resource spans.
                let keys: HashMap<&str, u32> = rs
                    .as_map()
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|(k, _)| k.as_scalar().map(|s| (s.text.as_str(), k.line)))
                    .collect();
                for (id, r) in entries {
                    let key_line = keys.get(id).copied().unwrap_or(r.line);
                    self.resource(id, r, key_line);
                }
            }
            Some(rs) if !rs.is_null() => {
                self.ev.error(rs.line, "`Resources` must be a mapping");
            }
            _ => {
                self.ev
                    .error(self.root.line, "the template has no `Resources`");
            }
        }
        self.out.errors.append(&mut self.ev.errors);
        self.out.notes.append(&mut self.ev.notes);
    }

    fn check_header(&mut self) {
        if let Some(v) = self.root.get("AWSTemplateFormatVersion") {
            let text = v.as_str().unwrap_or("");
            if text != "2010-09-09" {
                self.ev.error(
                    v.line,
                    "`AWSTemplateFormatVersion` must be \"2010-09-09\" (the only version)",
                );
            }
        }
        if let Some(t) = self.root.get("Transform") {
            let names: Vec<String> = match &t.value {
                Value::Seq(items) => items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_owned))
                    .collect(),
                Value::Scalar(s) => vec![s.text.clone()],
                Value::Map(_) => t
                    .get("Name")
                    .and_then(Node::as_str)
                    .map(str::to_owned)
                    .into_iter()
                    .collect(),
            };
            for n in names {
                match n.as_str() {
                    "AWS::LanguageExtensions" => {}
                    s if s.starts_with("AWS::Serverless") => self.ev.note(
                        t.line,
                        "SAM transform: `AWS::Serverless::*` resources are not expanded; they are listed as unmodelled resources",
                    ),
                    other => self.ev.note(
                        t.line,
                        format!("transform `{other}` may change the template at deploy; it is read as written"),
                    ),
                }
            }
        }
    }

    fn resource(&mut self, id: &str, r: &'t Node, key_line: u32) {
        let loc = Location::new(self.ev.file.clone(), key_line, r.end_line);
        if id.starts_with("Fn::ForEach") {
            self.ev.note(
                key_line,
                format!("`{id}` (AWS::LanguageExtensions) is not expanded; the resources it generates are not read"),
            );
            return;
        }
        if r.as_map().is_none() {
            self.ev
                .error(key_line, format!("resource `{id}` must be a mapping"));
            return;
        }
        let Some(kind) = r.get("Type").and_then(Node::as_str).map(str::to_owned) else {
            self.ev
                .error(key_line, format!("resource `{id}` has no `Type`; not read"));
            return;
        };
        if !is_resource_type(&kind) {
            self.ev.note(
                key_line,
                format!("resource `{id}` has type `{kind}`, which is not an AWS type"),
            );
        }
        if let Some(c) = r.get("Condition") {
            match c.as_str() {
                Some(name) => match self.ev.condition(name, c.line) {
                    Tri::True => {}
                    Tri::False => return,
                    Tri::Unknown(reason) => self.out.unknowns.push(Unknown {
                        resource: id.to_owned(),
                        attribute: "Condition".to_owned(),
                        location: Some(self.ev.loc(c)),
                        reason: format!(
                            "the resource exists only when condition `{name}` holds, which is unknown: {reason}"
                        ),
                    }),
                },
                None => self
                    .ev
                    .error(c.line, "a resource `Condition` must be a condition name"),
            }
        }
        if kind == "AWS::CloudFormation::Stack" {
            self.ev.note(
                key_line,
                format!("nested stack `{id}` is not loaded; scan its template separately"),
            );
        }
        let props = r.get("Properties").filter(|p| !p.is_null());
        let body = match props {
            None => RawNode::new(Raw::Map(BTreeMap::new()), Some(loc.clone())),
            Some(p) => {
                self.scan_secrets(id, p, "", "", 0);
                match self.ev.eval(p) {
                    Some(
                        b @ RawNode {
                            value: Raw::Map(_), ..
                        },
                    ) => b,
                    Some(RawNode {
                        value: Raw::Unknown(reason),
                        loc,
                    }) => RawNode::new(Raw::Unknown(reason), loc),
                    None => RawNode::new(Raw::Map(BTreeMap::new()), Some(self.ev.loc(p))),
                    Some(other) => {
                        self.ev
                            .error(p.line, format!("`Properties` of `{id}` must be a mapping"));
                        RawNode::new(
                            Raw::Unknown("`Properties` is not a mapping".into()),
                            other.loc,
                        )
                    }
                }
            }
        };
        self.out.resources.push(RawResource {
            address: id.to_owned(),
            kind,
            mode: Mode::Managed,
            loc,
            body,
        });
    }

    // ----------------------------------------------------------- secrets

    fn scan_parameter_secrets(&mut self) {
        let Some(ps) = self.root.get("Parameters") else {
            return;
        };
        for (name, p) in ps.entries() {
            let Some(d) = p.get("Default") else { continue };
            if d.tag.is_some() {
                continue;
            }
            if let Some(s) = d.as_scalar().filter(|_| !d.is_null()) {
                self.secret(&format!("Parameters.{name}"), "Default", name, &s.text, d);
            }
        }
    }

    fn scan_mapping_secrets(&mut self) {
        let Some(ms) = self.root.get("Mappings") else {
            return;
        };
        for (map, m) in ms.entries() {
            for (top, e) in m.entries() {
                self.scan_secrets(&format!("Mappings.{map}"), e, top, top, 0);
            }
        }
    }

    /// Reports literal secrets under `n` (a resource's `Properties`), where
    /// they are written. `name` is the key the value is held under.
    fn scan_secrets(&mut self, res: &str, n: &Node, path: &str, name: &str, depth: usize) {
        if depth > yaml::MAX_DEPTH {
            return;
        }
        if let Some(call) = call_of(n, false) {
            // Literal branches of a condition, and literal `Fn::Sub` text.
            match call.name.as_str() {
                "Fn::If" => {
                    if let Some(items) = call.arg.as_seq() {
                        for b in items.iter().skip(1) {
                            self.scan_secrets(res, b, path, name, depth + 1);
                        }
                    }
                }
                "Fn::Sub" => {
                    if let Value::Scalar(s) = &call.arg.value {
                        if !s.text.contains("${") {
                            self.secret(res, path, name, &s.text, n);
                        }
                    }
                }
                _ => {}
            }
            return;
        }
        if n.tag
            .as_deref()
            .is_some_and(|t| eval::core_tag(t).is_none())
        {
            return;
        }
        match &n.value {
            Value::Scalar(s) => {
                if !n.is_null() {
                    self.secret(res, path, name, &s.text, n);
                }
            }
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.scan_secrets(res, item, &format!("{path}[{i}]"), name, depth + 1);
                }
            }
            Value::Map(_) => {
                let entries = n.entries();
                // `{Name: DB_PASSWORD, Value: ...}` / `{Key: .., Value: ..}`.
                let label = ["Name", "Key", "name", "key"]
                    .iter()
                    .find_map(|k| n.get(k).and_then(Node::as_str))
                    .map(str::to_owned);
                for (k, v) in entries {
                    if NOT_SECRET_MATERIAL.contains(&k) {
                        continue;
                    }
                    let child_name = match (&label, k) {
                        (Some(l), "Value" | "value") => l.clone(),
                        _ => k.to_owned(),
                    };
                    let child_path = if path.is_empty() {
                        k.to_owned()
                    } else {
                        format!("{path}.{k}")
                    };
                    self.scan_secrets(res, v, &child_path, &child_name, depth + 1);
                }
            }
        }
    }

    fn secret(&mut self, res: &str, path: &str, name: &str, value: &str, n: &Node) {
        if value.contains("{{resolve:") {
            return;
        }
        if let Some(why) = palisade_model::secrets::classify(name, value) {
            self.out.secrets.push(SecretLiteral {
                resource: res.to_owned(),
                attribute: path.to_owned(),
                loc: self.ev.loc(n),
                why,
                value: Secret::new(value.to_owned()),
            });
        }
    }
}

#[cfg(test)]
mod tests;
