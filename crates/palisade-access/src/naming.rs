//! Account, region and the ARNs of model resources.
//!
//! Policies name resources by ARN, but an infrastructure-as-code model
//! rarely knows them (an `arn` is computed by AWS at apply time). Each
//! resource of the model therefore gets a *canonical ARN*:
//!
//! * a key of the resource that already is an ARN (a live snapshot, a bucket
//!   `arn:aws:s3:::NAME`) is used as is;
//! * otherwise the ARN is built the way AWS builds it, from the account, the
//!   region and the resource's name (`arn:aws:iam::ACCT:role/PATH/NAME`,
//!   `arn:aws:secretsmanager:REGION:ACCT:secret:NAME-??????`);
//! * identifiers AWS generates (a KMS key ID, an RDS `DbiResourceId`) are
//!   stood for by the resource's model address, so that
//!   `arn:aws:kms:eu-west-1:111122223333:key/aws_kms_key.this["s3"]` is
//!   matched by `arn:aws:kms:*:111122223333:key/*` and by nothing naming
//!   another key.
//!
//! Policy strings that stand for a reference to a model resource
//! (`${unknown}aws_secretsmanager_secret.app.arn`, see `palisade-adapt`)
//! are replaced by that resource's canonical value ([`Naming::substitute`]),
//! so a policy that names a resource by reference matches that resource and
//! nothing else. Secret ARNs end in `-??????` because AWS appends six random
//! characters: a policy that names the secret without them does not match,
//! as in AWS.

use palisade_model::aws::Aws;
use palisade_model::{Meta, Model};
use serde_json::Value as Json;
use std::collections::{BTreeMap, HashMap};

/// The sentinel adapters put where a policy value is unknown.
pub const UNKNOWN_MARKER: &str = "${unknown}";

/// Where the account ID came from.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountSource {
    /// `--account` / [`crate::Options::account`].
    Option,
    /// The most frequent account ID in ARNs of the model.
    Derived,
    /// No ARN names an account: a placeholder is used.
    Placeholder,
}

/// The canonical identity of one model resource.
#[derive(Clone, Debug)]
pub struct Named {
    pub address: String,
    pub kind: ResKind,
    pub arn: String,
    /// The name users know it by (role name, bucket name, secret name...).
    pub name: String,
    /// The value of its `id` attribute as Terraform reports it.
    pub id: String,
}

/// The resource types access analysis knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResKind {
    IamRole,
    IamUser,
    IamGroup,
    IamPolicy,
    OidcProvider,
    S3Bucket,
    KmsKey,
    Secret,
    DbInstance,
    DbCluster,
    EksCluster,
    LambdaFunction,
    SnsTopic,
    EcrRepository,
    LogGroup,
    /// Anything else (only used to substitute references).
    Other,
}

/// Account, region and canonical ARNs.
#[derive(Clone, Debug)]
pub struct Naming {
    pub account: String,
    pub account_source: AccountSource,
    pub region: String,
    /// True when the region was derived from the model.
    pub region_derived: bool,
    by_key: HashMap<String, usize>,
    pub named: Vec<Named>,
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn arn_parts(s: &str) -> Option<[&str; 6]> {
    let mut it = s.splitn(6, ':');
    let p = [
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
    ];
    (p[0] == "arn").then_some(p)
}

fn walk_strings<'a>(v: &'a Json, f: &mut dyn FnMut(&'a str)) {
    match v {
        Json::String(s) => f(s),
        Json::Array(a) => a.iter().for_each(|x| walk_strings(x, f)),
        Json::Object(o) => o.iter().for_each(|(k, x)| {
            f(k);
            walk_strings(x, f)
        }),
        _ => {}
    }
}

/// Every policy document of the model.
pub(crate) fn all_policy_docs(aws: &Aws) -> Vec<&Json> {
    let mut docs: Vec<&Json> = Vec::new();
    docs.extend(aws.iam_roles.iter().filter_map(|r| r.trust_policy.get()));
    docs.extend(aws.iam_policies.iter().filter_map(|p| p.document.get()));
    for g in &aws.iam_grants {
        if let palisade_model::aws::GrantedPolicy::Inline(d) = &g.policy {
            docs.extend(d.get());
        }
    }
    docs.extend(aws.s3_buckets.iter().filter_map(|b| b.policy.some()));
    docs.extend(aws.kms_keys.iter().filter_map(|b| b.policy.some()));
    docs.extend(aws.secrets.iter().filter_map(|b| b.policy.some()));
    docs
}

fn first_key_with<'a>(meta: &'a Meta, prefix: &str) -> Option<&'a str> {
    // The longest such key carries the path (`role/team/app` over `role/app`).
    meta.keys
        .iter()
        .filter(|k| k.starts_with(prefix))
        .max_by_key(|k| k.len())
        .map(String::as_str)
}

