//! The Terraform AWS provider schema → the typed AWS model.
//!
//! [`adapt_terraform`] reads [`RawResource`]s in the AWS provider's attribute
//! schema (Terraform HCL after static evaluation, or plan JSON) and fills an
//! [`Aws`] model:
//!
//! * every AWS resource type the model covers becomes its typed struct;
//!   other managed `aws_*` types become [`OtherResource`]s; resources of other
//!   providers are ignored;
//! * standalone sub-resources are merged into their owner: S3 bucket
//!   configuration resources into the bucket, VPC endpoint associations and
//!   policies into the endpoint, NACL associations into the ACL, internet
//!   gateway attachments into the gateway, Secrets Manager rotation and
//!   policy into the secret, KMS key policies into the key, GuardDuty
//!   features into the detector, AWS Config recorder status into the
//!   recorder. A sub-resource whose owner is not in the input is kept as an
//!   [`OtherResource`] and noted;
//! * parts that AWS models as separate objects (security group rules, NACL
//!   entries, routes, policy grants) become flat entries whatever their form:
//!   an inline block gets the address `owner.block[i]` (e.g.
//!   `aws_security_group.web.ingress[0]`) and the block's location;
//! * of the data sources, only `aws_iam_policy_document` is read: it is
//!   rendered to policy JSON where a resource refers to its `json`.
//!
//! # Values and links
//!
//! * an attribute that is absent or `null` takes the provider's documented
//!   default (`Val::Default`); optional attributes without a default are
//!   `Val::Default(None)` or an empty list. For strings and links an empty
//!   string counts as absent (plan JSON writes `""` for unset strings);
//! * a written value is `Val::Known` with the location of its node (or of
//!   the nearest enclosing node that has one);
//! * `Raw::Unknown(reason)` is `Val::Unknown` with that reason; a `Raw::Ref`
//!   used as a value is `Val::Unknown` with "known only after apply:
//!   `aws_x.y.id`". Both are also listed in [`Adapted::unknowns`]. An unknown
//!   nested block makes every field read from it unknown; an unknown
//!   `dynamic` block of rules/routes/entries adds one entry (address
//!   `owner.block[*]`) whose fields are all unknown;
//! * a value of the wrong type is unknown too, with a note;
//! * a link (`Val<Ref>`) from a `Raw::Ref` names the referenced resource's
//!   address; a reference to an attribute that the referenced resource
//!   writes in the input (`aws_subnet.a.vpc_id`,
//!   `aws_eks_cluster.x.vpc_config[0].subnet_ids`) follows that value; a
//!   literal string (an ID, ARN or name) is a link by that literal;
//! * a few string fields of the model hold identifiers that are usually
//!   references (`Listener::certificate`, `permissions_boundary`): a
//!   reference there is kept as the referenced address, so the value is
//!   known to be set.
//!
//! See the crate docs for unknown values inside policies.
//!
//! # Defaults worth knowing
//!
//! `aws_db_instance.backup_retention_period` defaults to 0 as the provider
//! documents (the RDS API would apply 1 day); `aws_rds_cluster` to 1. The
//! `storage_encrypted` of a cluster defaults to true for `serverless`
//! engine mode. Aurora member instances (`aws_rds_cluster_instance`) take
//! their storage, security group, backup, IAM-auth and log settings from
//! their cluster, and `multi_az` is true when the cluster has at least two
//! members in the input; without the cluster in the input these are
//! unknown. An ALB listener without `protocol` is `HTTP`; an HTTPS/TLS
//! listener without `ssl_policy` is unknown (AWS picks its current default).
//! OpenSearch without `domain_endpoint_options` does not enforce HTTPS (the
//! provider's `true` default applies inside the block). An instance launched
//! from a launch template without its own `metadata_options` takes the
//! template's `http_tokens`, and its root volume encryption is unknown.
//!
//! # Keys
//!
//! Besides its address, a resource is indexed ([`Meta::keys`]) by the
//! identifiers other resources may use for it when they are written in the
//! input (never guessed): names (`name`, `bucket`, `identifier`,
//! `cluster_identifier`, `function_name`, `domain_name`...), for IAM
//! principals and policies also `role/NAME`, `user/NAME`, `group/NAME`,
//! `policy/NAME` (with the `path` when not `/`), for S3 buckets
//! `arn:aws:s3:::NAME`, for KMS keys the `alias/NAME` of every alias that
//! targets them, for OIDC providers the issuer host/path and
//! `oidc-provider/HOST/PATH`, for SAML providers `saml-provider/NAME`.
//!
//! # Tags
//!
//! Every declared resource of a type that can be tagged gets
//! [`Meta::tags`] (see the `tags` module): the written `tags`, or plan
//! JSON's `tags_all` when known; parts listed apart (inline rules, routes)
//! and synthesized objects have none.
//!
//! # Resources added by the adapter
//!
//! A reference to a VPC's `default_route_table_id` / `main_route_table_id`,
//! `default_network_acl_id` or `default_security_group_id` links to the
//! VPC's `aws_default_route_table` / `aws_default_network_acl` /
//! `aws_default_security_group` when the input declares one. When it does
//! not, the adapter adds the implicit object (`aws_vpc.x.main_route_table`,
//! `aws_vpc.x.default_network_acl`, `aws_vpc.x.default_security_group`,
//! located at the VPC) so that routes and rules added to it are not lost.
//! Only what the input adds to such an object is known: AWS's own default
//! entries (the default NACL's allow-all entries, the default security
//! group's rules) are not invented.

