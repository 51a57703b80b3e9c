//! The raw, format-neutral attribute tree that loaders produce before
//! adaptation into the typed model.
//!
//! Terraform HCL (after evaluation), Terraform plan JSON and CloudFormation all
//! describe resources as nested attributes and blocks. Loaders turn their format
//! into [`RawResource`]s; adapters (which know the provider schemas, not the file
//! formats) turn those into typed model resources. Values that could not be
//! evaluated are [`Raw::Unknown`]; references to other resources whose value is
//! only known after apply (an `id`, an `arn`) are [`Raw::Ref`], so links between
//! resources survive even though the value itself is unknown.

use crate::loc::Location;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "t", content = "v", rename_all = "snake_case")]
pub enum Raw {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<RawNode>),
    /// Attributes and nested blocks. A nested block type appears once as a key
    /// whose value is a `List` of the block instances (in source order).
    Map(BTreeMap<String, RawNode>),
    /// A value that cannot be known statically, with the reason.
    Unknown(String),
    /// An attribute of another resource (e.g. `aws_security_group.db.id`):
    /// unknown as a value, but a known link. `address` is the full address of
    /// the referenced resource instance (`module.net.aws_subnet.private[0]`).
    Ref {
        address: String,
        attr: String,
    },
}

/// A raw value with the source location it was written at.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RawNode {
    #[serde(flatten)]
    pub value: Raw,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loc: Option<Location>,
}

impl RawNode {
    pub fn new(value: Raw, loc: Option<Location>) -> Self {
        RawNode { value, loc }
    }

    /// Child attribute or block of a map node.
    pub fn get(&self, key: &str) -> Option<&RawNode> {
        match &self.value {
            Raw::Map(m) => m.get(key),
            _ => None,
        }
    }

    /// Follows a path of map keys.
    pub fn path(&self, keys: &[&str]) -> Option<&RawNode> {
        keys.iter().try_fold(self, |node, k| node.get(k))
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Raw::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Raw::Bool(b) => Some(*b),
            // Terraform converts "true"/"false" strings to bool where a bool is expected.
            Raw::String(s) if s == "true" => Some(true),
            Raw::String(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match &self.value {
            Raw::Number(n) => Some(*n),
            Raw::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[RawNode]> {
        match &self.value {
            Raw::List(l) => Some(l),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&BTreeMap<String, RawNode>> {
        match &self.value {
            Raw::Map(m) => Some(m),
            _ => None,
        }
    }

    /// True for values that are unknown or only a reference.
    pub fn is_unknown(&self) -> bool {
        matches!(self.value, Raw::Unknown(_) | Raw::Ref { .. })
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Raw::Null)
    }
}

/// Whether a raw resource is a managed resource or a data source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Managed,
    Data,
}

/// One resource instance as a loader found it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RawResource {
    /// Full instance address: `module.db.aws_db_instance.this[0]`, or the
    /// logical ID for CloudFormation.
    pub address: String,
    /// Provider resource type in the Terraform schema namespace
    /// (`aws_security_group`); CloudFormation types are mapped by their adapter.
    pub kind: String,
    pub mode: Mode,
    /// Location of the whole block.
    pub loc: Location,
    /// The evaluated body (a `Raw::Map`).
    pub body: RawNode,
}

/// A problem met while loading. Errors mean part of the input was not read.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Diagnostic {
    pub file: String,
    pub line: Option<u32>,
    pub message: String,
}

impl Diagnostic {
    pub fn new(file: impl Into<String>, line: Option<u32>, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.into(),
            line,
            message: message.into(),
        }
    }
}

/// Something that could not be decided statically, reported so users know
/// which checks could not be run.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Unknown {
    pub resource: String,
    pub attribute: String,
    pub location: Option<Location>,
    pub reason: String,
}
