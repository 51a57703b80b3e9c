//! The analysis object: everything built once per model.

use crate::catalog::{self, AwsResource};
use crate::decide::{decide, Access, Caller, Target};
use crate::index::Index;
use crate::naming::{AccountSource, Naming};
use crate::prepare::{Prepared, Source};
use crate::principals::{self, IamPrincipal};
use crate::rbac::Rbac;
use crate::workloads::{self, Identities};
use palisade_iam::{Context, PrincipalBlock, PrincipalSpec, PrincipalType};
use palisade_model::Model;
use serde_json::json;
use std::collections::{BTreeSet, HashMap};

/// Options of an analysis.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The account the scanned resources live in (else derived from ARNs).
    pub account: Option<String>,
    /// The region (else derived from ARNs and EKS issuer URLs, or `us-east-1`).
    pub region: Option<String>,
}

/// Access analysis over one model.
pub struct Analysis<'m> {
    pub model: &'m Model,
    pub naming: Naming,
    /// IAM users and roles.
    pub principals: Vec<IamPrincipal>,
    /// Resources access questions can be asked about.
    pub resources: Vec<AwsResource>,
    /// Service accounts, workloads and the roles they reach.
    pub identities: Identities,
    pub rbac: Rbac<'m>,
    pub(crate) index: Index,
    /// Things every answer depends on (grants that could not be tied to a
    /// principal, the account placeholder...).
    pub notes: Vec<String>,
    /// The stand-in identity policy of principals outside the model.
    pub(crate) stand_in: Prepared,
    by_key: HashMap<String, usize>,
}

/// Somebody outside the model a resource policy names.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Probe {
    /// Anyone, including anonymous callers (`Principal: *`).
    Anonymous,
    /// A principal of another account (ARN or account as written).
    External(String),
    /// An AWS service principal.
    Service(String),
    /// A federated identity provider (OIDC/SAML).
    Federated(String),
}

