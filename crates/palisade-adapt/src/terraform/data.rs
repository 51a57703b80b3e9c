//! Data stores and keys: RDS, S3, KMS, Secrets Manager.

use super::network::owner;
use super::read::{uval, Obj};
use super::{add_keys, find, meta, Cx};
use palisade_model::aws::{
    Aws, DbCluster, DbInstance, DbParameter, DbParameterGroup, DbSubnetGroup, KmsAlias, KmsKey,
    PublicAccessBlock, S3Bucket, S3Encryption, SecretRotation, SecretsManagerSecret,
};
use palisade_model::raw::RawResource;
use palisade_model::Val;

/// Placeholder reason for the storage settings of an Aurora member
/// instance until they are copied from its cluster.
const ON_CLUSTER: &str = "set on the DB cluster";

pub(crate) fn adapt<'a>(cx: &mut Cx<'a>, aws: &mut Aws, r: &'a RawResource) -> bool {
    let o = Obj::root(r);
    match r.kind.as_str() {
        "aws_db_instance" => {
            let identifier = cx.str_opt(&o, "identifier");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&identifier));
            let db = DbInstance {
                meta: m,
                engine: cx.str_opt(&o, "engine"),
                cluster: cx.link_opt(&o, "cluster_identifier"),
                publicly_accessible: cx.bool(&o, "publicly_accessible", false),
                storage_encrypted: cx.bool(&o, "storage_encrypted", false),
                kms_key: cx.link_opt(&o, "kms_key_id"),
                subnet_group: cx.link_opt(&o, "db_subnet_group_name"),
                parameter_group: cx.link_opt(&o, "parameter_group_name"),
                security_groups: cx.links(&o, "vpc_security_group_ids"),
                multi_az: cx.bool(&o, "multi_az", false),
                // The provider documents a default of 0 (no automated backups).
                backup_retention_days: cx.int_or(&o, "backup_retention_period", 0),
                deletion_protection: cx.bool(&o, "deletion_protection", false),
                iam_authentication: cx.bool(&o, "iam_database_authentication_enabled", false),
                log_exports: cx.strs(&o, "enabled_cloudwatch_logs_exports", &[]),
                managed_master_password: cx.bool(&o, "manage_master_user_password", false),
            };
            aws.db_instances.push(db);
        }
        "aws_rds_cluster_instance" => {
            let identifier = cx.str_opt(&o, "identifier");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&identifier));
            let db = DbInstance {
                meta: m,
                engine: cx.str_opt(&o, "engine"),
                cluster: cx.link(&o, "cluster_identifier").map(Some),
                publicly_accessible: cx.bool(&o, "publicly_accessible", false),
                storage_encrypted: uval(ON_CLUSTER, None),
                kms_key: uval(ON_CLUSTER, None),
                subnet_group: cx.link_opt(&o, "db_subnet_group_name"),
                parameter_group: cx.link_opt(&o, "db_parameter_group_name"),
                security_groups: uval(ON_CLUSTER, None),
                multi_az: uval(ON_CLUSTER, None),
                backup_retention_days: uval(ON_CLUSTER, None),
                deletion_protection: uval(ON_CLUSTER, None),
                iam_authentication: uval(ON_CLUSTER, None),
                log_exports: uval(ON_CLUSTER, None),
                managed_master_password: uval(ON_CLUSTER, None),
            };
            aws.db_instances.push(db);
        }
        "aws_rds_cluster" => {
            let identifier = cx.str_opt(&o, "cluster_identifier");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&identifier));
            let mode = cx.str_or(&o, "engine_mode", "provisioned");
            // "The default is false for provisioned engine_mode and true for serverless."
            let storage_encrypted = match mode.get() {
                Some(mode) => cx.bool(&o, "storage_encrypted", mode == "serverless"),
                None if o.has("storage_encrypted") => cx.bool(&o, "storage_encrypted", false),
                None => mode.clone().map(|_| false),
            };
            let c = DbCluster {
                meta: m,
                engine: cx.str_opt(&o, "engine"),
                storage_encrypted,
                kms_key: cx.link_opt(&o, "kms_key_id"),
                subnet_group: cx.link_opt(&o, "db_subnet_group_name"),
                parameter_group: cx.link_opt(&o, "db_cluster_parameter_group_name"),
                security_groups: cx.links(&o, "vpc_security_group_ids"),
                backup_retention_days: cx.int_or(&o, "backup_retention_period", 1),
                deletion_protection: cx.bool(&o, "deletion_protection", false),
                iam_authentication: cx.bool(&o, "iam_database_authentication_enabled", false),
                log_exports: cx.strs(&o, "enabled_cloudwatch_logs_exports", &[]),
                managed_master_password: cx.bool(&o, "manage_master_user_password", false),
            };
            aws.db_clusters.push(c);
        }
        "aws_db_subnet_group" => {
            let name = cx.str_opt(&o, "name");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let subnets = cx.links(&o, "subnet_ids");
            aws.db_subnet_groups
                .push(DbSubnetGroup { meta: m, subnets });
        }
        "aws_db_parameter_group" | "aws_rds_cluster_parameter_group" => {
            let name = cx.str_opt(&o, "name");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let family = cx.str_opt(&o, "family");
            let blocks = o.blocks("parameter");
            let mut parameters = Vec::new();
            for b in &blocks.items {
                parameters.push(DbParameter {
                    name: cx.str_req(b, "name"),
                    value: cx.str_req(b, "value"),
                });
            }
            if let Some((reason, loc)) = blocks.unknown {
                parameters.push(DbParameter {
                    name: cx.unknown(&o, "parameter", loc.clone(), reason.clone()),
                    value: Val::unknown(reason, Some(loc)),
                });
            }
            aws.db_parameter_groups.push(DbParameterGroup {
                meta: m,
                family,
                cluster: r.kind == "aws_rds_cluster_parameter_group",
                parameters,
            });
        }
        "aws_s3_bucket" => {
            let name = cx.str_opt(&o, "bucket");
            let mut m = meta(r);
            if let Some(n) = Cx::known_str(&name) {
                add_keys(&mut m, [format!("arn:aws:s3:::{n}"), n]);
            }
            let acl = if o.has("acl") {
                cx.str_opt(&o, "acl")
            } else {
                acl_from_grants(cx, &o, "grant")
            };
            let versioning_block = o.block("versioning");
            let versioning = cx.bool(&versioning_block, "enabled", false);
            let sse = o.block("server_side_encryption_configuration");
            let encryption = if sse.present() {
                encryption(cx, &sse)
            } else {
                Val::default_(None)
            };
            let policy = cx.policy_opt(&o, "policy");
            let logging = block_presence(cx, &o, "logging");
            aws.s3_buckets.push(S3Bucket {
                meta: m,
                name,
                acl,
                versioning,
                encryption,
                policy,
                public_access_block: None,
                logging,
            });
        }
        "aws_kms_key" => {
            let key_spec = if o.has("key_spec") {
                cx.str_or(&o, "key_spec", "SYMMETRIC_DEFAULT")
            } else {
                cx.str_or(&o, "customer_master_key_spec", "SYMMETRIC_DEFAULT")
            };
            let deletion_window_days = match cx.int_opt(&o, "deletion_window_in_days") {
                Val::Default { .. } => Val::default_(Some(30)),
                v => v,
            };
            let k = KmsKey {
                meta: meta(r),
                description: cx.str_opt(&o, "description"),
                rotation: cx.bool(&o, "enable_key_rotation", false),
                rotation_period_days: cx.int_opt(&o, "rotation_period_in_days"),
                policy: cx.policy_opt(&o, "policy"),
                key_spec,
                deletion_window_days,
            };
            aws.kms_keys.push(k);
        }
        "aws_kms_alias" => {
            let name = cx.str_opt(&o, "name");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let target = cx.link(&o, "target_key_id");
            aws.kms_aliases.push(KmsAlias {
                meta: m,
                name,
                target,
            });
        }
        "aws_secretsmanager_secret" => {
            let name = cx.str_opt(&o, "name");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            // Legacy inline rotation (provider < 3.0).
            let rules = o.block("rotation_rules");
            let rotation =
                (o.has("rotation_lambda_arn") || rules.present()).then(|| SecretRotation {
                    loc: Some(rules.loc.clone()),
                    enabled: Val::known(true, rules.loc.clone()),
                    days: cx.int_opt(&rules, "automatically_after_days"),
                });
            let s = SecretsManagerSecret {
                meta: m,
                name,
                kms_key: cx.link_opt(&o, "kms_key_id"),
                rotation,
                policy: cx.policy_opt(&o, "policy"),
            };
            aws.secrets.push(s);
        }
        _ => return false,
    }
    true
}

