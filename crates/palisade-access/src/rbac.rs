//! Kubernetes RBAC: who can do what to which object.
//!
//! * A `RoleBinding` grants its role's rules in its own namespace (a
//!   `ClusterRole` bound by a `RoleBinding` too); a `ClusterRoleBinding`
//!   grants cluster-wide. A `RoleBinding` cannot grant cluster-scoped kinds.
//! * A `ClusterRole` with an `aggregationRule` gets the rules of every
//!   `ClusterRole` whose labels match one of its selectors (as the
//!   controller does, to a fixpoint).
//! * A rule with `resourceNames` applies only to the named objects.
//! * Subjects: `User`, `Group`, `ServiceAccount` (its namespace defaults to
//!   the binding's). The groups `system:serviceaccounts:NS`,
//!   `system:serviceaccounts` and `system:authenticated` stand for every
//!   service account of NS / of the cluster / everyone authenticated; users
//!   named `system:serviceaccount:NS:NAME` are service accounts.
//! * Built-in ClusterRoles referenced but not scanned (`cluster-admin`,
//!   `admin`, `edit`, `view`) are represented by their main rules (noted).

use crate::workloads::SaRef;
use palisade_model::k8s::{PolicyRule, Role, RoleBinding, Subject};
use palisade_model::{Location, Model};
use serde::Serialize;
use std::collections::BTreeSet;

/// One RBAC rule, owned.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rule {
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resource_names: Vec<String>,
    pub verbs: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub non_resource_urls: Vec<String>,
    /// The role that declares it (for aggregated rules, the source role).
    pub role: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loc: Option<Location>,
}

fn any(list: &[String], x: &str) -> bool {
    list.iter().any(|v| v == "*" || v == x)
}

impl Rule {
    fn from_model(r: &PolicyRule, role: &str) -> Rule {
        Rule {
            api_groups: r.api_groups.clone(),
            resources: r.resources.clone(),
            resource_names: r.resource_names.clone(),
            verbs: r.verbs.clone(),
            non_resource_urls: r.non_resource_urls.clone(),
            role: role.to_string(),
            loc: Some(r.loc.clone()),
        }
    }

    /// Grants `verb` on `resource` of `group`, for the object `name` when given
    /// (`resourceNames` honoured: a rule naming objects grants nothing on
    /// requests without a name, such as `list`).
    pub fn grants(&self, group: &str, resource: &str, verb: &str, name: Option<&str>) -> bool {
        let names_ok = self.resource_names.is_empty()
            || name.is_some_and(|n| self.resource_names.iter().any(|x| x == n));
        any(&self.api_groups, group)
            && (any(&self.resources, resource) || self.resources.iter().any(|r| r == "*/*"))
            && any(&self.verbs, verb)
            && names_ok
    }

    pub fn has_wildcard(&self) -> bool {
        [&self.api_groups, &self.resources, &self.verbs]
            .iter()
            .any(|l| l.iter().any(|v| v == "*"))
    }

    /// `resources` `verbs` in one line.
    pub fn describe(&self) -> String {
        let names = if self.resource_names.is_empty() {
            String::new()
        } else {
            format!(" (names {})", self.resource_names.join(","))
        };
        format!(
            "{} on {}{names}",
            self.verbs.join(","),
            self.resources.join(",")
        )
    }
}

fn builtin(name: &str, loc: &Location) -> Option<Vec<Rule>> {
    let rule = |groups: &[&str], resources: &[&str], verbs: &[&str]| Rule {
        api_groups: groups.iter().map(|s| s.to_string()).collect(),
        resources: resources.iter().map(|s| s.to_string()).collect(),
        resource_names: Vec::new(),
        verbs: verbs.iter().map(|s| s.to_string()).collect(),
        non_resource_urls: Vec::new(),
        role: format!("ClusterRole/{name} (built-in)"),
        loc: Some(loc.clone()),
    };
    let core = &[
        "",
        "apps",
        "batch",
        "autoscaling",
        "networking.k8s.io",
        "policy",
    ];
    let rw = &[
        "create",
        "delete",
        "deletecollection",
        "get",
        "list",
        "patch",
        "update",
        "watch",
    ];
    Some(match name {
        "cluster-admin" => vec![rule(&["*"], &["*"], &["*"])],
        "admin" => vec![
            rule(core, &["*"], &["*"]),
            rule(
                &["rbac.authorization.k8s.io"],
                &["roles", "rolebindings"],
                &["*"],
            ),
        ],
        "edit" => vec![rule(core, &["*"], rw)],
        "view" => vec![rule(
            core,
            &[
                "pods",
                "services",
                "configmaps",
                "deployments",
                "replicasets",
                "statefulsets",
                "daemonsets",
                "jobs",
                "cronjobs",
                "ingresses",
                "networkpolicies",
                "serviceaccounts",
            ],
            &["get", "list", "watch"],
        )],
        _ => return None,
    })
}

