//! Custom rules in Rego through the real pipeline: the example rules of
//! `examples/custom-rules/` on their fixtures (`fixtures/<ID>/{pass,fail}`,
//! each expected finding marked `expect: <ID>` on its line), suppressions,
//! and broken policies (errors name file and line, the rest still runs).

use palisade_model::finding::{ScanReport, SuppressionSource};
use palisade_rego::RuleSet;
use palisade_scan::{display_path, scan, ScanOptions};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn examples() -> PathBuf {
    repo().join("examples/custom-rules")
}

fn rules(dirs: &[PathBuf], base: &Path) -> RuleSet {
    let base = base.to_path_buf();
    RuleSet::load(dirs, &move |p: &Path| display_path(&base, p))
}

/// Scans `dir` with the custom rules only.
fn run(custom: RuleSet, dir: &Path, base: &Path) -> ScanReport {
    let opts = ScanOptions {
        paths: vec![dir.to_path_buf()],
        rules: Vec::new(),
        display_base: base.to_path_buf(),
        custom_rules: custom,
        ..Default::default()
    };
    scan(&opts).report
}

/// `(file, line)` of every `expect: ID` mark under `dir`.
fn expected(dir: &Path, id: &str, base: &Path) -> BTreeSet<(String, u32)> {
    let mut out = BTreeSet::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        for (i, line) in text.lines().enumerate() {
            if line.contains(&format!("expect: {id}")) {
                out.insert((display_path(base, &f), i as u32 + 1));
            }
        }
    }
    out
}

fn found(report: &ScanReport, id: &str) -> BTreeSet<(String, u32)> {
    report
        .findings
        .iter()
        .filter(|f| f.rule == id)
        .map(|f| (f.location.file.to_string(), f.location.line))
        .collect()
}

#[test]
fn example_rules_load_cleanly() {
    let base = repo();
    let set = rules(&[examples()], &base);
    assert!(set.errors().is_empty(), "{:?}", set.errors());
    let ids: Vec<&str> = set.rules().iter().map(|r| r.info.id.as_str()).collect();
    assert_eq!(ids, ["ORG001", "ORG002"]);
    assert_eq!(set.rules()[0].file, "examples/custom-rules/owner_tag.rego");
}

#[test]
fn example_rules_pass_and_fail_their_fixtures() {
    let base = repo();
    for id in ["ORG001", "ORG002"] {
        let dir = examples().join("fixtures").join(id);
        let pass = run(rules(&[examples()], &base), &dir.join("pass"), &base);
        assert!(pass.errors.is_empty(), "{id} pass: {:?}", pass.errors);
        assert!(
            found(&pass, id).is_empty(),
            "{id} reports on its passing fixture: {:#?}",
            pass.findings
        );
        let fail = run(rules(&[examples()], &base), &dir.join("fail"), &base);
        assert!(fail.errors.is_empty(), "{id} fail: {:?}", fail.errors);
        let want = expected(&dir.join("fail"), id, &base);
        assert!(!want.is_empty(), "{id}: no expect marks");
        assert_eq!(found(&fail, id), want, "{id}: {:#?}", fail.findings);
        // Custom rules appear in the rule table (SARIF, JUnit).
        assert!(fail.rules.iter().any(|r| r.id == id));
    }
}

#[test]
fn owner_tag_findings_name_the_resource() {
    let base = repo();
    let dir = examples().join("fixtures/ORG001/fail");
    let report = run(rules(&[examples()], &base), &dir, &base);
    let got: Vec<(&str, &str, u32)> = report
        .findings
        .iter()
        .map(|f| {
            let file = f.location.file.rsplit('/').next().unwrap_or("");
            (file, f.resource.as_str(), f.location.line)
        })
        .collect();
    assert_eq!(
        got,
        [
            ("main.tf", "aws_s3_bucket.logs", 3),
            ("main.tf", "aws_vpc.main", 8),
            ("main.tf", "aws_kms_key.data", 29),
            ("template.yaml", "Logs", 8),
            ("template.yaml", "Net", 11),
        ]
    );
    let f = &report.findings[0];
    assert_eq!(f.rule, "ORG001");
    assert_eq!(f.title, "Taggable AWS resource without an `owner` tag");
    assert_eq!(f.practices, ["IAM-07"]);
    assert_eq!(
        f.location.file.as_ref(),
        "examples/custom-rules/fixtures/ORG001/fail/main.tf"
    );
    assert_eq!(
        f.message,
        "aws_s3_bucket `aws_s3_bucket.logs` has no `owner` tag"
    );
}

#[test]
fn registry_findings_name_the_workload_and_image_line() {
    let base = repo();
    let dir = examples().join("fixtures/ORG002/fail");
    let report = run(rules(&[examples()], &base), &dir, &base);
    let got: Vec<(&str, u32, &str)> = report
        .findings
        .iter()
        .map(|f| (f.resource.as_str(), f.location.line, f.severity.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("Deployment/shop/shop-api", 20, "high"),
            ("CronJob/shop/report", 36, "high")
        ]
    );
    assert!(report.findings[0]
        .message
        .contains("`proxy` runs `docker.io/envoyproxy/envoy:v1.31.0`"));
}

/// A scratch directory with `files`.
fn scratch(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("custom-rules")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let p = dir.join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, text).expect("write");
    }
    dir
}

const UNTAGGED: &str = "resource \"aws_vpc\" \"main\" {\n  cidr_block = \"10.0.0.0/16\"\n}\n";

