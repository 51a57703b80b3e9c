//! Request principals and how `Principal`/`NotPrincipal` elements match them.
//!
//! From [Principal][p] and [NotPrincipal][np]:
//! * An account ID or `arn:aws:iam::ID:root` names the *account*: it matches
//!   every principal of that account, but only by delegation: the account's
//!   own identity policies must still allow the request.
//! * A user ARN, role session ARN or federated user ARN matches that exact
//!   principal. A role ARN matches every session of the role.
//! * `"*"` (or `{"AWS": "*"}`) matches everyone, including anonymous callers.
//! * Service, federated and canonical-user principals match by name.
//! * `NotPrincipal` excludes a caller only when every identity in its chain is
//!   listed: for a role session that is the session ARN, the role ARN and the
//!   account; for a user the user ARN and the account. That is why AWS tells
//!   you to list the account ARN too, and why leaving it out denies the whole
//!   account.
//!
//! [p]: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
//! [np]: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html

use crate::policy::{PrincipalSpec, PrincipalType};

/// What kind of caller made the request, derived from its ARN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrincipalKind {
    /// The account root user (`arn:aws:iam::ID:root` or a bare account ID).
    Root,
    /// An IAM user (`arn:aws:iam::ID:user/path/name`).
    User,
    /// An IAM role given by its ARN (treated as an unnamed session of the role).
    Role,
    /// A role session (`arn:aws:sts::ID:assumed-role/role/session`).
    AssumedRole,
    /// A federated user session from `GetFederationToken`
    /// (`arn:aws:sts::ID:federated-user/name`).
    FederatedUser,
    /// Anything else: service principals, identity providers, canonical users,
    /// anonymous callers. These have no identity-based policies.
    Other,
}

/// The parsed request principal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrincipalInfo {
    /// The principal exactly as given.
    pub raw: String,
    /// Its kind.
    pub kind: PrincipalKind,
    /// The ARN partition (`aws`, `aws-cn`, ...), when known.
    pub partition: String,
    /// The owning account, when known.
    pub account: Option<String>,
    /// User name, role name or federated user name (last path segment).
    pub name: Option<String>,
}

/// Is `s` a 12-digit AWS account ID?
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The account an `AWS` principal value names as a whole (an account ID or
/// `arn:PARTITION:iam::ID:root`), if it is one.
pub fn account_of_principal_value(v: &str) -> Option<&str> {
    if is_account_id(v) {
        return Some(v);
    }
    let parts: Vec<&str> = v.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, "iam", "", acct, "root"] if is_account_id(acct) => Some(acct),
        _ => None,
    }
}

/// The account component of an ARN (empty components give `None`).
pub fn arn_account(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, _, _, acct, _] if !acct.is_empty() => Some(acct),
        _ => None,
    }
}

impl PrincipalInfo {
    /// Parses a request principal.
    pub fn parse(raw: &str) -> PrincipalInfo {
        let mut info = PrincipalInfo {
            raw: raw.to_string(),
            kind: PrincipalKind::Other,
            partition: "aws".to_string(),
            account: None,
            name: None,
        };
        if is_account_id(raw) {
            info.kind = PrincipalKind::Root;
            info.account = Some(raw.to_string());
            return info;
        }
        let parts: Vec<&str> = raw.splitn(6, ':').collect();
        let ["arn", partition, service, _region, account, resource] = parts.as_slice() else {
            return info;
        };
        info.partition = partition.to_string();
        if !account.is_empty() {
            info.account = Some(account.to_string());
        }
        let last = |r: &str| r.rsplit('/').next().map(str::to_string);
        match *service {
            "iam" if *resource == "root" => info.kind = PrincipalKind::Root,
            "iam" if resource.starts_with("user/") => {
                info.kind = PrincipalKind::User;
                info.name = last(resource);
            }
            "iam" if resource.starts_with("role/") => {
                info.kind = PrincipalKind::Role;
                info.name = last(resource);
            }
            "sts" if resource.starts_with("assumed-role/") => {
                let mut segs = resource.splitn(3, '/');
                segs.next();
                info.name = segs.next().map(str::to_string);
                if info.name.as_deref().is_some_and(|n| !n.is_empty()) && segs.next().is_some() {
                    info.kind = PrincipalKind::AssumedRole;
                } else {
                    info.name = None;
                }
            }
            "sts" if resource.starts_with("federated-user/") => {
                info.kind = PrincipalKind::FederatedUser;
                info.name = last(resource);
            }
            _ => {}
        }
        if info.kind != PrincipalKind::Other && info.account.is_none() {
            info.kind = PrincipalKind::Other;
        }
        info
    }

