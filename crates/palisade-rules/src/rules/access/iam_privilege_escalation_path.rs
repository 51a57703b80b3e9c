//! Few administrators means few principals that *can become* one. A user
//! or role that can rewrite a policy attached to itself, attach a policy,
//! pass a more privileged role to a compute service it can launch, rewrite
//! a role's trust, mint another user's keys or assume a more privileged role
//! is an administrator in waiting. The rule follows these steps through the
//! principals of the model (each decided by evaluating the policies) and
//! reports the chain.

use crate::prelude::*;
use palisade_access::{Analysis, Options};

pub static RULE: Rule = Rule {
    id: "PAL122",
    name: "iam-privilege-escalation-path",
    title: "A principal can escalate its own privileges to administrator",
    severity: Severity::Critical,
    practices: &["IAM-05"],
    benchmarks: &[],
    description: "Following `sts:AssumeRole`, `iam:PassRole` with a compute service \
(`lambda:CreateFunction`, `ec2:RunInstances`, ...), `iam:UpdateAssumeRolePolicy`, \
`iam:CreateAccessKey`/`CreateLoginProfile` on other users and `iam:AddUserToGroup`, a \
non-administrator principal reaches an administrator, or a principal that can attach or write \
an administrator policy (`iam:AttachRolePolicy`, `iam:PutUserPolicy`, \
`iam:CreatePolicyVersion`, ...) for one it reaches. Its standing permissions understate what it \
can do.",
    remediation: "Remove the first step of the chain: scope `iam:PassRole` to the roles the \
principal must pass (with `iam:PassedToService`), never grant policy-writing IAM actions on `*`, \
restrict role trust policies to the principals that need them, and use permissions boundaries \
for delegated IAM administration.",
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let a = Analysis::new(m, &Options::default());
    for e in a.escalations() {
        let at = e.steps.first().and_then(|s| s.loc.clone());
        let meta = Meta::new(e.principal.clone(), "iam principal", e.loc.clone());
        cx.report(
            &meta,
            at.as_ref().or(Some(&e.loc)),
            format!(
                "{} can become administrator ({}): {}",
                e.principal,
                e.admin,
                e.chain()
            ),
        );
    }
}
