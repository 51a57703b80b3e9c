//! Small helpers shared by rules. Anything more than a few lines that two
//! rules need lives here, so rule files stay about their one concern.

use palisade_model::aws::{Aws, PolicyDoc, SgRule};
use serde_json::Value as Json;

/// `0.0.0.0/0`: every IPv4 address.
pub fn is_world_v4(cidr: &str) -> bool {
    let c = cidr.trim();
    c == "0.0.0.0/0" || c == "0.0.0.0"
}

/// `::/0`: every IPv6 address.
pub fn is_world_v6(cidr: &str) -> bool {
    let c = cidr.trim();
    c == "::/0" || c == "::" || c == "0:0:0:0:0:0:0:0/0"
}

pub fn is_world(cidr: &str) -> bool {
    is_world_v4(cidr) || is_world_v6(cidr)
}

/// The world CIDRs a security group rule admits, if its sources are known.
/// Returns `None` when the CIDR lists are unknown.
pub fn sg_rule_world_sources(rule: &SgRule) -> Option<Vec<&str>> {
    let v4 = rule.cidrs_v4.get()?;
    let v6 = rule.cidrs_v6.get()?;
    Some(
        v4.iter()
            .chain(v6.iter())
            .map(String::as_str)
            .filter(|c| is_world(c))
            .collect(),
    )
}

/// True when the inclusive port range contains `port`.
pub fn range_contains(range: (i64, i64), port: u16) -> bool {
    range.0 <= i64::from(port) && i64::from(port) <= range.1
}

/// True when the range is every port.
pub fn is_all_ports(range: (i64, i64)) -> bool {
    range.0 <= 0 && range.1 >= 65535
}

/// Statements of a policy document (a single object or an array).
pub fn statements(doc: &PolicyDoc) -> Vec<&Json> {
    match doc.get("Statement") {
        Some(Json::Array(a)) => a.iter().collect(),
        Some(s @ Json::Object(_)) => vec![s],
        _ => Vec::new(),
    }
}

/// A policy element that may be a string or an array of strings.
pub fn strings(v: Option<&Json>) -> Vec<&str> {
    match v {
        Some(Json::String(s)) => vec![s.as_str()],
        Some(Json::Array(a)) => a.iter().filter_map(Json::as_str).collect(),
        _ => Vec::new(),
    }
}

pub fn is_allow(stmt: &Json) -> bool {
    stmt.get("Effect").and_then(Json::as_str) == Some("Allow")
}

/// The sentinel adapters put in a policy where a value was unknown.
pub const UNKNOWN_MARKER: &str = "${unknown}";

/// True when any string in the statement is the unknown sentinel.
pub fn has_unknown(v: &Json) -> bool {
    match v {
        Json::String(s) => s.contains(UNKNOWN_MARKER),
        Json::Array(a) => a.iter().any(has_unknown),
        Json::Object(o) => o.values().any(has_unknown),
        _ => false,
    }
}

/// Actions an Allow statement grants with a service-wide or global wildcard
/// (`*`, `s3:*`, `iam:*`).
pub fn wildcard_actions(stmt: &Json) -> Vec<&str> {
    if !is_allow(stmt) {
        return Vec::new();
    }
    let mut out: Vec<&str> = strings(stmt.get("Action"))
        .into_iter()
        .filter(|a| *a == "*" || a.ends_with(":*"))
        .collect();
    if stmt.get("NotAction").is_some() {
        out.push("NotAction");
    }
    out
}

/// True when an Allow statement applies to every resource.
pub fn all_resources(stmt: &Json) -> bool {
    is_allow(stmt)
        && (strings(stmt.get("Resource")).contains(&"*") || stmt.get("NotResource").is_some())
}

/// True when an Allow statement grants every action on every resource.
pub fn is_admin_statement(stmt: &Json) -> bool {
    is_allow(stmt)
        && strings(stmt.get("Action"))
            .iter()
            .any(|a| *a == "*" || *a == "*:*")
        && strings(stmt.get("Resource")).contains(&"*")
}

/// ALB/NLB security policies that allow only TLS 1.2 or newer.
pub fn is_modern_elb_policy(policy: &str) -> bool {
    let p = policy.to_ascii_uppercase();
    // `TLS13-1-0-*` and `TLS13-1-1-*` add TLS 1.3 but still accept 1.0/1.1.
    p.contains("TLS13-1-2")
        || p.contains("TLS13-1-3")
        || p.contains("TLS-1-2")
        || p.contains("FS-1-2")
        || p.contains("PQ-TLS-1-2")
}

/// Engines whose transport encryption is enforced by `rds.force_ssl`.
pub fn is_postgres(engine: &str) -> bool {
    engine.contains("postgres")
}

/// Engines whose transport encryption is enforced by `require_secure_transport`.
pub fn is_mysql_like(engine: &str) -> bool {
    engine.contains("mysql") || engine.contains("mariadb")
}