    /// True for IAM identities, which have identity-based policies.
    pub fn is_iam(&self) -> bool {
        self.kind != PrincipalKind::Other
    }

    /// The role ARN behind a role session (without path: a session ARN does
    /// not carry the role's path).
    pub fn role_arn(&self) -> Option<String> {
        match self.kind {
            PrincipalKind::Role => Some(self.raw.clone()),
            PrincipalKind::AssumedRole => Some(format!(
                "arn:{}:iam::{}:role/{}",
                self.partition,
                self.account.as_deref().unwrap_or_default(),
                self.name.as_deref().unwrap_or_default()
            )),
            _ => None,
        }
    }

    /// The `aws:PrincipalArn` value AWS would put in the request context.
    pub fn principal_arn(&self) -> Option<String> {
        match self.kind {
            PrincipalKind::Root => Some(format!(
                "arn:{}:iam::{}:root",
                self.partition,
                self.account.as_deref().unwrap_or_default()
            )),
            PrincipalKind::User | PrincipalKind::FederatedUser => Some(self.raw.clone()),
            PrincipalKind::Role | PrincipalKind::AssumedRole => self.role_arn(),
            PrincipalKind::Other => None,
        }
    }

    /// Does a role ARN (any path) name this principal's role?
    fn is_my_role(&self, v: &str) -> bool {
        if !matches!(self.kind, PrincipalKind::Role | PrincipalKind::AssumedRole) {
            return false;
        }
        let parts: Vec<&str> = v.splitn(6, ':').collect();
        match parts.as_slice() {
            ["arn", part, "iam", "", acct, res] if res.starts_with("role/") => {
                *part == self.partition
                    && Some(*acct) == self.account.as_deref()
                    && res.rsplit('/').next() == self.name.as_deref()
            }
            _ => false,
        }
    }
}

/// How a resource-based policy statement names the caller. The kind matters
/// because AWS treats grants differently depending on it
/// ([evaluation within a single account][eval]).
///
/// [eval]: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum GrantKind {
    /// The account (ID or root ARN): delegation to the account's identity policies.
    Account,
    /// The role ARN of a role session: limited by the role's permissions
    /// boundary and session policy.
    RoleArn,
    /// The exact principal, a wildcard, or a service/federated/canonical principal:
    /// a grant directly to the caller.
    Direct,
}

fn match_value(t: PrincipalType, v: &str, p: &PrincipalInfo) -> Option<GrantKind> {
    if v == "*" {
        return Some(GrantKind::Direct);
    }
    match t {
        PrincipalType::Aws => {
            if let Some(acct) = account_of_principal_value(v) {
                return (p.is_iam() && p.account.as_deref() == Some(acct))
                    .then_some(GrantKind::Account);
            }
            if v == p.raw {
                return Some(if p.kind == PrincipalKind::Role {
                    GrantKind::RoleArn
                } else {
                    GrantKind::Direct
                });
            }
            p.is_my_role(v).then_some(GrantKind::RoleArn)
        }
        PrincipalType::Service => v.eq_ignore_ascii_case(&p.raw).then_some(GrantKind::Direct),
        PrincipalType::Federated | PrincipalType::CanonicalUser => {
            (v == p.raw).then_some(GrantKind::Direct)
        }
    }
}

/// Does a `Principal` element name the caller, and how?
pub fn principal_matches(spec: &PrincipalSpec, p: &PrincipalInfo) -> Option<GrantKind> {
    match spec {
        PrincipalSpec::Any => Some(GrantKind::Direct),
        PrincipalSpec::Typed(entries) => entries
            .iter()
            .flat_map(|(t, vals)| vals.iter().filter_map(move |v| match_value(*t, v, p)))
            .max(),
    }
}

