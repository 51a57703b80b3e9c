//! Suppressions: findings silenced on purpose, always with a reason, never
//! dropped (they move to [`ScanReport::suppressed`]).
//!
//! Where they come from:
//! - comments in the scanned files: `# palisade:ignore PAL001 reason` (or
//!   `//`, several rules separated by commas), and the peers' comments
//!   `#checkov:skip=CKV_AWS_24:reason`, `#tfsec:ignore:aws-ec2-... reason`,
//!   `#trivy:ignore:AVD-AWS-0107 reason`, which apply to a rule whose
//!   `benchmarks` name that check;
//! - the Kubernetes annotation `palisade.dev/ignore: "PAL001: reason"`
//!   (several separated by `;`) on the object itself;
//! - `[[ignore]]` entries of `palisade.toml`.
//!
//! A comment applies to the line it ends, or, alone on its line (with other
//! comment lines), to the next line of code. It covers a finding on that
//! line, and every finding of a resource whose block (or YAML document)
//! starts on that line. A comment at the top inside a block, before its
//! first line of code, also covers the whole block; `checkov:skip` covers
//! its block wherever it is inside it, as Checkov does. The block is the
//! finding's resource (by address) or any resource of the model whose
//! location encloses the finding (so a comment on a security group covers
//! findings on its inline rules).
//!
//! A suppression without a reason is not honoured, and a note says so; so
//! is a `palisade:ignore` naming no known rule.

use palisade_model::finding::{Finding, RuleInfo, ScanReport, Suppressed, SuppressionSource};
use palisade_model::{Diagnostic, Location, Meta, Model};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The annotation read on Kubernetes objects.
pub const ANNOTATION: &str = "palisade.dev/ignore";

/// Files larger than this are not searched for suppression comments.
const MAX_BYTES: u64 = 8 * 1024 * 1024;

/// One `[[ignore]]` entry of `palisade.toml`, compiled.
#[derive(Clone, Debug)]
pub struct ConfigIgnore {
    /// Rule id.
    pub rule: String,
    /// Globs on the finding's file (relative to `base`); `None`: any file.
    pub paths: Option<globset::GlobSet>,
    /// Globs on the finding's resource address; `None`: any resource.
    pub resources: Option<globset::GlobSet>,
    pub reason: String,
    /// The configuration file's directory.
    pub base: PathBuf,
    /// Where the entry is written.
    pub at: Location,
}

/// A suppression comment found in a file.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Directive {
    pub source: SuppressionSource,
    /// Rule ids/names (palisade) or peer check ids.
    pub ids: Vec<String>,
    pub reason: Option<String>,
    /// The line it is written on.
    pub line: u32,
    /// The line of code it applies to.
    pub target: u32,
    /// For a comment alone on its line, the line of code before it.
    pub prev_code: Option<u32>,
    /// The directive as written (for notes).
    pub text: String,
}

const MARKERS: &[(&str, SuppressionSource)] = &[
    ("palisade:ignore", SuppressionSource::Inline),
    ("checkov:skip=", SuppressionSource::Checkov),
    ("tfsec:ignore:", SuppressionSource::Tfsec),
    ("trivy:ignore:", SuppressionSource::Trivy),
];

/// Byte offset where the line's comment starts, if it has one outside
/// strings.
fn comment_start(line: &str, yaml: bool) -> Option<usize> {
    let b = line.as_bytes();
    let mut in_double = false;
    let mut in_single = false;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if in_double {
            if c == b'\\' {
                i += 2;
                continue;
            }
            if c == b'"' {
                in_double = false;
            }
        } else if in_single {
            if c == b'\'' {
                in_single = false;
            }
        } else {
            match c {
                b'"' => in_double = true,
                b'\'' if yaml => {
                    // A quote starts a YAML string only at a value's start.
                    let prev = line[..i].trim_end().chars().next_back();
                    if matches!(prev, None | Some(':' | '-' | '[' | '{' | ',')) {
                        in_single = true;
                    }
                }
                b'#' => {
                    let ok = !yaml || i == 0 || b[i - 1].is_ascii_whitespace();
                    if ok {
                        return Some(i);
                    }
                }
                b'/' if !yaml && b.get(i + 1) == Some(&b'/') => return Some(i),
                _ => {}
            }
        }
        i += 1;
    }
    None
}