/// `Known(true)` when a block is written, unknown when it is unknown,
/// `Default(false)` when absent.
pub(crate) fn block_presence(cx: &mut Cx<'_>, o: &Obj<'_>, key: &str) -> Val<bool> {
    let b = o.block(key);
    match (&b.unknown, b.node) {
        (Some(reason), _) => {
            let (reason, loc) = (reason.clone(), b.loc.clone());
            cx.unknown(o, key, loc, reason)
        }
        (None, Some(_)) => Val::known(true, b.loc.clone()),
        (None, None) => Val::default_(false),
    }
}

/// Default encryption from a block holding `rule { apply_server_side_encryption_by_default {...} }`.
fn encryption(cx: &mut Cx<'_>, o: &Obj<'_>) -> Val<Option<S3Encryption>> {
    let rule = o.block("rule");
    let by_default = rule.block("apply_server_side_encryption_by_default");
    if let Some(reason) = &by_default.unknown {
        let (reason, loc) = (reason.clone(), by_default.loc.clone());
        return cx.unknown(o, "rule", loc, reason);
    }
    if by_default.node.is_none() {
        // A rule with only `bucket_key_enabled`: S3's default (SSE-S3) applies.
        return Val::known(None, rule.loc.clone());
    }
    let algorithm = cx.str_req(&by_default, "sse_algorithm");
    let kms_key = cx.link_opt(&by_default, "kms_master_key_id");
    Val::known(
        Some(S3Encryption { algorithm, kms_key }),
        by_default.loc.clone(),
    )
}

