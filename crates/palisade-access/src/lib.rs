//! Who can do what to which resource: IAM, IRSA / EKS Pod Identity and
//! Kubernetes RBAC analysis over the palisade model.
//!
//! [`Analysis::new`] builds, once per model:
//!
//! * the **IAM principals** ([`principals`]): users (with their groups'
//!   policies) and roles, their inline and managed policies, permissions
//!   boundaries and trust policies. AWS-managed policies are known by name
//!   only: `AdministratorAccess` is `*` on `*`, a small table
//!   ([`managed`]) holds the statements of other well-known ones (some
//!   approximated by their main actions, which every answer relying on them
//!   says), and any other is unknown;
//! * the **resources** ([`catalog`]) questions are asked about, with the
//!   ARNs they are tested through and their resource policies (bucket, key,
//!   secret policies; role trust policies for `sts:` actions; the AWS
//!   default key policy for a key without one);
//! * the **Kubernetes identities** ([`workloads`]): service accounts and
//!   workloads, the roles they reach through IRSA or EKS Pod Identity (by
//!   evaluating trust policies), and node roles reached through IMDS;
//! * **RBAC** ([`rbac`]) with aggregated ClusterRoles.
//!
//! Every access answer comes from `palisade-iam`'s evaluation ([`decide`]):
//! explicit deny, permissions boundaries, same-account versus cross-account
//! rules, trust and key policies that must allow by themselves. Conditions
//! are explored with witness contexts and reported (source IP, VPC endpoint,
//! MFA, time...). Unknown policy parts (`${unknown}`) never match and never
//! grant: they make answers *undetermined* where they could change them
//! ([`prepare`]).
//!
//! # Account and region
//!
//! Model resources rarely carry ARNs, so each gets a canonical one
//! ([`naming`]). The account is `Options::account` (`--account`), else the
//! most frequent 12-digit account in the ARNs of the model (policies,
//! resource keys, service account role annotations), else the placeholder
//! `000000000000` (noted in every answer). The region likewise
//! (`--region`, ARNs and EKS issuer hosts, else `us-east-1`, noted). Every
//! scanned resource is taken to be in that account. SCPs and RCPs are not
//! applied (the model does not say where they are attached).
//!
//! # Questions
//!
//! * [`Analysis::who`]: every principal that can act on a resource — IAM
//!   users and roles, the service accounts and workloads that reach those
//!   roles (IRSA, Pod Identity, the node role through IMDS), AWS services,
//!   other accounts and anonymous callers named by the resource policy; for
//!   a Kubernetes object (`Secret/ns/name`), the RBAC subjects and their
//!   workloads.
//! * [`Analysis::what`]: everything an IAM user or role, a
//!   `ServiceAccount/NS/NAME` or a workload can do, grouped by service and
//!   resource, wildcard grants expanded against the scanned resources, plus
//!   what reaches beyond them and the Kubernetes permissions.
//! * [`Analysis::escalations`]: principals that can make themselves
//!   administrator, with the chain ([`escalation`]).
//! * The rule-facing helpers of [`checks`].
//!
//! # JSON output
//!
//! `palisade access who --format json` prints a [`who::WhoReport`]:
//!
//! ```json
//! {"resource": {"domain": "aws", "id": "aws_secretsmanager_secret.app",
//!               "arn": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:shop/app/api-keys-??????",
//!               "kind": "Secret"},
//!  "account": "111122223333",
//!  "actions": ["secretsmanager:GetSecretValue", "..."],
//!  "entries": [
//!    {"principal": {"kind": "iam-role", "id": "aws_iam_role.app",
//!                   "arn": "arn:aws:iam::111122223333:role/shop-app", "name": "shop-app"},
//!     "grants": [{"action": "secretsmanager:GetSecretValue", "target": "secret", "arn": "...",
//!                 "verdict": "allowed",
//!                 "via": [{"policy": "aws_iam_role_policy.app", "statement": 0, "sid": "ReadOwnSecret",
//!                          "effect": "Allow", "loc": {"file": "terraform/eks.tf", "line": 173, "end_line": 177}}]}]},
//!    {"principal": {"kind": "service-account", "id": "ServiceAccount/shop-prod/shop-api",
//!                   "name": "system:serviceaccount:shop-prod:shop-api"},
//!     "chain": [{"from": "ServiceAccount/shop-prod/shop-api", "to": "aws_iam_role.app", "how": "irsa",
//!                "detail": "...", "trust": {"verdict": "allowed", "via": ["..."]}}],
//!     "grants": ["... the role's grants ..."]}],
//!  "notes": ["..."]}
//! ```
//!
//! * `principal.kind`: `iam-user`, `iam-role`, `service-account`,
//!   `workload`, `aws-service`, `federated`, `external` (another account;
//!   its own policies are assumed to allow), `anonymous`, `k8s-user`,
//!   `k8s-group`.
//! * `chain[].how`: `runs-as` (workload → service account), `irsa`,
//!   `pod-identity`, `imds` (workload → node role); `trust` is the trust
//!   policy's answer.
//! * each grant: `verdict` (`allowed`, `conditional`, `undetermined`;
//!   denied grants are left out), `via` (the deciding statements:
//!   `policy` label, `statement` index in the document, `sid`, `effect`,
//!   `conditions`, `loc`), `conditions` (`{category, operator, key,
//!   values}` that must hold, `category` one of `source-ip`,
//!   `vpc-endpoint`, `vpc`, `mfa`, `time`, `tls`, `organization`,
//!   `principal`, `service`, `tag`, `irsa`, `other`), `unless` (`Deny`
//!   statements that apply in other contexts), `example` (a context in which
//!   it is allowed), `notes` (unknown parts, approximations).
//! * Kubernetes objects: `entries[].rbac` lists `{subject, verb, scope,
//!   binding, role, rule, service_accounts}`.
//!
//! `palisade access what --format json` prints a [`what::WhatReport`]:
//! `principal`, `account`, `identities` (the IAM identities it acts as,
//! with `chain`), `services` (service → `[{resource, arn, target,
//! identity, actions: [{action, verdict, via, conditions, ...}]}]`),
//! `beyond_model` (Allow statements reaching resources that were not
//! scanned, or `*`: `{identity, policy, statement, sid, actions, resources,
//! conditions}`), `kubernetes` (`{scope, binding, role, subject, rule}`),
//! `notes`.

