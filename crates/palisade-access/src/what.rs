//! `access what`: everything one principal can do.

use crate::analysis::Analysis;
use crate::decide::{Access, Cond, Verdict};
use crate::principals::{IamKind, IamPrincipal};
use crate::rbac::{Rule, Scope, SubjectRef};
use crate::who::{ChainStep, PrincipalView, QueryError};
use crate::workloads::{Mechanism, SaRef};
use palisade_iam::{resource_matches, ActionBlock, Effect, ResourceBlock};
use serde::Serialize;
use std::collections::BTreeMap;

/// An IAM identity the principal acts as.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IdentityView {
    pub role: String,
    pub arn: String,
    /// How it gets there (empty for the principal itself).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<ChainStep>,
}

/// The actions allowed on one part of one resource.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ResourceGrants {
    pub resource: String,
    pub arn: String,
    pub target: String,
    /// The IAM identity holding the grants.
    pub identity: String,
    pub actions: Vec<ActionGrant>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ActionGrant {
    pub action: String,
    #[serde(flatten)]
    pub access: Access,
}

/// Grants on resources that are not in the scanned input (or on `*`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BeyondGrant {
    pub identity: String,
    pub policy: String,
    pub statement: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// `Action` patterns (or `NotAction …`).
    pub actions: Vec<String>,
    /// Resource patterns that match no scanned resource (`*` included).
    pub resources: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Cond>,
}

/// One Kubernetes permission.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct K8sPermission {
    pub scope: Scope,
    pub binding: String,
    pub role: String,
    /// The subject of the binding that includes the principal.
    pub subject: SubjectRef,
    pub rule: Rule,
}

/// The answer to `access what`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WhatReport {
    pub principal: PrincipalView,
    pub account: String,
    pub identities: Vec<IdentityView>,
    /// Service → grants on the scanned resources.
    pub services: BTreeMap<String, Vec<ResourceGrants>>,
    /// Allow statements that also reach beyond the scanned resources.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub beyond_model: Vec<BeyondGrant>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kubernetes: Vec<K8sPermission>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl WhatReport {
    /// Allowed (or conditional) actions on a resource address.
    pub fn actions_on(&self, resource: &str) -> Vec<String> {
        self.services
            .values()
            .flatten()
            .filter(|g| g.resource == resource)
            .flat_map(|g| {
                g.actions
                    .iter()
                    .filter(|a| a.access.verdict.grants())
                    .map(|a| a.action.clone())
            })
            .collect()
    }
}

fn statement_may_touch(p: &IamPrincipal, action: &str, arn: &str) -> bool {
    p.policies.iter().any(|pol| {
        pol.whole_unknown.is_some()
            || pol
                .unknown
                .iter()
                .any(|u| u.may_allow() && u.may_apply(action, arn))
            || pol.policy.as_ref().is_some_and(|pp| {
                pp.statements().iter().any(|s| {
                    s.effect == Effect::Allow
                        && crate::decide::action_hit(s, action)
                        && match &s.resource {
                            Some(ResourceBlock::Resource(r)) => r
                                .iter()
                                .any(|x| x.contains('$') || resource_matches(x, arn)),
                            _ => true,
                        }
                })
            })
    })
}