fn arn_key<'a>(meta: &'a Meta, service: &str) -> Option<&'a str> {
    meta.keys
        .iter()
        .find(|k| arn_parts(k).is_some_and(|p| p[2] == service))
        .map(String::as_str)
}

/// A plain name among the keys (not an ARN, not `kind/...`, not an address).
fn plain_key(meta: &Meta) -> Option<&str> {
    meta.keys
        .iter()
        .find(|k| !k.starts_with("arn:") && !k.contains('/') && !k.contains('.'))
        .or_else(|| meta.keys.iter().find(|k| !k.starts_with("arn:")))
        .map(String::as_str)
}

impl Naming {
    /// Derives the account and region and names every resource.
    pub fn new(model: &Model, account: Option<&str>, region: Option<&str>) -> Naming {
        let aws = &model.aws;
        let mut accounts: BTreeMap<String, usize> = BTreeMap::new();
        let mut regions: BTreeMap<String, usize> = BTreeMap::new();
        let mut see = |s: &str| {
            if let Some(p) = arn_parts(s) {
                if is_account_id(p[4]) {
                    *accounts.entry(p[4].to_string()).or_default() += 1;
                }
                if !p[3].is_empty() && !p[3].contains(['*', '?', '$']) {
                    *regions.entry(p[3].to_string()).or_default() += 1;
                }
            } else if let Some(rest) = s.trim_start_matches("https://").strip_prefix("oidc.eks.") {
                if let Some((r, _)) = rest.split_once('.') {
                    *regions.entry(r.to_string()).or_default() += 1;
                }
            }
        };
        for doc in all_policy_docs(aws) {
            walk_strings(doc, &mut see);
        }
        for (_, meta) in aws.metas() {
            for k in &meta.keys {
                see(k);
            }
        }
        for sa in &model.k8s.service_accounts {
            if let Some(v) = sa.irsa_role_arn().and_then(|v| v.get()) {
                see(v);
            }
        }
        for p in &aws.iam_oidc_providers {
            if let Some(u) = p.url.some() {
                see(u);
            }
        }
        let most = |m: &BTreeMap<String, usize>| {
            m.iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                .map(|(k, _)| k.clone())
        };
        let (account, account_source) = match account {
            Some(a) => (a.to_string(), AccountSource::Option),
            None => match most(&accounts) {
                Some(a) => (a, AccountSource::Derived),
                None => ("000000000000".to_string(), AccountSource::Placeholder),
            },
        };
        let (region, region_derived) = match region {
            Some(r) => (r.to_string(), true),
            None => match most(&regions) {
                Some(r) => (r, true),
                None => ("us-east-1".to_string(), false),
            },
        };
        let mut n = Naming {
            account,
            account_source,
            region,
            region_derived,
            by_key: HashMap::new(),
            named: Vec::new(),
        };
        n.name_all(aws);
        n
    }

    fn add(&mut self, meta: &Meta, kind: ResKind, arn: String, name: String, id: String) {
        let i = self.named.len();
        self.by_key.insert(meta.address.clone(), i);
        for k in &meta.keys {
            self.by_key.entry(k.clone()).or_insert(i);
        }
        self.by_key.entry(arn.clone()).or_insert(i);
        self.named.push(Named {
            address: meta.address.clone(),
            kind,
            arn,
            name,
            id,
        });
    }

    fn iam(&self, meta: &Meta, kind: &str, name: Option<&String>) -> (String, String) {
        if let Some(a) = arn_key(meta, "iam") {
            let n = a.rsplit('/').next().unwrap_or(a).to_string();
            return (a.to_string(), n);
        }
        let prefix = format!("{kind}/");
        let res = first_key_with(meta, &prefix)
            .map(str::to_string)
            .or_else(|| name.map(|n| format!("{kind}/{n}")))
            .unwrap_or_else(|| format!("{kind}/{}", meta.address));
        let n = res.rsplit('/').next().unwrap_or(&res).to_string();
        (format!("arn:aws:iam::{}:{res}", self.account), n)
    }

    fn regional(&self, service: &str, rest: &str) -> String {
        format!("arn:aws:{service}:{}:{}:{rest}", self.region, self.account)
    }