pub mod analysis;
pub mod catalog;
pub mod checks;
pub mod decide;
pub mod escalation;
pub mod index;
pub mod managed;
pub mod naming;
pub mod prepare;
pub mod principals;
pub mod rbac;
pub mod render;
pub mod what;
pub mod who;
pub mod workloads;

pub use analysis::{Analysis, Options};
pub use decide::{Access, Verdict};
pub use escalation::{EscStep, Escalation};
pub use what::WhatReport;
pub use who::{QueryError, WhoReport};
pub use workloads::SaRef;

#[cfg(test)]
pub(crate) mod testutil {
    use palisade_model::Model;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static N: AtomicUsize = AtomicUsize::new(0);

    /// Loads a model from files written to a fresh temporary directory.
    pub fn model(files: &[(&str, &str)]) -> Model {
        let dir = std::env::temp_dir().join(format!(
            "palisade-access-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        for (name, text) in files {
            std::fs::write(dir.join(name), text).expect("write fixture");
        }
        let opts = palisade_scan::ScanOptions {
            paths: vec![dir.clone()],
            display_base: dir.clone(),
            ..Default::default()
        };
        let (m, report, _) = palisade_scan::load(&opts);
        assert!(report.errors.is_empty(), "load errors: {:?}", report.errors);
        let _ = std::fs::remove_dir_all(&dir);
        m
    }

    /// A role trusted by EC2, with an inline policy.
    pub fn role(name: &str, policy: &str) -> String {
        format!(
            r#"
resource "aws_iam_role" "{name}" {{
  name = "{name}"
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = "ec2.amazonaws.com" }} }}]
  }})
}}

resource "aws_iam_role_policy" "{name}" {{
  role   = aws_iam_role.{name}.id
  policy = <<EOT
{policy}
EOT
}}
"#
        )
    }
}
