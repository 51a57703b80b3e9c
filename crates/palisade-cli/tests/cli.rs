//! End-to-end tests of the `palisade` binary: exit codes, formats, bad input,
//! safety and determinism.

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

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
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

/// A scratch directory under the target dir, fresh for each test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(p, text).expect("write");
}

const OPEN_SSH: &str = r#"
resource "aws_security_group" "bastion" {
  name = "bastion"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#;

#[test]
fn exit_codes_follow_findings_and_threshold() {
    let dir = scratch("exit_codes");
    write(&dir, "main.tf", OPEN_SSH);
    let out = palisade(&["scan", ".", "--rule", "PAL001"], &dir);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let clean = palisade(
        &[
            "scan",
            ".",
            "--rule",
            "PAL001",
            "--min-severity",
            "critical",
        ],
        &dir,
    );
    assert_eq!(clean.status.code(), Some(1));
    let empty = scratch("exit_codes_empty");
    let out = palisade(&["scan", "."], &empty);
    assert_eq!(out.status.code(), Some(0));
    let usage = palisade(&["scan", "--format", "yaml"], &dir);
    assert_eq!(usage.status.code(), Some(2));
    let unknown_rule = palisade(&["scan", ".", "--rule", "NOPE999"], &dir);
    assert_eq!(unknown_rule.status.code(), Some(2));
}

#[test]
fn json_report_has_the_documented_shape() {
    let dir = scratch("json_shape");
    write(&dir, "net/main.tf", OPEN_SSH);
    let out = palisade(&["scan", ".", "--format", "json", "--rule", "PAL001"], &dir);
    let v = json(&out);
    assert_eq!(v["tool"]["name"], "palisade");
    assert_eq!(v["summary"]["findings"], 1);
    assert_eq!(v["summary"]["files"], 1);
    let f = &v["findings"][0];
    assert_eq!(f["rule"], "PAL001");
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["resource"], "aws_security_group.bastion");
    assert_eq!(f["location"]["file"], "net/main.tf");
    assert_eq!(f["location"]["line"], 8);
    assert!(f["practices"]
        .as_array()
        .is_some_and(|p| p.iter().any(|x| x == "NET-07")));
    assert!(v["errors"].as_array().is_some_and(|e| e.is_empty()));
}

#[test]
fn output_file_and_sarif() {
    let dir = scratch("sarif");
    write(&dir, "main.tf", OPEN_SSH);
    let out = palisade(
        &["scan", ".", "--format", "sarif", "--output", "out.sarif"],
        &dir,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let text = std::fs::read_to_string(dir.join("out.sarif")).expect("sarif written");
    let v: serde_json::Value = serde_json::from_str(&text).expect("sarif is json");
    assert_eq!(v["version"], "2.1.0");
    let result = &v["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "PAL001");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "main.tf"
    );
}

#[test]
fn bad_inputs_are_errors_with_locations_and_the_rest_is_scanned() {
    let dir = scratch("bad_inputs");
    write(&dir, "good/main.tf", OPEN_SSH);
    write(
        &dir,
        "broken/main.tf",
        "resource \"aws_vpc\" \"x\" {\n  cidr_block = \n}\n",
    );
    write(
        &dir,
        "k8s/broken.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n",
    );
    write(
        &dir,
        "k8s/helm.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.name }}\n",
    );
    std::fs::write(dir.join("k8s/binary.yaml"), [0u8, 159, 146, 150, 0, 1, 2]).expect("write");
    let deep = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n  x: {}{}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    write(&dir, "k8s/deep.yaml", &deep);
    let out = palisade(&["scan", ".", "--format", "json"], &dir);
    assert_eq!(out.status.code(), Some(2), "load errors give exit 2");
    let v = json(&out);
    let errors = v["errors"].as_array().cloned().unwrap_or_default();
    let files: Vec<&str> = errors.iter().filter_map(|e| e["file"].as_str()).collect();
    assert!(files.contains(&"broken/main.tf"), "{errors:?}");
    assert!(files.contains(&"k8s/broken.yaml"), "{errors:?}");
    assert!(files.contains(&"k8s/binary.yaml"), "{errors:?}");
    let hcl_err = errors
        .iter()
        .find(|e| e["file"] == "broken/main.tf")
        .expect("hcl error");
    assert!(
        hcl_err["line"].as_u64().is_some(),
        "HCL error has a line: {hcl_err}"
    );
    // The good root was still scanned.
    let findings = v["findings"].as_array().cloned().unwrap_or_default();
    assert!(findings
        .iter()
        .any(|f| f["rule"] == "PAL001" && f["location"]["file"] == "good/main.tf"));
    // Helm templates are skipped with a note, not an error.
    assert!(!files.contains(&"k8s/helm.yaml"));
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_reported_not_followed_forever() {
    let dir = scratch("symlinks");
    write(&dir, "a/main.tf", OPEN_SSH);
    std::os::unix::fs::symlink("..", dir.join("a/loop")).expect("symlink");
    let out = palisade(&["scan", ".", "--format", "json", "--rule", "PAL001"], &dir);
    let v = json(&out);
    assert!(v["errors"].as_array().is_some_and(|e| e
        .iter()
        .any(|x| x["message"].as_str().is_some_and(|m| m.contains("loop")))));
    assert_eq!(v["summary"]["findings"], 1);
}

#[test]
fn unresolved_values_are_unknowns_not_findings() {
    let dir = scratch("unknowns");
    write(
        &dir,
        "main.tf",
        r#"
variable "admin_cidr" {}
resource "aws_security_group_rule" "ssh" {
  type              = "ingress"
  security_group_id = "sg-123"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = [var.admin_cidr]
}
"#,
    );
    let out = palisade(&["scan", ".", "--format", "json", "--rule", "PAL001"], &dir);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["summary"]["findings"], 0);
    assert!(
        v["summary"]["unknowns"].as_u64().is_some_and(|n| n >= 1),
        "{v}"
    );
}

#[test]
fn scanning_never_executes_anything() {
    let dir = scratch("no_exec");
    let marker = dir.join("PWNED");
    write(
        &dir,
        "main.tf",
        &format!(
            r#"
data "external" "x" {{
  program = ["sh", "-c", "touch {m}; echo '{{}}'"]
}}
resource "null_resource" "y" {{
  provisioner "local-exec" {{
    command = "touch {m}"
  }}
}}
module "remote" {{
  source = "git::https://example.invalid/evil.git"
}}
"#,
            m = marker.display()
        ),
    );
    let out = palisade(&["scan", ".", "--format", "json"], &dir);
    assert!(!marker.exists(), "a scan executed something it read");
    let v = json(&out);
    assert!(
        v["unknowns"]
            .as_array()
            .is_some_and(|u| u.iter().any(|x| x["resource"] == "module.remote")),
        "remote modules are listed as unknown: {v}"
    );
}

#[test]
fn secrets_are_redacted_in_every_format() {
    let dir = scratch("secrets");
    write(
        &dir,
        "main.tf",
        r#"
resource "aws_db_instance" "db" {
  engine   = "postgres"
  password = "hunter2-Very-Secret-42"
}
"#,
    );
    write(
        &dir,
        "secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: app\nstringData:\n  password: hunter2-Very-Secret-42\n",
    );
    for format in ["text", "json", "sarif", "junit", "markdown"] {
        let out = palisade(&["scan", ".", "--format", format], &dir);
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !all.contains("hunter2-Very-Secret-42"),
            "{format} leaks the secret:\n{all}"
        );
        assert!(
            out.status.code() == Some(1),
            "{format}: the secret is a finding"
        );
    }
}

