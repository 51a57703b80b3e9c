//! IAM principals of the model and the policies that apply to them.
//!
//! * An IAM **user** gets its own grants (inline policies and attachments,
//!   however written) and those of every group it is a member of
//!   (`aws_iam_group_membership`, `aws_iam_user_group_membership`).
//! * An IAM **role** gets its grants; its trust policy is the resource
//!   policy of `sts:*` requests on it. A role calls AWS as a role session
//!   (`arn:aws:sts::ACCT:assumed-role/NAME/palisade`), so resource policies
//!   naming the role ARN grant it as AWS documents.
//! * A **permissions boundary** (`permissions_boundary`) is resolved like a
//!   managed policy; an unknown boundary makes every allowed answer
//!   undetermined.
//! * Managed policies resolve to the model's `aws_iam_policy` (by address,
//!   name, `policy/NAME` or ARN), or to the embedded AWS-managed table
//!   ([`crate::managed`]); anything else is unknown.

use crate::managed::{self, Fidelity};
use crate::naming::{Naming, ResKind};
use crate::prepare::{Prepared, Source};
use palisade_model::aws::{Aws, GrantedPolicy, IamGrant, IamPolicy};
use palisade_model::{Location, Ref, Val};
use serde::Serialize;
use std::collections::HashMap;

/// User or role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IamKind {
    User,
    Role,
}

/// An IAM user or role with everything that decides its permissions.
#[derive(Clone, Debug)]
pub struct IamPrincipal {
    pub kind: IamKind,
    pub address: String,
    pub arn: String,
    pub name: String,
    /// The ARN it calls AWS with (a role session for roles).
    pub caller: String,
    pub loc: Location,
    /// Identity policies: own grants, then groups' grants.
    pub policies: Vec<Prepared>,
    pub boundary: Option<Prepared>,
    pub boundary_unknown: Option<String>,
    /// Roles only.
    pub trust: Option<Prepared>,
    /// Group addresses (users only).
    pub groups: Vec<String>,
}

impl IamPrincipal {
    /// What users call it: `aws_iam_role.app (role shop-app)`.
    pub fn display(&self) -> String {
        let k = match self.kind {
            IamKind::User => "user",
            IamKind::Role => "role",
        };
        format!("{} ({k} {})", self.address, self.name)
    }
}

fn grant_source(g: &IamGrant, label: String, caveat: Option<String>) -> Source {
    Source {
        label,
        address: Some(g.meta.address.clone()),
        loc: Some(g.meta.loc.clone()),
        caveat,
    }
}

/// Resolves a managed policy reference (model policy, AWS-managed, or unknown).
pub(crate) fn managed_policy(aws: &Aws, naming: &Naming, r: &Ref, mut source: Source) -> Prepared {
    let key = r.key();
    let model_policy = aws.get::<IamPolicy>(r).or_else(|| {
        let named = naming.lookup(key)?;
        (named.kind == ResKind::IamPolicy)
            .then(|| aws.get::<IamPolicy>(&Ref::new(named.address.clone())))
            .flatten()
    });
    if let Some(p) = model_policy {
        source.label = format!("{} via {}", p.meta.address, source.label);
        source.loc = Some(p.meta.loc.clone());
        return match &p.document {
            Val::Unknown { reason, .. } => Prepared::unknown(source, reason.clone()),
            _ => match p.document.get() {
                Some(doc) => Prepared::new(doc, source, naming),
                None => Prepared::unknown(source, "policy document is unknown"),
            },
        };
    }
    if let Some(name) = managed::managed_name(key) {
        source.label = format!("AWS-managed {name} via {}", source.label);
        return match managed::lookup(name) {
            Some(m) => {
                if m.fidelity == Fidelity::Approximate {
                    source.caveat = Some(format!(
                        "AWS-managed {name} is approximated by its main actions"
                    ));
                }
                Prepared::new(&(m.document)(), source, naming)
            }
            None => Prepared::unknown(
                source,
                format!("AWS-managed policy {name} is not in palisade's table"),
            ),
        };
    }
    Prepared::unknown(
        source,
        format!("managed policy `{key}` is not in the scanned input"),
    )
}

fn grant_policy(aws: &Aws, naming: &Naming, g: &IamGrant) -> Prepared {
    let label = g.meta.address.clone();
    match &g.policy {
        GrantedPolicy::Inline(doc) => match doc {
            Val::Unknown { reason, .. } => {
                Prepared::unknown(grant_source(g, label, None), reason.clone())
            }
            _ => match doc.get() {
                Some(d) => Prepared::new(d, grant_source(g, label, None), naming),
                None => Prepared::unknown(grant_source(g, label, None), "unknown"),
            },
        },
        GrantedPolicy::Managed(r) => match r {
            Val::Unknown { reason, .. } => Prepared::unknown(
                grant_source(g, label, None),
                format!("the attached policy is unknown ({reason})"),
            ),
            _ => match r.get() {
                Some(r) => managed_policy(aws, naming, r, grant_source(g, label, None)),
                None => Prepared::unknown(grant_source(g, label, None), "unknown"),
            },
        },
    }
}

