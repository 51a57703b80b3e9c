mod common;

use common::*;
use palisade_adapt::adapt_terraform;
use palisade_model::aws::{
    DbCluster, DbInstance, DbParameterGroup, DbSubnetGroup, KmsKey, S3Bucket, SecretsManagerSecret,
};
use palisade_model::raw::RawResource;
use palisade_model::{Ref, Val};

const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::logs/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#;

fn inline_bucket(name: &str) -> RawResource {
    res(
        "aws_s3_bucket",
        name,
        vec![
            ("bucket", s(name)),
            ("acl", s("private")),
            ("policy", s(POLICY)),
            ("versioning", block(vec![("enabled", b(true))])),
            ("logging", block(vec![("target_bucket", s("access-logs"))])),
            (
                "server_side_encryption_configuration",
                block(vec![(
                    "rule",
                    block(vec![(
                        "apply_server_side_encryption_by_default",
                        block(vec![
                            ("sse_algorithm", s("aws:kms")),
                            ("kms_master_key_id", r("aws_kms_key.k", "arn")),
                        ]),
                    )]),
                )]),
            ),
        ],
    )
}

/// The bucket configured through standalone resources, which name it by
/// `target` (a reference or the bucket's name).
fn standalone(name: &str, target: impl Fn() -> palisade_model::raw::RawNode) -> Vec<RawResource> {
    vec![
        res("aws_s3_bucket", name, vec![("bucket", s(name))]),
        res(
            "aws_s3_bucket_acl",
            name,
            vec![("bucket", target()), ("acl", s("private"))],
        ),
        res(
            "aws_s3_bucket_policy",
            name,
            vec![("bucket", target()), ("policy", s(POLICY))],
        ),
        res(
            "aws_s3_bucket_versioning",
            name,
            vec![
                ("bucket", target()),
                (
                    "versioning_configuration",
                    block(vec![("status", s("Enabled"))]),
                ),
            ],
        ),
        res(
            "aws_s3_bucket_logging",
            name,
            vec![("bucket", target()), ("target_bucket", s("access-logs"))],
        ),
        res(
            "aws_s3_bucket_server_side_encryption_configuration",
            name,
            vec![
                ("bucket", target()),
                (
                    "rule",
                    block(vec![(
                        "apply_server_side_encryption_by_default",
                        block(vec![
                            ("sse_algorithm", s("aws:kms")),
                            ("kms_master_key_id", r("aws_kms_key.k", "arn")),
                        ]),
                    )]),
                ),
            ],
        ),
    ]
}

#[test]
fn three_s3_styles_are_equal() {
    let mut input = vec![inline_bucket("a"), res("aws_kms_key", "k", vec![])];
    input.extend(standalone("b", || r("aws_s3_bucket.b", "id")));
    input.extend(standalone("c", || s("c")));
    let out = adapt_terraform(&input);
    assert!(out.notes.is_empty(), "{:?}", out.notes);
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    assert!(out.aws.others.is_empty());
    let aws = &out.aws;
    assert_eq!(aws.s3_buckets.len(), 3);
    let shapes: Vec<_> = aws
        .s3_buckets
        .iter()
        .map(|b| {
            let mut j = shape(b);
            j.as_object_mut().map(|m| m.remove("name"));
            j
        })
        .collect();
    assert_eq!(shapes[0], shapes[1]);
    assert_eq!(shapes[1], shapes[2]);
    let b = aws
        .get::<S3Bucket>(&Ref::new("arn:aws:s3:::b"))
        .expect("by ARN");
    assert!(b.versioning.is_true());
    assert!(b.logging.is_true());
    let enc = b.encryption.some().expect("encryption");
    assert_eq!(enc.algorithm.get().map(String::as_str), Some("aws:kms"));
    let key = aws
        .resolve::<KmsKey>(
            &enc.kms_key
                .clone()
                .map(|k| k.unwrap_or_else(|| Ref::new(""))),
        )
        .expect("known");
    assert_eq!(key.map(|k| k.meta.address.as_str()), Some("aws_kms_key.k"));
    // The merged values point at the sub-resource that set them.
    let pol = aws.s3_buckets[1].policy.loc().expect("loc");
    assert_ne!(pol, &aws.s3_buckets[1].meta.loc);
}

