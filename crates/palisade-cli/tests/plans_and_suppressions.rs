//! End-to-end: plans, suppressions, palisade.toml and baselines through the
//! `palisade` binary (exit codes, JSON and SARIF, clear errors).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn palisade(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("run palisade")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn scratch(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli-plans-suppress")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const OPEN_SSH: &str = r#"resource "aws_security_group" "bastion" {
  name = "bastion"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#;

fn plan_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../palisade-terraform/tests/fixtures/plan")
}

#[test]
fn scan_a_plan() {
    let dir = plan_fixture();
    let out = palisade(
        &[
            "scan",
            "--plan",
            "plan.json",
            "--rule",
            "PAL001",
            "--format",
            "json",
        ],
        &dir,
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["findings"][0]["rule"], "PAL001");
    assert_eq!(v["findings"][0]["location"]["file"], "main.tf");
    assert_eq!(v["findings"][0]["location"]["line"], 34);
    assert_eq!(v["summary"]["files"], 1);

    let out = palisade(&["scan", "--plan", "missing.json"], &dir);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--plan missing.json: no such file"));

    let bad = scratch(
        "bad-plan",
        &[(
            "plan.json",
            "{\"format_version\": \"1.1\", \"planned_values\": [}",
        )],
    );
    let out = palisade(&["scan", "--plan", "plan.json", "--format", "json"], &bad);
    assert_eq!(code(&out), 2, "load errors exit 2");
    let v = json(&out);
    assert!(v["errors"][0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("invalid plan JSON")));
}

#[test]
fn inline_suppression_clears_the_exit_code_and_is_reported() {
    let text = format!("# palisade:ignore PAL001 bastion reached only via SSM\n{OPEN_SSH}");
    let dir = scratch("inline", &[("main.tf", &text)]);
    let out = palisade(&["scan", ".", "--rule", "PAL001", "--format", "json"], &dir);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["summary"]["findings"], 0);
    assert_eq!(v["summary"]["suppressed"], 1);
    let s = &v["suppressed"][0];
    assert_eq!(s["rule"], "PAL001");
    assert_eq!(s["source"], "inline");
    assert_eq!(s["reason"], "bastion reached only via SSM");
    assert_eq!(s["suppressed_at"]["line"], 1);

    let out = palisade(
        &["scan", ".", "--rule", "PAL001", "--format", "sarif"],
        &dir,
    );
    let v = json(&out);
    let result = &v["runs"][0]["results"][0];
    assert_eq!(result["suppressions"][0]["kind"], "inSource");

    let out = palisade(&["scan", ".", "--rule", "PAL001"], &dir);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("1 finding suppressed:"), "{text}");
    assert!(text.trim_end().ends_with("1 suppressed"), "{text}");
}

#[test]
fn palisade_toml_is_found_and_checked() {
    let dir = scratch(
        "config",
        &[
            ("infra/main.tf", OPEN_SSH),
            (
                "palisade.toml",
                "threshold = \"critical\"\n\n[severity]\nPAL001 = \"high\"\n",
            ),
        ],
    );
    // Found above the scanned path: PAL001 is now high, under the threshold.
    let out = palisade(
        &["scan", "infra", "--rule", "PAL001", "--format", "json"],
        &dir,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // The flag wins over the file.
    let out = palisade(
        &[
            "scan",
            "infra",
            "--rule",
            "PAL001",
            "--min-severity",
            "high",
            "--format",
            "json",
        ],
        &dir,
    );
    assert_eq!(code(&out), 1);
    assert_eq!(json(&out)["findings"][0]["severity"], "high");

    // A typo is an error naming the file and the line.
    std::fs::write(
        dir.join("bad.toml"),
        "[rules]\nenable = []\ndissable = [\"PAL001\"]\n",
    )
    .expect("write");
    let out = palisade(&["scan", "infra", "--config", "bad.toml"], &dir);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains("bad.toml:3:") && err.contains("unknown field `dissable`"),
        "{err}"
    );
    let out = palisade(&["scan", "infra", "--config", "nope.toml"], &dir);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--config nope.toml: no such file"));
}

#[test]
fn baselines_round_trip() {
    let dir = scratch("baseline", &[("main.tf", OPEN_SSH)]);
    let out = palisade(
        &[
            "scan",
            ".",
            "--rule",
            "PAL001",
            "--write-baseline",
            "base.json",
            "--format",
            "json",
        ],
        &dir,
    );
    assert_eq!(code(&out), 1);
    assert!(dir.join("base.json").is_file());

    let out = palisade(
        &[
            "scan",
            ".",
            "--rule",
            "PAL001",
            "--baseline",
            "base.json",
            "--format",
            "json",
        ],
        &dir,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["suppressed"][0]["source"], "baseline");

    // Writing a new baseline while using the old keeps the accepted ones.
    let out = palisade(
        &[
            "scan",
            ".",
            "--rule",
            "PAL001",
            "--baseline",
            "base.json",
            "--write-baseline",
            "next.json",
        ],
        &dir,
    );
    assert_eq!(code(&out), 0);
    let next: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("next.json")).expect("next.json"))
            .expect("JSON");
    assert_eq!(next["findings"].as_array().map(Vec::len), Some(1));

    std::fs::write(dir.join("junk.json"), "not json").expect("write");
    let out = palisade(&["scan", ".", "--baseline", "junk.json"], &dir);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("baseline junk.json:1: not a palisade JSON report"));
}

#[test]
fn rules_markdown_and_explain_examples() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = palisade(&["rules", "--format", "markdown"], here);
    assert_eq!(code(&out), 0);
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.starts_with("# Rules\n"));
    assert!(md.contains("| [PAL001](#pal001) |"));

    let out = palisade(&["explain", "PAL001"], here);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Failing example (crates/palisade-rules/fixtures/PAL001/fail/main.tf)"));
    assert!(text.contains("Fixed example (crates/palisade-rules/fixtures/PAL001/pass/main.tf)"));
}
