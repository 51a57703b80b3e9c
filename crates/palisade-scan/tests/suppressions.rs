//! Suppressions (comments, peers' comments, annotations, palisade.toml),
//! baselines, severity overrides, exclusions and plans, end to end through
//! the scan pipeline.

use palisade_model::finding::{ScanReport, SuppressionSource};
use palisade_scan::{scan, Baseline, Config, ScanOptions};
use std::path::{Path, PathBuf};

/// A fresh directory holding `files`.
fn tree(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("palisade-scan-suppress")
        .join(name);
    let _ = std::fs::remove_dir_all(&root);
    for (path, text) in files {
        let file = root.join(path);
        std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
        std::fs::write(&file, text).expect("write");
    }
    root
}

fn rule(id: &str) -> &'static palisade_rules::Rule {
    palisade_rules::find(id).unwrap_or_else(|| panic!("no rule {id}"))
}

fn run_with(dir: &Path, rules: &[&str], tweak: impl FnOnce(&mut ScanOptions)) -> ScanReport {
    let mut opts = ScanOptions {
        paths: vec![dir.to_path_buf()],
        rules: rules.iter().map(|r| rule(r)).collect(),
        display_base: dir.to_path_buf(),
        ..Default::default()
    };
    tweak(&mut opts);
    scan(&opts).report
}

fn run(dir: &Path, rules: &[&str]) -> ScanReport {
    run_with(dir, rules, |_| {})
}

/// `(rule, file:line)` of open findings.
fn open(r: &ScanReport) -> Vec<String> {
    r.findings
        .iter()
        .map(|f| format!("{} {}:{}", f.rule, f.location.file, f.location.line))
        .collect()
}

/// `(rule, file:line, source, reason)` of suppressed findings.
fn silenced(r: &ScanReport) -> Vec<String> {
    r.suppressed
        .iter()
        .map(|s| {
            format!(
                "{} {}:{} {} {}",
                s.finding.rule,
                s.finding.location.file,
                s.finding.location.line,
                s.source,
                s.reason
            )
        })
        .collect()
}

const OPEN_SSH: &str = r#"resource "aws_security_group" "bastion" {
  name   = "bastion"
  vpc_id = "vpc-123"

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#;

#[test]
fn without_suppression_the_finding_is_open() {
    let dir = tree("none", &[("main.tf", OPEN_SSH)]);
    let r = run(&dir, &["PAL001"]);
    assert_eq!(open(&r), ["PAL001 main.tf:9"]);
    assert!(r.suppressed.is_empty());
    assert_eq!(r.summary.suppressed, 0);
}

#[test]
fn comment_above_or_on_the_line() {
    let above = OPEN_SSH.replace(
        "    cidr_blocks = [\"0.0.0.0/0\"]",
        "    # palisade:ignore PAL001 temporary, removed with the VPN rollout\n    cidr_blocks = [\"0.0.0.0/0\"]",
    );
    let dir = tree("above", &[("main.tf", &above)]);
    let r = run(&dir, &["PAL001"]);
    assert!(r.findings.is_empty(), "{:?}", open(&r));
    assert_eq!(
        silenced(&r),
        ["PAL001 main.tf:10 inline temporary, removed with the VPN rollout"]
    );
    assert_eq!(r.summary.suppressed, 1);
    let at = r.suppressed[0].at.as_ref().expect("place");
    assert_eq!((&*at.file, at.line), ("main.tf", 9));

    let same_line = OPEN_SSH.replace(
        "[\"0.0.0.0/0\"]\n",
        "[\"0.0.0.0/0\"] // palisade:ignore sg-admin-port-open-to-internet lab account\n",
    );
    let dir = tree("same-line", &[("main.tf", &same_line)]);
    let r = run(&dir, &["PAL001"]);
    assert!(r.findings.is_empty());
    assert_eq!(silenced(&r), ["PAL001 main.tf:9 inline lab account"]);
}

#[test]
fn comment_on_the_block_covers_all_of_it() {
    let text = format!("# palisade:ignore PAL001 bastion is reached via SSM only\n{OPEN_SSH}");
    let dir = tree("block-above", &[("main.tf", &text)]);
    let r = run(&dir, &["PAL001"]);
    assert!(r.findings.is_empty(), "{:?}", open(&r));
    assert_eq!(r.suppressed.len(), 1);

    let text = OPEN_SSH.replace(
        "  name   = \"bastion\"",
        "  # palisade:ignore PAL001 reviewed in SEC-42\n  name   = \"bastion\"",
    );
    let dir = tree("block-top", &[("main.tf", &text)]);
    let r = run(&dir, &["PAL001"]);
    assert!(r.findings.is_empty(), "{:?}", open(&r));

    // A comment further down a block covers only the next line.
    let text = OPEN_SSH.replace(
        "    protocol    = \"tcp\"",
        "    # palisade:ignore PAL001 not this one\n    protocol    = \"tcp\"",
    );
    let dir = tree("block-middle", &[("main.tf", &text)]);
    let r = run(&dir, &["PAL001"]);
    assert_eq!(open(&r), ["PAL001 main.tf:10"]);
}

