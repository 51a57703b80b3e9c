//! Deciding whether a literal string found in an input is secret material.
//!
//! Shared by every loader so the same value is treated the same whatever the
//! format. Two signals: the attribute's name says it holds a secret
//! (`password`, `secret_key`, `token`...) and the value is not an obvious
//! placeholder or reference; or the value itself has a known credential
//! format (AWS access key IDs, private key blocks, GitHub/Slack tokens).

/// Names that mean "this holds a secret".
const SECRET_NAMES: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "private_key",
    "access_key",
    "secret_key",
    "client_secret",
    "credentials",
    "master_password",
    "auth_token",
];

/// Names that contain a secret word but hold no secret material.
const SAFE_NAME_SUFFIXES: &[&str] = &[
    "_arn",
    "_id",
    "_name",
    "_length",
    "_version",
    "_policy",
    "_path",
    "_file",
    "_ref",
    "_key_id",
    "_enabled",
    "_type",
    "_rotation",
    "_wo_version",
    "_tokens",
    "_token_ttl",
    "_token_validity",
    "_token_expiration",
];

/// Enumeration values that settings with secret-sounding names take
/// (`http_tokens = "required"`); never secret material.
const SETTING_WORDS: &[&str] = &[
    "required",
    "optional",
    "enabled",
    "disabled",
    "true",
    "false",
    "none",
    "default",
    "auto",
    "managed",
    "external",
    "internal",
    "opaque",
    "secretsmanager",
    "ssm",
];

fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            out.push('_');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(if c == '-' || c == '.' {
            '_'
        } else {
            c.to_ascii_lowercase()
        });
    }
    out
}

/// True when an attribute/env/key name suggests a secret value. A
/// qualified name is judged by its last part: the claim of an IAM
/// condition key (`token.actions.githubusercontent.com:sub` is a subject,
/// not a token), the name of a prefixed annotation
/// (`secrets-store.csi.k8s.io/used`).
pub fn name_suggests_secret(name: &str) -> bool {
    let name = name.rsplit([':', '/']).next().unwrap_or(name);
    let n = normalise(name);
    if SAFE_NAME_SUFFIXES.iter().any(|s| n.ends_with(s)) {
        return false;
    }
    if n.starts_with("manage_") || n.starts_with("secret_name") || n.contains("secretsmanager") {
        return false;
    }
    SECRET_NAMES.iter().any(|w| n.contains(w))
}

/// True for values that are clearly not secret material: empty, short,
/// placeholders, references and interpolations.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    if v.len() < 6 {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    if lower.starts_with("arn:")
        || lower.starts_with("${")
        || lower.starts_with("{{")
        || lower.starts_with("$(")
        || lower.starts_with("<")
        || lower.starts_with("resolve:")
        || lower.starts_with("/")
        || lower.starts_with("http://")
        || lower.starts_with("https://")
    {
        return true;
    }
    const PLACEHOLDERS: &[&str] = &[
        "changeme",
        "change_me",
        "example",
        "placeholder",
        "redacted",
        "dummy",
        "xxxxxx",
        "******",
        "replace",
        "your_",
        "todo",
    ];
    PLACEHOLDERS.iter().any(|p| lower.contains(p)) && lower.len() < 32
}

/// A known credential format, whatever the attribute name. Returns a label.
pub fn known_credential_format(value: &str) -> Option<&'static str> {
    let v = value.trim();
    if v.contains("-----BEGIN") && v.contains("PRIVATE KEY") {
        return Some("private key block");
    }
    let is_upper_alnum = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    };
    for prefix in ["AKIA", "ASIA"] {
        if let Some(rest) = v.strip_prefix(prefix) {
            if rest.len() == 16 && is_upper_alnum(rest) {
                return Some("AWS access key ID");
            }
        }
    }
    for prefix in ["ghp_", "gho_", "ghs_", "github_pat_"] {
        if v.starts_with(prefix) && v.len() >= 36 {
            return Some("GitHub token");
        }
    }
    for prefix in ["xoxb-", "xoxp-", "xoxa-"] {
        if v.starts_with(prefix) && v.len() > 20 {
            return Some("Slack token");
        }
    }
    if v.starts_with("https://hooks.slack.com/services/") {
        return Some("Slack webhook URL");
    }
    None
}