    fn name_all(&mut self, aws: &Aws) {
        for r in &aws.iam_roles {
            let (arn, name) = self.iam(&r.meta, "role", r.name.some());
            self.add(&r.meta, ResKind::IamRole, arn, name.clone(), name);
        }
        for r in &aws.iam_users {
            let (arn, name) = self.iam(&r.meta, "user", r.name.some());
            self.add(&r.meta, ResKind::IamUser, arn, name.clone(), name);
        }
        for r in &aws.iam_groups {
            let (arn, name) = self.iam(&r.meta, "group", r.name.some());
            self.add(&r.meta, ResKind::IamGroup, arn, name.clone(), name);
        }
        for r in &aws.iam_policies {
            let (arn, name) = self.iam(&r.meta, "policy", r.name.some());
            self.add(&r.meta, ResKind::IamPolicy, arn.clone(), name, arn);
        }
        for r in &aws.iam_oidc_providers {
            let host = first_key_with(&r.meta, "oidc-provider/")
                .map(|k| k.trim_start_matches("oidc-provider/").to_string())
                .or_else(|| {
                    r.url.some().map(|u| {
                        u.trim_start_matches("https://")
                            .trim_end_matches('/')
                            .to_string()
                    })
                })
                .unwrap_or_else(|| r.meta.address.clone());
            let arn = arn_key(&r.meta, "iam")
                .map(str::to_string)
                .unwrap_or_else(|| format!("arn:aws:iam::{}:oidc-provider/{host}", self.account));
            self.add(&r.meta, ResKind::OidcProvider, arn.clone(), host, arn);
        }
        for r in &aws.s3_buckets {
            let name = r
                .name
                .some()
                .cloned()
                .or_else(|| {
                    arn_key(&r.meta, "s3").map(|a| a.trim_start_matches("arn:aws:s3:::").into())
                })
                .unwrap_or_else(|| r.meta.address.clone());
            let arn = format!("arn:aws:s3:::{name}");
            self.add(&r.meta, ResKind::S3Bucket, arn, name.clone(), name);
        }
        for r in &aws.kms_keys {
            let arn = arn_key(&r.meta, "kms")
                .filter(|a| a.contains(":key/"))
                .map(str::to_string);
            let id = arn
                .as_deref()
                .and_then(|a| a.rsplit('/').next())
                .map(str::to_string)
                .unwrap_or_else(|| r.meta.address.clone());
            let arn = arn.unwrap_or_else(|| self.regional("kms", &format!("key/{id}")));
            let name = first_key_with(&r.meta, "alias/")
                .map(str::to_string)
                .unwrap_or_else(|| r.meta.address.clone());
            self.add(&r.meta, ResKind::KmsKey, arn, name, id);
        }
        for r in &aws.secrets {
            let name = r
                .name
                .some()
                .cloned()
                .unwrap_or_else(|| r.meta.address.clone());
            let arn = arn_key(&r.meta, "secretsmanager")
                .map(str::to_string)
                .unwrap_or_else(|| {
                    self.regional("secretsmanager", &format!("secret:{name}-??????"))
                });
            self.add(&r.meta, ResKind::Secret, arn.clone(), name, arn);
        }
        for r in &aws.db_instances {
            let name = plain_key(&r.meta)
                .map(str::to_string)
                .unwrap_or_else(|| r.meta.address.clone());
            let arn = arn_key(&r.meta, "rds")
                .map(str::to_string)
                .unwrap_or_else(|| self.regional("rds", &format!("db:{name}")));
            self.add(&r.meta, ResKind::DbInstance, arn, name.clone(), name);
        }
        for r in &aws.db_clusters {
            let name = plain_key(&r.meta)
                .map(str::to_string)
                .unwrap_or_else(|| r.meta.address.clone());
            let arn = arn_key(&r.meta, "rds")
                .map(str::to_string)
                .unwrap_or_else(|| self.regional("rds", &format!("cluster:{name}")));
            self.add(&r.meta, ResKind::DbCluster, arn, name.clone(), name);
        }
        for r in &aws.eks_clusters {
            let name = r
                .name
                .some()
                .cloned()
                .unwrap_or_else(|| r.meta.address.clone());
            let arn = arn_key(&r.meta, "eks")
                .map(str::to_string)
                .unwrap_or_else(|| self.regional("eks", &format!("cluster/{name}")));
            self.add(&r.meta, ResKind::EksCluster, arn, name.clone(), name);
        }
        for r in &aws.lambda_functions {
            let name = plain_key(&r.meta)
                .map(str::to_string)
                .unwrap_or_else(|| r.meta.address.clone());
            let arn = arn_key(&r.meta, "lambda")
                .map(str::to_string)
                .unwrap_or_else(|| self.regional("lambda", &format!("function:{name}")));
            self.add(&r.meta, ResKind::LambdaFunction, arn, name.clone(), name);
        }
        for r in &aws.sns_topics {
            let name = plain_key(&r.meta)
                .map(str::to_string)
                .unwrap_or_else(|| r.meta.address.clone());
            let arn = arn_key(&r.meta, "sns")
                .map(str::to_string)
                .unwrap_or_else(|| self.regional("sns", &name));
            self.add(&r.meta, ResKind::SnsTopic, arn.clone(), name, arn);
        }
        for r in &aws.ecr_repositories {
            let name = plain_key(&r.meta)
                .map(str::to_string)
                .unwrap_or_else(|| r.meta.address.clone());
            let arn = arn_key(&r.meta, "ecr")
                .map(str::to_string)
                .unwrap_or_else(|| self.regional("ecr", &format!("repository/{name}")));
            self.add(&r.meta, ResKind::EcrRepository, arn, name.clone(), name);
        }
        for r in &aws.log_groups {
            let name = plain_key(&r.meta)
                .map(str::to_string)
                .unwrap_or_else(|| r.meta.address.clone());
            let arn = arn_key(&r.meta, "logs")
                .map(str::to_string)
                .unwrap_or_else(|| self.regional("logs", &format!("log-group:{name}")));
            self.add(&r.meta, ResKind::LogGroup, arn, name.clone(), name);
        }
        // Everything else only stands for itself (a VPC endpoint's `id` in an
        // `aws:SourceVpce` condition becomes its address).
        let known: Vec<String> = self.named.iter().map(|n| n.address.clone()).collect();
        let known: std::collections::HashSet<String> = known.into_iter().collect();
        let others: Vec<Meta> = aws
            .metas()
            .into_iter()
            .filter(|(_, m)| !known.contains(&m.address))
            .map(|(_, m)| m.clone())
            .collect();
        for m in others {
            let arn = m
                .keys
                .iter()
                .find(|k| k.starts_with("arn:"))
                .cloned()
                .unwrap_or_else(|| m.address.clone());
            let name = plain_key(&m)
                .map(str::to_string)
                .unwrap_or_else(|| m.address.clone());
            let id = m.address.clone();
            self.add(&m, ResKind::Other, arn, name, id);
        }
    }

