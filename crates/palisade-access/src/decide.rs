//! One access question, decided exactly with `palisade-iam`.
//!
//! The engine decides one request in one context. An access question ("can
//! this role read that secret?") has no context: the caller may come from
//! any IP address, through any VPC endpoint, with or without MFA, at any
//! time. [`decide`] therefore evaluates the request in a set of *witness
//! contexts* built from the condition clauses of the statements that could
//! apply (every key absent, then each key set to values that satisfy or
//! falsify each clause: the clause's own values, values outside them, a
//! far past and a far future date, `true`/`false`...). Keys AWS derives from
//! the caller (`aws:PrincipalArn`, `aws:username`...) are never varied: the
//! engine sets them from the principal.
//!
//! * allowed in every witness context: [`Verdict::Allowed`];
//! * allowed in some: [`Verdict::Conditional`], with the conditions of the
//!   deciding `Allow` statements, the `Deny` statements that apply in other
//!   contexts, and an example context;
//! * allowed in none: [`Verdict::Denied`];
//! * whenever unknown parts could change the answer (an unknown `Allow` for
//!   a denied request, an unknown `Deny` or permissions boundary for an
//!   allowed one): [`Verdict::Undetermined`], with the reason.

use crate::prepare::Prepared;
use palisade_iam::{
    action_matches, evaluate, ActionBlock, ConditionClause, Context, Decision, Effect,
    OperatorKind, Request, Response, Statement,
};
use palisade_model::Location;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The answer to one access question.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Allowed whatever the request context.
    Allowed,
    /// Allowed only in some request contexts (see the conditions).
    Conditional,
    /// Unknown parts of a policy decide it.
    Undetermined,
    /// Not allowed.
    Denied,
}

impl Verdict {
    /// Allowed or conditionally allowed.
    pub fn grants(self) -> bool {
        matches!(self, Verdict::Allowed | Verdict::Conditional)
    }
    /// Allowed, conditionally allowed or undetermined.
    pub fn may_grant(self) -> bool {
        self != Verdict::Denied
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::Conditional => "conditional",
            Verdict::Undetermined => "undetermined",
            Verdict::Denied => "denied",
        }
    }
}

/// One condition clause, for display.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Cond {
    /// `source-ip`, `vpc-endpoint`, `vpc`, `mfa`, `time`, `tls`,
    /// `organization`, `principal`, `service`, `tag`, `irsa` or `other`.
    pub category: &'static str,
    pub operator: String,
    pub key: String,
    pub values: Vec<String>,
}

impl Cond {
    fn from_clause(c: &ConditionClause) -> Cond {
        Cond {
            category: category(&c.key),
            operator: c.operator.raw.clone(),
            key: c.key.clone(),
            values: c.values.clone(),
        }
    }
}

impl std::fmt::Display for Cond {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.operator,
            self.key,
            self.values.join("|")
        )
    }
}

/// What a condition key is about.
pub fn category(key: &str) -> &'static str {
    let k = key.to_ascii_lowercase();
    match k.as_str() {
        "aws:sourceip" => "source-ip",
        "aws:sourcevpce" => "vpc-endpoint",
        "aws:sourcevpc" | "aws:vpcsourceip" => "vpc",
        "aws:multifactorauthpresent" | "aws:multifactorauthage" => "mfa",
        "aws:currenttime" | "aws:epochtime" | "aws:tokenissuetime" => "time",
        "aws:securetransport" => "tls",
        "aws:principalorgid" | "aws:principalorgpaths" | "aws:resourceorgid" => "organization",
        "kms:viaservice" | "kms:callervalue" | "aws:calledvia" | "aws:viaawsservice"
        | "aws:sourcearn" | "aws:sourceaccount" => "service",
        _ if k.starts_with("aws:principal") || k.starts_with("aws:userid") => "principal",
        _ if k.starts_with("aws:requesttag") || k.starts_with("aws:resourcetag") => "tag",
        _ if k.ends_with(":sub") || k.ends_with(":aud") || k.ends_with(":amr") => "irsa",
        _ => "other",
    }
}

/// A statement that took part in a decision.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StatementRef {
    /// The policy ([`crate::prepare::Source::label`]).
    pub policy: String,
    /// Index in the document's `Statement` list.
    pub statement: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    pub effect: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Cond>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loc: Option<Location>,
}

