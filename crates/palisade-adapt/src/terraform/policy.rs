//! Policy documents: JSON strings (heredocs, `jsonencode` output, `file`),
//! object trees (a `jsonencode` argument kept as structure), references to
//! `aws_iam_policy_document` data sources (rendered here as the provider
//! renders them) and references to other resources' policy attributes.
//!
//! Unknown parts are replaced by the sentinel described in the crate docs
//! ([`crate::UNKNOWN_MARKER`]).

use super::addr;
use super::read::{fmt_num, ref_reason, Obj};
use super::Cx;
use crate::UNKNOWN_MARKER;
use palisade_model::aws::PolicyDoc;
use palisade_model::raw::{Raw, RawNode, RawResource};
use palisade_model::Val;
use serde_json::{Map, Value as Json};

/// Unknown parts met while building a document.
#[derive(Clone, Debug, Default)]
pub(crate) struct Acc {
    pub count: usize,
    pub first: Option<String>,
}

impl Acc {
    fn add(&mut self, reason: String) {
        self.count += 1;
        if self.first.is_none() {
            self.first = Some(reason);
        }
    }

    fn extend(&mut self, other: &Acc) {
        self.count += other.count;
        if self.first.is_none() {
            self.first.clone_from(&other.first);
        }
    }

    fn reason(&self) -> String {
        format!(
            "{} part(s) of the policy document are unknown and stand as `{UNKNOWN_MARKER}` in it (first: {})",
            self.count,
            self.first.as_deref().unwrap_or("unknown value")
        )
    }
}

/// What a policy attribute holds.
pub(crate) enum Policy {
    /// No policy (absent, null or an empty string).
    Absent,
    Doc(Json, Acc),
    Unknown(String),
    /// Not a policy document (malformed JSON, a number...).
    Invalid(String),
}

fn marker() -> Json {
    Json::String(UNKNOWN_MARKER.to_owned())
}

/// The sentinel for a reference: `${unknown}address.attr`.
fn marker_ref(address: &str, attr: &str) -> Json {
    let full = if attr.is_empty() {
        address.to_owned()
    } else {
        format!("{address}.{attr}")
    };
    if full.contains(['*', '?']) {
        marker()
    } else {
        Json::String(format!("{UNKNOWN_MARKER}{full}"))
    }
}

/// The sentinel for an unknown or reference node, recording why.
fn leaf_marker(n: &RawNode, acc: &mut Acc) -> Option<Json> {
    match &n.value {
        Raw::Unknown(r) => {
            acc.add(r.clone());
            Some(marker())
        }
        Raw::Ref { address, attr } => {
            acc.add(ref_reason(address, attr));
            Some(marker_ref(address, attr))
        }
        _ => None,
    }
}

fn num_json(x: f64) -> Json {
    match super::read::as_int(x) {
        Some(i) => Json::from(i),
        None => serde_json::Number::from_f64(x).map_or(Json::Null, Json::Number),
    }
}

/// A raw tree as JSON, unknown leaves replaced by the sentinel.
fn raw_to_json(n: &RawNode, acc: &mut Acc) -> Json {
    match &n.value {
        Raw::Null => Json::Null,
        Raw::Bool(b) => Json::Bool(*b),
        Raw::Number(x) => num_json(*x),
        Raw::String(s) => Json::String(s.clone()),
        Raw::List(items) => Json::Array(items.iter().map(|i| raw_to_json(i, acc)).collect()),
        Raw::Map(m) => Json::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), raw_to_json(v, acc)))
                .collect(),
        ),
        Raw::Unknown(_) | Raw::Ref { .. } => leaf_marker(n, acc).unwrap_or_else(marker),
    }
}

/// A statement standing for statements that could not be known.
fn unknown_statement() -> Json {
    let mut m = Map::new();
    m.insert("Effect".into(), marker());
    m.insert("Action".into(), marker());
    m.insert("Resource".into(), marker());
    Json::Object(m)
}

/// The provider's `IAMPolicyDoc`, for merging.
#[derive(Default)]
struct Doc {
    version: String,
    id: String,
    statements: Vec<Json>,
}

