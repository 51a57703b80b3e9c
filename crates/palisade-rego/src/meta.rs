//! A custom rule's `__rego_metadata__`, checked.

use palisade_model::finding::Severity;
use serde_json::Value as Json;

/// The keys `__rego_metadata__` may have.
pub const KEYS: &[&str] = &[
    "id",
    "title",
    "severity",
    "practices",
    "description",
    "remediation",
    "references",
];

/// Checked metadata of a custom rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Metadata {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub practices: Vec<String>,
    pub description: String,
    pub remediation: String,
    pub references: Vec<String>,
}

/// Why an id cannot name a custom rule, if it cannot.
pub fn id_problem(id: &str) -> Option<String> {
    let well_formed = (2..=32).contains(&id.len())
        && id.starts_with(|c: char| c.is_ascii_uppercase())
        && id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !well_formed {
        return Some(format!(
            "`id` `{id}` must be 2 to 32 upper-case letters, digits, `-` or `_`, starting with a letter (e.g. `ORG001`)"
        ));
    }
    if id.starts_with("PAL") {
        return Some(format!(
            "`id` `{id}`: the `PAL` prefix is reserved for built-in rules"
        ));
    }
    if let Some(r) = palisade_rules::find(id) {
        return Some(format!("`id` `{id}` is the built-in rule {}", r.id));
    }
    None
}

/// Checks `v` (the value of `__rego_metadata__`). The error lists every
/// problem found.
pub fn check(v: &Json) -> Result<Metadata, String> {
    let Some(obj) = v.as_object() else {
        return Err(format!(
            "`__rego_metadata__` must be an object with {}, got {}",
            KEYS.join(", "),
            short(v)
        ));
    };
    let mut problems = Vec::new();
    for k in obj.keys() {
        if !KEYS.contains(&k.as_str()) {
            problems.push(format!("unknown key `{k}` (expected {})", KEYS.join(", ")));
        }
    }
    let text = |key: &str, problems: &mut Vec<String>| -> String {
        match obj.get(key) {
            Some(Json::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
            Some(Json::String(_)) => {
                problems.push(format!("`{key}` is empty"));
                String::new()
            }
            Some(other) => {
                problems.push(format!("`{key}` must be a string, got {}", short(other)));
                String::new()
            }
            None => {
                problems.push(format!("`{key}` is missing"));
                String::new()
            }
        }
    };
    let id = text("id", &mut problems);
    let title = text("title", &mut problems);
    let description = text("description", &mut problems);
    let remediation = text("remediation", &mut problems);
    let severity_text = text("severity", &mut problems);
    if !id.is_empty() {
        if let Some(p) = id_problem(&id) {
            problems.push(p);
        }
    }
    let severity = if severity_text.is_empty() {
        Severity::Info
    } else {
        match severity_text.parse::<Severity>() {
            Ok(s) => s,
            Err(e) => {
                problems.push(format!("`severity`: {e}"));
                Severity::Info
            }
        }
    };
    let list = |key: &str, problems: &mut Vec<String>| -> Vec<String> {
        match obj.get(key) {
            None => Vec::new(),
            Some(Json::Array(items)) => items
                .iter()
                .filter_map(|i| match i {
                    Json::String(s) => Some(s.clone()),
                    other => {
                        problems.push(format!("`{key}` must list strings, got {}", short(other)));
                        None
                    }
                })
                .collect(),
            Some(other) => {
                problems.push(format!(
                    "`{key}` must be a list of strings, got {}",
                    short(other)
                ));
                Vec::new()
            }
        }
    };
    let practices = list("practices", &mut problems);
    let references = list("references", &mut problems);
    for p in &practices {
        if palisade_rules::practice(p).is_none() {
            problems.push(format!(
                "unknown practice `{p}` (see shared/PRACTICES.md: NET-01 ... MON-10)"
            ));
        }
    }
    if problems.is_empty() {
        Ok(Metadata {
            id,
            title,
            severity,
            practices,
            description,
            remediation,
            references,
        })
    } else {
        Err(format!("bad `__rego_metadata__`: {}", problems.join("; ")))
    }
}

/// A value, shortened for a message.
pub(crate) fn short(v: &Json) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 {
        let cut: String = s.chars().take(77).collect();
        format!("`{cut}...`")
    } else {
        format!("`{s}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn good() -> Json {
        json!({
            "id": "ORG001",
            "title": "t",
            "severity": "high",
            "practices": ["K8S-09"],
            "description": "d",
            "remediation": "r",
        })
    }

    #[test]
    fn good_metadata_passes() {
        let m = check(&good()).expect("valid");
        assert_eq!(m.id, "ORG001");
        assert_eq!(m.severity, Severity::High);
        assert_eq!(m.practices, vec!["K8S-09"]);
        assert!(m.references.is_empty());
    }

    #[test]
    fn every_problem_is_named() {
        let cases = [
            (json!({"id": "PAL999"}), "reserved for built-in rules"),
            (json!({"id": "org1"}), "upper-case"),
            (json!({"severity": "urgent"}), "unknown severity `urgent`"),
            (
                json!({"practices": ["K8S-99"]}),
                "unknown practice `K8S-99`",
            ),
            (json!({"practices": "K8S-09"}), "must be a list of strings"),
            (json!({"title": 3}), "`title` must be a string"),
            (json!({"titel": "x"}), "unknown key `titel`"),
        ];
        for (patch, want) in cases {
            let mut v = good();
            if let (Some(o), Some(p)) = (v.as_object_mut(), patch.as_object()) {
                for (k, x) in p {
                    o.insert(k.clone(), x.clone());
                }
            }
            let err = check(&v).err().unwrap_or_default();
            assert!(err.contains(want), "{patch}: {err}");
        }
        let err = check(&json!({})).err().unwrap_or_default();
        for k in ["id", "title", "severity", "description", "remediation"] {
            assert!(err.contains(&format!("`{k}` is missing")), "{err}");
        }
        assert!(check(&json!("ORG1")).is_err());
    }

    #[test]
    fn ids_of_built_in_rule_names_are_refused() {
        assert!(id_problem("ORG-1").is_none());
        assert!(id_problem("X").is_some());
    }
}
