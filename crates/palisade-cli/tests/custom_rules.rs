//! End-to-end: custom Rego rules through the `palisade` binary
//! (`--rules-dir`, `custom_rules` of palisade.toml, `palisade rules`,
//! `palisade explain`, selection, formats, exit codes, broken policies).

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

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/custom-rules")
        .canonicalize()
        .expect("examples/custom-rules")
}

fn scratch(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli-custom-rules")
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

const POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  containers:
    - name: web
      image: nginx:1.27
";

const VPC: &str = "resource \"aws_vpc\" \"main\" {\n  cidr_block = \"10.0.0.0/16\"\n  tags       = { owner = \"net\" }\n}\n";

/// `(rule, resource, file, line)` of every finding of a JSON report.
fn findings(v: &serde_json::Value) -> Vec<(String, String, String, u64)> {
    v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["rule"].as_str().unwrap_or("").to_string(),
                        f["resource"].as_str().unwrap_or("").to_string(),
                        f["location"]["file"].as_str().unwrap_or("").to_string(),
                        f["location"]["line"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn rules_dir_adds_findings_like_built_in_ones() {
    let dir = scratch("scan", &[("k8s/pod.yaml", POD), ("tf/main.tf", VPC)]);
    let ex = examples();
    let ex = ex.to_str().expect("utf-8 path");
    let out = palisade(&["scan", ".", "--rules-dir", ex, "--format", "json"], &dir);
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    let custom: Vec<_> = findings(&v)
        .into_iter()
        .filter(|f| f.0.starts_with("ORG"))
        .collect();
    assert_eq!(
        custom,
        [(
            "ORG002".to_string(),
            "Pod/shop/web".to_string(),
            "k8s/pod.yaml".to_string(),
            9
        )]
    );
    let f = &v["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["rule"] == "ORG002"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(f["severity"], "high");
    assert_eq!(f["practices"][0], "K8S-09");
    assert_eq!(f["fingerprint"].as_str().map(str::len), Some(16));
    // Built-in rules still ran.
    assert!(findings(&v).iter().any(|f| f.0.starts_with("PAL")));

    // Only the custom rule, by id; then by name; SARIF lists it.
    let out = palisade(
        &[
            "scan",
            ".",
            "--rules-dir",
            ex,
            "--rule",
            "ORG002",
            "--format",
            "json",
        ],
        &dir,
    );
    let rules: Vec<String> = findings(&json(&out)).into_iter().map(|f| f.0).collect();
    assert_eq!(rules, ["ORG002"]);
    let out = palisade(
        &[
            "scan",
            ".",
            "--rules-dir",
            ex,
            "--rule",
            "our-registry",
            "--format",
            "sarif",
        ],
        &dir,
    );
    let sarif = json(&out);
    let ids: Vec<&str> = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .map(|a| a.iter().filter_map(|r| r["id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(ids, ["ORG002"]);
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "ORG002");

    // Skipped: nothing custom reported.
    let out = palisade(
        &[
            "scan",
            ".",
            "--rules-dir",
            ex,
            "--skip-rule",
            "ORG002",
            "--format",
            "json",
        ],
        &dir,
    );
    assert!(findings(&json(&out)).iter().all(|f| f.0 != "ORG002"));

    // Unknown rules and directories are usage errors.
    let out = palisade(&["scan", ".", "--rule", "ORG002"], &dir);
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown rule `ORG002`"));
    let out = palisade(&["scan", ".", "--rules-dir", "nowhere"], &dir);
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--rules-dir nowhere"));
}

#[test]
fn palisade_toml_custom_rules_and_inline_suppression() {
    let toml = format!(
        "custom_rules = [{:?}]\n",
        examples().to_str().expect("utf-8 path")
    );
    let pod = POD.replace(
        "      image: nginx:1.27\n",
        "      # palisade:ignore ORG002 upstream image, reviewed\n      image: nginx:1.27\n",
    );
    let dir = scratch("toml", &[("palisade.toml", &toml), ("k8s/pod.yaml", &pod)]);
    let out = palisade(&["scan", ".", "--rule", "ORG002", "--format", "json"], &dir);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    assert!(findings(&v).is_empty());
    assert_eq!(v["suppressed"][0]["rule"], "ORG002");
    assert_eq!(v["suppressed"][0]["source"], "inline");
}

#[test]
fn broken_policies_give_exit_2_with_file_and_line() {
    let dir = scratch(
        "broken",
        &[
            ("k8s/pod.yaml", POD),
            (
                "rules/typo.rego",
                "package palisade.rules.typo\n\ndeny contains x if {\n  x := input.k8s[\n}\n",
            ),
        ],
    );
    let ex = examples();
    let ex = ex.to_str().expect("utf-8 path");
    let out = palisade(
        &[
            "scan",
            "k8s",
            "--rules-dir",
            "rules",
            "--rules-dir",
            ex,
            "--format",
            "json",
        ],
        &dir,
    );
    assert_eq!(code(&out), 2);
    let v = json(&out);
    assert_eq!(v["errors"][0]["file"], "rules/typo.rego");
    assert_eq!(v["errors"][0]["line"], 4);
    assert!(v["errors"][0]["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("Rego parse error")));
    // The other rules still ran.
    assert!(findings(&v).iter().any(|f| f.0 == "ORG002"));

    // `palisade rules` lists what loaded and names the broken file.
    let out = palisade(&["rules", "--rules-dir", "rules", "--rules-dir", ex], &dir);
    assert_eq!(code(&out), 2);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("ORG001") && text.contains("ORG002"), "{text}");
    assert!(text.contains("2 custom"), "{text}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("rules/typo.rego:4: Rego parse error"));
}

#[test]
fn rules_json_and_explain_show_custom_rules() {
    let ex = examples();
    let ex = ex.to_str().expect("utf-8 path");
    let dir = scratch("list", &[]);
    let out = palisade(&["rules", "--rules-dir", ex, "--format", "json"], &dir);
    assert_eq!(code(&out), 0);
    let v = json(&out);
    let org = v
        .as_array()
        .and_then(|a| a.iter().find(|r| r["id"] == "ORG001"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(org["name"], "owner-tag");
    assert_eq!(org["severity"], "medium");
    let out = palisade(&["explain", "owner-tag", "--rules-dir", ex], &dir);
    assert_eq!(code(&out), 0);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("ORG001 (owner-tag):"), "{text}");
    assert!(text.contains("IAM-07"), "{text}");
}
