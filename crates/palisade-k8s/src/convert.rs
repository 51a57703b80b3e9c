//! YAML documents → typed Kubernetes objects.

use crate::base64;
use crate::yaml::{self, Node, Scalar};
use palisade_model::k8s::*;
use palisade_model::secrets::classify;
use palisade_model::{Diagnostic, Location, Meta, Secret, SecretLiteral, Val};
use std::collections::BTreeMap;
use std::sync::Arc;

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// `(name, value)` settings written in a container command or argument:
/// `--password=VALUE`, `-token=VALUE`, `PASSWORD=VALUE` (also inside a shell
/// line such as `sh -c "export DB_PASSWORD=... && run"`).
fn command_line_settings(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for token in text.split(|c: char| c.is_whitespace() || c == ';') {
        let token = token.trim_matches(['"', '\'', '`']);
        let Some((k, v)) = token.split_once('=') else {
            continue;
        };
        let k = k.trim_start_matches('-');
        let v = v.trim_matches(['"', '\'']);
        if k.is_empty()
            || v.is_empty()
            || !k
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            continue;
        }
        out.push((k.to_string(), v.to_string()));
    }
    out
}
const OMITTED: &str = "<omitted: copy of the object>";

/// Lists inside lists are unwrapped this deep at most.
const MAX_LIST_NESTING: usize = 2;

pub struct Ctx {
    path: String,
    file: Arc<str>,
    pub k8s: K8s,
    pub secrets: Vec<SecretLiteral>,
    pub errors: Vec<Diagnostic>,
    pub notes: Vec<Diagnostic>,
    /// Documents with apiVersion and kind (modelled or not).
    pub objects_seen: usize,
    skipped_kinds: BTreeMap<String, usize>,
    /// Documents without apiVersion/kind: first line of each.
    not_k8s_docs: Vec<u32>,
}

// ------------------------------------------------------------ scalar helpers

fn is_templated(text: &str) -> bool {
    if text.contains("{{") {
        return true;
    }
    // envsubst-style `${NAME}` (Kubernetes itself only expands `$(NAME)`).
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        let after = &rest[i + 2..];
        if let Some(end) = after.find('}') {
            let name = &after[..end];
            if !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '-' | '.'))
            {
                return true;
            }
        }
        rest = after;
    }
    false
}

/// `!!str 123` is a string whatever it looks like.
fn is_str_tagged(tag: Option<&str>) -> bool {
    tag.is_some_and(|t| t.ends_with(":str") || t == "!!str")
}

/// YAML 1.1 booleans (what kubectl's YAML decoder accepts).
fn parse_bool(s: &Scalar, tag: Option<&str>) -> Option<bool> {
    if !s.is_plain() || is_str_tagged(tag) {
        return None;
    }
    match s.text.as_str() {
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "y" | "Y" | "on" | "On" | "ON" => {
            Some(true)
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "n" | "N" | "off" | "Off" | "OFF" => {
            Some(false)
        }
        _ => None,
    }
}

/// Plain YAML integers: decimal, `0x` hex, `0o` or leading-zero octal.
fn parse_int(s: &Scalar, tag: Option<&str>) -> Option<i64> {
    if !s.is_plain() || is_str_tagged(tag) {
        return None;
    }
    let t: String = s.text.chars().filter(|c| *c != '_').collect();
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t.strip_prefix('+').unwrap_or(&t)),
    };
    if body.is_empty() {
        return None;
    }
    let v = if let Some(h) = body.strip_prefix("0x") {
        i64::from_str_radix(h, 16).ok()?
    } else if let Some(o) = body.strip_prefix("0o") {
        i64::from_str_radix(o, 8).ok()?
    } else if body.len() > 1 && body.starts_with('0') && body.chars().all(|c| c.is_ascii_digit()) {
        i64::from_str_radix(&body[1..], 8).ok()?
    } else if body.chars().all(|c| c.is_ascii_digit()) {
        body.parse::<i64>().ok()?
    } else {
        return None;
    };
    Some(if neg { -v } else { v })
}

/// `Val<Option<T>>` from an optional field value.
fn opt<T>(v: Option<Val<T>>) -> Val<Option<T>> {
    match v {
        None => Val::default_(None),
        Some(Val::Known { value, loc }) => Val::known(Some(value), loc),
        Some(Val::Default { value }) => Val::default_(Some(value)),
        Some(Val::Unknown { reason, loc }) => Val::unknown(reason, loc),
    }
}

fn or_default<T>(v: Option<Val<T>>, d: T) -> Val<T> {
    v.unwrap_or_else(|| Val::default_(d))
}

fn container_list_key(kind: ContainerKind) -> &'static str {
    match kind {
        ContainerKind::Init => "initContainers",
        ContainerKind::Regular => "containers",
        ContainerKind::Ephemeral => "ephemeralContainers",
    }
}

impl Ctx {
    pub fn new(path: &str) -> Self {
        Ctx {
            path: path.to_string(),
            file: Arc::from(path),
            k8s: K8s::default(),
            secrets: Vec::new(),
            errors: Vec::new(),
            notes: Vec::new(),
            objects_seen: 0,
            skipped_kinds: BTreeMap::new(),
            not_k8s_docs: Vec::new(),
        }
    }

    pub fn finish(mut self, out: &mut crate::FileLoad) {
        if !self.skipped_kinds.is_empty() {
            let list: Vec<String> = self
                .skipped_kinds
                .iter()
                .map(|(k, n)| {
                    if *n > 1 {
                        format!("{k} ×{n}")
                    } else {
                        k.clone()
                    }
                })
                .collect();
            self.notes.push(Diagnostic::new(
                &self.path,
                None,
                format!("kinds not modelled (skipped): {}", list.join(", ")),
            ));
        }
        if !self.not_k8s_docs.is_empty() && self.objects_seen > 0 {
            for line in &self.not_k8s_docs {
                self.notes.push(Diagnostic::new(
                    &self.path,
                    Some(*line),
                    "document without apiVersion/kind; skipped",
                ));
            }
        }
        out.k8s = self.k8s;
        out.secrets = self.secrets;
        out.errors.extend(self.errors);
        out.notes.extend(self.notes);
    }

    /// True when some document had content that was not Kubernetes.
    pub fn has_content(&self) -> bool {
        !self.not_k8s_docs.is_empty()
    }

    fn loc(&self, n: &Node) -> Location {
        Location::new(self.file.clone(), n.line, n.end_line)
    }

    fn note(&mut self, line: u32, msg: impl Into<String>) {
        self.notes
            .push(Diagnostic::new(&self.path, Some(line), msg.into()));
    }

    // -------------------------------------------------------- typed field readers

    /// A string field: `None` when absent or null.
    fn s_val(&self, n: Option<&Node>) -> Option<Val<String>> {
        let n = n.filter(|n| !n.is_null())?;
        let loc = self.loc(n);
        Some(match n.as_scalar() {
            Some(s) if is_templated(&s.text) => Val::unknown(
                format!("templated value `{}`", yaml::truncate(&s.text, 60)),
                Some(loc),
            ),
            Some(s) => Val::known(s.text.clone(), loc),
            None => Val::unknown(
                format!("expected a string, found {}", n.type_name()),
                Some(loc),
            ),
        })
    }