/// Looks a security group's rules up and returns those that admit the
/// internet on `port` (ingress), with the world CIDRs.
pub fn world_ingress_on<'a>(
    aws: &'a Aws,
    rules: impl Iterator<Item = &'a SgRule>,
    port: u16,
) -> Vec<&'a SgRule> {
    let _ = aws;
    rules
        .filter(|r| r.ingress && r.has_ports() != Some(false))
        .filter(|r| {
            r.port_range()
                .is_some_and(|range| range_contains(range, port))
        })
        .filter(|r| sg_rule_world_sources(r).is_some_and(|w| !w.is_empty()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn world_cidrs() {
        assert!(is_world_v4("0.0.0.0/0"));
        assert!(!is_world_v4("10.0.0.0/8"));
        assert!(is_world_v6("::/0"));
        assert!(!is_world_v6("0.0.0.0/0"));
    }

    #[test]
    fn admin_statements() {
        let s = json!({"Effect":"Allow","Action":"*","Resource":"*"});
        assert!(is_admin_statement(&s));
        let d = json!({"Effect":"Deny","Action":"*","Resource":"*"});
        assert!(!is_admin_statement(&d));
        let doc = json!({"Statement": s});
        assert_eq!(statements(&doc).len(), 1);
    }

    #[test]
    fn elb_policies() {
        assert!(is_modern_elb_policy("ELBSecurityPolicy-TLS13-1-2-2021-06"));
        assert!(!is_modern_elb_policy("ELBSecurityPolicy-2016-08"));
        assert!(!is_modern_elb_policy("ELBSecurityPolicy-TLS13-1-1-2021-06"));
        assert!(!is_modern_elb_policy("ELBSecurityPolicy-FS-2018-06"));
        assert!(is_modern_elb_policy("ELBSecurityPolicy-TLS13-1-3-2021-06"));
        assert!(is_modern_elb_policy("ELBSecurityPolicy-FS-1-2-Res-2020-10"));
    }
}

// ------------------------------------------------ data, keys and identity

use palisade_model::aws::KmsKey;
use palisade_model::{Meta, Ref, Val};

/// The KMS key a link names: the key itself, or the key that an alias of
/// the model targets. `None` when the key is outside the model.
pub fn kms_key_of<'a>(aws: &'a Aws, r: &Ref) -> Option<&'a KmsKey> {
    if let Some(k) = aws.get::<KmsKey>(r) {
        return Some(k);
    }
    let alias = aws.get::<palisade_model::aws::KmsAlias>(r)?;
    aws.get::<KmsKey>(alias.target.get()?)
}

/// True when a key link names an AWS-managed key (`alias/aws/rds`,
/// `arn:aws:kms:...:alias/aws/s3`) rather than a customer-managed one.
pub fn is_aws_managed_key(r: &Ref) -> bool {
    r.key().contains("alias/aws/")
}

/// IAM-style wildcard match (`*` any run, `?` one character), case-insensitive
/// as action names are.
pub fn iam_glob(pattern: &str, value: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let v: Vec<char> = value.to_ascii_lowercase().chars().collect();
    let (mut pi, mut vi) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while vi < v.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some(pi);
                mark = vi;
                pi += 1;
            }
            Some(c) if *c == '?' || Some(c) == v.get(vi) => {
                pi += 1;
                vi += 1;
            }
            _ => match star {
                Some(s) => {
                    pi = s + 1;
                    mark += 1;
                    vi = mark;
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}

/// True when a statement's `Action` (or `NotAction`) covers `action`.
pub fn actions_cover(stmt: &Json, action: &str) -> bool {
    if let Some(not) = stmt.get("NotAction") {
        return !strings(Some(not)).iter().any(|p| iam_glob(p, action));
    }
    strings(stmt.get("Action"))
        .iter()
        .any(|p| iam_glob(p, action))
}

/// True when a statement's principal is everyone: `"*"` or `{"AWS": "*"}`.
pub fn principal_is_anyone(stmt: &Json) -> bool {
    match stmt.get("Principal") {
        Some(Json::String(s)) => s == "*",
        Some(Json::Object(o)) => strings(o.get("AWS")).contains(&"*"),
        _ => false,
    }
}

/// True when a statement has a non-empty `Condition`.
pub fn has_condition(stmt: &Json) -> bool {
    match stmt.get("Condition") {
        Some(Json::Object(o)) => !o.is_empty(),
        Some(Json::Null) | None => false,
        Some(_) => true,
    }
}

/// True when a decisive part of a statement (effect, principal, actions,
/// resources) holds the unknown sentinel: such a statement decides nothing.
pub fn statement_undecided(stmt: &Json) -> bool {
    [
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
    ]
    .iter()
    .any(|k| stmt.get(*k).is_some_and(has_unknown))
}

/// True when a policy string may stand for any value, `*` included: it holds
/// the unknown sentinel without naming the resource attribute it replaces
/// (`${unknown}aws_s3_bucket.b.arn` is an ARN, never `*`).
pub fn unknown_may_be_anything(s: &str) -> bool {
    s.contains(UNKNOWN_MARKER)
        && s.strip_prefix(UNKNOWN_MARKER)
            .is_none_or(|rest| rest.is_empty() || !rest.contains('.'))
}

/// A boolean database parameter or condition value: `1`/`on`/`true` or
/// `0`/`off`/`false`; `None` for anything else.
pub fn setting_on(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "on" | "true" => Some(true),
        "0" | "off" | "false" => Some(false),
        _ => None,
    }
}

/// A database that owns its storage, backup and authentication settings: a
/// DB instance that is not an Aurora cluster member, or a DB cluster.
pub struct Db<'a> {
    pub meta: &'a Meta,
    pub cluster: bool,
    pub engine: &'a Val<Option<String>>,
    pub storage_encrypted: &'a Val<bool>,
    pub kms_key: &'a Val<Option<Ref>>,
    pub parameter_group: &'a Val<Option<Ref>>,
    pub backup_retention_days: &'a Val<i64>,
    pub deletion_protection: &'a Val<bool>,
    pub iam_authentication: &'a Val<bool>,
    pub log_exports: &'a Val<Vec<String>>,
    pub managed_master_password: &'a Val<bool>,
    /// Instances only: `None` for clusters.
    pub multi_az: Option<&'a Val<bool>>,
}

