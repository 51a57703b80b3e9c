mod common;

use common::*;
use palisade_adapt::adapt_terraform;
use palisade_model::aws::{EksCluster, IamRole, KmsKey, LaunchTemplate, Subnet};
use palisade_model::{Ref, Val};

#[test]
fn eks_cluster_defaults() {
    let c = res(
        "aws_eks_cluster",
        "main",
        vec![
            ("name", s("main")),
            ("role_arn", r("aws_iam_role.cluster", "arn")),
            (
                "vpc_config",
                block(vec![("subnet_ids", list(vec![r("aws_subnet.a", "id")]))]),
            ),
        ],
    );
    let out = adapt_terraform(&[c, res("aws_subnet", "a", vec![("vpc_id", s("vpc-1"))])]);
    let aws = &out.aws;
    let c = aws.get::<EksCluster>(&Ref::new("main")).expect("by name");
    assert_eq!(c.endpoint_private_access, Val::default_(false));
    assert_eq!(c.endpoint_public_access, Val::default_(true));
    assert_eq!(
        c.public_access_cidrs,
        Val::default_(vec!["0.0.0.0/0".to_owned()])
    );
    assert!(c.secrets_encryption_key.is_default() && c.secrets_encryption_key.is_none());
    assert_eq!(c.log_types, Val::default_(Vec::new()));
    let subnets = c.subnets.get().cloned().unwrap_or_default();
    assert!(aws.get::<Subnet>(&subnets[0]).is_some());
}

#[test]
fn eks_secrets_encryption_and_private_endpoint() {
    let c = res(
        "aws_eks_cluster",
        "main",
        vec![
            ("name", s("main")),
            (
                "vpc_config",
                block(vec![
                    ("endpoint_private_access", b(true)),
                    ("endpoint_public_access", b(false)),
                    (
                        "security_group_ids",
                        list(vec![r("aws_security_group.cp", "id")]),
                    ),
                ]),
            ),
            (
                "encryption_config",
                block(vec![
                    ("resources", strs(&["secrets"])),
                    (
                        "provider",
                        block(vec![("key_arn", r("aws_kms_key.eks", "arn"))]),
                    ),
                ]),
            ),
            ("enabled_cluster_log_types", strs(&["api", "audit"])),
        ],
    );
    let key = res("aws_kms_key", "eks", vec![]);
    let out = adapt_terraform(&[c, key]);
    let aws = &out.aws;
    let c = &aws.eks_clusters[0];
    assert!(c.endpoint_public_access.is_false());
    let k = c.secrets_encryption_key.some().expect("key");
    assert!(aws.get::<KmsKey>(k).is_some());
    assert_eq!(c.log_types.get().map(Vec::len), Some(2));
}

