//! `palisade paths` end to end on the reference architecture.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn palisade(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .output()
        .expect("run palisade")
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

const SECURE: &str = "examples/eks-rds/secure";

fn ids_file() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("paths-ids");
    let _ = std::fs::create_dir_all(&dir);
    let p = dir.join("ids.json");
    let _ = std::fs::write(
        &p,
        r#"{"sg-0a1b2c3d4e5f60001": "aws_security_group.app_pods",
            "data.aws_ec2_managed_prefix_list.cloudfront": "com.amazonaws.global.cloudfront.origin-facing"}"#,
    );
    p
}

#[test]
fn internet_to_database_is_blocked_and_every_layer_is_named() {
    let o = palisade(&[
        "paths",
        SECURE,
        "--from",
        "internet",
        "--to",
        "aws_db_instance.main",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = stdout(&o);
    assert!(
        text.contains("Direct: BLOCKED by 4 independent controls"),
        "{text}"
    );
    assert!(text.contains("security groups of `aws_db_instance.main` (ingress)"));
    assert!(text.contains("network.tf:"), "rules are located: {text}");
}

#[test]
fn with_ids_the_path_through_the_app_is_allowed_on_5432() {
    let ids = ids_file();
    let o = palisade(&[
        "paths",
        SECURE,
        "--from",
        "internet",
        "--to",
        "aws_db_instance.main",
        "--port",
        "5432",
        "--protocol",
        "tcp",
        "--ids",
        &ids.to_string_lossy(),
        "--format",
        "json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
    assert_eq!(v["direct"]["verdict"], "deny");
    let paths = v["paths"].as_array().cloned().unwrap_or_default();
    assert_eq!(paths.len(), 1);
    assert_eq!(paths[0]["verdict"], "allow");
    assert_eq!(paths[0]["conns"], "TCP 5432");
    assert_eq!(paths[0]["ends"][3], "Deployment/shop-prod/shop-api");
}

#[test]
fn matrix_json_has_the_documented_shape() {
    let o = palisade(&["paths", SECURE, "--matrix", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
    let entries = v.as_array().cloned().unwrap_or_default();
    assert!(entries
        .iter()
        .any(|e| e["src"] == "shop-prod/shop-api[Deployment]"
            && e["dst"] == "10.10.4.0/23"
            && e["conn"] == "TCP 5432"));
    let o = palisade(&["paths", SECURE, "--matrix", "--namespace", "shop-prod"]);
    assert!(stdout(&o).contains("shop-prod/shop-api[Deployment] => 10.10.4.0/23 : TCP 5432"));
}

#[test]
fn exposure_and_blast_radius() {
    let ids = ids_file();
    let ids = ids.to_string_lossy();
    let o = palisade(&["paths", SECURE, "--exposure", "--ids", &ids]);
    let text = stdout(&o);
    assert!(text.contains("aws_db_instance.main (RDS)"));
    assert!(
        text.contains("← Deployment/shop-prod/shop-api (pods): allow — TCP 5432"),
        "{text}"
    );
    let o = palisade(&[
        "paths",
        SECURE,
        "--from",
        "Deployment/shop-prod/shop-api",
        "--ids",
        &ids,
    ]);
    let text = stdout(&o);
    assert!(text.contains("reaches 1 endpoint"), "{text}");
    assert!(text.contains("aws_db_instance.main (RDS): allow — TCP 5432"));
}

#[test]
fn dot_and_svg() {
    let o = palisade(&[
        "paths",
        SECURE,
        "--from",
        "internet",
        "--to",
        "aws_lb.app",
        "--format",
        "dot",
    ]);
    let text = stdout(&o);
    assert!(text.starts_with("digraph palisade {"));
    assert!(text.contains("subgraph cluster_vpc"));
    let o = palisade(&[
        "paths",
        SECURE,
        "--from",
        "internet",
        "--to",
        "aws_lb.app",
        "--format",
        "svg",
    ]);
    let has_dot = Command::new("dot").arg("-V").output().is_ok();
    if has_dot {
        assert!(stdout(&o).contains("<svg"));
    } else {
        assert_eq!(o.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&o.stderr).contains("apt-get install graphviz"));
    }
}

#[test]
fn unknown_endpoint_is_a_usage_error() {
    let o = palisade(&[
        "paths",
        SECURE,
        "--from",
        "internet",
        "--to",
        "aws_db_instance.nope",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("an endpoint of the input"));
}