/// A canned ACL equivalent for explicit grants: `public-read-write` /
/// `public-read` when `AllUsers` is granted write / read access,
/// `authenticated-read` for `AuthenticatedUsers`, otherwise `custom`
/// (grants to specific accounts). `Default(None)` without grants.
fn acl_from_grants(cx: &mut Cx<'_>, o: &Obj<'_>, key: &str) -> Val<Option<String>> {
    let blocks = o.blocks(key);
    if let Some((reason, loc)) = blocks.unknown {
        return cx.unknown(o, key, loc, reason);
    }
    let Some(first) = blocks.items.first() else {
        return Val::default_(None);
    };
    let loc = first.loc.clone();
    let mut acl = "custom";
    for g in &blocks.items {
        // Legacy inline `grant { type, uri, permissions }` or
        // `access_control_policy.grant { grantee { type, uri }, permission }`.
        let grantee = g.block("grantee");
        let who = if grantee.present() { &grantee } else { g };
        let uri = match cx.str_opt(who, "uri") {
            Val::Unknown { reason, loc } => return Val::Unknown { reason, loc },
            v => v.some().cloned().unwrap_or_default(),
        };
        let perms = if g.has("permission") {
            cx.str_opt(g, "permission")
                .map(|p| p.into_iter().collect::<Vec<_>>())
        } else {
            cx.strs(g, "permissions", &[])
        };
        let perms = match perms {
            Val::Unknown { reason, loc } => return Val::Unknown { reason, loc },
            v => v.get().cloned().unwrap_or_default(),
        };
        let writes = perms.iter().any(|p| p == "WRITE" || p == "FULL_CONTROL");
        if uri.ends_with("/global/AllUsers") {
            acl = if writes || acl == "public-read-write" {
                "public-read-write"
            } else {
                "public-read"
            };
        } else if uri.ends_with("/global/AuthenticatedUsers") && acl == "custom" {
            acl = "authenticated-read";
        }
    }
    Val::known(Some(acl.to_owned()), loc)
}