#[test]
fn suppression_without_reason_or_rule_is_not_honoured() {
    let text = OPEN_SSH.replace(
        "    cidr_blocks = [\"0.0.0.0/0\"]",
        "    # palisade:ignore PAL001\n    # palisade:ignore PAL999 typo\n    cidr_blocks = [\"0.0.0.0/0\"]",
    );
    let dir = tree("no-reason", &[("main.tf", &text)]);
    let r = run(&dir, &["PAL001"]);
    assert_eq!(open(&r), ["PAL001 main.tf:11"]);
    assert!(r.suppressed.is_empty());
    let notes: Vec<String> = r
        .notes
        .iter()
        .map(|n| format!("{}:{} {}", n.file, n.line.unwrap_or(0), n.message))
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("main.tf:9 ") && n.contains("gives no reason")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("main.tf:10 ") && n.contains("unknown rule `PAL999`")),
        "{notes:?}"
    );
}

#[test]
fn peer_scanners_comments_map_through_benchmarks() {
    // PAL001 maps to CKV_AWS_24 (benchmarks); checkov's skip works anywhere
    // inside the block.
    let text = OPEN_SSH.replace(
        "    protocol    = \"tcp\"",
        "    protocol    = \"tcp\"\n    #checkov:skip=CKV_AWS_24:SSH only from the VPN range in practice",
    );
    let dir = tree("checkov", &[("main.tf", &text)]);
    let r = run(&dir, &["PAL001"]);
    assert!(r.findings.is_empty(), "{:?}", open(&r));
    assert_eq!(r.suppressed[0].source, SuppressionSource::Checkov);
    assert_eq!(
        r.suppressed[0].reason,
        "SSH only from the VPN range in practice"
    );

    // tfsec and trivy ids, with the reason after the id.
    for (comment, source) in [
        (
            "#tfsec:ignore:aws-ec2-no-public-ingress-sgr bastion via VPN",
            SuppressionSource::Tfsec,
        ),
        (
            "#trivy:ignore:AVD-AWS-0107 bastion via VPN",
            SuppressionSource::Trivy,
        ),
    ] {
        let text = OPEN_SSH.replace(
            "    cidr_blocks = [\"0.0.0.0/0\"]",
            &format!("    {comment}\n    cidr_blocks = [\"0.0.0.0/0\"]"),
        );
        let dir = tree(&format!("peer-{source}"), &[("main.tf", &text)]);
        let r = run(&dir, &["PAL001"]);
        assert!(r.findings.is_empty(), "{comment}: {:?}", open(&r));
        assert_eq!(r.suppressed[0].source, source);
        assert_eq!(r.suppressed[0].reason, "bastion via VPN");
    }

    // A check the rule does not map to changes nothing, and says nothing.
    let text = format!("#tfsec:ignore:aws-s3-enable-versioning not ours\n{OPEN_SSH}");
    let dir = tree("tfsec-other", &[("main.tf", &text)]);
    let r = run(&dir, &["PAL001"]);
    assert_eq!(open(&r).len(), 1);
    assert!(r.notes.is_empty(), "{:?}", r.notes);

    // Checkov without a reason: not honoured, with a note.
    let text = format!("#checkov:skip=CKV_AWS_24\n{OPEN_SSH}");
    let dir = tree("checkov-no-reason", &[("main.tf", &text)]);
    let r = run(&dir, &["PAL001"]);
    assert_eq!(open(&r).len(), 1);
    assert!(r.notes.iter().any(|n| n.message.contains("no reason")));
}

const PRIVILEGED: &str = r#"apiVersion: v1
kind: Pod
metadata:
  name: agent
  namespace: ops
spec:
  containers:
    - name: agent
      image: registry.example/agent@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
      securityContext:
        privileged: true
"#;