#[test]
fn node_groups_and_launch_templates() {
    let lt = res(
        "aws_launch_template",
        "nodes",
        vec![
            ("name", s("nodes")),
            (
                "metadata_options",
                block(vec![("http_tokens", s("required"))]),
            ),
            (
                "block_device_mappings",
                block(vec![
                    ("device_name", s("/dev/xvda")),
                    // Launch templates take `encrypted` as a string.
                    (
                        "ebs",
                        block(vec![
                            ("encrypted", s("true")),
                            ("kms_key_id", r("aws_kms_key.ebs", "arn")),
                        ]),
                    ),
                ]),
            ),
            (
                "network_interfaces",
                block(vec![("associate_public_ip_address", s("false"))]),
            ),
        ],
    );
    let bare = res(
        "aws_launch_template",
        "bare",
        vec![("image_id", s("ami-123"))],
    );
    let ng = res(
        "aws_eks_node_group",
        "ng",
        vec![
            ("cluster_name", r("aws_eks_cluster.main", "name")),
            ("node_role_arn", r("aws_iam_role.node", "arn")),
            ("subnet_ids", list(vec![r("aws_subnet.a", "id")])),
            (
                "launch_template",
                block(vec![("name", s("nodes")), ("version", s("$Latest"))]),
            ),
        ],
    );
    let ssh = res(
        "aws_eks_node_group",
        "ssh",
        vec![(
            "remote_access",
            block(vec![
                ("ec2_ssh_key", s("k")),
                (
                    "source_security_group_ids",
                    list(vec![r("aws_security_group.bastion", "id")]),
                ),
            ]),
        )],
    );
    let role = res(
        "aws_iam_role",
        "node",
        vec![("name", s("node")), ("assume_role_policy", s("{}"))],
    );
    let out = adapt_terraform(&[lt, bare, ng, ssh, role]);
    let aws = &out.aws;
    let ng = &aws.eks_node_groups[0];
    let t = aws.resolve::<LaunchTemplate>(
        &ng.launch_template
            .clone()
            .map(|l| l.unwrap_or_else(|| Ref::new(""))),
    );
    let t = t.ok().flatten().expect("template by name");
    assert_eq!(t.http_tokens.get().map(String::as_str), Some("required"));
    assert_eq!(t.http_put_response_hop_limit, Val::default_(1));
    assert!(t.block_devices[0].encrypted.is_true());
    assert_eq!(t.associate_public_ip.some(), Some(&false));
    assert!(ng.remote_access.is_default() && ng.remote_access.is_false());
    assert!(aws
        .get::<IamRole>(ng.node_role.some().expect("role"))
        .is_some());
    let ssh = &aws.eks_node_groups[1];
    assert!(ssh.remote_access.is_true());
    assert_eq!(ssh.remote_access_sources.get().map(Vec::len), Some(1));
    let bare = &aws.launch_templates[1];
    assert_eq!(bare.http_tokens, Val::default_("optional".to_owned()));
    assert!(bare.associate_public_ip.is_none());
    assert!(bare.block_devices.is_empty());
}

#[test]
fn instances_volumes_and_account_encryption() {
    let i = res(
        "aws_instance",
        "bastion",
        vec![
            ("ami", s("ami-1")),
            ("subnet_id", r("aws_subnet.public", "id")),
            ("associate_public_ip_address", b(true)),
            (
                "vpc_security_group_ids",
                list(vec![r("aws_security_group.ssh", "id")]),
            ),
            (
                "ebs_block_device",
                block(vec![("device_name", s("/dev/sdb")), ("encrypted", b(true))]),
            ),
            (
                "iam_instance_profile",
                r("aws_iam_instance_profile.p", "name"),
            ),
        ],
    );
    let v = res("aws_ebs_volume", "v", vec![("size", n(10.0))]);
    let d = res("aws_ebs_encryption_by_default", "on", vec![]);
    let profile = res("aws_iam_instance_profile", "p", vec![("name", s("p"))]);
    let out = adapt_terraform(&[i, v, d, profile]);
    let aws = &out.aws;
    let i = &aws.instances[0];
    assert_eq!(i.http_tokens, Val::default_("optional".to_owned()));
    assert_eq!(i.root_encrypted, Val::default_(false));
    assert!(i.block_devices[0].encrypted.is_true());
    assert_eq!(i.associate_public_ip.some(), Some(&true));
    assert_eq!(
        i.iam_instance_profile.some(),
        Some(&Ref::new("aws_iam_instance_profile.p"))
    );
    assert_eq!(aws.others.len(), 1, "instance profiles are other resources");
    assert_eq!(aws.ebs_volumes[0].encrypted, Val::default_(false));
    assert_eq!(
        aws.ebs_encryption_by_default[0].enabled,
        Val::default_(true)
    );
}

