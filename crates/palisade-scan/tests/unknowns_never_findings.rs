//! An unresolved value is unknown, never a guess: take every rule's failing
//! Terraform fixture, replace each literal value on its `# expect: <ID>`
//! lines by a variable without a default (`var.x_unknown_N`, declared as
//! `variable "x_unknown_N" {}`; inside a heredoc `${var.x_unknown_N}`), and
//! the rule must then report nothing on those lines, and say in the
//! report's unknowns what it could not decide.
//!
//! Lines without a literal (a resource header, a reference) are left alone:
//! their finding does not come from a value written there. Kubernetes YAML
//! and CloudFormation fixtures are not rewritten.
//!
//! A few findings stay right whatever the unknown value is; they are listed
//! in [`STILL_RIGHT`] with the reason.

use palisade_scan::{scan, ScanOptions};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// `(rule, fixture file relative to fixtures/<ID>/fail, line)`: findings
/// that stay correct when the literals on their line are unknown, and why.
const STILL_RIGHT: &[(&str, &str, u32, &str)] = &[];

/// Rules that need not list an unknown when a value on their lines is
/// unknown, and why.
const NO_UNKNOWN_NEEDED: &[(&str, &str)] = &[
    (
        "PAL054",
        "literal secrets: a value that is not written is no literal; nothing is undecided",
    ),
    (
        "PAL055",
        "literal master password: a value that is not written is no literal",
    ),
];

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../palisade-rules/fixtures")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// A block header (`resource "a" "b" {`, `ingress {`, `dynamic "x" {`):
/// its strings are labels, not values.
fn is_block_header(code: &str) -> bool {
    let t = code.trim();
    let Some(head) = t.strip_suffix("{}").or_else(|| t.strip_suffix('{')) else {
        return false;
    };
    let head = head.trim_end();
    let mut words = head.split_whitespace();
    let Some(first) = words.next() else {
        return true;
    };
    first
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        && !head.contains('=')
        && words.all(|w| {
            (w.starts_with('"') && w.ends_with('"') && w.len() >= 2)
                || w.chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        })
}

/// Splits a line into code and its trailing `#`/`//` comment (outside
/// strings).
fn split_comment(line: &str) -> (&str, &str) {
    let b = line.as_bytes();
    let mut in_str = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' if in_str => i += 1,
            b'"' => in_str = !in_str,
            b'#' if !in_str => return line.split_at(i),
            b'/' if !in_str && b.get(i + 1) == Some(&b'/') => return line.split_at(i),
            _ => {}
        }
        i += 1;
    }
    (line, "")
}

/// The end (exclusive) of the string literal opening at `start`, following
/// `${ }` interpolations with their own quotes.
fn string_end(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    let mut depth = 0u32;
    let mut inner_str = false;
    while i < b.len() {
        let c = b[i];
        if c == b'\\' {
            i += 2;
            continue;
        }
        if depth == 0 {
            if c == b'"' {
                return Some(i + 1);
            }
            if (c == b'$' || c == b'%') && b.get(i + 1) == Some(&b'{') {
                depth = 1;
                i += 2;
                continue;
            }
        } else if inner_str {
            if c == b'"' {
                inner_str = false;
            }
        } else {
            match c {
                b'"' => inner_str = true,
                b'{' => depth += 1,
                b'}' => depth -= 1,
                _ => {}
            }
        }
        i += 1;
    }
    None
}

/// Rewrites the literal values of one line of HCL code; `next` numbers the
/// variables. `heredoc`: the line is inside a heredoc (JSON text).
fn rewrite(code: &str, heredoc: bool, next: &mut u32) -> (String, u32) {
    let b = code.as_bytes();
    let mut out = String::new();
    let mut replaced = 0;
    let mut i = 0;
    let mut last = 0;
    let var = |out: &mut String, next: &mut u32, quoted: bool| {
        *next += 1;
        if heredoc {
            if quoted {
                out.push_str(&format!("\"${{var.x_unknown_{next}}}\""));
            } else {
                out.push_str(&format!("${{var.x_unknown_{next}}}"));
            }
        } else {
            out.push_str(&format!("var.x_unknown_{next}"));
        }
    };
    // Whether the token that ended at `end` is an object key.
    let is_key = |end: usize| {
        let rest = code[end..].trim_start();
        (rest.starts_with('=') && !rest.starts_with("==") && !rest.starts_with("=>"))
            || rest.starts_with(':')
    };
    while i < b.len() {
        let c = b[i];
        if c == b'"' {
            let Some(end) = string_end(b, i) else {
                break;
            };
            if !is_key(end) {
                out.push_str(&code[last..i]);
                var(&mut out, next, true);
                replaced += 1;
                last = end;
            }
            i = end;
            continue;
        }
        let prev = code[..i].trim_end().chars().last();
        let starts_value = matches!(prev, None | Some('=' | '(' | '[' | ',' | ':' | '?' | '{'));
        if (c.is_ascii_digit() || (c == b'-' && b.get(i + 1).is_some_and(u8::is_ascii_digit)))
            && starts_value
        {
            let mut end = i + 1;
            while end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'.') {
                end += 1;
            }
            if !is_key(end) {
                out.push_str(&code[last..i]);
                var(&mut out, next, false);
                replaced += 1;
                last = end;
            }
            i = end;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let mut end = i + 1;
            while end < b.len()
                && (b[end].is_ascii_alphanumeric() || matches!(b[end], b'_' | b'-' | b'.'))
            {
                end += 1;
            }
            let word = &code[i..end];
            if (word == "true" || word == "false") && starts_value && !is_key(end) {
                out.push_str(&code[last..i]);
                var(&mut out, next, false);
                replaced += 1;
                last = end;
            }
            i = end;
            continue;
        }
        i += 1;
    }
    out.push_str(&code[last..]);
    (out, replaced)
}

