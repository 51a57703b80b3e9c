#![allow(dead_code)]

use palisade_model::raw::{Raw, RawNode, RawResource};
use palisade_terraform::{load_root, Options, RootLoad};
use std::path::{Path, PathBuf};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn load(name: &str) -> RootLoad {
    load_with(name, Options::default())
}

pub fn load_with(name: &str, opts: Options) -> RootLoad {
    load_dir(&fixtures().join(name), &opts, &fixtures())
}

pub fn load_dir(dir: &Path, opts: &Options, base: &Path) -> RootLoad {
    let base = base.to_path_buf();
    let display = move |p: &Path| {
        p.strip_prefix(&base)
            .map(|r| r.display().to_string())
            .unwrap_or_else(|_| p.display().to_string())
    };
    load_root(dir, opts, &display)
}

pub fn addresses(l: &RootLoad) -> Vec<&str> {
    l.resources.iter().map(|r| r.address.as_str()).collect()
}

pub fn res<'a>(l: &'a RootLoad, addr: &str) -> &'a RawResource {
    l.resources
        .iter()
        .find(|r| r.address == addr)
        .unwrap_or_else(|| panic!("no resource {addr}; have {:?}", addresses(l)))
}

/// Follows a dotted path; numeric segments index lists.
pub fn get<'a>(r: &'a RawResource, path: &str) -> &'a RawNode {
    let mut node = &r.body;
    for seg in path.split('.') {
        node = match (&node.value, seg.parse::<usize>()) {
            (Raw::List(l), Ok(i)) => l
                .get(i)
                .unwrap_or_else(|| panic!("{}: index {i} out of range in {path}", r.address)),
            (Raw::Map(m), _) => m.get(seg).unwrap_or_else(|| {
                panic!(
                    "{}: no key {seg} in {path}; have {:?}",
                    r.address,
                    m.keys().collect::<Vec<_>>()
                )
            }),
            (other, _) => panic!(
                "{}: cannot descend into {other:?} at {seg} of {path}",
                r.address
            ),
        };
    }
    node
}

pub fn s<'a>(r: &'a RawResource, path: &str) -> &'a str {
    match &get(r, path).value {
        Raw::String(x) => x,
        other => panic!("{}: {path} is not a string: {other:?}", r.address),
    }
}

pub fn n(r: &RawResource, path: &str) -> f64 {
    match &get(r, path).value {
        Raw::Number(x) => *x,
        other => panic!("{}: {path} is not a number: {other:?}", r.address),
    }
}

pub fn b(r: &RawResource, path: &str) -> bool {
    match &get(r, path).value {
        Raw::Bool(x) => *x,
        other => panic!("{}: {path} is not a bool: {other:?}", r.address),
    }
}

/// A raw node as a compact JSON-like string (for concise assertions).
pub fn show(node: &RawNode) -> String {
    match &node.value {
        Raw::Null => "null".into(),
        Raw::Bool(b) => b.to_string(),
        Raw::Number(n) => {
            if n.fract() == 0.0 {
                format!("{}", *n as i64)
            } else {
                n.to_string()
            }
        }
        Raw::String(s) => format!("{s:?}"),
        Raw::List(l) => format!("[{}]", l.iter().map(show).collect::<Vec<_>>().join(",")),
        Raw::Map(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{k}:{}", show(v)))
                .collect::<Vec<_>>()
                .join(",")
        ),
        Raw::Unknown(_) => "?".into(),
        Raw::Ref { address, attr } => format!("ref({address}.{attr})"),
    }
}

pub fn sh(r: &RawResource, path: &str) -> String {
    show(get(r, path))
}

pub fn unknown_reason<'a>(r: &'a RawResource, path: &str) -> &'a str {
    match &get(r, path).value {
        Raw::Unknown(why) => why,
        other => panic!("{}: {path} is not unknown: {other:?}", r.address),
    }
}

/// True when no concrete value hides anywhere inside the node.
pub fn wholly_unknown(node: &RawNode) -> bool {
    matches!(node.value, Raw::Unknown(_) | Raw::Ref { .. })
}

/// A fresh temporary directory for tests that write files.
pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("palisade-tf-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create temp dir");
    d
}
