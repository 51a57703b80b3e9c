//! Every rule has a passing and a failing fixture beside it
//! (`crates/palisade-rules/fixtures/<ID>/{pass,fail}/`). A failing fixture
//! marks each line where a finding is expected with `# expect: <ID>`; the
//! rule must report exactly those lines, and nothing on the passing fixture.
//!
//! A rule may also have Terraform plan fixtures, `plan-pass/` and
//! `plan-fail/`: a `plan.json` (`terraform show -json`) beside the
//! configuration it was made from, whose `.tf` files carry the `expect:`
//! marks (findings from a plan point into its configuration). Their values
//! should differ from what the configuration alone decides, so the test
//! shows the plan is what was read.
//!
//! A fixture directory may hold the same case in several input formats
//! (a `main.tf` and its CloudFormation twin `template.yaml`). CloudFormation
//! templates (by content) are then scanned apart from the other files, each
//! group against its own `expect:` marks, so one format's resources never
//! make another's case pass or fail. A directory without templates is
//! scanned as a whole.

use palisade_scan::{scan, ScanOptions};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../palisade-rules/fixtures")
}

/// `(display file, line)` pairs marked `expect: ID` in `paths` (files or
/// directories).
fn expected_lines(paths: &[PathBuf], id: &str, base: &Path) -> BTreeSet<(String, u32)> {
    let mut out = BTreeSet::new();
    let marker = format!("expect: {id}");
    let files = paths
        .iter()
        .flat_map(|p| if p.is_dir() { walk(p) } else { vec![p.clone()] });
    for entry in files {
        let Ok(text) = std::fs::read_to_string(&entry) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            if line.contains(&marker) {
                out.insert((palisade_scan::display_path(base, &entry), i as u32 + 1));
            }
        }
    }
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The groups of inputs of a fixture directory scanned apart: the whole
/// directory when it holds no CloudFormation template, else its templates
/// and (when there are any) its other files. Each with a label.
fn groups(dir: &Path) -> Vec<(&'static str, Vec<PathBuf>)> {
    let files = walk(dir);
    let (templates, others): (Vec<PathBuf>, Vec<PathBuf>) = files
        .into_iter()
        .partition(|f| std::fs::read_to_string(f).is_ok_and(|t| palisade_cfn::is_template(&t)));
    if templates.is_empty() {
        return vec![("", vec![dir.to_path_buf()])];
    }
    let mut out = Vec::new();
    if !others.is_empty() {
        out.push(("non-CloudFormation files", others));
    }
    out.push(("CloudFormation", templates));
    out
}

fn run(
    rule: &'static palisade_rules::Rule,
    paths: &[PathBuf],
) -> palisade_model::finding::ScanReport {
    let opts = ScanOptions {
        paths: paths.to_vec(),
        rules: vec![rule],
        display_base: fixtures_root(),
        ..Default::default()
    };
    scan(&opts).report
}

#[test]
fn every_rule_passes_and_fails_its_fixtures() {
    let root = fixtures_root();
    let mut problems = Vec::new();
    for rule in palisade_rules::all() {
        let dir = root.join(rule.id);
        let (pass, fail) = (dir.join("pass"), dir.join("fail"));
        if !pass.is_dir() || !fail.is_dir() {
            problems.push(format!(
                "{}: missing fixtures/{}/pass or fail",
                rule.id, rule.id
            ));
            continue;
        }
        check(rule, &pass, &fail, &root, &mut problems);
        let (plan_pass, plan_fail) = (dir.join("plan-pass"), dir.join("plan-fail"));
        if plan_pass.is_dir() || plan_fail.is_dir() {
            for d in [&plan_pass, &plan_fail] {
                if !d.join("plan.json").is_file() {
                    problems.push(format!("{}: {} has no plan.json", rule.id, d.display()));
                }
            }
            check(rule, &plan_pass, &plan_fail, &root, &mut problems);
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Runs one pair of passing and failing fixtures.
fn check(
    rule: &'static palisade_rules::Rule,
    pass: &Path,
    fail: &Path,
    root: &Path,
    problems: &mut Vec<String>,
) {
    let label = |l: &str| {
        if l.is_empty() {
            String::new()
        } else {
            format!(" ({l})")
        }
    };
    for (l, paths) in groups(pass) {
        let ok = run(rule, &paths);
        if !ok.errors.is_empty() {
            problems.push(format!(
                "{}: pass fixture{} has load errors: {:?}",
                rule.id,
                label(l),
                ok.errors
            ));
        }
        for f in ok.findings.iter().filter(|f| f.rule == rule.id) {
            problems.push(format!(
                "{}: unexpected finding on pass fixture at {}:{}: {}",
                rule.id, f.location.file, f.location.line, f.message
            ));
        }
    }
    for (l, paths) in groups(fail) {
        let bad = run(rule, &paths);
        if !bad.errors.is_empty() {
            problems.push(format!(
                "{}: fail fixture{} has load errors: {:?}",
                rule.id,
                label(l),
                bad.errors
            ));
        }
        let got: BTreeSet<(String, u32)> = bad
            .findings
            .iter()
            .filter(|f| f.rule == rule.id)
            .map(|f| (f.location.file.to_string(), f.location.line))
            .collect();
        let want = expected_lines(&paths, rule.id, root);
        if want.is_empty() {
            problems.push(format!(
                "{}: fail fixture{} marks no `expect: {}` line",
                rule.id,
                label(l),
                rule.id
            ));
        }
        if got != want {
            problems.push(format!(
                "{}: findings at {:?}, expected at {:?} (messages: {:?})",
                rule.id,
                got,
                want,
                bad.findings.iter().map(|f| &f.message).collect::<Vec<_>>()
            ));
        }
    }
}