impl Db<'_> {
    /// An instance without an engine copies another database (a read replica
    /// or a restore) and inherits its storage encryption and engine.
    pub fn copies_another(&self) -> bool {
        !self.cluster && matches!(self.engine.get(), Some(None))
    }

    /// "DB instance" or "DB cluster", for messages.
    pub fn what(&self) -> &'static str {
        if self.cluster {
            "DB cluster"
        } else {
            "DB instance"
        }
    }
}

/// Standalone DB instances and DB clusters (Aurora members are judged
/// through their cluster).
pub fn databases(aws: &Aws) -> Vec<Db<'_>> {
    let instances = aws
        .db_instances
        .iter()
        .filter(|d| !matches!(d.cluster.get(), Some(Some(_))))
        .map(|d| Db {
            meta: &d.meta,
            cluster: false,
            engine: &d.engine,
            storage_encrypted: &d.storage_encrypted,
            kms_key: &d.kms_key,
            parameter_group: &d.parameter_group,
            backup_retention_days: &d.backup_retention_days,
            deletion_protection: &d.deletion_protection,
            iam_authentication: &d.iam_authentication,
            log_exports: &d.log_exports,
            managed_master_password: &d.managed_master_password,
            multi_az: Some(&d.multi_az),
        });
    let clusters = aws.db_clusters.iter().map(|c| Db {
        meta: &c.meta,
        cluster: true,
        engine: &c.engine,
        storage_encrypted: &c.storage_encrypted,
        kms_key: &c.kms_key,
        parameter_group: &c.parameter_group,
        backup_retention_days: &c.backup_retention_days,
        deletion_protection: &c.deletion_protection,
        iam_authentication: &c.iam_authentication,
        log_exports: &c.log_exports,
        managed_master_password: &c.managed_master_password,
        multi_az: None,
    });
    instances.chain(clusters).collect()
}

#[cfg(test)]
mod data_identity_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn globs() {
        assert!(iam_glob("*", "s3:GetObject"));
        assert!(iam_glob("s3:*", "S3:GetObject"));
        assert!(iam_glob("sts:AssumeRole*", "sts:AssumeRoleWithWebIdentity"));
        assert!(iam_glob("s3:Get?bject", "s3:GetObject"));
        assert!(!iam_glob("s3:Put*", "s3:GetObject"));
        assert!(!iam_glob("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"));
    }

    #[test]
    fn statement_parts() {
        let s = json!({"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"});
        assert!(principal_is_anyone(&s));
        assert!(actions_cover(&s, "kms:Decrypt"));
        assert!(!has_condition(&s));
        assert!(!statement_undecided(&s));
        let n = json!({"Effect":"Allow","NotAction":"iam:*","Resource":"*"});
        assert!(actions_cover(&n, "s3:GetObject"));
        assert!(!actions_cover(&n, "iam:CreateUser"));
        let u = json!({"Effect":"Allow","Principal":{"AWS":"${unknown}"},"Action":"*"});
        assert!(statement_undecided(&u));
        assert!(!principal_is_anyone(&u));
        assert_eq!(setting_on("ON"), Some(true));
        assert_eq!(setting_on("0"), Some(false));
        assert_eq!(setting_on("maybe"), None);
        assert!(unknown_may_be_anything("${unknown}"));
        assert!(!unknown_may_be_anything("${unknown}aws_s3_bucket.b.arn"));
        assert!(!unknown_may_be_anything("arn:aws:s3:::b/*"));
    }

    #[test]
    fn managed_keys() {
        assert!(is_aws_managed_key(&Ref::new("alias/aws/rds")));
        assert!(is_aws_managed_key(&Ref::new(
            "arn:aws:kms:eu-west-1:111122223333:alias/aws/s3"
        )));
        assert!(!is_aws_managed_key(&Ref::new("aws_kms_key.rds")));
        let aws = Aws::default();
        assert!(kms_key_of(&aws, &Ref::new("aws_kms_key.rds")).is_none());
        assert!(databases(&aws).is_empty());
    }
}

// ---------------------------------------------------------------- Kubernetes
//
// Helpers shared by the Kubernetes rules (`src/rules/k8s/`): which workloads
// to check, how to name a container or an RBAC subject, RBAC role lookup,
// container image references, and the AWS Load Balancer Controller's
// Ingress annotations.

/// Namespaces Kubernetes itself creates and manages. Rules about tenant
/// namespaces (default deny, Pod Security Admission labels) skip them.
pub const K8S_SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

/// True for `kube-system`, `kube-public` and `kube-node-lease`.
pub fn is_k8s_system_namespace(ns: &str) -> bool {
    K8S_SYSTEM_NAMESPACES.contains(&ns)
}

/// The workloads to check: every workload except those whose controller
/// owner (Pod → ReplicaSet → Deployment) is itself among the scanned objects,
/// so an exported Deployment and its Pods are reported once, on the Deployment.
pub fn top_level_workloads(
    k: &palisade_model::k8s::K8s,
) -> impl Iterator<Item = &palisade_model::k8s::Workload> {
    k.workloads.iter().filter(move |w| k.owner_of(w).is_none())
}

/// `container `api``, `init container `migrate`` or `ephemeral container
/// `debug``, for messages.
pub fn container_label(c: &palisade_model::k8s::Container) -> String {
    use palisade_model::k8s::ContainerKind;
    let kind = match c.kind {
        ContainerKind::Init => "init container",
        ContainerKind::Regular => "container",
        ContainerKind::Ephemeral => "ephemeral container",
    };
    format!("{kind} `{}`", c.name)
}