#[test]
fn bucket_defaults_and_public_access_block() {
    let bucket = res("aws_s3_bucket", "x", vec![("bucket_prefix", s("x-"))]);
    let pab = res(
        "aws_s3_bucket_public_access_block",
        "x",
        vec![
            ("bucket", r("aws_s3_bucket.x", "id")),
            ("block_public_acls", b(true)),
            ("block_public_policy", b(true)),
        ],
    );
    let out = adapt_terraform(&[bucket, pab]);
    let b = &out.aws.s3_buckets[0];
    assert!(b.name.is_default());
    assert!(b.versioning.is_default() && b.versioning.is_false());
    assert!(b.encryption.is_default() && b.encryption.is_none());
    assert!(b.policy.is_default() && b.policy.is_none());
    assert!(b.logging.is_default());
    let p = b.public_access_block.as_ref().expect("pab");
    assert!(p.block_public_acls.is_true());
    assert!(p.ignore_public_acls.is_default() && p.ignore_public_acls.is_false());
}

#[test]
fn acl_grants_read_as_canned_acls() {
    let inline = res(
        "aws_s3_bucket",
        "legacy",
        vec![(
            "grant",
            block(vec![
                ("type", s("Group")),
                ("uri", s("http://acs.amazonaws.com/groups/global/AllUsers")),
                ("permissions", strs(&["READ"])),
            ]),
        )],
    );
    let bucket = res("aws_s3_bucket", "modern", vec![("bucket", s("modern"))]);
    let acl = res(
        "aws_s3_bucket_acl",
        "modern",
        vec![
            ("bucket", s("modern")),
            (
                "access_control_policy",
                block(vec![(
                    "grant",
                    block(vec![
                        (
                            "grantee",
                            block(vec![
                                ("type", s("Group")),
                                ("uri", s("http://acs.amazonaws.com/groups/global/AllUsers")),
                            ]),
                        ),
                        ("permission", s("WRITE")),
                    ]),
                )]),
            ),
        ],
    );
    let out = adapt_terraform(&[inline, bucket, acl]);
    assert_eq!(
        out.aws.s3_buckets[0].acl.some().map(String::as_str),
        Some("public-read")
    );
    assert_eq!(
        out.aws.s3_buckets[1].acl.some().map(String::as_str),
        Some("public-read-write")
    );
}

#[test]
fn unknown_bucket_of_a_sub_resource_is_reported() {
    let pol = res(
        "aws_s3_bucket_policy",
        "p",
        vec![
            ("bucket", unk("`var.bucket` has no value")),
            ("policy", s(POLICY)),
        ],
    );
    let out = adapt_terraform(&[res("aws_s3_bucket", "b", vec![]), pol]);
    // The policy may be this bucket's: its policy is unknown, not absent.
    let reason = out.aws.s3_buckets[0]
        .policy
        .unknown_reason()
        .unwrap_or_default();
    assert!(
        reason.contains("`aws_s3_bucket_policy.p` may configure"),
        "{reason}"
    );
    assert_eq!(out.aws.others.len(), 1);
    assert!(out
        .unknowns
        .iter()
        .any(|u| u.resource == "aws_s3_bucket_policy.p" && u.attribute == "bucket"));
    assert!(!out.notes.is_empty());
}

