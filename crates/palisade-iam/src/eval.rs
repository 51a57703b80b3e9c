//! The evaluation engine: the AWS policy evaluation flow chart.
//!
//! See the crate documentation for the order of the steps and the reasons.

use serde::{Deserialize, Serialize};

use crate::condition::evaluate_clause;
use crate::context::Context;
use crate::policy::{ActionBlock, Effect, Policy, PrincipalBlock, ResourceBlock, Statement};
use crate::principal::{
    arn_account, not_principal_excludes, principal_matches, GrantKind, PrincipalInfo, PrincipalKind,
};
use crate::request::Request;
use crate::variables::substitute_resource;
use crate::wildcard::{action_matches, resource_matches_toks};

/// The final answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Response {
    /// Every required policy allowed and nothing denied.
    Allowed,
    /// No applicable `Deny`, but a required `Allow` is missing.
    ImplicitlyDenied,
    /// An applicable `Deny` statement in some policy.
    ExplicitlyDenied,
}

/// A statement that took part in the decision.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DecidingStatement {
    /// Where the policy sits in the request: `identityPolicies[0]`,
    /// `resourcePolicy`, `serviceControlPolicies[1].policies[0]` ...
    pub policy: String,
    /// The statement's index within its policy.
    pub statement: usize,
    /// The statement's `Sid`, if any.
    pub sid: Option<String>,
    /// The statement's effect.
    pub effect: Effect,
}

/// The decision and the statements behind it. For `ExplicitlyDenied` these
/// are every applicable `Deny`; for `Allowed` the `Allow` statements that made
/// up the granting path (including SCP/RCP/boundary/session/endpoint allows
/// that had to be present); for `ImplicitlyDenied` the list is empty, since
/// no statement decided it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// The answer.
    pub response: Response,
    /// The deciding statements, in request order (identity policies,
    /// resource policy, boundaries, SCPs, RCPs, session policy, endpoint
    /// policies), then by statement index.
    #[serde(rename = "decidedBy")]
    pub decided_by: Vec<DecidingStatement>,
}

/// Which role a policy plays; it decides how `Principal` is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Identity,
    Resource,
    Boundary,
    Scp(usize),
    Rcp(usize),
    Session,
    Endpoint,
}

/// The request facts every statement is checked against.
struct Env<'a> {
    principal: PrincipalInfo,
    action: &'a str,
    resource: &'a str,
    ctx: Context,
    has_boundary: bool,
}

/// One policy with the statements that apply to the request.
struct Evaluated<'a> {
    label: String,
    slot: Slot,
    hits: Vec<(&'a Statement, GrantKind)>,
}

impl Evaluated<'_> {
    fn allows(&self) -> bool {
        self.hits.iter().any(|(s, _)| s.effect == Effect::Allow)
    }
}

/// Builds the request context, adding the keys AWS derives from the caller
/// and the resource when the request did not set them explicitly.
fn build_context(req: &Request, p: &PrincipalInfo, resource_account: Option<&str>) -> Context {
    let mut ctx = req.request.context.clone();
    if let Some(arn) = p.principal_arn() {
        ctx.insert_default("aws:PrincipalArn", arn);
    }
    if p.is_iam() {
        if let Some(acct) = &p.account {
            ctx.insert_default("aws:PrincipalAccount", acct.clone());
        }
        let t = match p.kind {
            PrincipalKind::Root => "Account",
            PrincipalKind::User => "User",
            PrincipalKind::FederatedUser => "FederatedUser",
            _ => "AssumedRole",
        };
        ctx.insert_default("aws:PrincipalType", t);
        ctx.insert_default("aws:PrincipalIsAWSService", "false");
    } else if p.raw.ends_with(".amazonaws.com") || p.raw.ends_with(".amazonaws.com.cn") {
        ctx.insert_default("aws:PrincipalIsAWSService", "true");
    }
    match p.kind {
        PrincipalKind::User => {
            if let Some(n) = &p.name {
                ctx.insert_default("aws:username", n.clone());
            }
        }
        PrincipalKind::Root => {
            if let Some(a) = &p.account {
                ctx.insert_default("aws:userid", a.clone());
            }
        }
        _ => {}
    }
    if let Some(acct) = resource_account {
        ctx.insert_default("aws:ResourceAccount", acct);
    }
    ctx
}

