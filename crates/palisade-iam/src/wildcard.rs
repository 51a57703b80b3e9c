//! Wildcard matching for actions, resource ARNs and `StringLike`/`ArnLike` values.
//!
//! IAM has three slightly different wildcard dialects, and mixing them up is a
//! classic source of wrong answers, so each one has its own entry point:
//!
//! * **Actions** ([`action_matches`]): case-insensitive, `*` matches any run of
//!   characters and `?` any single character, anywhere in `service:Action`.
//! * **Resource ARNs** ([`resource_matches`]): case-sensitive. Wildcards work
//!   *within* the colon-separated segments of the ARN, except that a `*` that is
//!   the last character of a segment may expand across colon boundaries
//!   ([Resource element: using wildcards in resource ARNs][res]). `?` never
//!   matches a colon.
//! * **`StringLike`** ([`string_like`]): case-sensitive glob over the whole string.
//! * **`ArnLike`/`ArnEquals`** ([`arn_like`]): each of the six colon-delimited
//!   ARN components is matched separately ([ARN condition operators][arn]), so
//!   `arn:aws:svc:*:111122223333:x/*` does *not* match an ARN whose account
//!   component differs even though a plain string glob would.
//!
//! [res]: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
//! [arn]: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN

/// One element of a compiled pattern. Literal characters produced by policy
/// variables (for example `${*}`) are `Lit`, so they never act as wildcards.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    Lit(char),
    Star,
    Quest,
}

/// Compiles a raw pattern where `*` and `?` are wildcards.
pub(crate) fn compile(pattern: &str) -> Vec<Tok> {
    pattern
        .chars()
        .map(|c| match c {
            '*' => Tok::Star,
            '?' => Tok::Quest,
            other => Tok::Lit(other),
        })
        .collect()
}

