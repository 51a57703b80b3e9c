# CloudTrail to the infosec account, Config → SNS → Lambda → chat, GuardDuty.

resource "aws_cloudtrail" "org" {
  name                          = "${var.name}-trail"
  s3_bucket_name                = var.infosec_log_bucket
  is_multi_region_trail         = false
  include_global_service_events = true
}

resource "aws_iam_role" "config" {
  name = "${var.name}-config"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "config.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "config" {
  role       = aws_iam_role.config.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole"
}

resource "aws_config_configuration_recorder" "main" {
  name     = "default"
  role_arn = aws_iam_role.config.arn
  recording_group {
    all_supported                 = false
    include_global_resource_types = false
    resource_types                = ["AWS::EC2::SecurityGroup"]
  }
}

resource "aws_config_configuration_recorder_status" "main" {
  name       = aws_config_configuration_recorder.main.name
  is_enabled = true
  depends_on = [aws_config_delivery_channel.main]
}

resource "aws_sns_topic" "security_alerts" {
  name              = "${var.name}-security-alerts"
  kms_master_key_id = aws_kms_key.this["sns"].arn
}

resource "aws_config_delivery_channel" "main" {
  name           = "default"
  s3_bucket_name = var.infosec_log_bucket
}

resource "aws_config_config_rule" "restricted_ssh" {
  name = "restricted-ssh"
  source {
    owner             = "AWS"
    source_identifier = "INCOMING_SSH_DISABLED"
  }
  depends_on = [aws_config_configuration_recorder.main]
}

resource "aws_config_config_rule" "restricted_common_ports" {
  name = "restricted-common-ports"
  source {
    owner             = "AWS"
    source_identifier = "RESTRICTED_INCOMING_TRAFFIC"
  }
  depends_on = [aws_config_configuration_recorder.main]
}

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "notifier" {
  name               = "${var.name}-alert-notifier"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

resource "aws_iam_role_policy_attachment" "notifier_logs" {
  role       = aws_iam_role.notifier.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

# Posts Config findings to the chat channel; the webhook URL is read from
# Secrets Manager at run time, never stored here.
resource "aws_lambda_function" "notifier" {
  function_name = "${var.name}-alert-notifier"
  role          = aws_iam_role.notifier.arn
  runtime       = "python3.12"
  handler       = "notifier.handler"
  filename      = "notifier.zip"
  environment {
    variables = {
      WEBHOOK_SECRET_ARN = "arn:aws:secretsmanager:${var.region}:${var.account_id}:secret:${var.name}/chat-webhook"
    }
  }
}

resource "aws_sns_topic_subscription" "notifier" {
  topic_arn = aws_sns_topic.security_alerts.arn
  protocol  = "lambda"
  endpoint  = aws_lambda_function.notifier.arn
}

resource "aws_guardduty_detector" "main" {
  enable = false
}

resource "aws_guardduty_detector_feature" "runtime" {
  detector_id = aws_guardduty_detector.main.id
  name        = "RUNTIME_MONITORING"
  status      = "ENABLED"
}

resource "aws_securityhub_account" "main" {}

resource "aws_inspector2_enabler" "main" {
  account_ids    = [var.account_id]
  resource_types = ["EC2", "ECR"]
}
