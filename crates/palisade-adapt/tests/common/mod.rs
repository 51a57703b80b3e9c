//! A small builder for raw resources, as a loader would produce them.
#![allow(dead_code)]

use palisade_model::raw::{Mode, Raw, RawNode, RawResource};
use palisade_model::Location;
use serde_json::Value as Json;
use std::sync::atomic::{AtomicU32, Ordering};

static LINE: AtomicU32 = AtomicU32::new(1);

/// A fresh location (each node gets its own line).
pub fn loc() -> Location {
    let l = LINE.fetch_add(1, Ordering::Relaxed);
    Location::new("main.tf", l, l)
}

fn node(v: Raw) -> RawNode {
    RawNode::new(v, Some(loc()))
}

pub fn s(v: &str) -> RawNode {
    node(Raw::String(v.to_owned()))
}
pub fn b(v: bool) -> RawNode {
    node(Raw::Bool(v))
}
pub fn n(v: f64) -> RawNode {
    node(Raw::Number(v))
}
pub fn null() -> RawNode {
    node(Raw::Null)
}
/// A reference to another resource's attribute.
pub fn r(address: &str, attr: &str) -> RawNode {
    node(Raw::Ref {
        address: address.to_owned(),
        attr: attr.to_owned(),
    })
}
pub fn unk(reason: &str) -> RawNode {
    node(Raw::Unknown(reason.to_owned()))
}
pub fn list(items: Vec<RawNode>) -> RawNode {
    node(Raw::List(items))
}
pub fn strs(items: &[&str]) -> RawNode {
    list(items.iter().map(|x| s(x)).collect())
}
pub fn map(pairs: Vec<(&str, RawNode)>) -> RawNode {
    node(Raw::Map(
        pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
    ))
}
/// A nested block type with its instances.
pub fn blocks(items: Vec<Vec<(&str, RawNode)>>) -> RawNode {
    list(items.into_iter().map(map).collect())
}
/// A single nested block.
pub fn block(pairs: Vec<(&str, RawNode)>) -> RawNode {
    blocks(vec![pairs])
}

fn resource(mode: Mode, kind: &str, name: &str, body: Vec<(&str, RawNode)>) -> RawResource {
    let address = match mode {
        Mode::Managed => format!("{kind}.{name}"),
        Mode::Data => format!("data.{kind}.{name}"),
    };
    RawResource {
        address,
        kind: kind.to_owned(),
        mode,
        loc: loc(),
        body: map(body),
    }
}

/// A managed resource `kind.name`.
pub fn res(kind: &str, name: &str, body: Vec<(&str, RawNode)>) -> RawResource {
    resource(Mode::Managed, kind, name, body)
}

/// A data source `data.kind.name`.
pub fn data(kind: &str, name: &str, body: Vec<(&str, RawNode)>) -> RawResource {
    resource(Mode::Data, kind, name, body)
}

/// A value serialized with every location and meta removed, for comparing
/// what is configured whatever the form it was written in.
pub fn shape<T: serde::Serialize>(v: &T) -> Json {
    fn strip(j: &mut Json) {
        match j {
            Json::Object(m) => {
                m.remove("loc");
                m.remove("meta");
                m.values_mut().for_each(strip);
            }
            Json::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut j = serde_json::to_value(v).unwrap_or(Json::Null);
    strip(&mut j);
    j
}
