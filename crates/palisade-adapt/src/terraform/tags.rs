//! Resource tags ([`Meta::tags`]).
//!
//! A resource carries tags when its type is one the AWS provider lets you
//! tag (the list below, for when no tags are written) or when its input
//! writes `tags`. Plan JSON's `tags_all` (which includes the provider's
//! `default_tags`) wins over `tags` when it is known. Tags set through a
//! provider's `default_tags` in HCL are not read: the static evaluation does
//! not model providers.

use super::read::{fmt_num, ref_reason};
use palisade_model::aws::Aws;
use palisade_model::raw::{Raw, RawNode, RawResource};
use palisade_model::{Location, Tags, Val};
use std::collections::HashMap;

/// Resource types of the AWS provider that have a `tags` argument, among
/// those palisade models and the common others.
const TAGGABLE: &[&str] = &[
    "aws_acm_certificate",
    "aws_alb",
    "aws_alb_listener",
    "aws_alb_target_group",
    "aws_ami",
    "aws_api_gateway_rest_api",
    "aws_apigatewayv2_api",
    "aws_athena_workgroup",
    "aws_backup_plan",
    "aws_backup_vault",
    "aws_cloudfront_distribution",
    "aws_cloudtrail",
    "aws_cloudwatch_composite_alarm",
    "aws_cloudwatch_event_rule",
    "aws_cloudwatch_log_group",
    "aws_cloudwatch_metric_alarm",
    "aws_codebuild_project",
    "aws_cognito_user_pool",
    "aws_config_config_rule",
    "aws_customer_gateway",
    "aws_db_instance",
    "aws_db_option_group",
    "aws_db_parameter_group",
    "aws_db_proxy",
    "aws_db_subnet_group",
    "aws_default_network_acl",
    "aws_default_route_table",
    "aws_default_security_group",
    "aws_default_subnet",
    "aws_default_vpc",
    "aws_docdb_cluster",
    "aws_dynamodb_table",
    "aws_ebs_volume",
    "aws_ec2_managed_prefix_list",
    "aws_ec2_transit_gateway",
    "aws_ecr_repository",
    "aws_ecs_cluster",
    "aws_ecs_service",
    "aws_ecs_task_definition",
    "aws_efs_file_system",
    "aws_egress_only_internet_gateway",
    "aws_eip",
    "aws_eks_addon",
    "aws_eks_cluster",
    "aws_eks_fargate_profile",
    "aws_eks_identity_provider_config",
    "aws_eks_node_group",
    "aws_eks_pod_identity_association",
    "aws_elasticache_cluster",
    "aws_elasticache_replication_group",
    "aws_elasticsearch_domain",
    "aws_elb",
    "aws_guardduty_detector",
    "aws_iam_instance_profile",
    "aws_iam_openid_connect_provider",
    "aws_iam_policy",
    "aws_iam_role",
    "aws_iam_saml_provider",
    "aws_iam_server_certificate",
    "aws_iam_user",
    "aws_instance",
    "aws_internet_gateway",
    "aws_key_pair",
    "aws_kinesis_firehose_delivery_stream",
    "aws_kinesis_stream",
    "aws_kms_external_key",
    "aws_kms_key",
    "aws_kms_replica_key",
    "aws_lambda_function",
    "aws_launch_template",
    "aws_lb",
    "aws_lb_listener",
    "aws_lb_listener_rule",
    "aws_lb_target_group",
    "aws_memorydb_cluster",
    "aws_msk_cluster",
    "aws_nat_gateway",
    "aws_neptune_cluster",
    "aws_network_acl",
    "aws_network_interface",
    "aws_opensearch_domain",
    "aws_organizations_policy",
    "aws_rds_cluster",
    "aws_rds_cluster_instance",
    "aws_rds_cluster_parameter_group",
    "aws_redshift_cluster",
    "aws_route53_zone",
    "aws_route_table",
    "aws_s3_bucket",
    "aws_secretsmanager_secret",
    "aws_security_group",
    "aws_sfn_state_machine",
    "aws_shield_protection",
    "aws_sns_topic",
    "aws_sqs_queue",
    "aws_ssm_parameter",
    "aws_subnet",
    "aws_transfer_server",
    "aws_vpc",
    "aws_vpc_dhcp_options",
    "aws_vpc_endpoint",
    "aws_vpc_peering_connection",
    "aws_vpc_peering_connection_accepter",
    "aws_vpc_security_group_egress_rule",
    "aws_vpc_security_group_ingress_rule",
    "aws_vpn_connection",
    "aws_vpn_gateway",
    "aws_wafv2_ip_set",
    "aws_wafv2_rule_group",
    "aws_wafv2_web_acl",
];