fn boundary(
    aws: &Aws,
    naming: &Naming,
    v: &Val<Option<String>>,
    owner: &str,
) -> (Option<Prepared>, Option<String>) {
    match v {
        Val::Unknown { reason, .. } => (None, Some(reason.clone())),
        _ => match v.some() {
            None => (None, None),
            Some(arn) => {
                let src = Source {
                    label: format!("{owner}.permissions_boundary"),
                    address: Some(owner.to_string()),
                    loc: v.loc().cloned(),
                    caveat: None,
                };
                let p = managed_policy(aws, naming, &Ref::new(arn.clone()), src);
                match &p.whole_unknown {
                    Some(w) => (None, Some(w.clone())),
                    None => (Some(p), None),
                }
            }
        },
    }
}

/// Every user and role of the model, with global notes (grants that could
/// not be tied to a principal).
pub fn collect(aws: &Aws, naming: &Naming) -> (Vec<IamPrincipal>, Vec<String>) {
    let mut notes = Vec::new();
    // Grants by the address of the principal they apply to.
    let mut by_principal: HashMap<String, Vec<Prepared>> = HashMap::new();
    for g in &aws.iam_grants {
        let target = match &g.principal {
            Val::Unknown { reason, .. } => {
                notes.push(format!(
                    "`{}` applies to a principal that is unknown ({reason})",
                    g.meta.address
                ));
                continue;
            }
            _ => g.principal.get().and_then(|r| naming.lookup(r.key())),
        };
        let Some(target) = target.filter(|t| {
            matches!(
                t.kind,
                ResKind::IamRole | ResKind::IamUser | ResKind::IamGroup
            )
        }) else {
            notes.push(format!(
                "`{}` applies to a principal that is not in the scanned input",
                g.meta.address
            ));
            continue;
        };
        by_principal
            .entry(target.address.clone())
            .or_default()
            .push(grant_policy(aws, naming, g));
    }
    // Group memberships: user address → group addresses.
    let mut groups_of: HashMap<String, Vec<String>> = HashMap::new();
    for m in &aws.iam_group_memberships {
        let Some(group) = m.group.get().and_then(|r| naming.lookup(r.key())) else {
            notes.push(format!(
                "`{}` names a group that is unknown or not scanned",
                m.meta.address
            ));
            continue;
        };
        match m.users.get() {
            Some(users) => {
                for u in users {
                    if let Some(user) = naming.lookup(u.key()) {
                        groups_of
                            .entry(user.address.clone())
                            .or_default()
                            .push(group.address.clone());
                    }
                }
            }
            None => notes.push(format!("`{}` has an unknown list of users", m.meta.address)),
        }
    }
    let mut out = Vec::new();
    for r in &aws.iam_roles {
        let Some(named) = naming.lookup(&r.meta.address) else {
            continue;
        };
        let trust_src = Source {
            label: format!("{}.assume_role_policy", r.meta.address),
            address: Some(r.meta.address.clone()),
            loc: r.trust_policy.loc().cloned().or(Some(r.meta.loc.clone())),
            caveat: None,
        };
        let trust = match &r.trust_policy {
            Val::Unknown { reason, .. } => Prepared::unknown(trust_src, reason.clone()),
            _ => match r.trust_policy.get() {
                Some(d) => Prepared::new(d, trust_src, naming),
                None => Prepared::unknown(trust_src, "unknown"),
            },
        };
        let (b, bu) = boundary(aws, naming, &r.permissions_boundary, &r.meta.address);
        out.push(IamPrincipal {
            kind: IamKind::Role,
            address: r.meta.address.clone(),
            arn: named.arn.clone(),
            name: named.name.clone(),
            caller: naming.session_arn(&named.name),
            loc: r.meta.loc.clone(),
            policies: by_principal.remove(&r.meta.address).unwrap_or_default(),
            boundary: b,
            boundary_unknown: bu,
            trust: Some(trust),
            groups: Vec::new(),
        });
    }
    let group_policies: HashMap<String, Vec<Prepared>> = aws
        .iam_groups
        .iter()
        .map(|g| {
            let ps = by_principal
                .get(&g.meta.address)
                .cloned()
                .unwrap_or_default();
            (g.meta.address.clone(), ps)
        })
        .collect();
    for u in &aws.iam_users {
        let Some(named) = naming.lookup(&u.meta.address) else {
            continue;
        };
        let mut policies = by_principal.remove(&u.meta.address).unwrap_or_default();
        let groups = groups_of.remove(&u.meta.address).unwrap_or_default();
        for g in &groups {
            for p in group_policies.get(g).into_iter().flatten() {
                let mut p = p.clone();
                p.source.label = format!("{} (group {g})", p.source.label);
                policies.push(p);
            }
        }
        let (b, bu) = boundary(aws, naming, &u.permissions_boundary, &u.meta.address);
        out.push(IamPrincipal {
            kind: IamKind::User,
            address: u.meta.address.clone(),
            arn: named.arn.clone(),
            name: named.name.clone(),
            caller: named.arn.clone(),
            loc: u.meta.loc.clone(),
            policies,
            boundary: b,
            boundary_unknown: bu,
            trust: None,
            groups,
        });
    }
    (out, notes)
}
