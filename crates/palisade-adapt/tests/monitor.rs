mod common;

use common::*;
use palisade_adapt::adapt_terraform;
use palisade_model::aws::{FlowLog, S3Bucket, SnsTopic};
use palisade_model::{Ref, Val};

#[test]
fn cloudtrail_defaults_and_links() {
    let trail = res(
        "aws_cloudtrail",
        "t",
        vec![("name", s("org")), ("s3_bucket_name", s("trail-logs"))],
    );
    let bucket = res("aws_s3_bucket", "logs", vec![("bucket", s("trail-logs"))]);
    let out = adapt_terraform(&[trail, bucket]);
    let aws = &out.aws;
    let t = &aws.cloudtrails[0];
    assert_eq!(t.multi_region, Val::default_(false));
    assert_eq!(t.log_file_validation, Val::default_(false));
    assert_eq!(t.organization, Val::default_(false));
    assert_eq!(t.logging, Val::default_(true));
    assert!(t.kms_key.is_none());
    let b = aws
        .get::<S3Bucket>(t.bucket.some().expect("bucket"))
        .expect("by name");
    assert_eq!(b.meta.address, "aws_s3_bucket.logs");
}

#[test]
fn config_recorder_and_status() {
    let rec = res(
        "aws_config_configuration_recorder",
        "r",
        vec![("role_arn", s("arn:aws:iam::1:role/config"))],
    );
    let status = res(
        "aws_config_configuration_recorder_status",
        "s",
        vec![
            ("name", r("aws_config_configuration_recorder.r", "name")),
            ("is_enabled", b(true)),
        ],
    );
    let rule = res(
        "aws_config_config_rule",
        "x",
        vec![
            ("name", s("s3-ssl")),
            (
                "source",
                block(vec![
                    ("owner", s("AWS")),
                    ("source_identifier", s("S3_BUCKET_SSL_REQUESTS_ONLY")),
                ]),
            ),
        ],
    );
    let chan = res(
        "aws_config_delivery_channel",
        "c",
        vec![("sns_topic_arn", r("aws_sns_topic.alerts", "arn"))],
    );
    let topic = res("aws_sns_topic", "alerts", vec![("name", s("alerts"))]);
    let sub = res(
        "aws_sns_topic_subscription",
        "s",
        vec![
            ("topic_arn", r("aws_sns_topic.alerts", "arn")),
            ("protocol", s("lambda")),
            ("endpoint", r("aws_lambda_function.chat", "arn")),
        ],
    );
    let out = adapt_terraform(&[rec, status, rule, chan, topic, sub]);
    let aws = &out.aws;
    let r = &aws.config_recorders[0];
    assert_eq!(r.all_supported, Val::default_(true));
    assert_eq!(r.include_global, Val::default_(false));
    assert!(r.recording.as_ref().is_some_and(|v| v.is_true()));
    assert_eq!(r.meta.keys, ["default"]);
    assert_eq!(
        aws.config_rules[0]
            .source_identifier
            .some()
            .map(String::as_str),
        Some("S3_BUCKET_SSL_REQUESTS_ONLY")
    );
    let t = aws.resolve::<SnsTopic>(
        &aws.config_delivery_channels[0]
            .sns_topic
            .clone()
            .map(|t| t.unwrap_or_else(|| Ref::new(""))),
    );
    assert!(t.ok().flatten().is_some_and(|t| t.kms_key.is_none()));
    assert_eq!(
        aws.sns_subscriptions[0].protocol.get().map(String::as_str),
        Some("lambda")
    );
}

#[test]
fn guardduty_features_are_merged() {
    let legacy = res(
        "aws_guardduty_detector",
        "legacy",
        vec![(
            "datasources",
            block(vec![(
                "kubernetes",
                block(vec![("audit_logs", block(vec![("enable", b(true))]))]),
            )]),
        )],
    );
    let modern = res("aws_guardduty_detector", "modern", vec![]);
    let feature = res(
        "aws_guardduty_detector_feature",
        "eks",
        vec![
            ("detector_id", r("aws_guardduty_detector.modern", "id")),
            ("name", s("EKS_AUDIT_LOGS")),
            ("status", s("ENABLED")),
        ],
    );
    let other = res(
        "aws_guardduty_detector_feature",
        "s3",
        vec![
            ("detector_id", r("aws_guardduty_detector.modern", "id")),
            ("name", s("S3_DATA_EVENTS")),
            ("status", s("DISABLED")),
        ],
    );
    let bare = res("aws_guardduty_detector", "bare", vec![("enable", b(false))]);
    let hub = res("aws_securityhub_account", "hub", vec![]);
    let insp = res(
        "aws_inspector2_enabler",
        "i",
        vec![
            ("account_ids", strs(&["123"])),
            ("resource_types", strs(&["ECR", "EC2"])),
        ],
    );
    let out = adapt_terraform(&[legacy, modern, feature, other, bare, hub, insp]);
    let aws = &out.aws;
    assert!(aws.guardduty_detectors[0].eks_protection.is_true());
    assert!(
        aws.guardduty_detectors[0].enabled.is_default()
            && aws.guardduty_detectors[0].enabled.is_true()
    );
    assert!(aws.guardduty_detectors[1].eks_protection.is_true());
    assert_eq!(
        aws.guardduty_detectors[2].eks_protection,
        Val::default_(false)
    );
    assert!(aws.guardduty_detectors[2].enabled.is_false());
    assert_eq!(aws.securityhub_accounts.len(), 1);
    assert_eq!(
        aws.inspector_enablers[0].resource_types.get().map(Vec::len),
        Some(2)
    );
    assert!(aws.others.is_empty());
}

#[test]
fn flow_logs_log_groups_and_organization_policies() {
    let fl = res(
        "aws_flow_log",
        "f",
        vec![
            ("vpc_id", r("aws_vpc.main", "id")),
            ("traffic_type", s("ALL")),
        ],
    );
    let lg = res(
        "aws_cloudwatch_log_group",
        "g",
        vec![("name", s("/flow")), ("retention_in_days", n(0.0))],
    );
    let scp = res(
        "aws_organizations_policy",
        "deny",
        vec![
            ("name", s("deny-root")),
            (
                "content",
                s(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"}}}]}"#,
                ),
            ),
        ],
    );
    let vpc = res("aws_vpc", "main", vec![]);
    let out = adapt_terraform(&[fl, lg, scp, vpc]);
    let aws = &out.aws;
    let f = aws
        .get::<FlowLog>(&Ref::new("aws_flow_log.f"))
        .expect("flow log");
    assert_eq!(f.target.get(), Some(&Ref::new("aws_vpc.main")));
    assert!(aws.log_groups[0].retention_days.is_none());
    assert!(aws.log_groups[0].kms_key.is_none());
    assert_eq!(
        aws.organization_policies[0].policy_type,
        Val::default_("SERVICE_CONTROL_POLICY".to_owned())
    );
    assert!(aws.organization_policies[0].content.get().is_some());
}
