//! The hand-built report every test renders, and helpers.

use palisade_model::finding::{
    fingerprint, Finding, RuleInfo, ScanReport, Severity, Summary, Suppressed, SuppressionSource,
    Tool,
};
use palisade_model::{Diagnostic, Location, Unknown};
use palisade_report::{render, Format, TextOptions};
use std::path::PathBuf;

pub const MAIN_TF: &str = r#"resource "aws_security_group" "web" {
  name = "web"
  ingress {
    cidr_blocks = ["0.0.0.0/0"]
    from_port   = 22
    to_port     = 22
  }
  ingress {
    cidr_blocks = [var.admin_cidr]
  }
}
"#;

pub const RDS_TF: &str = r#"
resource "aws_db_instance" "main" {
  engine                  = "postgres"
  username                = "admin"
  password                = "hunter2-super-secret"
  backup_retention_period = 1
  publicly_accessible     = false
}
"#;

pub const SECRET: &str = "hunter2-super-secret";

#[allow(clippy::too_many_arguments)]
pub fn finding(
    rule: &str,
    severity: Severity,
    title: &str,
    practices: &[&str],
    resource: &str,
    location: Location,
    message: &str,
    remediation: &str,
) -> Finding {
    Finding {
        rule: rule.into(),
        severity,
        title: title.into(),
        practices: practices.iter().map(|p| p.to_string()).collect(),
        resource: resource.into(),
        location,
        message: message.into(),
        remediation: remediation.into(),
        fingerprint: fingerprint(&[rule, resource, message]),
    }
}

pub fn rule_info(
    id: &str,
    name: &str,
    title: &str,
    severity: Severity,
    practices: &[&str],
) -> RuleInfo {
    RuleInfo {
        id: id.into(),
        name: name.into(),
        title: title.into(),
        severity,
        practices: practices.iter().map(|p| p.to_string()).collect(),
        description: format!("{title}. Checked on every matching resource."),
        remediation: format!("Fix: {title}."),
        benchmarks: vec!["CIS AWS 1.5 5.2".into()],
        references: vec![format!("https://docs.example.test/rules/{id}")],
    }
}

/// Three findings across two files, an error, an unknown, a note, and a
/// rule that ran without findings.
pub fn report() -> ScanReport {
    let mut r = ScanReport {
        tool: Tool {
            name: "palisade".into(),
            version: "0.1.0".into(),
        },
        summary: Summary {
            files: 3,
            resources: 4,
            ..Summary::default()
        },
        findings: vec![
            finding(
                "RDS-BACKUP-RETENTION",
                Severity::Medium,
                "RDS backups are kept too briefly",
                &["DB-04"],
                "aws_db_instance.main",
                Location::new("db/rds.tf", 2, 7),
                "backup_retention_period is 1 | expected >= 7 <days>",
                "Set backup_retention_period to 7 or more.",
            ),
            finding(
                "SEC-LITERAL-PASSWORD",
                Severity::High,
                "Password written in the configuration",
                &["SEC-01"],
                "aws_db_instance.main",
                Location::new("db/rds.tf", 5, 5),
                "attribute `password` is a literal string",
                "Use manage_master_user_password or a secret reference.",
            ),
            finding(
                "NET-SG-OPEN-SSH",
                Severity::Critical,
                "Security group allows SSH from anywhere",
                &["NET-07", "NET-01"],
                "aws_security_group.web",
                Location::new("network/main.tf", 4, 4),
                "ingress on port 22 is open to 0.0.0.0/0",
                "Restrict cidr_blocks to known ranges.",
            ),
        ],
        errors: vec![Diagnostic::new(
            "k8s/broken.yaml",
            Some(3),
            "expected a mapping, found `- item`",
        )],
        unknowns: vec![Unknown {
            resource: "aws_security_group.web".into(),
            attribute: "ingress[1].cidr_blocks".into(),
            location: Some(Location::new("network/main.tf", 9, 9)),
            reason: "var.admin_cidr has no default".into(),
        }],
        suppressed: vec![
            Suppressed {
                finding: finding(
                    "NET-SG-OPEN-SSH",
                    Severity::Critical,
                    "Security group allows SSH from anywhere",
                    &["NET-07", "NET-01"],
                    "aws_security_group.bastion",
                    Location::new("network/main.tf", 20, 20),
                    "ingress on port 22 is open to 0.0.0.0/0",
                    "Restrict cidr_blocks to known ranges.",
                ),
                reason: "break-glass bastion, closed by the VPN migration".into(),
                source: SuppressionSource::Inline,
                at: Some(Location::new("network/main.tf", 19, 19)),
            },
            Suppressed {
                finding: finding(
                    "S3-PUBLIC-ACL",
                    Severity::High,
                    "S3 bucket ACL grants public access",
                    &["DATA-02"],
                    "aws_s3_bucket.site",
                    Location::new("web/site.tf", 3, 3),
                    "bucket ACL is public-read",
                    "Use CloudFront with origin access control.",
                ),
                reason: "accepted in baseline".into(),
                source: SuppressionSource::Baseline,
                at: None,
            },
        ],
        notes: vec![Diagnostic::new(
            "docs/example.yaml",
            None,
            "not a Kubernetes manifest or CloudFormation template",
        )],
        rules: vec![
            rule_info(
                "SEC-LITERAL-PASSWORD",
                "LiteralPassword",
                "Password written in the configuration",
                Severity::High,
                &["SEC-01"],
            ),
            rule_info(
                "NET-SG-OPEN-SSH",
                "OpenSsh",
                "Security group allows SSH from anywhere",
                Severity::Critical,
                &["NET-07", "NET-01"],
            ),
            rule_info(
                "RDS-BACKUP-RETENTION",
                "BackupRetention",
                "RDS backups are kept too briefly",
                Severity::Medium,
                &["DB-04"],
            ),
            rule_info(
                "S3-PUBLIC-ACL",
                "S3PublicAcl",
                "S3 bucket ACL grants public access",
                Severity::High,
                &["DATA-02"],
            ),
        ],
        secret_locations: Vec::new(),
        secret_values: Vec::new(),
    };
    r.normalise();
    r
}

/// A fresh directory under Cargo's per-target temp dir holding the fixture
/// sources.
pub fn source_root(name: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("palisade-report")
        .join(name);
    let _ = std::fs::remove_dir_all(&root);
    for (path, text) in [("network/main.tf", MAIN_TF), ("db/rds.tf", RDS_TF)] {
        let file = root.join(path);
        std::fs::create_dir_all(file.parent().expect("fixture path has a parent"))
            .expect("create fixture dir");
        std::fs::write(&file, text).expect("write fixture source");
    }
    root
}

pub fn render_with(report: &ScanReport, format: Format, opts: &TextOptions) -> String {
    let mut out = Vec::new();
    render(report, format, opts, &mut out).expect("render");
    String::from_utf8(out).expect("output is UTF-8")
}

pub fn render_str(report: &ScanReport, format: Format) -> String {
    render_with(report, format, &TextOptions::default())
}
