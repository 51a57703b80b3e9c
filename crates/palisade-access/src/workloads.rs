//! From Kubernetes service accounts and workloads to IAM roles.
//!
//! A pod gets AWS credentials in three ways, and palisade checks each by
//! evaluating policies, never by matching patterns:
//!
//! * **IRSA.** A service account reaches a role when the role's trust policy
//!   allows `sts:AssumeRoleWithWebIdentity` for the cluster's OIDC provider
//!   (`Principal.Federated` = the provider ARN, or a reference to the
//!   `aws_iam_openid_connect_provider`) in the context
//!   `<issuer>:sub = system:serviceaccount:NS:SA`,
//!   `<issuer>:aud = sts.amazonaws.com`. The `eks.amazonaws.com/role-arn`
//!   annotation only tells the pod identity webhook which role to ask for:
//!   alone it grants nothing, and without it any pod running as an allowed
//!   service account can still request a token with that audience and
//!   assume the role. Issuers of well-known CI and web identity providers
//!   (GitHub Actions, GitLab, Terraform Cloud, Google, Cognito...) are not
//!   taken for Kubernetes clusters; every other federated principal of a
//!   trust policy is. The scanned manifests are taken to run in the scanned
//!   cluster(s): every service account is tried against every such issuer.
//! * **EKS Pod Identity.** A service account reaches a role when an
//!   `aws_eks_pod_identity_association` names (namespace, service account,
//!   role) *and* the trust policy allows `pods.eks.amazonaws.com` both
//!   `sts:AssumeRole` and `sts:TagSession` (with the session tags EKS sets:
//!   `eks-cluster-arn`, `eks-cluster-name`, `kubernetes-namespace`,
//!   `kubernetes-service-account`).
//! * **The node's instance role through IMDS.** Pods with `hostNetwork`
//!   reach the instance metadata service; other pods reach it when the node
//!   group's launch template leaves IMDSv1 on (`http_tokens` not
//!   `required`) or sets a hop limit above 1. A node group without a launch
//!   template uses EKS's defaults, which let pods reach it (hop limit 2).
//!   Nothing in the scanned input says which node group a pod lands on, so a
//!   workload is taken to run on any node group.
//!
//! Trust policies whose `sub` is missing or a wildcard let other service
//! accounts in: [`TrustExposure`] records, per role and issuer, every known
//! service account it admits, whole namespaces it admits (a probe service
//! account name no policy names), and whether a service account of an
//! unknown namespace is admitted.

use crate::decide::{decide, Access, Caller, Target};
use crate::naming::Naming;
use crate::principals::{IamKind, IamPrincipal};
use palisade_iam::Context;
use palisade_model::aws::LaunchTemplate;
use palisade_model::k8s::Workload;
use palisade_model::{Location, Model, Val};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A Kubernetes service account, by namespace and name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SaRef {
    pub namespace: String,
    pub name: String,
}

impl SaRef {
    pub fn new(namespace: &str, name: &str) -> SaRef {
        SaRef {
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }
    /// `ServiceAccount/NS/NAME`.
    pub fn address(&self) -> String {
        format!("ServiceAccount/{}/{}", self.namespace, self.name)
    }
    /// `system:serviceaccount:NS:NAME`, the `sub` of its tokens.
    pub fn subject(&self) -> String {
        format!("system:serviceaccount:{}:{}", self.namespace, self.name)
    }
    /// Parses `ServiceAccount/NS/NAME`, `NS/NAME` or `system:serviceaccount:NS:NAME`.
    pub fn parse(s: &str) -> Option<SaRef> {
        if let Some(rest) = s.strip_prefix("system:serviceaccount:") {
            let (ns, name) = rest.split_once(':')?;
            return Some(SaRef::new(ns, name));
        }
        let rest = s
            .strip_prefix("ServiceAccount/")
            .or_else(|| s.strip_prefix("serviceaccount/"))
            .or_else(|| s.strip_prefix("sa/"))?;
        let (ns, name) = rest.split_once('/')?;
        (!ns.is_empty() && !name.is_empty() && !name.contains('/')).then(|| SaRef::new(ns, name))
    }
}

/// A service account known to the analysis.
#[derive(Clone, Debug, Serialize)]
pub struct SaInfo {
    pub sa: SaRef,
    /// Declared as a `ServiceAccount` object (else only referenced, or a
    /// namespace's implicit `default`).
    pub declared: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loc: Option<Location>,
    /// The `eks.amazonaws.com/role-arn` annotation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub irsa_annotation: Option<String>,
    /// Workloads running as it (addresses).
    pub workloads: Vec<String>,
}

/// How a service account reaches a role.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Mechanism {
    Irsa {
        /// The OIDC provider ARN.
        provider: String,
    },
    PodIdentity {
        /// The association's address.
        association: String,
    },
}

