//! A role whose trust policy allows `"AWS": "*"` (or `Principal: "*"`) with
//! no condition can be assumed by any principal of any AWS account: its
//! permissions are public. The seeds grant trust only to the exact services,
//! accounts and service accounts that need the role.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL064",
    name: "iam-role-trusts-any-principal",
    title: "IAM role can be assumed by any AWS principal",
    severity: Severity::Critical,
    practices: &["IAM-05", "IAM-01"],
    benchmarks: &["CKV_AWS_60"],
    description: "The role's trust policy allows `sts:AssumeRole` (or more) to every AWS \
principal with no condition (`aws:PrincipalOrgID`, `aws:PrincipalArn`, `sts:ExternalId`). \
Anyone with an AWS account anywhere can assume it and use all of its permissions. The seeds keep \
administrative access few and just-in-time, and trust only named principals.",
    remediation: "Name the trusted principals (account root, specific role ARNs, a service), or \
add conditions that restrict them (`aws:PrincipalOrgID`, `aws:PrincipalArn`, `sts:ExternalId` \
for third parties).",
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-anonymous",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for role in &m.aws.iam_roles {
        let Some(doc) = cx.known(&role.meta, "assume_role_policy", &role.trust_policy) else {
            continue;
        };
        for stmt in statements(doc) {
            if has_condition(stmt) {
                continue;
            }
            if statement_undecided(stmt) {
                cx.unknown(
                    &role.meta,
                    "assume_role_policy",
                    role.trust_policy.loc(),
                    "a trust statement's effect, principal or actions are unknown",
                );
                continue;
            }
            if is_allow(stmt) && principal_is_anyone(stmt) {
                cx.report(
                    &role.meta,
                    role.trust_policy.loc(),
                    "trust policy lets any AWS principal (`*`) assume the role without conditions",
                );
            }
        }
    }
}
