//! Golden comparisons of every format. `UPDATE_GOLDEN=1` rewrites them.

use crate::fixture::{render_str, render_with, report, source_root};
use palisade_report::{Format, TextOptions};
use std::path::PathBuf;

pub fn check(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1") {
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; run with UPDATE_GOLDEN=1 to create it",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{name} differs from {} at line {}:\n  expected: {:?}\n  actual:   {:?}\n\
             full output:\n{actual}\n(run with UPDATE_GOLDEN=1 to accept)",
            path.display(),
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line),
        );
    }
}

#[test]
fn json_matches_golden() {
    check("report.json", &render_str(&report(), Format::Json));
}

#[test]
fn sarif_matches_golden() {
    check("report.sarif", &render_str(&report(), Format::Sarif));
}

#[test]
fn junit_matches_golden() {
    check("report.xml", &render_str(&report(), Format::Junit));
}

#[test]
fn markdown_matches_golden() {
    check("report.md", &render_str(&report(), Format::Markdown));
}

#[test]
fn text_matches_golden() {
    let opts = TextOptions {
        color: false,
        source_root: Some(source_root("golden-plain")),
    };
    check("report.txt", &render_with(&report(), Format::Text, &opts));
}

#[test]
fn coloured_text_matches_golden() {
    let opts = TextOptions {
        color: true,
        source_root: Some(source_root("golden-color")),
    };
    check(
        "report.color.txt",
        &render_with(&report(), Format::Text, &opts),
    );
}

#[test]
fn output_is_deterministic() {
    let root = source_root("determinism");
    for format in Format::ALL {
        let opts = TextOptions {
            color: false,
            source_root: Some(root.clone()),
        };
        let a = render_with(&report(), format, &opts);
        let b = render_with(&report(), format, &opts);
        assert_eq!(a, b, "{format} output differs between runs");
    }
}
