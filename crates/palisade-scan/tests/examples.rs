//! The reference architecture of the seeds is clean, and its insecure twin
//! trips exactly the expected rules on exactly the expected resources.

use palisade_scan::{scan, ScanOptions};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/eks-rds")
        .join(name)
}

fn run(name: &str) -> palisade_model::finding::ScanReport {
    let dir = example(name);
    scan(&ScanOptions {
        paths: vec![dir.clone()],
        display_base: dir,
        ..Default::default()
    })
    .report
}

#[test]
fn the_reference_architecture_is_clean() {
    let report = run("secure");
    assert!(
        report.errors.is_empty(),
        "load errors: {:#?}",
        report.errors
    );
    let found: Vec<String> = report
        .findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {}:{} {}",
                f.rule, f.resource, f.location.file, f.location.line, f.message
            )
        })
        .collect();
    assert!(
        found.is_empty(),
        "findings on the secure example:\n{}",
        found.join("\n")
    );
    assert!(
        report.summary.resources > 100,
        "the example is loaded whole"
    );
}

/// `(rule, resource)` pairs the insecure twin must produce, no more, no less.
/// Regenerate with `UPDATE_EXPECTED=1 cargo test -p palisade-scan --test examples`
/// after reviewing every new pair.
const EXPECTED: &str = include_str!("../../../examples/eks-rds/insecure/EXPECTED_FINDINGS");

#[test]
fn the_insecure_twin_trips_the_expected_rules() {
    let report = run("insecure");
    assert!(
        report.errors.is_empty(),
        "load errors: {:#?}",
        report.errors
    );
    let got: BTreeSet<String> = report
        .findings
        .iter()
        .map(|f| format!("{} {}", f.rule, f.resource))
        .collect();
    if std::env::var_os("UPDATE_EXPECTED").is_some() {
        let text: String = got.iter().map(|l| format!("{l}\n")).collect();
        std::fs::write(example("insecure").join("EXPECTED_FINDINGS"), text)
            .expect("write expected");
        return;
    }
    let want: BTreeSet<String> = EXPECTED
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect();
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing: {missing:#?}\nunexpected: {extra:#?}"
    );
    // Every practice family the twin breaks is represented.
    for practice in [
        "NET-03", "NET-07", "KMS-01", "TLS-03", "SEC-01", "IAM-05", "K8S-05", "MON-01",
    ] {
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.practices.iter().any(|p| p == practice)),
            "no finding for {practice}"
        );
    }
}
