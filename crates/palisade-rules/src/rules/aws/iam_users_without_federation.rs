//! Humans should reach AWS through the corporate identity provider — "most
//! cloud providers can integrate their IAM service to an external Identity
//! Provider via SAML or OpenID Connect" — with MFA and group-mapped roles.
//! IAM users in an input that declares no SAML or OIDC sign-in provider
//! suggest people sign in with their own IAM credentials.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL062",
    name: "iam-users-without-federation",
    title: "IAM users exist and no SSO identity provider is declared",
    severity: Severity::Info,
    practices: &["IAM-04"],
    benchmarks: &["CIS AWS 1.21", "CKV_AWS_273"],
    description: "The scanned input declares IAM users but no SAML provider and no OIDC \
provider for human sign-in (EKS and CI issuers do not count). People probably authenticate with \
per-user IAM credentials that live outside the corporate identity provider. The seeds require \
SSO with MFA for humans. Informational: the federation may be configured elsewhere (IAM Identity \
Center, another account).",
    remediation: "Federate human access through IAM Identity Center or an `aws_iam_saml_provider` \
/ OIDC provider with roles per IdP group, and remove human IAM users.",
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers.html",
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/what-is.html",
    ],
    check,
};

/// Issuers of workload identity, not of human sign-in.
fn workload_issuer(url: &str) -> bool {
    url.contains("oidc.eks.") || url.contains("token.actions.githubusercontent.com")
}

fn check(m: &Model, cx: &mut Ctx) {
    if m.aws.iam_users.is_empty() || !m.aws.iam_saml_providers.is_empty() {
        return;
    }
    let mut undecided = None;
    for p in &m.aws.iam_oidc_providers {
        match p.url.get() {
            Some(Some(url)) if !workload_issuer(url) => return, // a human sign-in provider
            Some(_) => {}
            None => {
                // Audience `sts.amazonaws.com` only is web-identity federation for workloads.
                let workload = p.client_ids.get().is_some_and(|ids| {
                    !ids.is_empty() && ids.iter().all(|i| i == "sts.amazonaws.com")
                });
                if !workload {
                    undecided = Some(p);
                }
            }
        }
    }
    if let Some(p) = undecided {
        cx.unknown(
            &p.meta,
            "url",
            p.url.loc(),
            "the OIDC provider's issuer is unknown; it may be a human sign-in provider",
        );
        return;
    }
    for u in &m.aws.iam_users {
        cx.report(
            &u.meta,
            None,
            "IAM user exists but no SAML or OIDC sign-in provider is declared: humans should sign in through SSO",
        );
    }
}
