//! Typed Kubernetes objects.
//!
//! Conventions, shared by every type here:
//! - a field with a documented Kubernetes default is a `Val<T>`: `Known` with
//!   the line it was written at, `Default` with the Kubernetes default when it
//!   was not written, `Unknown` when templated or unreadable;
//! - a field without a default (unset means "inherit" or "the runtime
//!   decides") is a `Val<Option<T>>`, `Default { value: None }` when unset;
//! - structure whose absence differs from emptiness (NetworkPolicy rules,
//!   peers, selectors) is an `Option`, `None` when the key was not written.

use super::selector::{LabelSelector, StrMap};
use crate::loc::Location;
use crate::val::{Secret, Val};
use crate::Meta;
use serde::Serialize;
use std::collections::BTreeMap;

/// `metadata` plus `apiVersion`, common to every object.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ObjectMeta {
    pub api_version: String,
    pub name: String,
    /// `None` for cluster-scoped kinds. For namespaced kinds, `Default
    /// "default"` when `metadata.namespace` was not written (as kubectl does).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<Val<String>>,
    #[serde(skip_serializing_if = "StrMap::is_empty")]
    pub labels: StrMap,
    #[serde(skip_serializing_if = "StrMap::is_empty")]
    pub annotations: StrMap,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub owner_references: Vec<OwnerReference>,
}

impl ObjectMeta {
    /// The namespace when namespaced and known (written or defaulted).
    pub fn ns(&self) -> Option<&str> {
        self.namespace
            .as_ref()
            .and_then(|v| v.get())
            .map(String::as_str)
    }
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels.get(key)
    }
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations.get(key)
    }
}

/// `metadata.ownerReferences[]`, kept so exported objects (Pods, ReplicaSets,
/// Jobs) can be attributed to the workload that created them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OwnerReference {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    pub controller: bool,
}

// ---------------------------------------------------------------- Namespace

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Namespace {
    pub meta: Meta,
    pub object: ObjectMeta,
}

impl Namespace {
    pub fn name(&self) -> &str {
        &self.object.name
    }
    /// A Pod Security Admission label (`enforce`, `audit`, `warn`), e.g.
    /// `pod_security("enforce") == Some("restricted")`.
    pub fn pod_security(&self, mode: &str) -> Option<&str> {
        self.object
            .labels
            .get(&format!("pod-security.kubernetes.io/{mode}"))
    }
}

// ---------------------------------------------------------------- Workloads

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum WorkloadKind {
    Pod,
    Deployment,
    StatefulSet,
    DaemonSet,
    ReplicaSet,
    ReplicationController,
    Job,
    CronJob,
}

impl WorkloadKind {
    pub fn parse(kind: &str) -> Option<Self> {
        Some(match kind {
            "Pod" => WorkloadKind::Pod,
            "Deployment" => WorkloadKind::Deployment,
            "StatefulSet" => WorkloadKind::StatefulSet,
            "DaemonSet" => WorkloadKind::DaemonSet,
            "ReplicaSet" => WorkloadKind::ReplicaSet,
            "ReplicationController" => WorkloadKind::ReplicationController,
            "Job" => WorkloadKind::Job,
            "CronJob" => WorkloadKind::CronJob,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            WorkloadKind::Pod => "Pod",
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::DaemonSet => "DaemonSet",
            WorkloadKind::ReplicaSet => "ReplicaSet",
            WorkloadKind::ReplicationController => "ReplicationController",
            WorkloadKind::Job => "Job",
            WorkloadKind::CronJob => "CronJob",
        }
    }
    /// Kinds with `spec.replicas` (default 1).
    pub fn has_replicas(self) -> bool {
        matches!(
            self,
            WorkloadKind::Deployment
                | WorkloadKind::StatefulSet
                | WorkloadKind::ReplicaSet
                | WorkloadKind::ReplicationController
        )
    }
}

/// Anything that runs Pods. Every kind exposes the same [`PodTemplate`] (for
/// a Pod, its own metadata and spec; for a CronJob, the job template's).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Workload {
    pub meta: Meta,
    pub object: ObjectMeta,
    pub kind: WorkloadKind,
    /// `spec.replicas` for kinds that have it (default 1); `None` otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<Val<i64>>,
    /// `spec.selector` for controllers (`None` for Pods, and when not written).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selector: Option<LabelSelector>,
    pub template: PodTemplate,
}

