//! `access who`: every principal that can act on one resource.

use crate::analysis::{Analysis, Probe};
use crate::catalog::{AwsResource, Test};
use crate::decide::{decide, Access, Target, Verdict};
use crate::principals::IamKind;
use crate::rbac::{self, K8sGrant};
use crate::workloads::{Mechanism, SaRef};
use palisade_iam::{action_matches, Context};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Who or what a principal is.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PrincipalView {
    /// `iam-user`, `iam-role`, `service-account`, `workload`, `aws-service`,
    /// `federated`, `external`, `anonymous`, `k8s-user`, `k8s-group`.
    pub kind: String,
    /// The model address (`aws_iam_role.app`, `ServiceAccount/ns/name`,
    /// `Deployment/ns/name`) or the principal as written (a service, an ARN).
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// One action on one ARN and its answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GrantView {
    pub action: String,
    /// What part of the resource (`secret`, `objects (any key)`, `DB user app`).
    pub target: String,
    pub arn: String,
    #[serde(flatten)]
    pub access: Access,
}

/// One step from a Kubernetes identity to an AWS role.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChainStep {
    pub from: String,
    pub to: String,
    /// `runs-as`, `irsa`, `pod-identity`, `imds`.
    pub how: String,
    pub detail: String,
    /// The trust policy's answer for IRSA / Pod Identity steps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust: Option<Access>,
}

/// One principal of a `who` answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WhoEntry {
    pub principal: PrincipalView,
    /// How it gets to the IAM principal holding the grants (empty for IAM
    /// principals themselves).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<ChainStep>,
    pub grants: Vec<GrantView>,
    /// Kubernetes RBAC grants (Kubernetes objects only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rbac: Vec<K8sGrant>,
}

impl WhoEntry {
    /// The best verdict of its grants (allowed < conditional < undetermined).
    pub fn verdict(&self) -> Verdict {
        if !self.rbac.is_empty() {
            return Verdict::Allowed;
        }
        let v = self
            .grants
            .iter()
            .map(|g| g.access.verdict)
            .min()
            .unwrap_or(Verdict::Denied);
        let chain_worst = self
            .chain
            .iter()
            .filter_map(|c| c.trust.as_ref().map(|a| a.verdict))
            .max();
        match chain_worst {
            Some(c) if c > v => c,
            _ => v,
        }
    }
}

/// The resource asked about.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ResourceView {
    /// `aws` or `kubernetes`.
    pub domain: String,
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    pub kind: String,
}

/// The answer to `access who`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WhoReport {
    pub resource: ResourceView,
    pub account: String,
    pub actions: Vec<String>,
    pub entries: Vec<WhoEntry>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl WhoReport {
    /// Entries whose principal id is `id`.
    pub fn entry(&self, id: &str) -> Option<&WhoEntry> {
        self.entries.iter().find(|e| e.principal.id == id)
    }
    /// Ids of the entries that may act (any verdict but denied), of one kind.
    pub fn ids(&self, kind: &str) -> BTreeSet<String> {
        self.entries
            .iter()
            .filter(|e| e.principal.kind == kind)
            .map(|e| e.principal.id.clone())
            .collect()
    }
}

/// Problems with a question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueryError {
    NotFound(String),
    NoAction(String),
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QueryError::NotFound(s) | QueryError::NoAction(s) => f.write_str(s),
        }
    }
}

impl std::error::Error for QueryError {}

/// True when `s` looks like a Kubernetes address (`Kind/ns/name`, `Kind/name`).
fn is_k8s_address(s: &str) -> bool {
    let Some((kind, rest)) = s.split_once('/') else {
        return false;
    };
    !s.starts_with("arn:")
        && !kind.contains('.')
        && kind.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && !rest.is_empty()
}

/// The tests and actions for a question on an AWS resource.
fn plan(tests: &[Test], actions: &[String]) -> Result<Vec<(Test, Vec<String>)>, QueryError> {
    if actions.is_empty() {
        return Ok(tests
            .iter()
            .map(|t| (t.clone(), t.actions.iter().map(|a| a.to_string()).collect()))
            .collect());
    }
    let mut out = Vec::new();
    for t in tests {
        let mut acts = Vec::new();
        for a in actions {
            if a.contains(['*', '?']) {
                acts.extend(
                    t.actions
                        .iter()
                        .filter(|x| action_matches(a, x))
                        .map(|x| x.to_string()),
                );
            } else if t.actions.iter().any(|x| x.eq_ignore_ascii_case(a)) {
                acts.push(a.clone());
            }
        }
        if !acts.is_empty() {
            out.push((t.clone(), acts));
        }
    }
    if out.is_empty() {
        // Actions the catalogue does not list apply to every ARN of the resource.
        if actions.iter().any(|a| a.contains(['*', '?'])) {
            return Err(QueryError::NoAction(format!(
                "no action palisade lists for this resource matches {}",
                actions.join(", ")
            )));
        }
        out = tests
            .iter()
            .map(|t| (t.clone(), actions.to_vec()))
            .collect();
    }
    Ok(out)
}

