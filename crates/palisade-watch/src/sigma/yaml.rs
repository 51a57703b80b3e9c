//! A small owned YAML tree converted from saphyr, so the rule compiler does not
//! depend on saphyr's representation.

use saphyr::{LoadableYamlNode, Scalar, Yaml};

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Y {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Y>),
    Map(Vec<(String, Y)>),
}

impl Y {
    pub fn get(&self, key: &str) -> Option<&Y> {
        match self {
            Y::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Y::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A scalar as text (strings, numbers, booleans).
    pub fn scalar_text(&self) -> Option<String> {
        match self {
            Y::Str(s) => Some(s.clone()),
            Y::Int(i) => Some(i.to_string()),
            Y::Float(f) => Some(f.to_string()),
            Y::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}

fn scalar(s: &Scalar<'_>) -> Y {
    match s {
        Scalar::Null => Y::Null,
        Scalar::Boolean(b) => Y::Bool(*b),
        Scalar::Integer(i) => Y::Int(*i),
        Scalar::FloatingPoint(f) => Y::Float(f.into_inner()),
        Scalar::String(s) => Y::Str(s.to_string()),
    }
}

fn convert(y: &Yaml<'_>) -> Result<Y, String> {
    Ok(match y {
        Yaml::Value(s) => scalar(s),
        Yaml::Representation(s, _, _) => Y::Str(s.to_string()),
        Yaml::Sequence(items) => Y::Seq(items.iter().map(convert).collect::<Result<_, _>>()?),
        Yaml::Mapping(m) => {
            let mut out = Vec::with_capacity(m.len());
            for (k, v) in m.iter() {
                let key = match convert(k)? {
                    Y::Null => String::new(),
                    other => other.scalar_text().ok_or("mapping keys must be scalars")?,
                };
                out.push((key, convert(v)?));
            }
            Y::Map(out)
        }
        Yaml::Tagged(_, inner) => convert(inner)?,
        Yaml::Alias(_) => return Err("YAML aliases are not supported".to_owned()),
        Yaml::BadValue => return Err("invalid YAML value".to_owned()),
    })
}

/// Parses every document of a YAML text.
pub(crate) fn load_documents(text: &str) -> Result<Vec<Y>, String> {
    let docs = Yaml::load_from_str(text).map_err(|e| format!("YAML syntax error: {e}"))?;
    docs.iter().map(convert).collect()
}