impl<'m> Analysis<'m> {
    /// Everything a principal can do: an IAM user or role (address, name or
    /// ARN), a `ServiceAccount/NS/NAME`, or a workload `Kind/NS/NAME`.
    pub fn what(&self, principal: &str) -> Result<WhatReport, QueryError> {
        let mut identities: Vec<(usize, Vec<ChainStep>)> = Vec::new();
        let mut kubernetes = Vec::new();
        let mut notes = self.notes.clone();
        let view;
        if let Some(i) = self.principal_index(principal) {
            let p = &self.principals[i];
            view = PrincipalView {
                kind: match p.kind {
                    IamKind::User => "iam-user".into(),
                    IamKind::Role => "iam-role".into(),
                },
                id: p.address.clone(),
                arn: Some(p.arn.clone()),
                name: Some(p.name.clone()),
            };
            identities.push((i, Vec::new()));
        } else if let Some(sa) = SaRef::parse(principal) {
            view = PrincipalView {
                kind: "service-account".into(),
                id: sa.address(),
                arn: None,
                name: Some(sa.subject()),
            };
            if self.identities.service_account(&sa).is_none() {
                notes.push(format!(
                    "{} is not among the scanned manifests; its namespace's roles are still checked",
                    sa.address()
                ));
            }
            identities.extend(self.sa_identities(&sa, None));
            kubernetes.extend(self.k8s_permissions(&sa));
        } else if let Some(w) = self
            .identities
            .workloads
            .iter()
            .find(|w| w.address == principal)
        {
            view = PrincipalView {
                kind: "workload".into(),
                id: w.address.clone(),
                arn: None,
                name: None,
            };
            match &w.service_account {
                Some(sa) => {
                    let runs = ChainStep {
                        from: w.address.clone(),
                        to: sa.address(),
                        how: "runs-as".into(),
                        detail: "the pods run as this service account".into(),
                        trust: None,
                    };
                    identities.extend(self.sa_identities(sa, Some(runs)));
                    kubernetes.extend(self.k8s_permissions(sa));
                }
                None => notes.push(format!(
                    "the service account of {} is unknown ({})",
                    w.address,
                    w.service_account_unknown.as_deref().unwrap_or("unknown")
                )),
            }
            for (node, why) in self.identities.node_roles_of(w) {
                if let Some(ri) = node.role {
                    identities.push((
                        ri,
                        vec![ChainStep {
                            from: w.address.clone(),
                            to: node.role_address.clone().unwrap_or_default(),
                            how: "imds".into(),
                            detail: format!(
                                "may run on node group {}, whose instance role it reaches through IMDS: {why}",
                                node.node_group
                            ),
                            trust: None,
                        }],
                    ));
                }
            }
        } else {
            return Err(QueryError::NotFound(format!(
                "`{principal}` is not an IAM user or role, a ServiceAccount/NS/NAME or a workload of the scanned input"
            )));
        }

        let mut services: BTreeMap<String, Vec<ResourceGrants>> = BTreeMap::new();
        let mut beyond = Vec::new();
        let mut views = Vec::new();
        for (i, chain) in &identities {
            let Some(p) = self.principals.get(*i) else {
                continue;
            };
            views.push(IdentityView {
                role: p.address.clone(),
                arn: p.arn.clone(),
                chain: chain.clone(),
            });
            if views.iter().filter(|v| v.role == p.address).count() > 1 {
                continue; // already expanded through another path
            }
            for r in &self.resources {
                for t in &r.tests {
                    let mut actions = Vec::new();
                    for a in t.actions {
                        let named = r.policy_for(a).is_some_and(|pol| {
                            self.named_in(pol).0.contains(i) || pol.whole_unknown.is_some()
                        });
                        if !named && !statement_may_touch(p, a, &t.arn) {
                            continue;
                        }
                        let access = self.decide_principal(p, a, &t.arn, Some(r));
                        if access.verdict != Verdict::Denied {
                            actions.push(ActionGrant {
                                action: a.to_string(),
                                access,
                            });
                        }
                    }
                    if !actions.is_empty() {
                        services
                            .entry(r.service().to_string())
                            .or_default()
                            .push(ResourceGrants {
                                resource: r.address.clone(),
                                arn: t.arn.clone(),
                                target: t.label.clone(),
                                identity: p.address.clone(),
                                actions,
                            });
                    }
                }
            }
            beyond.extend(self.beyond_model(p));
            for pol in &p.policies {
                if let Some(w) = &pol.whole_unknown {
                    notes.push(format!(
                        "{}: {} is unknown ({w}): it may grant more",
                        p.address, pol.source.label
                    ));
                }
            }
        }
        Ok(WhatReport {
            principal: view,
            account: self.account().to_string(),
            identities: views,
            services,
            beyond_model: beyond,
            kubernetes,
            notes,
        })
    }