#[test]
fn reports_are_byte_identical_across_runs() {
    let secure = repo().join("examples/eks-rds/insecure");
    let a = palisade(&["scan", ".", "--format", "json"], &secure);
    let b = palisade(&["scan", ".", "--format", "json"], &secure);
    assert!(!a.stdout.is_empty());
    assert_eq!(a.stdout, b.stdout);
    let a = palisade(&["scan", ".", "--format", "sarif"], &secure);
    let b = palisade(&["scan", ".", "--format", "sarif"], &secure);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn a_single_file_is_evaluated_with_its_root_and_reported_alone() {
    let dir = scratch("single_file");
    write(
        &dir,
        "variables.tf",
        "variable \"open\" {\n  default = \"0.0.0.0/0\"\n}\n",
    );
    write(
        &dir,
        "sg.tf",
        "resource \"aws_security_group\" \"a\" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = [var.open]\n  }\n}\n",
    );
    write(&dir, "other.tf", OPEN_SSH);
    let out = palisade(
        &["scan", "sg.tf", "--format", "json", "--rule", "PAL001"],
        &dir,
    );
    let v = json(&out);
    let findings = v["findings"].as_array().cloned().unwrap_or_default();
    assert_eq!(findings.len(), 1, "{v}");
    assert_eq!(findings[0]["location"]["file"], "sg.tf");
}

#[test]
fn rules_and_explain() {
    let out = palisade(&["rules", "--format", "json"], &repo());
    let v = json(&out);
    let rules = v.as_array().cloned().unwrap_or_default();
    assert!(rules.len() >= 60, "at least 60 rules, got {}", rules.len());
    assert!(rules
        .iter()
        .all(|r| r["practices"].as_array().is_some_and(|p| !p.is_empty())));
    let out = palisade(&["explain", "PAL001"], &repo());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("NET-07") && text.contains("How to fix"));
    assert_eq!(
        palisade(&["explain", "NOPE"], &repo()).status.code(),
        Some(2)
    );
}

#[test]
fn access_simulate_answers_one_or_many_requests() {
    let dir = scratch("simulate");
    let request = r#"{"request":{"principal":"arn:aws:iam::111122223333:role/app","action":"s3:GetObject","resource":{"resource":"arn:aws:s3:::assets/x","accountId":"111122223333"}},
      "identityPolicies":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::assets/*"}]}],
      "permissionBoundaries":[{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}]}"#;
    write(&dir, "one.json", request);
    write(&dir, "many.json", &format!("[{request}]"));
    let one = json(&palisade(&["access", "simulate", "one.json"], &dir));
    assert_eq!(one["response"], "ExplicitlyDenied");
    assert_eq!(one["decidedBy"][0]["policy"], "permissionBoundaries[0]");
    let many = json(&palisade(&["access", "simulate", "many.json"], &dir));
    assert_eq!(many[0]["response"], "ExplicitlyDenied");
    write(&dir, "bad.json", "{\"request\": 3}");
    assert_eq!(
        palisade(&["access", "simulate", "bad.json"], &dir)
            .status
            .code(),
        Some(2)
    );
}