/// A service account that can assume a role.
#[derive(Clone, Debug, Serialize)]
pub struct RoleLink {
    pub sa: SaRef,
    /// Index of the role in [`crate::Analysis::principals`].
    #[serde(skip)]
    pub role: usize,
    pub role_address: String,
    pub mechanism: Mechanism,
    /// The trust policy's answer (statements and conditions).
    pub trust: Access,
    /// The service account's role annotation names this role.
    pub annotated: bool,
}

/// Who a role's web-identity trust admits, per issuer.
#[derive(Clone, Debug, Serialize)]
pub struct TrustExposure {
    #[serde(skip)]
    pub role: usize,
    pub role_address: String,
    pub provider: String,
    /// Service accounts the role is meant for: annotated with it, or
    /// associated through EKS Pod Identity.
    pub intended: Vec<SaRef>,
    /// Known service accounts it admits, with the trust answer.
    pub admitted: Vec<(SaRef, Access)>,
    /// Namespaces any service account of which it admits.
    pub open_namespaces: Vec<String>,
    /// A service account of a namespace not in the scanned input is admitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub any_namespace: Option<Access>,
    /// Tokens of any audience are accepted (`aud` not pinned).
    pub any_audience: bool,
    /// Where the trust policy is written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loc: Option<Location>,
}

impl TrustExposure {
    /// Admitted service accounts other than the intended ones.
    pub fn others(&self) -> impl Iterator<Item = &(SaRef, Access)> {
        self.admitted
            .iter()
            .filter(move |(sa, _)| !self.intended.contains(sa))
    }
}

/// Whether pods reach the instance metadata service of a node group.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "state", content = "reason", rename_all = "snake_case")]
pub enum Imds {
    /// Pods on the pod network reach it.
    Reachable(String),
    /// Only `hostNetwork` pods reach it.
    HostNetworkOnly(String),
    Unknown(String),
}

/// A node group and the role its nodes carry.
#[derive(Clone, Debug, Serialize)]
pub struct NodeRole {
    pub node_group: String,
    #[serde(skip)]
    pub role: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_address: Option<String>,
    pub imds: Imds,
    pub loc: Location,
}

/// A workload's identity facts.
#[derive(Clone, Debug, Serialize)]
pub struct WorkloadInfo {
    pub address: String,
    pub namespace: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account: Option<SaRef>,
    /// Why the service account is unknown, when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account_unknown: Option<String>,
    /// `hostNetwork`: true, false, or `None` when unknown.
    pub host_network: Option<bool>,
    pub loc: Location,
}

/// Kubernetes-to-AWS identity links of the model.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Identities {
    pub service_accounts: Vec<SaInfo>,
    pub workloads: Vec<WorkloadInfo>,
    pub links: Vec<RoleLink>,
    pub exposures: Vec<TrustExposure>,
    pub node_roles: Vec<NodeRole>,
    pub notes: Vec<String>,
}

/// Well-known issuers that are not Kubernetes clusters.
const NOT_KUBERNETES: &[&str] = &[
    "token.actions.githubusercontent.com",
    "gitlab.com",
    "app.terraform.io",
    "accounts.google.com",
    "cognito-identity.amazonaws.com",
    "graph.facebook.com",
    "www.amazon.com",
    "api.bitbucket.org",
    "oidc.circleci.com",
    "sts.windows.net",
    "login.microsoftonline.com",
];