    fn b_val(&self, n: Option<&Node>) -> Option<Val<bool>> {
        let n = n.filter(|n| !n.is_null())?;
        let loc = self.loc(n);
        Some(match n.as_scalar() {
            Some(s) if is_templated(&s.text) => Val::unknown(
                format!("templated value `{}`", yaml::truncate(&s.text, 60)),
                Some(loc),
            ),
            Some(s) => match parse_bool(s, n.tag.as_deref()) {
                Some(b) => Val::known(b, loc),
                None => Val::unknown(
                    format!(
                        "expected a boolean, found `{}` (the API server rejects it)",
                        yaml::truncate(&s.text, 40)
                    ),
                    Some(loc),
                ),
            },
            None => Val::unknown(
                format!("expected a boolean, found {}", n.type_name()),
                Some(loc),
            ),
        })
    }

    fn i_val(&self, n: Option<&Node>) -> Option<Val<i64>> {
        let n = n.filter(|n| !n.is_null())?;
        let loc = self.loc(n);
        Some(match n.as_scalar() {
            Some(s) if is_templated(&s.text) => Val::unknown(
                format!("templated value `{}`", yaml::truncate(&s.text, 60)),
                Some(loc),
            ),
            Some(s) => match parse_int(s, n.tag.as_deref()) {
                Some(i) => Val::known(i, loc),
                None => Val::unknown(
                    format!(
                        "expected an integer, found `{}`",
                        yaml::truncate(&s.text, 40)
                    ),
                    Some(loc),
                ),
            },
            None => Val::unknown(
                format!("expected an integer, found {}", n.type_name()),
                Some(loc),
            ),
        })
    }

    /// An `IntOrString` port.
    fn port_val(&self, n: Option<&Node>) -> Option<Val<PortRef>> {
        let n = n.filter(|n| !n.is_null())?;
        let loc = self.loc(n);
        Some(match n.as_scalar() {
            Some(s) if is_templated(&s.text) => Val::unknown(
                format!("templated value `{}`", yaml::truncate(&s.text, 60)),
                Some(loc),
            ),
            Some(s) => match parse_int(s, n.tag.as_deref()) {
                Some(i) => Val::known(PortRef::Number(i), loc),
                None => Val::known(PortRef::Name(s.text.clone()), loc),
            },
            None => Val::unknown(
                format!("expected a port number or name, found {}", n.type_name()),
                Some(loc),
            ),
        })
    }

    /// Plain text of a scalar field (names, keys), templated or not.
    fn text(n: Option<&Node>) -> Option<String> {
        n.and_then(Node::as_str).map(str::to_string)
    }

    fn flag(&self, n: Option<&Node>) -> bool {
        self.b_val(n).is_some_and(|v| v.is_true())
    }