/// How a line reads: blank, comment only, or code.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Blank,
    Comment,
    Code,
}

fn line_kind(line: &str, yaml: bool) -> LineKind {
    let t = line.trim();
    if t.is_empty() || (yaml && (t == "---" || t == "..." || t.starts_with("--- "))) {
        return LineKind::Blank;
    }
    match comment_start(line, yaml) {
        Some(c) if line[..c].trim().is_empty() => LineKind::Comment,
        _ => LineKind::Code,
    }
}

/// Every suppression comment of a file. `yaml` selects YAML comment rules
/// (`#` only, after whitespace); otherwise HCL (`#` and `//`).
pub(crate) fn parse_file(text: &str, yaml: bool) -> Vec<Directive> {
    let lines: Vec<&str> = text.lines().collect();
    let kinds: Vec<LineKind> = lines.iter().map(|l| line_kind(l, yaml)).collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if !MARKERS.iter().any(|(m, _)| line.contains(m)) {
            continue;
        }
        let Some(cs) = comment_start(line, yaml) else {
            continue;
        };
        let comment = &line[cs..];
        let lineno = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let (target, prev_code) = if kinds.get(i) == Some(&LineKind::Comment) {
            let next = (i + 1..lines.len()).find(|&j| kinds.get(j) == Some(&LineKind::Code));
            let prev = (0..i)
                .rev()
                .find(|&j| kinds.get(j) == Some(&LineKind::Code));
            (
                next.map_or(lineno, |j| u32::try_from(j + 1).unwrap_or(u32::MAX)),
                prev.map(|j| u32::try_from(j + 1).unwrap_or(u32::MAX)),
            )
        } else {
            (lineno, None)
        };
        // Every marker in the comment, each directive running to the next.
        let mut found: Vec<(usize, &str, SuppressionSource)> = Vec::new();
        for (m, src) in MARKERS {
            found.extend(comment.match_indices(m).map(|(p, _)| (p, *m, *src)));
        }
        found.sort_by_key(|(p, _, _)| *p);
        for (k, (pos, marker, source)) in found.iter().enumerate() {
            let end = found.get(k + 1).map_or(comment.len(), |n| n.0);
            let body = comment.get(pos + marker.len()..end).unwrap_or("");
            let (ids, reason) = parse_body(*source, body);
            out.push(Directive {
                source: *source,
                ids,
                reason,
                line: lineno,
                target,
                prev_code,
                text: comment.get(*pos..end).unwrap_or("").trim().to_string(),
            });
        }
    }
    out
}

/// The ids and reason of one directive's text after its marker.
fn parse_body(source: SuppressionSource, body: &str) -> (Vec<String>, Option<String>) {
    let body = body.trim_end().trim_end_matches("*/").trim_end();
    let (ids, rest) = match source {
        SuppressionSource::Checkov => {
            // CKV_AWS_24:reason
            let end = body
                .find(|c: char| c == ':' || c.is_whitespace())
                .unwrap_or(body.len());
            let rest = body.get(end..).unwrap_or("");
            (&body[..end], rest.strip_prefix(':').unwrap_or(rest))
        }
        SuppressionSource::Tfsec | SuppressionSource::Trivy => {
            // aws-ec2-...[:exp:2025-01-01] reason
            let end = body.find(char::is_whitespace).unwrap_or(body.len());
            let id = &body[..end];
            let id = id.split(':').next().unwrap_or(id);
            (id, body.get(end..).unwrap_or(""))
        }
        _ => {
            // PAL001[,PAL002] reason
            let b = body.trim_start_matches([':', '=']).trim_start();
            let end = b.find(char::is_whitespace).unwrap_or(b.len());
            (&b[..end], b.get(end..).unwrap_or(""))
        }
    };
    let ids = ids
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let reason = rest
        .trim()
        .trim_start_matches("--")
        .trim_start_matches([':', '-'])
        .trim();
    (ids, (!reason.is_empty()).then(|| reason.to_string()))
}