#[test]
fn db_instance_defaults() {
    let db = res(
        "aws_db_instance",
        "db",
        vec![
            ("identifier", s("orders")),
            ("engine", s("postgres")),
            ("db_subnet_group_name", r("aws_db_subnet_group.g", "name")),
            ("parameter_group_name", s("orders-pg")),
            (
                "vpc_security_group_ids",
                list(vec![r("aws_security_group.db", "id")]),
            ),
        ],
    );
    let group = res(
        "aws_db_subnet_group",
        "g",
        vec![
            ("name", s("orders")),
            (
                "subnet_ids",
                list(vec![r("aws_subnet.a", "id"), r("aws_subnet.b", "id")]),
            ),
        ],
    );
    let params = res(
        "aws_db_parameter_group",
        "pg",
        vec![
            ("name", s("orders-pg")),
            ("family", s("postgres16")),
            (
                "parameter",
                block(vec![("name", s("rds.force_ssl")), ("value", s("1"))]),
            ),
        ],
    );
    let out = adapt_terraform(&[db, group, params]);
    let aws = &out.aws;
    let d = aws
        .get::<DbInstance>(&Ref::new("orders"))
        .expect("by identifier");
    for v in [
        &d.publicly_accessible,
        &d.storage_encrypted,
        &d.multi_az,
        &d.deletion_protection,
        &d.iam_authentication,
        &d.managed_master_password,
    ] {
        assert!(v.is_default() && v.is_false());
    }
    assert_eq!(d.backup_retention_days, Val::default_(0));
    assert!(d.kms_key.is_none());
    let g = aws
        .resolve::<DbSubnetGroup>(
            &d.subnet_group
                .clone()
                .map(|g| g.unwrap_or_else(|| Ref::new(""))),
        )
        .expect("known");
    assert_eq!(g.map(|g| g.subnets.get().map(Vec::len)), Some(Some(2)));
    let pg = aws
        .get::<DbParameterGroup>(d.parameter_group.some().expect("pg"))
        .expect("by name");
    assert_eq!(
        pg.parameter("RDS.FORCE_SSL")
            .and_then(|p| p.value.get())
            .map(String::as_str),
        Some("1")
    );
    assert!(!pg.cluster);
}

#[test]
fn aurora_instances_take_storage_settings_from_their_cluster() {
    let cluster = res(
        "aws_rds_cluster",
        "c",
        vec![
            ("cluster_identifier", s("orders")),
            ("engine", s("aurora-postgresql")),
            ("storage_encrypted", b(true)),
            ("kms_key_id", r("aws_kms_key.db", "arn")),
            ("iam_database_authentication_enabled", b(true)),
        ],
    );
    let i0 = res(
        "aws_rds_cluster_instance",
        "i0",
        vec![
            ("cluster_identifier", r("aws_rds_cluster.c", "id")),
            ("engine", s("aurora-postgresql")),
        ],
    );
    let i1 = res(
        "aws_rds_cluster_instance",
        "i1",
        vec![
            ("cluster_identifier", s("orders")),
            ("engine", s("aurora-postgresql")),
        ],
    );
    let orphan = res(
        "aws_rds_cluster_instance",
        "o",
        vec![("cluster_identifier", s("elsewhere"))],
    );
    let out = adapt_terraform(&[cluster, i0, i1, orphan]);
    let aws = &out.aws;
    let c = aws.get::<DbCluster>(&Ref::new("orders")).expect("cluster");
    assert!(c.storage_encrypted.is_true());
    assert_eq!(c.backup_retention_days, Val::default_(1));
    for name in ["aws_rds_cluster_instance.i0", "aws_rds_cluster_instance.i1"] {
        let d = aws.get::<DbInstance>(&Ref::new(name)).expect("instance");
        assert!(d.storage_encrypted.is_true(), "{name}");
        assert!(d.iam_authentication.is_true());
        assert!(d.multi_az.is_true());
        assert!(d.publicly_accessible.is_default());
        assert_eq!(
            aws.resolve::<DbCluster>(&d.cluster.clone().map(|c| c.unwrap_or_else(|| Ref::new(""))))
                .ok()
                .flatten()
                .map(|c| c.meta.address.as_str()),
            Some("aws_rds_cluster.c")
        );
    }
    let o = aws
        .get::<DbInstance>(&Ref::new("aws_rds_cluster_instance.o"))
        .expect("orphan");
    assert!(o.storage_encrypted.is_unknown());
    assert!(out
        .unknowns
        .iter()
        .any(|u| u.resource == "aws_rds_cluster_instance.o"));
}

