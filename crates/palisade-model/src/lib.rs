//! The palisade model: one typed view of AWS and Kubernetes resources, filled
//! by loaders (Terraform, plan JSON, CloudFormation, Kubernetes YAML, live
//! snapshots) and read by every analysis. Rules depend on this crate only, so
//! a rule is written once for every input format.

pub mod aws;
pub mod finding;
pub mod k8s;
pub mod loc;
pub mod raw;
pub mod secrets;
pub mod val;

pub use loc::{LineIndex, Location};
pub use raw::{Diagnostic, Unknown};
pub use val::{Ref, Secret, Val};

use serde::Serialize;

/// Identity and origin shared by every resource of the model.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Meta {
    /// What users call the resource: a Terraform address
    /// (`module.db.aws_db_instance.this[0]`), a CloudFormation logical ID, or
    /// `Kind/namespace/name` for Kubernetes.
    pub address: String,
    /// The resource type as written in the input (`aws_security_group`,
    /// `AWS::EC2::SecurityGroup`, `Deployment`); for display only, rules
    /// must not branch on it.
    pub kind: String,
    /// The whole block or document that declared the resource.
    pub loc: Location,
    /// Other names links may use for this resource (IDs, ARNs, names).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
    /// The resource's tags, for resource types that carry tags (AWS
    /// resources whose schema has `tags`); `None` for everything else
    /// (parts such as rules and routes, Kubernetes objects, which have
    /// labels). `Default` of an empty map when no tags are written; a tag
    /// whose value cannot be known statically is `Unknown` on its own, a
    /// whole `tags` expression that cannot be known makes the map `Unknown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Val<Tags>>,
}

/// Tag key → value, in key order.
pub type Tags = std::collections::BTreeMap<String, Val<String>>;

impl Meta {
    pub fn new(address: impl Into<String>, kind: impl Into<String>, loc: Location) -> Self {
        Meta {
            address: address.into(),
            kind: kind.into(),
            loc,
            keys: Vec::new(),
            tags: None,
        }
    }
}

/// A literal secret found in an input (a password in IaC, a token in a
/// manifest). The value itself is kept only as a [`Secret`], which never prints.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SecretLiteral {
    pub resource: String,
    /// Attribute path, e.g. `password` or `spec.template.spec.containers[0].env[DB_PASSWORD]`.
    pub attribute: String,
    pub loc: Location,
    /// What made it look like a secret (attribute name, known token format).
    pub why: String,
    #[serde(skip)]
    pub value: Secret,
}

/// Everything the loaders found.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Model {
    pub aws: aws::Aws,
    pub k8s: k8s::K8s,
    pub secrets: Vec<SecretLiteral>,
}

impl Model {
    /// Appends another model (e.g. from another loader) to this one.
    pub fn extend(&mut self, other: Model) {
        self.aws.extend(other.aws);
        self.k8s.extend(other.k8s);
        self.secrets.extend(other.secrets);
    }

    /// Number of resources in the model.
    pub fn resource_count(&self) -> usize {
        self.aws.len() + self.k8s.len()
    }

    /// `json` (the model as `palisade model` prints it, with its load
    /// errors and unknowns) with every secret value found in the inputs
    /// redacted wherever it flowed: a policy condition written with a
    /// secret variable, an error quoting a value.
    pub fn redacted(&self, mut json: serde_json::Value) -> serde_json::Value {
        let values: Vec<Secret> = self.secrets.iter().map(|s| s.value.clone()).collect();
        secrets::redact_json(&mut json, &secrets::values_to_redact(&values));
        json
    }
}