/// Merges entries of the same principal (chains and grants).
fn merge(entries: Vec<WhoEntry>) -> Vec<WhoEntry> {
    let mut out: Vec<WhoEntry> = Vec::new();
    for e in entries {
        match out
            .iter_mut()
            .find(|x| x.principal.kind == e.principal.kind && x.principal.id == e.principal.id)
        {
            Some(x) => {
                for c in e.chain {
                    if !x.chain.contains(&c) {
                        x.chain.push(c);
                    }
                }
                for g in e.grants {
                    if !x.grants.contains(&g) {
                        x.grants.push(g);
                    }
                }
                x.rbac.extend(e.rbac);
            }
            None => out.push(e),
        }
    }
    out
}

fn service_of(action: &str) -> &str {
    action.split_once(':').map(|(s, _)| s).unwrap_or(action)
}

impl<'m> Analysis<'m> {
    /// The catalogue resource a key (address, name, ARN) names.
    pub fn resource(&self, key: &str) -> Option<&AwsResource> {
        let named = self.naming.lookup(key);
        self.resources.iter().find(|r| {
            r.address == key || r.arn == key || named.is_some_and(|n| n.address == r.address)
        })
    }

    /// Every principal that can perform `actions` (all the actions palisade
    /// lists for the resource when empty; wildcards allowed) on `resource`: a
    /// model address, an ARN, or a Kubernetes `Kind/namespace/name`.
    pub fn who(&self, resource: &str, actions: &[String]) -> Result<WhoReport, QueryError> {
        if let Some(r) = self.resource(resource) {
            return self.who_aws(r, &r.tests, actions);
        }
        if resource.starts_with("arn:") {
            // An ARN inside a modelled resource (an object key, a DB user),
            // or one outside the model.
            let owner = self.resources.iter().find(|r| {
                r.tests.iter().any(|t| {
                    palisade_iam::resource_matches(&t.arn, resource)
                        || resource.starts_with(&format!("{}/", r.arn))
                })
            });
            if actions.is_empty() {
                return Err(QueryError::NoAction(format!(
                    "`{resource}` is not a resource of the scanned input: give --action"
                )));
            }
            let test = Test {
                arn: resource.to_string(),
                label: "resource".into(),
                actions: &[],
            };
            let adhoc = AwsResource {
                address: owner.map(|o| o.address.clone()).unwrap_or_default(),
                kind: owner
                    .map(|o| o.kind)
                    .unwrap_or(crate::naming::ResKind::Other),
                arn: resource.to_string(),
                name: resource.to_string(),
                loc: owner
                    .map(|o| o.loc.clone())
                    .unwrap_or_else(|| palisade_model::Location::file_only("-")),
                tests: vec![test.clone()],
                policy: owner.and_then(|o| o.policy.clone()),
                policy_service: owner.and_then(|o| o.policy_service),
            };
            return self.who_aws(&adhoc, &[test], actions);
        }
        if is_k8s_address(resource) {
            return self.who_k8s(resource, actions);
        }
        Err(QueryError::NotFound(format!(
            "`{resource}` is not a resource of the scanned input (give an address, an ARN or Kind/namespace/name)"
        )))
    }

