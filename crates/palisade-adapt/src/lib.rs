//! Adapters: turn provider-schema [`RawResource`](palisade_model::raw::RawResource)s
//! into the typed palisade model.
//!
//! Loaders know file formats; adapters know provider schemas. The Terraform
//! adapter ([`terraform::adapt_terraform`]) reads the AWS provider's attribute
//! schema, which Terraform HCL (after static evaluation) and Terraform plan
//! JSON share. The CloudFormation adapter ([`cfn::adapt_cloudformation`])
//! reads the CloudFormation resource schema (templates loaded by
//! `palisade-cfn`) with the same reading machinery and conventions.
//!
//! # Unknown values inside policy documents
//!
//! A policy document (IAM, bucket, key, trust, endpoint policy) is kept as
//! JSON even when parts of it could not be resolved statically. Each unknown
//! part is replaced by a string containing [`UNKNOWN_MARKER`] (`${unknown}`):
//!
//! * a value that is unknown (a variable without value, a function of one)
//!   becomes exactly `"${unknown}"`;
//! * a reference to another resource's attribute (`aws_iam_role.app.arn`)
//!   becomes `"${unknown}aws_iam_role.app.arn"`: still unknown as a value,
//!   but analyses can tell which resource it names (see [`marker_ref`]). The
//!   suffix is left out when the address contains a wildcard character
//!   (`*`, `?`), so a marker never acts as an IAM pattern;
//! * an unknown list becomes the single string `"${unknown}"`; an unknown
//!   statement (e.g. a `dynamic "statement"` over an unknown collection)
//!   becomes a statement whose `Effect`, `Action` and `Resource` are all
//!   `"${unknown}"`; an unknown principal type or condition operator becomes
//!   a `"${unknown}"` key whose value is also `"${unknown}"`.
//!
//! `${unknown}` is not a valid IAM policy variable, never matches an action,
//! ARN or principal, and contains no wildcard, so a rule that does not look
//! for it cannot mistake it for `*`. Rules must treat a statement whose
//! decisive parts contain the marker as undecidable (never as a pass or a
//! finding). Whenever a document holds markers, the adapter also records an
//! [`Unknown`](palisade_model::Unknown) on the attribute that uses it.

pub mod cfn;
pub mod terraform;

pub use cfn::adapt_cloudformation;
pub use terraform::{adapt_terraform, Adapted};

/// The sentinel that stands for an unknown value inside a policy document.
pub const UNKNOWN_MARKER: &str = "${unknown}";

/// True when a policy string is (or contains) the unknown sentinel.
pub fn is_unknown_marker(s: &str) -> bool {
    s.contains(UNKNOWN_MARKER)
}

/// For a sentinel that stands for a reference (`${unknown}aws_iam_role.app.arn`),
/// the referenced `address.attribute`.
pub fn marker_ref(s: &str) -> Option<&str> {
    s.strip_prefix(UNKNOWN_MARKER).filter(|r| !r.is_empty())
}