/// Dynamic-programming glob matcher (linear memory, no recursion, so hostile
/// patterns such as `*a*a*a*...` cannot blow the stack or take exponential time).
fn glob(
    pat: &[Tok],
    text: &[char],
    star_ok: impl Fn(usize, char) -> bool,
    quest_ok: impl Fn(char) -> bool,
) -> bool {
    let n = text.len();
    let mut prev = vec![false; n + 1];
    prev[0] = true;
    let mut cur = vec![false; n + 1];
    for (i, tok) in pat.iter().enumerate() {
        match tok {
            Tok::Lit(c) => {
                cur[0] = false;
                for j in 0..n {
                    cur[j + 1] = prev[j] && text[j] == *c;
                }
            }
            Tok::Quest => {
                cur[0] = false;
                for j in 0..n {
                    cur[j + 1] = prev[j] && quest_ok(text[j]);
                }
            }
            Tok::Star => {
                cur[0] = prev[0];
                for j in 0..n {
                    cur[j + 1] = prev[j + 1] || (cur[j] && star_ok(i, text[j]));
                }
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[n]
}

/// Does an `Action`/`NotAction` pattern match a request action?
///
/// Action names are case-insensitive in IAM (`s3:getobject` and `S3:GetObject`
/// name the same action), and `*`/`?` may appear anywhere.
///
/// ```
/// use palisade_iam::action_matches;
/// assert!(action_matches("s3:Get*", "S3:GetObject"));
/// assert!(action_matches("*", "ec2:RunInstances"));
/// assert!(!action_matches("s3:Get*", "s3:PutObject"));
/// ```
pub fn action_matches(pattern: &str, action: &str) -> bool {
    let pat = compile(&pattern.to_lowercase());
    let text: Vec<char> = action.to_lowercase().chars().collect();
    glob(&pat, &text, |_, _| true, |_| true)
}

/// Does a `Resource`/`NotResource` pattern (without policy variables) match an ARN?
///
/// Matching is case-sensitive. `*` and `?` work within ARN segments; a `*` that
/// ends a segment (it is followed by `:` or ends the pattern) may also span
/// colons, as the AWS documentation describes. The bare pattern `*` therefore
/// matches every resource.
///
/// ```
/// use palisade_iam::resource_matches;
/// assert!(resource_matches("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b.txt"));
/// assert!(resource_matches("*", "arn:aws:sqs:us-east-1:111122223333:q"));
/// assert!(!resource_matches("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/x"));
/// ```
pub fn resource_matches(pattern: &str, arn: &str) -> bool {
    resource_matches_toks(&compile(pattern), arn)
}

pub(crate) fn resource_matches_toks(pat: &[Tok], arn: &str) -> bool {
    // A star may cross ':' only when it is the last character of its segment.
    let crosses: Vec<bool> = (0..pat.len())
        .map(|i| matches!(pat.get(i + 1), None | Some(Tok::Lit(':'))))
        .collect();
    let text: Vec<char> = arn.chars().collect();
    glob(
        pat,
        &text,
        |i, c| c != ':' || crosses.get(i).copied().unwrap_or(false),
        |c| c != ':',
    )
}

/// `StringLike` matching: case-sensitive, `*` and `?` anywhere, crossing any character.
///
/// ```
/// use palisade_iam::string_like;
/// assert!(string_like("home/*", "home/alice/notes"));
/// assert!(!string_like("home/*", "Home/alice"));
/// ```
pub fn string_like(pattern: &str, value: &str) -> bool {
    string_like_toks(&compile(pattern), value)
}

pub(crate) fn string_like_toks(pat: &[Tok], value: &str) -> bool {
    let text: Vec<char> = value.chars().collect();
    glob(pat, &text, |_, _| true, |_| true)
}

/// `ArnLike`/`ArnEquals` matching: the six colon-delimited ARN components
/// (`arn:partition:service:region:account:resource`) are compared one by one,
/// each with `*`/`?` wildcards, case-sensitively. The resource component keeps
/// any further colons. A value with fewer than six components is not an ARN and
/// never matches. If the pattern has fewer than six components, its last
/// component must end in `*`, which then absorbs the remaining components (so
/// the pattern `*` matches every ARN).
///
/// ```
/// use palisade_iam::arn_like;
/// assert!(arn_like("arn:aws:sns:*:123456789012:topic", "arn:aws:sns:us-east-1:123456789012:topic"));
/// // The documented counter-example: the account component differs.
/// assert!(!arn_like(
///     "arn:aws:someservice:*:111122223333:finance/*",
///     "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
/// ));
/// ```
pub fn arn_like(pattern: &str, value: &str) -> bool {
    arn_like_toks(&compile(pattern), value)
}

pub(crate) fn arn_like_toks(pat: &[Tok], value: &str) -> bool {
    let value_parts: Vec<&str> = value.splitn(6, ':').collect();
    if value_parts.len() < 6 {
        return false;
    }
    // Split the pattern on literal colons into at most six components.
    let mut pat_parts: Vec<&[Tok]> = Vec::with_capacity(6);
    let mut start = 0;
    for (i, t) in pat.iter().enumerate() {
        if pat_parts.len() == 5 {
            break;
        }
        if *t == Tok::Lit(':') {
            pat_parts.push(&pat[start..i]);
            start = i + 1;
        }
    }
    pat_parts.push(&pat[start..]);

    let last = pat_parts.len() - 1;
    for (i, part) in pat_parts.iter().enumerate() {
        if i == last && pat_parts.len() < 6 {
            // The last pattern component must absorb the rest of the value.
            if part.last() != Some(&Tok::Star) {
                return false;
            }
            let rest = value_parts[i..].join(":");
            return string_like_toks(part, &rest);
        }
        if !string_like_toks(part, value_parts[i]) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_case_insensitive_globs() {
        assert!(action_matches("s3:GetObject", "s3:getobject"));
        assert!(action_matches("S3:*", "s3:ListBucket"));
        assert!(action_matches("iam:*AccessKey*", "iam:CreateAccessKey"));
        assert!(action_matches(
            "iam:*Report",
            "iam:GetOrganizationsAccessReport"
        ));
        assert!(!action_matches("iam:*Report", "iam:GetReports"));
        assert!(action_matches("ec2:Describe?pcs", "ec2:DescribeVpcs"));
        assert!(!action_matches("ec2:Describe?pcs", "ec2:DescribeVVpcs"));
        assert!(action_matches("*:*", "s3:GetObject"));
        assert!(action_matches("*", "anything"));
        assert!(!action_matches("s3:GetObject", "s3:GetObjectAcl"));
        assert!(!action_matches("", "s3:GetObject"));
        assert!(action_matches("", ""));
    }

    #[test]
    fn resource_segments() {
        assert!(resource_matches("*", "arn:aws:s3:::b/k"));
        assert!(resource_matches(
            "arn:aws:s3:::*",
            "arn:aws:s3:::b/k:with:colons"
        ));
        assert!(resource_matches("arn:aws:s3:::b/*", "arn:aws:s3:::b/"));
        assert!(!resource_matches("arn:aws:s3:::b/*", "arn:aws:s3:::b"));
        // `*` ending a segment crosses colons.
        assert!(resource_matches(
            "arn:aws:logs:us-east-1:123456789012:log-group:*",
            "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s"
        ));
        // `*` in the middle of a segment does not.
        assert!(!resource_matches(
            "arn:aws:logs:us-east-1:123456789012:log-group:a*z",
            "arn:aws:logs:us-east-1:123456789012:log-group:a:z"
        ));
        assert!(resource_matches(
            "arn:aws:logs:us-east-1:123456789012:log-group:a*z",
            "arn:aws:logs:us-east-1:123456789012:log-group:abcz"
        ));
        // `?` never matches a colon.
        assert!(!resource_matches("arn:aws:s3:::a?b", "arn:aws:s3:::a:b"));
        assert!(resource_matches("arn:aws:s3:::a?b", "arn:aws:s3:::a/b"));
        assert!(resource_matches(
            "arn:aws:ec2:*:*:instance/*",
            "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc"
        ));
        assert!(!resource_matches(
            "arn:aws:iam::123456789012:user/Bob",
            "arn:aws:iam::123456789012:user/bob"
        ));
        assert!(resource_matches("arn:aws:*", "arn:aws:s3:::x"));
    }

    #[test]
    fn string_like_crosses_everything() {
        assert!(string_like("*", ""));
        assert!(string_like("a*", "a:b:c"));
        assert!(string_like("t2.*", "t2.micro"));
        assert!(!string_like("t2.*", "m5.large"));
        assert!(string_like("?", "x"));
        assert!(!string_like("?", ""));
        assert!(string_like(
            "arn:aws:someservice:*:111122223333:finance/*",
            "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
        ));
    }

    #[test]
    fn arn_like_components() {
        assert!(arn_like("*", "arn:aws:s3:::b"));
        assert!(!arn_like("*", "not-an-arn"));
        assert!(arn_like(
            "arn:aws:iam::*:role/Admin",
            "arn:aws:iam::123456789012:role/Admin"
        ));
        assert!(!arn_like(
            "arn:aws:iam::*:role/Admin",
            "arn:aws:iam::123456789012:role/admin"
        ));
        assert!(arn_like("arn:aws:s3*", "arn:aws:s3:::bucket"));
        assert!(!arn_like("arn:aws:s3", "arn:aws:s3:::bucket"));
        assert!(arn_like(
            "arn:aws:logs:*:*:log-group:*",
            "arn:aws:logs:eu-west-1:1:log-group:g:log-stream:x"
        ));
    }

    #[test]
    fn pathological_patterns_are_fast() {
        let pat = "*a".repeat(200);
        let text = "a".repeat(199) + "b";
        assert!(!string_like(&pat, &text));
        assert!(!resource_matches(&pat, &text));
        assert!(!action_matches(&pat, &text));
    }
}