fn statement_applies(st: &Statement, policy: &Policy, slot: Slot, env: &Env) -> Option<GrantKind> {
    let action_hit = match &st.action {
        ActionBlock::Action(pats) => pats.iter().any(|p| action_matches(p, env.action)),
        ActionBlock::NotAction(pats) => !pats.iter().any(|p| action_matches(p, env.action)),
    };
    if !action_hit {
        return None;
    }
    let vars = policy.variables_enabled();
    let res_hit = |pats: &Vec<String>| {
        pats.iter().any(|p| {
            substitute_resource(p, &env.ctx, vars)
                .is_some_and(|toks| resource_matches_toks(&toks, env.resource))
        })
    };
    let resource_ok = match &st.resource {
        None => true,
        Some(ResourceBlock::Resource(pats)) => res_hit(pats),
        Some(ResourceBlock::NotResource(pats)) => !res_hit(pats),
    };
    if !resource_ok {
        return None;
    }
    let grant = match slot {
        // Principal is meaningless in policies attached to the caller or its
        // account; IAM rejects it there, so it is ignored.
        Slot::Identity | Slot::Boundary | Slot::Scp(_) | Slot::Session => GrantKind::Direct,
        Slot::Resource | Slot::Rcp(_) | Slot::Endpoint => match &st.principal {
            // A resource policy statement must name a principal; without one it grants nothing.
            None if slot == Slot::Resource => return None,
            None => GrantKind::Direct,
            Some(PrincipalBlock::Principal(spec)) => principal_matches(spec, &env.principal)?,
            Some(PrincipalBlock::NotPrincipal(spec)) => {
                // Documented quirk: a Deny with NotPrincipal always applies to
                // IAM users and roles that have a permissions boundary.
                let boundary_quirk = st.effect == Effect::Deny
                    && env.has_boundary
                    && matches!(
                        env.principal.kind,
                        PrincipalKind::User | PrincipalKind::Role | PrincipalKind::AssumedRole
                    );
                if !boundary_quirk && not_principal_excludes(spec, &env.principal) {
                    return None;
                }
                GrantKind::Direct
            }
        },
    };
    st.conditions
        .iter()
        .all(|c| evaluate_clause(c, &env.ctx, vars))
        .then_some(grant)
}

fn evaluate_policy<'a>(policy: &'a Policy, label: String, slot: Slot, env: &Env) -> Evaluated<'a> {
    let hits = policy
        .statements()
        .iter()
        .filter_map(|st| statement_applies(st, policy, slot, env).map(|g| (st, g)))
        .collect();
    Evaluated { label, slot, hits }
}

fn deciding(e: &Evaluated, st: &Statement) -> DecidingStatement {
    DecidingStatement {
        policy: e.label.clone(),
        statement: st.index,
        sid: st.sid.clone(),
        effect: st.effect,
    }
}

/// Is this a role trust policy evaluation (an `sts:` action on a role)?
fn is_trust_request(action: &str, resource: &str) -> bool {
    let parts: Vec<&str> = resource.splitn(6, ':').collect();
    let on_role =
        matches!(parts.as_slice(), ["arn", _, "iam", _, _, res] if res.starts_with("role/"));
    on_role
        && action
            .split_once(':')
            .is_some_and(|(svc, _)| svc.eq_ignore_ascii_case("sts"))
}

/// Is the resource a KMS key (or alias), whose key policy must allow?
fn is_kms_resource(resource: &str) -> bool {
    let parts: Vec<&str> = resource.splitn(6, ':').collect();
    matches!(parts.as_slice(), ["arn", _, "kms", ..])
}