/// One link in a caller's identity chain (see the module docs).
enum Identity<'a> {
    Exact(&'a str),
    Role,
    Account(&'a str),
}

/// Does a `NotPrincipal` element exclude the caller? Only when every identity
/// in the caller's chain is listed.
pub fn not_principal_excludes(spec: &PrincipalSpec, p: &PrincipalInfo) -> bool {
    let entries = match spec {
        PrincipalSpec::Any => return true,
        PrincipalSpec::Typed(e) => e,
    };
    let mut chain = Vec::new();
    match p.kind {
        PrincipalKind::Root => {}
        PrincipalKind::Role => chain.push(Identity::Role),
        PrincipalKind::AssumedRole => {
            chain.push(Identity::Exact(&p.raw));
            chain.push(Identity::Role);
        }
        PrincipalKind::User | PrincipalKind::FederatedUser | PrincipalKind::Other => {
            chain.push(Identity::Exact(&p.raw))
        }
    }
    if let Some(acct) = p.account.as_deref() {
        if p.is_iam() {
            chain.push(Identity::Account(acct));
        }
    }
    let listed = |id: &Identity| {
        entries.iter().any(|(t, vals)| {
            vals.iter().any(|v| {
                if v == "*" {
                    return true;
                }
                match (id, t) {
                    (Identity::Account(a), PrincipalType::Aws) => {
                        account_of_principal_value(v) == Some(*a)
                    }
                    (Identity::Role, PrincipalType::Aws) => p.is_my_role(v),
                    (Identity::Exact(e), PrincipalType::Service) => v.eq_ignore_ascii_case(e),
                    (Identity::Exact(e), _) => v == *e,
                    _ => false,
                }
            })
        })
    };
    !chain.is_empty() && chain.iter().all(listed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aws(vals: &[&str]) -> PrincipalSpec {
        PrincipalSpec::Typed(vec![(
            PrincipalType::Aws,
            vals.iter().map(|s| s.to_string()).collect(),
        )])
    }

    #[test]
    fn parses_kinds() {
        let p = PrincipalInfo::parse("arn:aws:sts::111122223333:assumed-role/Admin/alice");
        assert_eq!(p.kind, PrincipalKind::AssumedRole);
        assert_eq!(p.name.as_deref(), Some("Admin"));
        assert_eq!(
            p.role_arn().as_deref(),
            Some("arn:aws:iam::111122223333:role/Admin")
        );
        assert_eq!(
            PrincipalInfo::parse("111122223333").kind,
            PrincipalKind::Root
        );
        assert_eq!(
            PrincipalInfo::parse("arn:aws:iam::111122223333:root").kind,
            PrincipalKind::Root
        );
        let u = PrincipalInfo::parse("arn:aws:iam::111122223333:user/div/bob");
        assert_eq!(
            (u.kind, u.name.as_deref()),
            (PrincipalKind::User, Some("bob"))
        );
        assert_eq!(
            PrincipalInfo::parse("ec2.amazonaws.com").kind,
            PrincipalKind::Other
        );
        assert_eq!(
            PrincipalInfo::parse("arn:aws:sts::1:assumed-role/").kind,
            PrincipalKind::Other
        );
        assert_eq!(
            PrincipalInfo::parse("arn:aws:iam:::user/x").kind,
            PrincipalKind::Other
        );
    }

    #[test]
    fn principal_kinds() {
        let s = PrincipalInfo::parse("arn:aws:sts::111122223333:assumed-role/Admin/alice");
        assert_eq!(
            principal_matches(&aws(&["111122223333"]), &s),
            Some(GrantKind::Account)
        );
        assert_eq!(
            principal_matches(&aws(&["arn:aws:iam::111122223333:role/ops/Admin"]), &s),
            Some(GrantKind::RoleArn)
        );
        assert_eq!(
            principal_matches(
                &aws(&["arn:aws:sts::111122223333:assumed-role/Admin/alice"]),
                &s
            ),
            Some(GrantKind::Direct)
        );
        assert_eq!(
            principal_matches(
                &aws(&["arn:aws:sts::111122223333:assumed-role/Admin/bob"]),
                &s
            ),
            None
        );
        assert_eq!(principal_matches(&aws(&["444455556666"]), &s), None);
        assert_eq!(principal_matches(&aws(&["*"]), &s), Some(GrantKind::Direct));
        assert_eq!(
            principal_matches(
                &aws(&["111122223333", "arn:aws:iam::111122223333:role/Admin"]),
                &s
            ),
            Some(GrantKind::RoleArn)
        );
    }

    #[test]
    fn not_principal_chain() {
        let s = PrincipalInfo::parse("arn:aws:sts::444455556666:assumed-role/ro/app");
        let full = aws(&[
            "arn:aws:sts::444455556666:assumed-role/ro/app",
            "arn:aws:iam::444455556666:role/ro",
            "arn:aws:iam::444455556666:root",
        ]);
        assert!(not_principal_excludes(&full, &s));
        let no_account = aws(&[
            "arn:aws:sts::444455556666:assumed-role/ro/app",
            "arn:aws:iam::444455556666:role/ro",
        ]);
        assert!(!not_principal_excludes(&no_account, &s));
        let u = PrincipalInfo::parse("arn:aws:iam::444455556666:user/Bob");
        assert!(not_principal_excludes(
            &aws(&["arn:aws:iam::444455556666:user/Bob", "444455556666"]),
            &u
        ));
        assert!(!not_principal_excludes(
            &aws(&["arn:aws:iam::444455556666:user/Bob"]),
            &u
        ));
    }
}