/// Merges `aws_s3_bucket_*` configuration resources into their bucket.
pub(crate) fn merge_s3<'a>(cx: &mut Cx<'a>, aws: &mut Aws, r: &'a RawResource) -> bool {
    let o = Obj::root(r);
    let bucket = cx.link(&o, "bucket");
    if let Some(why) = unknown_owner_reason(r, "bucket", &bucket) {
        for b in &mut aws.s3_buckets {
            match r.kind.as_str() {
                "aws_s3_bucket_policy" => may_set(&mut b.policy, &why, &r.loc),
                "aws_s3_bucket_server_side_encryption_configuration" => {
                    may_set(&mut b.encryption, &why, &r.loc)
                }
                "aws_s3_bucket_versioning" => may_set(&mut b.versioning, &why, &r.loc),
                "aws_s3_bucket_logging" => may_set(&mut b.logging, &why, &r.loc),
                "aws_s3_bucket_acl" => may_set(&mut b.acl, &why, &r.loc),
                _ => {}
            }
        }
    }
    let Some(i) = owner(cx, r, &bucket, |l| find(&aws.s3_buckets, l)) else {
        return false;
    };
    let both = |cx: &mut Cx<'_>, what: &str, inline: bool| {
        if inline {
            cx.note(
                &r.loc,
                format!(
                    "`{}` and the bucket's inline `{what}` both configure the bucket; `{}` is used",
                    r.address, r.address
                ),
            );
        }
    };
    let Some(b) = aws.s3_buckets.get(i) else {
        return false;
    };
    let (inline_policy, inline_sse, inline_versioning, inline_logging, inline_acl) = (
        matches!(b.policy, Val::Known { value: Some(_), .. }),
        matches!(b.encryption, Val::Known { value: Some(_), .. }),
        matches!(b.versioning, Val::Known { .. }),
        matches!(b.logging, Val::Known { .. }),
        matches!(b.acl, Val::Known { value: Some(_), .. }),
    );
    match r.kind.as_str() {
        "aws_s3_bucket_policy" => {
            both(cx, "policy", inline_policy);
            let policy = cx.policy_req(&o, "policy").map(Some);
            if let Some(b) = aws.s3_buckets.get_mut(i) {
                b.policy = policy;
            }
        }
        "aws_s3_bucket_server_side_encryption_configuration" => {
            both(cx, "server_side_encryption_configuration", inline_sse);
            let enc = encryption(cx, &o);
            if let Some(b) = aws.s3_buckets.get_mut(i) {
                b.encryption = enc;
            }
        }
        "aws_s3_bucket_public_access_block" => {
            let pab = PublicAccessBlock {
                block_public_acls: cx.bool(&o, "block_public_acls", false),
                block_public_policy: cx.bool(&o, "block_public_policy", false),
                ignore_public_acls: cx.bool(&o, "ignore_public_acls", false),
                restrict_public_buckets: cx.bool(&o, "restrict_public_buckets", false),
            };
            if let Some(b) = aws.s3_buckets.get_mut(i) {
                b.public_access_block = Some(pab);
            }
        }
        "aws_s3_bucket_versioning" => {
            both(cx, "versioning", inline_versioning);
            let conf = o.block("versioning_configuration");
            let enabled = cx.str_req(&conf, "status").map(|s| s == "Enabled");
            if let Some(b) = aws.s3_buckets.get_mut(i) {
                b.versioning = enabled;
            }
        }
        "aws_s3_bucket_logging" => {
            both(cx, "logging", inline_logging);
            let target = o
                .raw("target_bucket")
                .map_or(r.loc.clone(), |n| o.loc_of(n));
            if let Some(b) = aws.s3_buckets.get_mut(i) {
                b.logging = Val::known(true, target);
            }
        }
        "aws_s3_bucket_acl" => {
            both(cx, "acl", inline_acl);
            let acl = if o.has("acl") {
                cx.str_opt(&o, "acl")
            } else {
                let policy = o.block("access_control_policy");
                acl_from_grants(cx, &policy, "grant")
            };
            if let Some(b) = aws.s3_buckets.get_mut(i) {
                b.acl = acl;
            }
        }
        _ => return false,
    }
    true
}

pub(crate) fn merge_kms_key_policy<'a>(cx: &mut Cx<'a>, aws: &mut Aws, r: &'a RawResource) -> bool {
    let o = Obj::root(r);
    let key = cx.link(&o, "key_id");
    if let Some(why) = unknown_owner_reason(r, "key_id", &key) {
        for k in &mut aws.kms_keys {
            may_set(&mut k.policy, &why, &r.loc);
        }
    }
    let Some(i) = owner(cx, r, &key, |l| find(&aws.kms_keys, l)) else {
        return false;
    };
    let policy = cx.policy_req(&o, "policy").map(Some);
    if let Some(k) = aws.kms_keys.get_mut(i) {
        k.policy = policy;
    }
    true
}

