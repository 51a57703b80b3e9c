//! The CloudFormation resource schema → the typed AWS model.
//!
//! [`adapt_cloudformation`] reads [`RawResource`]s whose `kind` is a
//! CloudFormation type (`AWS::EC2::SecurityGroup`) and whose body is the
//! resource's evaluated `Properties` (as `palisade-cfn` loads them), and
//! fills the same [`Aws`] model the Terraform adapter fills, with the same
//! value conventions (see [`crate::terraform`]): a written property is
//! `Val::Known` at its line, an absent one takes CloudFormation's (or the
//! service API's) documented default as `Val::Default`, anything decided only
//! at deploy is `Val::Unknown` with the reason. Links are the logical IDs
//! that `Ref` / `Fn::GetAtt` name (`Raw::Ref`), or literal IDs/ARNs/names.
//!
//! The reading machinery (value conversion, links, policy documents with the
//! [`crate::UNKNOWN_MARKER`] sentinel) is the Terraform adapter's; only the
//! schema differs. The address of a resource is its logical ID; parts written
//! inside it (inline security group rules, a role's `Policies`) get
//! `Id.Property[i]` as a key and are reported under the logical ID.
//!
//! # Merged resources
//!
//! `AWS::S3::BucketPolicy` (into the bucket), `AWS::EC2::VPCGatewayAttachment`
//! (the internet gateway's VPC), `AWS::EC2::SubnetNetworkAclAssociation` (the
//! ACL's subnets), `AWS::SecretsManager::RotationSchedule` and
//! `AWS::SecretsManager::ResourcePolicy` (into the secret). A sub-resource
//! whose owner is not in the input is kept as an [`OtherResource`] and noted.
//!
//! # CloudFormation defaults that differ from Terraform's
//!
//! * A security group without `SecurityGroupEgress` keeps the allow-all
//!   egress rule AWS creates (Terraform removes it): it is listed as an
//!   egress rule whose fields are `Val::Default`, addressed
//!   `Id.SecurityGroupEgress[default]`.
//! * `AWS::RDS::DBInstance` without `PubliclyAccessible` follows the RDS API:
//!   without `DBSubnetGroupName` it is public (private for Aurora members);
//!   with one it is private unless the group is `default`.
//!   `BackupRetentionPeriod` defaults to 1 day (instances and clusters).
//!   Restores from a snapshot or a source instance/cluster without
//!   `StorageEncrypted` have unknown encryption (it follows the source).
//! * A CloudFront distribution without `ViewerCertificate` uses the
//!   CloudFront default certificate.
//! * `AWS::Config::ConfigurationRecorder` has no status resource:
//!   CloudFormation starts the recorder once a delivery channel exists, so
//!   `recording` is `Default(true)` when the input declares a delivery
//!   channel and unknown otherwise.
//! * Required properties that are absent (`IsLogging` of a trail, `Enable` of
//!   a GuardDuty detector, `Type` of an Organizations policy) are unknown.
//! * `AWS::EC2::Instance` has no metadata options of its own: `http_tokens`
//!   comes from its launch template when it names one in the input,
//!   otherwise it is the EC2 default `optional`. Its root volume is the
//!   mapping for `/dev/xvda` or `/dev/sda1` when written.
//! * There is no CloudFormation type for account-level EBS encryption by
//!   default or for Inspector enablement; those collections stay empty.

mod compute;
mod data;
mod edge;
mod identity;
mod monitor;
mod network;
mod tags;

use crate::terraform::read::Obj;
use crate::terraform::{meta, report_under_owner, Adapted, Cx};
use palisade_model::aws::{Aws, OtherResource};
use palisade_model::raw::{Raw, RawResource};
use palisade_model::{Ref, Val};