    /// The roles a service account reaches, with the chain.
    fn sa_identities(&self, sa: &SaRef, first: Option<ChainStep>) -> Vec<(usize, Vec<ChainStep>)> {
        let mut out = Vec::new();
        let known = self.identities.service_account(sa).is_some();
        for link in self.identities.links_of(sa) {
            let mut chain: Vec<ChainStep> = first.iter().cloned().collect();
            let (how, detail) = match &link.mechanism {
                Mechanism::Irsa { provider } => (
                    "irsa",
                    format!(
                        "the trust policy allows sts:AssumeRoleWithWebIdentity for {} from {provider}{}",
                        sa.subject(),
                        if link.annotated { " (annotated)" } else { " (no role annotation needed)" }
                    ),
                ),
                Mechanism::PodIdentity { association } => (
                    "pod-identity",
                    format!("{association}; the trust policy allows pods.eks.amazonaws.com"),
                ),
            };
            chain.push(ChainStep {
                from: sa.address(),
                to: link.role_address.clone(),
                how: how.into(),
                detail,
                trust: Some(link.trust.clone()),
            });
            out.push((link.role, chain));
        }
        if !known {
            // Not scanned: roles open to its namespace or to any namespace.
            for e in &self.identities.exposures {
                let open = e.open_namespaces.contains(&sa.namespace) || e.any_namespace.is_some();
                if open {
                    let mut chain: Vec<ChainStep> = first.iter().cloned().collect();
                    chain.push(ChainStep {
                        from: sa.address(),
                        to: e.role_address.clone(),
                        how: "irsa".into(),
                        detail: format!(
                            "the trust policy admits any service account of {}",
                            if e.open_namespaces.contains(&sa.namespace) {
                                format!("namespace {}", sa.namespace)
                            } else {
                                "any namespace".to_string()
                            }
                        ),
                        trust: e.any_namespace.clone(),
                    });
                    out.push((e.role, chain));
                }
            }
        }
        out
    }

    fn k8s_permissions(&self, sa: &SaRef) -> Vec<K8sPermission> {
        let mut out = Vec::new();
        for (b, s) in self.rbac.grants_of(sa) {
            let Some(role) = &b.role else { continue };
            for rule in &role.rules {
                out.push(K8sPermission {
                    scope: b.scope.clone(),
                    binding: b.binding.meta.address.clone(),
                    role: role.address.clone(),
                    subject: s.clone(),
                    rule: rule.clone(),
                });
            }
        }
        out
    }

    /// Allow statements of `p` whose resources include something outside
    /// the scanned input.
    pub(crate) fn beyond_model(&self, p: &IamPrincipal) -> Vec<BeyondGrant> {
        let mut out = Vec::new();
        for pol in &p.policies {
            let Some(pp) = &pol.policy else { continue };
            for s in pp.statements().iter().filter(|s| s.effect == Effect::Allow) {
                let resources: Vec<String> = match &s.resource {
                    Some(ResourceBlock::Resource(rs)) => {
                        rs.iter()
                            .filter(|x| {
                                x.as_str() == "*"
                                    || !self.resources.iter().any(|r| {
                                        r.tests.iter().any(|t| resource_matches(x, &t.arn))
                                    })
                            })
                            .cloned()
                            .collect()
                    }
                    Some(ResourceBlock::NotResource(rs)) => {
                        vec![format!("NotResource {}", rs.join(", "))]
                    }
                    None => vec!["*".into()],
                };
                if resources.is_empty() {
                    continue;
                }
                let actions = match &s.action {
                    ActionBlock::Action(a) => a.clone(),
                    ActionBlock::NotAction(a) => vec![format!("NotAction {}", a.join(", "))],
                };
                out.push(BeyondGrant {
                    identity: p.address.clone(),
                    policy: pol.source.label.clone(),
                    statement: pol.original(s.index),
                    sid: s.sid.clone(),
                    actions,
                    resources,
                    conditions: s
                        .conditions
                        .iter()
                        .map(|c| Cond {
                            category: crate::decide::category(&c.key),
                            operator: c.operator.raw.clone(),
                            key: c.key.clone(),
                            values: c.values.clone(),
                        })
                        .collect(),
                });
            }
        }
        out
    }
}