/// Entries of a `palisade.dev/ignore` annotation: `(rule, reason)`.
pub(crate) fn parse_annotation(value: &str) -> Vec<(String, Option<String>)> {
    value
        .split(';')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|e| match e.split_once(':') {
            Some((id, reason)) => {
                let r = reason.trim();
                (
                    id.trim().to_string(),
                    (!r.is_empty()).then(|| r.to_string()),
                )
            }
            None => {
                let (id, reason) = e.split_once(char::is_whitespace).unwrap_or((e, ""));
                let r = reason.trim();
                (id.to_string(), (!r.is_empty()).then(|| r.to_string()))
            }
        })
        .collect()
}

/// True when the peer check `id` is one the rule maps to (the last word of
/// one of its `benchmarks`).
fn rule_maps_to(rule: &str, id: &str) -> bool {
    palisade_rules::find(rule).is_some_and(|r| {
        r.benchmarks.iter().any(|b| {
            b.split_whitespace()
                .next_back()
                .is_some_and(|last| last.eq_ignore_ascii_case(id))
        })
    })
}

/// The id of the rule `key` names (id or name): a built-in rule, or one of
/// the `custom` rules.
fn rule_id(key: &str, custom: &[RuleInfo]) -> Option<String> {
    palisade_rules::find(key)
        .map(|r| r.id.to_string())
        .or_else(|| {
            custom
                .iter()
                .find(|c| c.id.eq_ignore_ascii_case(key) || c.name.eq_ignore_ascii_case(key))
                .map(|c| c.id.clone())
        })
}

fn names_rule(d: &Directive, rule: &str, custom: &[RuleInfo]) -> bool {
    match d.source {
        SuppressionSource::Inline => d.ids.iter().any(|k| {
            k.eq_ignore_ascii_case(rule) || rule_id(k, custom).is_some_and(|id| id == rule)
        }),
        _ => d.ids.iter().any(|id| rule_maps_to(rule, id)),
    }
}

/// The file on disk a report path names.
fn disk_path(base: &Path, file: &str) -> PathBuf {
    let p = Path::new(file);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

fn is_yaml(file: &str) -> bool {
    let f = file.to_ascii_lowercase();
    f.ends_with(".yaml") || f.ends_with(".yml")
}

/// A file's lines and its directives.
type Parsed = (Vec<String>, Vec<Directive>);

/// Files read and their directives, by report path.
struct Files<'b> {
    base: &'b Path,
    parsed: HashMap<Arc<str>, Option<Parsed>>,
}

impl Files<'_> {
    fn get(&mut self, file: &Arc<str>) -> Option<&Parsed> {
        if !self.parsed.contains_key(file) {
            let path = disk_path(self.base, file);
            let text = std::fs::metadata(&path)
                .ok()
                .filter(|m| m.len() <= MAX_BYTES)
                .and_then(|_| std::fs::read_to_string(&path).ok());
            let entry = text.map(|t| {
                let lower = file.to_ascii_lowercase();
                let directives = if lower.ends_with(".json") {
                    Vec::new() // JSON has no comments
                } else {
                    parse_file(&t, is_yaml(file))
                };
                (t.lines().map(str::to_string).collect(), directives)
            });
            self.parsed.insert(file.clone(), entry);
        }
        self.parsed.get(file).and_then(Option::as_ref)
    }
}