    /// The canonical identity of the resource a key (address, name, ARN) names.
    pub fn lookup(&self, key: &str) -> Option<&Named> {
        if let Some(i) = self.by_key.get(key) {
            return self.named.get(*i);
        }
        // `arn:aws:iam::ACCT:policy/NAME` → `policy/NAME`.
        let p = arn_parts(key)?;
        if p[2] == "iam" {
            return self.by_key.get(p[5]).and_then(|i| self.named.get(*i));
        }
        None
    }

    /// The canonical value of `address.attr`, when it can stand for it.
    fn value_of(&self, reference: &str) -> Option<String> {
        // `data.aws_caller_identity.current.account_id` and friends.
        if reference.starts_with("data.aws_caller_identity.") && reference.ends_with(".account_id")
        {
            return Some(self.account.clone());
        }
        if reference.starts_with("data.aws_region.")
            && (reference.ends_with(".name") || reference.ends_with(".region"))
        {
            return Some(self.region.clone());
        }
        if reference.starts_with("data.aws_partition.") && reference.ends_with(".partition") {
            return Some("aws".to_string());
        }
        // Longest address prefix that names a resource, then the attribute.
        let mut cut = reference.len();
        while let Some(dot) = reference[..cut].rfind('.') {
            let (addr, attr) = (&reference[..dot], &reference[dot + 1..]);
            if let Some(n) = self.by_key.get(addr).and_then(|i| self.named.get(*i)) {
                if n.address != addr {
                    return None;
                }
                return match attr {
                    "arn" => Some(n.arn.clone()),
                    "id" => Some(n.id.clone()),
                    "name" | "bucket" | "function_name" | "identifier" | "cluster_identifier" => {
                        Some(n.name.clone())
                    }
                    "key_id" => Some(n.id.clone()),
                    "resource_id" | "cluster_resource_id" => Some(n.address.clone()),
                    "url" if n.kind == ResKind::OidcProvider => Some(format!("https://{}", n.name)),
                    _ => None,
                };
            }
            cut = dot;
        }
        None
    }