/// `Role` verbs that change objects.
pub const RBAC_WRITE_VERBS: &[&str] = &["create", "update", "patch", "delete", "deletecollection"];

/// The namespace a ServiceAccount subject lives in: its own, else the
/// binding's (RoleBindings only), else `None`.
pub fn subject_namespace<'a>(
    s: &'a palisade_model::k8s::Subject,
    binding_ns: Option<&'a str>,
) -> Option<&'a str> {
    s.namespace.as_deref().or(binding_ns)
}

/// `ServiceAccount shop/default`, `User alice`, `Group dev-team`, for messages.
pub fn subject_label(s: &palisade_model::k8s::Subject, binding_ns: Option<&str>) -> String {
    match (s.kind.as_str(), subject_namespace(s, binding_ns)) {
        ("ServiceAccount", Some(ns)) => format!("ServiceAccount {ns}/{}", s.name),
        (kind, _) => format!("{kind} {}", s.name),
    }
}

/// True for subjects that are part of the cluster itself: service accounts of
/// `kube-system`, `system:`/`eks:` users and groups (the control plane, nodes,
/// `system:masters`). The catch-all groups `system:authenticated`,
/// `system:unauthenticated`, `system:serviceaccounts[:NS]` and the user
/// `system:anonymous` are *not* system subjects: a grant to them is a grant to
/// everyone. A `system:serviceaccount:NS:NAME` user is judged by its namespace.
pub fn is_system_subject(s: &palisade_model::k8s::Subject, binding_ns: Option<&str>) -> bool {
    let name = s.name.as_str();
    match s.kind.as_str() {
        "ServiceAccount" => subject_namespace(s, binding_ns) == Some("kube-system"),
        _ => {
            if let Some(rest) = name.strip_prefix("system:serviceaccount:") {
                return rest.split(':').next() == Some("kube-system");
            }
            let everyone = matches!(
                name,
                "system:authenticated"
                    | "system:unauthenticated"
                    | "system:anonymous"
                    | "system:serviceaccounts"
            ) || name.starts_with("system:serviceaccounts:");
            !everyone && (name.starts_with("system:") || name.starts_with("eks:"))
        }
    }
}

/// True when `s` is the `default` service account of a namespace (as a
/// ServiceAccount subject or as its `system:serviceaccount:NS:default` user).
/// Returns that namespace.
pub fn default_service_account_of<'a>(
    s: &'a palisade_model::k8s::Subject,
    binding_ns: Option<&'a str>,
) -> Option<&'a str> {
    match s.kind.as_str() {
        "ServiceAccount" if s.name == "default" => {
            Some(subject_namespace(s, binding_ns).unwrap_or("default"))
        }
        "User" => {
            let rest = s.name.strip_prefix("system:serviceaccount:")?;
            let (ns, name) = rest.split_once(':')?;
            (name == "default").then_some(ns)
        }
        _ => None,
    }
}

/// What a binding's `roleRef` grants.
#[derive(Debug)]
pub enum RoleGrants<'a> {
    /// The referenced role was scanned: its rules, plus those of scanned
    /// ClusterRoles its `aggregationRule` selects. `complete` is false for
    /// aggregated ClusterRoles (unscanned roles may add rules).
    Rules {
        rules: Vec<&'a palisade_model::k8s::PolicyRule>,
        complete: bool,
    },
    /// A built-in ClusterRole Kubernetes creates: `cluster-admin`, `admin`,
    /// `edit` or `view` (not redefined in the scanned manifests).
    BuiltIn(&'static str),
    /// The role is neither scanned nor built-in: what it grants is unknown.
    NotFound,
}

/// The built-in user-facing ClusterRoles.
pub const BUILTIN_CLUSTER_ROLES: &[&str] = &["cluster-admin", "admin", "edit", "view"];

/// Resolves the role a binding refers to. A RoleBinding's `Role` is looked
/// up in the binding's namespace; a `ClusterRole` among the cluster roles.
pub fn role_grants<'a>(
    k: &'a palisade_model::k8s::K8s,
    b: &'a palisade_model::k8s::RoleBinding,
) -> RoleGrants<'a> {
    let r = &b.role_ref;
    let found = if r.kind == "ClusterRole" {
        k.roles
            .iter()
            .find(|x| x.cluster && x.object.name == r.name)
    } else {
        k.roles
            .iter()
            .find(|x| !x.cluster && x.object.name == r.name && x.object.ns() == b.object.ns())
    };
    match found {
        Some(role) => {
            let mut rules: Vec<&palisade_model::k8s::PolicyRule> = role.rules.iter().collect();
            let mut complete = true;
            if let Some(selectors) = &role.aggregation_rule {
                complete = false;
                for other in k
                    .roles
                    .iter()
                    .filter(|x| x.cluster && !std::ptr::eq(*x, role))
                {
                    if selectors
                        .iter()
                        .any(|s| !s.is_empty() && s.matches(&other.object.labels))
                    {
                        rules.extend(other.rules.iter());
                    }
                }
            }
            RoleGrants::Rules { rules, complete }
        }
        None if r.kind == "ClusterRole" => BUILTIN_CLUSTER_ROLES
            .iter()
            .find(|n| **n == r.name)
            .map_or(RoleGrants::NotFound, |n| RoleGrants::BuiltIn(n)),
        None => RoleGrants::NotFound,
    }
}