/// Adapts CloudFormation-schema resources (one template) to the AWS model.
pub fn adapt_cloudformation(resources: &[RawResource]) -> Adapted {
    let mut cx = Cx::new(resources);
    let mut aws = Aws::default();
    let mut pending = Vec::new();
    for r in resources {
        if is_merged(&r.kind) {
            pending.push(r);
            continue;
        }
        let o = root(r);
        let done = network::adapt(&mut cx, &mut aws, r, &o)
            || edge::adapt(&mut cx, &mut aws, r, &o)
            || data::adapt(&mut cx, &mut aws, r, &o)
            || identity::adapt(&mut cx, &mut aws, r, &o)
            || compute::adapt(&mut cx, &mut aws, r, &o)
            || monitor::adapt(&mut cx, &mut aws, r, &o);
        if !done {
            let mut m = meta(r);
            // Names of unmodelled resources still help links resolve
            // (an instance profile by name).
            let name_key = match r.kind.as_str() {
                "AWS::IAM::InstanceProfile" => "InstanceProfileName",
                _ => "Name",
            };
            if let Some(n) = r.body.get(name_key).and_then(|n| n.as_str()) {
                crate::terraform::add_keys(&mut m, [n.to_owned()]);
            }
            aws.others.push(OtherResource { meta: m });
        }
    }
    // Objects a VPC has implicitly (its default NACL and security group,
    // named by `Fn::GetAtt Vpc.DefaultNetworkAcl`), so that associations
    // can merge into them.
    let implicit: Vec<String> = cx.synthesized.keys().cloned().collect();
    add_synthesized(&mut cx, &mut aws);
    for r in pending {
        let o = root(r);
        let merged = match r.kind.as_str() {
            "AWS::S3::BucketPolicy"
            | "AWS::SecretsManager::RotationSchedule"
            | "AWS::SecretsManager::ResourcePolicy" => data::merge(&mut cx, &mut aws, r, &o),
            _ => network::merge(&mut cx, &mut aws, r, &o),
        };
        if !merged {
            aws.others.push(OtherResource { meta: meta(r) });
        }
    }
    data::finish(&mut cx, &mut aws);
    monitor::finish(&mut aws);
    tags::fill(resources, &mut aws);
    report_under_owner(resources, &mut aws);
    // The implicit objects are resources of their own, not parts of the VPC.
    for m in aws.metas_mut() {
        if let Some(i) = m.keys.iter().position(|k| implicit.contains(k)) {
            let own = m.keys.remove(i);
            m.address = own;
        }
    }
    add_synthesized(&mut cx, &mut aws);
    aws.finish();
    Adapted {
        aws,
        unknowns: cx.unknowns,
        notes: cx.notes,
    }
}

/// Adds the implicit VPC objects that links named, once each.
fn add_synthesized(cx: &mut Cx<'_>, aws: &mut Aws) {
    cx.synthesized
        .retain(|address, _| !aws.metas().iter().any(|(_, m)| m.address == *address));
    cx.add_synthesized(aws);
}

/// Resources that configure another resource of the model.
fn is_merged(kind: &str) -> bool {
    matches!(
        kind,
        "AWS::S3::BucketPolicy"
            | "AWS::EC2::VPCGatewayAttachment"
            | "AWS::EC2::SubnetNetworkAclAssociation"
            | "AWS::SecretsManager::RotationSchedule"
            | "AWS::SecretsManager::ResourcePolicy"
    )
}

/// The body being read; a body that is unknown as a whole (`Properties:
/// !If [unknown, ...]`) makes every property unknown, never a default.
fn root(r: &RawResource) -> Obj<'_> {
    let mut o = Obj::root(r);
    if let Raw::Unknown(reason) = &r.body.value {
        o.unknown = Some(format!("the resource's properties are unknown: {reason}"));
        o.node = None;
    }
    o
}

/// A link to the resource itself, at its location.
fn own(r: &RawResource) -> Val<Ref> {
    Val::known(Ref::new(r.address.clone()), r.loc.clone())
}

/// An optional single value as a list.
fn opt_to_vec<T>(v: Val<Option<T>>) -> Val<Vec<T>> {
    v.map(|o| o.into_iter().collect())
}