mod addr;
mod compute;
mod data;
mod edge;
mod identity;
mod monitor;
mod network;
mod policy;
pub(crate) mod read;
pub(crate) mod tags;

use palisade_model::aws::{Aws, NetworkAcl, OtherResource, Resource, RouteTable, SecurityGroup};
use palisade_model::raw::{Mode, RawResource};
use palisade_model::{Diagnostic, Meta, Ref, Unknown, Val};
use serde_json::Value as Json;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The result of adapting one input.
#[derive(Clone, Debug, Default)]
pub struct Adapted {
    /// The typed model, with its lookup index built ([`Aws::finish`]); call
    /// `finish` again after extending it with other models.
    pub aws: Aws,
    /// Values that could not be decided statically.
    pub unknowns: Vec<Unknown>,
    /// Problems with the input (values of the wrong type, sub-resources whose
    /// owner is missing...).
    pub notes: Vec<Diagnostic>,
}

/// Adapts Terraform-schema resources to the AWS model.
pub fn adapt_terraform(resources: &[RawResource]) -> Adapted {
    let mut cx = Cx::new(resources);
    let mut aws = Aws::default();
    let mut pending = Vec::new();
    for r in resources {
        if r.mode != Mode::Managed || !r.kind.starts_with("aws_") {
            continue;
        }
        if is_merged(&r.kind) {
            pending.push(r);
            continue;
        }
        adapt_one(&mut cx, &mut aws, r);
    }
    for r in pending {
        let merged = match r.kind.as_str() {
            k if k.starts_with("aws_s3_bucket_") => data::merge_s3(&mut cx, &mut aws, r),
            "aws_kms_key_policy" => data::merge_kms_key_policy(&mut cx, &mut aws, r),
            "aws_secretsmanager_secret_rotation" | "aws_secretsmanager_secret_policy" => {
                data::merge_secret(&mut cx, &mut aws, r)
            }
            "aws_guardduty_detector_feature" | "aws_config_configuration_recorder_status" => {
                monitor::merge(&mut cx, &mut aws, r)
            }
            _ => network::merge(&mut cx, &mut aws, r),
        };
        if !merged {
            aws.others.push(OtherResource { meta: meta(r) });
        }
    }
    data::finish(&mut cx, &mut aws);
    tags::fill(resources, &mut aws);
    report_under_owner(resources, &mut aws);
    cx.add_synthesized(&mut aws);
    aws.finish();
    Adapted {
        aws,
        unknowns: cx.unknowns,
        notes: cx.notes,
    }
}

