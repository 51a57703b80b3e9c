//! Questions rules ask, answered from the analysis.

use crate::analysis::Analysis;
use crate::catalog::AwsResource;
use crate::decide::{Access, Verdict};
use crate::naming::ResKind;
use crate::principals::IamKind;
use crate::rbac::{self, K8sGrant};
use crate::workloads::{Imds, Mechanism, SaRef};
use palisade_iam::{ActionBlock, Effect, ResourceBlock};
use palisade_model::Location;
use std::collections::{BTreeMap, BTreeSet};

/// The services a workload role is expected to need (IAM-01).
pub const WORKLOAD_SERVICES: &[&str] = &["secretsmanager", "kms", "rds", "rds-db", "s3", "logs"];

/// A workload role whose grants reach beyond what workloads need.
#[derive(Clone, Debug)]
pub struct BroadRole {
    pub role: String,
    /// Service accounts that reach it, with the mechanism.
    pub reached_by: Vec<String>,
    /// Allow statements that are too broad: (policy label, statement index,
    /// sid, why, location).
    pub statements: Vec<BroadStatement>,
}

#[derive(Clone, Debug)]
pub struct BroadStatement {
    pub policy: String,
    pub statement: usize,
    pub sid: Option<String>,
    /// Services beyond [`WORKLOAD_SERVICES`] (`*` for every service).
    pub extra_services: BTreeSet<String>,
    /// The statement uses `*` actions or `*` resources.
    pub wildcard: bool,
    /// Scanned resources it reaches that the role's other statements do not name.
    pub unused_resources: BTreeSet<String>,
    pub loc: Option<Location>,
}

fn action_service(a: &str) -> String {
    match a.split_once(':') {
        Some((s, _)) if !s.contains(['*', '?']) => s.to_ascii_lowercase(),
        _ => "*".into(),
    }
}

impl<'m> Analysis<'m> {
    /// Roles reached from service accounts whose statements span services
    /// beyond [`WORKLOAD_SERVICES`] or use `*`.
    pub fn broad_workload_roles(&self) -> Vec<BroadRole> {
        let mut reached: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for l in &self.identities.links {
            if l.trust.verdict.may_grant() {
                let how = match &l.mechanism {
                    Mechanism::Irsa { .. } => "IRSA",
                    Mechanism::PodIdentity { .. } => "Pod Identity",
                };
                reached
                    .entry(l.role)
                    .or_default()
                    .push(format!("{} ({how})", l.sa.address()));
            }
        }
        let mut out = Vec::new();
        for (ri, sas) in reached {
            let Some(role) = self.principals.get(ri) else {
                continue;
            };
            let mut statements = Vec::new();
            // Resources named by the role's scoped statements.
            let mut named: BTreeSet<String> = BTreeSet::new();
            for p in &role.policies {
                let Some(pol) = &p.policy else { continue };
                for s in pol
                    .statements()
                    .iter()
                    .filter(|s| s.effect == Effect::Allow)
                {
                    if let Some(ResourceBlock::Resource(rs)) = &s.resource {
                        for r in rs.iter().filter(|r| r.as_str() != "*") {
                            for res in &self.resources {
                                if res
                                    .tests
                                    .iter()
                                    .any(|t| palisade_iam::resource_matches(r, &t.arn))
                                {
                                    named.insert(res.address.clone());
                                }
                            }
                        }
                    }
                }
            }
            for p in &role.policies {
                let Some(pol) = &p.policy else { continue };
                for s in pol
                    .statements()
                    .iter()
                    .filter(|s| s.effect == Effect::Allow)
                {
                    let (extra, action_wild): (BTreeSet<String>, bool) = match &s.action {
                        ActionBlock::Action(a) => (
                            a.iter()
                                .map(|x| action_service(x))
                                .filter(|svc| !WORKLOAD_SERVICES.contains(&svc.as_str()))
                                .collect(),
                            a.iter().any(|x| {
                                x == "*"
                                    || x.ends_with(":*")
                                    || x.split(':').next().is_some_and(|s| s.contains('*'))
                            }),
                        ),
                        ActionBlock::NotAction(_) => (["*".to_string()].into(), true),
                    };
                    let resource_wild = match &s.resource {
                        Some(ResourceBlock::Resource(r)) => r.iter().any(|x| x == "*"),
                        _ => true,
                    };
                    let wildcard = action_wild || resource_wild;
                    if extra.is_empty() && !wildcard {
                        continue;
                    }
                    // What the broad statement reaches among scanned resources.
                    let mut unused = BTreeSet::new();
                    if wildcard {
                        for res in &self.resources {
                            if named.contains(&res.address) || res.address == role.address {
                                continue;
                            }
                            let hit = res.tests.iter().any(|t| {
                                t.actions.iter().any(|a| {
                                    crate::decide::action_hit(s, a)
                                        && match &s.resource {
                                            Some(ResourceBlock::Resource(rs)) => rs
                                                .iter()
                                                .any(|x| palisade_iam::resource_matches(x, &t.arn)),
                                            _ => true,
                                        }
                                })
                            });
                            if hit {
                                unused.insert(res.address.clone());
                            }
                        }
                    }
                    statements.push(BroadStatement {
                        policy: p.source.label.clone(),
                        statement: p.original(s.index),
                        sid: s.sid.clone(),
                        extra_services: extra,
                        wildcard,
                        unused_resources: unused,
                        loc: p.source.loc.clone(),
                    });
                }
            }
            if !statements.is_empty() {
                out.push(BroadRole {
                    role: role.address.clone(),
                    reached_by: sas,
                    statements,
                });
            }
        }
        out
    }