#[test]
fn serverless_clusters_are_encrypted_by_default() {
    let c = res(
        "aws_rds_cluster",
        "s",
        vec![("engine_mode", s("serverless"))],
    );
    let out = adapt_terraform(&[c]);
    let c = &out.aws.db_clusters[0];
    assert!(c.storage_encrypted.is_default() && c.storage_encrypted.is_true());
}

#[test]
fn kms_keys_and_aliases() {
    let key = res("aws_kms_key", "k", vec![("description", s("db"))]);
    let alias = res(
        "aws_kms_alias",
        "a",
        vec![
            ("name", s("alias/db")),
            ("target_key_id", r("aws_kms_key.k", "key_id")),
        ],
    );
    let db = res(
        "aws_db_instance",
        "d",
        vec![
            ("storage_encrypted", b(true)),
            ("kms_key_id", s("alias/db")),
        ],
    );
    let out = adapt_terraform(&[key, alias, db]);
    let aws = &out.aws;
    let k = &aws.kms_keys[0];
    assert!(k.rotation.is_default() && k.rotation.is_false());
    assert!(k.rotation_period_days.is_none());
    assert_eq!(k.key_spec, Val::default_("SYMMETRIC_DEFAULT".to_owned()));
    assert_eq!(k.deletion_window_days, Val::default_(Some(30)));
    assert!(k.policy.is_none());
    let d = &aws.db_instances[0];
    let via_alias = aws
        .get::<KmsKey>(d.kms_key.some().expect("key"))
        .expect("alias resolves to the key");
    assert_eq!(via_alias.meta.address, "aws_kms_key.k");
    // A reference to the alias names the key too.
    assert!(aws.get::<KmsKey>(&Ref::new("aws_kms_alias.a")).is_some());
    assert!(aws
        .get::<palisade_model::aws::KmsAlias>(&Ref::new("alias/db"))
        .is_some());
}

#[test]
fn kms_key_policy_resource_is_merged() {
    let key = res(
        "aws_kms_key",
        "k",
        vec![
            ("enable_key_rotation", b(true)),
            ("rotation_period_in_days", n(90.0)),
        ],
    );
    let pol = res(
        "aws_kms_key_policy",
        "p",
        vec![("key_id", r("aws_kms_key.k", "id")), ("policy", s(POLICY))],
    );
    let out = adapt_terraform(&[key, pol]);
    let k = &out.aws.kms_keys[0];
    assert!(k.rotation.is_true());
    assert_eq!(k.rotation_period_days.some(), Some(&90));
    assert!(k.policy.some().is_some());
}

#[test]
fn secrets_rotation_and_policy_are_merged() {
    let secret = res(
        "aws_secretsmanager_secret",
        "s",
        vec![
            ("name", s("db/password")),
            ("kms_key_id", r("aws_kms_key.k", "arn")),
        ],
    );
    let rot = res(
        "aws_secretsmanager_secret_rotation",
        "r",
        vec![
            ("secret_id", r("aws_secretsmanager_secret.s", "id")),
            (
                "rotation_lambda_arn",
                r("aws_lambda_function.rotator", "arn"),
            ),
            (
                "rotation_rules",
                block(vec![("automatically_after_days", n(30.0))]),
            ),
        ],
    );
    let pol = res(
        "aws_secretsmanager_secret_policy",
        "p",
        vec![("secret_arn", s("db/password")), ("policy", s(POLICY))],
    );
    let bare = res("aws_secretsmanager_secret", "bare", vec![]);
    let out = adapt_terraform(&[secret, rot, pol, bare]);
    let aws = &out.aws;
    let s = aws
        .get::<SecretsManagerSecret>(&Ref::new("db/password"))
        .expect("by name");
    let rot = s.rotation.as_ref().expect("rotation");
    assert!(rot.enabled.is_true());
    assert_eq!(rot.days.some(), Some(&30));
    assert!(s.policy.some().is_some());
    assert!(aws.secrets[1].rotation.is_none());
    assert!(aws.secrets[1].kms_key.is_none());
}