/// True for the roles and bindings Kubernetes creates itself (label
/// `kubernetes.io/bootstrapping: rbac-defaults`).
pub fn is_rbac_default(object: &palisade_model::k8s::ObjectMeta) -> bool {
    object.label("kubernetes.io/bootstrapping") == Some("rbac-defaults")
}

/// A container image reference, split as the container runtime reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// The registry host as written (`123.dkr.ecr.eu-west-1.amazonaws.com`,
    /// `localhost:5000`); `None` when implicit (Docker Hub).
    pub registry: Option<&'a str>,
    /// Repository path without registry, tag or digest (`shop/api`).
    pub repository: &'a str,
    pub tag: Option<&'a str>,
    /// `sha256:...` when pinned by digest.
    pub digest: Option<&'a str>,
}

impl ImageRef<'_> {
    /// The registry host, `docker.io` when implicit.
    pub fn registry_host(&self) -> &str {
        self.registry.unwrap_or("docker.io")
    }
}

/// Splits `[registry/]repository[:tag][@digest]`. The first path component is
/// a registry when it contains `.` or `:` or is `localhost` (Docker's rule).
pub fn parse_image(image: &str) -> ImageRef<'_> {
    let image = image.trim();
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    let (registry, rest) = match name.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (Some(first), rest)
        }
        _ => (None, name),
    };
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (repository, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    ImageRef {
        registry,
        repository,
        tag,
        digest,
    }
}

/// Prefix of the AWS Load Balancer Controller's Ingress annotations.
pub const ALB_ANNOTATION_PREFIX: &str = "alb.ingress.kubernetes.io/";

/// Ingress classes of other controllers (an Ingress of one of these is never an ALB).
const NON_ALB_INGRESS_CLASSES: &[&str] = &[
    "nginx",
    "nginx-internal",
    "traefik",
    "haproxy",
    "kong",
    "istio",
    "contour",
    "cilium",
    "gce",
    "gce-internal",
    "azure-application-gateway",
    "ambassador",
    "skipper",
    "apisix",
];

/// Whether the AWS Load Balancer Controller serves this Ingress with an ALB:
/// class `alb` (`spec.ingressClassName` or the legacy annotation), or no
/// class / a custom class together with `alb.ingress.kubernetes.io/*`
/// annotations. `None` when the class is templated.
pub fn is_alb_ingress(ing: &palisade_model::k8s::Ingress) -> Option<bool> {
    if ing.ingress_class_name.is_unknown() {
        return None;
    }
    let legacy = ing.object.annotations.val("kubernetes.io/ingress.class");
    if ing.ingress_class_name.some().is_none()
        && legacy.is_some_and(palisade_model::Val::is_unknown)
    {
        return None;
    }
    let has_alb_annotations = ing
        .object
        .annotations
        .keys()
        .any(|k| k.starts_with(ALB_ANNOTATION_PREFIX));
    Some(match ing.class() {
        Some("alb") => true,
        Some(c) if NON_ALB_INGRESS_CLASSES.contains(&c) => false,
        _ => has_alb_annotations,
    })
}

/// An ALB annotation (`suffix` after `alb.ingress.kubernetes.io/`) that
/// applies to the whole load balancer ("Exclusive" merge behaviour: scheme,
/// wafv2-acl-arn, ssl-redirect, ssl-policy): this Ingress's own value, else
/// the value another Ingress of the same explicit IngressGroup
/// (`group.name`) sets.
pub fn alb_lb_annotation<'a>(
    k: &'a palisade_model::k8s::K8s,
    ing: &'a palisade_model::k8s::Ingress,
    suffix: &str,
) -> Option<&'a palisade_model::Val<String>> {
    let key = format!("{ALB_ANNOTATION_PREFIX}{suffix}");
    if let Some(v) = ing.object.annotations.val(&key) {
        return Some(v);
    }
    let group = ing
        .object
        .annotation(&format!("{ALB_ANNOTATION_PREFIX}group.name"))?;
    k.ingresses
        .iter()
        .filter(|o| !std::ptr::eq(*o, ing))
        .filter(|o| {
            o.object
                .annotation(&format!("{ALB_ANNOTATION_PREFIX}group.name"))
                == Some(group)
        })
        .find_map(|o| o.object.annotations.val(&key))
}

/// The listeners an Ingress's rules are attached to on its ALB.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlbListeners {
    pub http: bool,
    pub https: bool,
    /// Where `listen-ports` was written (`None`: defaulted).
    pub loc: Option<palisade_model::Location>,
}

/// The listeners of an ALB Ingress, as the controller computes them:
/// `listen-ports` when written, else `[{"HTTPS": 443}]` when
/// `certificate-arn` is set and `[{"HTTP": 80}]` otherwise (a `tls` section
/// alone does not create an HTTPS listener). `Err` with the reason and
/// location when the annotation is templated or not valid JSON.
pub fn alb_listeners(
    ing: &palisade_model::k8s::Ingress,
) -> Result<AlbListeners, (String, Option<palisade_model::Location>)> {
    let ports_key = format!("{ALB_ANNOTATION_PREFIX}listen-ports");
    let cert_key = format!("{ALB_ANNOTATION_PREFIX}certificate-arn");
    match ing.object.annotations.val(&ports_key) {
        Some(v) => {
            let loc = v.loc().cloned();
            let Some(text) = v.get() else {
                return Err(("listen-ports is templated".into(), loc));
            };
            let parsed: Result<Vec<std::collections::BTreeMap<String, serde_json::Value>>, _> =
                serde_json::from_str(text);
            let Ok(entries) = parsed else {
                return Err((
                    "listen-ports is not a JSON list of {\"PROTOCOL\": port}".into(),
                    loc,
                ));
            };
            let has = |p: &str| {
                entries
                    .iter()
                    .any(|e| e.keys().any(|k| k.eq_ignore_ascii_case(p)))
            };
            Ok(AlbListeners {
                http: has("HTTP"),
                https: has("HTTPS"),
                loc,
            })
        }
        None => match ing.object.annotations.val(&cert_key) {
            Some(c) if c.is_unknown() => {
                Err(("certificate-arn is templated".into(), c.loc().cloned()))
            }
            Some(c) if c.get().is_some_and(|s| !s.trim().is_empty()) => Ok(AlbListeners {
                http: false,
                https: true,
                loc: None,
            }),
            _ => Ok(AlbListeners {
                http: true,
                https: false,
                loc: None,
            }),
        },
    }
}

