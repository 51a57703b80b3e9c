//! The seeds move "away from static to dynamic credentials": workloads get
//! temporary credentials from IRSA, EKS Pod Identity or instance roles, and
//! "long-term credentials used by operators and pipelines get leaked". An
//! IAM access key is exactly such a long-lived credential.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL059",
    name: "iam-user-access-key",
    title: "IAM user has a long-lived access key",
    severity: Severity::Medium,
    practices: &["IAM-02"],
    benchmarks: &[],
    description: "An `aws_iam_access_key` creates a long-lived access key for an IAM user. It \
does not expire, ends up in CI variables, laptops and state files, and is the most common leaked \
AWS credential. The seeds require temporary credentials: IRSA or EKS Pod Identity for pods, \
instance roles for nodes, OIDC federation for pipelines.",
    remediation: "Delete the access key. Give pods an IRSA / Pod Identity role, give CI an OIDC \
role (`sts:AssumeRoleWithWebIdentity`), and give humans SSO.",
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-workloads-use-roles",
        "https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for k in &m.aws.iam_access_keys {
        let who = match k.user.get() {
            Some(r) => match m.aws.get::<IamUser>(r) {
                Some(u) => format!("IAM user `{}`", u.meta.address),
                None => format!("IAM user `{}`", r.key()),
            },
            None => "an IAM user".to_owned(),
        };
        cx.report(&k.meta, None, format!("{who} has a long-lived access key"));
    }
}