/// Rewrites a Terraform file: the literals on lines marked `expect: {id}`.
/// Returns the new text, the lines changed and how many variables it used.
fn rewrite_file(text: &str, id: &str, next: &mut u32) -> (String, BTreeSet<u32>) {
    let marker = format!("expect: {id}");
    let mut out = String::new();
    let mut changed = BTreeSet::new();
    let mut heredoc: Option<String> = None;
    for (i, line) in text.lines().enumerate() {
        let mut new = line.to_string();
        if let Some(end) = &heredoc {
            if line.trim() == end {
                heredoc = None;
            } else if line.contains(&marker) {
                // The marker inside a heredoc is part of its text: a JSON
                // line such as `"Action": "*", # expect: ID` is not valid
                // JSON anyway, so fixtures keep marks outside heredocs.
                let (code, comment) = split_comment(line);
                let (code, n) = rewrite(code, true, next);
                if n > 0 {
                    new = format!("{code}{comment}");
                    changed.insert(i as u32 + 1);
                }
            }
        } else {
            let (code, comment) = split_comment(line);
            if let Some(pos) = code.find("<<") {
                let tag = code[pos + 2..].trim_start_matches('-').trim();
                if !tag.is_empty() && tag.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    heredoc = Some(tag.to_string());
                }
            }
            if line.contains(&marker) && !is_block_header(code) && heredoc.is_none() {
                let (code, n) = rewrite(code, false, next);
                if n > 0 {
                    new = format!("{code}{comment}");
                    changed.insert(i as u32 + 1);
                }
            }
        }
        out.push_str(&new);
        out.push('\n');
    }
    (out, changed)
}

