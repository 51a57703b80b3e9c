//! The AWS resources access questions are asked about, with the actions
//! that matter on each and their resource-based policies.
//!
//! A resource is tested through one or more ARNs: an S3 bucket through the
//! bucket (bucket actions) and `arn:aws:s3:::NAME/*` (object actions on any
//! key); an RDS instance through the instance and `dbuser:ID/USER` for every
//! database user a policy of the model names (plus `*`, any user); a log
//! group through the group and its streams. The action lists are the ones
//! that read, change or delegate the resource (the full service action list
//! is not embedded; `--action` takes any action).

use crate::naming::{Named, Naming, ResKind};
use crate::prepare::{Prepared, Source};
use palisade_model::aws::Aws;
use palisade_model::{Location, Model, Val};
use serde_json::json;
use std::collections::BTreeSet;

pub const S3_BUCKET: &[&str] = &[
    "s3:ListBucket",
    "s3:GetBucketPolicy",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutEncryptionConfiguration",
    "s3:DeleteBucket",
];
pub const S3_OBJECT: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:PutObjectAcl",
];
pub const SECRET: &[&str] = &[
    "secretsmanager:GetSecretValue",
    "secretsmanager:DescribeSecret",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecret",
    "secretsmanager:RotateSecret",
    "secretsmanager:DeleteSecret",
    "secretsmanager:GetResourcePolicy",
    "secretsmanager:PutResourcePolicy",
    "secretsmanager:DeleteResourcePolicy",
];
pub const KMS_KEY: &[&str] = &[
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:ReEncryptFrom",
    "kms:CreateGrant",
    "kms:DescribeKey",
    "kms:PutKeyPolicy",
    "kms:DisableKey",
    "kms:ScheduleKeyDeletion",
];
pub const DB: &[&str] = &[
    "rds:DescribeDBInstances",
    "rds:ModifyDBInstance",
    "rds:CreateDBSnapshot",
    "rds:RebootDBInstance",
    "rds:DeleteDBInstance",
];
pub const DB_CLUSTER: &[&str] = &[
    "rds:DescribeDBClusters",
    "rds:ModifyDBCluster",
    "rds:CreateDBClusterSnapshot",
    "rds:DeleteDBCluster",
];
pub const DB_CONNECT: &[&str] = &["rds-db:connect"];
pub const ROLE: &[&str] = &[
    "sts:AssumeRole",
    "sts:AssumeRoleWithWebIdentity",
    "iam:PassRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:AttachRolePolicy",
    "iam:PutRolePolicy",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteRole",
];
pub const USER: &[&str] = &[
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AttachUserPolicy",
    "iam:PutUserPolicy",
    "iam:DeleteUserPermissionsBoundary",
    "iam:DeleteUser",
];
pub const GROUP: &[&str] = &[
    "iam:AddUserToGroup",
    "iam:AttachGroupPolicy",
    "iam:PutGroupPolicy",
    "iam:DeleteGroup",
];
pub const POLICY: &[&str] = &[
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:DeletePolicy",
];
pub const EKS: &[&str] = &[
    "eks:DescribeCluster",
    "eks:AccessKubernetesApi",
    "eks:CreateAccessEntry",
    "eks:AssociateAccessPolicy",
    "eks:CreatePodIdentityAssociation",
    "eks:UpdateClusterConfig",
    "eks:DeleteCluster",
];
pub const LAMBDA: &[&str] = &[
    "lambda:InvokeFunction",
    "lambda:GetFunction",
    "lambda:UpdateFunctionCode",
    "lambda:UpdateFunctionConfiguration",
    "lambda:AddPermission",
    "lambda:DeleteFunction",
];
pub const SNS: &[&str] = &[
    "sns:Publish",
    "sns:Subscribe",
    "sns:SetTopicAttributes",
    "sns:DeleteTopic",
];
pub const ECR: &[&str] = &[
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
    "ecr:PutImage",
    "ecr:SetRepositoryPolicy",
    "ecr:DeleteRepository",
];
pub const LOG_GROUP: &[&str] = &[
    "logs:DescribeLogStreams",
    "logs:PutRetentionPolicy",
    "logs:DeleteLogGroup",
];
pub const LOG_STREAM: &[&str] = &[
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "logs:GetLogEvents",
];

/// One ARN a resource is tested through.
#[derive(Clone, Debug)]
pub struct Test {
    pub arn: String,
    /// `bucket`, `objects (any key)`, `DB user shop_app`...
    pub label: String,
    pub actions: &'static [&'static str],
}