    /// A list of scalars (a single scalar counts as a one-item list).
    fn str_list(n: Option<&Node>) -> Vec<String> {
        match n {
            Some(n) => match n.as_seq() {
                Some(items) => items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_string))
                    .collect(),
                None => n.as_str().map(|s| vec![s.to_string()]).unwrap_or_default(),
            },
            None => Vec::new(),
        }
    }

    fn val_list(&self, n: Option<&Node>) -> Vec<Val<String>> {
        match n.and_then(Node::as_seq) {
            Some(items) => items.iter().filter_map(|i| self.s_val(Some(i))).collect(),
            None => Vec::new(),
        }
    }

    /// A list of scalars with the list's location: `Default([])` when absent.
    fn list_val(&self, n: Option<&Node>) -> Val<Vec<String>> {
        match n.filter(|n| !n.is_null()) {
            None => Val::default_(Vec::new()),
            Some(n) => match n.as_seq() {
                Some(_) => Val::known(Self::str_list(Some(n)), self.loc(n)),
                None => Val::unknown(
                    format!("expected a list, found {}", n.type_name()),
                    Some(self.loc(n)),
                ),
            },
        }
    }

    fn strmap(&self, n: Option<&Node>) -> StrMap {
        let mut m = StrMap::new();
        if let Some(n) = n {
            for (k, v) in n.entries() {
                let val = self
                    .s_val(Some(v))
                    .unwrap_or_else(|| Val::known(String::new(), self.loc(v)));
                m.insert(k, val);
            }
        }
        m
    }

    /// A `metav1.LabelSelector`; `None` when absent or null.
    fn selector(&self, n: Option<&Node>) -> Option<LabelSelector> {
        let n = n.filter(|n| !n.is_null())?;
        let mut sel = LabelSelector {
            loc: Some(self.loc(n)),
            ..Default::default()
        };
        if n.as_map().is_none() {
            sel.unknown
                .push(format!("expected a mapping, found {}", n.type_name()));
            return Some(sel);
        }
        if let Some(ml) = n.get_some("matchLabels") {
            for (k, v) in ml.entries() {
                match v.as_scalar() {
                    Some(s) => {
                        if is_templated(&s.text) {
                            sel.unknown.push(format!("matchLabels.{k} is templated"));
                        }
                        sel.match_labels.insert(k.to_string(), s.text.clone());
                    }
                    None => sel.unknown.push(format!("matchLabels.{k} is not a string")),
                }
            }
        }
        if let Some(exprs) = n.get_some("matchExpressions").and_then(Node::as_seq) {
            for e in exprs {
                let key = Self::text(e.get("key")).unwrap_or_default();
                let op = Self::text(e.get("operator")).unwrap_or_default();
                sel.match_expressions.push(SelectorRequirement {
                    key,
                    operator: SelectorOperator::parse(&op),
                    values: Self::str_list(e.get("values")),
                });
            }
        }
        Some(sel)
    }

    // -------------------------------------------------------- documents

    pub fn document(&mut self, root: &Node) {
        self.object(root, None, 0);
    }

    /// `list`: (apiVersion, item kind) inferred from an enclosing `*List`.
    fn object(&mut self, root: &Node, list: Option<(&str, &str)>, depth: usize) {
        if root.as_map().is_none() {
            if !root.is_null() {
                self.not_k8s_docs.push(root.line);
            }
            return;
        }
        let api_version =
            Self::text(root.get("apiVersion")).or_else(|| list.map(|l| l.0.to_string()));
        let kind = Self::text(root.get("kind")).or_else(|| list.map(|l| l.1.to_string()));
        let (Some(api_version), Some(kind)) = (api_version, kind) else {
            self.not_k8s_docs.push(root.line);
            return;
        };
        if is_templated(&kind) || is_templated(&api_version) {
            self.note(root.line, "templated apiVersion/kind; document skipped");
            return;
        }
        self.objects_seen += 1;

        if kind == "List" || (kind.ends_with("List") && root.get("items").is_some()) {
            if depth >= MAX_LIST_NESTING {
                self.note(root.line, "List nested too deep; skipped");
                return;
            }
            let item_kind = kind.strip_suffix("List").filter(|k| !k.is_empty());
            match root.get_some("items").map(|i| (i, i.as_seq())) {
                Some((_, Some(items))) => {
                    for item in items {
                        let inferred = item_kind.map(|k| (api_version.as_str(), k));
                        self.object(item, inferred, depth + 1);
                    }
                }
                Some((i, None)) => self.note(i.line, "List `items` is not a list; skipped"),
                None => {}
            }
            return;
        }

        let group = api_version.split_once('/').map_or("", |(g, _)| g);
        let modelled = matches!(
            (group, kind.as_str()),
            (
                "",
                "Namespace"
                    | "Pod"
                    | "ReplicationController"
                    | "Service"
                    | "ServiceAccount"
                    | "Secret"
                    | "ConfigMap"
                    | "PersistentVolumeClaim"
            ) | (
                "apps" | "extensions",
                "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet"
            ) | ("batch", "Job" | "CronJob")
                | (
                    "networking.k8s.io" | "extensions",
                    "Ingress" | "NetworkPolicy"
                )
                | (
                    "rbac.authorization.k8s.io",
                    "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding"
                )
                | ("storage.k8s.io", "StorageClass")
                | ("vpcresources.k8s.aws", "SecurityGroupPolicy")
                | ("secrets-store.csi.x-k8s.io", "SecretProviderClass")
                | ("security.istio.io", "PeerAuthentication")
        );
        if !modelled {
            *self
                .skipped_kinds
                .entry(format!("{kind} ({api_version})"))
                .or_insert(0) += 1;
            return;
        }

        let (meta, object) = self.object_meta(root, &api_version, &kind);
        let spec = root.get_some("spec");
        match kind.as_str() {
            "Namespace" => self.k8s.namespaces.push(Namespace { meta, object }),
            "Pod"
            | "ReplicationController"
            | "Deployment"
            | "StatefulSet"
            | "DaemonSet"
            | "ReplicaSet"
            | "Job"
            | "CronJob" => {
                if let Some(wk) = WorkloadKind::parse(&kind) {
                    let w = self.workload(root, meta, object, wk);
                    self.k8s.workloads.push(w);
                }
            }
            "Service" => {
                let s = self.service(spec, meta, object);
                self.k8s.services.push(s);
            }
            "Ingress" => {
                let i = self.ingress(spec, meta, object);
                self.k8s.ingresses.push(i);
            }
            "NetworkPolicy" => {
                let spec_loc = spec.map_or_else(|| meta.loc.clone(), |s| self.loc(s));
                let np = NetworkPolicy {
                    pod_selector: self.selector(spec.and_then(|s| s.get("podSelector"))),
                    policy_types: spec
                        .and_then(|s| s.get_some("policyTypes"))
                        .map(|p| Self::str_list(Some(p))),
                    ingress: self.np_rules(spec.and_then(|s| s.get_some("ingress")), "from"),
                    egress: self.np_rules(spec.and_then(|s| s.get_some("egress")), "to"),
                    spec_loc,
                    meta,
                    object,
                };
                self.k8s.network_policies.push(np);
            }
            "ServiceAccount" => {
                let sa = ServiceAccount {
                    automount_service_account_token: opt(
                        self.b_val(root.get("automountServiceAccountToken"))
                    ),
                    image_pull_secrets: Self::names(root.get_some("imagePullSecrets")),
                    secrets: Self::names(root.get_some("secrets")),
                    meta,
                    object,
                };
                self.k8s.service_accounts.push(sa);
            }
            "Role" | "ClusterRole" => {
                let rules = root
                    .get_some("rules")
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                    .iter()
                    .map(|r| PolicyRule {
                        api_groups: Self::str_list(r.get("apiGroups")),
                        resources: Self::str_list(r.get("resources")),
                        resource_names: Self::str_list(r.get("resourceNames")),
                        verbs: Self::str_list(r.get("verbs")),
                        non_resource_urls: Self::str_list(r.get("nonResourceURLs")),
                        loc: self.loc(r),
                    })
                    .collect();
                let aggregation_rule = root.get_some("aggregationRule").map(|a| {
                    a.get_some("clusterRoleSelectors")
                        .and_then(Node::as_seq)
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|s| self.selector(Some(s)))
                        .collect()
                });
                self.k8s.roles.push(Role {
                    cluster: kind == "ClusterRole",
                    rules,
                    aggregation_rule,
                    meta,
                    object,
                });
            }
            "RoleBinding" | "ClusterRoleBinding" => {
                let rr = root.get_some("roleRef");
                let role_ref = RoleRef {
                    api_group: Self::text(rr.and_then(|r| r.get("apiGroup"))).unwrap_or_default(),
                    kind: Self::text(rr.and_then(|r| r.get("kind"))).unwrap_or_default(),
                    name: Self::text(rr.and_then(|r| r.get("name"))).unwrap_or_default(),
                    loc: rr.map_or_else(|| meta.loc.clone(), |r| self.loc(r)),
                };
                let subjects = root
                    .get_some("subjects")
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                    .iter()
                    .map(|s| Subject {
                        kind: Self::text(s.get("kind")).unwrap_or_default(),
                        name: Self::text(s.get("name")).unwrap_or_default(),
                        namespace: Self::text(s.get("namespace")),
                        api_group: Self::text(s.get("apiGroup")),
                        loc: self.loc(s),
                    })
                    .collect();
                self.k8s.role_bindings.push(RoleBinding {
                    cluster: kind == "ClusterRoleBinding",
                    role_ref,
                    subjects,
                    meta,
                    object,
                });
            }
            "Secret" => {
                let s = self.secret_object(root, meta, object);
                self.k8s.secrets.push(s);
            }
            "ConfigMap" => {
                let c = self.config_map(root, meta, object);
                self.k8s.config_maps.push(c);
            }
            "StorageClass" => {
                let sc = StorageClass {
                    provisioner: self.s_val(root.get("provisioner")).unwrap_or_else(|| {
                        Val::unknown("provisioner not written", Some(meta.loc.clone()))
                    }),
                    parameters: self.strmap(root.get_some("parameters")),
                    allow_volume_expansion: opt(self.b_val(root.get("allowVolumeExpansion"))),
                    reclaim_policy: or_default(
                        self.s_val(root.get("reclaimPolicy")),
                        "Delete".into(),
                    ),
                    volume_binding_mode: or_default(
                        self.s_val(root.get("volumeBindingMode")),
                        "Immediate".into(),
                    ),
                    meta,
                    object,
                };
                self.k8s.storage_classes.push(sc);
            }
            "PersistentVolumeClaim" => {
                let get = |k: &str| spec.and_then(|s| s.get(k));
                let pvc = PersistentVolumeClaim {
                    storage_class_name: opt(self.s_val(get("storageClassName"))),
                    access_modes: Self::str_list(get("accessModes")),
                    volume_name: Self::text(get("volumeName")),
                    storage_request: Self::text(
                        get("resources")
                            .and_then(|r| r.get("requests"))
                            .and_then(|r| r.get("storage")),
                    ),
                    meta,
                    object,
                };
                self.k8s.persistent_volume_claims.push(pvc);
            }
            "SecurityGroupPolicy" => {
                let sgp = SecurityGroupPolicy {
                    pod_selector: self.selector(spec.and_then(|s| s.get("podSelector"))),
                    service_account_selector: self
                        .selector(spec.and_then(|s| s.get("serviceAccountSelector"))),
                    security_group_ids: self.val_list(
                        spec.and_then(|s| s.get("securityGroups"))
                            .and_then(|g| g.get("groupIds")),
                    ),
                    meta,
                    object,
                };
                self.k8s.security_group_policies.push(sgp);
            }
            "SecretProviderClass" => {
                let spc = self.secret_provider_class(spec, meta, object);
                self.k8s.secret_provider_classes.push(spc);
            }
            "PeerAuthentication" => {
                let mut port_level_mtls = BTreeMap::new();
                if let Some(pl) = spec.and_then(|s| s.get_some("portLevelMtls")) {
                    for (port, v) in pl.entries() {
                        match port.trim().parse::<u32>() {
                            Ok(p) => {
                                let mode = self
                                    .s_val(v.get("mode"))
                                    .unwrap_or_else(|| Val::default_("UNSET".into()));
                                port_level_mtls.insert(p, mode);
                            }
                            Err(_) => self.note(
                                v.line,
                                format!("portLevelMtls key `{port}` is not a port number; ignored"),
                            ),
                        }
                    }
                }
                let pa = PeerAuthentication {
                    selector: spec
                        .and_then(|s| s.get_some("selector"))
                        .map(|s| self.strmap(s.get_some("matchLabels"))),
                    mtls_mode: opt(self.s_val(
                        spec.and_then(|s| s.get_some("mtls"))
                            .and_then(|m| m.get("mode")),
                    )),
                    port_level_mtls,
                    meta,
                    object,
                };
                self.k8s.peer_authentications.push(pa);
            }
            _ => {}
        }
    }

    fn names(n: Option<&Node>) -> Vec<String> {
        n.and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|i| Self::text(i.get("name")))
            .collect()
    }

    fn object_meta(&mut self, root: &Node, api_version: &str, kind: &str) -> (Meta, ObjectMeta) {
        let md = root.get_some("metadata");
        let get = |k: &str| md.and_then(|m| m.get(k));
        let name = match Self::text(get("name")) {
            Some(n) => n,
            None => match Self::text(get("generateName")) {
                Some(g) => format!("{g}*"),
                None => {
                    self.note(root.line, format!("{kind} without metadata.name"));
                    "<unnamed>".to_string()
                }
            },
        };
        let namespace = if is_cluster_scoped(kind) {
            None
        } else {
            Some(
                self.s_val(get("namespace"))
                    .unwrap_or_else(|| Val::default_("default".to_string())),
            )
        };
        let ns_text = namespace.as_ref().map(|v| match v {
            Val::Known { value, .. } | Val::Default { value } => value.clone(),
            Val::Unknown { .. } => Self::text(get("namespace")).unwrap_or_default(),
        });
        let owner_references = get("ownerReferences")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .map(|o| OwnerReference {
                api_version: Self::text(o.get("apiVersion")).unwrap_or_default(),
                kind: Self::text(o.get("kind")).unwrap_or_default(),
                name: Self::text(o.get("name")).unwrap_or_default(),
                uid: Self::text(o.get("uid")),
                controller: self.flag(o.get("controller")),
            })
            .collect();
        let mut meta = Meta::new(
            address(kind, ns_text.as_deref(), &name),
            kind,
            self.loc(root),
        );
        if let Some(uid) = Self::text(get("uid")) {
            meta.keys.push(format!("uid:{uid}"));
        }
        if kind == "ServiceAccount" {
            meta.keys.push(format!(
                "system:serviceaccount:{}:{}",
                ns_text.as_deref().unwrap_or("default"),
                name
            ));
        }
        let mut annotations = self.strmap(get("annotations"));
        self.redact_annotations(&meta.address, "metadata", &mut annotations);
        let object = ObjectMeta {
            api_version: api_version.to_string(),
            name,
            namespace,
            labels: self.strmap(get("labels")),
            annotations,
            owner_references,
        };
        (meta, object)
    }

    /// `kubectl.kubernetes.io/last-applied-configuration` repeats the whole
    /// object (Secret data included): its value is dropped. Other
    /// annotations whose value looks like a credential are recorded and
    /// replaced by a marker, so the model never prints them.
    /// `path`: where the annotations' `metadata` is (`metadata`, or
    /// `spec.template.metadata` for a pod template).
    fn redact_annotations(&mut self, address: &str, path: &str, annotations: &mut StrMap) {
        for (key, val) in annotations.0.iter_mut() {
            let Val::Known { value, loc } = val else {
                continue;
            };
            if key == LAST_APPLIED {
                *value = OMITTED.to_string();
                continue;
            }
            if let Some(why) = classify(key, value) {
                self.secrets.push(SecretLiteral {
                    resource: address.to_string(),
                    attribute: format!("{path}.annotations.{key}"),
                    loc: loc.clone(),
                    why: format!("annotation: {why}"),
                    value: Secret::new(std::mem::take(value)),
                });
                *value = palisade_model::val::REDACTED.to_string();
            }
        }
    }

    // -------------------------------------------------------- workloads

    fn workload(
        &mut self,
        root: &Node,
        meta: Meta,
        object: ObjectMeta,
        kind: WorkloadKind,
    ) -> Workload {
        let spec = root.get_some("spec");
        let (template_node, prefix) = match kind {
            WorkloadKind::Pod => (Some(root), "spec"),
            WorkloadKind::CronJob => (
                spec.and_then(|s| s.get_some("jobTemplate"))
                    .and_then(|j| j.get_some("spec"))
                    .and_then(|s| s.get_some("template")),
                "spec.jobTemplate.spec.template.spec",
            ),
            _ => (
                spec.and_then(|s| s.get_some("template")),
                "spec.template.spec",
            ),
        };
        if template_node.is_none() {
            self.note(root.line, format!("{}: no pod template", meta.address));
        }
        let tmeta = template_node.and_then(|t| t.get_some("metadata"));
        let tspec = template_node.and_then(|t| t.get_some("spec"));
        let tloc = template_node.map_or_else(|| meta.loc.clone(), |t| self.loc(t));
        let address = meta.address.clone();
        let pod_spec = self.pod_spec(tspec, &tloc, &address, prefix);
        let replicas = kind
            .has_replicas()
            .then(|| or_default(self.i_val(spec.and_then(|s| s.get("replicas"))), 1));
        let selector = match kind {
            WorkloadKind::Pod => None,
            WorkloadKind::ReplicationController => {
                spec.and_then(|s| s.get_some("selector"))
                    .map(|n| LabelSelector {
                        match_labels: self.strmap(Some(n)).to_plain(),
                        loc: Some(self.loc(n)),
                        ..Default::default()
                    })
            }
            _ => self.selector(spec.and_then(|s| s.get("selector"))),
        };
        // Pod template annotations are checked and redacted like the
        // object's own (`vault.hashicorp.com/agent-inject-token: ...`).
        // A Pod is its own template: its annotations were redacted above.
        let template_annotations = if kind == WorkloadKind::Pod {
            object.annotations.clone()
        } else {
            let mut a = self.strmap(tmeta.and_then(|m| m.get("annotations")));
            let path = prefix.strip_suffix(".spec").unwrap_or(prefix);
            self.redact_annotations(&address, &format!("{path}.metadata"), &mut a);
            a
        };
        let template = PodTemplate {
            labels: self.strmap(tmeta.and_then(|m| m.get("labels"))),
            annotations: template_annotations,
            spec: pod_spec,
            loc: tloc,
        };
        Workload {
            meta,
            object,
            kind,
            replicas,
            selector,
            template,
        }
    }

    fn pod_spec(
        &mut self,
        spec: Option<&Node>,
        fallback: &Location,
        address: &str,
        prefix: &str,
    ) -> PodSpec {
        let get = |k: &str| spec.and_then(|s| s.get(k));
        let sa = self
            .s_val(get("serviceAccountName"))
            .or_else(|| self.s_val(get("serviceAccount")))
            .unwrap_or_else(|| Val::default_("default".to_string()));
        let psc = get("securityContext").filter(|n| !n.is_null());
        let pget = |k: &str| psc.and_then(|s| s.get(k));
        let security_context = PodSecurityContext {
            run_as_non_root: opt(self.b_val(pget("runAsNonRoot"))),
            run_as_user: opt(self.i_val(pget("runAsUser"))),
            run_as_group: opt(self.i_val(pget("runAsGroup"))),
            fs_group: opt(self.i_val(pget("fsGroup"))),
            seccomp_profile: self.seccomp(pget("seccompProfile")),
            sysctls: pget("sysctls")
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(|s| self.s_val(s.get("name")))
                .collect(),
            loc: psc.map(|n| self.loc(n)),
        };
        let volumes = get("volumes")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .map(|v| self.volume(v))
            .collect();
        let mut containers_of = |kind: ContainerKind| -> Vec<Container> {
            let key = container_list_key(kind);
            spec.and_then(|s| s.get_some(key))
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .map(|c| self.container(c, kind, address, prefix))
                .collect()
        };
        let init_containers = containers_of(ContainerKind::Init);
        let containers = containers_of(ContainerKind::Regular);
        let ephemeral_containers = containers_of(ContainerKind::Ephemeral);
        PodSpec {
            service_account_name: sa,
            automount_service_account_token: opt(self.b_val(get("automountServiceAccountToken"))),
            host_network: or_default(self.b_val(get("hostNetwork")), false),
            host_pid: or_default(self.b_val(get("hostPID")), false),
            host_ipc: or_default(self.b_val(get("hostIPC")), false),
            host_users: opt(self.b_val(get("hostUsers"))),
            share_process_namespace: or_default(self.b_val(get("shareProcessNamespace")), false),
            security_context,
            volumes,
            init_containers,
            containers,
            ephemeral_containers,
            image_pull_secrets: Self::names(get("imagePullSecrets")),
            node_selector: get("nodeSelector")
                .filter(|n| !n.is_null())
                .map(|n| self.strmap(Some(n))),
            loc: spec.map_or_else(|| fallback.clone(), |s| self.loc(s)),
        }
    }

    fn seccomp(&self, n: Option<&Node>) -> Val<Option<SeccompProfile>> {
        match n.filter(|n| !n.is_null()) {
            None => Val::default_(None),
            Some(n) => match self.s_val(n.get("type")) {
                Some(Val::Known { value, .. }) => Val::known(
                    Some(SeccompProfile {
                        type_: value,
                        localhost_profile: Self::text(n.get("localhostProfile")),
                    }),
                    self.loc(n),
                ),
                Some(Val::Unknown { reason, loc }) => Val::unknown(reason, loc),
                _ => Val::unknown("seccompProfile without type", Some(self.loc(n))),
            },
        }
    }

    fn volume(&self, v: &Node) -> Volume {
        let name = Self::text(v.get("name")).unwrap_or_default();
        let entries = v.entries();
        let source_entry = entries.iter().find(|(k, _)| *k != "name");
        let source = match source_entry {
            None => VolumeSource::Other { key: String::new() },
            Some((key, s)) => {
                let g = |k: &str| s.get(k);
                match *key {
                    "hostPath" => VolumeSource::HostPath {
                        path: self.s_val(g("path")).unwrap_or_else(|| {
                            Val::unknown("hostPath without path", Some(self.loc(s)))
                        }),
                        host_path_type: Self::text(g("type")),
                    },
                    "secret" => VolumeSource::Secret {
                        secret_name: self.s_val(g("secretName")).unwrap_or_else(|| {
                            Val::unknown("secret volume without secretName", Some(self.loc(s)))
                        }),
                        optional: self.flag(g("optional")),
                    },
                    "configMap" => VolumeSource::ConfigMap {
                        name: self.s_val(g("name")).unwrap_or_else(|| {
                            Val::unknown("configMap volume without name", Some(self.loc(s)))
                        }),
                        optional: self.flag(g("optional")),
                    },
                    "csi" => {
                        let attrs = self.strmap(g("volumeAttributes"));
                        VolumeSource::Csi {
                            driver: self.s_val(g("driver")).unwrap_or_else(|| {
                                Val::unknown("csi volume without driver", Some(self.loc(s)))
                            }),
                            read_only: or_default(self.b_val(g("readOnly")), false),
                            secret_provider_class: attrs.val("secretProviderClass").cloned(),
                            volume_attributes: attrs,
                        }
                    }
                    "projected" => VolumeSource::Projected {
                        sources: g("sources")
                            .and_then(Node::as_seq)
                            .unwrap_or_default()
                            .iter()
                            .map(|p| self.projected(p))
                            .collect(),
                    },
                    "emptyDir" => VolumeSource::EmptyDir {
                        medium: Self::text(g("medium")).filter(|m| !m.is_empty()),
                    },
                    "persistentVolumeClaim" => VolumeSource::PersistentVolumeClaim {
                        claim_name: self.s_val(g("claimName")).unwrap_or_else(|| {
                            Val::unknown("claim name not written", Some(self.loc(s)))
                        }),
                        read_only: or_default(self.b_val(g("readOnly")), false),
                    },
                    "downwardAPI" => VolumeSource::DownwardApi,
                    other => VolumeSource::Other {
                        key: other.to_string(),
                    },
                }
            }
        };
        Volume {
            name,
            source,
            loc: self.loc(v),
        }
    }

    fn projected(&self, p: &Node) -> ProjectedSource {
        if let Some(t) = p.get_some("serviceAccountToken") {
            return ProjectedSource::ServiceAccountToken {
                audience: Self::text(t.get("audience")),
                expiration_seconds: self
                    .i_val(t.get("expirationSeconds"))
                    .and_then(|v| v.get().copied()),
                path: Self::text(t.get("path")).unwrap_or_default(),
            };
        }
        if let Some(s) = p.get_some("secret") {
            return ProjectedSource::Secret {
                name: Self::text(s.get("name")).unwrap_or_default(),
            };
        }
        if let Some(c) = p.get_some("configMap") {
            return ProjectedSource::ConfigMap {
                name: Self::text(c.get("name")).unwrap_or_default(),
            };
        }
        if p.get("downwardAPI").is_some() {
            return ProjectedSource::DownwardApi;
        }
        if p.get("clusterTrustBundle").is_some() {
            return ProjectedSource::ClusterTrustBundle;
        }
        ProjectedSource::Other {
            key: p
                .entries()
                .first()
                .map(|(k, _)| k.to_string())
                .unwrap_or_default(),
        }
    }

    fn container(
        &mut self,
        c: &Node,
        kind: ContainerKind,
        address: &str,
        prefix: &str,
    ) -> Container {
        let name = Self::text(c.get("name")).unwrap_or_default();
        let g = |k: &str| c.get(k);
        let ports = g("ports")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .map(|p| ContainerPort {
                name: Self::text(p.get("name")),
                container_port: self.i_val(p.get("containerPort")).unwrap_or_else(|| {
                    Val::unknown("containerPort not written", Some(self.loc(p)))
                }),
                protocol: or_default(self.s_val(p.get("protocol")), "TCP".into()),
                host_port: opt(self.i_val(p.get("hostPort"))),
                loc: self.loc(p),
            })
            .collect();
        let list_key = container_list_key(kind);
        let mut env = Vec::new();
        for e in g("env").and_then(Node::as_seq).unwrap_or_default() {
            let var_name = Self::text(e.get("name")).unwrap_or_default();
            let value = self.s_val(e.get("value")).map(|v| match v {
                Val::Known { value, loc } => match classify(&var_name, &value) {
                    Some(why) => {
                        self.secrets.push(SecretLiteral {
                            resource: address.to_string(),
                            attribute: format!("{prefix}.{list_key}[{name}].env[{var_name}]"),
                            loc: loc.clone(),
                            why,
                            value: Secret::new(value.clone()),
                        });
                        Val::known(MaybeSecret::Secret(Secret::new(value)), loc)
                    }
                    None => Val::known(MaybeSecret::Text(value), loc),
                },
                other => other.map(MaybeSecret::Text),
            });
            let value_from = e.get_some("valueFrom").map(|vf| self.env_source(vf));
            env.push(EnvVar {
                name: var_name,
                value,
                value_from,
                loc: self.loc(e),
            });
        }
        for field in ["command", "args"] {
            let items = g(field).and_then(Node::as_seq).unwrap_or_default();
            for (i, item) in items.iter().enumerate() {
                let Some(text) = item.as_str() else { continue };
                for (k, v) in command_line_settings(text) {
                    if let Some(why) = classify(&k, &v) {
                        self.secrets.push(SecretLiteral {
                            resource: address.to_string(),
                            attribute: format!("{prefix}.{list_key}[{name}].{field}[{i}]"),
                            loc: self.loc(item),
                            why,
                            value: Secret::new(v),
                        });
                    }
                }
            }
        }
        let env_from = g("envFrom")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|ef| {
                let (source, r) = if let Some(r) = ef.get_some("secretRef") {
                    (EnvFromKind::Secret, r)
                } else {
                    (EnvFromKind::ConfigMap, ef.get_some("configMapRef")?)
                };
                Some(EnvFromSource {
                    source,
                    name: Self::text(r.get("name")).unwrap_or_default(),
                    prefix: Self::text(ef.get("prefix")),
                    optional: self.flag(r.get("optional")),
                    loc: self.loc(ef),
                })
            })
            .collect();
        let volume_mounts = g("volumeMounts")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .map(|m| VolumeMount {
                name: Self::text(m.get("name")).unwrap_or_default(),
                mount_path: Self::text(m.get("mountPath")).unwrap_or_default(),
                read_only: or_default(self.b_val(m.get("readOnly")), false),
                sub_path: Self::text(m.get("subPath")),
                loc: self.loc(m),
            })
            .collect();
        let sc = g("securityContext").filter(|n| !n.is_null());
        let s = |k: &str| sc.and_then(|n| n.get(k));
        let caps = s("capabilities").filter(|n| !n.is_null());
        let security_context = SecurityContext {
            privileged: or_default(self.b_val(s("privileged")), false),
            allow_privilege_escalation: opt(self.b_val(s("allowPrivilegeEscalation"))),
            run_as_non_root: opt(self.b_val(s("runAsNonRoot"))),
            run_as_user: opt(self.i_val(s("runAsUser"))),
            run_as_group: opt(self.i_val(s("runAsGroup"))),
            read_only_root_filesystem: or_default(self.b_val(s("readOnlyRootFilesystem")), false),
            capabilities_add: self.list_val(caps.and_then(|c| c.get("add"))),
            capabilities_drop: self.list_val(caps.and_then(|c| c.get("drop"))),
            seccomp_profile: self.seccomp(s("seccompProfile")),
            proc_mount: opt(self.s_val(s("procMount"))),
            loc: sc.map(|n| self.loc(n)),
        };
        Container {
            name,
            kind,
            image: opt(self.s_val(g("image"))),
            image_pull_policy: opt(self.s_val(g("imagePullPolicy"))),
            ports,
            env,
            env_from,
            volume_mounts,
            security_context,
            loc: self.loc(c),
        }
    }

    fn env_source(&self, vf: &Node) -> EnvVarSource {
        if let Some(r) = vf.get_some("secretKeyRef") {
            return EnvVarSource::SecretKeyRef {
                name: Self::text(r.get("name")).unwrap_or_default(),
                key: Self::text(r.get("key")).unwrap_or_default(),
                optional: self.flag(r.get("optional")),
            };
        }
        if let Some(r) = vf.get_some("configMapKeyRef") {
            return EnvVarSource::ConfigMapKeyRef {
                name: Self::text(r.get("name")).unwrap_or_default(),
                key: Self::text(r.get("key")).unwrap_or_default(),
                optional: self.flag(r.get("optional")),
            };
        }
        if let Some(r) = vf.get_some("fieldRef") {
            return EnvVarSource::FieldRef {
                field_path: Self::text(r.get("fieldPath")).unwrap_or_default(),
            };
        }
        if let Some(r) = vf.get_some("resourceFieldRef") {
            return EnvVarSource::ResourceFieldRef {
                resource: Self::text(r.get("resource")).unwrap_or_default(),
            };
        }
        EnvVarSource::Other {
            key: vf
                .entries()
                .first()
                .map(|(k, _)| k.to_string())
                .unwrap_or_default(),
        }
    }

    // -------------------------------------------------------- networking

    fn service(&self, spec: Option<&Node>, meta: Meta, object: ObjectMeta) -> Service {
        let g = |k: &str| spec.and_then(|s| s.get(k));
        let ports = g("ports")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .map(|p| {
                let port = self
                    .i_val(p.get("port"))
                    .unwrap_or_else(|| Val::unknown("port not written", Some(self.loc(p))));
                let target_port =
                    self.port_val(p.get("targetPort"))
                        .unwrap_or_else(|| match &port {
                            Val::Known { value, .. } | Val::Default { value } => {
                                Val::default_(PortRef::Number(*value))
                            }
                            Val::Unknown { reason, loc } => {
                                Val::unknown(reason.clone(), loc.clone())
                            }
                        });
                ServicePort {
                    name: Self::text(p.get("name")),
                    protocol: or_default(self.s_val(p.get("protocol")), "TCP".into()),
                    port,
                    target_port,
                    node_port: opt(self.i_val(p.get("nodePort"))),
                    app_protocol: opt(self.s_val(p.get("appProtocol"))),
                    loc: self.loc(p),
                }
            })
            .collect();
        Service {
            type_: or_default(self.s_val(g("type")), "ClusterIP".into()),
            selector: g("selector")
                .filter(|n| !n.is_null())
                .map(|n| self.strmap(Some(n))),
            ports,
            load_balancer_source_ranges: self.val_list(g("loadBalancerSourceRanges")),
            load_balancer_class: opt(self.s_val(g("loadBalancerClass"))),
            external_traffic_policy: or_default(
                self.s_val(g("externalTrafficPolicy")),
                "Cluster".into(),
            ),
            external_ips: self.val_list(g("externalIPs")),
            cluster_ip: opt(self.s_val(g("clusterIP"))),
            meta,
            object,
        }
    }

    fn backend(&self, b: &Node) -> IngressBackend {
        // networking.k8s.io/v1
        if let Some(svc) = b.get_some("service") {
            let port = svc.get_some("port");
            let service_port = port.and_then(|p| {
                self.i_val(p.get("number"))
                    .and_then(|v| v.get().copied())
                    .map(PortRef::Number)
                    .or_else(|| Self::text(p.get("name")).map(PortRef::Name))
            });
            return IngressBackend {
                service_name: Self::text(svc.get("name")),
                service_port,
                resource: None,
                loc: self.loc(b),
            };
        }
        if let Some(r) = b.get_some("resource") {
            return IngressBackend {
                service_name: None,
                service_port: None,
                resource: Some(format!(
                    "{}/{}",
                    Self::text(r.get("kind")).unwrap_or_default(),
                    Self::text(r.get("name")).unwrap_or_default()
                )),
                loc: self.loc(b),
            };
        }
        // extensions/v1beta1, networking.k8s.io/v1beta1
        IngressBackend {
            service_name: Self::text(b.get("serviceName")),
            service_port: self
                .port_val(b.get("servicePort"))
                .and_then(|v| v.get().cloned()),
            resource: None,
            loc: self.loc(b),
        }
    }

    fn ingress(&self, spec: Option<&Node>, meta: Meta, object: ObjectMeta) -> Ingress {
        let g = |k: &str| spec.and_then(|s| s.get_some(k));
        let default_backend = g("defaultBackend")
            .or_else(|| g("backend"))
            .map(|b| self.backend(b));
        let tls = g("tls")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .map(|t| IngressTls {
                hosts: Self::str_list(t.get("hosts")),
                secret_name: Self::text(t.get("secretName")),
                loc: self.loc(t),
            })
            .collect();
        let rules = g("rules")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .map(|r| IngressRule {
                host: Self::text(r.get("host")),
                paths: r
                    .get_some("http")
                    .and_then(|h| h.get_some("paths"))
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                    .iter()
                    .map(|p| IngressPath {
                        path: Self::text(p.get("path")),
                        path_type: Self::text(p.get("pathType")),
                        backend: match p.get_some("backend") {
                            Some(b) => self.backend(b),
                            None => IngressBackend {
                                service_name: None,
                                service_port: None,
                                resource: None,
                                loc: self.loc(p),
                            },
                        },
                        loc: self.loc(p),
                    })
                    .collect(),
                loc: self.loc(r),
            })
            .collect();
        Ingress {
            ingress_class_name: opt(self.s_val(g("ingressClassName"))),
            default_backend,
            tls,
            rules,
            meta,
            object,
        }
    }

    /// `ingress`/`egress` rules: `None` when absent or null.
    fn np_rules(&mut self, n: Option<&Node>, peers_key: &str) -> Option<Vec<NetworkPolicyRule>> {
        let n = n?;
        let Some(items) = n.as_seq() else {
            self.note(
                n.line,
                format!(
                    "NetworkPolicy rules are {}, not a list; ignored",
                    n.type_name()
                ),
            );
            return None;
        };
        Some(
            items
                .iter()
                .map(|r| NetworkPolicyRule {
                    peers: r.get_some(peers_key).map(|p| {
                        p.as_seq()
                            .unwrap_or_default()
                            .iter()
                            .map(|peer| NetworkPolicyPeer {
                                pod_selector: self.selector(peer.get("podSelector")),
                                namespace_selector: self.selector(peer.get("namespaceSelector")),
                                ip_block: peer.get_some("ipBlock").map(|b| IpBlock {
                                    cidr: self.s_val(b.get("cidr")).unwrap_or_else(|| {
                                        Val::unknown("ipBlock without cidr", Some(self.loc(b)))
                                    }),
                                    except: self.val_list(b.get("except")),
                                }),
                                loc: self.loc(peer),
                            })
                            .collect()
                    }),
                    ports: r.get_some("ports").map(|p| {
                        p.as_seq()
                            .unwrap_or_default()
                            .iter()
                            .map(|port| NetworkPolicyPort {
                                protocol: or_default(
                                    self.s_val(port.get("protocol")),
                                    "TCP".into(),
                                ),
                                port: self.port_val(port.get("port")),
                                end_port: self.i_val(port.get("endPort")),
                                loc: self.loc(port),
                            })
                            .collect()
                    }),
                    loc: self.loc(r),
                })
                .collect(),
        )
    }

    // -------------------------------------------------------- config and secrets

    fn secret_object(&mut self, root: &Node, meta: Meta, object: ObjectMeta) -> SecretObject {
        let mut data = BTreeMap::new();
        for field in ["data", "stringData"] {
            let Some(map) = root.get_some(field) else {
                continue;
            };
            for (key, v) in map.entries() {
                let raw = v.as_str().unwrap_or_default().to_string();
                let value = if field == "data" {
                    base64::decode(&raw)
                        .and_then(|b| String::from_utf8(b).ok())
                        .unwrap_or(raw.clone())
                } else {
                    raw.clone()
                };
                let empty = value.trim().is_empty();
                let loc = self.loc(v);
                if !empty && !is_templated(&raw) {
                    self.secrets.push(SecretLiteral {
                        resource: meta.address.clone(),
                        attribute: format!("{field}.{key}"),
                        loc: loc.clone(),
                        why: format!("literal value in a Kubernetes Secret (`{field}`)"),
                        value: Secret::new(value.clone()),
                    });
                }
                data.insert(
                    key.to_string(),
                    SecretEntry {
                        field: field.to_string(),
                        value: Secret::new(value),
                        empty,
                        loc,
                    },
                );
            }
        }
        SecretObject {
            type_: or_default(self.s_val(root.get("type")), "Opaque".into()),
            data,
            immutable: or_default(self.b_val(root.get("immutable")), false),
            meta,
            object,
        }
    }

    fn config_map(&mut self, root: &Node, meta: Meta, object: ObjectMeta) -> ConfigMap {
        let mut data = BTreeMap::new();
        if let Some(map) = root.get_some("data") {
            for (key, v) in map.entries() {
                let loc = self.loc(v);
                let value = match self.s_val(Some(v)) {
                    None => Val::known(MaybeSecret::Text(String::new()), loc.clone()),
                    Some(Val::Known { value, loc }) => {
                        let hits = self.config_secrets(&meta.address, key, &value, v);
                        if hits {
                            Val::known(MaybeSecret::Secret(Secret::new(value)), loc)
                        } else {
                            Val::known(MaybeSecret::Text(value), loc)
                        }
                    }
                    Some(other) => other.map(MaybeSecret::Text),
                };
                data.insert(key.to_string(), ConfigEntry { value, loc });
            }
        }
        ConfigMap {
            binary_data_keys: root
                .get_some("binaryData")
                .map(|b| b.entries().iter().map(|(k, _)| k.to_string()).collect())
                .unwrap_or_default(),
            data,
            meta,
            object,
        }
    }

    /// Records credentials in a ConfigMap entry: the entry itself
    /// (`DB_PASSWORD: ...`) or `key=value` / `key: value` lines of an
    /// embedded config file. True when any was found.
    fn config_secrets(&mut self, address: &str, key: &str, value: &str, node: &Node) -> bool {
        let base = self.loc(node);
        if !value.contains('\n') {
            if let Some(why) = classify(key, value) {
                self.secrets.push(SecretLiteral {
                    resource: address.to_string(),
                    attribute: format!("data.{key}"),
                    loc: base,
                    why: format!("ConfigMap entry: {why}"),
                    value: Secret::new(value),
                });
                return true;
            }
            return false;
        }
        let block = node.as_scalar().is_some_and(|s| {
            matches!(
                s.style,
                crate::yaml::ScalarStyle::Literal | crate::yaml::ScalarStyle::Folded
            )
        });
        let mut found = false;
        for (i, line) in value.lines().enumerate() {
            let l = line.trim();
            if l.starts_with('#') || l.starts_with("//") {
                continue;
            }
            let Some(pos) = l.find(['=', ':']) else {
                continue;
            };
            let (k, v) = (l[..pos].trim(), l[pos + 1..].trim());
            let k = k.strip_prefix("export ").unwrap_or(k);
            let k = k.trim_start_matches(['-', ' ']).trim_matches(['"', '\'']);
            let v = v.trim_end_matches([',', ';']).trim_matches(['"', '\'']);
            if k.is_empty() || v.is_empty() || k.contains(' ') {
                continue;
            }
            let why = classify(k, v).or_else(|| {
                palisade_model::secrets::known_credential_format(v)
                    .map(|label| format!("value has the format of a {label}"))
            });
            if let Some(why) = why {
                let line_no = if block {
                    base.line.saturating_add(u32::try_from(i).unwrap_or(0))
                } else {
                    base.line
                };
                self.secrets.push(SecretLiteral {
                    resource: address.to_string(),
                    attribute: format!("data.{key}[{k}]"),
                    loc: Location::new(self.file.clone(), line_no, line_no),
                    why: format!("ConfigMap file `{key}`: {why}"),
                    value: Secret::new(v),
                });
                found = true;
            }
        }
        found
    }

    fn secret_provider_class(
        &mut self,
        spec: Option<&Node>,
        meta: Meta,
        object: ObjectMeta,
    ) -> SecretProviderClass {
        let params = spec.and_then(|s| s.get_some("parameters"));
        let mut parameters = self.strmap(params);
        parameters.0.remove("objects");
        let mut objects = Vec::new();
        if let Some(o) = params.and_then(|p| p.get_some("objects")) {
            // Usually an embedded YAML string; a real list is accepted too.
            let parsed;
            let list: Option<&Node> = match o.as_str() {
                Some(text) => {
                    parsed = crate::yaml::parse_stream(text);
                    if !parsed.errors.is_empty() {
                        self.note(o.line, "SecretProviderClass parameters.objects is not valid YAML; objects not read");
                    }
                    parsed.docs.first().and_then(|d| d.root.as_ref())
                }
                None => Some(o),
            };
            for item in list.and_then(Node::as_seq).unwrap_or_default() {
                if let Some(name) = Self::text(item.get("objectName")) {
                    objects.push(SecretProviderObject {
                        object_name: name,
                        object_type: Self::text(item.get("objectType")),
                        object_alias: Self::text(item.get("objectAlias")),
                    });
                }
            }
        }
        SecretProviderClass {
            provider: self
                .s_val(spec.and_then(|s| s.get("provider")))
                .unwrap_or_else(|| Val::unknown("provider not written", Some(meta.loc.clone()))),
            objects,
            parameters,
            synced_secrets: spec
                .and_then(|s| s.get_some("secretObjects"))
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(|s| Self::text(s.get("secretName")))
                .collect(),
            meta,
            object,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::ScalarStyle;

    fn plain(s: &str) -> Scalar {
        Scalar {
            text: s.into(),
            style: ScalarStyle::Plain,
        }
    }

    #[test]
    fn ints_and_bools() {
        assert_eq!(parse_int(&plain("8080"), None), Some(8080));
        assert_eq!(parse_int(&plain("0644"), None), Some(420));
        assert_eq!(parse_int(&plain("0x1F"), None), Some(31));
        assert_eq!(parse_int(&plain("-1"), None), Some(-1));
        assert_eq!(parse_int(&plain("1.5"), None), None);
        assert_eq!(parse_int(&plain("http"), None), None);
        assert_eq!(parse_bool(&plain("yes"), None), Some(true));
        assert_eq!(parse_bool(&plain("False"), None), Some(false));
        assert_eq!(parse_bool(&plain("maybe"), None), None);
        let quoted = Scalar {
            text: "true".into(),
            style: ScalarStyle::DoubleQuoted,
        };
        assert_eq!(parse_bool(&quoted, None), None);
        assert_eq!(
            parse_int(&plain("8080"), Some("tag:yaml.org,2002:str")),
            None
        );
    }

    #[test]
    fn templated() {
        assert!(is_templated("{{ .Values.x }}"));
        assert!(is_templated("repo/app:${TAG}"));
        assert!(!is_templated("$(POD_NAME)"));
        assert!(!is_templated("echo $HOME"));
        assert!(!is_templated("price ${ not a var"));
    }
}
