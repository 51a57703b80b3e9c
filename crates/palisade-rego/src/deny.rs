//! `deny` entries → findings.

use crate::meta::short;
use crate::{CustomRule, Evaluation};
use palisade_model::finding::{fingerprint, Finding};
use palisade_model::{Diagnostic, Location, Model};
use serde_json::{Map, Value as Json};
use std::collections::HashMap;

/// Resources of the model by address, then by key: the address and the
/// location a `deny` entry's `resource` stands for.
pub(crate) struct Index<'m> {
    by_address: HashMap<&'m str, &'m Location>,
    by_key: HashMap<&'m str, (&'m str, &'m Location)>,
}

impl<'m> Index<'m> {
    pub(crate) fn new(model: &'m Model) -> Self {
        let mut by_address = HashMap::new();
        let mut by_key = HashMap::new();
        let metas = model
            .aws
            .metas()
            .into_iter()
            .map(|(_, m)| m)
            .chain(model.k8s.metas());
        for m in metas {
            // The first resource with an address wins: owners come before
            // the parts listed under their address.
            by_address.entry(m.address.as_str()).or_insert(&m.loc);
            for k in &m.keys {
                by_key
                    .entry(k.as_str())
                    .or_insert((m.address.as_str(), &m.loc));
            }
        }
        for s in &model.secrets {
            by_address.entry(s.resource.as_str()).or_insert(&s.loc);
        }
        Index { by_address, by_key }
    }

    /// The address and location `resource` names, if it is in the model.
    fn get(&self, resource: &'m str) -> Option<(&'m str, &'m Location)> {
        self.by_address
            .get_key_value(resource)
            .map(|(a, l)| (*a, *l))
            .or_else(|| self.by_key.get(resource).copied())
    }
}

const ENTRY_KEYS: &[&str] = &["resource", "message", "location"];

/// Turns the value of a rule's `deny` into findings; malformed entries
/// become one error for the rule.
pub(crate) fn findings(
    rule: &CustomRule,
    value: &regorus::Value,
    index: &Index<'_>,
    out: &mut Evaluation,
) {
    let mut bad: Vec<String> = Vec::new();
    let entries = match value {
        regorus::Value::Undefined => Vec::new(),
        regorus::Value::Set(_) | regorus::Value::Array(_) => match serde_json::to_value(value) {
            Ok(Json::Array(items)) => items,
            Ok(other) => {
                bad.push(format!(
                    "`deny` must be a set of objects, got {}",
                    short(&other)
                ));
                Vec::new()
            }
            Err(e) => {
                bad.push(format!("`deny` cannot be read: {e}"));
                Vec::new()
            }
        },
        other => {
            let shown = serde_json::to_value(other).unwrap_or(Json::Null);
            bad.push(format!(
                "`deny` must be a set of objects (`deny contains {{...}} if ...`), got {}",
                short(&shown)
            ));
            Vec::new()
        }
    };
    for entry in &entries {
        match finding(rule, entry, index) {
            Ok(f) => out.findings.push(f),
            Err(e) => bad.push(e),
        }
    }
    if let Some(first) = bad.first() {
        let more = match bad.len() {
            1 => String::new(),
            n => format!(" ({} more bad entries)", n - 1),
        };
        out.errors.push(Diagnostic::new(
            rule.file.clone(),
            rule.deny_line,
            format!("custom rule {}: {first}{more}", rule.info.id),
        ));
    }
}

fn finding(rule: &CustomRule, entry: &Json, index: &Index<'_>) -> Result<Finding, String> {
    let Some(obj) = entry.as_object() else {
        return Err(format!(
            "a `deny` entry must be an object {{\"resource\": ADDRESS, \"message\": TEXT, \"location\": {{\"file\", \"line\"}}}}, got {}",
            short(entry)
        ));
    };
    if let Some(k) = obj.keys().find(|k| !ENTRY_KEYS.contains(&k.as_str())) {
        return Err(format!(
            "`deny` entry has unknown key `{k}` (expected resource, message, location): {}",
            short(entry)
        ));
    }
    let resource = text(obj, "resource", entry)?;
    let message = text(obj, "message", entry)?;
    let found = index.get(resource);
    let location = match obj.get("location") {
        None | Some(Json::Null) => match found {
            Some((_, loc)) => loc.clone(),
            None => {
                return Err(format!(
                    "resource `{resource}` is not in the model and the entry has no `location`"
                ))
            }
        },
        Some(l) => location(l)?,
    };
    let resource = found.map_or(resource, |(address, _)| address).to_string();
    let info = &rule.info;
    Ok(Finding {
        rule: info.id.clone(),
        severity: info.severity,
        title: info.title.clone(),
        practices: info.practices.clone(),
        fingerprint: fingerprint(&[&info.id, &resource, message]),
        resource,
        location,
        message: message.to_string(),
        remediation: info.remediation.clone(),
    })
}

fn text<'a>(obj: &'a Map<String, Json>, key: &str, entry: &Json) -> Result<&'a str, String> {
    match obj.get(key) {
        Some(Json::String(s)) if !s.trim().is_empty() => Ok(s),
        Some(_) => Err(format!(
            "`{key}` of a `deny` entry must be a non-empty string: {}",
            short(entry)
        )),
        None => Err(format!("`deny` entry has no `{key}`: {}", short(entry))),
    }
}

/// `{"file": F, "line": N, "end_line": M}` (the shape of every `loc` of the
/// model, so `"location": r.meta.loc` works).
fn location(v: &Json) -> Result<Location, String> {
    let bad = || {
        format!(
            "`location` must be {{\"file\": TEXT, \"line\": N}} with an optional `end_line`, got {}",
            short(v)
        )
    };
    let obj = v.as_object().ok_or_else(bad)?;
    if obj
        .keys()
        .any(|k| !matches!(k.as_str(), "file" | "line" | "end_line"))
    {
        return Err(bad());
    }
    let file = obj
        .get("file")
        .and_then(Json::as_str)
        .filter(|f| !f.is_empty())
        .ok_or_else(bad)?;
    let line_of = |key: &str| -> Result<Option<u32>, String> {
        match obj.get(key) {
            None | Some(Json::Null) => Ok(None),
            Some(n) => n
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| *n >= 1)
                .map(Some)
                .ok_or_else(bad),
        }
    };
    let line = line_of("line")?.ok_or_else(bad)?;
    let end = line_of("end_line")?.unwrap_or(line);
    Ok(Location::new(file, line, end))
}
