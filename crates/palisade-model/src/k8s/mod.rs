//! Kubernetes objects in the model.
//!
//! [`K8s`] holds one list per kind family, in load order; [`K8s::sort`] makes
//! the order independent of the order files were read in. Every object has a
//! [`Meta`](crate::Meta) whose address is `Kind/namespace/name` (or
//! `Kind/name` for cluster-scoped kinds) and whose `loc` spans the document.
//! See [`objects`] for the value conventions (`Val`, `Val<Option>`, `Option`).

pub mod objects;
pub mod selector;

pub use objects::*;
pub use selector::{LabelLookup, LabelSelector, SelectorOperator, SelectorRequirement, StrMap};

use crate::val::Val;
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Clone, Debug, Default, Serialize)]
pub struct K8s {
    pub namespaces: Vec<Namespace>,
    pub workloads: Vec<Workload>,
    pub services: Vec<Service>,
    pub ingresses: Vec<Ingress>,
    pub network_policies: Vec<NetworkPolicy>,
    pub service_accounts: Vec<ServiceAccount>,
    /// Roles and ClusterRoles.
    pub roles: Vec<Role>,
    /// RoleBindings and ClusterRoleBindings.
    pub role_bindings: Vec<RoleBinding>,
    pub secrets: Vec<SecretObject>,
    pub config_maps: Vec<ConfigMap>,
    pub storage_classes: Vec<StorageClass>,
    pub persistent_volume_claims: Vec<PersistentVolumeClaim>,
    pub security_group_policies: Vec<SecurityGroupPolicy>,
    pub secret_provider_classes: Vec<SecretProviderClass>,
    pub peer_authentications: Vec<PeerAuthentication>,
}

/// Kinds without a namespace. Everything else is namespaced.
pub const CLUSTER_SCOPED_KINDS: &[&str] = &[
    "Namespace",
    "Node",
    "PersistentVolume",
    "ClusterRole",
    "ClusterRoleBinding",
    "StorageClass",
    "CSIDriver",
    "CSINode",
    "VolumeAttachment",
    "CustomResourceDefinition",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "PriorityClass",
    "RuntimeClass",
    "IngressClass",
    "PodSecurityPolicy",
    "CertificateSigningRequest",
    "ClusterIssuer",
    "ClusterPolicy",
    "ClusterSecretStore",
    "ENIConfig",
    "NodePool",
    "EC2NodeClass",
];

/// True for kinds that have no namespace.
pub fn is_cluster_scoped(kind: &str) -> bool {
    CLUSTER_SCOPED_KINDS.contains(&kind)
}

/// `Kind/namespace/name`, or `Kind/name` without a namespace.
pub fn address(kind: &str, namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(ns) => format!("{kind}/{ns}/{name}"),
        None => format!("{kind}/{name}"),
    }
}

macro_rules! for_each_list {
    ($self:ident, $other:ident, $body:ident) => {
        $body!($self, $other, namespaces);
        $body!($self, $other, workloads);
        $body!($self, $other, services);
        $body!($self, $other, ingresses);
        $body!($self, $other, network_policies);
        $body!($self, $other, service_accounts);
        $body!($self, $other, roles);
        $body!($self, $other, role_bindings);
        $body!($self, $other, secrets);
        $body!($self, $other, config_maps);
        $body!($self, $other, storage_classes);
        $body!($self, $other, persistent_volume_claims);
        $body!($self, $other, security_group_policies);
        $body!($self, $other, secret_provider_classes);
        $body!($self, $other, peer_authentications);
    };
}

impl K8s {
    /// Appends another set of objects.
    pub fn extend(&mut self, other: K8s) {
        macro_rules! ext {
            ($s:ident, $o:ident, $f:ident) => {
                $s.$f.extend($o.$f);
            };
        }
        for_each_list!(self, other, ext);
    }

    /// Number of objects.
    pub fn len(&self) -> usize {
        let mut n = 0;
        macro_rules! count {
            ($s:ident, $n:ident, $f:ident) => {
                $n += $s.$f.len();
            };
        }
        for_each_list!(self, n, count);
        n
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every object's identity and metadata, list by list.
    pub fn objects(&self) -> Vec<(&crate::Meta, &ObjectMeta)> {
        let mut out = Vec::with_capacity(self.len());
        macro_rules! obj {
            ($s:ident, $o:ident, $f:ident) => {
                $o.extend($s.$f.iter().map(|x| (&x.meta, &x.object)));
            };
        }
        for_each_list!(self, out, obj);
        out
    }

    /// Sorts every list by address, then location, so the model does not
    /// depend on the order inputs were loaded in.
    pub fn sort(&mut self) {
        macro_rules! srt {
            ($s:ident, $unused:ident, $f:ident) => {
                $s.$f.sort_by(|a, b| {
                    (&a.meta.address, &a.meta.loc).cmp(&(&b.meta.address, &b.meta.loc))
                });
            };
        }
        for_each_list!(self, self, srt);
    }

    /// The [`Meta`](crate::Meta) of every object, list by list.
    pub fn metas(&self) -> Vec<&crate::Meta> {
        let mut out = Vec::with_capacity(self.len());
        macro_rules! m {
            ($s:ident, $o:ident, $f:ident) => {
                $o.extend($s.$f.iter().map(|x| &x.meta));
            };
        }
        for_each_list!(self, out, m);
        out
    }

    /// Every workload (Pods and controllers).
    pub fn workloads(&self) -> impl Iterator<Item = &Workload> {
        self.workloads.iter()
    }

    /// Workloads in one namespace.
    pub fn workloads_in<'a>(
        &'a self,
        namespace: &'a str,
    ) -> impl Iterator<Item = &'a Workload> + 'a {
        self.workloads
            .iter()
            .filter(move |w| w.namespace() == namespace)
    }