/// Moves every suppressed finding of `report` to `report.suppressed`, and
/// notes suppressions that are not honoured. `base` is the directory report
/// paths are relative to; `custom` are the custom rules that ran.
pub(crate) fn apply(
    report: &mut ScanReport,
    model: &Model,
    base: &Path,
    ignores: &[ConfigIgnore],
    custom: &[RuleInfo],
) {
    if report.findings.is_empty() {
        return;
    }
    let mut metas: Vec<&Meta> = model.aws.metas().into_iter().map(|(_, m)| m).collect();
    let objects = model.k8s.objects();
    metas.extend(objects.iter().map(|(m, _)| *m));
    let mut by_address: HashMap<&str, Vec<&Meta>> = HashMap::new();
    let mut by_file: HashMap<&str, Vec<&Meta>> = HashMap::new();
    for m in &metas {
        by_address.entry(m.address.as_str()).or_default().push(m);
        by_file.entry(&m.loc.file).or_default().push(m);
    }
    let annotations: HashMap<&str, (&Meta, &str)> = objects
        .iter()
        .filter_map(|(m, o)| {
            o.annotation(ANNOTATION)
                .map(|v| (m.address.as_str(), (*m, v)))
        })
        .collect();

    let mut files = Files {
        base,
        parsed: HashMap::new(),
    };
    let mut notes: Vec<Diagnostic> = Vec::new();
    let mut kept = Vec::with_capacity(report.findings.len());
    let mut noted_files: std::collections::HashSet<Arc<str>> = Default::default();

    for f in std::mem::take(&mut report.findings) {
        // The blocks the finding belongs to.
        let mut blocks: Vec<&Meta> = by_address
            .get(f.resource.as_str())
            .cloned()
            .unwrap_or_default();
        // Addresses repeat across Terraform roots (environments): only the
        // blocks of the finding's own root (its directory) can hold its
        // suppression comments.
        let dir = |file: &str| {
            std::path::Path::new(file)
                .parent()
                .map(std::path::Path::to_path_buf)
        };
        let own_dir = dir(&f.location.file);
        blocks.retain(|m| dir(&m.loc.file) == own_dir);
        if let Some(list) = by_file.get(&*f.location.file) {
            blocks
                .extend(list.iter().filter(|m| {
                    m.loc.line <= f.location.line && f.location.line <= m.loc.end_line
                }));
        }
        let mut candidates: Vec<Arc<str>> = vec![f.location.file.clone()];
        for m in &blocks {
            if !candidates.contains(&m.loc.file) {
                candidates.push(m.loc.file.clone());
            }
        }
        let mut hit: Option<(SuppressionSource, String, Location)> = None;
        for file in &candidates {
            if noted_files.insert(file.clone()) {
                if let Some((_, ds)) = files.get(file) {
                    notes.extend(ds.iter().filter_map(|d| not_honoured(file, d, custom)));
                }
            }
            let Some((_, ds)) = files.get(file) else {
                continue;
            };
            let found = ds.iter().find(|d| {
                d.reason.is_some()
                    && names_rule(d, &f.rule, custom)
                    && applies(d, file, &f, &blocks)
            });
            if let Some(d) = found {
                hit = Some((
                    d.source,
                    d.reason.clone().unwrap_or_default(),
                    Location::new(file.clone(), d.line, d.line),
                ));
                break;
            }
        }
        if hit.is_none() {
            hit = annotation_hit(&f, &annotations, &mut files, &mut notes, custom);
        }
        if hit.is_none() {
            hit = ignores
                .iter()
                .find(|ig| config_applies(ig, &f, base))
                .map(|ig| (SuppressionSource::Config, ig.reason.clone(), ig.at.clone()));
        }
        match hit {
            Some((source, reason, at)) => report.suppressed.push(Suppressed {
                finding: f,
                reason,
                source,
                at: Some(at),
            }),
            None => kept.push(f),
        }
    }
    report.findings = kept;
    report.notes.extend(notes);
}