    /// Who can `rds-db:connect` to each database, per database user
    /// (`*` = any user), with the service accounts behind each role.
    pub fn db_connections(&self) -> Vec<DbConnections> {
        let mut out = Vec::new();
        for r in self
            .resources
            .iter()
            .filter(|r| matches!(r.kind, ResKind::DbInstance | ResKind::DbCluster))
        {
            let mut conns = Vec::new();
            for t in r
                .tests
                .iter()
                .filter(|t| t.actions == crate::catalog::DB_CONNECT)
            {
                let user = t.arn.rsplit('/').next().unwrap_or("*").to_string();
                for (i, p) in self.principals.iter().enumerate() {
                    if !p
                        .policies
                        .iter()
                        .any(|pp| pp.mentions_action("rds-db:connect"))
                    {
                        continue;
                    }
                    let a = self.decide_principal(p, "rds-db:connect", &t.arn, Some(r));
                    if a.verdict == Verdict::Denied {
                        continue;
                    }
                    let sas: Vec<SaRef> = self
                        .identities
                        .links_to(i)
                        .filter(|l| l.trust.verdict.may_grant())
                        .map(|l| l.sa.clone())
                        .collect();
                    conns.push(DbConnection {
                        principal: p.address.clone(),
                        role: p.kind == IamKind::Role,
                        user: user.clone(),
                        access: a,
                        service_accounts: sas,
                    });
                }
            }
            let iam_auth = match r.kind {
                ResKind::DbInstance => self
                    .model
                    .aws
                    .db_instances
                    .iter()
                    .find(|d| d.meta.address == r.address)
                    .map(|d| d.iam_authentication.clone()),
                _ => self
                    .model
                    .aws
                    .db_clusters
                    .iter()
                    .find(|d| d.meta.address == r.address)
                    .map(|d| d.iam_authentication.clone()),
            };
            out.push(DbConnections {
                db: r.address.clone(),
                loc: r.loc.clone(),
                iam_auth,
                connections: conns,
            });
        }
        out
    }

    /// Principals that can use a KMS key for cryptography only through a
    /// grant that is not scoped to it (`kms:*` to the account root plus an
    /// identity statement on `*`), and the services its key policy admits.
    pub fn kms_key_usage(&self) -> Vec<KeyUsage> {
        let crypto = [
            "kms:Decrypt",
            "kms:Encrypt",
            "kms:GenerateDataKey",
            "kms:CreateGrant",
        ];
        let mut out = Vec::new();
        for r in self.resources.iter().filter(|r| r.kind == ResKind::KmsKey) {
            let mut broad = Vec::new();
            // The same key policy on another key of the account.
            let other_arn = format!(
                "arn:aws:kms:{}:{}:key/zz-palisade-probe",
                self.naming.region,
                self.account()
            );
            for action in crypto {
                for (i, a) in self.allowed_principals(action, &r.arn, r.policy.as_ref()) {
                    let Some(p) = self.principals.get(i) else {
                        continue;
                    };
                    let elsewhere = self
                        .decide_principal(p, action, &other_arn, Some(r))
                        .verdict
                        .grants();
                    if elsewhere
                        && !broad
                            .iter()
                            .any(|(x, _, _): &(String, String, Access)| x == &p.address)
                    {
                        broad.push((p.address.clone(), action.to_string(), a));
                    }
                }
            }
            let mut services = BTreeSet::new();
            if let Some(pol) = r.policy.as_ref().and_then(|p| p.policy.as_ref()) {
                for s in pol
                    .statements()
                    .iter()
                    .filter(|s| s.effect == Effect::Allow)
                {
                    for c in &s.conditions {
                        if c.key.eq_ignore_ascii_case("kms:ViaService") {
                            services.extend(c.values.iter().map(|v| short_service(v)));
                        }
                    }
                    if let Some(palisade_iam::PrincipalBlock::Principal(
                        palisade_iam::PrincipalSpec::Typed(e),
                    )) = &s.principal
                    {
                        for (t, vals) in e {
                            if *t == palisade_iam::PrincipalType::Service {
                                services.extend(vals.iter().map(|v| short_service(v)));
                            }
                        }
                    }
                }
            }
            let root_all = r.policy.as_ref().and_then(|p| p.policy.as_ref()).is_some_and(|pol| {
                pol.statements().iter().any(|s| {
                    s.effect == Effect::Allow
                        && s.conditions.is_empty()
                        && matches!(&s.action, ActionBlock::Action(a) if a.iter().any(|x| x == "kms:*" || x == "*"))
                        && matches!(&s.principal, Some(palisade_iam::PrincipalBlock::Principal(palisade_iam::PrincipalSpec::Typed(e)))
                            if e.iter().any(|(t, v)| *t == palisade_iam::PrincipalType::Aws
                                && v.iter().any(|x| palisade_iam::principal::account_of_principal_value(x).is_some())))
                })
            });
            out.push(KeyUsage {
                key: r.address.clone(),
                loc: r
                    .policy
                    .as_ref()
                    .and_then(|p| p.source.loc.clone())
                    .unwrap_or_else(|| r.loc.clone()),
                root_kms_all: root_all,
                broad,
                services,
            });
        }
        out
    }