/// A resource access questions can be asked about.
#[derive(Clone, Debug)]
pub struct AwsResource {
    pub address: String,
    pub kind: ResKind,
    pub arn: String,
    pub name: String,
    pub loc: Location,
    pub tests: Vec<Test>,
    /// The resource-based policy (key policy, bucket policy, secret policy,
    /// role trust policy).
    pub policy: Option<Prepared>,
    /// For roles, the trust policy applies only to `sts:` actions.
    pub policy_service: Option<&'static str>,
}

impl AwsResource {
    /// The resource policy that applies to `action`.
    pub fn policy_for(&self, action: &str) -> Option<&Prepared> {
        match self.policy_service {
            Some(svc) => {
                let (s, _) = action.split_once(':').unwrap_or((action, ""));
                if s.eq_ignore_ascii_case(svc) {
                    self.policy.as_ref()
                } else {
                    None
                }
            }
            None => self.policy.as_ref(),
        }
    }

    /// The AWS service of the resource (`s3`, `kms`...).
    pub fn service(&self) -> &'static str {
        service_of(self.kind)
    }
}

pub fn service_of(kind: ResKind) -> &'static str {
    match kind {
        ResKind::IamRole | ResKind::IamUser | ResKind::IamGroup | ResKind::IamPolicy => "iam",
        ResKind::OidcProvider => "iam",
        ResKind::S3Bucket => "s3",
        ResKind::KmsKey => "kms",
        ResKind::Secret => "secretsmanager",
        ResKind::DbInstance | ResKind::DbCluster => "rds",
        ResKind::EksCluster => "eks",
        ResKind::LambdaFunction => "lambda",
        ResKind::SnsTopic => "sns",
        ResKind::EcrRepository => "ecr",
        ResKind::LogGroup => "logs",
        ResKind::Other => "other",
    }
}

fn doc_policy(
    naming: &Naming,
    v: &Val<Option<serde_json::Value>>,
    owner: &str,
    attr: &str,
    default: Option<(serde_json::Value, &str)>,
) -> Option<Prepared> {
    let src = Source {
        label: format!("{owner}.{attr}"),
        address: Some(owner.to_string()),
        loc: v.loc().cloned(),
        caveat: None,
    };
    match v {
        Val::Unknown { reason, .. } => Some(Prepared::unknown(src, reason.clone())),
        _ => match v.some() {
            Some(doc) => Some(Prepared::new(doc, src, naming)),
            None => default.map(|(doc, caveat)| {
                let mut src = src;
                src.label = format!("{owner} (AWS default key policy)");
                src.caveat = Some(caveat.to_string());
                Prepared::new(&doc, src, naming)
            }),
        },
    }
}

/// Database users named by `rds-db:connect` resources in any policy (plus `*`).
fn db_users(policies: &[&Prepared]) -> BTreeSet<String> {
    let mut users = BTreeSet::new();
    users.insert("*".to_string());
    for p in policies {
        let Some(pol) = &p.policy else { continue };
        for s in pol.statements() {
            if let Some(palisade_iam::ResourceBlock::Resource(rs)) = &s.resource {
                for r in rs {
                    if let Some((_, rest)) = r.split_once(":dbuser:") {
                        if let Some(u) = rest.rsplit('/').next() {
                            if !u.is_empty() && !u.contains(['*', '?', '$']) {
                                users.insert(u.to_string());
                            }
                        }
                    }
                }
            }
        }
    }
    users
}

fn test(arn: String, label: &str, actions: &'static [&'static str]) -> Test {
    Test {
        arn,
        label: label.to_string(),
        actions,
    }
}