/// Why a directive is not honoured, if it is not.
fn not_honoured(file: &str, d: &Directive, custom: &[RuleInfo]) -> Option<Diagnostic> {
    if d.ids.is_empty() {
        return Some(Diagnostic::new(
            file,
            Some(d.line),
            format!("`{}` names no check; not honoured", d.text),
        ));
    }
    if d.source == SuppressionSource::Inline {
        if let Some(bad) = d.ids.iter().find(|k| rule_id(k, custom).is_none()) {
            return Some(Diagnostic::new(
                file,
                Some(d.line),
                format!("`{}` names unknown rule `{bad}`; not honoured", d.text),
            ));
        }
    }
    if d.reason.is_none() {
        let hint = match d.source {
            SuppressionSource::Checkov => "add `:<why>` after the check id",
            _ => "add the reason after the id",
        };
        // Peer comments matter only when they map to one of our rules.
        let ours = d.source == SuppressionSource::Inline
            || palisade_rules::all()
                .iter()
                .any(|r| d.ids.iter().any(|id| rule_maps_to(r.id, id)));
        if ours {
            return Some(Diagnostic::new(
                file,
                Some(d.line),
                format!(
                    "`{}` gives no reason, so it is not honoured ({hint})",
                    d.text
                ),
            ));
        }
    }
    None
}

/// True when directive `d` in `file` covers finding `f`, whose blocks are
/// `blocks`.
fn applies(d: &Directive, file: &str, f: &Finding, blocks: &[&Meta]) -> bool {
    if *f.location.file == *file && (d.target == f.location.line || d.line == f.location.line) {
        return true;
    }
    blocks.iter().any(|m| {
        if *m.loc.file != *file {
            return false;
        }
        let inside = m.loc.line < d.line && d.line <= m.loc.end_line;
        d.target == m.loc.line
            || d.line == m.loc.line
            || (inside && d.prev_code == Some(m.loc.line))
            || (inside && d.source == SuppressionSource::Checkov)
    })
}

fn annotation_hit(
    f: &Finding,
    annotations: &HashMap<&str, (&Meta, &str)>,
    files: &mut Files<'_>,
    notes: &mut Vec<Diagnostic>,
    custom: &[RuleInfo],
) -> Option<(SuppressionSource, String, Location)> {
    let (meta, value) = annotations.get(f.resource.as_str())?;
    // The annotation's own line, when the file shows it.
    let line = files
        .get(&meta.loc.file)
        .and_then(|(lines, _)| {
            (meta.loc.line..=meta.loc.end_line).find(|&n| {
                usize::try_from(n)
                    .ok()
                    .and_then(|n| lines.get(n.saturating_sub(1)))
                    .is_some_and(|l| l.contains(ANNOTATION))
            })
        })
        .unwrap_or(meta.loc.line);
    let at = Location::new(meta.loc.file.clone(), line, line);
    let mut honoured = None;
    for (id, reason) in parse_annotation(value) {
        let Some(rule) = rule_id(&id, custom) else {
            notes.push(Diagnostic::new(
                &*meta.loc.file,
                Some(line),
                format!(
                    "annotation {ANNOTATION} of {} names unknown rule `{id}`; not honoured",
                    meta.address
                ),
            ));
            continue;
        };
        match reason {
            None => notes.push(Diagnostic::new(
                &*meta.loc.file,
                Some(line),
                format!(
                    "annotation {ANNOTATION} of {} gives no reason for {}, so it is not honoured (write `{}: <why>`)",
                    meta.address, rule, rule
                ),
            )),
            Some(r) if rule == f.rule && honoured.is_none() => honoured = Some(r),
            Some(_) => {}
        }
    }
    honoured.map(|r| (SuppressionSource::Inline, r, at))
}

