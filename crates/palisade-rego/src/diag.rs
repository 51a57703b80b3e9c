//! regorus errors → diagnostics naming the policy file and line.
//!
//! regorus formats positioned errors as
//!
//! ```text
//!
//! --> rules/owner.rego:4:10
//!   |
//! 4 |   x := 1 / 0
//!   |          ^
//! error: divide by zero
//! ```

use palisade_model::Diagnostic;

/// Where an error points, and what it says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Positioned {
    pub file: Option<String>,
    pub line: Option<u32>,
    pub col: Option<u32>,
    /// The source line the error points at, trimmed.
    pub code: Option<String>,
    pub message: String,
}

/// Splits a regorus error text into its position and message.
pub(crate) fn parse(text: &str) -> Positioned {
    let mut out = Positioned {
        file: None,
        line: None,
        col: None,
        code: None,
        message: String::new(),
    };
    let mut messages = Vec::new();
    for l in text.lines() {
        let t = l.trim();
        if let Some(place) = t.strip_prefix("--> ") {
            if out.file.is_none() {
                let (file, line, col) = split_place(place);
                out.file = Some(file);
                out.line = line;
                out.col = col;
            }
        } else if let Some((num, code)) = t.split_once('|') {
            let num = num.trim();
            if out.code.is_none() && !num.is_empty() && num.chars().all(|c| c.is_ascii_digit()) {
                out.code = Some(code.trim().to_string());
            }
        } else if let Some(m) = t.strip_prefix("error: ") {
            messages.push(m.trim().to_string());
        } else if !t.is_empty() && !t.starts_with('|') {
            messages.push(t.to_string());
        }
    }
    out.message = if messages.is_empty() {
        text.trim().to_string()
    } else {
        messages.join(": ")
    };
    out
}

/// `file:line:col`, where the file may itself hold colons.
fn split_place(place: &str) -> (String, Option<u32>, Option<u32>) {
    let mut parts = place.rsplitn(3, ':');
    let col = parts.next();
    let line = parts.next();
    match (parts.next(), line, col) {
        (Some(file), Some(line), Some(col)) => match (line.parse().ok(), col.parse().ok()) {
            (Some(l), Some(c)) => (file.to_string(), Some(l), Some(c)),
            _ => (place.to_string(), None, None),
        },
        _ => (place.to_string(), None, None),
    }
}

/// A diagnostic for an error met while working on `fallback_file`; the
/// error's own position wins when it has one.
pub(crate) fn diagnostic(err: &str, fallback_file: &str, what: &str) -> Diagnostic {
    let p = parse(err);
    let file = p.file.clone().unwrap_or_else(|| fallback_file.to_string());
    let mut message = format!("{what}: {}", p.message);
    if let (Some(col), Some(code)) = (p.col, &p.code) {
        message.push_str(&format!(" (column {col}: `{code}`)"));
    }
    Diagnostic::new(file, p.line, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positioned_errors_split() {
        let text = "\n--> C:/rules/a.rego:4:10\n  |\n4 |   x := 1 / 0\n  |          ^\nerror: divide by zero";
        let p = parse(text);
        assert_eq!(p.file.as_deref(), Some("C:/rules/a.rego"));
        assert_eq!(p.line, Some(4));
        assert_eq!(p.col, Some(10));
        assert_eq!(p.code.as_deref(), Some("x := 1 / 0"));
        assert_eq!(p.message, "divide by zero");
        let d = diagnostic(text, "x.rego", "rule ORG1");
        assert_eq!(d.file, "C:/rules/a.rego");
        assert_eq!(d.line, Some(4));
        assert_eq!(
            d.message,
            "rule ORG1: divide by zero (column 10: `x := 1 / 0`)"
        );
    }

    #[test]
    fn plain_errors_keep_their_text() {
        let p = parse("not a valid rule path");
        assert_eq!(p.file, None);
        assert_eq!(p.message, "not a valid rule path");
        let d = diagnostic("boom", "x.rego", "rule ORG1");
        assert_eq!((d.file.as_str(), d.line), ("x.rego", None));
    }
}