impl Doc {
    fn from_json(j: &Json) -> Doc {
        let s = |k: &str| {
            j.get(k)
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let statements = match j.get("Statement") {
            Some(Json::Array(a)) => a.clone(),
            Some(o @ Json::Object(_)) => vec![o.clone()],
            _ => Vec::new(),
        };
        Doc {
            version: s("Version"),
            id: s("Id"),
            statements,
        }
    }

    /// `IAMPolicyDoc.Merge`: adopt the Id, upgrade the Version, and replace
    /// statements with the same non-empty Sid (others are appended).
    fn merge(&mut self, new: Doc) {
        if !new.id.is_empty() {
            self.id = new.id;
        }
        if new.version > self.version {
            self.version = new.version;
        }
        for st in new.statements {
            let sid = sid_of(&st);
            let existing =
                sid.and_then(|sid| self.statements.iter().position(|e| sid_of(e) == Some(sid)));
            match existing {
                Some(i) => {
                    if let Some(slot) = self.statements.get_mut(i) {
                        *slot = st;
                    }
                }
                None => self.statements.push(st),
            }
        }
    }

    fn into_json(self) -> Json {
        let mut m = Map::new();
        if !self.version.is_empty() {
            m.insert("Version".into(), Json::String(self.version));
        }
        if !self.id.is_empty() {
            m.insert("Id".into(), Json::String(self.id));
        }
        if !self.statements.is_empty() {
            m.insert("Statement".into(), Json::Array(self.statements));
        }
        Json::Object(m)
    }
}

/// A statement's Sid when it is known and non-empty.
fn sid_of(st: &Json) -> Option<&str> {
    st.get("Sid")
        .and_then(Json::as_str)
        .filter(|s| !s.is_empty() && !s.contains(UNKNOWN_MARKER))
}

/// The provider writes `&{var}` for IAM policy variables so HCL does not
/// interpolate them; the rendered JSON has `${var}`.
fn policy_vars(s: &str) -> String {
    s.replace("&{", "${")
}

/// A string set rendered as the provider does: one element → a string,
/// several → deduplicated and sorted in reverse order.
fn string_set(n: Option<&RawNode>, acc: &mut Acc, vars: bool) -> Option<Json> {
    let n = n.filter(|n| !n.is_null())?;
    let mut items: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !items.contains(&s) {
            items.push(s)
        }
    };
    match &n.value {
        Raw::List(list) => {
            for item in list {
                if let Some(Json::String(m)) = leaf_marker(item, acc) {
                    push(m);
                    continue;
                }
                match &item.value {
                    Raw::String(s) => push(if vars { policy_vars(s) } else { s.clone() }),
                    Raw::Number(x) => push(fmt_num(*x)),
                    Raw::Bool(b) => push(b.to_string()),
                    _ => {}
                }
            }
        }
        Raw::String(s) => push(if vars { policy_vars(s) } else { s.clone() }),
        Raw::Unknown(_) | Raw::Ref { .. } => {
            leaf_marker(n, acc);
            return Some(marker());
        }
        _ => {}
    }
    match items.len() {
        0 => None,
        1 => items.pop().map(Json::String),
        _ => {
            items.sort_unstable_by(|a, b| b.cmp(a));
            Some(Json::Array(items.into_iter().map(Json::String).collect()))
        }
    }
}

/// The map nodes of a block list; `true` when some instance is unknown.
fn block_maps<'n>(n: Option<&'n RawNode>, acc: &mut Acc) -> (Vec<&'n RawNode>, bool) {
    let Some(n) = n.filter(|n| !n.is_null()) else {
        return (Vec::new(), false);
    };
    match &n.value {
        Raw::List(items) => {
            let mut out = Vec::new();
            let mut unknown = false;
            for i in items {
                match &i.value {
                    Raw::Map(_) => out.push(i),
                    Raw::Unknown(_) | Raw::Ref { .. } => {
                        leaf_marker(i, acc);
                        unknown = true;
                    }
                    _ => {}
                }
            }
            (out, unknown)
        }
        Raw::Map(_) => (vec![n], false),
        Raw::Unknown(_) | Raw::Ref { .. } => {
            leaf_marker(n, acc);
            (Vec::new(), true)
        }
        _ => (Vec::new(), false),
    }
}