fn config_applies(ig: &ConfigIgnore, f: &Finding, base: &Path) -> bool {
    if ig.rule != f.rule {
        return false;
    }
    if let Some(res) = &ig.resources {
        if !res.is_match(&f.resource) {
            return false;
        }
    }
    if let Some(paths) = &ig.paths {
        let shown = f.location.file.replace('\\', "/");
        let abs = crate::config::absolute(&disk_path(base, &f.location.file));
        let rel = abs
            .strip_prefix(&ig.base)
            .map(|r| r.to_string_lossy().replace('\\', "/"));
        let matched = paths.is_match(&shown) || rel.is_ok_and(|r| paths.is_match(r));
        if !matched {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str, yaml: bool) -> Directive {
        let mut d = parse_file(text, yaml);
        assert_eq!(d.len(), 1, "{text:?}: {d:?}");
        d.remove(0)
    }

    #[test]
    fn palisade_comments() {
        let d = one(
            "resource \"a\" \"b\" { # palisade:ignore PAL001 VPN only\n}\n",
            false,
        );
        assert_eq!(d.source, SuppressionSource::Inline);
        assert_eq!(d.ids, ["PAL001"]);
        assert_eq!(d.reason.as_deref(), Some("VPN only"));
        assert_eq!((d.line, d.target, d.prev_code), (1, 1, None));

        let d = one(
            "a = 1\n\n// palisade:ignore PAL001,sg-x -- reviewed\n# other\nb = 2\n",
            false,
        );
        assert_eq!(d.ids, ["PAL001", "sg-x"]);
        assert_eq!(d.reason.as_deref(), Some("reviewed"));
        assert_eq!((d.line, d.target, d.prev_code), (3, 5, Some(1)));

        let d = one("# palisade:ignore PAL001\nb = 2\n", false);
        assert_eq!(d.reason, None);
        // Not in a string.
        assert!(parse_file("x = \"# palisade:ignore PAL001 no\"\n", false).is_empty());
        assert!(parse_file("x = \"http://palisade:ignore PAL001 no\"\n", false).is_empty());
    }

    #[test]
    fn peer_comments() {
        let d = one(
            "  #checkov:skip=CKV_AWS_24:SSH via VPN only\n  x = 1\n",
            false,
        );
        assert_eq!(d.source, SuppressionSource::Checkov);
        assert_eq!(d.ids, ["CKV_AWS_24"]);
        assert_eq!(d.reason.as_deref(), Some("SSH via VPN only"));
        let d = one("x = 1 # checkov:skip=CKV_AWS_24\n", false);
        assert_eq!(d.reason, None);
        let d = one(
            "#tfsec:ignore:aws-ec2-no-public-ingress-sgr:exp:2030-01-01 public web\n",
            false,
        );
        assert_eq!(d.source, SuppressionSource::Tfsec);
        assert_eq!(d.ids, ["aws-ec2-no-public-ingress-sgr"]);
        assert_eq!(d.reason.as_deref(), Some("public web"));
        let d = one("#trivy:ignore:AVD-AWS-0107 reviewed\n", false);
        assert_eq!(
            (d.source, d.ids[0].as_str()),
            (SuppressionSource::Trivy, "AVD-AWS-0107")
        );
        let two = parse_file("# tfsec:ignore:a why trivy:ignore:B because\n", false);
        assert_eq!(two.len(), 2);
        assert_eq!(two[0].reason.as_deref(), Some("why"));
        assert_eq!(two[1].ids, ["B"]);
    }

    #[test]
    fn yaml_comments() {
        let text = "---\n# palisade:ignore PAL020 legacy app\napiVersion: v1\nkind: Pod\nmetadata:\n  name: x # palisade:ignore PAL021 why\n  url: http://a#b\n";
        let ds = parse_file(text, true);
        assert_eq!(ds.len(), 2);
        assert_eq!((ds[0].line, ds[0].target), (2, 3));
        assert_eq!((ds[1].line, ds[1].target), (6, 6));
        assert!(parse_file("a: 'x # palisade:ignore PAL001 no'\n", true).is_empty());
    }

    #[test]
    fn annotations() {
        assert_eq!(
            parse_annotation("PAL020: legacy; PAL021 ; PAL022 because"),
            vec![
                ("PAL020".to_string(), Some("legacy".to_string())),
                ("PAL021".to_string(), None),
                ("PAL022".to_string(), Some("because".to_string())),
            ]
        );
    }
}