/// The decided answer with its explanation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Access {
    pub verdict: Verdict,
    /// The statements that granted (or, when denied explicitly, denied).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<StatementRef>,
    /// The conditions of the granting statements (must hold).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Cond>,
    /// `Deny` statements that apply in other request contexts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unless: Vec<StatementRef>,
    /// A request context in which it is allowed (conditional access).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub example: BTreeMap<String, Vec<String>>,
    /// Caveats: unknown parts, approximated policies, stand-ins.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Denied by an explicit `Deny` (in every context tried).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub explicit_deny: bool,
}

impl Access {
    pub fn denied() -> Access {
        Access {
            verdict: Verdict::Denied,
            via: Vec::new(),
            conditions: Vec::new(),
            unless: Vec::new(),
            example: BTreeMap::new(),
            notes: Vec::new(),
            explicit_deny: false,
        }
    }
}

/// The caller of a request and the policies that apply to it.
#[derive(Clone, Debug)]
pub struct Caller<'a> {
    /// The request principal (a role session ARN, a user ARN, a service...).
    pub principal: String,
    pub identity: Vec<&'a Prepared>,
    pub boundary: Option<&'a Prepared>,
    /// The permissions boundary is set but unknown.
    pub boundary_unknown: Option<String>,
    /// Notes that apply to every answer for this caller.
    pub notes: Vec<String>,
}

/// The resource of a request and its resource-based policy.
#[derive(Clone, Debug)]
pub struct Target<'a> {
    pub arn: &'a str,
    /// The owning account, when it differs from the ARN's (S3 ARNs have none).
    pub account: Option<&'a str>,
    pub resource_policy: Option<&'a Prepared>,
}

/// Does the statement's `Action`/`NotAction` cover `action`?
pub(crate) fn action_hit(s: &Statement, action: &str) -> bool {
    match &s.action {
        ActionBlock::Action(p) => p.iter().any(|x| action_matches(x, action)),
        ActionBlock::NotAction(p) => !p.iter().any(|x| action_matches(x, action)),
    }
}

/// Keys the engine derives from the caller; never varied.
fn derived_key(key: &str) -> bool {
    matches!(
        key.to_ascii_lowercase().as_str(),
        "aws:principalarn"
            | "aws:principalaccount"
            | "aws:principaltype"
            | "aws:principalisawsservice"
            | "aws:username"
            | "aws:userid"
            | "aws:resourceaccount"
    )
}

fn replace_wildcards(v: &str) -> String {
    v.replace(['*', '?'], "x")
}

/// Values worth trying for one clause.
fn candidates(c: &ConditionClause, out: &mut BTreeSet<String>) {
    use OperatorKind::*;
    let kind = c.operator.kind;
    for v in &c.values {
        match kind {
            StringLike | StringNotLike | ArnLike | ArnNotLike | ArnEquals | ArnNotEquals => {
                out.insert(replace_wildcards(v));
            }
            NumericEquals
            | NumericNotEquals
            | NumericLessThan
            | NumericLessThanEquals
            | NumericGreaterThan
            | NumericGreaterThanEquals => {
                if let Ok(n) = v.trim().parse::<f64>() {
                    for d in [-1.0, 0.0, 1.0] {
                        let x = n + d;
                        out.insert(if x.fract() == 0.0 && x.abs() < 1e15 {
                            format!("{}", x as i64)
                        } else {
                            format!("{x}")
                        });
                    }
                }
            }
            DateEquals
            | DateNotEquals
            | DateLessThan
            | DateLessThanEquals
            | DateGreaterThan
            | DateGreaterThanEquals => {
                out.insert(v.clone());
                out.insert("1970-01-02T00:00:00Z".into());
                out.insert("2999-12-31T23:59:59Z".into());
            }
            Bool => {
                out.insert("true".into());
                out.insert("false".into());
            }
            IpAddress | NotIpAddress => {
                if let Some(net) = palisade_iam::parse_cidr(v) {
                    out.insert(net.network().to_string());
                }
                out.insert("203.0.113.200".into());
            }
            Null => {
                out.insert("palisade-present".into());
            }
            _ => {
                out.insert(v.clone());
            }
        }
    }
    if !matches!(kind, Bool | Null) {
        out.insert("palisade-other-value".into());
    }
}

/// The largest number of witness contexts tried for one question.
const MAX_WITNESSES: usize = 96;