#[cfg(test)]
mod k8s_helper_tests {
    use super::testkit::*;
    use super::*;
    use palisade_model::k8s::*;

    #[test]
    fn images_split_like_the_runtime() {
        let i = parse_image("shop/api:latest");
        assert_eq!(
            (i.registry, i.repository, i.tag, i.digest),
            (None, "shop/api", Some("latest"), None)
        );
        assert_eq!(i.registry_host(), "docker.io");
        let i = parse_image("localhost:5000/app");
        assert_eq!(
            (i.registry, i.repository, i.tag),
            (Some("localhost:5000"), "app", None)
        );
        let i = parse_image("1.dkr.ecr.eu-west-1.amazonaws.com/shop/api:1.2@sha256:ab");
        assert_eq!(i.registry, Some("1.dkr.ecr.eu-west-1.amazonaws.com"));
        assert_eq!(
            (i.repository, i.tag, i.digest),
            ("shop/api", Some("1.2"), Some("sha256:ab"))
        );
        assert_eq!(parse_image("nginx").tag, None);
    }

    fn subject(kind: &str, name: &str, ns: Option<&str>) -> Subject {
        Subject {
            kind: kind.into(),
            name: name.into(),
            namespace: ns.map(Into::into),
            api_group: None,
            loc: loc(1),
        }
    }

    #[test]
    fn system_subjects() {
        assert!(is_system_subject(
            &subject("ServiceAccount", "x", Some("kube-system")),
            None
        ));
        assert!(!is_system_subject(
            &subject("ServiceAccount", "x", None),
            Some("shop")
        ));
        assert!(is_system_subject(
            &subject("Group", "system:masters", None),
            None
        ));
        assert!(is_system_subject(
            &subject("User", "eks:node-manager", None),
            None
        ));
        assert!(!is_system_subject(
            &subject("Group", "system:authenticated", None),
            None
        ));
        assert!(!is_system_subject(
            &subject("Group", "system:serviceaccounts:shop", None),
            None
        ));
        assert!(!is_system_subject(
            &subject("User", "system:serviceaccount:shop:api", None),
            None
        ));
        assert!(!is_system_subject(
            &subject("Group", "dev-team", None),
            None
        ));
        assert_eq!(
            default_service_account_of(
                &subject("User", "system:serviceaccount:shop:default", None),
                None
            ),
            Some("shop")
        );
        assert_eq!(
            default_service_account_of(&subject("ServiceAccount", "default", None), Some("a")),
            Some("a")
        );
        assert_eq!(
            subject_label(&subject("ServiceAccount", "api", None), Some("a")),
            "ServiceAccount a/api"
        );
    }

    #[test]
    fn roles_resolve_scanned_builtin_and_aggregated() {
        let mut k = K8s::default();
        let mut agg = role("ClusterRole", None, "agg", vec![]);
        agg.aggregation_rule = Some(vec![LabelSelector::from_labels([("x", "y")])]);
        let mut part = role(
            "ClusterRole",
            None,
            "part",
            vec![policy_rule(&[""], &["secrets"], &["get"])],
        );
        part.object
            .labels
            .insert("x", palisade_model::Val::known("y".to_string(), loc(1)));
        k.roles.push(agg);
        k.roles.push(part);
        let b = binding(
            "ClusterRoleBinding",
            None,
            "b",
            "ClusterRole",
            "agg",
            vec![],
        );
        match role_grants(&k, &b) {
            RoleGrants::Rules { rules, complete } => {
                assert_eq!(rules.len(), 1);
                assert!(!complete);
            }
            other => panic!("{other:?}"),
        }
        let b = binding(
            "ClusterRoleBinding",
            None,
            "b",
            "ClusterRole",
            "edit",
            vec![],
        );
        assert!(matches!(role_grants(&k, &b), RoleGrants::BuiltIn("edit")));
        let b = binding("RoleBinding", Some("shop"), "b", "Role", "agg", vec![]);
        assert!(matches!(role_grants(&k, &b), RoleGrants::NotFound));
    }

    #[test]
    fn alb_listeners_follow_the_controller_defaults() {
        let mut ing = ingress("shop", "web");
        assert_eq!(
            alb_listeners(&ing).map(|l| (l.http, l.https)),
            Ok((true, false))
        );
        annotate(
            &mut ing.object,
            "alb.ingress.kubernetes.io/certificate-arn",
            "arn:aws:acm:x",
        );
        assert_eq!(
            alb_listeners(&ing).map(|l| (l.http, l.https)),
            Ok((false, true))
        );
        annotate(
            &mut ing.object,
            "alb.ingress.kubernetes.io/listen-ports",
            r#"[{"HTTP": 80}, {"HTTPS": 443}]"#,
        );
        assert_eq!(
            alb_listeners(&ing).map(|l| (l.http, l.https)),
            Ok((true, true))
        );
        annotate(
            &mut ing.object,
            "alb.ingress.kubernetes.io/listen-ports",
            "nonsense",
        );
        assert!(alb_listeners(&ing).is_err());
        assert_eq!(is_alb_ingress(&ing), Some(true));
    }
}