/// Standalone resources that configure another resource of the model.
fn is_merged(kind: &str) -> bool {
    matches!(
        kind,
        "aws_s3_bucket_policy"
            | "aws_s3_bucket_server_side_encryption_configuration"
            | "aws_s3_bucket_public_access_block"
            | "aws_s3_bucket_versioning"
            | "aws_s3_bucket_logging"
            | "aws_s3_bucket_acl"
            | "aws_kms_key_policy"
            | "aws_secretsmanager_secret_rotation"
            | "aws_secretsmanager_secret_policy"
            | "aws_guardduty_detector_feature"
            | "aws_config_configuration_recorder_status"
            | "aws_internet_gateway_attachment"
            | "aws_vpc_endpoint_route_table_association"
            | "aws_vpc_endpoint_subnet_association"
            | "aws_vpc_endpoint_security_group_association"
            | "aws_vpc_endpoint_policy"
            | "aws_network_acl_association"
    )
}

fn adapt_one<'a>(cx: &mut Cx<'a>, aws: &mut Aws, r: &'a RawResource) {
    let done = network::adapt(cx, aws, r)
        || edge::adapt(cx, aws, r)
        || data::adapt(cx, aws, r)
        || identity::adapt(cx, aws, r)
        || compute::adapt(cx, aws, r)
        || monitor::adapt(cx, aws, r);
    if !done {
        let mut m = meta(r);
        // Names of unmodelled resources still help links resolve to
        // something in the input (e.g. an instance profile by name).
        if let Some(name) = r
            .body
            .get("name")
            .and_then(|n| n.as_str())
            .filter(|s| !s.is_empty())
        {
            m.keys.push(name.to_owned());
        }
        aws.others.push(OtherResource { meta: m });
    }
}

/// The meta of a resource, without keys.
pub(crate) fn meta(r: &RawResource) -> Meta {
    Meta::new(r.address.clone(), r.kind.clone(), r.loc.clone())
}

/// Adds keys, skipping duplicates and the address itself.
pub(crate) fn add_keys(meta: &mut Meta, keys: impl IntoIterator<Item = String>) {
    for k in keys {
        if !k.is_empty() && k != meta.address && !meta.keys.contains(&k) {
            meta.keys.push(k);
        }
    }
}

/// Index of the resource a link names, in one collection.
pub(crate) fn find<T: Resource>(items: &[T], r: &Ref) -> Option<usize> {
    items
        .iter()
        .position(|x| x.meta().address == r.key() || x.meta().keys.iter().any(|k| k == r.key()))
}

/// Objects a VPC has implicitly, added when referenced and not declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Synth {
    MainRouteTable,
    DefaultNacl,
    DefaultSecurityGroup,
}

impl Synth {
    fn suffix(self) -> &'static str {
        match self {
            Synth::MainRouteTable => "main_route_table",
            Synth::DefaultNacl => "default_network_acl",
            Synth::DefaultSecurityGroup => "default_security_group",
        }
    }
}

/// Adaptation state shared by every resource.
pub(crate) struct Cx<'a> {
    /// Every resource of the input by address (data sources by their
    /// `data.` address).
    pub by_addr: HashMap<String, &'a RawResource>,
    pub unknowns: Vec<Unknown>,
    pub notes: Vec<Diagnostic>,
    /// VPC address → its `aws_default_route_table`.
    pub default_rt: HashMap<String, String>,
    pub default_nacl: HashMap<String, String>,
    pub default_sg: HashMap<String, String>,
    /// Synthesized address → (what, VPC address).
    pub synthesized: BTreeMap<String, (Synth, String)>,
    /// Rendered `aws_iam_policy_document`s.
    pub documents: HashMap<String, (Json, policy::Acc)>,
    pub rendering: HashSet<String>,
    /// Depth of attribute following (guards against reference cycles).
    pub depth: u32,
}