/// True when resources of type `kind` can carry tags.
pub(crate) fn taggable(kind: &str) -> bool {
    TAGGABLE.binary_search(&kind).is_ok()
}

/// Sets [`Meta::tags`](palisade_model::Meta::tags) of every resource
/// declared in the input (not of the parts, such as inline rules, that are
/// listed apart). Call before parts are re-addressed under their owners.
pub(crate) fn fill(resources: &[RawResource], aws: &mut Aws) {
    let by_addr: HashMap<&str, &RawResource> =
        resources.iter().map(|r| (r.address.as_str(), r)).collect();
    for meta in aws.metas_mut() {
        if meta.tags.is_some() {
            continue;
        }
        if let Some(r) = by_addr.get(meta.address.as_str()) {
            if r.kind == meta.kind {
                meta.tags = of(r);
            }
        }
    }
}

/// The tags of one resource; `None` when its type carries no tags.
pub(crate) fn of(r: &RawResource) -> Option<Val<Tags>> {
    let present = |key: &str| r.body.get(key).filter(|n| !n.is_null());
    let tags = present("tags");
    let all = present("tags_all").filter(|n| matches!(n.value, Raw::Map(_)));
    if tags.is_none() && all.is_none() && !taggable(&r.kind) {
        return None;
    }
    let Some(node) = all.or(tags) else {
        return Some(Val::default_(Tags::new()));
    };
    let loc = tags
        .and_then(|n| n.loc.clone())
        .or_else(|| node.loc.clone())
        .unwrap_or_else(|| r.loc.clone());
    Some(match &node.value {
        Raw::Map(m) => {
            let written = tags.and_then(RawNode::as_map);
            let mut out = Tags::new();
            for (k, v) in m {
                // The entry as written in `tags`, for its location.
                let at = written
                    .and_then(|w| w.get(k))
                    .and_then(|n| n.loc.clone())
                    .or_else(|| v.loc.clone())
                    .unwrap_or_else(|| loc.clone());
                out.insert(k.clone(), redacted(k, value(v, at)));
            }
            Val::known(out, loc)
        }
        Raw::Unknown(reason) => Val::unknown(reason.clone(), Some(loc)),
        Raw::Ref { address, attr } => Val::unknown(ref_reason(address, attr), Some(loc)),
        _ => Val::unknown("`tags` is not a map", Some(loc)),
    })
}

/// A tag value that is secret material (a tag `password`, a value in a
/// credential format) stands as the redaction marker in the model, which
/// `palisade model` prints; the loader records the literal itself.
pub(crate) fn redacted(key: &str, v: Val<String>) -> Val<String> {
    match v {
        Val::Known { value, loc } if palisade_model::secrets::classify(key, &value).is_some() => {
            Val::known(palisade_model::val::REDACTED.to_owned(), loc)
        }
        other => other,
    }
}

