//! Reading provider attributes out of raw attribute trees into [`Val`]s.
//!
//! Conventions, the same for every resource type:
//!
//! * an attribute that is absent or `null` takes the provider's documented
//!   default (`Val::Default`); optional attributes without a default become
//!   `Val::Default(None)` / an empty list. For strings and links, an empty
//!   string counts as absent (plan JSON writes `""` for unset optional
//!   strings, e.g. in inline `route` objects);
//! * a written value becomes `Val::Known` with the location of its node
//!   (falling back to the enclosing block, then the resource);
//! * `Raw::Unknown(reason)` becomes `Val::Unknown` with that reason, and a
//!   `Raw::Ref` used as a value becomes `Val::Unknown` with the reason
//!   "known only after apply: `aws_x.y.id`". Both are recorded in
//!   [`Cx::unknowns`];
//! * a value of the wrong type (a list where a bool is expected) becomes
//!   unknown too, with a note: the input would not pass `terraform validate`;
//! * links (`Val<Ref>`): a `Raw::Ref` becomes a link to the referenced
//!   resource's address (see [`Cx::resolve_ref`] for the attributes that are
//!   followed further), a literal string (an ID, an ARN, a name) becomes a
//!   link by that literal.

use super::addr;
use super::Cx;
use palisade_model::raw::{Raw, RawNode, RawResource};
use palisade_model::{Diagnostic, Location, Ref, Unknown, Val};

/// A map node being read (a resource body or a nested block), with what is
/// needed to report about it.
#[derive(Clone, Debug)]
pub(crate) struct Obj<'a> {
    /// Address of the resource the node belongs to.
    pub addr: &'a str,
    pub node: Option<&'a RawNode>,
    /// Set when the block itself is unknown: every read from it is unknown.
    pub unknown: Option<String>,
    /// Attribute path of the node inside the resource (`""`, `ingress[0]`).
    pub path: String,
    /// Location of the node, or of the nearest enclosing node that has one.
    pub loc: Location,
}

/// The instances of a nested block type.
pub(crate) struct Blocks<'a> {
    pub items: Vec<Obj<'a>>,
    /// Reason and location when some instances are unknown (a `dynamic`
    /// block over an unknown collection, an unknown list of objects).
    pub unknown: Option<(String, Location)>,
}

impl<'a> Obj<'a> {
    pub fn root(r: &'a RawResource) -> Self {
        Obj {
            addr: &r.address,
            node: Some(&r.body),
            unknown: None,
            path: String::new(),
            loc: r.body.loc.clone().unwrap_or_else(|| r.loc.clone()),
        }
    }

    /// Path of a child attribute.
    pub fn path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// A child attribute; `None` when absent or null.
    pub fn raw(&self, key: &str) -> Option<&'a RawNode> {
        let n = self.node?.get(key)?;
        (!n.is_null()).then_some(n)
    }

    /// A child attribute that is neither absent, null nor an empty string.
    pub fn raw_set(&self, key: &str) -> Option<&'a RawNode> {
        self.raw(key)
            .filter(|n| !matches!(&n.value, Raw::String(s) if s.is_empty()))
    }

    pub fn loc_of(&self, n: &RawNode) -> Location {
        n.loc.clone().unwrap_or_else(|| self.loc.clone())
    }

    /// True when the attribute is written (and not null or empty).
    pub fn has(&self, key: &str) -> bool {
        self.unknown.is_none() && self.raw_set(key).is_some()
    }

    /// A block instance is present (known or unknown).
    pub fn present(&self) -> bool {
        self.node.is_some() || self.unknown.is_some()
    }

    fn child(&self, node: &'a RawNode, path: String) -> Obj<'a> {
        Obj {
            addr: self.addr,
            node: Some(node),
            unknown: None,
            loc: self.loc_of(node),
            path,
        }
    }

    fn unknown_child(&self, reason: String, loc: Location, path: String) -> Obj<'a> {
        Obj {
            addr: self.addr,
            node: None,
            unknown: Some(reason),
            loc,
            path,
        }
    }

    /// Every instance of a nested block type (or list of objects).
    pub fn blocks(&self, key: &str) -> Blocks<'a> {
        let mut out = Blocks {
            items: Vec::new(),
            unknown: None,
        };
        if let Some(r) = &self.unknown {
            out.unknown = Some((r.clone(), self.loc.clone()));
            return out;
        }
        let Some(n) = self.raw(key) else {
            return out;
        };
        match &n.value {
            Raw::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    match &item.value {
                        Raw::Map(_) => out
                            .items
                            .push(self.child(item, format!("{}[{i}]", self.path(key)))),
                        Raw::Unknown(r) => {
                            out.unknown.get_or_insert((r.clone(), self.loc_of(item)));
                        }
                        Raw::Ref { address, attr } => {
                            out.unknown
                                .get_or_insert((ref_reason(address, attr), self.loc_of(item)));
                        }
                        _ => {}
                    }
                }
            }
            Raw::Map(_) => out.items.push(self.child(n, self.path(key))),
            Raw::Unknown(r) => out.unknown = Some((r.clone(), self.loc_of(n))),
            Raw::Ref { address, attr } => {
                out.unknown = Some((ref_reason(address, attr), self.loc_of(n)))
            }
            _ => {}
        }
        out
    }

    /// The first instance of a single nested block: an absent block reads as
    /// all defaults, an unknown one as all unknown.
    pub fn block(&self, key: &str) -> Obj<'a> {
        let b = self.blocks(key);
        if let Some(first) = b.items.into_iter().next() {
            return first;
        }
        match b.unknown {
            Some((r, loc)) => self.unknown_child(r, loc, self.path(key)),
            None => Obj {
                addr: self.addr,
                node: None,
                unknown: None,
                path: self.path(key),
                loc: self.loc.clone(),
            },
        }
    }
}