impl<'a> Cx<'a> {
    pub(crate) fn new(resources: &'a [RawResource]) -> Self {
        let mut by_addr = HashMap::new();
        for r in resources {
            by_addr.insert(r.address.clone(), r);
            if r.mode == Mode::Data
                && !r.address.starts_with("data.")
                && !r.address.contains(".data.")
            {
                by_addr.entry(format!("data.{}", r.address)).or_insert(r);
            }
        }
        let mut cx = Cx {
            by_addr,
            unknowns: Vec::new(),
            notes: Vec::new(),
            default_rt: HashMap::new(),
            default_nacl: HashMap::new(),
            default_sg: HashMap::new(),
            synthesized: BTreeMap::new(),
            documents: HashMap::new(),
            rendering: HashSet::new(),
            depth: 0,
        };
        // Which VPC each aws_default_* resource adopts the object of.
        for r in resources.iter().filter(|r| r.mode == Mode::Managed) {
            let (attr, map) = match r.kind.as_str() {
                "aws_default_route_table" => ("default_route_table_id", &mut cx.default_rt),
                "aws_default_network_acl" => ("default_network_acl_id", &mut cx.default_nacl),
                "aws_default_security_group" => ("vpc_id", &mut cx.default_sg),
                _ => continue,
            };
            if let Some(palisade_model::raw::Raw::Ref { address, .. }) =
                r.body.get(attr).map(|n| &n.value)
            {
                map.entry(address.clone())
                    .or_insert_with(|| r.address.clone());
            }
        }
        cx
    }

    pub(crate) fn add_synthesized(&mut self, aws: &mut Aws) {
        for (address, (what, vpc)) in std::mem::take(&mut self.synthesized) {
            let Some(v) = self.by_addr.get(&vpc) else {
                continue;
            };
            let vpc_link = Val::known(Ref::new(vpc.clone()), v.loc.clone());
            let kind = format!("{} {}", v.kind, what.suffix());
            let m = Meta::new(address, kind, v.loc.clone());
            match what {
                Synth::MainRouteTable => aws.route_tables.push(RouteTable {
                    meta: m,
                    vpc: vpc_link,
                    main: true,
                }),
                Synth::DefaultNacl => aws.network_acls.push(NetworkAcl {
                    meta: m,
                    vpc: vpc_link,
                    subnets: Val::default_(Vec::new()),
                    is_default: true,
                }),
                Synth::DefaultSecurityGroup => aws.security_groups.push(SecurityGroup {
                    meta: m,
                    name: Val::default_(Some("default".into())),
                    vpc: vpc_link.map(Some),
                    is_default: true,
                }),
            }
        }
    }
}

/// Parts written inside another resource (an inline `ingress` block, a
/// `route` block) are entries of their own in the model, but users know them
/// by the Terraform address of the block that declares them: findings and
/// unknowns name `aws_security_group.web`, not `aws_security_group.web.ingress[0]`.
/// The part's own path stays available as a key.
pub(crate) fn report_under_owner(resources: &[RawResource], aws: &mut Aws) {
    let declared: std::collections::HashSet<&str> =
        resources.iter().map(|r| r.address.as_str()).collect();
    for meta in aws.metas_mut() {
        if declared.contains(meta.address.as_str()) {
            continue;
        }
        let owner = meta
            .address
            .char_indices()
            .rev()
            .filter(|&(_, c)| c == '.')
            .map(|(i, _)| &meta.address[..i])
            .find(|prefix| declared.contains(prefix))
            .map(str::to_owned);
        if let Some(owner) = owner {
            let part = std::mem::replace(&mut meta.address, owner);
            meta.keys.push(part);
        }
    }
}
