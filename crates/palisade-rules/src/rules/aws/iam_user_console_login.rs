//! The seeds extend "the corporate AuthN boundary to the cloud": humans sign
//! in through SSO (SAML or OpenID Connect) with MFA and receive temporary
//! credentials. A login profile gives an IAM user its own long-lived console
//! password instead.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL061",
    name: "iam-user-console-login",
    title: "IAM user has a console password",
    severity: Severity::Medium,
    practices: &["IAM-04"],
    benchmarks: &[],
    description: "An `aws_iam_user_login_profile` gives an IAM user a console password. The \
password lives outside the corporate identity provider (no central off-boarding, no SSO MFA \
policy, no group-based just-in-time access). The seeds require humans to sign in through SSO \
with MFA.",
    remediation: "Remove the login profile and give the person access through IAM Identity \
Center or a SAML/OIDC identity provider with MFA; if an IAM user is unavoidable, enforce MFA.",
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-users-federation-idp",
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/what-is.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for p in &m.aws.iam_login_profiles {
        let who = match p.user.get() {
            Some(r) => match m.aws.get::<IamUser>(r) {
                Some(u) => format!("IAM user `{}`", u.meta.address),
                None => format!("IAM user `{}`", r.key()),
            },
            None => "an IAM user".to_owned(),
        };
        cx.report(
            &p.meta,
            None,
            format!("{who} has a console password instead of signing in through SSO"),
        );
    }
}