fn is_kubernetes_issuer(host: &str) -> bool {
    !NOT_KUBERNETES
        .iter()
        .any(|h| host == *h || host.starts_with(&format!("{h}/")))
        && !host.ends_with(".auth0.com")
        && !host.contains(".auth0.com/")
}

const PROBE: &str = "zz-palisade-probe";

fn sa_of(w: &Workload) -> (Option<SaRef>, Option<String>) {
    match &w.template.spec.service_account_name {
        Val::Unknown { reason, .. } => (None, Some(reason.clone())),
        v => match v.get() {
            Some(n) => (Some(SaRef::new(w.namespace(), n)), None),
            None => (None, Some("unknown".into())),
        },
    }
}

/// The federated principals of a trust policy that are OIDC providers.
fn trust_providers(trust: &crate::prepare::Prepared) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let Some(p) = &trust.policy else { return out };
    for s in p.statements() {
        if let Some(palisade_iam::PrincipalBlock::Principal(palisade_iam::PrincipalSpec::Typed(
            entries,
        ))) = &s.principal
        {
            for (t, vals) in entries {
                if *t == palisade_iam::PrincipalType::Federated {
                    for v in vals {
                        if let Some((_, host)) = v.split_once(":oidc-provider/") {
                            if is_kubernetes_issuer(host) {
                                out.insert(v.clone());
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

fn caller(principal: &str) -> Caller<'static> {
    Caller {
        principal: principal.to_string(),
        identity: Vec::new(),
        boundary: None,
        boundary_unknown: None,
        notes: Vec::new(),
    }
}

/// IMDS reachability of a node group's pods.
fn imds_of(model: &Model, ng: &palisade_model::aws::EksNodeGroup) -> Imds {
    let lt = match &ng.launch_template {
        Val::Unknown { reason, .. } => return Imds::Unknown(reason.clone()),
        v => v.some(),
    };
    let Some(lt) = lt else {
        return Imds::Reachable(
            "no launch template: EKS's default settings let pods reach IMDS (hop limit 2)".into(),
        );
    };
    let Some(t) = model.aws.get::<LaunchTemplate>(lt) else {
        return Imds::Unknown(format!(
            "launch template `{}` is not in the scanned input",
            lt.key()
        ));
    };
    let tokens = match &t.http_tokens {
        Val::Unknown { reason, .. } => return Imds::Unknown(reason.clone()),
        v => v.get().cloned().unwrap_or_default(),
    };
    let hops = match &t.http_put_response_hop_limit {
        Val::Unknown { reason, .. } => return Imds::Unknown(reason.clone()),
        v => v.get().copied().unwrap_or(1),
    };
    if tokens != "required" {
        Imds::Reachable(format!(
            "`{}` allows IMDSv1 (http_tokens = {tokens})",
            t.meta.address
        ))
    } else if hops > 1 {
        Imds::Reachable(format!(
            "`{}` sets http_put_response_hop_limit = {hops} (> 1)",
            t.meta.address
        ))
    } else {
        Imds::HostNetworkOnly(format!(
            "`{}` requires IMDSv2 with hop limit 1",
            t.meta.address
        ))
    }
}

/// Computes every link. `principals` are the analysis' IAM principals.
pub fn collect(model: &Model, naming: &Naming, principals: &[IamPrincipal]) -> Identities {
    let k8s = &model.k8s;
    let mut out = Identities::default();
    let role_by_key = |key: &str| -> Option<usize> {
        let named = naming.lookup(key)?;
        principals
            .iter()
            .position(|p| p.kind == IamKind::Role && p.address == named.address)
    };

    // Service accounts: declared, referenced by workloads or bindings, and
    // every namespace's implicit `default`.
    let mut sas: BTreeMap<SaRef, SaInfo> = BTreeMap::new();
    let add = |sa: SaRef, sas: &mut BTreeMap<SaRef, SaInfo>| {
        sas.entry(sa.clone()).or_insert(SaInfo {
            sa,
            declared: false,
            loc: None,
            irsa_annotation: None,
            workloads: Vec::new(),
        });
    };
    for ns in k8s.namespaces_seen() {
        add(SaRef::new(&ns, "default"), &mut sas);
    }
    for s in &k8s.service_accounts {
        let sa = SaRef::new(s.object.ns().unwrap_or("default"), &s.object.name);
        add(sa.clone(), &mut sas);
        if let Some(info) = sas.get_mut(&sa) {
            info.declared = true;
            info.loc = Some(s.meta.loc.clone());
            info.irsa_annotation = s.irsa_role_arn().and_then(|v| v.get()).cloned();
        }
    }
    for b in &k8s.role_bindings {
        for s in b.subjects.iter().filter(|s| s.kind == "ServiceAccount") {
            let ns = s
                .namespace
                .as_deref()
                .or(b.object.ns())
                .unwrap_or("default");
            add(SaRef::new(ns, &s.name), &mut sas);
        }
    }
    for a in &model.aws.eks_pod_identity_associations {
        if let (Some(ns), Some(name)) = (a.namespace.get(), a.service_account.get()) {
            add(SaRef::new(ns, name), &mut sas);
        }
    }
    for w in k8s.workloads() {
        // Pods and ReplicaSets owned by a scanned controller are the same workload.
        if !std::ptr::eq(k8s.root_owner(w), w) {
            continue;
        }
        let (sa, unknown) = sa_of(w);
        if let Some(sa) = &sa {
            add(sa.clone(), &mut sas);
            if let Some(info) = sas.get_mut(sa) {
                info.workloads.push(w.meta.address.clone());
            }
        }
        let host_network = match &w.template.spec.host_network {
            Val::Unknown { .. } => None,
            v => v.get().copied(),
        };
        out.workloads.push(WorkloadInfo {
            address: w.meta.address.clone(),
            namespace: w.namespace().to_string(),
            service_account: sa,
            service_account_unknown: unknown,
            host_network,
            loc: w.meta.loc.clone(),
        });
    }
    let namespaces: BTreeSet<String> = sas.keys().map(|s| s.namespace.clone()).collect();

    // IRSA.
    for (ri, role) in principals.iter().enumerate() {
        let Some(trust) = &role.trust else { continue };
        if !trust.mentions_action("sts:AssumeRoleWithWebIdentity") {
            continue;
        }
        let annotated: Vec<SaRef> = sas
            .values()
            .filter(|s| {
                s.irsa_annotation
                    .as_deref()
                    .and_then(role_by_key)
                    .is_some_and(|i| i == ri)
            })
            .map(|s| s.sa.clone())
            .collect();
        let providers = trust_providers(trust);
        if providers.is_empty() {
            if trust
                .may_allow_unknown("sts:AssumeRoleWithWebIdentity", &role.arn)
                .is_some()
            {
                out.notes.push(format!(
                    "`{}`: the web identity provider of the trust policy is unknown",
                    role.address
                ));
            }
            continue;
        }
        for provider in providers {
            let host = provider
                .split_once(":oidc-provider/")
                .map(|(_, h)| h.to_string())
                .unwrap_or_default();
            let target = Target {
                arn: &role.arn,
                account: None,
                resource_policy: Some(trust),
            };
            let ask_aud = |subject: &str, aud: &str| {
                let mut ctx = Context::new();
                ctx.insert(&format!("{host}:sub"), subject);
                ctx.insert(&format!("{host}:aud"), aud);
                decide(
                    &caller(&provider),
                    "sts:AssumeRoleWithWebIdentity",
                    &target,
                    &ctx,
                )
            };
            let ask = |subject: &str| ask_aud(subject, "sts.amazonaws.com");
            let mut exposure = TrustExposure {
                role: ri,
                role_address: role.address.clone(),
                provider: provider.clone(),
                intended: annotated.clone(),
                admitted: Vec::new(),
                open_namespaces: Vec::new(),
                any_namespace: None,
                any_audience: false,
                loc: trust.source.loc.clone(),
            };
            for info in sas.values() {
                let a = ask(&info.sa.subject());
                if a.verdict.may_grant() {
                    out.links.push(RoleLink {
                        sa: info.sa.clone(),
                        role: ri,
                        role_address: role.address.clone(),
                        mechanism: Mechanism::Irsa {
                            provider: provider.clone(),
                        },
                        trust: a.clone(),
                        annotated: annotated.contains(&info.sa),
                    });
                    exposure.admitted.push((info.sa.clone(), a));
                }
            }
            for ns in &namespaces {
                if ask(&SaRef::new(ns, PROBE).subject()).verdict.may_grant() {
                    exposure.open_namespaces.push(ns.clone());
                }
            }
            let any = ask(&SaRef::new(PROBE, PROBE).subject());
            if any.verdict.may_grant() {
                exposure.any_namespace = Some(any);
            }
            let sample = exposure
                .admitted
                .first()
                .map(|(sa, _)| sa.subject())
                .unwrap_or_else(|| SaRef::new(PROBE, PROBE).subject());
            exposure.any_audience = ask_aud(&sample, "zz-palisade-other-audience")
                .verdict
                .grants();
            out.exposures.push(exposure);
        }
    }

    // EKS Pod Identity.
    for a in &model.aws.eks_pod_identity_associations {
        let (Some(ns), Some(name)) = (a.namespace.get(), a.service_account.get()) else {
            out.notes.push(format!(
                "`{}`: the namespace or service account is unknown",
                a.meta.address
            ));
            continue;
        };
        let Some(ri) = a.role.get().and_then(|r| role_by_key(r.key())) else {
            out.notes.push(format!(
                "`{}`: the role is unknown or not in the scanned input",
                a.meta.address
            ));
            continue;
        };
        let Some(role) = principals.get(ri) else {
            continue;
        };
        let Some(trust) = &role.trust else { continue };
        let cluster = a
            .cluster
            .some()
            .and_then(|c| naming.lookup(c.key()))
            .map(|n| (n.arn.clone(), n.name.clone()));
        let mut ctx = Context::new();
        ctx.insert("aws:RequestTag/kubernetes-namespace", ns.clone());
        ctx.insert("aws:RequestTag/kubernetes-service-account", name.clone());
        ctx.insert("aws:SourceAccount", naming.account.clone());
        if let Some((arn, cname)) = &cluster {
            ctx.insert("aws:RequestTag/eks-cluster-arn", arn.clone());
            ctx.insert("aws:RequestTag/eks-cluster-name", cname.clone());
            ctx.insert("aws:SourceArn", arn.clone());
        }
        let target = Target {
            arn: &role.arn,
            account: None,
            resource_policy: Some(trust),
        };
        let who = caller("pods.eks.amazonaws.com");
        let assume = decide(&who, "sts:AssumeRole", &target, &ctx);
        let tag = decide(&who, "sts:TagSession", &target, &ctx);
        let sa = SaRef::new(ns, name);
        if assume.verdict.may_grant() && tag.verdict.may_grant() {
            let mut trust_access = assume;
            if tag.verdict > trust_access.verdict {
                trust_access.verdict = tag.verdict;
            }
            trust_access.via.extend(tag.via);
            out.links.push(RoleLink {
                sa: sa.clone(),
                role: ri,
                role_address: role.address.clone(),
                mechanism: Mechanism::PodIdentity {
                    association: a.meta.address.clone(),
                },
                trust: trust_access,
                annotated: false,
            });
            for e in out.exposures.iter_mut().filter(|e| e.role == ri) {
                if !e.intended.contains(&sa) {
                    e.intended.push(sa.clone());
                }
            }
        } else {
            out.notes.push(format!(
                "`{}` associates {} with `{}`, but the role's trust policy does not allow \
                 pods.eks.amazonaws.com both sts:AssumeRole and sts:TagSession",
                a.meta.address,
                sa.address(),
                role.address
            ));
        }
    }

    // Node roles through IMDS.
    for ng in &model.aws.eks_node_groups {
        let (role, role_address) = match ng.node_role.some() {
            Some(r) => {
                let i = role_by_key(r.key());
                (
                    i,
                    i.and_then(|i| principals.get(i)).map(|p| p.address.clone()),
                )
            }
            None => (None, None),
        };
        out.node_roles.push(NodeRole {
            node_group: ng.meta.address.clone(),
            role,
            role_address,
            imds: imds_of(model, ng),
            loc: ng.meta.loc.clone(),
        });
    }
    out.service_accounts = sas.into_values().collect();
    out
}

impl Identities {
    pub fn service_account(&self, sa: &SaRef) -> Option<&SaInfo> {
        self.service_accounts.iter().find(|s| &s.sa == sa)
    }

    /// Role links of a service account.
    pub fn links_of<'a>(&'a self, sa: &'a SaRef) -> impl Iterator<Item = &'a RoleLink> + 'a {
        self.links.iter().filter(move |l| &l.sa == sa)
    }

    /// Service accounts that reach role `role`.
    pub fn links_to(&self, role: usize) -> impl Iterator<Item = &RoleLink> {
        self.links.iter().filter(move |l| l.role == role)
    }

    /// The node roles a workload reaches through IMDS, with the reason.
    pub fn node_roles_of(&self, w: &WorkloadInfo) -> Vec<(&NodeRole, String)> {
        self.node_roles
            .iter()
            .filter_map(|n| {
                let why = match (&n.imds, w.host_network) {
                    (_, Some(true)) => "the pod uses hostNetwork".to_string(),
                    (Imds::Reachable(r), _) => r.clone(),
                    (Imds::Unknown(r), _) => format!("IMDS settings unknown: {r}"),
                    (Imds::HostNetworkOnly(_), None) => "hostNetwork is unknown".to_string(),
                    (Imds::HostNetworkOnly(_), Some(false)) => return None,
                };
                Some((n, why))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_service_account_names() {
        assert_eq!(
            SaRef::parse("ServiceAccount/shop-prod/shop-api"),
            Some(SaRef::new("shop-prod", "shop-api"))
        );
        assert_eq!(
            SaRef::parse("system:serviceaccount:a:b"),
            Some(SaRef::new("a", "b"))
        );
        assert_eq!(SaRef::parse("ServiceAccount/x"), None);
        assert_eq!(SaRef::new("a", "b").subject(), "system:serviceaccount:a:b");
        assert!(is_kubernetes_issuer(
            "oidc.eks.eu-west-1.amazonaws.com/id/ABC"
        ));
        assert!(!is_kubernetes_issuer("token.actions.githubusercontent.com"));
    }
}

#[cfg(test)]
mod irsa_tests {
    use crate::testutil::model;
    use crate::{Analysis, Options};

    fn trust(sub_op: &str, sub: &str) -> String {
        let cond = if sub_op == "StringEquals" {
            format!(
                r#"StringEquals = {{
          "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub" = "{sub}"
          "oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud" = "sts.amazonaws.com"
        }}"#
            )
        } else {
            format!(
                r#"{sub_op} = {{ "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub" = "{sub}" }}
        StringEquals = {{ "oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud" = "sts.amazonaws.com" }}"#
            )
        };
        format!(
            r#"
resource "aws_iam_openid_connect_provider" "eks" {{
  url            = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC"
  client_id_list = ["sts.amazonaws.com"]
}}

resource "aws_iam_role" "app" {{
  name = "app"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = {{ Federated = aws_iam_openid_connect_provider.eks.arn }}
      Condition = {{
        {cond}
      }}
    }}]
  }})
}}

resource "aws_iam_role" "other" {{
  name = "other"
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = "ec2.amazonaws.com" }} }}]
  }})
}}
"#
        )
    }

    const SAS: &str = r#"
apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: shop
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/app
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: sneaky
  namespace: shop
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/other
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      serviceAccountName: api
      containers:
        - name: api
          image: api@sha256:0000000000000000000000000000000000000000000000000000000000000000
"#;

    #[test]
    fn pinned_trust_admits_only_its_service_account() {
        let m = model(&[
            (
                "main.tf",
                &trust("StringEquals", "system:serviceaccount:shop:api"),
            ),
            ("sa.yaml", SAS),
        ]);
        let a = Analysis::new(&m, &Options::default());
        let links: Vec<(String, String)> = a
            .identities
            .links
            .iter()
            .map(|l| (l.sa.address(), l.role_address.clone()))
            .collect();
        // The annotation alone gives `sneaky` nothing.
        assert_eq!(
            links,
            vec![(
                "ServiceAccount/shop/api".to_string(),
                "aws_iam_role.app".to_string()
            )]
        );
        let e = &a.identities.exposures[0];
        assert!(e.any_namespace.is_none() && e.open_namespaces.is_empty() && !e.any_audience);
        assert_eq!(e.others().count(), 0);
        let w = a
            .identities
            .service_account(&super::SaRef::new("shop", "api"));
        assert_eq!(
            w.map(|w| w.workloads.clone()),
            Some(vec!["Deployment/shop/api".to_string()])
        );
    }

    #[test]
    fn wildcard_trust_admits_others() {
        let m = model(&[
            (
                "main.tf",
                &trust("StringLike", "system:serviceaccount:shop:*"),
            ),
            ("sa.yaml", SAS),
        ]);
        let a = Analysis::new(&m, &Options::default());
        let e = &a.identities.exposures[0];
        let others: Vec<String> = e.others().map(|(s, _)| s.address()).collect();
        assert!(
            others.contains(&"ServiceAccount/shop/sneaky".to_string()),
            "{others:?}"
        );
        assert_eq!(e.open_namespaces, vec!["shop".to_string()]);
        assert!(e.any_namespace.is_none());
    }

    #[test]
    fn pod_identity_needs_association_and_trust() {
        let tf = r#"
resource "aws_eks_cluster" "main" {
  name     = "shop"
  role_arn = "arn:aws:iam::111122223333:role/cluster"
  vpc_config {
    subnet_ids = ["subnet-1"]
  }
}

resource "aws_iam_role" "pi" {
  name = "pi"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["sts:AssumeRole", "sts:TagSession"], Principal = { Service = "pods.eks.amazonaws.com" } }]
  })
}