impl Workload {
    /// The namespace, written or defaulted. A templated namespace (unknown)
    /// reads as `default` here: check `object.namespace` when that matters.
    pub fn namespace(&self) -> &str {
        self.object.ns().unwrap_or("default")
    }
    pub fn name(&self) -> &str {
        &self.object.name
    }
    pub fn pod_spec(&self) -> &PodSpec {
        &self.template.spec
    }
    /// `metadata.uid` when written (loaders record it as a `uid:` key).
    pub fn uid(&self) -> Option<&str> {
        self.meta.keys.iter().find_map(|k| k.strip_prefix("uid:"))
    }
    /// The controller owner reference, if any.
    pub fn controller(&self) -> Option<&OwnerReference> {
        self.object.owner_references.iter().find(|o| o.controller)
    }
}

/// The Pod template every workload kind shares.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PodTemplate {
    /// Labels of the pods (template metadata; a Pod's own labels).
    pub labels: StrMap,
    #[serde(skip_serializing_if = "StrMap::is_empty")]
    pub annotations: StrMap,
    pub spec: PodSpec,
    /// Where the template (or the Pod's spec) was written.
    pub loc: Location,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PodSpec {
    /// `serviceAccountName` (or the deprecated `serviceAccount`); default `default`.
    pub service_account_name: Val<String>,
    /// As written on the pod; `Default(None)` when not written, in which case
    /// the service account's setting applies, and true when that is unset too
    /// (see [`super::K8s::automount_token`]).
    pub automount_service_account_token: Val<Option<bool>>,
    pub host_network: Val<bool>,
    pub host_pid: Val<bool>,
    pub host_ipc: Val<bool>,
    /// `hostUsers`; `Default(None)` when unset (the runtime default: host user namespace).
    pub host_users: Val<Option<bool>>,
    pub share_process_namespace: Val<bool>,
    pub security_context: PodSecurityContext,
    pub volumes: Vec<Volume>,
    pub init_containers: Vec<Container>,
    pub containers: Vec<Container>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ephemeral_containers: Vec<Container>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub image_pull_secrets: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_selector: Option<StrMap>,
    /// Where `spec` was written.
    pub loc: Location,
}