fn relevant_statements<'p>(
    policies: impl Iterator<Item = &'p Prepared>,
    action: &str,
) -> Vec<(&'p Prepared, &'p Statement)> {
    policies
        .filter_map(|p| p.policy.as_ref().map(|pol| (p, pol)))
        .flat_map(|(p, pol)| {
            pol.statements()
                .iter()
                .filter(move |s| action_hit(s, action))
                .map(move |s| (p, s))
        })
        .collect()
}

fn statement_ref(p: &Prepared, s: &Statement) -> StatementRef {
    StatementRef {
        policy: p.source.label.clone(),
        statement: p.original(s.index),
        sid: s.sid.clone(),
        effect: s.effect.to_string(),
        conditions: s.conditions.iter().map(Cond::from_clause).collect(),
        loc: p.source.loc.clone(),
    }
}

/// Decides whether `caller` may perform `action` on `target`, in any request
/// context extending `base` (keys of `base` are fixed).
pub fn decide(caller: &Caller, action: &str, target: &Target, base: &Context) -> Access {
    // Identity policies that say nothing about the action change nothing.
    let identity: Vec<&Prepared> = caller
        .identity
        .iter()
        .copied()
        .filter(|p| p.policy.is_some() && p.mentions_action(action))
        .collect();
    let mut req = Request::new(&caller.principal, action, target.arn);
    req.request.resource_account = target.account.map(str::to_string);
    req.identity_policies = identity.iter().filter_map(|p| p.policy.clone()).collect();
    if let Some(b) = caller.boundary.and_then(|b| b.policy.clone()) {
        req.permission_boundaries.push(b);
    }
    let resource_policy = target.resource_policy.filter(|p| p.policy.is_some());
    req.resource_policy = resource_policy.and_then(|p| p.policy.clone());

    // Sources for the labels the engine reports.
    let label_source = |label: &str| -> Option<&Prepared> {
        if let Some(i) = label
            .strip_prefix("identityPolicies[")
            .and_then(|r| r.strip_suffix(']'))
            .and_then(|n| n.parse::<usize>().ok())
        {
            return identity.get(i).copied();
        }
        match label {
            "resourcePolicy" => resource_policy,
            "permissionBoundaries[0]" => caller.boundary,
            _ => None,
        }
    };

    // Condition keys worth varying.
    let all = relevant_statements(
        identity
            .iter()
            .copied()
            .chain(caller.boundary)
            .chain(resource_policy),
        action,
    );
    let mut keys: BTreeMap<String, (String, BTreeSet<String>)> = BTreeMap::new();
    for (_, s) in &all {
        for c in &s.conditions {
            if derived_key(&c.key) || base.get(&c.key).is_some() {
                continue;
            }
            let e = keys
                .entry(c.key.to_ascii_lowercase())
                .or_insert_with(|| (c.key.clone(), BTreeSet::new()));
            candidates(c, &mut e.1);
        }
    }
    let dims: Vec<(String, Vec<Option<String>>)> = keys
        .into_values()
        .map(|(k, vals)| {
            let mut v: Vec<Option<String>> = vec![None];
            v.extend(vals.into_iter().map(Some));
            (k, v)
        })
        .collect();

    // Enumerate witness contexts (mixed radix), the all-absent one first.
    let total: usize = dims
        .iter()
        .try_fold(1usize, |acc, (_, v)| acc.checked_mul(v.len()))
        .unwrap_or(usize::MAX);
    let mut results: Vec<(BTreeMap<String, Vec<String>>, Decision)> = Vec::new();
    let tries = total.min(MAX_WITNESSES);
    for n in 0..tries {
        let mut rest = n;
        let mut ctx = base.clone();
        let mut set = BTreeMap::new();
        for (key, vals) in &dims {
            let len = vals.len().max(1);
            let pick = vals.get(rest % len).cloned().flatten();
            rest /= len;
            if let Some(v) = pick {
                ctx.insert(key, v.clone());
                set.insert(key.clone(), vec![v]);
            }
        }
        req.request.context = ctx;
        results.push((set, evaluate(&req)));
    }
    if total > tries {
        // Also each key on its own, so no single condition goes untried.
        for (key, vals) in &dims {
            for v in vals.iter().flatten() {
                let mut ctx = base.clone();
                ctx.insert(key, v.clone());
                req.request.context = ctx;
                let mut set = BTreeMap::new();
                set.insert(key.clone(), vec![v.clone()]);
                results.push((set, evaluate(&req)));
            }
        }
    }

    let mut access = Access::denied();
    access.notes.extend(caller.notes.iter().cloned());
    let allowed: Vec<&(BTreeMap<String, Vec<String>>, Decision)> = results
        .iter()
        .filter(|(_, d)| d.response == Response::Allowed)
        .collect();
    let to_refs = |d: &Decision, effect: Effect| -> Vec<StatementRef> {
        d.decided_by
            .iter()
            .filter(|s| s.effect == effect)
            .filter_map(|s| {
                let p = label_source(&s.policy)?;
                let st = p.policy.as_ref()?.statements().get(s.statement)?;
                Some(statement_ref(p, st))
            })
            .collect()
    };
    if let Some(best) = allowed.iter().min_by_key(|(set, _)| set.len()) {
        access.via = to_refs(&best.1, Effect::Allow);
        if allowed.len() == results.len() {
            access.verdict = Verdict::Allowed;
        } else {
            access.verdict = Verdict::Conditional;
            let mut conds: Vec<Cond> = access
                .via
                .iter()
                .flat_map(|s| s.conditions.iter().cloned())
                .collect();
            conds.sort();
            conds.dedup();
            access.conditions = conds;
            let mut unless: Vec<StatementRef> = Vec::new();
            for (_, d) in &results {
                if d.response == Response::ExplicitlyDenied {
                    for r in to_refs(d, Effect::Deny) {
                        if !unless.contains(&r) {
                            unless.push(r);
                        }
                    }
                }
            }
            access.unless = unless;
            access.example = best.0.clone();
            if access.conditions.is_empty() && access.unless.is_empty() {
                access
                    .notes
                    .push("allowed only in some request contexts (see the example)".into());
            }
        }
    } else if let Some((_, first)) = results.first() {
        if first.response == Response::ExplicitlyDenied
            && results
                .iter()
                .all(|(_, d)| d.response == Response::ExplicitlyDenied)
        {
            access.explicit_deny = true;
            access.via = to_refs(first, Effect::Deny);
        }
    }

    // Unknown parts.
    let unknown_allow = caller
        .identity
        .iter()
        .copied()
        .chain(target.resource_policy)
        .find_map(|p| p.may_allow_unknown(action, target.arn));
    let unknown_deny = caller
        .identity
        .iter()
        .copied()
        .chain(caller.boundary)
        .chain(target.resource_policy)
        .find_map(|p| p.may_deny_unknown(action, target.arn));
    match access.verdict {
        Verdict::Denied if !access.explicit_deny => {
            if let Some(why) = unknown_allow {
                access.verdict = Verdict::Undetermined;
                access.notes.push(format!("may be allowed by {why}"));
            }
        }
        Verdict::Allowed | Verdict::Conditional => {
            if let Some(why) = unknown_deny {
                access.verdict = Verdict::Undetermined;
                access.notes.push(format!("may be denied by {why}"));
            } else if let Some(why) = &caller.boundary_unknown {
                access.verdict = Verdict::Undetermined;
                access
                    .notes
                    .push(format!("the permissions boundary is unknown ({why})"));
            }
        }
        _ => {}
    }
    if access.verdict != Verdict::Denied {
        for s in access.via.clone() {
            if let Some(c) = caller
                .identity
                .iter()
                .chain(target.resource_policy.iter())
                .find(|p| p.source.label == s.policy)
                .and_then(|p| p.source.caveat.clone())
            {
                if !access.notes.contains(&c) {
                    access.notes.push(c);
                }
            }
        }
    }
    access
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::naming::Naming;
    use crate::prepare::Source;
    use palisade_model::Model;
    use serde_json::json;

    fn prep(doc: serde_json::Value, label: &str) -> Prepared {
        let naming = Naming::new(&Model::default(), Some("111122223333"), None);
        Prepared::new(
            &doc,
            Source {
                label: label.into(),
                address: None,
                loc: None,
                caveat: None,
            },
            &naming,
        )
    }

    fn caller<'a>(identity: Vec<&'a Prepared>) -> Caller<'a> {
        Caller {
            principal: "arn:aws:sts::111122223333:assumed-role/app/palisade".into(),
            identity,
            boundary: None,
            boundary_unknown: None,
            notes: Vec::new(),
        }
    }

    const BUCKET: &str = "arn:aws:s3:::b/key";

    #[test]
    fn plain_allow_and_deny() {
        let id = prep(
            json!({"Version": "2012-10-17", "Statement": [{"Sid": "R", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}),
            "grant",
        );
        let c = caller(vec![&id]);
        let t = Target {
            arn: BUCKET,
            account: Some("111122223333"),
            resource_policy: None,
        };
        let a = decide(&c, "s3:GetObject", &t, &Context::new());
        assert_eq!(a.verdict, Verdict::Allowed);
        assert_eq!(a.via.first().and_then(|s| s.sid.as_deref()), Some("R"));
        assert_eq!(
            decide(&c, "s3:PutObject", &t, &Context::new()).verdict,
            Verdict::Denied
        );
    }

    #[test]
    fn conditions_are_found_and_shown() {
        let id = prep(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}),
            "grant",
        );
        let bucket = prep(
            json!({"Version": "2012-10-17", "Statement": [
                {"Sid": "OnlyVpce", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
                 "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}},
                {"Sid": "Tls", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*",
                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
            ]}),
            "bucket policy",
        );
        let c = caller(vec![&id]);
        let t = Target {
            arn: BUCKET,
            account: Some("111122223333"),
            resource_policy: Some(&bucket),
        };
        let a = decide(&c, "s3:GetObject", &t, &Context::new());
        assert_eq!(a.verdict, Verdict::Conditional);
        assert_eq!(
            a.example.get("aws:SourceVpce"),
            Some(&vec!["vpce-1".to_string()])
        );
        let sids: Vec<_> = a.unless.iter().filter_map(|s| s.sid.as_deref()).collect();
        assert!(
            sids.contains(&"OnlyVpce") && sids.contains(&"Tls"),
            "{sids:?}"
        );

        let mfa = prep(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
              "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}),
            "grant",
        );
        let c = caller(vec![&mfa]);
        let t = Target {
            arn: BUCKET,
            account: Some("111122223333"),
            resource_policy: None,
        };
        let a = decide(&c, "s3:GetObject", &t, &Context::new());
        assert_eq!(a.verdict, Verdict::Conditional);
        let cats: Vec<_> = a.conditions.iter().map(|c| c.category).collect();
        assert_eq!(cats, vec!["mfa", "source-ip"]);
    }

    #[test]
    fn unknown_parts_make_it_undetermined() {
        let id = prep(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "rds-db:connect", "Resource": "${unknown}"}]}),
            "grant",
        );
        let c = caller(vec![&id]);
        let t = Target {
            arn: "arn:aws:rds-db:eu-west-1:111122223333:dbuser:db-1/app",
            account: None,
            resource_policy: None,
        };
        let a = decide(&c, "rds-db:connect", &t, &Context::new());
        assert_eq!(a.verdict, Verdict::Undetermined);
        assert_eq!(
            decide(&c, "rds:DeleteDBInstance", &t, &Context::new()).verdict,
            Verdict::Denied
        );
        let explicit = prep(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}),
            "deny",
        );
        let c = caller(vec![&id, &explicit]);
        let a = decide(&c, "rds-db:connect", &t, &Context::new());
        assert_eq!(a.verdict, Verdict::Denied);
        assert!(a.explicit_deny);
    }

    #[test]
    fn kms_key_policy_delegation_and_via_service() {
        let key = prep(
            json!({"Version": "2012-10-17", "Statement": [
                {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}
            ]}),
            "key policy",
        );
        let id = prep(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
                   "Condition": {"StringEquals": {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}}}]}),
            "grant",
        );
        let arn = "arn:aws:kms:eu-west-1:111122223333:key/k";
        let t = Target {
            arn,
            account: None,
            resource_policy: Some(&key),
        };
        let a = decide(&caller(vec![&id]), "kms:Decrypt", &t, &Context::new());
        assert_eq!(a.verdict, Verdict::Conditional);
        assert_eq!(a.conditions.first().map(|c| c.category), Some("service"));
        // Without a key policy grant, identity policies are not enough.
        let none = prep(
            json!({"Version": "2012-10-17", "Statement": []}),
            "key policy",
        );
        let t = Target {
            arn,
            account: None,
            resource_policy: Some(&none),
        };
        let a = decide(&caller(vec![&id]), "kms:Decrypt", &t, &Context::new());
        assert_eq!(a.verdict, Verdict::Denied);
    }
}
