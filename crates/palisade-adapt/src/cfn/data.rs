//! Data stores and keys: RDS, S3, KMS, Secrets Manager.

use super::{owner, presence};
use crate::terraform::read::{uval, Obj};
use crate::terraform::{add_keys, find, meta, Cx};
use palisade_model::aws::{
    Aws, DbCluster, DbInstance, DbParameter, DbParameterGroup, DbSubnetGroup, KmsAlias, KmsKey,
    PublicAccessBlock, S3Bucket, S3Encryption, SecretRotation, SecretsManagerSecret,
};
use palisade_model::raw::{Raw, RawResource};
use palisade_model::Val;

/// Placeholder reason for the storage settings of an Aurora member
/// instance until they are copied from its cluster.
const ON_CLUSTER: &str = "set on the DB cluster";

pub(crate) fn adapt<'a>(cx: &mut Cx<'a>, aws: &mut Aws, r: &'a RawResource, o: &Obj<'a>) -> bool {
    match r.kind.as_str() {
        "AWS::RDS::DBInstance" => {
            let identifier = cx.str_opt(o, "DBInstanceIdentifier");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&identifier));
            let engine = cx.str_opt(o, "Engine");
            let cluster = cx.link_opt(o, "DBClusterIdentifier");
            let member = o.has("DBClusterIdentifier");
            let aurora = member
                || engine
                    .some()
                    .is_some_and(|e| e.to_ascii_lowercase().starts_with("aurora"));
            let subnet_group = cx.link_opt(o, "DBSubnetGroupName");
            let publicly_accessible = match cx.bool_opt(o, "PubliclyAccessible") {
                Val::Known {
                    value: Some(b),
                    loc,
                } => Val::known(b, loc),
                Val::Unknown { reason, loc } => Val::Unknown { reason, loc },
                // The RDS API default: without a subnet group, public
                // unless Aurora; with one, private unless it is `default`.
                _ => match &subnet_group {
                    Val::Default { .. } | Val::Known { value: None, .. } => Val::default_(!aurora),
                    Val::Known { value: Some(g), .. } => Val::default_(g.key() == "default"),
                    Val::Unknown { reason, loc } => Val::Unknown {
                        reason: format!("the default depends on the DB subnet group: {reason}"),
                        loc: loc.clone(),
                    },
                },
            };
            let restored = [
                "DBSnapshotIdentifier",
                "SourceDBInstanceIdentifier",
                "SourceDBClusterIdentifier",
            ]
            .into_iter()
            .find(|k| o.has(k));
            let storage_encrypted = match restored {
                Some(k) if !o.has("StorageEncrypted") => {
                    let loc = o.raw(k).map_or(r.loc.clone(), |n| o.loc_of(n));
                    let reason = format!("encryption follows the source given by `{k}`");
                    cx.unknown(o, "StorageEncrypted", loc, reason)
                }
                _ => cx.bool(o, "StorageEncrypted", false),
            };
            let (
                storage_encrypted,
                kms_key,
                security_groups,
                multi_az,
                backup,
                deletion,
                iam,
                logs,
                managed,
            ) = if member {
                (
                    uval(ON_CLUSTER, None),
                    uval(ON_CLUSTER, None),
                    uval(ON_CLUSTER, None),
                    uval(ON_CLUSTER, None),
                    uval(ON_CLUSTER, None),
                    uval(ON_CLUSTER, None),
                    uval(ON_CLUSTER, None),
                    uval(ON_CLUSTER, None),
                    uval(ON_CLUSTER, None),
                )
            } else {
                (
                    storage_encrypted,
                    cx.link_opt(o, "KmsKeyId"),
                    cx.links(o, "VPCSecurityGroups"),
                    cx.bool(o, "MultiAZ", false),
                    cx.int_or(o, "BackupRetentionPeriod", 1),
                    cx.bool(o, "DeletionProtection", false),
                    cx.bool(o, "EnableIAMDatabaseAuthentication", false),
                    cx.strs(o, "EnableCloudwatchLogsExports", &[]),
                    cx.bool(o, "ManageMasterUserPassword", false),
                )
            };
            aws.db_instances.push(DbInstance {
                meta: m,
                engine,
                cluster,
                publicly_accessible,
                storage_encrypted,
                kms_key,
                subnet_group,
                parameter_group: cx.link_opt(o, "DBParameterGroupName"),
                security_groups,
                multi_az,
                backup_retention_days: backup,
                deletion_protection: deletion,
                iam_authentication: iam,
                log_exports: logs,
                managed_master_password: managed,
            });
        }
        "AWS::RDS::DBCluster" => {
            let identifier = cx.str_opt(o, "DBClusterIdentifier");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&identifier));
            let mode = cx.str_or(o, "EngineMode", "provisioned");
            let restored = ["SnapshotIdentifier", "SourceDBClusterIdentifier"]
                .into_iter()
                .find(|k| o.has(k));
            let storage_encrypted = match (restored, mode.get()) {
                (_, _) if o.has("StorageEncrypted") => cx.bool(o, "StorageEncrypted", false),
                (Some(k), _) => {
                    let loc = o.raw(k).map_or(r.loc.clone(), |n| o.loc_of(n));
                    let reason = format!("encryption follows the source given by `{k}`");
                    cx.unknown(o, "StorageEncrypted", loc, reason)
                }
                // Aurora Serverless v1 clusters are always encrypted.
                (None, Some(mode)) => Val::default_(mode == "serverless"),
                (None, None) => mode.clone().map(|_| false),
            };
            aws.db_clusters.push(DbCluster {
                meta: m,
                engine: cx.str_opt(o, "Engine"),
                storage_encrypted,
                kms_key: cx.link_opt(o, "KmsKeyId"),
                subnet_group: cx.link_opt(o, "DBSubnetGroupName"),
                parameter_group: cx.link_opt(o, "DBClusterParameterGroupName"),
                security_groups: cx.links(o, "VpcSecurityGroupIds"),
                backup_retention_days: cx.int_or(o, "BackupRetentionPeriod", 1),
                deletion_protection: cx.bool(o, "DeletionProtection", false),
                iam_authentication: cx.bool(o, "EnableIAMDatabaseAuthentication", false),
                log_exports: cx.strs(o, "EnableCloudwatchLogsExports", &[]),
                managed_master_password: cx.bool(o, "ManageMasterUserPassword", false),
            });
        }
        "AWS::RDS::DBSubnetGroup" => {
            let name = cx.str_opt(o, "DBSubnetGroupName");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let subnets = cx.links(o, "SubnetIds");
            aws.db_subnet_groups
                .push(DbSubnetGroup { meta: m, subnets });
        }
        "AWS::RDS::DBParameterGroup" | "AWS::RDS::DBClusterParameterGroup" => {
            let cluster = r.kind == "AWS::RDS::DBClusterParameterGroup";
            let name = cx.str_opt(
                o,
                if cluster {
                    "DBClusterParameterGroupName"
                } else {
                    "DBParameterGroupName"
                },
            );
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let family = cx.str_opt(o, "Family");
            let mut parameters = Vec::new();
            match o.raw("Parameters").map(|n| (n, &n.value)) {
                Some((_, Raw::Map(entries))) => {
                    for (k, v) in entries {
                        let loc = o.loc_of(v);
                        let value = match &v.value {
                            Raw::String(s) => Val::known(s.clone(), loc.clone()),
                            Raw::Number(_) | Raw::Bool(_) => {
                                Val::known(scalar(&v.value), loc.clone())
                            }
                            Raw::Unknown(reason) => cx.unknown(
                                o,
                                &format!("Parameters.{k}"),
                                loc.clone(),
                                reason.clone(),
                            ),
                            Raw::Ref { address, attr } => cx.unknown(
                                o,
                                &format!("Parameters.{k}"),
                                loc.clone(),
                                crate::terraform::read::ref_reason(address, attr),
                            ),
                            _ => Val::unknown(
                                "the parameter value is not a string",
                                Some(loc.clone()),
                            ),
                        };
                        parameters.push(DbParameter {
                            name: Val::known(k.clone(), loc),
                            value,
                        });
                    }
                }
                Some((n, Raw::Unknown(reason))) => {
                    let loc = o.loc_of(n);
                    parameters.push(DbParameter {
                        name: cx.unknown(o, "Parameters", loc.clone(), reason.clone()),
                        value: Val::unknown(reason.clone(), Some(loc)),
                    });
                }
                _ => {}
            }
            aws.db_parameter_groups.push(DbParameterGroup {
                meta: m,
                family,
                cluster,
                parameters,
            });
        }
        "AWS::S3::Bucket" => {
            let name = cx.str_opt(o, "BucketName");
            let mut m = meta(r);
            if let Some(n) = Cx::known_str(&name) {
                add_keys(&mut m, [format!("arn:aws:s3:::{n}"), n]);
            }
            let acl = cx
                .str_opt(o, "AccessControl")
                .map(|a| a.map(|a| canned_acl(&a)));
            let versioning = match o.block("VersioningConfiguration") {
                v if v.present() => cx.str_req(&v, "Status").map(|s| s == "Enabled"),
                _ => Val::default_(false),
            };
            let sse = o.block("BucketEncryption");
            let encryption = if sse.present() {
                encryption(cx, &sse)
            } else {
                Val::default_(None)
            };
            let pab = o.block("PublicAccessBlockConfiguration");
            let public_access_block = pab.present().then(|| PublicAccessBlock {
                block_public_acls: cx.bool(&pab, "BlockPublicAcls", false),
                block_public_policy: cx.bool(&pab, "BlockPublicPolicy", false),
                ignore_public_acls: cx.bool(&pab, "IgnorePublicAcls", false),
                restrict_public_buckets: cx.bool(&pab, "RestrictPublicBuckets", false),
            });
            let logging = presence(cx, o, "LoggingConfiguration");
            aws.s3_buckets.push(S3Bucket {
                meta: m,
                name,
                acl,
                versioning,
                encryption,
                policy: Val::default_(None),
                public_access_block,
                logging,
            });
        }
        "AWS::KMS::Key" => {
            let deletion_window_days = match cx.int_opt(o, "PendingWindowInDays") {
                Val::Default { .. } => Val::default_(Some(30)),
                v => v,
            };
            aws.kms_keys.push(KmsKey {
                meta: meta(r),
                description: cx.str_opt(o, "Description"),
                rotation: cx.bool(o, "EnableKeyRotation", false),
                rotation_period_days: cx.int_opt(o, "RotationPeriodInDays"),
                policy: cx.policy_opt(o, "KeyPolicy"),
                key_spec: cx.str_or(o, "KeySpec", "SYMMETRIC_DEFAULT"),
                deletion_window_days,
            });
        }
        "AWS::KMS::Alias" => {
            let name = cx.str_opt(o, "AliasName");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let target = cx.link(o, "TargetKeyId");
            aws.kms_aliases.push(KmsAlias {
                meta: m,
                name,
                target,
            });
        }
        "AWS::SecretsManager::Secret" => {
            let name = cx.str_opt(o, "Name");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            aws.secrets.push(SecretsManagerSecret {
                meta: m,
                name,
                kms_key: cx.link_opt(o, "KmsKeyId"),
                rotation: None,
                policy: Val::default_(None),
            });
        }
        _ => return false,
    }
    true
}

