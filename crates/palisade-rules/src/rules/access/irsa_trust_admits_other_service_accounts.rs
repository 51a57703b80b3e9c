//! A role meant for one service account (the one annotated with it, or
//! associated through EKS Pod Identity) must not be assumable by others. The
//! rule evaluates the trust policy for every service account of the scanned
//! manifests (and for service accounts of namespaces it does not know) with
//! the cluster issuer's `sub`/`aud` context, and names one that gets in.

use crate::prelude::*;
use palisade_access::{Analysis, Options};

pub static RULE: Rule = Rule {
    id: "PAL121",
    name: "irsa-trust-admits-other-service-accounts",
    title: "A role's web-identity trust lets other service accounts assume it",
    severity: Severity::High,
    practices: &["IAM-03"],
    benchmarks: &[],
    description: "Evaluating the trust policy of a role with the cluster's OIDC issuer shows \
that a service account other than the intended one (the one annotated with the role, or \
associated through EKS Pod Identity) may assume it: its `sub` condition is missing or a \
wildcard. A role annotation grants nothing by itself; the trust policy decides. Any pod running \
as an admitted service account can request a token with the `sts.amazonaws.com` audience and \
take the role's permissions.",
    remediation: "Pin the trust policy with `StringEquals` on `<issuer>:sub` = \
`system:serviceaccount:<namespace>:<name>` and `<issuer>:aud` = `sts.amazonaws.com`, or use an \
EKS Pod Identity association.",
    references: &[
        "https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html",
        "https://aws.github.io/aws-eks-best-practices/security/docs/iam/#scope-the-iam-role-trust-policy-for-irsa-roles-to-the-service-account-name-namespace-and-cluster",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let a = Analysis::new(m, &Options::default());
    for e in &a.identities.exposures {
        let intended: Vec<String> = e.intended.iter().map(|s| s.address()).collect();
        let others: Vec<String> = e.others().map(|(sa, _)| sa.address()).collect();
        // Without an intended service account, one admitted account is the intended one.
        let too_many = if intended.is_empty() {
            others.len() > 1
        } else {
            !others.is_empty()
        };
        let open = !e.open_namespaces.is_empty() || e.any_namespace.is_some();
        if !too_many && !open {
            continue;
        }
        let example = others
            .iter()
            .find(|o| !intended.contains(o))
            .cloned()
            .or_else(|| {
                e.open_namespaces
                    .first()
                    .map(|ns| format!("any service account of namespace {ns}"))
            })
            .unwrap_or_else(|| {
                "a service account of any namespace (e.g. ServiceAccount/kube-system/default)"
                    .into()
            });
        let mut scope = Vec::new();
        if e.any_namespace.is_some() {
            scope.push("service accounts of every namespace".to_string());
        } else if !e.open_namespaces.is_empty() {
            scope.push(format!(
                "every service account of {}",
                e.open_namespaces.join(", ")
            ));
        }
        if others.len() > 1 || (others.len() == 1 && !intended.is_empty()) {
            scope.push(format!("scanned: {}", others.join(", ")));
        }
        let meant = if intended.is_empty() {
            "no service account is annotated with it or associated to it".to_string()
        } else {
            format!("it is meant for {}", intended.join(", "))
        };
        let statement = e
            .any_namespace
            .as_ref()
            .or_else(|| e.others().next().map(|(_, acc)| acc))
            .and_then(|acc| acc.via.first())
            .map(|s| format!(" (trust statement {})", s.statement))
            .unwrap_or_default();
        let meta = Meta::new(
            e.role_address.clone(),
            "aws_iam_role",
            e.loc.clone().unwrap_or_else(|| Location::file_only("-")),
        );
        cx.report(
            &meta,
            e.loc.as_ref(),
            format!(
                "{} can be assumed by {example} through {}{statement}: {meant}; admitted: {}",
                e.role_address,
                e.provider,
                scope.join("; ")
            ),
        );
    }
}