/// Builds the catalogue. `trusts` gives each role's prepared trust policy;
/// `policies` every identity policy (to find database users).
pub fn collect(
    model: &Model,
    naming: &Naming,
    trusts: &dyn Fn(&str) -> Option<Prepared>,
    policies: &[&Prepared],
) -> Vec<AwsResource> {
    let aws: &Aws = &model.aws;
    let mut out = Vec::new();
    let named = |addr: &str| -> Option<Named> { naming.lookup(addr).cloned() };
    let region = &naming.region;
    let account = &naming.account;
    let users = db_users(policies);
    let mk = |n: Named, loc: &Location, tests: Vec<Test>, policy, svc| AwsResource {
        address: n.address.clone(),
        kind: n.kind,
        arn: n.arn.clone(),
        name: n.name.clone(),
        loc: loc.clone(),
        tests,
        policy,
        policy_service: svc,
    };
    for b in &aws.s3_buckets {
        let Some(n) = named(&b.meta.address) else {
            continue;
        };
        let tests = vec![
            test(n.arn.clone(), "bucket", S3_BUCKET),
            test(format!("{}/*", n.arn), "objects (any key)", S3_OBJECT),
        ];
        let p = doc_policy(naming, &b.policy, &b.meta.address, "policy", None);
        out.push(mk(n, &b.meta.loc, tests, p, None));
    }
    for k in &aws.kms_keys {
        let Some(n) = named(&k.meta.address) else {
            continue;
        };
        let default = json!({"Version": "2012-10-17", "Statement": [{
            "Sid": "Enable IAM User Permissions", "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{account}:root")},
            "Action": "kms:*", "Resource": "*"}]});
        let p = doc_policy(
            naming,
            &k.policy,
            &k.meta.address,
            "policy",
            Some((
                default,
                "no key policy is set: AWS applies its default key policy",
            )),
        );
        let tests = vec![test(n.arn.clone(), "key", KMS_KEY)];
        out.push(mk(n, &k.meta.loc, tests, p, None));
    }
    for s in &aws.secrets {
        let Some(n) = named(&s.meta.address) else {
            continue;
        };
        let p = doc_policy(naming, &s.policy, &s.meta.address, "policy", None);
        let tests = vec![test(n.arn.clone(), "secret", SECRET)];
        out.push(mk(n, &s.meta.loc, tests, p, None));
    }
    for d in &aws.db_instances {
        let Some(n) = named(&d.meta.address) else {
            continue;
        };
        let mut tests = vec![test(n.arn.clone(), "instance", DB)];
        for u in &users {
            let label = if u == "*" {
                "any DB user".to_string()
            } else {
                format!("DB user {u}")
            };
            tests.push(Test {
                arn: format!(
                    "arn:aws:rds-db:{region}:{account}:dbuser:{}/{u}",
                    d.meta.address
                ),
                label,
                actions: DB_CONNECT,
            });
        }
        out.push(mk(n, &d.meta.loc, tests, None, None));
    }
    for d in &aws.db_clusters {
        let Some(n) = named(&d.meta.address) else {
            continue;
        };
        let mut tests = vec![test(n.arn.clone(), "cluster", DB_CLUSTER)];
        for u in &users {
            let label = if u == "*" {
                "any DB user".to_string()
            } else {
                format!("DB user {u}")
            };
            tests.push(Test {
                arn: format!(
                    "arn:aws:rds-db:{region}:{account}:dbuser:{}/{u}",
                    d.meta.address
                ),
                label,
                actions: DB_CONNECT,
            });
        }
        out.push(mk(n, &d.meta.loc, tests, None, None));
    }
    for r in &aws.iam_roles {
        let Some(n) = named(&r.meta.address) else {
            continue;
        };
        let tests = vec![test(n.arn.clone(), "role", ROLE)];
        let trust = trusts(&r.meta.address);
        out.push(mk(n, &r.meta.loc, tests, trust, Some("sts")));
    }
    for u in &aws.iam_users {
        let Some(n) = named(&u.meta.address) else {
            continue;
        };
        let tests = vec![test(n.arn.clone(), "user", USER)];
        out.push(mk(n, &u.meta.loc, tests, None, None));
    }
    for g in &aws.iam_groups {
        let Some(n) = named(&g.meta.address) else {
            continue;
        };
        let tests = vec![test(n.arn.clone(), "group", GROUP)];
        out.push(mk(n, &g.meta.loc, tests, None, None));
    }
    for p in &aws.iam_policies {
        let Some(n) = named(&p.meta.address) else {
            continue;
        };
        let tests = vec![test(n.arn.clone(), "policy", POLICY)];
        out.push(mk(n, &p.meta.loc, tests, None, None));
    }
    for c in &aws.eks_clusters {
        let Some(n) = named(&c.meta.address) else {
            continue;
        };
        let tests = vec![test(n.arn.clone(), "cluster", EKS)];
        out.push(mk(n, &c.meta.loc, tests, None, None));
    }
    for f in &aws.lambda_functions {
        let Some(n) = named(&f.meta.address) else {
            continue;
        };
        let tests = vec![test(n.arn.clone(), "function", LAMBDA)];
        out.push(mk(n, &f.meta.loc, tests, None, None));
    }
    for t in &aws.sns_topics {
        let Some(n) = named(&t.meta.address) else {
            continue;
        };
        let tests = vec![test(n.arn.clone(), "topic", SNS)];
        out.push(mk(n, &t.meta.loc, tests, None, None));
    }
    for r in &aws.ecr_repositories {
        let Some(n) = named(&r.meta.address) else {
            continue;
        };
        let tests = vec![test(n.arn.clone(), "repository", ECR)];
        out.push(mk(n, &r.meta.loc, tests, None, None));
    }
    for l in &aws.log_groups {
        let Some(n) = named(&l.meta.address) else {
            continue;
        };
        let tests = vec![
            test(n.arn.clone(), "log group", LOG_GROUP),
            test(format!("{}:log-stream:*", n.arn), "log streams", LOG_STREAM),
        ];
        out.push(mk(n, &l.meta.loc, tests, None, None));
    }
    out
}