impl<'m> Analysis<'m> {
    /// Builds the analysis.
    pub fn new(model: &'m Model, opts: &Options) -> Analysis<'m> {
        let naming = Naming::new(model, opts.account.as_deref(), opts.region.as_deref());
        let (principals, mut notes) = principals::collect(&model.aws, &naming);
        match naming.account_source {
            AccountSource::Placeholder => notes.push(
                "no ARN in the input names an account: 000000000000 stands for it (use --account)"
                    .into(),
            ),
            AccountSource::Derived => {}
            AccountSource::Option => {}
        }
        if !naming.region_derived {
            notes.push(format!(
                "no ARN in the input names a region: {} is assumed (use --region)",
                naming.region
            ));
        }
        let all_policies: Vec<&Prepared> =
            principals.iter().flat_map(|p| p.policies.iter()).collect();
        let trusts = |addr: &str| {
            principals
                .iter()
                .find(|p| p.address == addr)
                .and_then(|p| p.trust.clone())
        };
        let resources = catalog::collect(model, &naming, &trusts, &all_policies);
        let mut index = Index::default();
        for (i, p) in principals.iter().enumerate() {
            index.add_policies(i, p.policies.iter());
        }
        let identities = workloads::collect(model, &naming, &principals);
        notes.extend(identities.notes.iter().cloned());
        let sas = identities
            .service_accounts
            .iter()
            .map(|s| s.sa.clone())
            .collect();
        let rbac = Rbac::new(model, sas);
        let stand_in = Prepared::new(
            &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
            Source {
                label: "the principal's own policies (assumed to allow)".into(),
                address: None,
                loc: None,
                caveat: Some(
                    "a principal outside the scanned input (another account, or not scanned): \
                     its own identity policies must allow it too"
                        .into(),
                ),
            },
            &naming,
        );
        let mut by_key = HashMap::new();
        for (i, p) in principals.iter().enumerate() {
            for k in [&p.address, &p.arn, &p.caller] {
                by_key.entry(k.clone()).or_insert(i);
            }
        }
        Analysis {
            by_key,
            model,
            naming,
            principals,
            resources,
            identities,
            rbac,
            index,
            notes,
            stand_in,
        }
    }

    /// The account ID used for the scanned resources.
    pub fn account(&self) -> &str {
        &self.naming.account
    }

    /// The caller view of principal `i`.
    pub(crate) fn caller<'a>(&self, p: &'a IamPrincipal) -> Caller<'a> {
        Caller {
            principal: p.caller.clone(),
            identity: p.policies.iter().collect(),
            boundary: p.boundary.as_ref(),
            boundary_unknown: p.boundary_unknown.clone(),
            notes: Vec::new(),
        }
    }

    /// The caller view of a probe.
    pub(crate) fn probe_caller(&self, probe: &Probe) -> Caller<'_> {
        let (principal, identity) = match probe {
            Probe::Anonymous => ("anonymous".to_string(), Vec::new()),
            Probe::External(arn) => (arn.clone(), vec![&self.stand_in]),
            Probe::Service(s) | Probe::Federated(s) => (s.clone(), Vec::new()),
        };
        Caller {
            principal,
            identity,
            boundary: None,
            boundary_unknown: None,
            notes: Vec::new(),
        }
    }

    /// Decides whether principal `p` may `action` on `arn` of resource `r`.
    pub fn decide_principal(
        &self,
        p: &IamPrincipal,
        action: &str,
        arn: &str,
        r: Option<&AwsResource>,
    ) -> Access {
        let target = Target {
            arn,
            account: None,
            resource_policy: r.and_then(|r| r.policy_for(action)),
        };
        decide(&self.caller(p), action, &target, &Context::new())
    }

    /// Index of the IAM principal an address, name or ARN names.
    pub fn principal_index(&self, key: &str) -> Option<usize> {
        if let Some(i) = self.by_key.get(key) {
            return Some(*i);
        }
        let named = self.naming.lookup(key)?;
        self.by_key.get(&named.address).copied()
    }

    /// Principals and probes named by the `Allow` statements of a resource policy.
    pub(crate) fn named_in(&self, policy: &Prepared) -> (BTreeSet<usize>, BTreeSet<Probe>) {
        let mut known = BTreeSet::new();
        let mut probes = BTreeSet::new();
        let Some(pol) = &policy.policy else {
            return (known, probes);
        };
        for s in pol.statements() {
            if s.effect != palisade_iam::Effect::Allow {
                continue;
            }
            let spec = match &s.principal {
                Some(PrincipalBlock::Principal(spec)) => spec,
                // NotPrincipal allows everyone else.
                Some(PrincipalBlock::NotPrincipal(_)) => {
                    probes.insert(Probe::Anonymous);
                    probes.insert(Probe::External(self.other_account_root()));
                    continue;
                }
                None => continue,
            };
            match spec {
                PrincipalSpec::Any => {
                    probes.insert(Probe::Anonymous);
                    probes.insert(Probe::External(self.other_account_root()));
                }
                PrincipalSpec::Typed(entries) => {
                    for (t, vals) in entries {
                        for v in vals {
                            match t {
                                PrincipalType::Aws if v == "*" => {
                                    probes.insert(Probe::Anonymous);
                                    probes.insert(Probe::External(self.other_account_root()));
                                }
                                PrincipalType::Aws => {
                                    match self.principal_index(v) {
                                        Some(i) => {
                                            known.insert(i);
                                        }
                                        None => {
                                            // The account itself delegates to identity
                                            // policies (covered by the index).
                                            let own_account =
                                                palisade_iam::principal::account_of_principal_value(
                                                    v,
                                                ) == Some(self.account());
                                            if !own_account {
                                                probes.insert(Probe::External(v.clone()));
                                            }
                                        }
                                    }
                                }
                                PrincipalType::Service => {
                                    probes.insert(Probe::Service(v.clone()));
                                }
                                PrincipalType::Federated => {
                                    probes.insert(Probe::Federated(v.clone()));
                                }
                                PrincipalType::CanonicalUser => {
                                    probes.insert(Probe::External(v.clone()));
                                }
                            }
                        }
                    }
                }
            }
        }
        (known, probes)
    }

    /// A root ARN of an account other than the scanned one.
    pub(crate) fn other_account_root(&self) -> String {
        let other = if self.account() == "999999999999" {
            "999999999998"
        } else {
            "999999999999"
        };
        format!("arn:aws:iam::{other}:root")
    }
}
