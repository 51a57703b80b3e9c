mod common;

use common::*;
use palisade_terraform::Options;
use std::fmt::Write as _;

/// A root of 2,000 files of typical configuration. Run with
/// `cargo test --release -p palisade-terraform --test perf -- --ignored --nocapture`.
#[test]
#[ignore = "benchmark"]
fn two_thousand_files() {
    let d = temp_dir("perf");
    let mut vars = String::from("variable \"env\" {\n  default = \"prod\"\n}\nlocals {\n  common_tags = { Env = var.env, Owner = \"sec\" }\n  ports = [22, 443, 5432]\n}\n");
    let _ = writeln!(
        vars,
        "resource \"aws_vpc\" \"main\" {{\n  cidr_block = \"10.0.0.0/16\"\n}}"
    );
    std::fs::write(d.join("vars.tf"), vars).expect("write");
    for i in 0..2000 {
        let mut f = String::new();
        let _ = writeln!(
            f,
            r#"resource "aws_security_group" "sg{i}" {{
  name   = "sg-{i}-${{var.env}}"
  vpc_id = aws_vpc.main.id
  dynamic "ingress" {{
    for_each = local.ports
    content {{
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = [cidrsubnet(aws_vpc.main.cidr_block, 8, {n})]
    }}
  }}
  tags = merge(local.common_tags, {{ Name = "sg{i}" }})
}}
resource "aws_s3_bucket" "b{i}" {{
  count  = 2
  bucket = format("bucket-%d-%d", {i}, count.index)
  tags   = local.common_tags
}}
data "aws_iam_policy_document" "p{i}" {{
  statement {{
    actions   = ["s3:GetObject"]
    resources = ["${{aws_s3_bucket.b{i}[0].arn}}/*"]
  }}
}}
resource "aws_s3_bucket_policy" "bp{i}" {{
  bucket = aws_s3_bucket.b{i}[0].id
  policy = data.aws_iam_policy_document.p{i}.json
}}"#,
            n = i % 256
        );
        std::fs::write(d.join(format!("f{i:04}.tf")), f).expect("write");
    }
    let t = std::time::Instant::now();
    let l = load_dir(&d, &Options::default(), &d);
    let el = t.elapsed();
    eprintln!(
        "2000 files: {} resources in {:?} ({} errors)",
        l.resources.len(),
        el,
        l.errors.len()
    );
    assert_eq!(l.resources.len(), 1 + 2000 * 5);
    let _ = std::fs::remove_dir_all(&d);
}