#[test]
fn rewriting_keeps_structure() {
    let mut n = 0;
    let (s, _) = rewrite(
        r#"  cidr_blocks = ["0.0.0.0/0", "${var.a}-x"] "#,
        false,
        &mut n,
    );
    assert_eq!(s, "  cidr_blocks = [var.x_unknown_1, var.x_unknown_2] ");
    let (s, _) = rewrite(
        r#"  tags = { "Name" = "x", a = 1, b = -2, c = true }"#,
        false,
        &mut n,
    );
    assert_eq!(
        s,
        r#"  tags = { "Name" = var.x_unknown_3, a = var.x_unknown_4, b = var.x_unknown_5, c = var.x_unknown_6 }"#
    );
    let (s, _) = rewrite(r#"  "Action": "s3:*", "#, true, &mut n);
    assert_eq!(s, r#"  "Action": "${var.x_unknown_7}", "#);
    let (s, k) = rewrite("  count = length(var.x)", false, &mut n);
    assert_eq!((s.as_str(), k), ("  count = length(var.x)", 0));
    assert!(is_block_header(r#"resource "aws_s3_bucket" "b" { "#));
    assert!(is_block_header("  ingress {"));
    assert!(!is_block_header("  tags = {"));
}

#[test]
fn unknown_values_never_become_findings() {
    let root = fixtures_root();
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("unknowns_never_findings");
    let _ = std::fs::remove_dir_all(&scratch);
    let still_right: BTreeMap<(&str, &str, u32), &str> = STILL_RIGHT
        .iter()
        .map(|(r, f, l, why)| ((*r, *f, *l), *why))
        .collect();
    let mut used_exceptions = BTreeSet::new();
    let mut problems = Vec::new();
    let mut checked = 0;
    for rule in palisade_rules::all() {
        let fail = root.join(rule.id).join("fail");
        let mut files = Vec::new();
        walk(&fail, &mut files);
        let dest = scratch.join(rule.id);
        let mut next = 0;
        // (relative file, changed lines)
        let mut changed: Vec<(String, BTreeSet<u32>)> = Vec::new();
        let mut var_dirs = BTreeMap::<PathBuf, (u32, u32)>::new();
        for f in &files {
            let Ok(rel) = f.strip_prefix(&fail) else {
                continue;
            };
            let to = dest.join(rel);
            if let Some(p) = to.parent() {
                let _ = std::fs::create_dir_all(p);
            }
            let text = std::fs::read_to_string(f).unwrap_or_default();
            if palisade_cfn::is_template(&text) {
                continue; // scanned apart from the Terraform files
            }
            let name = rel.to_string_lossy().replace('\\', "/");
            if name.ends_with(".tf") {
                let first = next;
                let (new, lines) = rewrite_file(&text, rule.id, &mut next);
                if !lines.is_empty() {
                    changed.push((name.clone(), lines));
                    let dir = to.parent().map(Path::to_path_buf).unwrap_or_default();
                    let e = var_dirs.entry(dir).or_insert((first + 1, next));
                    e.1 = next;
                }
                let _ = std::fs::write(&to, new);
            } else {
                let _ = std::fs::copy(f, &to);
            }
        }
        if changed.is_empty() {
            continue;
        }
        // Every directory gets every variable: a module's own variables
        // are then unset (no default, not passed), the root's unknown.
        for dir in var_dirs.keys() {
            let decls: String = (1..=next)
                .map(|n| format!("variable \"x_unknown_{n}\" {{}}\n"))
                .collect();
            let _ = std::fs::write(dir.join("zz_unknowns.tf"), decls);
        }
        let opts = ScanOptions {
            paths: vec![dest.clone()],
            rules: vec![rule],
            display_base: dest.clone(),
            ..Default::default()
        };
        let report = scan(&opts).report;
        // The same directory as written (without the rewrite): no finding
        // may appear elsewhere because a value became unknown.
        let original = dest.with_extension("orig");
        let _ = std::fs::create_dir_all(&original);
        for f in &files {
            let Ok(rel) = f.strip_prefix(&fail) else {
                continue;
            };
            let text = std::fs::read_to_string(f).unwrap_or_default();
            if palisade_cfn::is_template(&text) {
                continue;
            }
            let to = original.join(rel);
            if let Some(p) = to.parent() {
                let _ = std::fs::create_dir_all(p);
            }
            let _ = std::fs::copy(f, &to);
        }
        let before = scan(&ScanOptions {
            paths: vec![original.clone()],
            display_base: original.clone(),
            ..opts.clone()
        })
        .report;
        let places = |r: &palisade_model::finding::ScanReport| -> BTreeSet<(String, u32)> {
            r.findings
                .iter()
                .map(|f| (f.location.file.to_string(), f.location.line))
                .collect()
        };
        for (file, line) in places(&report).difference(&places(&before)) {
            problems.push(format!(
                "{}: new finding at {file}:{line} once values became unknown",
                rule.id
            ));
        }
        for e in &report.errors {
            problems.push(format!(
                "{}: load error in the rewritten fixture: {e:?}",
                rule.id
            ));
        }
        for (file, lines) in &changed {
            for line in lines {
                checked += 1;
                let hits: Vec<_> = report
                    .findings
                    .iter()
                    .filter(|f| &*f.location.file == file.as_str() && f.location.line == *line)
                    .collect();
                if hits.is_empty() {
                    continue;
                }
                if still_right.contains_key(&(rule.id, file.as_str(), *line)) {
                    used_exceptions.insert((rule.id, file.clone(), *line));
                    continue;
                }
                let text = std::fs::read_to_string(dest.join(file)).unwrap_or_default();
                let src = text.lines().nth(*line as usize - 1).unwrap_or("").trim();
                for h in hits {
                    problems.push(format!(
                        "{} {file}:{line} `{src}`: still reported: {}",
                        rule.id, h.message
                    ));
                }
            }
        }
        // The report says what was unknown: an unknown (the loader's, or
        // the rule's) at each rewritten line.
        let exempt = NO_UNKNOWN_NEEDED.iter().any(|(r, _)| *r == rule.id);
        for (file, lines) in &changed {
            for line in lines {
                let said = report.unknowns.iter().any(|u| {
                    u.location.as_ref().is_some_and(|l| {
                        &*l.file == file.as_str() && l.line <= *line && *line <= l.end_line
                    })
                });
                if !said && !exempt && !still_right.contains_key(&(rule.id, file.as_str(), *line)) {
                    problems.push(format!(
                        "{} {file}:{line}: no unknown in the report for the values made unknown",
                        rule.id
                    ));
                }
            }
        }
    }
    for (r, f, l, _) in STILL_RIGHT {
        if !used_exceptions.contains(&(*r, f.to_string(), *l)) {
            problems.push(format!(
                "{r} {f}:{l}: listed in STILL_RIGHT but not reported"
            ));
        }
    }
    assert!(checked > 50, "only {checked} lines rewritten");
    assert!(
        problems.is_empty(),
        "{} problem(s) over {checked} rewritten lines:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