/// A role with its effective rules.
#[derive(Clone, Debug)]
pub struct EffectiveRole {
    pub address: String,
    pub cluster: bool,
    pub namespace: Option<String>,
    pub name: String,
    pub rules: Vec<Rule>,
}

/// Where a binding grants.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "type", content = "namespace", rename_all = "snake_case")]
pub enum Scope {
    Cluster,
    Namespace(String),
}

impl Scope {
    pub fn covers(&self, namespace: Option<&str>) -> bool {
        match (self, namespace) {
            (Scope::Cluster, _) => true,
            (Scope::Namespace(n), Some(x)) => n == x,
            (Scope::Namespace(_), None) => false,
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scope::Cluster => f.write_str("cluster-wide"),
            Scope::Namespace(n) => write!(f, "in namespace {n}"),
        }
    }
}

/// A subject of a binding, as written.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SubjectRef {
    pub kind: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

impl SubjectRef {
    fn from_model(s: &Subject, binding_ns: Option<&str>) -> SubjectRef {
        let namespace = match s.kind.as_str() {
            "ServiceAccount" => s
                .namespace
                .clone()
                .or(binding_ns.map(str::to_string))
                .or(Some("default".into())),
            _ => None,
        };
        SubjectRef {
            kind: s.kind.clone(),
            name: s.name.clone(),
            namespace,
        }
    }

    /// The service account this subject is, if it is one.
    pub fn service_account(&self) -> Option<SaRef> {
        match self.kind.as_str() {
            "ServiceAccount" => Some(SaRef::new(
                self.namespace.as_deref().unwrap_or("default"),
                &self.name,
            )),
            "User" => SaRef::parse(&self.name),
            _ => None,
        }
    }

    /// Whether the subject includes service account `sa`.
    pub fn includes(&self, sa: &SaRef) -> bool {
        if self.service_account().as_ref() == Some(sa) {
            return true;
        }
        self.kind == "Group"
            && (self.name == "system:serviceaccounts"
                || self.name == "system:authenticated"
                || self.name == format!("system:serviceaccounts:{}", sa.namespace))
    }

    /// The namespace a subject belongs to (service accounts and their groups).
    pub fn home_namespace(&self) -> Option<&str> {
        match self.kind.as_str() {
            "ServiceAccount" => self.namespace.as_deref(),
            "Group" => self.name.strip_prefix("system:serviceaccounts:"),
            "User" => self
                .name
                .strip_prefix("system:serviceaccount:")
                .and_then(|r| r.split(':').next()),
            _ => None,
        }
    }

    pub fn display(&self) -> String {
        match (&self.kind[..], &self.namespace) {
            ("ServiceAccount", Some(ns)) => format!("ServiceAccount/{ns}/{}", self.name),
            _ => format!("{}/{}", self.kind, self.name),
        }
    }
}

/// One subject allowed one verb through one binding and rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct K8sGrant {
    pub subject: SubjectRef,
    pub verb: String,
    pub scope: Scope,
    pub binding: String,
    pub binding_loc: Location,
    pub role: String,
    pub rule: Rule,
    /// Known service accounts the subject stands for (groups expanded).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub service_accounts: Vec<SaRef>,
    /// The role is a built-in one represented by its main rules.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub approximate: bool,
}

/// A binding with its resolved role.
#[derive(Clone, Debug)]
pub struct ResolvedBinding<'m> {
    pub binding: &'m RoleBinding,
    pub scope: Scope,
    pub role: Option<EffectiveRole>,
    pub subjects: Vec<SubjectRef>,
    pub builtin: bool,
}

/// RBAC of the scanned manifests.
#[derive(Clone, Debug)]
pub struct Rbac<'m> {
    pub roles: Vec<EffectiveRole>,
    pub bindings: Vec<ResolvedBinding<'m>>,
    /// Known service accounts (to expand groups).
    pub service_accounts: Vec<SaRef>,
}