impl PodSpec {
    /// Init, regular and ephemeral containers.
    pub fn all_containers(&self) -> impl Iterator<Item = &Container> {
        self.init_containers
            .iter()
            .chain(self.containers.iter())
            .chain(self.ephemeral_containers.iter())
    }
    pub fn volume(&self, name: &str) -> Option<&Volume> {
        self.volumes.iter().find(|v| v.name == name)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PodSecurityContext {
    pub run_as_non_root: Val<Option<bool>>,
    pub run_as_user: Val<Option<i64>>,
    pub run_as_group: Val<Option<i64>>,
    pub fs_group: Val<Option<i64>>,
    pub seccomp_profile: Val<Option<SeccompProfile>>,
    /// `sysctls[].name`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sysctls: Vec<Val<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loc: Option<Location>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeccompProfile {
    /// `RuntimeDefault`, `Localhost` or `Unconfined`.
    #[serde(rename = "type")]
    pub type_: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub localhost_profile: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Container {
    pub name: String,
    pub kind: ContainerKind,
    /// `Default(None)` only when `image` was not written (invalid for the API server).
    pub image: Val<Option<String>>,
    pub image_pull_policy: Val<Option<String>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<ContainerPort>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<EnvVar>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env_from: Vec<EnvFromSource>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volume_mounts: Vec<VolumeMount>,
    pub security_context: SecurityContext,
    /// Where the container entry was written.
    pub loc: Location,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ContainerPort {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub container_port: Val<i64>,
    /// Default `TCP`.
    pub protocol: Val<String>,
    pub host_port: Val<Option<i64>>,
    pub loc: Location,
}

/// A literal value that may be secret material: text when it does not look
/// secret, [`Secret`] (never printed) when it does.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum MaybeSecret {
    Text(String),
    Secret(Secret),
}

impl MaybeSecret {
    pub fn is_secret(&self) -> bool {
        matches!(self, MaybeSecret::Secret(_))
    }
    /// The raw value (for inspection only; never print a secret).
    pub fn expose(&self) -> &str {
        match self {
            MaybeSecret::Text(s) => s,
            MaybeSecret::Secret(s) => s.expose(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EnvVar {
    pub name: String,
    /// The literal `value`, `None` when not written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Val<MaybeSecret>>,
    /// `valueFrom`, `None` when not written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_from: Option<EnvVarSource>,
    pub loc: Location,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum EnvVarSource {
    SecretKeyRef {
        name: String,
        key: String,
        optional: bool,
    },
    ConfigMapKeyRef {
        name: String,
        key: String,
        optional: bool,
    },
    FieldRef {
        field_path: String,
    },
    ResourceFieldRef {
        resource: String,
    },
    /// A source this model does not know.
    Other {
        key: String,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EnvFromSource {
    /// `secret` or `config_map`.
    pub source: EnvFromKind,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    pub optional: bool,
    pub loc: Location,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EnvFromKind {
    Secret,
    ConfigMap,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VolumeMount {
    pub name: String,
    pub mount_path: String,
    pub read_only: Val<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_path: Option<String>,
    pub loc: Location,
}

/// A container's `securityContext`. Container fields override the pod's;
/// the `effective_*` helpers on [`Container`] combine both.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SecurityContext {
    pub privileged: Val<bool>,
    /// `Default(None)` when unset: escalation is then allowed (no `no_new_privs`).
    pub allow_privilege_escalation: Val<Option<bool>>,
    pub run_as_non_root: Val<Option<bool>>,
    pub run_as_user: Val<Option<i64>>,
    pub run_as_group: Val<Option<i64>>,
    pub read_only_root_filesystem: Val<bool>,
    /// `capabilities.add` (empty by default).
    pub capabilities_add: Val<Vec<String>>,
    /// `capabilities.drop` (empty by default).
    pub capabilities_drop: Val<Vec<String>>,
    pub seccomp_profile: Val<Option<SeccompProfile>>,
    /// `procMount` (`Default` / `Unmasked`).
    pub proc_mount: Val<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loc: Option<Location>,
}

impl Container {
    /// `runAsNonRoot` after the pod-level default.
    pub fn effective_run_as_non_root(&self, pod: &PodSpec) -> Val<Option<bool>> {
        inherit(
            &self.security_context.run_as_non_root,
            &pod.security_context.run_as_non_root,
        )
    }
    /// `runAsUser` after the pod-level default.
    pub fn effective_run_as_user(&self, pod: &PodSpec) -> Val<Option<i64>> {
        inherit(
            &self.security_context.run_as_user,
            &pod.security_context.run_as_user,
        )
    }
    /// `seccompProfile` after the pod-level default.
    pub fn effective_seccomp_profile(&self, pod: &PodSpec) -> Val<Option<SeccompProfile>> {
        inherit(
            &self.security_context.seccomp_profile,
            &pod.security_context.seccomp_profile,
        )
    }
    /// Whether the process may gain privileges: explicitly set, or true when
    /// unset, and always true for privileged containers or with `CAP_SYS_ADMIN`.
    pub fn effective_allow_privilege_escalation(&self) -> Val<bool> {
        let sc = &self.security_context;
        if sc.privileged.is_true() {
            return sc.privileged.clone();
        }
        if let Val::Known { value, loc } = &sc.capabilities_add {
            if value.iter().any(|c| is_cap(c, "SYS_ADMIN")) {
                return Val::known(true, loc.clone());
            }
        }
        match &sc.allow_privilege_escalation {
            Val::Known {
                value: Some(b),
                loc,
            } => Val::known(*b, loc.clone()),
            Val::Unknown { reason, loc } => Val::unknown(reason.clone(), loc.clone()),
            _ => Val::default_(true),
        }
    }
    /// True when `drop` names `ALL` (or `all`).
    pub fn drops_all_capabilities(&self) -> bool {
        self.security_context
            .capabilities_drop
            .get()
            .is_some_and(|d| d.iter().any(|c| c.eq_ignore_ascii_case("ALL")))
    }
}

fn is_cap(written: &str, cap: &str) -> bool {
    let w = written.strip_prefix("CAP_").unwrap_or(written);
    w.eq_ignore_ascii_case(cap)
}

/// Container value when set (or unknown), else the pod value.
fn inherit<T: Clone>(container: &Val<Option<T>>, pod: &Val<Option<T>>) -> Val<Option<T>> {
    match container {
        Val::Default { value: None } => pod.clone(),
        other => other.clone(),
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Volume {
    pub name: String,
    pub source: VolumeSource,
    pub loc: Location,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum VolumeSource {
    HostPath {
        path: Val<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        host_path_type: Option<String>,
    },
    Secret {
        secret_name: Val<String>,
        optional: bool,
    },
    ConfigMap {
        name: Val<String>,
        optional: bool,
    },
    Csi {
        driver: Val<String>,
        read_only: Val<bool>,
        /// `volumeAttributes.secretProviderClass` (Secrets Store CSI driver).
        #[serde(skip_serializing_if = "Option::is_none")]
        secret_provider_class: Option<Val<String>>,
        volume_attributes: StrMap,
    },
    Projected {
        sources: Vec<ProjectedSource>,
    },
    EmptyDir {
        #[serde(skip_serializing_if = "Option::is_none")]
        medium: Option<String>,
    },
    PersistentVolumeClaim {
        claim_name: Val<String>,
        read_only: Val<bool>,
    },
    DownwardApi,
    /// Another volume type (`nfs`, `awsElasticBlockStore`, `ephemeral`...), by its key.
    Other {
        key: String,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ProjectedSource {
    ServiceAccountToken {
        #[serde(skip_serializing_if = "Option::is_none")]
        audience: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        expiration_seconds: Option<i64>,
        path: String,
    },
    Secret {
        name: String,
    },
    ConfigMap {
        name: String,
    },
    DownwardApi,
    ClusterTrustBundle,
    Other {
        key: String,
    },
}

// ---------------------------------------------------------------- Services

/// A port given as a number or a name (`IntOrString`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(untagged)]
pub enum PortRef {
    Number(i64),
    Name(String),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Service {
    pub meta: Meta,
    pub object: ObjectMeta,
    /// Default `ClusterIP`.
    #[serde(rename = "type")]
    pub type_: Val<String>,
    /// `spec.selector`; `None` when not written. An empty selector selects no
    /// pods (endpoints are managed elsewhere), like a missing one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selector: Option<StrMap>,
    pub ports: Vec<ServicePort>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub load_balancer_source_ranges: Vec<Val<String>>,
    pub load_balancer_class: Val<Option<String>>,
    /// Default `Cluster`.
    pub external_traffic_policy: Val<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub external_ips: Vec<Val<String>>,
    pub cluster_ip: Val<Option<String>>,
}

impl Service {
    /// True when the Service selects pods with these labels.
    pub fn selects<L: super::selector::LabelLookup + ?Sized>(&self, labels: &L) -> bool {
        match &self.selector {
            Some(sel) if !sel.is_empty() => sel
                .iter()
                .all(|(k, v)| v.get().is_some_and(|v| labels.label(k) == Some(v.as_str()))),
            _ => false,
        }
    }
    pub fn is_load_balancer(&self) -> bool {
        self.type_.is(&"LoadBalancer".to_string())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServicePort {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub protocol: Val<String>,
    pub port: Val<i64>,
    /// Default: the same as `port`.
    pub target_port: Val<PortRef>,
    pub node_port: Val<Option<i64>>,
    pub app_protocol: Val<Option<String>>,
    pub loc: Location,
}

// ---------------------------------------------------------------- Ingress

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ingress {
    pub meta: Meta,
    pub object: ObjectMeta,
    /// `spec.ingressClassName`.
    pub ingress_class_name: Val<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_backend: Option<IngressBackend>,
    pub tls: Vec<IngressTls>,
    pub rules: Vec<IngressRule>,
}

impl Ingress {
    /// The class: `spec.ingressClassName`, else the legacy
    /// `kubernetes.io/ingress.class` annotation.
    pub fn class(&self) -> Option<&str> {
        self.ingress_class_name
            .some()
            .map(String::as_str)
            .or_else(|| self.object.annotation("kubernetes.io/ingress.class"))
    }
    /// An annotation such as `alb.ingress.kubernetes.io/scheme`.
    pub fn annotation(&self, key: &str) -> Option<&Val<String>> {
        self.object.annotations.val(key)
    }
    /// Every backend (default and per path).
    pub fn backends(&self) -> impl Iterator<Item = &IngressBackend> {
        self.default_backend.iter().chain(
            self.rules
                .iter()
                .flat_map(|r| r.paths.iter().map(|p| &p.backend)),
        )
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IngressTls {
    pub hosts: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_name: Option<String>,
    pub loc: Location,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IngressRule {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    pub paths: Vec<IngressPath>,
    pub loc: Location,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IngressPath {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_type: Option<String>,
    pub backend: IngressBackend,
    pub loc: Location,
}

/// `service.name`/`service.port` (or the v1beta1 `serviceName`/`servicePort`),
/// or a `resource` backend.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IngressBackend {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_port: Option<PortRef>,
    /// `resource.kind/resource.name` for resource backends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    pub loc: Location,
}

// ---------------------------------------------------------------- NetworkPolicy

/// A NetworkPolicy, exactly as written (missing vs empty preserved).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NetworkPolicy {
    pub meta: Meta,
    pub object: ObjectMeta,
    /// `spec.podSelector` (`{}` selects every pod of the namespace). `None`
    /// only when not written (the API server requires it; treat as `{}`).
    pub pod_selector: Option<LabelSelector>,
    /// `spec.policyTypes` as written; see [`NetworkPolicy::effective_policy_types`].
    pub policy_types: Option<Vec<String>>,
    /// `spec.ingress`: `None` when not written, `Some([])` when empty. Both
    /// allow no ingress when the policy applies to ingress.
    pub ingress: Option<Vec<NetworkPolicyRule>>,
    /// `spec.egress`, like `ingress`.
    pub egress: Option<Vec<NetworkPolicyRule>>,
    /// Where `spec` was written.
    pub spec_loc: Location,
}

impl NetworkPolicy {
    /// (applies to ingress, applies to egress), with the API server's
    /// defaulting: when `policyTypes` is not written (or empty), Ingress always, and
    /// Egress only if `egress` has at least one rule (`egress: []` does not count).
    pub fn effective_policy_types(&self) -> (bool, bool) {
        match &self.policy_types {
            Some(types) if !types.is_empty() => (
                types.iter().any(|t| t == "Ingress"),
                types.iter().any(|t| t == "Egress"),
            ),
            _ => (true, self.egress.as_ref().is_some_and(|e| !e.is_empty())),
        }
    }
    /// The pod selector, `{}` when not written.
    pub fn selects<L: super::selector::LabelLookup + ?Sized>(&self, labels: &L) -> bool {
        match &self.pod_selector {
            None => true,
            Some(s) => s.matches(labels),
        }
    }
    /// Denies all ingress to the pods it selects (applies to ingress and has no rule).
    pub fn denies_all_ingress(&self) -> bool {
        self.effective_policy_types().0 && none_or_empty(&self.ingress)
    }
    /// Denies all egress from the pods it selects.
    pub fn denies_all_egress(&self) -> bool {
        self.effective_policy_types().1 && none_or_empty(&self.egress)
    }
}

fn none_or_empty<T>(v: &Option<Vec<T>>) -> bool {
    match v {
        None => true,
        Some(v) => v.is_empty(),
    }
}

/// One ingress or egress rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NetworkPolicyRule {
    /// `from` (ingress) or `to` (egress) as written: `None` when not written,
    /// `Some([])` when empty. Kubernetes treats both as "all peers".
    pub peers: Option<Vec<NetworkPolicyPeer>>,
    /// `ports`: `None` when not written (all ports); an empty list also means all ports.
    pub ports: Option<Vec<NetworkPolicyPort>>,
    pub loc: Location,
}

impl NetworkPolicyRule {
    /// Kubernetes: "If this field is empty or missing, this rule matches all sources".
    pub fn allows_all_peers(&self) -> bool {
        none_or_empty(&self.peers)
    }
    /// "If this field is empty or missing, this rule matches all ports".
    pub fn allows_all_ports(&self) -> bool {
        none_or_empty(&self.ports)
    }
}

/// A peer. `pod_selector` and `namespace_selector` together are ANDed; a
/// peer with only `pod_selector` means the policy's own namespace;
/// `namespace_selector: {}` means every namespace.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NetworkPolicyPeer {
    pub pod_selector: Option<LabelSelector>,
    pub namespace_selector: Option<LabelSelector>,
    pub ip_block: Option<IpBlock>,
    pub loc: Location,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IpBlock {
    pub cidr: Val<String>,
    pub except: Vec<Val<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NetworkPolicyPort {
    /// Default `TCP`.
    pub protocol: Val<String>,
    /// `None` when not written: all ports of the protocol.
    pub port: Option<Val<PortRef>>,
    /// Only valid with a numeric `port`.
    pub end_port: Option<Val<i64>>,
    pub loc: Location,
}

// ---------------------------------------------------------------- Identity

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceAccount {
    pub meta: Meta,
    pub object: ObjectMeta,
    /// `Default(None)` when not written (tokens are then mounted unless the pod says otherwise).
    pub automount_service_account_token: Val<Option<bool>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub image_pull_secrets: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<String>,
}

impl ServiceAccount {
    pub const IRSA_ANNOTATION: &'static str = "eks.amazonaws.com/role-arn";

    /// The IAM role bound through IRSA (`eks.amazonaws.com/role-arn`).
    pub fn irsa_role_arn(&self) -> Option<&Val<String>> {
        self.object.annotations.val(Self::IRSA_ANNOTATION)
    }
    /// `system:serviceaccount:NS:NAME`, the `sub` of its tokens.
    pub fn subject(&self) -> String {
        format!(
            "system:serviceaccount:{}:{}",
            self.object.ns().unwrap_or("default"),
            self.object.name
        )
    }
}

/// A Role (namespaced) or ClusterRole.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Role {
    pub meta: Meta,
    pub object: ObjectMeta,
    pub cluster: bool,
    pub rules: Vec<PolicyRule>,
    /// ClusterRole `aggregationRule.clusterRoleSelectors`; `None` when not written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aggregation_rule: Option<Vec<LabelSelector>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PolicyRule {
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
    pub verbs: Vec<String>,
    pub non_resource_urls: Vec<String>,
    pub loc: Location,
}

impl PolicyRule {
    /// Grants `verb` on `resource` of `group` (honours `*`, ignores resourceNames).
    pub fn grants(&self, group: &str, resource: &str, verb: &str) -> bool {
        let any = |list: &[String], x: &str| list.iter().any(|v| v == "*" || v == x);
        any(&self.api_groups, group) && any(&self.resources, resource) && any(&self.verbs, verb)
    }
    pub fn has_wildcard(&self) -> bool {
        [
            &self.api_groups,
            &self.resources,
            &self.verbs,
            &self.non_resource_urls,
        ]
        .iter()
        .any(|l| l.iter().any(|v| v == "*"))
    }
}

/// A RoleBinding (namespaced) or ClusterRoleBinding.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RoleBinding {
    pub meta: Meta,
    pub object: ObjectMeta,
    pub cluster: bool,
    pub role_ref: RoleRef,
    pub subjects: Vec<Subject>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RoleRef {
    pub api_group: String,
    /// `Role` or `ClusterRole`.
    pub kind: String,
    pub name: String,
    pub loc: Location,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Subject {
    /// `User`, `Group` or `ServiceAccount`.
    pub kind: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_group: Option<String>,
    pub loc: Location,
}

// ---------------------------------------------------------------- Config and secrets

/// A `Secret` object. Values are kept only as [`Secret`] (never printed).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SecretObject {
    pub meta: Meta,
    pub object: ObjectMeta,
    /// Default `Opaque`.
    #[serde(rename = "type")]
    pub type_: Val<String>,
    /// `data` (base64-decoded when valid) and `stringData` entries, by key.
    pub data: BTreeMap<String, SecretEntry>,
    pub immutable: Val<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SecretEntry {
    /// `data` or `stringData`.
    pub field: String,
    pub value: Secret,
    /// True when the value is empty (after decoding).
    pub empty: bool,
    pub loc: Location,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConfigMap {
    pub meta: Meta,
    pub object: ObjectMeta,
    /// `data` entries; values that look like credentials are kept as [`Secret`].
    pub data: BTreeMap<String, ConfigEntry>,
    /// `binaryData` keys.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub binary_data_keys: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConfigEntry {
    pub value: Val<MaybeSecret>,
    pub loc: Location,
}

// ---------------------------------------------------------------- Storage

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StorageClass {
    pub meta: Meta,
    pub object: ObjectMeta,
    pub provisioner: Val<String>,
    pub parameters: StrMap,
    pub allow_volume_expansion: Val<Option<bool>>,
    /// Default `Delete`.
    pub reclaim_policy: Val<String>,
    /// Default `Immediate`.
    pub volume_binding_mode: Val<String>,
}

impl StorageClass {
    pub const DEFAULT_CLASS_ANNOTATION: &'static str =
        "storageclass.kubernetes.io/is-default-class";
    pub const BETA_DEFAULT_CLASS_ANNOTATION: &'static str =
        "storageclass.beta.kubernetes.io/is-default-class";

    /// The default-class annotation (GA or beta) with where it was written.
    pub fn is_default_class(&self) -> Val<bool> {
        for key in [
            Self::DEFAULT_CLASS_ANNOTATION,
            Self::BETA_DEFAULT_CLASS_ANNOTATION,
        ] {
            if let Some(v) = self.object.annotations.val(key) {
                return v.clone().map(|s| s == "true");
            }
        }
        Val::default_(false)
    }
    /// A provisioner parameter (e.g. `encrypted`, `kmsKeyId`, `type`).
    pub fn parameter(&self, key: &str) -> Option<&Val<String>> {
        self.parameters.val(key)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PersistentVolumeClaim {
    pub meta: Meta,
    pub object: ObjectMeta,
    /// `Default(None)` when not written (the default StorageClass applies);
    /// `Known(Some(""))` disables dynamic provisioning.
    pub storage_class_name: Val<Option<String>>,
    pub access_modes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_request: Option<String>,
}

// ---------------------------------------------------------------- AWS / CSI / Istio

/// `vpcresources.k8s.aws/v1beta1` SecurityGroupPolicy (security groups for pods).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SecurityGroupPolicy {
    pub meta: Meta,
    pub object: ObjectMeta,
    pub pod_selector: Option<LabelSelector>,
    pub service_account_selector: Option<LabelSelector>,
    pub security_group_ids: Vec<Val<String>>,
}

/// `secrets-store.csi.x-k8s.io` SecretProviderClass.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SecretProviderClass {
    pub meta: Meta,
    pub object: ObjectMeta,
    /// `aws`, `vault`, `azure`, `gcp`...
    pub provider: Val<String>,
    /// `parameters.objects`, parsed from its embedded YAML.
    pub objects: Vec<SecretProviderObject>,
    /// Other `parameters` (`region`, `usePodIdentity`...), without `objects`.
    pub parameters: StrMap,
    /// `secretObjects[].secretName`: Kubernetes Secrets the driver syncs to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub synced_secrets: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SecretProviderObject {
    pub object_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object_alias: Option<String>,
}

/// Istio `security.istio.io` PeerAuthentication.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PeerAuthentication {
    pub meta: Meta,
    pub object: ObjectMeta,
    /// `selector.matchLabels`; `None` when not written (namespace-wide, or
    /// mesh-wide in the root namespace).
    pub selector: Option<StrMap>,
    /// `mtls.mode` (`UNSET`, `DISABLE`, `PERMISSIVE`, `STRICT`); `Default(None)` when not written.
    pub mtls_mode: Val<Option<String>>,
    /// `portLevelMtls`: port → mode.
    pub port_level_mtls: BTreeMap<u32, Val<String>>,
}