/// Builders for small hand-made Kubernetes models in unit tests.
#[cfg(test)]
pub(crate) mod testkit {
    use palisade_model::k8s::*;
    use palisade_model::{Location, Meta, Val};

    pub fn loc(line: u32) -> Location {
        Location::new("test.yaml", line, line)
    }

    pub fn object(name: &str, ns: Option<&str>) -> ObjectMeta {
        ObjectMeta {
            api_version: "v1".into(),
            name: name.into(),
            namespace: ns.map(|n| Val::known(n.to_string(), loc(3))),
            labels: StrMap::new(),
            annotations: StrMap::new(),
            owner_references: Vec::new(),
        }
    }

    pub fn meta(kind: &str, ns: Option<&str>, name: &str) -> Meta {
        Meta::new(address(kind, ns, name), kind, loc(1))
    }

    pub fn annotate(o: &mut ObjectMeta, key: &str, value: &str) {
        o.annotations
            .insert(key, Val::known(value.to_string(), loc(5)));
    }

    pub fn container(name: &str, image: &str) -> Container {
        Container {
            name: name.into(),
            kind: ContainerKind::Regular,
            image: Val::known(Some(image.to_string()), loc(10)),
            image_pull_policy: Val::default_(None),
            ports: Vec::new(),
            env: Vec::new(),
            env_from: Vec::new(),
            volume_mounts: Vec::new(),
            security_context: SecurityContext {
                privileged: Val::default_(false),
                allow_privilege_escalation: Val::default_(None),
                run_as_non_root: Val::default_(None),
                run_as_user: Val::default_(None),
                run_as_group: Val::default_(None),
                read_only_root_filesystem: Val::default_(false),
                capabilities_add: Val::default_(Vec::new()),
                capabilities_drop: Val::default_(Vec::new()),
                seccomp_profile: Val::default_(None),
                proc_mount: Val::default_(None),
                loc: None,
            },
            loc: loc(9),
        }
    }

    pub fn workload(ns: &str, name: &str, containers: Vec<Container>) -> Workload {
        Workload {
            meta: meta("Deployment", Some(ns), name),
            object: object(name, Some(ns)),
            kind: WorkloadKind::Deployment,
            replicas: Some(Val::default_(1)),
            selector: None,
            template: PodTemplate {
                labels: StrMap::new(),
                annotations: StrMap::new(),
                spec: PodSpec {
                    service_account_name: Val::default_("default".to_string()),
                    automount_service_account_token: Val::default_(None),
                    host_network: Val::default_(false),
                    host_pid: Val::default_(false),
                    host_ipc: Val::default_(false),
                    host_users: Val::default_(None),
                    share_process_namespace: Val::default_(false),
                    security_context: PodSecurityContext {
                        run_as_non_root: Val::default_(None),
                        run_as_user: Val::default_(None),
                        run_as_group: Val::default_(None),
                        fs_group: Val::default_(None),
                        seccomp_profile: Val::default_(None),
                        sysctls: Vec::new(),
                        loc: None,
                    },
                    volumes: Vec::new(),
                    init_containers: Vec::new(),
                    containers,
                    ephemeral_containers: Vec::new(),
                    image_pull_secrets: Vec::new(),
                    node_selector: None,
                    loc: loc(7),
                },
                loc: loc(6),
            },
        }
    }

    pub fn policy_rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> PolicyRule {
        let v = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
        PolicyRule {
            api_groups: v(groups),
            resources: v(resources),
            resource_names: Vec::new(),
            verbs: v(verbs),
            non_resource_urls: Vec::new(),
            loc: loc(12),
        }
    }

    pub fn role(kind: &str, ns: Option<&str>, name: &str, rules: Vec<PolicyRule>) -> Role {
        Role {
            meta: meta(kind, ns, name),
            object: object(name, ns),
            cluster: kind == "ClusterRole",
            rules,
            aggregation_rule: None,
        }
    }

    pub fn binding(
        kind: &str,
        ns: Option<&str>,
        name: &str,
        role_kind: &str,
        role: &str,
        subjects: Vec<Subject>,
    ) -> RoleBinding {
        RoleBinding {
            meta: meta(kind, ns, name),
            object: object(name, ns),
            cluster: kind == "ClusterRoleBinding",
            role_ref: RoleRef {
                api_group: "rbac.authorization.k8s.io".into(),
                kind: role_kind.into(),
                name: role.into(),
                loc: loc(20),
            },
            subjects,
        }
    }

    pub fn ingress(ns: &str, name: &str) -> Ingress {
        Ingress {
            meta: meta("Ingress", Some(ns), name),
            object: object(name, Some(ns)),
            ingress_class_name: Val::known(Some("alb".to_string()), loc(8)),
            default_backend: None,
            tls: Vec::new(),
            rules: Vec::new(),
        }
    }
}

// ------------------------------------- network topology and edge (NET/TLS/EDGE)