#[test]
fn suppressions_and_config_ignores_cover_custom_rules() {
    let dir = scratch(
        "suppress",
        &[
            (
                "infra/main.tf",
                "# palisade:ignore ORG001 shared VPC, owned by the network account\nresource \"aws_vpc\" \"main\" {\n  cidr_block = \"10.0.0.0/16\"\n}\n\nresource \"aws_vpc\" \"other\" {\n  cidr_block = \"10.1.0.0/16\"\n}\n",
            ),
            (
                "k8s/app.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: shop\n  annotations:\n    palisade.dev/ignore: \"ORG002: vendor image, reviewed\"\nspec:\n  containers:\n    - name: c\n      image: quay.io/vendor/agent:1\n",
            ),
        ],
    );
    let report = run(rules(&[examples()], &dir), &dir, &dir);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(
        report
            .notes
            .iter()
            .all(|n| !n.message.contains("unknown rule")),
        "{:?}",
        report.notes
    );
    let open: Vec<&str> = report
        .findings
        .iter()
        .map(|f| f.resource.as_str())
        .collect();
    assert_eq!(open, ["aws_vpc.other"]);
    let mut silenced: Vec<(&str, SuppressionSource)> = report
        .suppressed
        .iter()
        .map(|s| (s.finding.rule.as_str(), s.source))
        .collect();
    silenced.sort();
    assert_eq!(
        silenced,
        [
            ("ORG001", SuppressionSource::Inline),
            ("ORG002", SuppressionSource::Inline)
        ]
    );

    // `[[ignore]]` of palisade.toml, by a custom rule's id.
    let cfg = palisade_scan::Config::parse(
        "[[ignore]]\nrule = \"ORG001\"\nresources = [\"aws_vpc.other\"]\nreason = \"legacy\"\n",
        "palisade.toml",
        &dir,
    )
    .expect("config");
    let opts = ScanOptions {
        paths: vec![dir.clone()],
        rules: Vec::new(),
        display_base: dir.clone(),
        custom_rules: rules(&[examples()], &dir),
        ignores: cfg.ignores,
        ..Default::default()
    };
    let report = scan(&opts).report;
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert!(report.errors.is_empty(), "{:?}", report.errors);

    // An `[[ignore]]` of a custom id that no loaded rule has is an error.
    let cfg = palisade_scan::Config::parse(
        "[[ignore]]\nrule = \"ORG999\"\nreason = \"typo\"\n",
        "palisade.toml",
        &dir,
    )
    .expect("config");
    let opts = ScanOptions {
        paths: vec![dir.clone()],
        rules: Vec::new(),
        display_base: dir.clone(),
        custom_rules: rules(&[examples()], &dir),
        ignores: cfg.ignores,
        ..Default::default()
    };
    let report = scan(&opts).report;
    assert!(
        report.errors.iter().any(|e| e.file == "palisade.toml"
            && e.line == Some(2)
            && e.message.contains("unknown rule `ORG999`")),
        "{:?}",
        report.errors
    );
}

#[test]
fn broken_policies_are_errors_with_file_and_line_and_the_rest_runs() {
    let meta = |id: &str| {
        format!(
            "__rego_metadata__ := {{\"id\": \"{id}\", \"title\": \"t\", \"severity\": \"low\", \"description\": \"d\", \"remediation\": \"r\"}}\n"
        )
    };
    let dir = scratch(
        "broken",
        &[
            ("infra/main.tf", UNTAGGED),
            (
                "rules/syntax.rego",
                "package palisade.rules.syntax\n\ndeny contains x if {\n  x := input.aws[\n}\n",
            ),
            (
                "rules/runtime.rego",
                &format!(
                    "package palisade.rules.runtime\n\n{}\ndeny contains {{\"resource\": \"aws_vpc.main\", \"message\": sprintf(\"%v\", [n])}} if {{\n  n := 1 / 0\n}}\n",
                    meta("ACME-2")
                ),
            ),
            (
                "rules/meta.rego",
                &format!(
                    "package palisade.rules.meta\n\n{}\ndeny contains {{\"resource\": \"aws_vpc.main\", \"message\": \"m\"}} if true\n",
                    meta("PAL500")
                ),
            ),
            (
                "rules/good.rego",
                &format!(
                    "package palisade.rules.good\n\n{}\ndeny contains {{\"resource\": r.meta.address, \"message\": \"vpc\"}} if {{\n  some r in input.aws.vpcs\n}}\n",
                    meta("ACME-1")
                ),
            ),
        ],
    );
    let set = rules(&[dir.join("rules")], &dir);
    let report = run(set, &dir.join("infra"), &dir);
    let errors: Vec<(&str, Option<u32>, &str)> = report
        .errors
        .iter()
        .map(|e| (e.file.as_str(), e.line, e.message.as_str()))
        .collect();
    assert_eq!(errors.len(), 3, "{errors:#?}");
    let has = |file: &str, line: u32, text: &str| {
        errors
            .iter()
            .any(|(f, l, m)| *f == file && *l == Some(line) && m.contains(text))
    };
    assert!(
        has("rules/syntax.rego", 4, "Rego parse error"),
        "{errors:#?}"
    );
    assert!(
        has(
            "rules/runtime.rego",
            6,
            "custom rule ACME-2: divide by zero"
        ),
        "{errors:#?}"
    );
    assert!(
        has("rules/meta.rego", 3, "reserved for built-in rules"),
        "{errors:#?}"
    );
    // The good rule still reported.
    let got: Vec<(&str, &str)> = report
        .findings
        .iter()
        .map(|f| (f.rule.as_str(), f.resource.as_str()))
        .collect();
    assert_eq!(got, [("ACME-1", "aws_vpc.main")]);
}