resource "aws_iam_role" "half" {
  name = "half"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "pods.eks.amazonaws.com" } }]
  })
}

resource "aws_eks_pod_identity_association" "api" {
  cluster_name    = aws_eks_cluster.main.name
  namespace       = "shop"
  service_account = "api"
  role_arn        = aws_iam_role.pi.arn
}

resource "aws_eks_pod_identity_association" "worker" {
  cluster_name    = aws_eks_cluster.main.name
  namespace       = "shop"
  service_account = "worker"
  role_arn        = aws_iam_role.half.arn
}
"#;
        let m = model(&[("main.tf", tf)]);
        let a = Analysis::new(&m, &Options::default());
        let links: Vec<(String, String)> = a
            .identities
            .links
            .iter()
            .map(|l| (l.sa.address(), l.role_address.clone()))
            .collect();
        assert_eq!(
            links,
            vec![(
                "ServiceAccount/shop/api".to_string(),
                "aws_iam_role.pi".to_string()
            )]
        );
        assert!(a.notes.iter().any(|n| n.contains("sts:TagSession")));
    }

    #[test]
    fn imds_exposure_of_node_roles() {
        let tf = r#"
resource "aws_iam_role" "node" {
  name = "node"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}

resource "aws_launch_template" "v2" {
  name = "v2"
  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }
}