/// A plain string attribute of a block, or the sentinel.
fn string_attr(block: &RawNode, key: &str, acc: &mut Acc) -> Option<String> {
    let n = block.get(key).filter(|n| !n.is_null())?;
    if let Some(Json::String(m)) = leaf_marker(n, acc) {
        return Some(m);
    }
    match &n.value {
        Raw::String(s) => Some(s.clone()),
        Raw::Number(x) => Some(fmt_num(*x)),
        Raw::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `principals` / `not_principals` blocks as the provider marshals them.
fn principals(n: Option<&RawNode>, acc: &mut Acc) -> Option<Json> {
    let (blocks, unknown) = block_maps(n, acc);
    if unknown {
        return Some(marker());
    }
    if blocks.is_empty() {
        return None;
    }
    let mut rendered = Vec::with_capacity(blocks.len());
    for b in &blocks {
        let ty = string_attr(b, "type", acc).unwrap_or_default();
        let ids = string_set(b.get("identifiers"), acc, true);
        rendered.push((ty, ids));
    }
    if let [(ty, Some(Json::String(id)))] = rendered.as_slice() {
        if ty == "*" && id == "*" {
            return Some(Json::String("*".into()));
        }
    }
    let mut out = Map::new();
    for (ty, ids) in rendered {
        let (key, ids) = if ty.contains(UNKNOWN_MARKER) {
            (UNKNOWN_MARKER.to_owned(), Some(marker()))
        } else {
            (ty, ids)
        };
        let Some(ids) = ids else { continue };
        let merged = match (out.remove(&key), ids) {
            (None, v) => v,
            (Some(Json::String(a)), Json::String(b)) => {
                Json::Array(vec![Json::String(a), Json::String(b)])
            }
            (Some(Json::String(a)), Json::Array(mut b)) => {
                b.insert(0, Json::String(a));
                Json::Array(b)
            }
            (Some(Json::Array(mut a)), Json::String(b)) => {
                a.push(Json::String(b));
                Json::Array(a)
            }
            (Some(Json::Array(mut a)), Json::Array(b)) => {
                a.extend(b);
                Json::Array(a)
            }
            (Some(_), v) => v,
        };
        out.insert(key, merged);
    }
    (!out.is_empty()).then_some(Json::Object(out))
}

/// `condition` blocks: `{test: {variable: values}}`, values in written
/// order, a single value as a string.
fn conditions(n: Option<&RawNode>, acc: &mut Acc) -> Option<Json> {
    let (blocks, unknown) = block_maps(n, acc);
    let mut out: Map<String, Json> = Map::new();
    if unknown {
        let mut inner = Map::new();
        inner.insert(UNKNOWN_MARKER.to_owned(), marker());
        out.insert(UNKNOWN_MARKER.to_owned(), Json::Object(inner));
    }
    for b in blocks {
        let test = string_attr(b, "test", acc).unwrap_or_default();
        let variable = string_attr(b, "variable", acc).unwrap_or_default();
        let mut values: Vec<Json> = Vec::new();
        match b.get("values").map(|v| &v.value) {
            Some(Raw::List(items)) => {
                for i in items {
                    if let Some(m) = leaf_marker(i, acc) {
                        values.push(m);
                        continue;
                    }
                    match &i.value {
                        Raw::String(s) => values.push(Json::String(policy_vars(s))),
                        Raw::Number(x) => values.push(Json::String(fmt_num(*x))),
                        Raw::Bool(x) => values.push(Json::String(x.to_string())),
                        _ => {}
                    }
                }
            }
            Some(Raw::String(s)) => values.push(Json::String(policy_vars(s))),
            Some(Raw::Unknown(_) | Raw::Ref { .. }) => {
                if let Some(m) = b.get("values").and_then(|v| leaf_marker(v, acc)) {
                    values.push(m);
                }
            }
            _ => {}
        }
        let (test, variable) = if test.contains(UNKNOWN_MARKER) || variable.contains(UNKNOWN_MARKER)
        {
            values = vec![marker()];
            (
                if test.contains(UNKNOWN_MARKER) {
                    UNKNOWN_MARKER.to_owned()
                } else {
                    test
                },
                if variable.contains(UNKNOWN_MARKER) {
                    UNKNOWN_MARKER.to_owned()
                } else {
                    variable
                },
            )
        } else {
            (test, variable)
        };
        let by_test = out.entry(test).or_insert_with(|| Json::Object(Map::new()));
        if let Json::Object(by_var) = by_test {
            let slot = by_var
                .entry(variable)
                .or_insert_with(|| Json::Array(Vec::new()));
            match slot {
                Json::Array(a) => a.extend(values),
                other => {
                    let prev = std::mem::take(other);
                    let mut a = vec![prev];
                    a.extend(values);
                    *other = Json::Array(a);
                }
            }
        }
    }
    // Flatten single values, as AWS writes them.
    for by_var in out.values_mut() {
        if let Json::Object(m) = by_var {
            for v in m.values_mut() {
                if let Json::Array(a) = v {
                    if a.len() == 1 {
                        if let Some(x) = a.pop() {
                            *v = x;
                        }
                    }
                }
            }
        }
    }
    (!out.is_empty()).then_some(Json::Object(out))
}

/// One `statement` block.
fn statement(b: &RawNode, acc: &mut Acc) -> Json {
    let mut m = Map::new();
    if let Some(sid) = string_attr(b, "sid", acc).filter(|s| !s.is_empty()) {
        m.insert("Sid".into(), Json::String(sid));
    }
    let effect = string_attr(b, "effect", acc).unwrap_or_else(|| "Allow".into());
    m.insert("Effect".into(), Json::String(effect));
    let lists = [
        ("actions", "Action", false),
        ("not_actions", "NotAction", false),
        ("resources", "Resource", true),
        ("not_resources", "NotResource", true),
    ];
    for (attr, key, vars) in lists {
        if let Some(v) = string_set(b.get(attr), acc, vars) {
            m.insert(key.into(), v);
        }
    }
    if let Some(p) = principals(b.get("principals"), acc) {
        m.insert("Principal".into(), p);
    }
    if let Some(p) = principals(b.get("not_principals"), acc) {
        m.insert("NotPrincipal".into(), p);
    }
    if let Some(c) = conditions(b.get("condition"), acc) {
        m.insert("Condition".into(), c);
    }
    Json::Object(m)
}

/// Maximum depth of documents referring to documents.
const MAX_DEPTH: u32 = 8;

impl<'a> Cx<'a> {
    /// An optional policy attribute.
    pub(crate) fn policy_opt(&mut self, o: &Obj<'_>, key: &str) -> Val<Option<PolicyDoc>> {
        if let Some(r) = &o.unknown {
            let (r, loc) = (r.clone(), o.loc.clone());
            return self.unknown(o, key, loc, r);
        }
        let Some(n) = o.raw(key) else {
            return Val::default_(None);
        };
        let loc = o.loc_of(n);
        match self.policy_node(n, 0) {
            Policy::Absent => Val::known(None, loc),
            Policy::Doc(doc, acc) => {
                if acc.count > 0 {
                    self.record_unknown(o.addr, &o.path(key), Some(loc.clone()), acc.reason());
                }
                Val::known(Some(doc), loc)
            }
            Policy::Unknown(reason) => self.unknown(o, key, loc, reason),
            Policy::Invalid(msg) => {
                let msg = format!(
                    "`{}` of `{}` is not a policy document: {msg}",
                    o.path(key),
                    o.addr
                );
                self.note(&loc, msg.clone());
                self.unknown(o, key, loc, msg)
            }
        }
    }

    /// A required policy attribute: unknown when absent.
    pub(crate) fn policy_req(&mut self, o: &Obj<'_>, key: &str) -> Val<PolicyDoc> {
        match self.policy_opt(o, key) {
            Val::Known {
                value: Some(d),
                loc,
            } => Val::known(d, loc),
            Val::Known { value: None, loc } => {
                self.unknown(o, key, loc, format!("`{}` is empty", o.path(key)))
            }
            Val::Default { .. } => {
                let loc = o.loc.clone();
                self.unknown(o, key, loc, format!("`{}` is not set", o.path(key)))
            }
            Val::Unknown { reason, loc } => Val::Unknown { reason, loc },
        }
    }

    /// What a policy node holds.
    pub(crate) fn policy_node(&mut self, n: &RawNode, depth: u32) -> Policy {
        match &n.value {
            Raw::Null => Policy::Absent,
            Raw::String(s) if s.trim().is_empty() => Policy::Absent,
            Raw::String(s) => match serde_json::from_str::<Json>(s.trim()) {
                Ok(j @ Json::Object(_)) => Policy::Doc(j, Acc::default()),
                Ok(_) => Policy::Invalid("the JSON is not an object".into()),
                Err(e) => Policy::Invalid(format!("invalid JSON ({e})")),
            },
            Raw::Map(_) => {
                let mut acc = Acc::default();
                let j = raw_to_json(n, &mut acc);
                Policy::Doc(j, acc)
            }
            Raw::Unknown(r) => Policy::Unknown(r.clone()),
            Raw::Ref { address, attr } => self.policy_ref(address, attr, depth),
            Raw::Bool(_) | Raw::Number(_) | Raw::List(_) => {
                Policy::Invalid("not a JSON object".into())
            }
        }
    }

    fn policy_ref(&mut self, address: &str, attr: &str, depth: u32) -> Policy {
        if depth > MAX_DEPTH {
            return Policy::Unknown(format!("policy documents nest too deeply at `{address}`"));
        }
        if let Some(("aws_iam_policy_document", true)) = addr::resource_type(address) {
            if matches!(attr, "json" | "minified_json") {
                if let Some(res) = self.by_addr.get(address).copied() {
                    return match self.render_document(res, depth) {
                        Some((doc, acc)) => Policy::Doc(doc, acc),
                        None => Policy::Unknown(format!(
                            "policy documents refer to each other in a cycle at `{address}`"
                        )),
                    };
                }
                return Policy::Unknown(format!("`{address}` is not in the scanned input"));
            }
        }
        // A policy attribute of a resource of the input (`aws_iam_policy.p.policy`).
        if let Some((_, node)) = self.follow_attr(address, attr) {
            return self.policy_node(node, depth + 1);
        }
        Policy::Unknown(ref_reason(address, attr))
    }

    /// Renders an `aws_iam_policy_document` data source. `None` on a cycle.
    pub(crate) fn render_document(
        &mut self,
        res: &'a RawResource,
        depth: u32,
    ) -> Option<(Json, Acc)> {
        if let Some(done) = self.documents.get(&res.address) {
            return Some(done.clone());
        }
        if !self.rendering.insert(res.address.clone()) {
            return None;
        }
        let body = &res.body;
        let mut acc = Acc::default();
        let mut merged = Doc::default();
        for d in self.input_documents(body.get("source_policy_documents"), depth, &mut acc) {
            merged.merge(d);
        }
        let mut current = Doc {
            version: string_attr(body, "version", &mut acc).unwrap_or_else(|| "2012-10-17".into()),
            id: string_attr(body, "policy_id", &mut acc).unwrap_or_default(),
            statements: Vec::new(),
        };
        let (blocks, unknown) = block_maps(body.get("statement"), &mut acc);
        current.statements = blocks.iter().map(|b| statement(b, &mut acc)).collect();
        if unknown {
            current.statements.push(unknown_statement());
        }
        merged.merge(current);
        for d in self.input_documents(body.get("override_policy_documents"), depth, &mut acc) {
            merged.merge(d);
        }
        let out = (merged.into_json(), acc);
        self.rendering.remove(&res.address);
        self.documents.insert(res.address.clone(), out.clone());
        Some(out)
    }

    /// The documents of `source_policy_documents` / `override_policy_documents`.
    fn input_documents(&mut self, n: Option<&RawNode>, depth: u32, acc: &mut Acc) -> Vec<Doc> {
        let Some(n) = n.filter(|n| !n.is_null()) else {
            return Vec::new();
        };
        let unknown_doc = || Doc {
            statements: vec![unknown_statement()],
            ..Doc::default()
        };
        let items: Vec<&RawNode> = match &n.value {
            Raw::List(items) => items.iter().collect(),
            Raw::Unknown(_) | Raw::Ref { .. } => {
                leaf_marker(n, acc);
                return vec![unknown_doc()];
            }
            _ => vec![n],
        };
        let mut out = Vec::new();
        for item in items {
            match self.policy_node(item, depth + 1) {
                Policy::Absent => {}
                Policy::Doc(j, inner) => {
                    acc.extend(&inner);
                    out.push(Doc::from_json(&j));
                }
                Policy::Unknown(r) => {
                    acc.add(r);
                    out.push(unknown_doc());
                }
                Policy::Invalid(r) => {
                    acc.add(format!("a merged policy document is invalid: {r}"));
                    out.push(unknown_doc());
                }
            }
        }
        out
    }
}