fn scalar(v: &Raw) -> String {
    match v {
        Raw::String(s) => s.clone(),
        Raw::Number(n) => crate::terraform::read::fmt_num(*n),
        Raw::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

/// CloudFormation's `AccessControl` names → the canned ACL names.
fn canned_acl(a: &str) -> String {
    match a {
        "Private" => "private",
        "PublicRead" => "public-read",
        "PublicReadWrite" => "public-read-write",
        "AuthenticatedRead" => "authenticated-read",
        "LogDeliveryWrite" => "log-delivery-write",
        "BucketOwnerRead" => "bucket-owner-read",
        "BucketOwnerFullControl" => "bucket-owner-full-control",
        "AwsExecRead" => "aws-exec-read",
        other => other,
    }
    .to_owned()
}

/// `BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault`.
fn encryption(cx: &mut Cx<'_>, o: &Obj<'_>) -> Val<Option<S3Encryption>> {
    let rule = o.block("ServerSideEncryptionConfiguration");
    let by_default = rule.block("ServerSideEncryptionByDefault");
    if let Some(reason) = &by_default.unknown {
        let (reason, loc) = (reason.clone(), by_default.loc.clone());
        return cx.unknown(o, "ServerSideEncryptionConfiguration", loc, reason);
    }
    if by_default.node.is_none() {
        return Val::known(None, rule.loc.clone());
    }
    let algorithm = cx.str_req(&by_default, "SSEAlgorithm");
    let kms_key = cx.link_opt(&by_default, "KMSMasterKeyID");
    Val::known(
        Some(S3Encryption { algorithm, kms_key }),
        by_default.loc.clone(),
    )
}

/// Merges bucket policies and secret rotation/policies into their owner.
pub(crate) fn merge<'a>(cx: &mut Cx<'a>, aws: &mut Aws, r: &'a RawResource, o: &Obj<'a>) -> bool {
    match r.kind.as_str() {
        "AWS::S3::BucketPolicy" => {
            let bucket = cx.link(o, "Bucket");
            let Some(i) = owner(cx, r, &bucket, |l| find(&aws.s3_buckets, l)) else {
                return false;
            };
            let policy = cx.policy_req(o, "PolicyDocument").map(Some);
            if let Some(b) = aws.s3_buckets.get_mut(i) {
                b.policy = policy;
            }
        }
        "AWS::SecretsManager::RotationSchedule" => {
            let secret = cx.link(o, "SecretId");
            let Some(i) = owner(cx, r, &secret, |l| find(&aws.secrets, l)) else {
                return false;
            };
            let rules = o.block("RotationRules");
            let days = match cx.int_opt(&rules, "AutomaticallyAfterDays") {
                Val::Default { .. } if rules.has("ScheduleExpression") => {
                    let loc = rules.loc.clone();
                    let reason = "rotation follows a schedule expression".to_owned();
                    cx.unknown(&rules, "ScheduleExpression", loc, reason)
                }
                v => v,
            };
            let rot = SecretRotation {
                loc: Some(r.loc.clone()),
                enabled: Val::known(true, r.loc.clone()),
                days,
            };
            if let Some(s) = aws.secrets.get_mut(i) {
                s.rotation = Some(rot);
            }
        }
        "AWS::SecretsManager::ResourcePolicy" => {
            let secret = cx.link(o, "SecretId");
            let Some(i) = owner(cx, r, &secret, |l| find(&aws.secrets, l)) else {
                return false;
            };
            let policy = cx.policy_req(o, "ResourcePolicy").map(Some);
            if let Some(s) = aws.secrets.get_mut(i) {
                s.policy = policy;
            }
        }
        _ => return false,
    }
    true
}

/// Aurora member instances take their cluster's settings; KMS keys get the
/// keys of the aliases that target them.
pub(crate) fn finish(cx: &mut Cx<'_>, aws: &mut Aws) {
    let cluster_of: Vec<Option<usize>> = aws
        .db_instances
        .iter()
        .map(|d| d.cluster.some().and_then(|l| find(&aws.db_clusters, l)))
        .collect();
    for i in 0..aws.db_instances.len() {
        let Some(d) = aws.db_instances.get(i) else {
            continue;
        };
        if d.meta.kind != "AWS::RDS::DBInstance" || d.cluster.is(&None) {
            continue;
        }
        let link = d.cluster.some().cloned();
        let (address, loc) = (d.meta.address.clone(), d.meta.loc.clone());
        let index = cluster_of.get(i).copied().flatten();
        let cluster = index.and_then(|c| aws.db_clusters.get(c)).cloned();
        let count = cluster_of
            .iter()
            .filter(|c| index.is_some() && **c == index)
            .count();
        let Some(d) = aws.db_instances.get_mut(i) else {
            continue;
        };
        match cluster {
            Some(c) => {
                d.storage_encrypted = c.storage_encrypted;
                d.kms_key = c.kms_key;
                if d.subnet_group.is_default() {
                    d.subnet_group = c.subnet_group;
                }
                d.security_groups = c.security_groups;
                d.backup_retention_days = c.backup_retention_days;
                d.deletion_protection = c.deletion_protection;
                d.iam_authentication = c.iam_authentication;
                d.log_exports = c.log_exports;
                d.managed_master_password = c.managed_master_password;
                d.multi_az = Val::known(count >= 2, loc);
            }
            None => {
                let reason = match (&link, d.cluster.unknown_reason()) {
                    (_, Some(r)) => format!("the DB cluster is unknown: {r}"),
                    (Some(l), None) => format!(
                        "{ON_CLUSTER} `{}`, which is not in the scanned input",
                        l.key()
                    ),
                    (None, None) => ON_CLUSTER.to_owned(),
                };
                d.storage_encrypted = uval(&reason, Some(&loc));
                d.kms_key = uval(&reason, Some(&loc));
                d.security_groups = uval(&reason, Some(&loc));
                d.backup_retention_days = uval(&reason, Some(&loc));
                d.deletion_protection = uval(&reason, Some(&loc));
                d.iam_authentication = uval(&reason, Some(&loc));
                d.log_exports = uval(&reason, Some(&loc));
                d.managed_master_password = uval(&reason, Some(&loc));
                d.multi_az = uval(&reason, Some(&loc));
                if !d.cluster.is_unknown() {
                    cx.record_unknown(&address, "DBClusterIdentifier", Some(loc.clone()), reason);
                }
            }
        }
    }
    let mut alias_keys: Vec<(usize, String)> = Vec::new();
    for a in &aws.kms_aliases {
        let Some(target) = a.target.get() else {
            continue;
        };
        if let Some(k) = find(&aws.kms_keys, target) {
            if let Some(name) = a.name.some() {
                alias_keys.push((k, name.clone()));
            }
            alias_keys.push((k, a.meta.address.clone()));
        }
    }
    for (k, name) in alias_keys {
        if let Some(key) = aws.kms_keys.get_mut(k) {
            add_keys(&mut key.meta, [name]);
        }
    }
}