#[test]
fn yaml_comments_and_annotations() {
    let base = run(&tree("yaml-none", &[("pod.yaml", PRIVILEGED)]), &["PAL205"]);
    assert_eq!(open(&base).len(), 1, "{:?}", open(&base));
    let line = base.findings[0].location.line;

    // Above the offending line.
    let lines: Vec<&str> = PRIVILEGED.lines().collect();
    let mut with_comment = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if i + 1 == line as usize {
            with_comment.push("        # palisade:ignore PAL205 node agent, needs the host");
        }
        with_comment.push(l);
    }
    let text = with_comment.join("\n") + "\n";
    let r = run(&tree("yaml-line", &[("pod.yaml", &text)]), &["PAL205"]);
    assert!(r.findings.is_empty(), "{:?}", open(&r));
    assert_eq!(r.suppressed[0].reason, "node agent, needs the host");

    // At the top of the document: the whole object.
    let text = format!("---\n# palisade:ignore PAL205 node agent\n{PRIVILEGED}");
    let r = run(&tree("yaml-top", &[("pod.yaml", &text)]), &["PAL205"]);
    assert!(r.findings.is_empty(), "{:?}", open(&r));

    // The annotation.
    let text = PRIVILEGED.replace(
        "  namespace: ops\n",
        "  namespace: ops\n  annotations:\n    palisade.dev/ignore: \"PAL206: n/a; PAL205: node agent, reviewed\"\n",
    );
    let r = run(
        &tree("yaml-annotation", &[("pod.yaml", &text)]),
        &["PAL205"],
    );
    assert!(r.findings.is_empty(), "{:?}", open(&r));
    assert_eq!(r.suppressed[0].source, SuppressionSource::Inline);
    assert_eq!(r.suppressed[0].reason, "node agent, reviewed");
    assert_eq!(r.suppressed[0].at.as_ref().map(|l| l.line), Some(7));

    // An annotation without a reason is not honoured.
    let text = PRIVILEGED.replace(
        "  namespace: ops\n",
        "  namespace: ops\n  annotations:\n    palisade.dev/ignore: \"PAL205\"\n",
    );
    let r = run(
        &tree("yaml-annotation-bare", &[("pod.yaml", &text)]),
        &["PAL205"],
    );
    assert_eq!(open(&r).len(), 1);
    assert!(
        r.notes
            .iter()
            .any(|n| n.message.contains("gives no reason")),
        "{:?}",
        r.notes
    );
}

#[test]
fn palisade_toml_ignores_overrides_and_excludes() {
    let dir = tree(
        "config",
        &[
            ("main.tf", OPEN_SSH),
            ("legacy/main.tf", &OPEN_SSH.replace("bastion", "old")),
            (
                "palisade.toml",
                "exclude = [\"legacy\"]\n\n[severity]\nPAL001 = \"medium\"\n\n[[ignore]]\nrule = \"PAL001\"\nresources = [\"aws_security_group.bastion*\"]\nreason = \"break-glass, reviewed quarterly\"\n",
            ),
        ],
    );
    // Without the configuration: two findings, critical.
    let r = run(&dir, &["PAL001"]);
    assert_eq!(r.findings.len(), 2);

    let found = Config::find(&dir.join("main.tf")).expect("palisade.toml found");
    assert_eq!(found, dir.join("palisade.toml"));
    let cfg = Config::load(&found).expect("valid configuration");
    let r = run_with(&dir, &["PAL001"], |o| {
        o.exclude = cfg.exclude.clone();
        o.severity = cfg.severity.clone();
        o.ignores = cfg.ignores.clone();
    });
    assert!(r.findings.is_empty(), "{:?}", open(&r));
    assert_eq!(r.suppressed.len(), 1, "legacy/ is excluded");
    let s = &r.suppressed[0];
    assert_eq!(s.source, SuppressionSource::Config);
    assert_eq!(
        s.finding.severity,
        palisade_model::finding::Severity::Medium
    );
    assert_eq!(s.at.as_ref().map(|l| l.line), Some(7));
    assert!(r
        .rules
        .iter()
        .all(|i| i.severity == palisade_model::finding::Severity::Medium));

    // A configuration error names the file and line.
    let bad = tree(
        "config-bad",
        &[(
            "palisade.toml",
            "[rules]\ndisable = [\"PAL001\"]\nenabled = []\n",
        )],
    );
    let err = Config::load(&bad.join("palisade.toml"))
        .err()
        .unwrap_or_default();
    assert!(
        err.contains("palisade.toml:3:") && err.contains("unknown field `enabled`"),
        "{err}"
    );
}