    /// Subjects from outside each namespace that can read its Secrets.
    pub fn outside_secret_readers(&self) -> BTreeMap<String, Vec<K8sGrant>> {
        let mut out = BTreeMap::new();
        for ns in rbac::namespaces(self.model) {
            let readers = rbac::outside_secret_readers(&self.rbac, &ns);
            if !readers.is_empty() {
                out.insert(ns, readers);
            }
        }
        out
    }

    /// Node groups whose instance role pods reach through IMDS, with the
    /// workloads that may run there and the role's extra services.
    pub fn node_role_exposure(&self) -> Vec<NodeExposure> {
        let mut out = Vec::new();
        for n in &self.identities.node_roles {
            let Imds::Reachable(why) = &n.imds else {
                continue;
            };
            let workloads: Vec<String> = self
                .identities
                .workloads
                .iter()
                .map(|w| w.address.clone())
                .collect();
            let ng = self
                .model
                .aws
                .eks_node_groups
                .iter()
                .find(|g| g.meta.address == n.node_group);
            let lt = ng
                .and_then(|g| g.launch_template.some())
                .and_then(|r| self.model.aws.get::<palisade_model::aws::LaunchTemplate>(r));
            let loc = lt
                .and_then(|t| {
                    if t.http_tokens.get().is_some_and(|v| v != "required") {
                        t.http_tokens.loc().cloned()
                    } else {
                        t.http_put_response_hop_limit.loc().cloned()
                    }
                    .or(Some(t.meta.loc.clone()))
                })
                .unwrap_or_else(|| n.loc.clone());
            out.push(NodeExposure {
                node_group: n.node_group.clone(),
                role: n.role_address.clone(),
                why: why.clone(),
                workloads,
                loc,
            });
        }
        out
    }

    /// The catalogue resource with this address.
    pub fn resource_by_address(&self, address: &str) -> Option<&AwsResource> {
        self.resources.iter().find(|r| r.address == address)
    }
}

fn short_service(v: &str) -> String {
    v.split('.').next().unwrap_or(v).to_string()
}

/// Who connects to one database.
#[derive(Clone, Debug)]
pub struct DbConnections {
    pub db: String,
    pub loc: Location,
    pub iam_auth: Option<palisade_model::Val<bool>>,
    pub connections: Vec<DbConnection>,
}

#[derive(Clone, Debug)]
pub struct DbConnection {
    pub principal: String,
    pub role: bool,
    /// The database user (`*` = any user).
    pub user: String,
    pub access: Access,
    pub service_accounts: Vec<SaRef>,
}

/// How a KMS key can be used.
#[derive(Clone, Debug)]
pub struct KeyUsage {
    pub key: String,
    pub loc: Location,
    /// The key policy gives `kms:*` to the account without conditions.
    pub root_kms_all: bool,
    /// (principal, action, answer) for principals whose grant is not scoped to this key.
    pub broad: Vec<(String, String, Access)>,
    /// Services the key policy admits (`kms:ViaService`, service principals).
    pub services: BTreeSet<String>,
}

/// A node group whose role pods can borrow.
#[derive(Clone, Debug)]
pub struct NodeExposure {
    pub node_group: String,
    pub role: Option<String>,
    pub why: String,
    pub workloads: Vec<String>,
    pub loc: Location,
}