/// The reason given for a reference used where a value is needed.
pub(crate) fn ref_reason(address: &str, attr: &str) -> String {
    if attr.is_empty() {
        format!("known only after apply: `{address}`")
    } else {
        format!("known only after apply: `{address}.{attr}`")
    }
}

/// A number the way Terraform prints it (integers without a fraction).
pub(crate) fn fmt_num(n: f64) -> String {
    match as_int(n) {
        Some(i) => i.to_string(),
        None => format!("{n}"),
    }
}

pub(crate) fn as_int(n: f64) -> Option<i64> {
    // Exactly representable integers only; the casts are then lossless.
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation)]
        Some(n as i64)
    } else {
        None
    }
}

fn type_name(r: &Raw) -> &'static str {
    match r {
        Raw::Null => "null",
        Raw::Bool(_) => "a bool",
        Raw::Number(_) => "a number",
        Raw::String(_) => "a string",
        Raw::List(_) => "a list",
        Raw::Map(_) => "an object",
        Raw::Unknown(_) | Raw::Ref { .. } => "an unknown value",
    }
}

/// What an attribute read found.
enum Got<'a> {
    Absent,
    Node(&'a RawNode, Location),
    Unknown(String, Location),
}

fn scalar_string(n: &RawNode) -> Option<String> {
    match &n.value {
        Raw::String(s) => Some(s.clone()),
        Raw::Number(x) => Some(fmt_num(*x)),
        Raw::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn scalar_int(n: &RawNode) -> Option<i64> {
    match &n.value {
        Raw::Number(x) => as_int(*x),
        Raw::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

impl<'a> Cx<'a> {
    /// Records an unknown and returns it as a value.
    pub(crate) fn unknown<T>(
        &mut self,
        o: &Obj<'_>,
        attribute: &str,
        loc: Location,
        reason: String,
    ) -> Val<T> {
        self.record_unknown(
            o.addr,
            &o.path(attribute),
            Some(loc.clone()),
            reason.clone(),
        );
        Val::Unknown {
            reason,
            loc: Some(loc),
        }
    }

    pub(crate) fn record_unknown(
        &mut self,
        resource: &str,
        attribute: &str,
        location: Option<Location>,
        reason: String,
    ) {
        let u = Unknown {
            resource: resource.to_owned(),
            attribute: attribute.to_owned(),
            location,
            reason,
        };
        if !self.unknowns.contains(&u) {
            self.unknowns.push(u);
        }
    }

    pub(crate) fn note(&mut self, loc: &Location, message: String) {
        let d = Diagnostic::new(loc.file.to_string(), Some(loc.line), message);
        if !self.notes.contains(&d) {
            self.notes.push(d);
        }
    }

    fn type_error<T>(
        &mut self,
        o: &Obj<'_>,
        key: &str,
        loc: Location,
        expected: &str,
        found: &Raw,
    ) -> Val<T> {
        let msg = format!(
            "`{}` of `{}`: expected {expected}, found {}",
            o.path(key),
            o.addr,
            type_name(found)
        );
        self.note(&loc, msg.clone());
        self.unknown(o, key, loc, msg)
    }

    /// A child attribute as a value (references are unknown values).
    fn got<'b>(&self, o: &Obj<'b>, key: &str, empty_is_absent: bool) -> Got<'b> {
        if let Some(r) = &o.unknown {
            return Got::Unknown(r.clone(), o.loc.clone());
        }
        let n = if empty_is_absent {
            o.raw_set(key)
        } else {
            o.raw(key)
        };
        let Some(n) = n else {
            return Got::Absent;
        };
        let loc = o.loc_of(n);
        match &n.value {
            Raw::Unknown(r) => Got::Unknown(r.clone(), loc),
            Raw::Ref { address, attr } => Got::Unknown(ref_reason(address, attr), loc),
            _ => Got::Node(n, loc),
        }
    }

    pub(crate) fn bool(&mut self, o: &Obj<'_>, key: &str, default: bool) -> Val<bool> {
        match self.bool_opt(o, key) {
            Val::Known {
                value: Some(b),
                loc,
            } => Val::known(b, loc),
            Val::Known { value: None, .. } | Val::Default { .. } => Val::default_(default),
            Val::Unknown { reason, loc } => Val::Unknown { reason, loc },
        }
    }

    /// A bool without a default: `Default(None)` when absent.
    pub(crate) fn bool_opt(&mut self, o: &Obj<'_>, key: &str) -> Val<Option<bool>> {
        match self.got(o, key, true) {
            Got::Absent => Val::default_(None),
            Got::Unknown(r, loc) => self.unknown(o, key, loc, r),
            Got::Node(n, loc) => match n.as_bool() {
                Some(b) => Val::known(Some(b), loc),
                None => self.type_error(o, key, loc, "a bool", &n.value),
            },
        }
    }

    pub(crate) fn str_opt(&mut self, o: &Obj<'_>, key: &str) -> Val<Option<String>> {
        match self.got(o, key, true) {
            Got::Absent => Val::default_(None),
            Got::Unknown(r, loc) => self.unknown(o, key, loc, r),
            Got::Node(n, loc) => match scalar_string(n) {
                Some(s) => Val::known(Some(s), loc),
                None => self.type_error(o, key, loc, "a string", &n.value),
            },
        }
    }

    pub(crate) fn str_or(&mut self, o: &Obj<'_>, key: &str, default: &str) -> Val<String> {
        match self.str_opt(o, key) {
            Val::Known {
                value: Some(s),
                loc,
            } => Val::known(s, loc),
            Val::Known { value: None, .. } | Val::Default { .. } => {
                Val::default_(default.to_owned())
            }
            Val::Unknown { reason, loc } => Val::Unknown { reason, loc },
        }
    }

    /// A required string: unknown (and reported) when absent.
    pub(crate) fn str_req(&mut self, o: &Obj<'_>, key: &str) -> Val<String> {
        match self.str_opt(o, key) {
            Val::Known {
                value: Some(s),
                loc,
            } => Val::known(s, loc),
            Val::Known { value: None, .. } | Val::Default { .. } => {
                let loc = o.loc.clone();
                self.unknown(o, key, loc, format!("`{}` is not set", o.path(key)))
            }
            Val::Unknown { reason, loc } => Val::Unknown { reason, loc },
        }
    }

    pub(crate) fn int_opt(&mut self, o: &Obj<'_>, key: &str) -> Val<Option<i64>> {
        match self.got(o, key, true) {
            Got::Absent => Val::default_(None),
            Got::Unknown(r, loc) => self.unknown(o, key, loc, r),
            Got::Node(n, loc) => match scalar_int(n) {
                Some(i) => Val::known(Some(i), loc),
                None => self.type_error(o, key, loc, "a whole number", &n.value),
            },
        }
    }

    pub(crate) fn int_or(&mut self, o: &Obj<'_>, key: &str, default: i64) -> Val<i64> {
        match self.int_opt(o, key) {
            Val::Known {
                value: Some(i),
                loc,
            } => Val::known(i, loc),
            Val::Known { value: None, .. } | Val::Default { .. } => Val::default_(default),
            Val::Unknown { reason, loc } => Val::Unknown { reason, loc },
        }
    }

    /// A list (or set) of strings; `default` when absent.
    pub(crate) fn strs(&mut self, o: &Obj<'_>, key: &str, default: &[&str]) -> Val<Vec<String>> {
        if let Some(r) = &o.unknown {
            let (r, loc) = (r.clone(), o.loc.clone());
            return self.unknown(o, key, loc, r);
        }
        let Some(n) = o.raw(key) else {
            return Val::default_(default.iter().map(|s| (*s).to_owned()).collect());
        };
        let loc = o.loc_of(n);
        match self.strs_node(n) {
            Ok(v) => Val::known(v, loc),
            Err(LinkErr::Unknown(reason)) => self.unknown(o, key, loc, reason),
            Err(LinkErr::Type(found)) => self.type_error(o, key, loc, "a list of strings", &found),
        }
    }

    fn strs_node(&mut self, n: &RawNode) -> Result<Vec<String>, LinkErr> {
        match &n.value {
            Raw::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match &item.value {
                        Raw::Unknown(r) => {
                            return Err(LinkErr::Unknown(format!("an element is unknown: {r}")))
                        }
                        Raw::Ref { address, attr } => {
                            return Err(LinkErr::Unknown(format!(
                                "an element is {}",
                                ref_reason(address, attr)
                            )))
                        }
                        Raw::Null => {}
                        _ => match scalar_string(item) {
                            Some(s) => out.push(s),
                            None => return Err(LinkErr::Type(item.value.clone())),
                        },
                    }
                }
                Ok(out)
            }
            Raw::String(s) => Ok(vec![s.clone()]),
            Raw::Unknown(r) => Err(LinkErr::Unknown(r.clone())),
            Raw::Ref { address, attr } => match self.follow_attr(address, attr) {
                Some((_, node)) if self.depth_ok() => {
                    self.depth += 1;
                    let r = self.strs_node(node);
                    self.depth -= 1;
                    r
                }
                _ => Err(LinkErr::Unknown(ref_reason(address, attr))),
            },
            other => Err(LinkErr::Type(other.clone())),
        }
    }

    /// An identifier kept as a string (a certificate ARN, a permissions
    /// boundary ARN). The model types these as strings, not links; a
    /// reference stands as the referenced resource's address (so its
    /// presence is known) rather than as an unknown.
    pub(crate) fn ident_opt(&mut self, o: &Obj<'_>, key: &str) -> Val<Option<String>> {
        match self.link_opt(o, key) {
            Val::Known { value, loc } => Val::known(value.map(|r| r.0), loc),
            Val::Default { value } => Val::default_(value.map(|r| r.0)),
            Val::Unknown { reason, loc } => Val::Unknown { reason, loc },
        }
    }

    /// A required link: unknown (and reported) when absent.
    pub(crate) fn link(&mut self, o: &Obj<'_>, key: &str) -> Val<Ref> {
        match self.link_opt(o, key) {
            Val::Known {
                value: Some(r),
                loc,
            } => Val::known(r, loc),
            Val::Known { value: None, .. } | Val::Default { .. } => {
                let loc = o.loc.clone();
                self.unknown(o, key, loc, format!("`{}` is not set", o.path(key)))
            }
            Val::Unknown { reason, loc } => Val::Unknown { reason, loc },
        }
    }

    /// An optional link: `Default(None)` when absent.
    pub(crate) fn link_opt(&mut self, o: &Obj<'_>, key: &str) -> Val<Option<Ref>> {
        if let Some(r) = &o.unknown {
            let (r, loc) = (r.clone(), o.loc.clone());
            return self.unknown(o, key, loc, r);
        }
        let Some(n) = o.raw_set(key) else {
            return Val::default_(None);
        };
        let loc = o.loc_of(n);
        match self.link_node(n) {
            Ok(r) => Val::known(Some(r), loc),
            Err(LinkErr::Unknown(reason)) => self.unknown(o, key, loc, reason),
            Err(LinkErr::Type(found)) => {
                self.type_error(o, key, loc, "an identifier or reference", &found)
            }
        }
    }

    /// A list (or set) of links; empty by default.
    pub(crate) fn links(&mut self, o: &Obj<'_>, key: &str) -> Val<Vec<Ref>> {
        if let Some(r) = &o.unknown {
            let (r, loc) = (r.clone(), o.loc.clone());
            return self.unknown(o, key, loc, r);
        }
        let Some(n) = o.raw(key) else {
            return Val::default_(Vec::new());
        };
        let loc = o.loc_of(n);
        match self.links_node(n) {
            Ok(v) => Val::known(v, loc),
            Err(LinkErr::Unknown(reason)) => self.unknown(o, key, loc, reason),
            Err(LinkErr::Type(found)) => {
                self.type_error(o, key, loc, "a list of identifiers or references", &found)
            }
        }
    }

    fn links_node(&mut self, n: &RawNode) -> Result<Vec<Ref>, LinkErr> {
        match &n.value {
            Raw::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match &item.value {
                        Raw::Null => {}
                        Raw::String(s) if s.is_empty() => {}
                        _ => match self.link_node(item) {
                            Ok(r) => {
                                if !out.contains(&r) {
                                    out.push(r)
                                }
                            }
                            Err(LinkErr::Unknown(r)) => {
                                return Err(LinkErr::Unknown(format!("an element is unknown: {r}")))
                            }
                            Err(e) => return Err(e),
                        },
                    }
                }
                Ok(out)
            }
            Raw::String(s) if s.is_empty() => Ok(Vec::new()),
            Raw::String(s) => Ok(vec![Ref::new(s.clone())]),
            Raw::Unknown(r) => Err(LinkErr::Unknown(r.clone())),
            Raw::Ref { address, attr } => {
                // A whole list read from another resource (`aws_db_subnet_group.x.subnet_ids`).
                match self.follow_attr(address, attr) {
                    Some((_, node)) if self.depth_ok() => {
                        self.depth += 1;
                        let r = self.links_node(node);
                        self.depth -= 1;
                        r
                    }
                    _ => Err(LinkErr::Unknown(ref_reason(address, attr))),
                }
            }
            other => Err(LinkErr::Type(other.clone())),
        }
    }

    /// One link from a raw node.
    pub(crate) fn link_node(&mut self, n: &RawNode) -> Result<Ref, LinkErr> {
        match &n.value {
            Raw::String(s) => Ok(Ref::new(s.clone())),
            Raw::Number(x) => Ok(Ref::new(fmt_num(*x))),
            Raw::Ref { address, attr } => self.resolve_ref(address, attr),
            Raw::Unknown(r) => Err(LinkErr::Unknown(r.clone())),
            other => Err(LinkErr::Type(other.clone())),
        }
    }

    fn depth_ok(&self) -> bool {
        self.depth < 6
    }

    /// The written attribute `attr` (first path segment) of a managed
    /// resource of the input, if any.
    pub(crate) fn follow_attr(
        &self,
        address: &str,
        attr: &str,
    ) -> Option<(&'a RawResource, &'a RawNode)> {
        let res = *self.by_addr.get(address)?;
        let mut n = &res.body;
        for step in attr_path(attr)? {
            n = match (step, &n.value) {
                (Step::Key(k), Raw::Map(m)) => m.get(k)?,
                // A single nested block read without its index.
                (Step::Key(k), Raw::List(l)) if l.len() == 1 => l.first()?.get(k)?,
                (Step::Index(i), Raw::List(l)) => l.get(i)?,
                _ => return None,
            };
        }
        (!n.is_null() && !std::ptr::eq(n, &res.body)).then_some((res, n))
    }

    /// The link a reference stands for.
    ///
    /// * `aws_vpc.x.default_route_table_id` / `main_route_table_id`,
    ///   `default_network_acl_id` and `default_security_group_id` link to the
    ///   VPC's `aws_default_*` resource when the input declares one, or else
    ///   to a resource the adapter adds for it (see `Cx::synthesized`);
    /// * identity attributes (`id`, `arn`, `name`, `bucket`, `key_id`...) link
    ///   to the referenced resource itself;
    /// * any other attribute that the referenced resource writes in the input
    ///   is followed (`aws_subnet.a.vpc_id` links to what that subnet's
    ///   `vpc_id` links to);
    /// * otherwise the link names the referenced resource.
    pub(crate) fn resolve_ref(&mut self, address: &str, attr: &str) -> Result<Ref, LinkErr> {
        let head = attr_head(attr);
        match head {
            "default_route_table_id" | "main_route_table_id" => {
                return Ok(self.vpc_default(address, super::Synth::MainRouteTable))
            }
            // (`DefaultNetworkAcl` / `DefaultSecurityGroup`: the
            // CloudFormation `Fn::GetAtt` names of the same objects.)
            "default_network_acl_id" | "DefaultNetworkAcl" => {
                return Ok(self.vpc_default(address, super::Synth::DefaultNacl))
            }
            "default_security_group_id" | "DefaultSecurityGroup" => {
                return Ok(self.vpc_default(address, super::Synth::DefaultSecurityGroup))
            }
            _ => {}
        }
        if IDENTITY_ATTRS.contains(&head) {
            return Ok(Ref::new(address));
        }
        if let Some((_, node)) = self.follow_attr(address, attr) {
            if self.depth_ok() {
                self.depth += 1;
                let r = self.link_node(node);
                self.depth -= 1;
                // A followed value of another shape (a block) is no link of
                // its own: the link names the referenced resource.
                if !matches!(r, Err(LinkErr::Type(_))) {
                    return r;
                }
            }
        }
        Ok(Ref::new(address))
    }

    /// The link for a VPC's default route table / NACL / security group.
    fn vpc_default(&mut self, vpc: &str, what: super::Synth) -> Ref {
        let declared = match what {
            super::Synth::MainRouteTable => self.default_rt.get(vpc),
            super::Synth::DefaultNacl => self.default_nacl.get(vpc),
            super::Synth::DefaultSecurityGroup => self.default_sg.get(vpc),
        };
        if let Some(a) = declared {
            return Ref::new(a.clone());
        }
        let synth = format!("{vpc}.{}", what.suffix());
        let is_vpc = self.by_addr.get(vpc).is_some_and(|r| {
            matches!(
                r.kind.as_str(),
                "aws_vpc" | "aws_default_vpc" | "AWS::EC2::VPC"
            )
        });
        if is_vpc {
            self.synthesized
                .insert(synth.clone(), (what, vpc.to_owned()));
        }
        Ref::new(synth)
    }

    /// Keys (names) worth indexing a resource by, from a name value.
    pub(crate) fn known_str(v: &Val<Option<String>>) -> Option<String> {
        match v {
            Val::Known { value: Some(s), .. } if !s.is_empty() => Some(s.clone()),
            _ => None,
        }
    }
}