fn value(n: &RawNode, loc: Location) -> Val<String> {
    match &n.value {
        Raw::String(s) => Val::known(s.clone(), loc),
        Raw::Number(x) => Val::known(fmt_num(*x), loc),
        Raw::Bool(b) => Val::known(b.to_string(), loc),
        Raw::Null => Val::known(String::new(), loc),
        Raw::Unknown(reason) => Val::unknown(reason.clone(), Some(loc)),
        Raw::Ref { address, attr } => Val::unknown(ref_reason(address, attr), Some(loc)),
        Raw::List(_) | Raw::Map(_) => Val::unknown("tag value is not a string", Some(loc)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_model::raw::Mode;
    use std::collections::BTreeMap;

    #[test]
    fn list_is_sorted_for_binary_search() {
        let mut sorted = TAGGABLE.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, TAGGABLE);
    }

    fn node(value: Raw, line: u32) -> RawNode {
        RawNode::new(value, Some(Location::new("main.tf", line, line)))
    }

    fn resource(kind: &str, body: Vec<(&str, RawNode)>) -> RawResource {
        RawResource {
            address: format!("{kind}.x"),
            kind: kind.into(),
            mode: Mode::Managed,
            loc: Location::new("main.tf", 1, 9),
            body: node(
                Raw::Map(body.into_iter().map(|(k, v)| (k.to_string(), v)).collect()),
                1,
            ),
        }
    }

    #[test]
    fn written_absent_unknown_and_untaggable() {
        let mut m = BTreeMap::new();
        m.insert("owner".to_string(), node(Raw::String("team-a".into()), 3));
        m.insert("cost".to_string(), node(Raw::Unknown("var.cost".into()), 4));
        let r = resource("aws_s3_bucket", vec![("tags", node(Raw::Map(m), 2))]);
        let Some(Val::Known { value, loc }) = of(&r) else {
            panic!("known tags");
        };
        assert_eq!(loc.line, 2);
        assert_eq!(
            value.get("owner").and_then(|v| v.get()).map(String::as_str),
            Some("team-a")
        );
        assert!(value.get("cost").is_some_and(Val::is_unknown));

        let r = resource("aws_vpc", vec![]);
        assert!(matches!(of(&r), Some(Val::Default { value }) if value.is_empty()));

        let r = resource("aws_route", vec![]);
        assert!(of(&r).is_none());

        let r = resource(
            "aws_vpc",
            vec![("tags", node(Raw::Unknown("var.tags".into()), 2))],
        );
        assert!(of(&r).is_some_and(|v| v.is_unknown()));

        // An unlisted type that writes tags carries them.
        let r = resource(
            "aws_sagemaker_domain",
            vec![("tags", node(Raw::Map(BTreeMap::new()), 2))],
        );
        assert!(matches!(of(&r), Some(Val::Known { .. })));
    }

    #[test]
    fn secret_tag_values_are_redacted() {
        let mut m = BTreeMap::new();
        m.insert(
            "password".to_string(),
            node(Raw::String("TagPassw0rd-q8Zr1".into()), 3),
        );
        m.insert(
            "key".to_string(),
            node(Raw::String("AKIAQ4ZZEXAMPLEQWE12".into()), 4),
        );
        m.insert("owner".to_string(), node(Raw::String("team-a".into()), 5));
        let r = resource("aws_s3_bucket", vec![("tags", node(Raw::Map(m), 2))]);
        let Some(Val::Known { value, .. }) = of(&r) else {
            panic!("known tags");
        };
        let get = |k: &str| value.get(k).and_then(|v| v.get()).map(String::as_str);
        assert_eq!(get("password"), Some("<redacted>"));
        assert_eq!(get("key"), Some("<redacted>"));
        assert_eq!(get("owner"), Some("team-a"));
        assert_eq!(
            value.get("password").and_then(|v| v.loc()).map(|l| l.line),
            Some(3)
        );
    }

    #[test]
    fn tags_all_of_a_plan_wins() {
        let mut all = BTreeMap::new();
        all.insert(
            "owner".to_string(),
            RawNode::new(Raw::String("platform".into()), None),
        );
        all.insert(
            "env".to_string(),
            RawNode::new(Raw::String("prod".into()), None),
        );
        let mut tags = BTreeMap::new();
        tags.insert("env".to_string(), node(Raw::String("prod".into()), 5));
        let r = resource(
            "aws_vpc",
            vec![
                ("tags", node(Raw::Map(tags), 4)),
                ("tags_all", RawNode::new(Raw::Map(all), None)),
            ],
        );
        let Some(Val::Known { value, loc }) = of(&r) else {
            panic!("known tags");
        };
        assert_eq!(loc.line, 4);
        assert_eq!(value.len(), 2);
        assert_eq!(
            value.get("env").and_then(|v| v.loc()).map(|l| l.line),
            Some(5)
        );
        assert_eq!(
            value.get("owner").and_then(|v| v.loc()).map(|l| l.line),
            Some(4)
        );
    }
}
