//! Policy variable substitution (`${aws:username}`, `${aws:PrincipalTag/team}`,
//! `${*}`, `${key, 'default'}` ...).
//!
//! Rules, from [IAM policy elements: Variables and tags][vars]:
//! * Variables are only recognised in policies with `"Version": "2012-10-17"`;
//!   in older (or version-less) policies `${...}` is literal text.
//! * They may appear in the resource part of a `Resource` ARN (after the fifth
//!   colon) and in values of string, ARN and Boolean condition operators.
//! * A variable whose key is missing from the request context, or that has
//!   several values (multivalued keys cannot be variables), cannot be resolved,
//!   and the value containing it then matches nothing. A default written as
//!   `${key, 'default'}` is used instead when given (`''` inside the quotes is
//!   a literal quote).
//! * `${*}`, `${?}` and `${$}` stand for literal `*`, `?` and `$`, so they never
//!   act as wildcards.
//! * Substitution happens once: a substituted value is never scanned again.
//!
//! [vars]: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html

use crate::context::Context;
use crate::wildcard::{compile, Tok};

/// Substitutes variables in `raw` and compiles it to pattern tokens.
///
/// `enabled` is false for pre-2012 policy versions; `wildcards` decides whether
/// literal `*`/`?` in the policy text are wildcards (for `StringLike`, `ArnLike`,
/// resources) or plain characters (for `StringEquals` ...). Returns `None` when
/// a variable cannot be resolved or is malformed.
pub(crate) fn substitute(
    raw: &str,
    ctx: &Context,
    enabled: bool,
    wildcards: bool,
) -> Option<Vec<Tok>> {
    let plain = |s: &str| -> Vec<Tok> {
        if wildcards {
            compile(s)
        } else {
            s.chars().map(Tok::Lit).collect()
        }
    };
    if !enabled || !raw.contains("${") {
        return Some(plain(raw));
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(start) = rest.find("${") {
        out.extend(plain(&rest[..start]));
        let after = &rest[start + 2..];
        let (value, consumed) = resolve(after, ctx)?;
        out.extend(value.chars().map(Tok::Lit));
        rest = &after[consumed..];
    }
    out.extend(plain(rest));
    Some(out)
}

/// Substitutes variables in a `Resource` pattern: only the resource part
/// (after the fifth colon) may contain variables.
pub(crate) fn substitute_resource(raw: &str, ctx: &Context, enabled: bool) -> Option<Vec<Tok>> {
    let split = raw
        .char_indices()
        .filter(|(_, c)| *c == ':')
        .nth(4)
        .map(|(i, _)| i + 1);
    match split {
        Some(i) => {
            let mut toks = compile(&raw[..i]);
            toks.extend(substitute(&raw[i..], ctx, enabled, true)?);
            Some(toks)
        }
        None => Some(compile(raw)),
    }
}

/// Resolves the inside of one `${...}` (the text after `${`). Returns the
/// substituted text and how many bytes of `s` were consumed (through `}`).
fn resolve(s: &str, ctx: &Context) -> Option<(String, usize)> {
    // Fixed special variables.
    for (name, lit) in [("*}", "*"), ("?}", "?"), ("$}", "$")] {
        if s.starts_with(name) {
            return Some((lit.to_string(), name.len()));
        }
    }
    let end_key = s.find([',', '}'])?;
    let key = s[..end_key].trim();
    if key.is_empty() || key.contains(char::is_whitespace) {
        return None;
    }
    let (default, consumed) = if s[end_key..].starts_with(',') {
        let (d, used) = parse_default(&s[end_key + 1..])?;
        (Some(d), end_key + 1 + used)
    } else {
        (None, end_key + 1)
    };
    let value = match ctx.get(key) {
        Some([single]) => Some(single.clone()),
        _ => None,
    };
    value.or(default).map(|v| (v, consumed))
}

/// Parses ` 'default value' }` and returns the value and bytes consumed.
fn parse_default(s: &str) -> Option<(String, usize)> {
    let trimmed = s.trim_start();
    let mut pos = s.len() - trimmed.len();
    let mut chars = trimmed.char_indices().peekable();
    match chars.next() {
        Some((_, '\'')) => {}
        _ => return None,
    }
    let mut value = String::new();
    let mut closed_at = None;
    while let Some((i, c)) = chars.next() {
        if c == '\'' {
            if let Some((_, '\'')) = chars.peek() {
                chars.next();
                value.push('\'');
                continue;
            }
            closed_at = Some(i + 1);
            break;
        }
        value.push(c);
    }
    let closed_at = closed_at?;
    pos += closed_at;
    let tail = &s[pos..];
    let tail_trimmed = tail.trim_start();
    pos += tail.len() - tail_trimmed.len();
    if !tail_trimmed.starts_with('}') {
        return None;
    }
    Some((value, pos + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context {
        let mut c = Context::new();
        c.insert("aws:username", "alice");
        c.insert("aws:PrincipalTag/team", "red");
        c.insert_values("aws:TagKeys", vec!["a".into(), "b".into()]);
        c
    }

    fn text(toks: Option<Vec<Tok>>) -> Option<String> {
        toks.map(|t| {
            t.iter()
                .map(|t| match t {
                    Tok::Lit(c) => c.to_string(),
                    Tok::Star => "<*>".to_string(),
                    Tok::Quest => "<?>".to_string(),
                })
                .collect()
        })
    }

    #[test]
    fn substitutes_keys_case_insensitively() {
        let c = ctx();
        assert_eq!(
            text(substitute("home/${aws:username}/*", &c, true, true)),
            Some("home/alice/<*>".into())
        );
        assert_eq!(
            text(substitute("${AWS:UserName}", &c, true, false)),
            Some("alice".into())
        );
        assert_eq!(
            text(substitute("${aws:principaltag/TEAM}", &c, true, false)),
            Some("red".into())
        );
    }

    #[test]
    fn missing_and_multivalued_keys_fail() {
        let c = ctx();
        assert_eq!(substitute("${aws:userid}", &c, true, false), None);
        assert_eq!(substitute("${aws:TagKeys}", &c, true, false), None);
        assert_eq!(substitute("${aws:username", &c, true, false), None);
        assert_eq!(substitute("${}", &c, true, false), None);
    }

    #[test]
    fn defaults() {
        let c = ctx();
        assert_eq!(
            text(substitute("${aws:userid, 'anonymous'}", &c, true, false)),
            Some("anonymous".into())
        );
        assert_eq!(
            text(substitute("${aws:username, 'anonymous'}", &c, true, false)),
            Some("alice".into())
        );
        assert_eq!(
            text(substitute("${x,'it''s'}", &c, true, false)),
            Some("it's".into())
        );
        assert_eq!(
            text(substitute("${x, 'a}b' }!", &c, true, false)),
            Some("a}b!".into())
        );
        assert_eq!(substitute("${x, nope}", &c, true, false), None);
        assert_eq!(substitute("${x, 'open}", &c, true, false), None);
        // Substitution happens once.
        assert_eq!(
            text(substitute("${x, '${aws:username}'}", &c, true, false)),
            Some("${aws:username}".into())
        );
    }

    #[test]
    fn special_characters_are_literal() {
        let c = ctx();
        assert_eq!(
            text(substitute("a${*}b${?}c${$}", &c, true, true)),
            Some("a*b?c$".into())
        );
        assert_eq!(
            text(substitute("a*b", &c, true, true)),
            Some("a<*>b".into())
        );
        assert_eq!(text(substitute("a*b", &c, true, false)), Some("a*b".into()));
    }

    #[test]
    fn disabled_for_old_versions() {
        let c = ctx();
        assert_eq!(
            text(substitute("${aws:username}", &c, false, false)),
            Some("${aws:username}".into())
        );
    }

    #[test]
    fn resource_part_only() {
        let c = ctx();
        assert_eq!(
            text(substitute_resource(
                "arn:aws:s3:::b/${aws:username}/*",
                &c,
                true
            )),
            Some("arn:aws:s3:::b/alice/<*>".into())
        );
        assert_eq!(
            text(substitute_resource(
                "arn:aws:sqs:${aws:username}:1:q",
                &c,
                true
            )),
            Some("arn:aws:sqs:${aws:username}:1:q".into())
        );
        assert_eq!(
            substitute_resource("arn:aws:s3:::b/${aws:userid}", &c, true),
            None
        );
    }
}