resource "aws_eks_node_group" "locked" {
  cluster_name  = "shop"
  node_role_arn = aws_iam_role.node.arn
  subnet_ids    = ["subnet-1"]
  launch_template {
    id      = aws_launch_template.v2.id
    version = "1"
  }
  scaling_config {
    desired_size = 1
    min_size     = 1
    max_size     = 1
  }
}
"#;
        let yaml = r#"
apiVersion: v1
kind: Pod
metadata:
  name: agent
  namespace: ops
spec:
  hostNetwork: true
  containers:
    - name: a
      image: agent@sha256:0000000000000000000000000000000000000000000000000000000000000000
---
apiVersion: v1
kind: Pod
metadata:
  name: app
  namespace: ops
spec:
  containers:
    - name: a
      image: app@sha256:0000000000000000000000000000000000000000000000000000000000000000
"#;
        let m = model(&[("main.tf", tf), ("pods.yaml", yaml)]);
        let a = Analysis::new(&m, &Options::default());
        let reach: Vec<String> = a
            .identities
            .workloads
            .iter()
            .filter(|w| !a.identities.node_roles_of(w).is_empty())
            .map(|w| w.address.clone())
            .collect();
        assert_eq!(reach, vec!["Pod/ops/agent".to_string()]);
        assert!(a.node_role_exposure().is_empty());
    }
}
