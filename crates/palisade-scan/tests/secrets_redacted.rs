//! Secret values found in inputs never appear in any output: a tree full of
//! secrets (Terraform variable defaults, tfvars, locals, heredocs,
//! `jsonencode`d environment lists, tags, module arguments, outputs, a plan;
//! Kubernetes Secret `data`/`stringData`, env values, command lines,
//! ConfigMaps, annotations including `last-applied-configuration`, pod
//! template annotations; secrets that evaluation carries into other values,
//! such as a policy condition or an error) is scanned and rendered in every
//! format, and its model printed as `palisade model` prints it; none of the
//! secret strings may be in any of them. Each secret must also have been recognised (a
//! literal secret of the model), so snippets redact its line.

use palisade_report::{render, Format, TextOptions};
use palisade_scan::{scan, ScanOptions};
use std::path::{Path, PathBuf};

/// The secret strings planted in the tree (base64 data decoded too).
const SECRETS: &[&str] = &[
    "VarDefaultPw-7f3k9Q",
    "AKIAQ4ZZEXAMPLEQWE12",
    "LocalTok3n-h7Gq2Lz8",
    "LocalMapSecret-p9Xw2",
    "TagPassw0rd-q8Zr1",
    "ClusterMasterPw-4Jd8s",
    "SsmValueSecret-0aB7c",
    "SmJsonPassw0rd-9Lk2",
    "LambdaEnvPw-6Hs1k",
    "EcsJsonEnvPw-2Xc9v",
    "ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
    "HeredocUserDataPw-5Tq",
    "MIIEpAIBAAKCAQEA",
    "OutputSecretTok-8Uj3",
    "ModuleArgPw-3Nn7",
    "TfvarsPassw0rd-1Qz",
    "AutoTfvarsApiKey-7Yt",
    "PlanPassw0rd-6Yh2",
    "PlanTagTok-2Vb8",
    "LastAppliedPw-3Kd9",
    "QmFzZTY0RGF0YVB3LTlYejI=",
    "Base64DataPw-9Xz2",
    "StringDataTok-5Wq1",
    "AnnotationTok-2Pl8",
    "ConfigMapPw-8Hn3",
    "CmEmbeddedPw-6Vb2",
    "LastAppliedEnvTok-4Rf",
    "PodAnnotTok-7Gh2x",
    "ArgsPassw0rd-1Mk5",
    "EnvValuePw-9Tr4",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY9",
    "xoxb-123456789012-abcdefghijklmnop",
    "RefererSecret-4Hq9",
];

/// Planted where no detector looks on purpose: the only copy of the value
/// is inside another secret (the base64 form of a Secret's data), or in the
/// dropped `last-applied-configuration` annotation.
const NOT_SEPARATELY_DETECTED: &[&str] = &[
    "QmFzZTY0RGF0YVB3LTlYejI=",
    "LastAppliedPw-3Kd9",
    "LastAppliedEnvTok-4Rf",
    "MIIEpAIBAAKCAQEA",
];

const MAIN_TF: &str = r#"variable "db_password" {
  default = "VarDefaultPw-7f3k9Q"
}

variable "description_key" {
  default = "AKIAQ4ZZEXAMPLEQWE12"
}

locals {
  api_token = "LocalTok3n-h7Gq2Lz8"
  settings = {
    client_secret = "LocalMapSecret-p9Xw2"
  }
}

resource "aws_db_instance" "db" {
  identifier        = "db"
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  username          = "admin"
  password          = var.db_password
  storage_encrypted = true
  tags = {
    password = "TagPassw0rd-q8Zr1"
    Name     = "db"
  }
}

resource "aws_rds_cluster" "c" {
  cluster_identifier = "c"
  engine             = "aurora-postgresql"
  master_username    = "admin"
  master_password    = "ClusterMasterPw-4Jd8s"
}

resource "aws_ssm_parameter" "p" {
  name  = "/app/db"
  type  = "SecureString"
  value = "SsmValueSecret-0aB7c"
}

resource "aws_secretsmanager_secret_version" "v" {
  secret_id     = "x"
  secret_string = jsonencode({ password = "SmJsonPassw0rd-9Lk2" })
}

resource "aws_lambda_function" "f" {
  function_name = "f"
  role          = "arn:aws:iam::111122223333:role/f"
  environment {
    variables = {
      API_TOKEN   = local.api_token
      DB_PASSWORD = "LambdaEnvPw-6Hs1k"
      OTHER       = local.settings.client_secret
    }
  }
}

resource "aws_ecs_task_definition" "t" {
  family = "t"
  container_definitions = jsonencode([{
    name  = "app"
    image = "app:1"
    environment = [
      { name = "DB_PASSWORD", value = "EcsJsonEnvPw-2Xc9v" },
      { name = "GITHUB", value = "ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789" }
    ]
  }])
}

resource "aws_instance" "i" {
  ami           = "ami-123"
  instance_type = "t3.micro"
  user_data     = <<-EOT
    #!/bin/bash
    export DB_PASSWORD="HeredocUserDataPw-5Tq"
    echo "-----BEGIN RSA PRIVATE KEY-----MIIEpAIBAAKCAQEA-----END RSA PRIVATE KEY-----"
  EOT
}

output "token" {
  value = "OutputSecretTok-8Uj3"
}

# Secrets flowing into other values: a policy condition built from a
# secret variable, an error that would quote a value.
variable "referer_secret" {
  default = "RefererSecret-4Hq9"
}

