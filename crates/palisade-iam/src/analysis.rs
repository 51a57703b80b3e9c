//! Static questions about a policy, for analyses that do not simulate a
//! particular request (admin detection, wildcard linting, action expansion).
//!
//! These look at the policy text only: conditions are ignored (reported by
//! [`Statement::has_conditions`](crate::Statement::has_conditions) for callers
//! that want to tell "admin" from "admin from one IP range").

use std::collections::BTreeSet;

use crate::policy::{ActionBlock, Effect, Policy, ResourceBlock, Statement};
use crate::wildcard::action_matches;

fn is_full_wildcard_action(a: &str) -> bool {
    a == "*" || a == "*:*"
}

fn allows_every_action(st: &Statement) -> bool {
    matches!(&st.action, ActionBlock::Action(a) if a.iter().any(|x| is_full_wildcard_action(x)))
}

fn on_every_resource(st: &Statement) -> bool {
    match &st.resource {
        Some(ResourceBlock::Resource(r)) => r.iter().any(|x| x == "*"),
        // No Resource element (trust-policy style): applies to the attached resource.
        None => false,
        Some(ResourceBlock::NotResource(_)) => false,
    }
}

impl Policy {
    /// True when some `Allow` statement has `Action` `*` or `*:*` (on any
    /// resource). Useful to flag "can do anything on something".
    pub fn allows_wildcard_action(&self) -> bool {
        self.statements()
            .iter()
            .any(|s| s.effect == Effect::Allow && allows_every_action(s))
    }

    /// True when some `Allow` statement has `Action` `*` or `*:*` on
    /// `Resource` `*`: the shape of `AdministratorAccess`. Deny statements
    /// elsewhere in the policy are not subtracted, because a targeted deny
    /// still leaves administrator power.
    pub fn grants_admin(&self) -> bool {
        self.statements()
            .iter()
            .any(|s| s.effect == Effect::Allow && allows_every_action(s) && on_every_resource(s))
    }

    /// `Allow` statements that use a broad wildcard: an action whose service
    /// part contains `*` (`*`, `*:*`, `*:Get*`), an action that is a whole
    /// service (`s3:*`), any `NotAction` (it allows everything else), or
    /// `Resource` `*`. Returned in document order.
    pub fn wildcard_statements(&self) -> Vec<&Statement> {
        self.statements()
            .iter()
            .filter(|s| s.effect == Effect::Allow)
            .filter(|s| {
                let action_wild = match &s.action {
                    ActionBlock::Action(a) => a.iter().any(|x| {
                        let (svc, name) = x.split_once(':').unwrap_or((x.as_str(), "*"));
                        svc.contains('*') || name == "*"
                    }),
                    ActionBlock::NotAction(_) => true,
                };
                action_wild || on_every_resource(s)
            })
            .collect()
    }
}

/// The subset of `known_actions` that some `Allow` statement's
/// `Action`/`NotAction` covers, ignoring resources and conditions, minus the
/// actions denied by an unconditional `Deny` on `Resource` `*`. Returned
/// sorted, as written in `known_actions`.
pub fn expand_actions<'a>(policy: &Policy, known_actions: &[&'a str]) -> BTreeSet<&'a str> {
    let covers = |st: &Statement, action: &str| match &st.action {
        ActionBlock::Action(p) => p.iter().any(|x| action_matches(x, action)),
        ActionBlock::NotAction(p) => !p.iter().any(|x| action_matches(x, action)),
    };
    known_actions
        .iter()
        .copied()
        .filter(|a| {
            let allowed = policy
                .statements()
                .iter()
                .any(|s| s.effect == Effect::Allow && covers(s, a));
            let denied = policy.statements().iter().any(|s| {
                s.effect == Effect::Deny
                    && !s.has_conditions()
                    && on_every_resource(s)
                    && covers(s, a)
            });
            allowed && !denied
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pol(s: &str) -> Policy {
        Policy::from_str(s).expect("valid policy")
    }

    #[test]
    fn admin_detection() {
        let admin = pol(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        );
        assert!(admin.grants_admin());
        assert!(admin.allows_wildcard_action());
        let star_star = pol(
            r#"{"Statement":{"Effect":"Allow","Action":["s3:Get*","*:*"],"Resource":["arn:aws:s3:::x","*"]}}"#,
        );
        assert!(star_star.grants_admin());
        let scoped =
            pol(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::x"}}"#);
        assert!(!scoped.grants_admin());
        assert!(scoped.allows_wildcard_action());
        let deny = pol(r#"{"Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}"#);
        assert!(!deny.grants_admin());
        assert!(!deny.allows_wildcard_action());
        let service = pol(r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#);
        assert!(!service.grants_admin());
    }

    #[test]
    fn wildcard_statements_listed() {
        let p = pol(r#"{"Statement":[
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
            {"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/*"},
            {"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"},
            {"Effect":"Deny","Action":"*","Resource":"*"},
            {"Effect":"Allow","NotAction":"iam:*","Resource":"arn:aws:s3:::b"},
            {"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b"}]}"#);
        let idx: Vec<usize> = p.wildcard_statements().iter().map(|s| s.index).collect();
        assert_eq!(idx, vec![1, 2, 4]);
    }

    #[test]
    fn expands_actions() {
        let p = pol(
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"},
            {"Effect":"Deny","Action":"s3:GetObjectAcl","Resource":"*"}]}"#,
        );
        let known = [
            "s3:GetObject",
            "s3:GetObjectAcl",
            "s3:PutObject",
            "S3:GETBUCKETPOLICY",
        ];
        let got: Vec<&str> = expand_actions(&p, &known).into_iter().collect();
        assert_eq!(got, vec!["S3:GETBUCKETPOLICY", "s3:GetObject"]);
    }
}