    fn who_aws(
        &self,
        r: &AwsResource,
        tests: &[Test],
        actions: &[String],
    ) -> Result<WhoReport, QueryError> {
        let plan = plan(tests, actions)?;
        let mut notes = self.notes.clone();
        // IAM principals.
        let mut by_principal: BTreeMap<usize, Vec<GrantView>> = BTreeMap::new();
        let mut by_probe: BTreeMap<Probe, Vec<GrantView>> = BTreeMap::new();
        let mut all_actions = Vec::new();
        for (test, acts) in &plan {
            for action in acts {
                if !all_actions.contains(action) {
                    all_actions.push(action.clone());
                }
                let policy = r.policy_for(action);
                let mut cands = BTreeSet::new();
                self.index
                    .candidates(service_of(action), &test.arn, &mut cands);
                let mut probes = BTreeSet::new();
                if let Some(p) = policy {
                    let (known, pr) = self.named_in(p);
                    cands.extend(known);
                    probes = pr;
                    if let Some(why) = p.may_allow_unknown(action, &test.arn) {
                        let n = format!("the resource policy may grant others: {why}");
                        if !notes.contains(&n) {
                            notes.push(n);
                        }
                    }
                }
                for i in cands {
                    let Some(p) = self.principals.get(i) else {
                        continue;
                    };
                    let a = self.decide_principal(p, action, &test.arn, Some(r));
                    if a.verdict != Verdict::Denied {
                        by_principal.entry(i).or_default().push(GrantView {
                            action: action.clone(),
                            target: test.label.clone(),
                            arn: test.arn.clone(),
                            access: a,
                        });
                    }
                }
                for probe in probes {
                    // Federated identities of a trust policy are answered
                    // through the service accounts they stand for.
                    if let Probe::Federated(f) = &probe {
                        if self.identities.exposures.iter().any(|e| &e.provider == f) {
                            continue;
                        }
                    }
                    let target = Target {
                        arn: &test.arn,
                        account: None,
                        resource_policy: policy,
                    };
                    let a = decide(&self.probe_caller(&probe), action, &target, &Context::new());
                    if a.verdict != Verdict::Denied {
                        by_probe.entry(probe).or_default().push(GrantView {
                            action: action.clone(),
                            target: test.label.clone(),
                            arn: test.arn.clone(),
                            access: a,
                        });
                    }
                }
            }
        }
        let mut entries = Vec::new();
        for (i, grants) in &by_principal {
            let Some(p) = self.principals.get(*i) else {
                continue;
            };
            entries.push(WhoEntry {
                principal: PrincipalView {
                    kind: match p.kind {
                        IamKind::User => "iam-user".into(),
                        IamKind::Role => "iam-role".into(),
                    },
                    id: p.address.clone(),
                    arn: Some(p.arn.clone()),
                    name: Some(p.name.clone()),
                },
                chain: Vec::new(),
                grants: grants.clone(),
                rbac: Vec::new(),
            });
        }
        // Service accounts and workloads behind the roles.
        let role_grants: Vec<(usize, &Vec<GrantView>)> = by_principal
            .iter()
            .filter(|(i, _)| {
                self.principals
                    .get(**i)
                    .is_some_and(|p| p.kind == IamKind::Role)
            })
            .map(|(i, g)| (*i, g))
            .collect();
        entries.extend(self.kubernetes_entries(&role_grants));
        // A role asked about: the service accounts that can assume it.
        if r.kind == crate::naming::ResKind::IamRole {
            if let Some(ri) = self.principal_index(&r.address) {
                entries.extend(self.assumers(ri, &r.arn, &all_actions));
            }
        }
        for (probe, grants) in by_probe {
            let (kind, id) = match probe {
                Probe::Anonymous => ("anonymous", "anyone (Principal *)".to_string()),
                Probe::External(a) => ("external", a),
                Probe::Service(s) => ("aws-service", s),
                Probe::Federated(f) => ("federated", f),
            };
            entries.push(WhoEntry {
                principal: PrincipalView {
                    kind: kind.into(),
                    id,
                    arn: None,
                    name: None,
                },
                chain: Vec::new(),
                grants,
                rbac: Vec::new(),
            });
        }
        if let Some(p) = &r.policy {
            if let Some(w) = &p.whole_unknown {
                notes.push(format!("the resource policy is unknown: {w}"));
            }
        }
        Ok(WhoReport {
            entries: merge(entries),
            resource: ResourceView {
                domain: "aws".into(),
                id: if r.address.is_empty() {
                    r.arn.clone()
                } else {
                    r.address.clone()
                },
                arn: Some(r.arn.clone()),
                kind: format!("{:?}", r.kind),
            },
            account: self.account().to_string(),
            actions: all_actions,
            notes,
        })
    }