fn effective_roles(roles: &[Role]) -> Vec<EffectiveRole> {
    let mut out: Vec<EffectiveRole> = roles
        .iter()
        .map(|r| EffectiveRole {
            address: r.meta.address.clone(),
            cluster: r.cluster,
            namespace: r.object.ns().map(str::to_string),
            name: r.object.name.clone(),
            rules: r
                .rules
                .iter()
                .map(|x| Rule::from_model(x, &r.meta.address))
                .collect(),
        })
        .collect();
    // Aggregation, to a fixpoint (bounded).
    for _ in 0..8 {
        let mut changed = false;
        for (i, r) in roles.iter().enumerate() {
            let Some(selectors) = r.aggregation_rule.as_ref().filter(|_| r.cluster) else {
                continue;
            };
            let mut extra = Vec::new();
            for (j, other) in roles.iter().enumerate() {
                if i == j || !other.cluster {
                    continue;
                }
                if selectors.iter().any(|s| s.matches(&other.object.labels)) {
                    if let Some(o) = out.get(j) {
                        extra.extend(o.rules.iter().cloned());
                    }
                }
            }
            if let Some(target) = out.get_mut(i) {
                for rule in extra {
                    if !target.rules.contains(&rule) {
                        target.rules.push(rule);
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    out
}

impl<'m> Rbac<'m> {
    pub fn new(model: &'m Model, service_accounts: Vec<SaRef>) -> Rbac<'m> {
        let roles = effective_roles(&model.k8s.roles);
        let mut bindings = Vec::new();
        for b in &model.k8s.role_bindings {
            let ns = b.object.ns();
            let scope = if b.cluster {
                Scope::Cluster
            } else {
                Scope::Namespace(ns.unwrap_or("default").to_string())
            };
            let found = roles.iter().find(|r| {
                r.name == b.role_ref.name
                    && match b.role_ref.kind.as_str() {
                        "ClusterRole" => r.cluster,
                        _ => !r.cluster && r.namespace.as_deref() == ns && !b.cluster,
                    }
            });
            let (role, builtin) = match found {
                Some(r) => (Some(r.clone()), false),
                None if b.role_ref.kind == "ClusterRole" => {
                    match builtin(&b.role_ref.name, &b.role_ref.loc) {
                        Some(rules) => (
                            Some(EffectiveRole {
                                address: format!("ClusterRole/{} (built-in)", b.role_ref.name),
                                cluster: true,
                                namespace: None,
                                name: b.role_ref.name.clone(),
                                rules,
                            }),
                            true,
                        ),
                        None => (None, false),
                    }
                }
                None => (None, false),
            };
            bindings.push(ResolvedBinding {
                binding: b,
                scope,
                role,
                subjects: b
                    .subjects
                    .iter()
                    .map(|s| SubjectRef::from_model(s, ns))
                    .collect(),
                builtin,
            });
        }
        Rbac {
            roles,
            bindings,
            service_accounts,
        }
    }

    fn members(&self, s: &SubjectRef) -> Vec<SaRef> {
        self.service_accounts
            .iter()
            .filter(|sa| s.includes(sa))
            .cloned()
            .collect()
    }

    /// Every subject that may `verb` `resource` (of API `group`) named `name`
    /// in `namespace` (`None` for cluster-scoped kinds).
    pub fn who_can(
        &self,
        group: &str,
        resource: &str,
        namespace: Option<&str>,
        name: Option<&str>,
        verbs: &[&str],
    ) -> Vec<K8sGrant> {
        let mut out = Vec::new();
        for b in &self.bindings {
            let Some(role) = &b.role else { continue };
            if !b.scope.covers(namespace) {
                continue;
            }
            for verb in verbs {
                for rule in role
                    .rules
                    .iter()
                    .filter(|r| r.grants(group, resource, verb, name))
                {
                    for s in &b.subjects {
                        out.push(K8sGrant {
                            subject: s.clone(),
                            verb: verb.to_string(),
                            scope: b.scope.clone(),
                            binding: b.binding.meta.address.clone(),
                            binding_loc: b.binding.meta.loc.clone(),
                            role: role.address.clone(),
                            rule: rule.clone(),
                            service_accounts: self.members(s),
                            approximate: b.builtin,
                        });
                    }
                }
            }
        }
        out
    }

    /// Every grant that applies to service account `sa`.
    pub fn grants_of(&self, sa: &SaRef) -> Vec<(&ResolvedBinding<'m>, &SubjectRef)> {
        let mut out = Vec::new();
        for b in &self.bindings {
            for s in &b.subjects {
                if s.includes(sa) {
                    out.push((b, s));
                }
            }
        }
        out
    }
}

/// What an RBAC finding is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RbacIssue {
    /// A ClusterRoleBinding grants reading Secrets in every namespace.
    ClusterWideSecretRead,
    /// A bound rule uses `*` in verbs, resources or API groups.
    Wildcard,
    /// A bound rule grants `escalate`, `bind` or `impersonate`.
    Escalation,
    /// A binding's subject is a namespace's `default` service account.
    DefaultServiceAccount,
}

/// One RBAC finding.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RbacFinding {
    pub issue: RbacIssue,
    pub binding: String,
    pub loc: Location,
    pub message: String,
}

const READ: &[&str] = &["get", "list", "watch"];

/// Findings on the bindings of the manifests.
pub fn findings(rbac: &Rbac) -> Vec<RbacFinding> {
    let mut out = Vec::new();
    for b in &rbac.bindings {
        let Some(role) = &b.role else { continue };
        let who: Vec<String> = b.subjects.iter().map(SubjectRef::display).collect();
        let who = who.join(", ");
        let addr = &b.binding.meta.address;
        let role_loc = |r: &Rule| r.loc.clone().unwrap_or_else(|| b.binding.meta.loc.clone());
        if b.scope == Scope::Cluster {
            if let Some(r) = role
                .rules
                .iter()
                .find(|r| READ.iter().any(|v| r.grants("", "secrets", v, None)))
            {
                out.push(RbacFinding {
                    issue: RbacIssue::ClusterWideSecretRead,
                    binding: addr.clone(),
                    loc: b.binding.role_ref.loc.clone(),
                    message: format!(
                        "{addr} lets {who} read Secrets in every namespace ({} grants {})",
                        role.address,
                        r.describe()
                    ),
                });
            }
        }
        for r in &role.rules {
            if r.has_wildcard() {
                out.push(RbacFinding {
                    issue: RbacIssue::Wildcard,
                    binding: addr.clone(),
                    loc: role_loc(r),
                    message: format!(
                        "{} grants {} {} to {who} through {addr}",
                        role.address,
                        r.describe(),
                        b.scope
                    ),
                });
            }
            let dangerous: Vec<&str> = ["escalate", "bind", "impersonate"]
                .into_iter()
                .filter(|v| r.verbs.iter().any(|x| x == v))
                .collect();
            if !dangerous.is_empty() {
                out.push(RbacFinding {
                    issue: RbacIssue::Escalation,
                    binding: addr.clone(),
                    loc: role_loc(r),
                    message: format!(
                        "{} grants {} ({}) to {who} through {addr}: a subject can raise its own privileges",
                        role.address,
                        dangerous.join(", "),
                        r.describe()
                    ),
                });
            }
        }
        for (s, raw) in b.subjects.iter().zip(&b.binding.subjects) {
            if s.kind == "ServiceAccount" && s.name == "default" {
                out.push(RbacFinding {
                    issue: RbacIssue::DefaultServiceAccount,
                    binding: addr.clone(),
                    loc: raw.loc.clone(),
                    message: format!(
                        "{addr} binds {} to {}: every pod of the namespace without its own \
                         service account gets these permissions",
                        role.address,
                        s.display()
                    ),
                });
            }
        }
    }
    out
}

/// Subjects that can read Secrets of namespace `ns` from outside it:
/// cluster-wide grants, and service accounts (or their groups) of other
/// namespaces bound in `ns`.
pub fn outside_secret_readers(rbac: &Rbac, ns: &str) -> Vec<K8sGrant> {
    rbac.who_can("", "secrets", Some(ns), None, READ)
        .into_iter()
        .filter(|g| match g.subject.home_namespace() {
            Some(home) => home != ns,
            None => {
                g.scope == Scope::Cluster
                    || (g.subject.kind == "Group"
                        && matches!(
                            g.subject.name.as_str(),
                            "system:serviceaccounts"
                                | "system:authenticated"
                                | "system:unauthenticated"
                        ))
            }
        })
        .collect()
}

/// The API group and plural resource of a Kubernetes kind.
pub fn resource_of(kind: &str) -> (String, String) {
    let known: &[(&str, &str, &str)] = &[
        ("Secret", "", "secrets"),
        ("ConfigMap", "", "configmaps"),
        ("Pod", "", "pods"),
        ("Service", "", "services"),
        ("ServiceAccount", "", "serviceaccounts"),
        ("Namespace", "", "namespaces"),
        ("Node", "", "nodes"),
        ("PersistentVolumeClaim", "", "persistentvolumeclaims"),
        ("Deployment", "apps", "deployments"),
        ("StatefulSet", "apps", "statefulsets"),
        ("DaemonSet", "apps", "daemonsets"),
        ("ReplicaSet", "apps", "replicasets"),
        ("Job", "batch", "jobs"),
        ("CronJob", "batch", "cronjobs"),
        ("Ingress", "networking.k8s.io", "ingresses"),
        ("NetworkPolicy", "networking.k8s.io", "networkpolicies"),
        ("Role", "rbac.authorization.k8s.io", "roles"),
        ("RoleBinding", "rbac.authorization.k8s.io", "rolebindings"),
        ("ClusterRole", "rbac.authorization.k8s.io", "clusterroles"),
        (
            "ClusterRoleBinding",
            "rbac.authorization.k8s.io",
            "clusterrolebindings",
        ),
        ("StorageClass", "storage.k8s.io", "storageclasses"),
    ];
    match known.iter().find(|(k, _, _)| *k == kind) {
        Some((_, g, r)) => (g.to_string(), r.to_string()),
        None => (String::new(), format!("{}s", kind.to_ascii_lowercase())),
    }
}

/// The verbs asked about when none is given.
pub const DEFAULT_VERBS: &[&str] = &[
    "get", "list", "watch", "create", "update", "patch", "delete",
];

/// Distinct namespaces of the manifests.
pub fn namespaces(model: &Model) -> BTreeSet<String> {
    model.k8s.namespaces_seen()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::model;
    use crate::{Analysis, Options};

    const RBAC: &str = r#"
apiVersion: v1
kind: Namespace
metadata:
  name: a
---
apiVersion: v1
kind: Namespace
metadata:
  name: b
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: part
  labels:
    agg: "yes"
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: aggregated
aggregationRule:
  clusterRoleSelectors:
    - matchLabels:
        agg: "yes"
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: b-reads
  namespace: b
subjects:
  - kind: ServiceAccount
    name: app
    namespace: a
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: aggregated
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: one-secret
  namespace: a
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    resourceNames: ["db"]
    verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: a-own
  namespace: a
subjects:
  - kind: Group
    name: system:serviceaccounts:a
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: one-secret
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: admins
subjects:
  - kind: User
    name: alice
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
"#;

    #[test]
    fn aggregation_scope_and_resource_names() {
        let m = model(&[("rbac.yaml", RBAC)]);
        let a = Analysis::new(&m, &Options::default());
        // The aggregated role grants get on Secrets in b only.
        let b = a
            .rbac
            .who_can("", "secrets", Some("b"), Some("x"), &["get"]);
        let subjects: Vec<String> = b.iter().map(|g| g.subject.display()).collect();
        assert!(
            subjects.contains(&"ServiceAccount/a/app".to_string()),
            "{subjects:?}"
        );
        assert!(subjects.contains(&"User/alice".to_string()));
        let in_a = a
            .rbac
            .who_can("", "secrets", Some("a"), Some("x"), &["get"]);
        assert!(in_a
            .iter()
            .all(|g| g.subject.display() != "ServiceAccount/a/app"));
        // resourceNames: db only, and never for list.
        let db = a
            .rbac
            .who_can("", "secrets", Some("a"), Some("db"), &["get"]);
        let g = db
            .iter()
            .find(|g| g.subject.name == "system:serviceaccounts:a");
        assert!(g.is_some_and(|g| g.service_accounts.contains(&SaRef::new("a", "default"))));
        assert!(a
            .rbac
            .who_can("", "secrets", Some("a"), None, &["list"])
            .iter()
            .all(|g| g.subject.kind != "Group"));
        // cluster-admin (built-in) is noted as approximate.
        assert!(b
            .iter()
            .any(|g| g.approximate && g.role.contains("cluster-admin")));
    }

    #[test]
    fn outside_readers_and_findings() {
        let m = model(&[("rbac.yaml", RBAC)]);
        let a = Analysis::new(&m, &Options::default());
        let outside = a.outside_secret_readers();
        let b: Vec<String> = outside
            .get("b")
            .map(|v| v.iter().map(|g| g.subject.display()).collect())
            .unwrap_or_default();
        assert!(b.contains(&"ServiceAccount/a/app".to_string()), "{b:?}");
        assert!(b.contains(&"User/alice".to_string()));
        let a_ns: Vec<String> = outside
            .get("a")
            .map(|v| v.iter().map(|g| g.subject.display()).collect())
            .unwrap_or_default();
        assert!(!a_ns.iter().any(|s| s.contains("system:serviceaccounts:a")));
        let issues: Vec<RbacIssue> = findings(&a.rbac).iter().map(|f| f.issue).collect();
        assert!(issues.contains(&RbacIssue::ClusterWideSecretRead));
        assert!(issues.contains(&RbacIssue::Wildcard));
        // who on a Kubernetes object.
        let w = a.who("Secret/b/x", &["get".into()]);
        let ids = w.map(|r| r.ids("service-account")).unwrap_or_default();
        assert!(ids.contains("ServiceAccount/a/app"));
    }
}
