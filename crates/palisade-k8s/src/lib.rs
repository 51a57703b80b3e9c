//! Loads Kubernetes manifests (YAML or JSON, multi-document, `List` kinds)
//! into the typed [`K8s`] model.
//!
//! ```
//! let load = palisade_k8s::load_file("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: app\n", "ns.yaml");
//! assert_eq!(load.k8s.namespaces.len(), 1);
//! assert!(load.errors.is_empty());
//! ```
//!
//! What is not Kubernetes (docker-compose files, CI workflows,
//! CloudFormation templates, unrendered Helm templates) is skipped with a
//! note, never an error. Kinds the model does not know (CRDs) are listed in
//! one note per file. Errors are reserved for input that should have been
//! read but could not: malformed YAML, binary data, documents over the
//! nesting or alias-expansion limits.

mod base64;
mod convert;
mod yaml;

use palisade_model::k8s::K8s;
use palisade_model::{Diagnostic, SecretLiteral};
use serde::Serialize;

pub use yaml::{MAX_ALIAS_NODES, MAX_DEPTH};

/// Largest file accepted (bytes).
pub const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;

/// What one file contributed.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FileLoad {
    pub k8s: K8s,
    /// Literal secrets found (values redacted).
    pub secrets: Vec<SecretLiteral>,
    /// Parts of the file that could not be read.
    pub errors: Vec<Diagnostic>,
    /// Informational: skipped files/documents, unknown kinds, ignored fields.
    pub notes: Vec<Diagnostic>,
}

/// A quick test for a file walker: true when the text has both an
/// `apiVersion` and a `kind` key (YAML or JSON). Unrendered Helm templates
/// pass too, so that [`load_file`] can note them.
pub fn looks_like_kubernetes(text: &str) -> bool {
    if text.contains('\0') {
        return false;
    }
    has_key(text, "apiVersion") && has_key(text, "kind")
}

fn has_key(text: &str, key: &str) -> bool {
    text.match_indices(key).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let ok_before = match before {
            None => true,
            Some(c) => c.is_whitespace() || matches!(c, '"' | '\'' | '{' | ',' | '-'),
        };
        if !ok_before {
            return false;
        }
        let rest = text[i + key.len()..].trim_start_matches(['"', '\'']);
        rest.trim_start_matches([' ', '\t']).starts_with(':')
    })
}

/// Loads raw bytes: rejects binary and invalid UTF-8 with an error, then
/// behaves as [`load_file`].
pub fn load_bytes(bytes: &[u8], display_path: &str) -> FileLoad {
    match std::str::from_utf8(bytes) {
        Ok(text) => load_file(text, display_path),
        Err(e) => {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            FileLoad {
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

/// Loads every Kubernetes object of one file. Never panics.
pub fn load_file(text: &str, display_path: &str) -> FileLoad {
    let caught = std::panic::catch_unwind(|| load_file_inner(text, display_path));
    match caught {
        Ok(load) => load,
        Err(_) => FileLoad {
            errors: vec![Diagnostic::new(
                display_path,
                None,
                "internal error while reading this file; it was skipped",
            )],
            ..Default::default()
        },
    }
}

fn load_file_inner(text: &str, path: &str) -> FileLoad {
    let mut out = FileLoad::default();
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
    if let Some(line) = binary_line(text) {
        out.errors.push(Diagnostic::new(
            path,
            Some(line),
            "binary content (NUL or invalid UTF-8 bytes); not a YAML/JSON manifest",
        ));
        return out;
    }
    if text.trim().is_empty() {
        return out;
    }

    let stream = yaml::parse_stream(text);
    let text_braces = text.matches("{{").count();
    if text_braces > 0 && (text_braces > stream.scalar_braces || !stream.errors.is_empty()) {
        out.notes.push(Diagnostic::new(
            path,
            first_line_with(text, "{{"),
            "template (Helm/Go `{{ }}` outside YAML values); skipped: render it first (e.g. `helm template`) to scan it",
        ));
        return out;
    }

    let mut cx = convert::Ctx::new(path);
    for doc in &stream.docs {
        if let Some(root) = &doc.root {
            cx.document(root);
        }
    }
    if cx.objects_seen > 0 || (!stream.errors.is_empty() && looks_like_kubernetes(text)) {
        for e in &stream.errors {
            cx.errors
                .push(Diagnostic::new(path, Some(e.line), e.message.clone()));
        }
    } else if cx.objects_seen == 0 && (cx.has_content() || !stream.errors.is_empty()) {
        let why = match stream.errors.first() {
            Some(e) => format!(
                "not a Kubernetes manifest (no apiVersion/kind); skipped (it is also not valid YAML: line {}: {})",
                e.line, e.message
            ),
            None => "not a Kubernetes manifest (no apiVersion/kind); skipped".to_string(),
        };
        cx.notes.clear();
        cx.notes.push(Diagnostic::new(path, None, why));
    }
    cx.finish(&mut out);
    out.errors.sort();
    out.notes.sort();
    out
}

/// Line of the first NUL or U+FFFD (what a lossy decode leaves of invalid bytes).
fn binary_line(text: &str) -> Option<u32> {
    let i = text.find(['\0', '\u{fffd}'])?;
    let line = text[..i].matches('\n').count() + 1;
    Some(u32::try_from(line).unwrap_or(u32::MAX))
}

fn first_line_with(text: &str, pat: &str) -> Option<u32> {
    let i = text.find(pat)?;
    u32::try_from(text[..i].matches('\n').count() + 1).ok()
}
