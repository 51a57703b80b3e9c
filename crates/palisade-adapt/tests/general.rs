mod common;

use common::*;
use palisade_adapt::adapt_terraform;
use palisade_model::raw::{Raw, RawNode, RawResource};
use palisade_model::Val;

#[test]
fn unknowns_stay_unknown_and_are_reported() {
    let db = res(
        "aws_db_instance",
        "db",
        vec![
            ("publicly_accessible", unk("`var.public` has no value")),
            ("storage_encrypted", r("aws_ssm_parameter.enc", "value")),
            ("multi_az", b(true)),
        ],
    );
    let out = adapt_terraform(&[db]);
    let d = &out.aws.db_instances[0];
    assert_eq!(
        d.publicly_accessible.unknown_reason(),
        Some("`var.public` has no value")
    );
    assert!(d.publicly_accessible.loc().is_some());
    assert!(!d.publicly_accessible.is_true() && !d.publicly_accessible.is_false());
    assert_eq!(
        d.storage_encrypted.unknown_reason(),
        Some("known only after apply: `aws_ssm_parameter.enc.value`")
    );
    assert!(d.multi_az.is_true() && !d.multi_az.is_default());
    let attrs: Vec<_> = out
        .unknowns
        .iter()
        .map(|u| (u.resource.as_str(), u.attribute.as_str()))
        .collect();
    assert_eq!(
        attrs,
        [
            ("aws_db_instance.db", "publicly_accessible"),
            ("aws_db_instance.db", "storage_encrypted")
        ]
    );
    assert!(out.unknowns.iter().all(|u| u.location.is_some()));
}

#[test]
fn unknown_nested_blocks_make_their_fields_unknown() {
    let lt = res(
        "aws_launch_template",
        "lt",
        vec![("metadata_options", unk("`var.imds` has no value"))],
    );
    let out = adapt_terraform(&[lt]);
    let t = &out.aws.launch_templates[0];
    assert!(t.http_tokens.is_unknown(), "not the default");
    assert!(t.http_put_response_hop_limit.is_unknown());
    assert!(out
        .unknowns
        .iter()
        .any(|u| u.attribute == "metadata_options.http_tokens"));
}

#[test]
fn unknown_list_elements_make_the_list_unknown() {
    let sg = res(
        "aws_security_group_rule",
        "x",
        vec![
            ("type", s("ingress")),
            ("security_group_id", s("sg-1")),
            ("protocol", s("tcp")),
            ("from_port", n(443.0)),
            ("to_port", n(443.0)),
            (
                "cidr_blocks",
                list(vec![s("10.0.0.0/8"), unk("`var.office` has no value")]),
            ),
        ],
    );
    let out = adapt_terraform(&[sg]);
    let rule = &out.aws.sg_rules[0];
    assert!(rule.cidrs_v4.is_unknown());
    assert!(rule
        .cidrs_v4
        .unknown_reason()
        .is_some_and(|r| r.contains("var.office")));
    assert_eq!(rule.cidrs_v6, Val::default_(Vec::new()));
}

#[test]
fn wrong_types_are_noted_and_unknown() {
    let db = res(
        "aws_db_instance",
        "db",
        vec![("publicly_accessible", strs(&["yes"])), ("port", s("x"))],
    );
    let out = adapt_terraform(&[db]);
    assert!(out.aws.db_instances[0].publicly_accessible.is_unknown());
    assert_eq!(out.notes.len(), 1);
    assert!(out.notes[0].message.contains("publicly_accessible"));
    assert_eq!(out.notes[0].file, "main.tf");
}

#[test]
fn string_bools_and_numbers_convert_like_terraform() {
    let db = res(
        "aws_db_instance",
        "db",
        vec![
            ("publicly_accessible", s("false")),
            ("backup_retention_period", s("7")),
        ],
    );
    let out = adapt_terraform(&[db]);
    let d = &out.aws.db_instances[0];
    assert!(d.publicly_accessible.is_false() && !d.publicly_accessible.is_default());
    assert_eq!(d.backup_retention_days.get(), Some(&7));
}