    /// Service accounts (and their workloads) that can assume role `ri`.
    fn assumers(&self, ri: usize, arn: &str, actions: &[String]) -> Vec<WhoEntry> {
        let mut out: BTreeMap<String, WhoEntry> = BTreeMap::new();
        for link in self.identities.links_to(ri) {
            let action = match link.mechanism {
                Mechanism::Irsa { .. } => "sts:AssumeRoleWithWebIdentity",
                Mechanism::PodIdentity { .. } => "sts:AssumeRole",
            };
            if !actions.iter().any(|a| action_matches(a, action)) {
                continue;
            }
            let grant = GrantView {
                action: action.to_string(),
                target: "role".into(),
                arn: arn.to_string(),
                access: link.trust.clone(),
            };
            let how = match &link.mechanism {
                Mechanism::Irsa { provider } => format!("IRSA through {provider}"),
                Mechanism::PodIdentity { association } => {
                    format!("EKS Pod Identity ({association})")
                }
            };
            let sa_id = link.sa.address();
            out.entry(sa_id.clone())
                .or_insert_with(|| WhoEntry {
                    principal: PrincipalView {
                        kind: "service-account".into(),
                        id: sa_id.clone(),
                        arn: None,
                        name: Some(link.sa.subject()),
                    },
                    chain: Vec::new(),
                    grants: Vec::new(),
                    rbac: Vec::new(),
                })
                .grants
                .push(grant.clone());
            for w in self
                .identities
                .service_account(&link.sa)
                .map(|i| i.workloads.clone())
                .unwrap_or_default()
            {
                let e = out.entry(w.clone()).or_insert_with(|| WhoEntry {
                    principal: PrincipalView {
                        kind: "workload".into(),
                        id: w.clone(),
                        arn: None,
                        name: None,
                    },
                    chain: vec![ChainStep {
                        from: w.clone(),
                        to: sa_id.clone(),
                        how: "runs-as".into(),
                        detail: format!("the pods run as this service account ({how})"),
                        trust: None,
                    }],
                    grants: Vec::new(),
                    rbac: Vec::new(),
                });
                e.grants.push(grant.clone());
            }
        }
        let mut v: Vec<WhoEntry> = out.into_values().collect();
        v.sort_by(|a, b| {
            (&a.principal.kind, &a.principal.id).cmp(&(&b.principal.kind, &b.principal.id))
        });
        v
    }

    /// Service accounts and workloads that reach roles holding grants.
    pub(crate) fn kubernetes_entries(&self, roles: &[(usize, &Vec<GrantView>)]) -> Vec<WhoEntry> {
        let mut sa_entries: BTreeMap<SaRef, WhoEntry> = BTreeMap::new();
        let mut wl_entries: BTreeMap<String, WhoEntry> = BTreeMap::new();
        for (ri, grants) in roles {
            let Some(role) = self.principals.get(*ri) else {
                continue;
            };
            for link in self.identities.links_to(*ri) {
                let (how, detail) = match &link.mechanism {
                    Mechanism::Irsa { provider } => (
                        "irsa",
                        format!(
                            "the trust policy allows sts:AssumeRoleWithWebIdentity for {} from {provider}{}",
                            link.sa.subject(),
                            if link.annotated {
                                " (the service account is annotated with the role)"
                            } else {
                                " (no role annotation: any pod running as it can still request the token)"
                            }
                        ),
                    ),
                    Mechanism::PodIdentity { association } => (
                        "pod-identity",
                        format!("{association} associates it with the role, and the trust policy allows pods.eks.amazonaws.com"),
                    ),
                };
                let step = ChainStep {
                    from: link.sa.address(),
                    to: role.address.clone(),
                    how: how.into(),
                    detail,
                    trust: Some(link.trust.clone()),
                };
                let e = sa_entries
                    .entry(link.sa.clone())
                    .or_insert_with(|| WhoEntry {
                        principal: PrincipalView {
                            kind: "service-account".into(),
                            id: link.sa.address(),
                            arn: None,
                            name: Some(link.sa.subject()),
                        },
                        chain: Vec::new(),
                        grants: Vec::new(),
                        rbac: Vec::new(),
                    });
                e.chain.push(step.clone());
                e.grants.extend(grants.iter().cloned());
                if let Some(info) = self.identities.service_account(&link.sa) {
                    for w in &info.workloads {
                        let we = wl_entries.entry(w.clone()).or_insert_with(|| WhoEntry {
                            principal: PrincipalView {
                                kind: "workload".into(),
                                id: w.clone(),
                                arn: None,
                                name: None,
                            },
                            chain: Vec::new(),
                            grants: Vec::new(),
                            rbac: Vec::new(),
                        });
                        let runs = ChainStep {
                            from: w.clone(),
                            to: link.sa.address(),
                            how: "runs-as".into(),
                            detail: "the pods run as this service account".into(),
                            trust: None,
                        };
                        if !we.chain.contains(&runs) {
                            we.chain.push(runs);
                        }
                        we.chain.push(step.clone());
                        we.grants.extend(grants.iter().cloned());
                    }
                }
            }
            // Node roles reached through IMDS.
            for w in &self.identities.workloads {
                for (node, why) in self.identities.node_roles_of(w) {
                    if node.role != Some(*ri) {
                        continue;
                    }
                    let we = wl_entries
                        .entry(w.address.clone())
                        .or_insert_with(|| WhoEntry {
                            principal: PrincipalView {
                                kind: "workload".into(),
                                id: w.address.clone(),
                                arn: None,
                                name: None,
                            },
                            chain: Vec::new(),
                            grants: Vec::new(),
                            rbac: Vec::new(),
                        });
                    we.chain.push(ChainStep {
                        from: w.address.clone(),
                        to: role.address.clone(),
                        how: "imds".into(),
                        detail: format!(
                            "may run on node group {}, whose instance role it reaches through IMDS: {why}",
                            node.node_group
                        ),
                        trust: None,
                    });
                    we.grants.extend(grants.iter().cloned());
                }
            }
        }
        sa_entries
            .into_values()
            .chain(wl_entries.into_values())
            .collect()
    }

