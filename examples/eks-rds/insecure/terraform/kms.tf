# One customer-managed key per service, rotated yearly, with key policies
# scoped to the account and the service.
locals {
  kms_services = {
    rds     = "rds.${var.region}.amazonaws.com"
    eks     = "eks.amazonaws.com"
    s3      = "s3.${var.region}.amazonaws.com"
    secrets = "secretsmanager.${var.region}.amazonaws.com"
    ebs     = "ec2.${var.region}.amazonaws.com"
    logs    = "cloudtrail.amazonaws.com"
    sns     = "sns.amazonaws.com"
    ecr     = "ecr.${var.region}.amazonaws.com"
  }
}

data "aws_iam_policy_document" "kms" {
  for_each = local.kms_services

  statement {
    sid       = "AccountAdministration"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${var.account_id}:root"]
    }
  }

  statement {
    sid       = "ServiceUse"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${var.account_id}:root"]
    }
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = [each.value]
    }
  }
}

resource "aws_kms_key" "this" {
  for_each                = local.kms_services
  description             = "${var.name} ${each.key}"
  enable_key_rotation     = false
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms[each.key].json
}

resource "aws_kms_alias" "this" {
  for_each      = local.kms_services
  name          = "alias/${var.name}-${each.key}"
  target_key_id = aws_kms_key.this[each.key].key_id
}

resource "aws_ebs_encryption_by_default" "on" {
  enabled = true
}

resource "aws_ebs_default_kms_key" "ebs" {
  key_arn = aws_kms_key.this["ebs"].arn
}