/// Evaluates a request following the AWS policy evaluation logic.
pub fn evaluate(req: &Request) -> Decision {
    let principal = PrincipalInfo::parse(&req.request.principal);
    let resource_account = req
        .request
        .resource_account
        .clone()
        .or_else(|| arn_account(&req.request.resource).map(str::to_string));
    let ctx = build_context(req, &principal, resource_account.as_deref());
    let env = Env {
        principal,
        action: &req.request.action,
        resource: &req.request.resource,
        ctx,
        has_boundary: !req.permission_boundaries.is_empty(),
    };

    // Every policy, in the canonical (request) order.
    let mut evals: Vec<Evaluated> = Vec::new();
    for (i, p) in req.identity_policies.iter().enumerate() {
        evals.push(evaluate_policy(
            p,
            format!("identityPolicies[{i}]"),
            Slot::Identity,
            &env,
        ));
    }
    if let Some(p) = &req.resource_policy {
        evals.push(evaluate_policy(
            p,
            "resourcePolicy".into(),
            Slot::Resource,
            &env,
        ));
    }
    for (i, p) in req.permission_boundaries.iter().enumerate() {
        evals.push(evaluate_policy(
            p,
            format!("permissionBoundaries[{i}]"),
            Slot::Boundary,
            &env,
        ));
    }
    for (l, level) in req.service_control_policies.iter().enumerate() {
        for (i, p) in level.policies.iter().enumerate() {
            let label = format!("serviceControlPolicies[{l}].policies[{i}]");
            evals.push(evaluate_policy(p, label, Slot::Scp(l), &env));
        }
    }
    for (l, level) in req.resource_control_policies.iter().enumerate() {
        for (i, p) in level.policies.iter().enumerate() {
            let label = format!("resourceControlPolicies[{l}].policies[{i}]");
            evals.push(evaluate_policy(p, label, Slot::Rcp(l), &env));
        }
    }
    if let Some(p) = &req.session_policy {
        evals.push(evaluate_policy(
            p,
            "sessionPolicy".into(),
            Slot::Session,
            &env,
        ));
    }
    for (i, p) in req.endpoint_policies.iter().enumerate() {
        evals.push(evaluate_policy(
            p,
            format!("endpointPolicies[{i}]"),
            Slot::Endpoint,
            &env,
        ));
    }

    // 1. Explicit deny in any applicable policy wins.
    let denies: Vec<DecidingStatement> = evals
        .iter()
        .flat_map(|e| {
            e.hits
                .iter()
                .filter(|(s, _)| s.effect == Effect::Deny)
                .map(move |(s, _)| deciding(e, s))
        })
        .collect();
    if !denies.is_empty() {
        return Decision {
            response: Response::ExplicitlyDenied,
            decided_by: denies,
        };
    }
    let implicit = Decision {
        response: Response::ImplicitlyDenied,
        decided_by: Vec::new(),
    };

    // 2./3. RCPs, then SCPs: every organization level needs an Allow.
    for (l, _) in req.resource_control_policies.iter().enumerate() {
        if !evals.iter().any(|e| e.slot == Slot::Rcp(l) && e.allows()) {
            return implicit;
        }
    }
    for (l, _) in req.service_control_policies.iter().enumerate() {
        if !evals.iter().any(|e| e.slot == Slot::Scp(l) && e.allows()) {
            return implicit;
        }
    }
    // VPC endpoint policies only limit: each one must allow.
    if evals
        .iter()
        .any(|e| e.slot == Slot::Endpoint && !e.allows())
    {
        return implicit;
    }

    // 4.-6. Identity side: identity policies, boundaries, session policy.
    let p = &env.principal;
    let boundaries_ok = evals.iter().all(|e| e.slot != Slot::Boundary || e.allows());
    let session_ok = match evals.iter().find(|e| e.slot == Slot::Session) {
        Some(e) => e.allows(),
        // A GetFederationToken session without a session policy has no permissions.
        None => p.kind != PrincipalKind::FederatedUser,
    };
    let identity_allow = p.kind == PrincipalKind::Root
        || evals.iter().any(|e| e.slot == Slot::Identity && e.allows());
    let identity_ok = p.is_iam() && identity_allow && boundaries_ok && session_ok;

    // Resource side.
    let resource_allows: Vec<GrantKind> = evals
        .iter()
        .filter(|e| e.slot == Slot::Resource)
        .flat_map(|e| e.hits.iter().map(|(_, g)| *g))
        .collect();
    let sufficient = |g: GrantKind| match g {
        GrantKind::Direct => true,
        GrantKind::RoleArn => boundaries_ok && session_ok,
        GrantKind::Account => identity_ok,
    };
    let cross_account = match (p.account.as_deref(), resource_account.as_deref()) {
        (Some(a), Some(b)) => a != b,
        _ => false,
    };
    let strict = is_trust_request(env.action, env.resource) || is_kms_resource(env.resource);

    // Which paths grant, and so which statements are reported.
    let (allowed, use_identity, resource_filter): (bool, bool, Box<dyn Fn(GrantKind) -> bool>) =
        if cross_account {
            // Both sides must allow.
            let ok = identity_ok && !resource_allows.is_empty();
            (ok, true, Box::new(|_| true))
        } else if strict {
            // Trust and key policies must allow the caller themselves.
            let ok = resource_allows.iter().any(|g| sufficient(*g));
            let via_account = resource_allows.contains(&GrantKind::Account) && identity_ok;
            (ok, via_account, Box::new(sufficient))
        } else {
            let res_ok = resource_allows.iter().any(|g| sufficient(*g));
            (identity_ok || res_ok, identity_ok, Box::new(sufficient))
        };
    if !allowed {
        return implicit;
    }
    let role_grant_used = !cross_account
        && resource_allows.contains(&GrantKind::RoleArn)
        && sufficient(GrantKind::RoleArn);

    let mut decided_by = Vec::new();
    for e in &evals {
        let include_all = match e.slot {
            Slot::Scp(_) | Slot::Rcp(_) | Slot::Endpoint => true,
            Slot::Identity => use_identity,
            Slot::Boundary | Slot::Session => use_identity || role_grant_used,
            Slot::Resource => false,
        };
        for (s, g) in &e.hits {
            if include_all || (e.slot == Slot::Resource && resource_filter(*g)) {
                decided_by.push(deciding(e, s));
            }
        }
    }
    Decision {
        response: Response::Allowed,
        decided_by,
    }
}