pub(crate) fn merge_secret<'a>(cx: &mut Cx<'a>, aws: &mut Aws, r: &'a RawResource) -> bool {
    let o = Obj::root(r);
    let rotation = r.kind == "aws_secretsmanager_secret_rotation";
    let link_key = if rotation { "secret_id" } else { "secret_arn" };
    let secret = cx.link(&o, link_key);
    if let Some(why) = unknown_owner_reason(r, link_key, &secret) {
        for s in &mut aws.secrets {
            if !rotation {
                may_set(&mut s.policy, &why, &r.loc);
            } else if s.rotation.is_none() {
                s.rotation = Some(SecretRotation {
                    loc: Some(r.loc.clone()),
                    enabled: Val::unknown(why.clone(), Some(r.loc.clone())),
                    days: Val::unknown(why.clone(), Some(r.loc.clone())),
                });
            }
        }
    }
    let Some(i) = owner(cx, r, &secret, |l| find(&aws.secrets, l)) else {
        return false;
    };
    if rotation {
        let rules = o.block("rotation_rules");
        let rot = SecretRotation {
            loc: Some(r.loc.clone()),
            enabled: Val::known(true, r.loc.clone()),
            days: cx.int_opt(&rules, "automatically_after_days"),
        };
        if let Some(s) = aws.secrets.get_mut(i) {
            s.rotation = Some(rot);
        }
    } else {
        let policy = cx.policy_req(&o, "policy").map(Some);
        if let Some(s) = aws.secrets.get_mut(i) {
            s.policy = policy;
        }
    }
    true
}

/// Why a configuring resource may configure any owner of its kind: its
/// link to the owner (`attr`) is unknown. `None` when the link is known.
pub(crate) fn unknown_owner_reason(
    r: &RawResource,
    attr: &str,
    link: &Val<palisade_model::Ref>,
) -> Option<String> {
    link.unknown_reason().map(|reason| {
        format!(
            "`{}` may configure this resource: its `{attr}` is unknown ({reason})",
            r.address
        )
    })
}

/// An attribute that a configuring resource with an unknown owner may set:
/// unknown, unless the resource writes it itself.
pub(crate) fn may_set<T>(v: &mut Val<T>, why: &str, loc: &palisade_model::Location) {
    if v.is_default() {
        *v = Val::unknown(why.to_owned(), Some(loc.clone()));
    }
}

/// Cross-resource completion once everything is adapted:
/// * Aurora member instances take their storage, network and backup
///   settings from their cluster (`multi_az` is true when the cluster has
///   at least two member instances in the input);
/// * KMS keys get the `alias/NAME` keys of the aliases that target them.
pub(crate) fn finish(cx: &mut Cx<'_>, aws: &mut Aws) {
    // The cluster (index) of every Aurora member instance.
    let cluster_of: Vec<Option<usize>> = aws
        .db_instances
        .iter()
        .map(|d| {
            (d.meta.kind == "aws_rds_cluster_instance")
                .then(|| d.cluster.some().and_then(|l| find(&aws.db_clusters, l)))
                .flatten()
        })
        .collect();
    for i in 0..aws.db_instances.len() {
        let Some(d) = aws.db_instances.get(i) else {
            continue;
        };
        if d.meta.kind != "aws_rds_cluster_instance" {
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
                    // (An unknown link was reported when it was read.)
                    cx.record_unknown(&address, "cluster_identifier", Some(loc.clone()), reason);
                }
            }
        }
    }
    let mut alias_keys: Vec<(usize, String)> = Vec::new();
    for a in &aws.kms_aliases {
        let Some(target) = a.target.get() else {
            continue;
        };
        let name = a.name.some().cloned().unwrap_or_default();
        if let Some(k) = find(&aws.kms_keys, target) {
            alias_keys.push((k, name));
            // `kms_key_id = aws_kms_alias.x.arn` names the key through its alias.
            alias_keys.push((k, a.meta.address.clone()));
        }
    }
    for (k, name) in alias_keys {
        if let Some(key) = aws.kms_keys.get_mut(k) {
            add_keys(&mut key.meta, [name]);
        }
    }
}