    /// NetworkPolicies in one namespace.
    pub fn network_policies_in<'a>(
        &'a self,
        namespace: &'a str,
    ) -> impl Iterator<Item = &'a NetworkPolicy> + 'a {
        self.network_policies
            .iter()
            .filter(move |p| p.object.ns() == Some(namespace))
    }

    /// Every namespace declared (Namespace objects) or referenced: the
    /// namespace of namespaced objects (defaulted ones included), RoleBinding
    /// subjects' namespaces.
    pub fn namespaces_seen(&self) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = self
            .namespaces
            .iter()
            .map(|n| n.object.name.clone())
            .collect();
        let mut add = |o: &ObjectMeta| {
            if let Some(ns) = o.ns() {
                out.insert(ns.to_string());
            }
        };
        self.workloads.iter().for_each(|x| add(&x.object));
        self.services.iter().for_each(|x| add(&x.object));
        self.ingresses.iter().for_each(|x| add(&x.object));
        self.network_policies.iter().for_each(|x| add(&x.object));
        self.service_accounts.iter().for_each(|x| add(&x.object));
        self.roles.iter().for_each(|x| add(&x.object));
        self.role_bindings.iter().for_each(|x| add(&x.object));
        self.secrets.iter().for_each(|x| add(&x.object));
        self.config_maps.iter().for_each(|x| add(&x.object));
        self.persistent_volume_claims
            .iter()
            .for_each(|x| add(&x.object));
        self.security_group_policies
            .iter()
            .for_each(|x| add(&x.object));
        self.secret_provider_classes
            .iter()
            .for_each(|x| add(&x.object));
        self.peer_authentications
            .iter()
            .for_each(|x| add(&x.object));
        for b in &self.role_bindings {
            for s in &b.subjects {
                if let Some(ns) = &s.namespace {
                    out.insert(ns.clone());
                }
            }
        }
        out
    }

    pub fn namespace(&self, name: &str) -> Option<&Namespace> {
        self.namespaces.iter().find(|n| n.object.name == name)
    }

    pub fn service_account(&self, namespace: &str, name: &str) -> Option<&ServiceAccount> {
        self.service_accounts
            .iter()
            .find(|s| s.object.name == name && s.object.ns() == Some(namespace))
    }

    /// The service account a workload runs as, if it was scanned.
    pub fn service_account_of(&self, w: &Workload) -> Option<&ServiceAccount> {
        let name = w.template.spec.service_account_name.get()?;
        self.service_account(w.namespace(), name)
    }

    /// Whether the pods of `w` get a service account token mounted: the pod's
    /// `automountServiceAccountToken` when written, else the service
    /// account's, else true. When the service account is not among the
    /// scanned objects: `Default(true)` for `default` (Kubernetes creates it
    /// without the field), `Unknown` for any other.
    pub fn automount_token(&self, w: &Workload) -> Val<bool> {
        let spec = &w.template.spec;
        match &spec.automount_service_account_token {
            Val::Known {
                value: Some(b),
                loc,
            } => return Val::known(*b, loc.clone()),
            Val::Unknown { reason, loc } => return Val::unknown(reason.clone(), loc.clone()),
            _ => {}
        }
        let sa_name = match spec.service_account_name.get() {
            Some(n) => n,
            None => {
                return Val::unknown(
                    "the service account name is templated",
                    spec.service_account_name.loc().cloned(),
                )
            }
        };
        match self.service_account(w.namespace(), sa_name) {
            Some(sa) => match &sa.automount_service_account_token {
                Val::Known {
                    value: Some(b),
                    loc,
                } => Val::known(*b, loc.clone()),
                Val::Unknown { reason, loc } => Val::unknown(reason.clone(), loc.clone()),
                _ => Val::default_(true),
            },
            None if sa_name == "default" => Val::default_(true),
            None => Val::unknown(
                format!(
                    "service account {}/{} is not among the scanned manifests",
                    w.namespace(),
                    sa_name
                ),
                None,
            ),
        }
    }

    /// The workload named by `w`'s controller owner reference, if scanned.
    pub fn owner_of(&self, w: &Workload) -> Option<&Workload> {
        let owner = w.controller()?;
        let kind = WorkloadKind::parse(&owner.kind)?;
        self.workloads.iter().find(|o| {
            o.kind == kind
                && o.object.name == owner.name
                && o.namespace() == w.namespace()
                && match (&owner.uid, o.uid()) {
                    (Some(want), Some(have)) => want == have,
                    _ => true,
                }
        })
    }

    /// Follows controller owner references to the top (Pod → ReplicaSet →
    /// Deployment); `w` itself when it has no scanned owner.
    pub fn root_owner<'a>(&'a self, w: &'a Workload) -> &'a Workload {
        let mut cur = w;
        // Bounded: ownership chains are short; a cycle cannot loop forever.
        for _ in 0..8 {
            match self.owner_of(cur) {
                Some(o) if !std::ptr::eq(o, cur) => cur = o,
                _ => break,
            }
        }
        cur
    }

    /// Workloads whose pods a Service selects, in the Service's namespace.
    pub fn service_targets<'a>(
        &'a self,
        s: &'a Service,
    ) -> impl Iterator<Item = &'a Workload> + 'a {
        let ns = s.object.ns().unwrap_or("default");
        self.workloads
            .iter()
            .filter(move |w| w.namespace() == ns && s.selects(&w.template.labels))
    }

    /// The StorageClasses annotated as default.
    pub fn default_storage_classes(&self) -> impl Iterator<Item = &StorageClass> {
        self.storage_classes
            .iter()
            .filter(|s| s.is_default_class().is_true())
    }
}