/// Decides whether `value`, found under attribute `name`, is a literal secret.
/// Returns the reason when it is.
pub fn classify(name: &str, value: &str) -> Option<String> {
    if let Some(label) = known_credential_format(value) {
        return Some(format!("value has the format of a {label}"));
    }
    let setting = SETTING_WORDS
        .iter()
        .any(|w| value.trim().eq_ignore_ascii_case(w));
    if name_suggests_secret(name) && !is_placeholder(value) && !setting {
        return Some(format!("literal value for `{name}`"));
    }
    None
}

/// Shorter secret values are not searched for in outputs: they would match
/// ordinary words and numbers (a Secret's `PORT: "5432"`).
pub const MIN_REDACTED_LEN: usize = 6;

/// `text` with every occurrence of one of `values` (secret material found
/// in the inputs) replaced by the redaction marker. Defence in depth for
/// strings a secret flowed into after evaluation: a policy condition built
/// from a secret variable, an error quoting a value. Values shorter than
/// [`MIN_REDACTED_LEN`] are left alone.
pub fn redact_values<'a>(text: &'a str, values: &[&str]) -> std::borrow::Cow<'a, str> {
    let mut out = std::borrow::Cow::Borrowed(text);
    for v in values {
        if v.chars().count() >= MIN_REDACTED_LEN && out.contains(v) {
            out = std::borrow::Cow::Owned(out.replace(v, crate::val::REDACTED));
        }
    }
    out
}

/// The values to search for, longest first (so a secret containing
/// another is replaced whole).
pub fn values_to_redact(secrets: &[crate::Secret]) -> Vec<&str> {
    let mut v: Vec<&str> = secrets
        .iter()
        .map(crate::Secret::expose)
        .filter(|s| s.chars().count() >= MIN_REDACTED_LEN)
        .collect();
    v.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    v.dedup();
    v
}

/// Replaces secret values in every string (and object key) of a JSON tree.
pub fn redact_json(value: &mut serde_json::Value, values: &[&str]) {
    use serde_json::Value as J;
    if values.is_empty() {
        return;
    }
    match value {
        J::String(s) => {
            if let std::borrow::Cow::Owned(r) = redact_values(s, values) {
                *s = r;
            }
        }
        J::Array(a) => a.iter_mut().for_each(|x| redact_json(x, values)),
        J::Object(m) => {
            let entries = std::mem::take(m);
            for (k, mut v) in entries {
                redact_json(&mut v, values);
                m.insert(redact_values(&k, values).into_owned(), v);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(name_suggests_secret("password"));
        assert!(name_suggests_secret("DB_PASSWORD"));
        assert!(name_suggests_secret("masterUserPassword"));
        assert!(!name_suggests_secret("kms_key_id"));
        assert!(!name_suggests_secret("secret_arn"));
        assert!(!name_suggests_secret("manage_master_user_password"));
        assert!(!name_suggests_secret("region"));
        // Qualified names: the last part decides.
        assert!(!name_suggests_secret(
            "token.actions.githubusercontent.com:sub"
        ));
        assert!(!name_suggests_secret(
            "token.actions.githubusercontent.com:aud"
        ));
        assert!(!name_suggests_secret("secrets-store.csi.k8s.io/used"));
        assert!(name_suggests_secret("example.com/db-password"));
        assert!(name_suggests_secret(
            "vault.hashicorp.com/agent-inject-token"
        ));
    }

    #[test]
    fn values_are_redacted_in_text_and_json() {
        let secrets = [
            crate::Secret::new("Kp9wQz7LmReferer"),
            crate::Secret::new("5432"),
        ];
        let values = values_to_redact(&secrets);
        assert_eq!(values, vec!["Kp9wQz7LmReferer"]);
        assert_eq!(
            redact_values("file \"Kp9wQz7LmReferer\" does not exist on 5432", &values),
            "file \"<redacted>\" does not exist on 5432"
        );
        let mut j = serde_json::json!({"a": ["x Kp9wQz7LmReferer"], "Kp9wQz7LmReferer": 1});
        redact_json(&mut j, &values);
        assert_eq!(
            j,
            serde_json::json!({"a": ["x <redacted>"], "<redacted>": 1})
        );
    }

    #[test]
    fn classify_literals() {
        assert!(classify("password", "S3cr3t!pass").is_some());
        assert!(classify("password", "changeme").is_none());
        assert!(classify("password", "${var.pw}").is_none());
        assert!(classify("description", "AKIAIOSFODNN7EXAMPLE").is_some());
        assert!(classify("description", "hello world").is_none());
        assert!(classify("http_tokens", "required").is_none());
        assert!(classify("token_mode", "optional").is_none());
    }
}