#[test]
fn lambda_ecr_and_opensearch() {
    let f = res(
        "aws_lambda_function",
        "f",
        vec![
            ("function_name", s("notify")),
            ("role", r("aws_iam_role.f", "arn")),
            (
                "vpc_config",
                block(vec![
                    ("subnet_ids", strs(&["subnet-1"])),
                    ("security_group_ids", strs(&["sg-1"])),
                ]),
            ),
        ],
    );
    let repo = res(
        "aws_ecr_repository",
        "r",
        vec![("name", s("app")), ("image_tag_mutability", s("IMMUTABLE"))],
    );
    let bare_repo = res("aws_ecr_repository", "b", vec![("name", s("b"))]);
    let os = res(
        "aws_opensearch_domain",
        "d",
        vec![
            ("domain_name", s("logs")),
            ("encrypt_at_rest", block(vec![("enabled", b(true))])),
            (
                "domain_endpoint_options",
                block(vec![(
                    "tls_security_policy",
                    s("Policy-Min-TLS-1-2-2019-07"),
                )]),
            ),
        ],
    );
    let es = res(
        "aws_elasticsearch_domain",
        "e",
        vec![("domain_name", s("old"))],
    );
    let out = adapt_terraform(&[f, repo, bare_repo, os, es]);
    let aws = &out.aws;
    assert_eq!(
        aws.lambda_functions[0].subnets.get(),
        Some(&vec![Ref::new("subnet-1")])
    );
    assert!(aws.ecr_repositories[0].immutable_tags.is_true());
    assert_eq!(aws.ecr_repositories[1].scan_on_push, Val::default_(false));
    assert_eq!(aws.ecr_repositories[1].immutable_tags, Val::default_(false));
    let os = &aws.opensearch_domains[0];
    assert!(os.encrypt_at_rest.is_true());
    assert_eq!(os.enforce_https, Val::default_(true));
    assert!(os.node_to_node_encryption.is_default() && os.node_to_node_encryption.is_false());
    let es = &aws.opensearch_domains[1];
    assert_eq!(es.enforce_https, Val::default_(false));
    assert_eq!(es.encrypt_at_rest, Val::default_(false));
}

#[test]
fn references_into_nested_blocks_are_followed() {
    let c = res(
        "aws_eks_cluster",
        "main",
        vec![
            ("name", s("main")),
            (
                "vpc_config",
                block(vec![("subnet_ids", list(vec![r("aws_subnet.a", "id")]))]),
            ),
        ],
    );
    let ng = res(
        "aws_eks_node_group",
        "ng",
        vec![
            ("cluster_name", r("aws_eks_cluster.main", "name")),
            // The same subnets as the cluster, read from its configuration.
            (
                "subnet_ids",
                r("aws_eks_cluster.main", "vpc_config[0].subnet_ids"),
            ),
        ],
    );
    let rule = res(
        "aws_vpc_security_group_ingress_rule",
        "from_nodes",
        vec![
            // Created by EKS: not in the input, not a type error either.
            (
                "security_group_id",
                r(
                    "aws_eks_cluster.main",
                    "vpc_config[0].cluster_security_group_id",
                ),
            ),
            ("referenced_security_group_id", s("sg-nodes")),
            ("ip_protocol", s("tcp")),
            ("from_port", n(443.0)),
            ("to_port", n(443.0)),
        ],
    );
    let out = adapt_terraform(&[
        c,
        ng,
        rule,
        res("aws_subnet", "a", vec![("vpc_id", s("vpc-1"))]),
    ]);
    assert!(out.notes.is_empty(), "{:?}", out.notes);
    let aws = &out.aws;
    assert_eq!(
        aws.eks_node_groups[0].subnets.get(),
        Some(&vec![Ref::new("aws_subnet.a")])
    );
    assert!(aws
        .resolve::<EksCluster>(
            &aws.eks_node_groups[0]
                .cluster
                .clone()
                .map(|c| c.unwrap_or_else(|| Ref::new("")))
        )
        .ok()
        .flatten()
        .is_some());
    assert_eq!(
        aws.sg_rules[0].group.get(),
        Some(&Ref::new("aws_eks_cluster.main"))
    );
}

#[test]
fn instances_launched_from_templates_inherit_metadata_options() {
    let lt = res(
        "aws_launch_template",
        "lt",
        vec![
            ("name", s("hardened")),
            (
                "metadata_options",
                block(vec![("http_tokens", s("required"))]),
            ),
        ],
    );
    let from_lt = res(
        "aws_instance",
        "a",
        vec![("launch_template", block(vec![("name", s("hardened"))]))],
    );
    let elsewhere = res(
        "aws_instance",
        "b",
        vec![("launch_template", block(vec![("id", s("lt-0123"))]))],
    );
    let out = adapt_terraform(&[lt, from_lt, elsewhere]);
    let aws = &out.aws;
    assert_eq!(
        aws.instances[0].http_tokens.get().map(String::as_str),
        Some("required")
    );
    assert!(aws.instances[0].root_encrypted.is_unknown());
    assert!(aws.instances[1].http_tokens.is_unknown());
}