/// Appends a link to a list value (an association adding to its owner).
fn append_link(list: &mut Val<Vec<Ref>>, item: Val<Ref>) {
    match (&mut *list, item) {
        (Val::Unknown { .. }, _) => {}
        (_, Val::Unknown { reason, loc }) => {
            *list = Val::Unknown {
                reason: format!("an associated element is unknown: {reason}"),
                loc,
            }
        }
        (Val::Known { value, .. }, Val::Known { value: r, .. } | Val::Default { value: r }) => {
            if !value.contains(&r) {
                value.push(r);
            }
        }
        (Val::Default { value }, Val::Known { value: r, loc }) => {
            let mut v = std::mem::take(value);
            if !v.contains(&r) {
                v.push(r);
            }
            *list = Val::known(v, loc);
        }
        (Val::Default { value }, Val::Default { value: r }) => {
            if !value.contains(&r) {
                value.push(r);
            }
        }
    }
}

/// Finds the owner a sub-resource configures, noting when it cannot.
fn owner(
    cx: &mut Cx<'_>,
    r: &RawResource,
    link: &Val<Ref>,
    find: impl Fn(&Ref) -> Option<usize>,
) -> Option<usize> {
    match link.get() {
        Some(l) => {
            let found = find(l);
            if found.is_none() {
                cx.note(
                    &r.loc,
                    format!(
                        "`{}` configures `{}`, which is not in the scanned input",
                        r.address,
                        l.key()
                    ),
                );
            }
            found
        }
        None => {
            cx.note(
                &r.loc,
                format!(
                    "`{}` configures a resource that cannot be determined statically",
                    r.address
                ),
            );
            None
        }
    }
}

/// `Known(true)` when a property is written, unknown when it is unknown,
/// `Default(false)` when absent.
fn presence(cx: &mut Cx<'_>, o: &Obj<'_>, key: &str) -> Val<bool> {
    let b = o.block(key);
    match (&b.unknown, b.node) {
        (Some(reason), _) => {
            let (reason, loc) = (reason.clone(), b.loc.clone());
            cx.unknown(o, key, loc, reason)
        }
        (None, Some(_)) => Val::known(true, b.loc.clone()),
        (None, None) => Val::default_(false),
    }
}

/// A required bool: unknown (and reported) when absent.
fn bool_req(cx: &mut Cx<'_>, o: &Obj<'_>, key: &str) -> Val<bool> {
    match cx.bool_opt(o, key) {
        Val::Known {
            value: Some(b),
            loc,
        } => Val::known(b, loc),
        Val::Known { value: None, .. } | Val::Default { .. } => {
            let loc = o.loc.clone();
            cx.unknown(o, key, loc, format!("`{}` is not set", o.path(key)))
        }
        Val::Unknown { reason, loc } => Val::Unknown { reason, loc },
    }
}

/// IAM-style keys: `NAME`, `KIND/NAME` and `KIND{path}NAME`.
fn iam_keys(cx: &mut Cx<'_>, o: &Obj<'_>, kind: &str, name: &Val<Option<String>>) -> Vec<String> {
    let Some(name) = Cx::known_str(name) else {
        return Vec::new();
    };
    let path = match cx.str_or(o, "Path", "/") {
        Val::Known { value, .. } | Val::Default { value } => value,
        Val::Unknown { .. } => "/".to_owned(),
    };
    let mut keys = vec![name.clone(), format!("{kind}/{name}")];
    if path != "/" && path.starts_with('/') && path.ends_with('/') {
        keys.push(format!("{kind}{path}{name}"));
    }
    keys
}

/// The CloudFormation type of the resource a link names, when it is a
/// logical ID of the input.
fn linked_kind<'a>(cx: &Cx<'a>, r: &Ref) -> Option<&'a str> {
    cx.by_addr.get(r.key()).map(|res| res.kind.as_str())
}

#[cfg(test)]
mod tests;