#[test]
fn other_types_data_sources_and_other_providers() {
    let input = [
        res("aws_sqs_queue", "q", vec![("name", s("jobs"))]),
        res("random_password", "p", vec![("length", n(16.0))]),
        res("kubernetes_namespace", "ns", vec![]),
        data("aws_vpc", "default", vec![("default", b(true))]),
        data("aws_iam_policy_document", "unused", vec![]),
    ];
    let out = adapt_terraform(&input);
    let aws = &out.aws;
    assert_eq!(aws.len(), 1);
    assert_eq!(aws.others[0].meta.address, "aws_sqs_queue.q");
    assert_eq!(aws.others[0].meta.keys, ["jobs"]);
    assert!(out.unknowns.is_empty() && out.notes.is_empty());
}

#[test]
fn links_to_data_sources_point_outside_the_model() {
    let sn = res(
        "aws_subnet",
        "a",
        vec![("vpc_id", r("data.aws_vpc.default", "id"))],
    );
    let out = adapt_terraform(&[sn, data("aws_vpc", "default", vec![])]);
    let s = &out.aws.subnets[0];
    assert_eq!(
        out.aws.resolve::<palisade_model::aws::Vpc>(&s.vpc),
        Ok(None)
    );
}

/// Every kind the adapter knows, fed with hostile bodies: nothing panics.
#[test]
fn hostile_input_never_panics() {
    const KINDS: &[&str] = &[
        "aws_vpc",
        "aws_default_vpc",
        "aws_subnet",
        "aws_default_subnet",
        "aws_route_table",
        "aws_default_route_table",
        "aws_route",
        "aws_route_table_association",
        "aws_main_route_table_association",
        "aws_internet_gateway",
        "aws_internet_gateway_attachment",
        "aws_egress_only_internet_gateway",
        "aws_nat_gateway",
        "aws_vpc_endpoint",
        "aws_vpc_endpoint_route_table_association",
        "aws_vpc_endpoint_subnet_association",
        "aws_vpc_endpoint_policy",
        "aws_vpc_peering_connection",
        "aws_network_acl",
        "aws_default_network_acl",
        "aws_network_acl_rule",
        "aws_network_acl_association",
        "aws_security_group",
        "aws_default_security_group",
        "aws_security_group_rule",
        "aws_vpc_security_group_ingress_rule",
        "aws_vpc_security_group_egress_rule",
        "aws_lb",
        "aws_alb",
        "aws_elb",
        "aws_lb_listener",
        "aws_alb_listener",
        "aws_lb_target_group",
        "aws_cloudfront_distribution",
        "aws_wafv2_web_acl",
        "aws_wafv2_web_acl_association",
        "aws_wafv2_web_acl_logging_configuration",
        "aws_wafv2_ip_set",
        "aws_waf_web_acl",
        "aws_wafregional_web_acl",
        "aws_wafregional_web_acl_association",
        "aws_waf_ipset",
        "aws_shield_protection",
        "aws_db_instance",
        "aws_rds_cluster",
        "aws_rds_cluster_instance",
        "aws_db_subnet_group",
        "aws_db_parameter_group",
        "aws_rds_cluster_parameter_group",
        "aws_s3_bucket",
        "aws_s3_bucket_policy",
        "aws_s3_bucket_server_side_encryption_configuration",
        "aws_s3_bucket_public_access_block",
        "aws_s3_bucket_versioning",
        "aws_s3_bucket_logging",
        "aws_s3_bucket_acl",
        "aws_kms_key",
        "aws_kms_key_policy",
        "aws_kms_alias",
        "aws_secretsmanager_secret",
        "aws_secretsmanager_secret_rotation",
        "aws_secretsmanager_secret_policy",
        "aws_iam_role",
        "aws_iam_policy",
        "aws_iam_role_policy",
        "aws_iam_user_policy",
        "aws_iam_group_policy",
        "aws_iam_role_policy_attachment",
        "aws_iam_user_policy_attachment",
        "aws_iam_group_policy_attachment",
        "aws_iam_policy_attachment",
        "aws_iam_user",
        "aws_iam_group",
        "aws_iam_group_membership",
        "aws_iam_user_group_membership",
        "aws_iam_access_key",
        "aws_iam_user_login_profile",
        "aws_iam_openid_connect_provider",
        "aws_iam_saml_provider",
        "aws_eks_cluster",
        "aws_eks_node_group",
        "aws_eks_pod_identity_association",
        "aws_launch_template",
        "aws_instance",
        "aws_ebs_volume",
        "aws_ebs_encryption_by_default",
        "aws_cloudtrail",
        "aws_config_configuration_recorder",
        "aws_config_configuration_recorder_status",
        "aws_config_config_rule",
        "aws_config_delivery_channel",
        "aws_guardduty_detector",
        "aws_guardduty_detector_feature",
        "aws_securityhub_account",
        "aws_inspector2_enabler",
        "aws_flow_log",
        "aws_ecr_repository",
        "aws_sns_topic",
        "aws_sns_topic_subscription",
        "aws_lambda_function",
        "aws_opensearch_domain",
        "aws_elasticsearch_domain",
        "aws_organizations_policy",
        "aws_cloudwatch_log_group",
    ];
    const ATTRS: &[&str] = &[
        "name",
        "bucket",
        "vpc_id",
        "subnet_id",
        "subnet_ids",
        "route_table_id",
        "gateway_id",
        "policy",
        "ingress",
        "egress",
        "route",
        "rule",
        "statement",
        "origin",
        "default_action",
        "listener",
        "vpc_config",
        "metadata_options",
        "encryption_config",
        "type",
        "protocol",
        "from_port",
        "cidr_blocks",
        "security_group_id",
        "role",
        "user",
        "group",
        "users",
        "groups",
        "policy_arn",
        "assume_role_policy",
        "inline_policy",
        "managed_policy_arns",
        "load_balancer_arn",
        "default_route_table_id",
        "default_network_acl_id",
        "network_acl_id",
        "vpc_endpoint_id",
        "detector_id",
        "status",
        "is_enabled",
        "secret_id",
        "secret_arn",
        "key_id",
        "cluster_identifier",
        "access_logs",
        "viewer_certificate",
        "default_cache_behavior",
        "block_device_mappings",
        "datasources",
        "content",
        "resource_arn",
        "web_acl_arn",
        "scope",
        "rule_json",
        "grant",
        "access_control_policy",
        "versioning_configuration",
        "server_side_encryption_configuration",
        "source_policy_documents",
        "parameter",
        "launch_template",
        "remote_access",
        "target_key_id",
    ];
    let values: Vec<Box<dyn Fn() -> RawNode>> = vec![
        Box::new(|| unk("nope")),
        Box::new(|| r("aws_thing.x", "weird[0].path")),
        Box::new(|| {
            list(vec![
                unk("a"),
                null(),
                n(f64::NAN),
                map(vec![("x", unk("b"))]),
            ])
        }),
        Box::new(|| map(vec![("statement", s("x")), ("arn", list(vec![]))])),
        Box::new(|| n(1e300)),
        Box::new(|| s("")),
        Box::new(|| {
            blocks(vec![vec![
                ("rule", unk("c")),
                (
                    "statement",
                    block(vec![("managed_rule_group_statement", s("x"))]),
                ),
            ]])
        }),
    ];
    let mut input: Vec<RawResource> = Vec::new();
    for (k, kind) in KINDS.iter().enumerate() {
        for (v, make) in values.iter().enumerate() {
            let body = ATTRS.iter().map(|a| (*a, make())).collect();
            input.push(res(kind, &format!("v{k}_{v}"), body));
        }
        let mut odd = res(kind, &format!("odd{k}"), vec![]);
        odd.body = RawNode::new(Raw::String("not a map".into()), None);
        input.push(odd);
    }
    let d = data(
        "aws_iam_policy_document",
        "loop",
        vec![(
            "source_policy_documents",
            list(vec![r("data.aws_iam_policy_document.loop", "json")]),
        )],
    );
    input.push(d);
    input.push(res(
        "aws_iam_policy",
        "loop",
        vec![("policy", r("data.aws_iam_policy_document.loop", "json"))],
    ));
    // Attribute-following cycles.
    input.push(res(
        "aws_subnet",
        "c1",
        vec![("vpc_id", r("aws_subnet.c2", "vpc_id"))],
    ));
    input.push(res(
        "aws_subnet",
        "c2",
        vec![("vpc_id", r("aws_subnet.c1", "vpc_id"))],
    ));
    let out = adapt_terraform(&input);
    assert!(out.aws.len() >= KINDS.len());
    let p = out
        .aws
        .iam_policies
        .iter()
        .find(|p| p.meta.address == "aws_iam_policy.loop");
    assert!(p.is_some_and(|p| p.document.get().is_some_and(|d| d.is_object())));
}