    fn who_k8s(&self, resource: &str, verbs: &[String]) -> Result<WhoReport, QueryError> {
        let parts: Vec<&str> = resource.split('/').collect();
        let (kind, ns, name) = match parts.as_slice() {
            [k, n] if palisade_model::k8s::is_cluster_scoped(k) => (*k, None, Some(*n)),
            [k, ns, n] => (*k, Some(*ns), Some(*n)),
            [k, ns] => (*k, Some(*ns), None),
            _ => {
                return Err(QueryError::NotFound(format!(
                    "`{resource}`: expected Kind/namespace/name"
                )))
            }
        };
        let (group, plural) = rbac::resource_of(kind);
        let verbs: Vec<String> = if verbs.is_empty() {
            rbac::DEFAULT_VERBS.iter().map(|v| v.to_string()).collect()
        } else {
            verbs
                .iter()
                .map(|v| v.rsplit(':').next().unwrap_or(v).to_string())
                .collect()
        };
        let vrefs: Vec<&str> = verbs.iter().map(String::as_str).collect();
        let grants = self.rbac.who_can(&group, &plural, ns, name, &vrefs);
        let mut by_subject: BTreeMap<String, WhoEntry> = BTreeMap::new();
        let mut workload_entries: BTreeMap<String, WhoEntry> = BTreeMap::new();
        for g in grants {
            let id = g.subject.display();
            let kind = match g.subject.kind.as_str() {
                "ServiceAccount" => "service-account",
                "Group" => "k8s-group",
                _ if g.subject.service_account().is_some() => "service-account",
                _ => "k8s-user",
            };
            let sas = if g.subject.kind == "Group" {
                g.service_accounts.clone()
            } else {
                g.subject.service_account().into_iter().collect()
            };
            for sa in &sas {
                for w in self
                    .identities
                    .service_account(sa)
                    .map(|i| i.workloads.clone())
                    .unwrap_or_default()
                {
                    let e = workload_entries
                        .entry(w.clone())
                        .or_insert_with(|| WhoEntry {
                            principal: PrincipalView {
                                kind: "workload".into(),
                                id: w.clone(),
                                arn: None,
                                name: None,
                            },
                            chain: vec![ChainStep {
                                from: w.clone(),
                                to: sa.address(),
                                how: "runs-as".into(),
                                detail: "the pods run as this service account".into(),
                                trust: None,
                            }],
                            grants: Vec::new(),
                            rbac: Vec::new(),
                        });
                    e.rbac.push(g.clone());
                }
            }
            by_subject
                .entry(id.clone())
                .or_insert_with(|| WhoEntry {
                    principal: PrincipalView {
                        kind: kind.into(),
                        id,
                        arn: None,
                        name: None,
                    },
                    chain: Vec::new(),
                    grants: Vec::new(),
                    rbac: Vec::new(),
                })
                .rbac
                .push(g);
        }
        let mut notes = Vec::new();
        if kind == "Secret" {
            notes.push(
                "anyone who can create pods in the namespace can also mount the Secret \
                 (check `create` on pods)"
                    .into(),
            );
        }
        Ok(WhoReport {
            resource: ResourceView {
                domain: "kubernetes".into(),
                id: resource.to_string(),
                arn: None,
                kind: kind.to_string(),
            },
            account: self.account().to_string(),
            actions: verbs,
            entries: by_subject
                .into_values()
                .chain(workload_entries.into_values())
                .collect(),
            notes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_kubernetes_addresses() {
        assert!(is_k8s_address("Secret/prod/db-creds"));
        assert!(is_k8s_address("ClusterRole/admin"));
        assert!(!is_k8s_address("aws_iam_role.app"));
        assert!(!is_k8s_address("arn:aws:s3:::b/k"));
        assert!(!is_k8s_address("module.x/y"));
    }
}

#[cfg(test)]
mod query_tests {
    use crate::decide::Verdict;
    use crate::testutil::{model, role};
    use crate::{Analysis, Options};

    const BUCKET: &str = r#"
resource "aws_s3_bucket" "data" {
  bucket = "data-111122223333"
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "Partner"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::444455556666:role/partner" }
        Action    = "s3:GetObject"
        Resource  = "arn:aws:s3:::data-111122223333/*"
      },
      {
        Sid       = "PublicFromOffice"
        Effect    = "Allow"
        Principal = "*"
        Action    = "s3:GetObject"
        Resource  = "arn:aws:s3:::data-111122223333/*"
        Condition = { IpAddress = { "aws:SourceIp" = "198.51.100.0/24" } }
      },
      {
        Sid       = "NoDeletes"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:DeleteObject"
        Resource  = "arn:aws:s3:::data-111122223333/*"
      }
    ]
  })
}
"#;

    #[test]
    fn who_reports_principals_conditions_and_denies() {
        let app = role(
            "app",
            r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::data-111122223333/*",
   "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}"#,
        );
        let m = model(&[("main.tf", &format!("{BUCKET}{app}"))]);
        let opts = Options {
            account: Some("111122223333".into()),
            region: None,
        };
        let a = Analysis::new(&m, &opts);
        let r = a
            .who(
                "aws_s3_bucket.data",
                &["s3:GetObject".into(), "s3:DeleteObject".into()],
            )
            .expect("who");
        let app = r.entry("aws_iam_role.app").expect("app entry");
        let get = app
            .grants
            .iter()
            .find(|g| g.action == "s3:GetObject")
            .expect("get");
        assert_eq!(get.access.verdict, Verdict::Conditional);
        assert_eq!(
            get.access.conditions.first().map(|c| c.category),
            Some("mfa")
        );
        // The explicit deny wins over s3:*.
        assert!(app.grants.iter().all(|g| g.action != "s3:DeleteObject"));
        let partner = r
            .entry("arn:aws:iam::444455556666:role/partner")
            .expect("cross-account partner");
        assert_eq!(partner.principal.kind, "external");
        assert!(partner.grants[0]
            .access
            .notes
            .iter()
            .any(|n| n.contains("another account")));
        let anyone = r.entry("anyone (Principal *)").expect("anonymous");
        let g = &anyone.grants[0];
        assert_eq!(g.access.verdict, Verdict::Conditional);
        assert_eq!(g.access.conditions[0].category, "source-ip");
        let text = crate::render::who_text(&r);
        assert!(
            text.contains("when IpAddress aws:SourceIp 198.51.100.0/24 [source-ip]"),
            "{text}"
        );
    }

    #[test]
    fn what_expands_wildcards_and_shows_beyond_the_model() {
        let ops = role(
            "ops",
            r#"{"Version": "2012-10-17", "Statement": [
  {"Sid": "AllS3", "Effect": "Allow", "Action": "s3:Get*", "Resource": "*"},
  {"Sid": "Elsewhere", "Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "arn:aws:dynamodb:eu-west-1:111122223333:table/t"}]}"#,
        );
        let m = model(&[("main.tf", &format!("{BUCKET}{ops}"))]);
        let a = Analysis::new(&m, &Options::default());
        let w = a.what("aws_iam_role.ops").expect("what");
        assert_eq!(
            w.actions_on("aws_s3_bucket.data"),
            vec!["s3:GetBucketPolicy".to_string(), "s3:GetObject".to_string()]
        );
        let beyond: Vec<&str> = w
            .beyond_model
            .iter()
            .filter_map(|b| b.sid.as_deref())
            .collect();
        assert_eq!(beyond, vec!["AllS3", "Elsewhere"]);
        assert!(a.what("nobody").is_err());
        assert!(a.who("aws_s3_bucket.nope", &[]).is_err());
    }
}
