//! Several Terraform roots in one scan: addresses repeat across roots
//! (environments), and links must stay inside their own root.

use palisade_scan::{scan, ScanOptions};
use std::path::Path;

fn root(dir: &Path, force_ssl: &str) {
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(
        dir.join("main.tf"),
        format!(
            r#"
resource "aws_db_parameter_group" "pg" {{
  family = "postgres14"
  parameter {{
    name  = "rds.force_ssl"
    value = "{force_ssl}"
  }}
}}

resource "aws_db_instance" "main" {{
  engine               = "postgres"
  parameter_group_name = aws_db_parameter_group.pg.name
}}
"#
        ),
    )
    .expect("write");
}

#[test]
fn links_do_not_cross_roots() {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("roots");
    let _ = std::fs::remove_dir_all(&base);
    root(&base.join("envs/prod"), "1");
    root(&base.join("envs/dev"), "0");
    let rule = palisade_rules::find("rds-transport-encryption-not-enforced").expect("TLS-03 rule");
    let report = scan(&ScanOptions {
        paths: vec![base.clone()],
        display_base: base.clone(),
        rules: vec![rule],
        ..Default::default()
    })
    .report;
    let hits: Vec<(String, String)> = report
        .findings
        .iter()
        .map(|f| (f.location.file.to_string(), f.resource.clone()))
        .collect();
    assert_eq!(
        hits,
        vec![(
            "envs/dev/main.tf".to_string(),
            "aws_db_instance.main".to_string()
        )],
        "{:#?}",
        report.findings
    );
    assert!(
        report
            .findings
            .iter()
            .all(|f| !f.message.contains("__root")),
        "scopes never show: {:?}",
        report.findings
    );
}