/// How a subnet reaches outside its VPC (its route table's routes to
/// internet and NAT gateways), or why that cannot be decided: an unknown
/// link, or a route table outside the scanned input.
pub fn egress_of(
    aws: &Aws,
    subnet: &palisade_model::aws::Subnet,
) -> Result<palisade_model::aws::SubnetEgress, String> {
    use palisade_model::aws::Lookup;
    match aws.subnet_egress(subnet) {
        Lookup::Found(e) => Ok(e),
        Lookup::ImplicitMain => Ok(palisade_model::aws::SubnetEgress::default()),
        Lookup::Outside(reason) | Lookup::Unknown(reason) => Err(reason),
    }
}

/// The subnets of the model that `refs` name; links to subnets outside the
/// scanned input are skipped (nothing can be said about them).
pub fn subnets_named<'a>(
    aws: &'a Aws,
    refs: &'a [palisade_model::Ref],
) -> impl Iterator<Item = &'a palisade_model::aws::Subnet> + 'a {
    refs.iter()
        .filter_map(move |r| aws.get::<palisade_model::aws::Subnet>(r))
}

/// A VPC link in a comparable form: the VPC's address when it is in the
/// model, the link's key otherwise.
pub fn vpc_key(aws: &Aws, r: &palisade_model::Ref) -> String {
    aws.get::<palisade_model::aws::Vpc>(r)
        .map_or_else(|| r.key().to_owned(), |v| v.meta.address.clone())
}

/// True for an Application Load Balancer's type name.
pub fn is_application_lb(lb_type: &str) -> bool {
    lb_type.eq_ignore_ascii_case("application")
}

/// The ingress rules of the security groups `groups` (those in the model)
/// that admit the internet on `port` (or on any port when `None`), with
/// the group and the world CIDRs; and the ingress rules whose ports or
/// sources are unknown, which might.
#[derive(Default)]
pub struct WorldIngress<'a> {
    pub open: Vec<(
        &'a palisade_model::aws::SecurityGroup,
        &'a SgRule,
        Vec<&'a str>,
    )>,
    pub undecided: Vec<&'a SgRule>,
}

pub fn world_ingress_of_groups<'a>(
    aws: &'a Aws,
    groups: &'a [palisade_model::Ref],
    port: Option<u16>,
) -> WorldIngress<'a> {
    let mut out = WorldIngress::default();
    for g in groups {
        let Some(sg) = aws.get::<palisade_model::aws::SecurityGroup>(g) else {
            continue;
        };
        // ICMP and other protocols without ports reach no service.
        for rule in aws
            .sg_rules_of(sg)
            .filter(|r| r.ingress && r.has_ports() != Some(false))
        {
            let (Some(range), Some(world)) = (rule.port_range(), sg_rule_world_sources(rule))
            else {
                out.undecided.push(rule);
                continue;
            };
            if !world.is_empty() && port.is_none_or(|p| range_contains(range, p)) {
                out.open.push((sg, rule, world));
            }
        }
    }
    out
}

#[cfg(test)]
mod topology_tests {
    use super::*;

    #[test]
    fn lb_types_and_empty_models() {
        assert!(is_application_lb("Application"));
        assert!(!is_application_lb("network"));
        let aws = Aws::default();
        let refs = vec![palisade_model::Ref::new("aws_subnet.a")];
        assert_eq!(subnets_named(&aws, &refs).count(), 0);
        assert_eq!(vpc_key(&aws, &palisade_model::Ref::new("vpc-1")), "vpc-1");
        let w = world_ingress_of_groups(&aws, &refs, Some(22));
        assert!(w.open.is_empty() && w.undecided.is_empty());
    }
}

/// `all ports` / `all TCP ports` when a NetworkPolicy rule opens every port
/// (no `ports`, or a port entry without a number), else `None`.
pub fn netpol_all_ports(rule: &palisade_model::k8s::NetworkPolicyRule) -> Option<String> {
    if rule.allows_all_ports() {
        return Some("all ports".into());
    }
    let open: Vec<&str> = rule
        .ports
        .iter()
        .flatten()
        .filter(|p| p.port.is_none())
        .filter_map(|p| p.protocol.get().map(String::as_str))
        .collect();
    (!open.is_empty()).then(|| format!("all {} ports", open.join("/")))
}

/// How much of the network a NetworkPolicy peer names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeerScope {
    /// The whole internet (`0.0.0.0/0`, `::/0`) or every pod of every
    /// namespace; the text says which.
    Everything(String),
    Narrow,
    /// Part of the peer is templated.
    Unknown(&'static str),
}

/// Whether a peer is `0.0.0.0/0`/`::/0` (exceptions aside) or every pod of
/// every namespace (`namespaceSelector: {}` with no or an empty pod selector).
pub fn netpol_peer_scope(peer: &palisade_model::k8s::NetworkPolicyPeer) -> PeerScope {
    if let Some(block) = &peer.ip_block {
        return match block.cidr.get() {
            None => PeerScope::Unknown("ipBlock cidr is templated"),
            Some(c) if is_world(c) && block.except.is_empty() => PeerScope::Everything(c.clone()),
            Some(c) if is_world(c) => PeerScope::Everything(format!("{c} (minus its exceptions)")),
            Some(_) => PeerScope::Narrow,
        };
    }
    if let Some(ns) = &peer.namespace_selector {
        let pods = peer.pod_selector.as_ref();
        if !ns.is_decidable() || pods.is_some_and(|s| !s.is_decidable()) {
            return PeerScope::Unknown("a peer selector is templated");
        }
        if ns.is_empty() && pods.is_none_or(palisade_model::k8s::LabelSelector::is_empty) {
            return PeerScope::Everything("every pod of every namespace".into());
        }
    }
    PeerScope::Narrow
}
