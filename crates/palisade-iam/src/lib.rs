//! AWS IAM policy model and evaluation engine.
//!
//! This crate parses IAM policy documents and decides requests the way AWS
//! documents it. The AWS documentation is the specification; each rule below
//! links to the page it comes from.
//!
//! # Evaluation order
//!
//! [`evaluate`] follows the flow chart of
//! [How AWS enforcement code logic evaluates requests][denyallow]
//! ([single account][single], [cross-account][cross]):
//!
//! 1. **Explicit deny.** Every applicable policy is searched for an applicable
//!    `Deny`: identity policies, the resource policy, permissions boundaries,
//!    SCPs, RCPs, the session policy and VPC endpoint policies. One is enough
//!    for `ExplicitlyDenied`, whatever else allows.
//! 2. **RCPs** ([resource control policies][rcp]). At every organization level
//!    (`resourceControlPolicies[n]`) at least one policy must allow, otherwise
//!    the request is implicitly denied. RCPs limit what can be done to
//!    resources; they never grant.
//! 3. **SCPs** ([service control policies][scp]). The same, per level, for the
//!    principal's account. They also only limit.
//! 4. **VPC endpoint policies** ([endpoint policies][vpce]). Each listed policy
//!    must allow; they only limit.
//! 5. **Resource-based policy** and **identity side**. The identity side is
//!    satisfied when an identity policy allows (the account root user needs
//!    none), every permissions boundary allows ([boundaries][pb]), and the
//!    session policy, if any, allows ([session policies][sp]; a
//!    `GetFederationToken` session without one has no identity permissions).
//!    Then, in the **same account**, either side is enough, with the grant
//!    kinds of the [single-account table][denyallow]:
//!    * a resource policy naming the exact user, role session or federated
//!      user, `*`, or a service/federated principal grants by itself (an
//!      implicit deny in identity policies, boundaries or session policies does
//!      not limit it);
//!    * one naming the *role ARN* of a role session is limited by the role's
//!      permissions boundary and session policy (but not by its identity
//!      policies);
//!    * one naming the *account* (ID or `:root`) delegates to the account, so
//!      the identity side must allow.
//!
//!    **Role trust policies** (`sts:*` actions on `arn:aws:iam::ID:role/...`)
//!    and **KMS key policies** (`arn:aws:kms:...`) are exceptions: the
//!    resource policy itself must allow, directly or by delegating to the
//!    account root, in which case the identity side must allow as well.
//!
//!    For **cross-account** requests (the caller's account differs from
//!    `resource.accountId`), both the identity side and the resource policy
//!    must allow ([cross-account evaluation][cross]).
//! 6. Otherwise the request is **implicitly denied**.
//!
//! # Matching
//!
//! * Actions are case-insensitive with `*`/`?` ([`action_matches`]).
//! * Resource ARNs are case-sensitive; `*`/`?` work within ARN segments and a
//!   trailing-segment `*` may span colons ([`resource_matches`]).
//! * Principals: see [`principal`] (account delegation, role sessions,
//!   `NotPrincipal` identity chains).
//! * Conditions: see [`condition`] (missing keys, negated operators,
//!   `IfExists`, `ForAllValues`/`ForAnyValue`, `Null`).
//! * Policy variables: see [`variables`] (`${aws:username}`, defaults, `${*}`).
//!
//! # Request context
//!
//! As AWS does, the engine adds keys derived from the caller when the request
//! context does not set them: `aws:PrincipalArn`, `aws:PrincipalAccount`,
//! `aws:PrincipalType`, `aws:PrincipalIsAWSService`, `aws:username` (IAM
//! users), `aws:userid` (root user: the account ID) and `aws:ResourceAccount`.
//! Explicit context values win. Time (`aws:CurrentTime`, `aws:EpochTime`) is
//! never invented, so results are deterministic.
//!
//! # Inputs are taken at their word
//!
//! Every policy in a [`Request`] is assumed to apply: the engine does not
//! know which services RCPs cover, that SCPs skip the management account and
//! service-linked roles, or which session a federated user came from. The
//! caller decides which policies to pass.
//!
//! [denyallow]: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
//! [single]: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html
//! [cross]: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
//! [rcp]: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html
//! [scp]: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
//! [vpce]: https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
//! [pb]: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
//! [sp]: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session

mod analysis;
pub mod condition;
mod context;
mod date;
mod error;
mod eval;
mod policy;
pub mod principal;
mod request;
pub mod variables;
mod wildcard;

pub use analysis::expand_actions;
pub use condition::{ip_in, parse_cidr, ConditionOperator, OperatorKind, SetQualifier};
pub use context::Context;
pub use date::parse_date;
pub use error::Error;
pub use eval::{evaluate, DecidingStatement, Decision, Response};
pub use policy::{
    ActionBlock, ConditionClause, Effect, Policy, PrincipalBlock, PrincipalSpec, PrincipalType,
    ResourceBlock, Statement, VERSION_2008, VERSION_2012,
};
pub use principal::{GrantKind, PrincipalInfo, PrincipalKind};
pub use request::{OrgPolicyLevel, Request, RequestDetails};
pub use wildcard::{action_matches, arn_like, resource_matches, string_like};

use serde_json::Value;

/// Simulates requests given as JSON text: one request object (answered with
/// one decision object) or an array of them (answered with an array, in
/// order). The output is compact JSON and deterministic.
///
/// ```
/// let out = palisade_iam::simulate_json(r#"{
///   "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject",
///               "resource": {"resource": "arn:aws:s3:::b/k", "accountId": "111122223333"}},
///   "identityPolicies": [{"Version": "2012-10-17",
///     "Statement": {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}]
/// }"#).unwrap();
/// assert_eq!(out, r#"{"response":"Allowed","decidedBy":[{"policy":"identityPolicies[0]","statement":0,"sid":"Read","effect":"Allow"}]}"#);
/// ```
pub fn simulate_json(input: &str) -> Result<String, Error> {
    let value: Value = serde_json::from_str(input)?;
    let out = match &value {
        Value::Array(items) => {
            let decisions = items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    Request::from_json(item)
                        .map(|r| evaluate(&r))
                        .map_err(|e| e.within(&format!("[{i}]")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            serde_json::to_string(&decisions)?
        }
        single => serde_json::to_string(&evaluate(&Request::from_json(single)?))?,
    };
    Ok(out)
}