resource "aws_s3_bucket" "site" {
  bucket = file(var.db_password)
}

resource "aws_s3_bucket_policy" "site" {
  bucket = aws_s3_bucket.site.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::site/*"
      Condition = { StringEquals = { "aws:Referer" = var.referer_secret } }
    }]
  })
}

module "child" {
  source   = "./child"
  password = "ModuleArgPw-3Nn7"
}
"#;

const CHILD_TF: &str = r#"variable "password" {}
resource "aws_db_instance" "child" {
  identifier     = "child"
  engine         = "mysql"
  instance_class = "db.t3.micro"
  password       = var.password
}
"#;

const PLAN_JSON: &str = r#"{
  "format_version": "1.2",
  "terraform_version": "1.7.5",
  "planned_values": {
    "root_module": {
      "resources": [
        {
          "address": "aws_db_instance.planned",
          "mode": "managed",
          "type": "aws_db_instance",
          "name": "planned",
          "provider_name": "registry.terraform.io/hashicorp/aws",
          "values": {
            "identifier": "planned",
            "engine": "postgres",
            "password": "PlanPassw0rd-6Yh2",
            "tags": {"api_token": "PlanTagTok-2Vb8"},
            "tags_all": {"api_token": "PlanTagTok-2Vb8"}
          },
          "sensitive_values": {"password": true}
        }
      ]
    }
  },
  "configuration": {"root_module": {}}
}
"#;

const K8S_YAML: &str = r#"apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: shop
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: |
      {"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"shop"},"stringData":{"password":"LastAppliedPw-3Kd9"}}
type: Opaque
data:
  password: QmFzZTY0RGF0YVB3LTlYejI=
stringData:
  token: StringDataTok-5Wq1
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
  namespace: shop
  annotations:
    secret-token: AnnotationTok-2Pl8
data:
  DB_PASSWORD: ConfigMapPw-8Hn3
  settings.yaml: |
    password: CmEmbeddedPw-6Vb2
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"spec":{"template":{"spec":{"containers":[{"env":[{"name":"API_TOKEN","value":"LastAppliedEnvTok-4Rf"}]}]}}}}'
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata:
      labels: {app: api}
      annotations:
        vault.hashicorp.com/agent-inject-token: PodAnnotTok-7Gh2x
    spec:
      containers:
        - name: api
          image: app:1
          args: ["--password=ArgsPassw0rd-1Mk5"]
          env:
            - name: DB_PASSWORD
              value: EnvValuePw-9Tr4
            - name: AWS_SECRET_ACCESS_KEY
              value: wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY9
            - name: SLACK
              value: xoxb-123456789012-abcdefghijklmnop
"#;

fn write(path: &Path, text: &str) {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

fn tree() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("secrets_redacted");
    let _ = std::fs::remove_dir_all(&dir);
    write(&dir.join("tf/main.tf"), MAIN_TF);
    write(&dir.join("tf/child/main.tf"), CHILD_TF);
    write(
        &dir.join("tf/terraform.tfvars"),
        "db_password = \"TfvarsPassw0rd-1Qz\"\n",
    );
    write(
        &dir.join("tf/extra.auto.tfvars"),
        "api_key = \"AutoTfvarsApiKey-7Yt\"\n",
    );
    write(&dir.join("plan/plan.json"), PLAN_JSON);
    write(&dir.join("k8s/all.yaml"), K8S_YAML);
    dir
}

#[test]
fn secrets_never_appear_in_any_output() {
    let dir = tree();
    let opts = ScanOptions {
        paths: vec![dir.clone()],
        display_base: dir.clone(),
        ..Default::default()
    };
    let outcome = scan(&opts);
    let mut outputs: Vec<(String, String)> = Vec::new();
    for format in Format::ALL {
        let mut out = Vec::new();
        let text = TextOptions {
            color: false,
            source_root: Some(dir.clone()),
        };
        render(&outcome.report, format, &text, &mut out).expect("render");
        outputs.push((
            format.to_string(),
            String::from_utf8_lossy(&out).into_owned(),
        ));
    }
    // What `palisade model` prints.
    let (model, report, _) = palisade_scan::load(&opts);
    let json = model.redacted(
        serde_json::json!({ "model": model, "errors": report.errors, "unknowns": report.unknowns }),
    );
    outputs.push((
        "model".into(),
        serde_json::to_string_pretty(&json).expect("model json"),
    ));

    let mut leaks = Vec::new();
    for (name, text) in &outputs {
        for s in SECRETS {
            if text.contains(s) {
                leaks.push(format!("`{s}` in {name} output"));
            }
        }
    }
    assert!(leaks.is_empty(), "{}", leaks.join("\n"));

    // Every secret is recognised, so every snippet showing its line
    // redacts it.
    let found: Vec<&str> = model.secrets.iter().map(|s| s.value.expose()).collect();
    let missed: Vec<&&str> = SECRETS
        .iter()
        .filter(|s| !NOT_SEPARATELY_DETECTED.contains(s))
        .filter(|s| !found.iter().any(|f| f.contains(**s)))
        .collect();
    assert!(missed.is_empty(), "not recognised as secrets: {missed:?}");
    // The report had something to show: findings with snippets.
    assert!(outcome.report.findings.len() > 20);
    assert!(outputs[0].1.contains("<redacted>"));
    let _ = std::fs::remove_dir_all(&dir);
}