#[test]
fn baselines_match_by_fingerprint_not_line() {
    let dir = tree("baseline-1", &[("main.tf", OPEN_SSH)]);
    let first = run(&dir, &["PAL001"]);
    let json = serde_json::json!({
        "findings": first.findings.iter().map(|f| serde_json::json!({
            "rule": f.rule, "fingerprint": f.fingerprint,
            "location": {"file": f.location.file.as_ref(), "line": f.location.line}
        })).collect::<Vec<_>>()
    });
    let baseline = Baseline::parse(&json.to_string(), "old.json").expect("baseline");
    assert_eq!(baseline.len(), 1);

    // The same finding, moved down three lines, plus a new one.
    let moved = format!(
        "\n\n\n{OPEN_SSH}\nresource \"aws_security_group_rule\" \"rdp\" {{\n  type              = \"ingress\"\n  security_group_id = aws_security_group.bastion.id\n  from_port         = 3389\n  to_port           = 3389\n  protocol          = \"tcp\"\n  cidr_blocks       = [\"0.0.0.0/0\"]\n}}\n"
    );
    let dir = tree("baseline-2", &[("main.tf", &moved)]);
    let r = run_with(&dir, &["PAL001"], |o| o.baseline = Some(baseline.clone()));
    assert_eq!(
        open(&r),
        ["PAL001 main.tf:22"],
        "only the new finding is open"
    );
    assert_eq!(
        silenced(&r),
        ["PAL001 main.tf:12 baseline in baseline old.json"]
    );

    // Bad baselines are clear errors.
    for (text, want) in [
        ("{", "old.json:1: not a palisade JSON report"),
        ("{\"tool\": {}}", "no `findings` list"),
        (
            "{\"findings\": [{\"rule\": \"PAL001\"}]}",
            "entry 0 has no `rule` and `fingerprint`",
        ),
    ] {
        let err = Baseline::parse(text, "old.json").err().unwrap_or_default();
        assert!(err.contains(want), "{text}: {err}");
    }
    assert!(Baseline::load(Path::new("/nonexistent/old.json")).is_err());
}

fn plan_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../palisade-terraform/tests/fixtures/plan")
}

#[test]
fn a_plan_beside_its_configuration_replaces_the_evaluation() {
    let dir = plan_fixture();
    // The configuration alone: the SSH source is a variable without value.
    let hcl_only = tree(
        "plan-hcl",
        &[
            (
                "main.tf",
                &std::fs::read_to_string(dir.join("main.tf")).expect("main.tf"),
            ),
            (
                "modules/network/main.tf",
                &std::fs::read_to_string(dir.join("modules/network/main.tf")).expect("module"),
            ),
        ],
    );
    let r = run(&hcl_only, &["PAL001"]);
    assert!(r.findings.is_empty());
    assert!(!r.unknowns.is_empty());

    // With the plan: the planned value decides, located in the configuration.
    let r = run(&dir, &["PAL001"]);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(open(&r), ["PAL001 main.tf:34"]);
    // The plan's secret is known (redaction), at its line in the plan.
    assert!(r.secret_locations.iter().any(|l| &*l.file == "plan.json"));

    // The plan alone (`--plan`), with its configuration for locations.
    let r = run_with(&dir, &["PAL001"], |o| {
        o.paths.clear();
        o.plans = vec![dir.join("plan.json")];
        o.plan_config = Some(dir.clone());
    });
    assert_eq!(open(&r), ["PAL001 main.tf:34"]);
    assert_eq!(r.summary.files, 1);

    // Without configuration: the plan's own lines.
    let lone = tree(
        "plan-alone",
        &[(
            "plan.json",
            &std::fs::read_to_string(dir.join("plan.json")).expect("plan"),
        )],
    );
    let r = run(&lone, &["PAL001"]);
    assert_eq!(r.findings.len(), 1, "{:?}", open(&r));
    assert_eq!(&*r.findings[0].location.file, "plan.json");
}

#[test]
fn broken_plans_are_errors_not_crashes() {
    let dir = tree(
        "plan-broken",
        &[(
            "plan.json",
            "{\"format_version\": \"1.2\", \"planned_values\": {\"root_module\": \n",
        )],
    );
    let r = run(&dir, &["PAL001"]);
    assert_eq!(r.errors.len(), 1, "{:?}", r.errors);
    assert!(r.errors[0].message.contains("invalid plan JSON"));
    let r = run_with(&dir, &["PAL001"], |o| {
        o.paths.clear();
        o.plans = vec![dir.join("missing.json")];
    });
    assert!(
        r.errors[0].message.contains("cannot read plan"),
        "{:?}",
        r.errors
    );
}