/// Why a link could not be read.
#[derive(Debug)]
pub(crate) enum LinkErr {
    Unknown(String),
    Type(Raw),
}

/// Attributes that identify the referenced resource itself.
const IDENTITY_ATTRS: &[&str] = &[
    "",
    "id",
    "arn",
    "name",
    "bucket",
    "key_id",
    "arn_suffix",
    "identifier",
    "cluster_identifier",
    "function_name",
    "domain_name",
    "unique_id",
    "self_link",
];

/// First segment of an attribute path (`vpc_config[0].x` → `vpc_config`).
pub(crate) fn attr_head(attr: &str) -> &str {
    let end = attr.find(['.', '[']).unwrap_or(attr.len());
    attr.get(..end).unwrap_or(attr)
}

/// One step of an attribute path.
enum Step<'s> {
    Key(&'s str),
    Index(usize),
}

/// `vpc_config[0].cluster_security_group_id` → key, index, key; `None` for
/// paths with other indexes (`["k"]`, `[*]`).
fn attr_path(attr: &str) -> Option<Vec<Step<'_>>> {
    let mut out = Vec::new();
    for part in attr.split('.') {
        let (name, rest) = match part.find('[') {
            Some(i) => (part.get(..i).unwrap_or(""), part.get(i..).unwrap_or("")),
            None => (part, ""),
        };
        if !name.is_empty() {
            out.push(Step::Key(name));
        }
        for idx in rest.split('[').filter(|x| !x.is_empty()) {
            match idx.trim_end_matches(']').parse() {
                Ok(i) => out.push(Step::Index(i)),
                Err(_) => return None,
            }
        }
    }
    Some(out)
}

/// The resource type named by a reference's address.
pub(crate) fn ref_type(address: &str) -> Option<&str> {
    addr::resource_type(address).map(|(t, _)| t)
}

/// An unknown value (not recorded: callers record one per placeholder).
pub(crate) fn uval<T>(reason: &str, loc: Option<&Location>) -> Val<T> {
    Val::unknown(reason, loc.cloned())
}