    /// Replaces reference sentinels (`${unknown}ADDRESS.ATTR`) by the
    /// canonical value of the referenced model resource. Other sentinels stay.
    pub fn substitute(&self, doc: &Json) -> Json {
        match doc {
            Json::String(s) => Json::String(self.substitute_str(s)),
            Json::Array(a) => Json::Array(a.iter().map(|x| self.substitute(x)).collect()),
            Json::Object(o) => Json::Object(
                o.iter()
                    .map(|(k, v)| (self.substitute_str(k), self.substitute(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn substitute_str(&self, s: &str) -> String {
        match s.strip_prefix(UNKNOWN_MARKER) {
            Some(reference) if !reference.is_empty() => {
                self.value_of(reference).unwrap_or_else(|| s.to_string())
            }
            _ => s.to_string(),
        }
    }

    /// The ARN a role session of this role calls with.
    pub fn session_arn(&self, role_name: &str) -> String {
        format!(
            "arn:aws:sts::{}:assumed-role/{role_name}/palisade",
            self.account
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_model::aws::{IamRole, S3Bucket, SecretsManagerSecret};
    use palisade_model::{Location, Val};

    fn meta(addr: &str, keys: &[&str]) -> Meta {
        let mut m = Meta::new(addr, "t", Location::file_only("x.tf"));
        m.keys = keys.iter().map(|s| s.to_string()).collect();
        m
    }

    fn model() -> Model {
        let mut m = Model::default();
        m.aws.iam_roles.push(IamRole {
            meta: meta("aws_iam_role.app", &["app", "role/app", "role/team/app"]),
            name: Val::default_(Some("app".into())),
            trust_policy: Val::default_(serde_json::json!({
                "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}]
            })),
            permissions_boundary: Val::default_(None),
        });
        m.aws.secrets.push(SecretsManagerSecret {
            meta: meta("aws_secretsmanager_secret.s", &["db/creds"]),
            name: Val::default_(Some("db/creds".into())),
            kms_key: Val::default_(None),
            rotation: None,
            policy: Val::default_(None),
        });
        m.aws.s3_buckets.push(S3Bucket {
            meta: meta("aws_s3_bucket.b", &["arn:aws:s3:::bkt", "bkt"]),
            name: Val::default_(Some("bkt".into())),
            acl: Val::default_(None),
            versioning: Val::default_(false),
            encryption: Val::default_(None),
            policy: Val::default_(None),
            public_access_block: None,
            logging: Val::default_(false),
        });
        m.aws.finish();
        m
    }

    #[test]
    fn derives_account_and_names_resources() {
        let m = model();
        let n = Naming::new(&m, None, None);
        assert_eq!(n.account, "111122223333");
        assert_eq!(n.account_source, AccountSource::Derived);
        assert!(!n.region_derived);
        let role = n.lookup("aws_iam_role.app").map(|r| r.arn.as_str());
        assert_eq!(role, Some("arn:aws:iam::111122223333:role/team/app"));
        let secret = n.lookup("db/creds").map(|r| r.arn.as_str());
        assert_eq!(
            secret,
            Some("arn:aws:secretsmanager:us-east-1:111122223333:secret:db/creds-??????")
        );
        assert_eq!(
            n.lookup("bkt").map(|r| r.arn.as_str()),
            Some("arn:aws:s3:::bkt")
        );
        let o = Naming::new(&m, Some("444455556666"), Some("eu-west-1"));
        assert_eq!(o.account, "444455556666");
        assert_eq!(o.account_source, AccountSource::Option);
    }

    #[test]
    fn substitutes_references_only() {
        let m = model();
        let n = Naming::new(&m, None, None);
        let doc = serde_json::json!({"Resource": [
            "${unknown}aws_secretsmanager_secret.s.arn",
            "${unknown}",
            "${unknown}aws_iam_role.app.unique_id",
            "${unknown}aws_s3_bucket.nope.arn",
            "${unknown}data.aws_caller_identity.current.account_id",
        ]});
        let out = n.substitute(&doc);
        assert_eq!(
            out,
            serde_json::json!({"Resource": [
                "arn:aws:secretsmanager:us-east-1:111122223333:secret:db/creds-??????",
                "${unknown}",
                "${unknown}aws_iam_role.app.unique_id",
                "${unknown}aws_s3_bucket.nope.arn",
                "111122223333",
            ]})
        );
    }
}
