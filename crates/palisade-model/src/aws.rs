//! AWS resources in the model.
//!
//! The structs describe *what is configured*, not how it was written: inline
//! and standalone forms (an inline `ingress` block and an
//! `aws_security_group_rule`, an inline S3 `policy` and an
//! `aws_s3_bucket_policy`) land in the same place. Parts that AWS models as
//! separate objects with an owner (security group rules, NACL entries, routes,
//! policy attachments) are flat lists whose entries link to their owner, so
//! analyses see them uniformly whatever the input format. Links are [`Ref`]s;
//! the helper queries at the bottom of this file resolve them.

use crate::val::{Ref, Val};
use crate::Meta;
use serde::Serialize;
use serde_json::Value as Json;
use std::collections::HashMap;

/// A policy document (IAM, bucket, key, trust, endpoint policy) as JSON.
pub type PolicyDoc = Json;

/// The shared interface of every AWS resource struct.
pub trait Resource {
    const KIND: AwsKind;
    fn meta(&self) -> &Meta;
    fn all(aws: &Aws) -> &[Self]
    where
        Self: Sized;
}

macro_rules! aws_model {
    ($( $(#[$doc:meta])* $field:ident : $ty:ident ),* $(,)?) => {
        /// Which collection of [`Aws`] a resource belongs to.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        pub enum AwsKind { $($ty),* }

        /// All AWS resources of the model.
        #[derive(Clone, Debug, Default, Serialize)]
        pub struct Aws {
            $( $(#[$doc])* #[serde(skip_serializing_if = "Vec::is_empty")] pub $field: Vec<$ty>, )*
            /// Key (address, ID, ARN, name) → resources known by it.
            #[serde(skip)]
            index: HashMap<String, Vec<(AwsKind, usize)>>,
        }

        $(
            impl Resource for $ty {
                const KIND: AwsKind = AwsKind::$ty;
                fn meta(&self) -> &Meta { &self.meta }
                fn all(aws: &Aws) -> &[Self] { &aws.$field }
            }
        )*

        impl Aws {
            pub fn extend(&mut self, other: Aws) {
                $( self.$field.extend(other.$field); )*
                self.index.clear();
            }

            pub fn len(&self) -> usize {
                0 $( + self.$field.len() )*
            }

            pub fn is_empty(&self) -> bool { self.len() == 0 }

            /// Every resource's meta, with its kind.
            pub fn metas(&self) -> Vec<(AwsKind, &Meta)> {
                let mut out = Vec::with_capacity(self.len());
                $( out.extend(self.$field.iter().map(|r| (AwsKind::$ty, &r.meta))); )*
                out
            }

            /// Every resource's meta, mutable (for adapters that fix up
            /// addresses once all resources are known).
            pub fn metas_mut(&mut self) -> Vec<&mut Meta> {
                let mut out = Vec::with_capacity(self.len());
                $( out.extend(self.$field.iter_mut().map(|r| &mut r.meta)); )*
                self.index.clear();
                out
            }

            /// Builds the lookup index. Call once all loaders have filled the model.
            pub fn finish(&mut self) {
                let mut index: HashMap<String, Vec<(AwsKind, usize)>> = HashMap::new();
                $(
                    for (i, r) in self.$field.iter().enumerate() {
                        for key in std::iter::once(&r.meta.address).chain(r.meta.keys.iter()) {
                            index.entry(key.clone()).or_default().push((AwsKind::$ty, i));
                        }
                    }
                )*
                self.index = index;
            }
        }
    };
}

aws_model! {
    vpcs: Vpc,
    subnets: Subnet,
    route_tables: RouteTable,
    routes: Route,
    route_table_associations: RouteTableAssociation,
    internet_gateways: InternetGateway,
    nat_gateways: NatGateway,
    vpc_endpoints: VpcEndpoint,
    vpc_peerings: VpcPeering,
    network_acls: NetworkAcl,
    nacl_rules: NaclRule,
    security_groups: SecurityGroup,
    sg_rules: SgRule,
    load_balancers: LoadBalancer,
    listeners: Listener,
    target_groups: TargetGroup,
    cloudfront_distributions: CloudFrontDistribution,
    waf_web_acls: WafWebAcl,
    waf_associations: WafAssociation,
    waf_logging: WafLogging,
    waf_ip_sets: WafIpSet,
    shield_protections: ShieldProtection,
    db_instances: DbInstance,
    db_clusters: DbCluster,
    db_subnet_groups: DbSubnetGroup,
    db_parameter_groups: DbParameterGroup,
    s3_buckets: S3Bucket,
    kms_keys: KmsKey,
    kms_aliases: KmsAlias,
    secrets: SecretsManagerSecret,
    iam_roles: IamRole,
    iam_policies: IamPolicy,
    iam_users: IamUser,
    iam_groups: IamGroup,
    iam_grants: IamGrant,
    iam_group_memberships: IamGroupMembership,
    iam_access_keys: IamAccessKey,
    iam_login_profiles: IamLoginProfile,
    iam_oidc_providers: IamOidcProvider,
    iam_saml_providers: IamSamlProvider,
    eks_clusters: EksCluster,
    eks_node_groups: EksNodeGroup,
    eks_pod_identity_associations: EksPodIdentityAssociation,
    launch_templates: LaunchTemplate,
    instances: Instance,
    ebs_volumes: EbsVolume,
    ebs_encryption_by_default: EbsEncryptionByDefault,
    cloudtrails: CloudTrail,
    config_recorders: ConfigRecorder,
    config_rules: ConfigRule,
    config_delivery_channels: ConfigDeliveryChannel,
    guardduty_detectors: GuardDutyDetector,
    securityhub_accounts: SecurityHubAccount,
    inspector_enablers: InspectorEnabler,
    flow_logs: FlowLog,
    ecr_repositories: EcrRepository,
    sns_topics: SnsTopic,
    sns_subscriptions: SnsSubscription,
    lambda_functions: LambdaFunction,
    opensearch_domains: OpenSearchDomain,
    organization_policies: OrganizationPolicy,
    log_groups: LogGroup,
    /// Resource types palisade does not model, kept so counts and
    /// suppressions still see them.
    others: OtherResource,
}

impl Aws {
    /// Resolves a link to a resource of type `T`.
    pub fn get<T: Resource>(&self, r: &Ref) -> Option<&T> {
        let entries = self.index.get(r.key())?;
        let all = T::all(self);
        entries
            .iter()
            .find(|(k, _)| *k == T::KIND)
            .and_then(|(_, i)| all.get(*i))
    }

    /// Resolves a link when it is known; `Err(reason)` when the link itself
    /// is unknown, `Ok(None)` when it points outside the model.
    pub fn resolve<T: Resource>(&self, r: &Val<Ref>) -> Result<Option<&T>, String> {
        match r {
            Val::Unknown { reason, .. } => Err(reason.clone()),
            _ => Ok(r.get().and_then(|r| self.get::<T>(r))),
        }
    }

    /// True when `r` names `meta`'s resource.
    pub fn refers_to(&self, r: &Ref, meta: &Meta) -> bool {
        r.key() == meta.address || meta.keys.iter().any(|k| k == r.key())
    }

    /// The resources of type `T` whose link (selected by `link`) names `owner`.
    pub fn children<'a, T: Resource + 'a>(
        &'a self,
        owner: &'a Meta,
        link: impl Fn(&T) -> Option<&Ref> + 'a,
    ) -> impl Iterator<Item = &'a T> + 'a {
        T::all(self)
            .iter()
            .filter(move |c| link(c).is_some_and(|r| self.refers_to(r, owner)))
    }

    /// Rules of a security group (inline and standalone).
    pub fn sg_rules_of<'a>(&'a self, sg: &'a SecurityGroup) -> impl Iterator<Item = &'a SgRule> {
        self.children(&sg.meta, |r: &SgRule| r.group.get())
    }

    /// Entries of a network ACL (inline and standalone).
    pub fn nacl_rules_of<'a>(&'a self, acl: &'a NetworkAcl) -> impl Iterator<Item = &'a NaclRule> {
        self.children(&acl.meta, |r: &NaclRule| r.acl.get())
    }

    /// Routes of a route table (inline and standalone).
    pub fn routes_of<'a>(&'a self, rt: &'a RouteTable) -> impl Iterator<Item = &'a Route> {
        self.children(&rt.meta, |r: &Route| r.table.get())
    }

    /// The route table that governs a subnet: its explicit association, or
    /// else the main route table of its VPC.
    pub fn route_table_of_subnet(&self, subnet: &Subnet) -> Lookup<&RouteTable> {
        let mut unknown = None;
        for assoc in &self.route_table_associations {
            let AssociationTarget::Subnet(target) = &assoc.target else {
                continue;
            };
            match target.get() {
                Some(r) if self.refers_to(r, &subnet.meta) => {
                    return match self.resolve::<RouteTable>(&assoc.table) {
                        Ok(Some(rt)) => Lookup::Found(rt),
                        Ok(None) => Lookup::Outside(format!(
                            "route table of `{}` is not in the scanned input",
                            subnet.meta.address
                        )),
                        Err(reason) => Lookup::Unknown(reason),
                    };
                }
                None => unknown = target.unknown_reason().map(str::to_owned),
                _ => {}
            }
        }
        if let Some(reason) = unknown {
            return Lookup::Unknown(format!(
                "a route table association has an unknown subnet ({reason})"
            ));
        }
        let Some(vpc) = subnet.vpc.get() else {
            return Lookup::Unknown(format!("VPC of `{}` is unknown", subnet.meta.address));
        };
        // Explicit main-table associations first, then tables flagged as main.
        for assoc in &self.route_table_associations {
            if let AssociationTarget::MainOf(v) = &assoc.target {
                if v.get() == Some(vpc) {
                    if let Ok(Some(rt)) = self.resolve::<RouteTable>(&assoc.table) {
                        return Lookup::Found(rt);
                    }
                }
            }
        }
        match self
            .route_tables
            .iter()
            .find(|rt| rt.main && rt.vpc.get() == Some(vpc))
        {
            Some(rt) => Lookup::Found(rt),
            // A VPC's implicit main table only has the local route.
            None => Lookup::ImplicitMain,
        }
    }

    /// Whether a subnet routes any destination to an internet gateway (a
    /// "public" subnet) or a NAT gateway.
    pub fn subnet_egress(&self, subnet: &Subnet) -> Lookup<SubnetEgress> {
        let rt = match self.route_table_of_subnet(subnet) {
            Lookup::Found(rt) => rt,
            Lookup::ImplicitMain => return Lookup::Found(SubnetEgress::default()),
            Lookup::Outside(r) => return Lookup::Outside(r),
            Lookup::Unknown(r) => return Lookup::Unknown(r),
        };
        let mut egress = SubnetEgress {
            route_table: Some(rt.meta.address.clone()),
            ..Default::default()
        };
        for route in self.routes_of(rt) {
            match route.target.get() {
                Some(RouteTarget::InternetGateway(_)) => {
                    egress.internet_gateway.push(route.meta.clone())
                }
                Some(RouteTarget::NatGateway(_)) => egress.nat_gateway.push(route.meta.clone()),
                Some(_) => {}
                None => {
                    return Lookup::Unknown(format!(
                        "target of route `{}` is unknown",
                        route.meta.address
                    ))
                }
            }
        }
        Lookup::Found(egress)
    }

    /// Network ACLs associated with a subnet (explicitly or as the VPC's default).
    pub fn nacls_of_subnet<'a>(&'a self, subnet: &'a Subnet) -> Vec<&'a NetworkAcl> {
        let explicit: Vec<_> = self
            .network_acls
            .iter()
            .filter(|acl| {
                acl.subnets
                    .get()
                    .is_some_and(|s| s.iter().any(|r| self.refers_to(r, &subnet.meta)))
            })
            .collect();
        if !explicit.is_empty() {
            return explicit;
        }
        self.network_acls
            .iter()
            .filter(|acl| {
                acl.is_default && acl.vpc.get().is_some() && acl.vpc.get() == subnet.vpc.get()
            })
            .collect()
    }

    /// Grants (inline and attached policies) that apply to a principal directly.
    pub fn grants_of<'a>(&'a self, principal: &'a Meta) -> impl Iterator<Item = &'a IamGrant> {
        self.iam_grants.iter().filter(move |g| {
            g.principal
                .get()
                .is_some_and(|r| self.refers_to(r, principal))
        })
    }
}

/// Result of following links through the model.
#[derive(Clone, Debug, PartialEq)]
pub enum Lookup<T> {
    Found(T),
    /// Nothing explicit: the VPC's implicit main route table (local route only).
    ImplicitMain,
    /// The link points to something not in the scanned input.
    Outside(String),
    /// The link could not be decided.
    Unknown(String),
}

/// How a subnet reaches outside its VPC.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SubnetEgress {
    pub route_table: Option<String>,
    /// Routes to an internet gateway.
    pub internet_gateway: Vec<Meta>,
    /// Routes to a NAT gateway.
    pub nat_gateway: Vec<Meta>,
}

impl SubnetEgress {
    pub fn is_public(&self) -> bool {
        !self.internet_gateway.is_empty()
    }
}

// ---------------------------------------------------------------- network

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Vpc {
    pub meta: Meta,
    pub cidr: Val<Option<String>>,
    /// The account's default VPC (`aws_default_vpc`).
    pub is_default: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Subnet {
    pub meta: Meta,
    pub vpc: Val<Ref>,
    pub cidr: Val<Option<String>>,
    pub ipv6_cidr: Val<Option<String>>,
    pub availability_zone: Val<Option<String>>,
    /// Instances launched here get a public IPv4 address (default false).
    pub map_public_ip_on_launch: Val<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RouteTable {
    pub meta: Meta,
    pub vpc: Val<Ref>,
    /// This is the VPC's main route table (`aws_default_route_table`).
    pub main: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", content = "ref", rename_all = "snake_case")]
pub enum RouteTarget {
    InternetGateway(Ref),
    EgressOnlyInternetGateway(Ref),
    NatGateway(Ref),
    VpcEndpoint(Ref),
    VpcPeering(Ref),
    TransitGateway(Ref),
    NetworkInterface(Ref),
    VirtualPrivateGateway(Ref),
    Local,
    Other(String),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Route {
    pub meta: Meta,
    pub table: Val<Ref>,
    pub destination_v4: Val<Option<String>>,
    pub destination_v6: Val<Option<String>>,
    pub destination_prefix_list: Val<Option<Ref>>,
    pub target: Val<RouteTarget>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", content = "ref", rename_all = "snake_case")]
pub enum AssociationTarget {
    Subnet(Val<Ref>),
    Gateway(Val<Ref>),
    /// Makes the table the main table of this VPC.
    MainOf(Val<Ref>),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RouteTableAssociation {
    pub meta: Meta,
    pub table: Val<Ref>,
    pub target: AssociationTarget,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InternetGateway {
    pub meta: Meta,
    pub vpc: Val<Option<Ref>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NatGateway {
    pub meta: Meta,
    pub subnet: Val<Ref>,
    /// `connectivity_type = "public"` (the default).
    pub public: Val<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VpcEndpoint {
    pub meta: Meta,
    pub vpc: Val<Ref>,
    pub service_name: Val<String>,
    /// `Gateway` (default), `Interface`, `GatewayLoadBalancer`.
    pub endpoint_type: Val<String>,
    pub route_tables: Val<Vec<Ref>>,
    pub subnets: Val<Vec<Ref>>,
    pub security_groups: Val<Vec<Ref>>,
    pub policy: Val<Option<PolicyDoc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VpcPeering {
    pub meta: Meta,
    pub vpc: Val<Ref>,
    pub peer_vpc: Val<Ref>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NetworkAcl {
    pub meta: Meta,
    pub vpc: Val<Ref>,
    pub subnets: Val<Vec<Ref>>,
    /// The VPC's default ACL (`aws_default_network_acl`).
    pub is_default: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NaclRule {
    pub meta: Meta,
    pub acl: Val<Ref>,
    pub number: Val<i64>,
    pub egress: bool,
    /// Protocol number as a string (`-1`, `6`, `17`) or name (`tcp`).
    pub protocol: Val<String>,
    /// `allow` or `deny`.
    pub action: Val<String>,
    pub cidr_v4: Val<Option<String>>,
    pub cidr_v6: Val<Option<String>>,
    pub from_port: Val<Option<i64>>,
    pub to_port: Val<Option<i64>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SecurityGroup {
    pub meta: Meta,
    pub name: Val<Option<String>>,
    pub vpc: Val<Option<Ref>>,
    /// The VPC's default security group (`aws_default_security_group`).
    pub is_default: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SgRule {
    pub meta: Meta,
    pub group: Val<Ref>,
    pub ingress: bool,
    /// `-1`/`all`, `tcp`, `udp`, `icmp`, or a protocol number.
    pub protocol: Val<String>,
    pub from_port: Val<Option<i64>>,
    pub to_port: Val<Option<i64>>,
    pub cidrs_v4: Val<Vec<String>>,
    pub cidrs_v6: Val<Vec<String>>,
    pub source_groups: Val<Vec<Ref>>,
    pub prefix_lists: Val<Vec<Ref>>,
    /// The rule names its own group as peer (`self = true`).
    pub self_ref: bool,
}

impl SgRule {
    /// True when the protocol is "all traffic".
    pub fn all_protocols(&self) -> Option<bool> {
        self.protocol
            .get()
            .map(|p| matches!(p.to_ascii_lowercase().as_str(), "-1" | "all"))
    }

    /// Whether the protocol has TCP/UDP ports: `Some(true)` for TCP, UDP
    /// and all protocols; `Some(false)` for ICMP and ICMPv6 (whose
    /// `from_port`/`to_port` are ICMP types and codes, `-1` for all) and
    /// every other protocol (ESP, GRE...), which no port of a service such
    /// as SSH or a database is reached through; `None` when the protocol
    /// is unknown.
    pub fn has_ports(&self) -> Option<bool> {
        let p = self.protocol.get()?.trim().to_ascii_lowercase();
        Some(matches!(
            p.as_str(),
            "-1" | "all" | "tcp" | "udp" | "6" | "17"
        ))
    }

    /// Inclusive TCP/UDP port range the rule covers; `None` when unknown.
    /// All protocols (and missing ports) mean every port. Meaningful only
    /// when [`SgRule::has_ports`] is true: for ICMP the numbers are types
    /// and codes.
    pub fn port_range(&self) -> Option<(i64, i64)> {
        if self.all_protocols()? {
            return Some((0, 65535));
        }
        let from = *self.from_port.get()?;
        let to = *self.to_port.get()?;
        match (from, to) {
            (None, None) => Some((0, 65535)),
            (Some(f), Some(t)) if f <= 0 && (t <= 0 || t >= 65535) => Some((0, 65535)),
            (Some(f), Some(t)) => Some((f, t)),
            (Some(f), None) => Some((f, f)),
            (None, Some(t)) => Some((t, t)),
        }
    }
}

// ----------------------------------------------------------- load balancing

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LoadBalancer {
    pub meta: Meta,
    /// `application` (default), `network`, `gateway`, or `classic`.
    pub lb_type: Val<String>,
    pub internal: Val<bool>,
    pub subnets: Val<Vec<Ref>>,
    pub security_groups: Val<Vec<Ref>>,
    pub access_logs: Val<bool>,
    pub drop_invalid_headers: Val<bool>,
}

impl LoadBalancer {
    pub fn internet_facing(&self) -> Option<bool> {
        self.internal.get().map(|i| !i)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ListenerAction {
    Redirect { protocol: Option<String> },
    Forward,
    FixedResponse,
    Other { kind: String },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Listener {
    pub meta: Meta,
    pub load_balancer: Val<Ref>,
    pub port: Val<Option<i64>>,
    pub protocol: Val<Option<String>>,
    pub ssl_policy: Val<Option<String>>,
    pub certificate: Val<Option<String>>,
    pub default_actions: Val<Vec<ListenerAction>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TargetGroup {
    pub meta: Meta,
    pub protocol: Val<Option<String>>,
    pub port: Val<Option<i64>>,
    pub target_type: Val<String>,
    pub vpc: Val<Option<Ref>>,
}

// ------------------------------------------------------------------- edge

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CloudFrontOrigin {
    pub domain: Val<String>,
    /// Present for custom origins: `http-only`, `https-only`, `match-viewer`.
    pub protocol_policy: Val<Option<String>>,
    pub ssl_protocols: Val<Vec<String>>,
    /// An S3 origin (with or without origin access control).
    pub s3: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CloudFrontDistribution {
    pub meta: Meta,
    pub web_acl: Val<Option<Ref>>,
    /// The viewer protocol policy of the default and every ordered cache behaviour.
    pub viewer_protocol_policies: Vec<Val<String>>,
    pub minimum_protocol_version: Val<String>,
    pub default_certificate: Val<bool>,
    pub origins: Vec<CloudFrontOrigin>,
    pub logging: Val<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WafRule {
    pub name: Val<String>,
    /// `(vendor, name)` of a managed rule group statement.
    pub managed_group: Option<(String, String)>,
    pub ip_set: Option<Ref>,
    pub rate_based: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WafWebAcl {
    pub meta: Meta,
    /// `REGIONAL` or `CLOUDFRONT`.
    pub scope: Val<String>,
    pub rules: Val<Vec<WafRule>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WafAssociation {
    pub meta: Meta,
    pub resource: Val<Ref>,
    pub web_acl: Val<Ref>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WafLogging {
    pub meta: Meta,
    pub web_acl: Val<Ref>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WafIpSet {
    pub meta: Meta,
    pub addresses: Val<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ShieldProtection {
    pub meta: Meta,
    pub resource: Val<Ref>,
}

// ------------------------------------------------------------------- data

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DbInstance {
    pub meta: Meta,
    pub engine: Val<Option<String>>,
    /// Member of an Aurora cluster: storage settings live on the cluster.
    pub cluster: Val<Option<Ref>>,
    pub publicly_accessible: Val<bool>,
    pub storage_encrypted: Val<bool>,
    pub kms_key: Val<Option<Ref>>,
    pub subnet_group: Val<Option<Ref>>,
    pub parameter_group: Val<Option<Ref>>,
    pub security_groups: Val<Vec<Ref>>,
    pub multi_az: Val<bool>,
    pub backup_retention_days: Val<i64>,
    pub deletion_protection: Val<bool>,
    pub iam_authentication: Val<bool>,
    pub log_exports: Val<Vec<String>>,
    /// The master password is managed in Secrets Manager by RDS.
    pub managed_master_password: Val<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DbCluster {
    pub meta: Meta,
    pub engine: Val<Option<String>>,
    pub storage_encrypted: Val<bool>,
    pub kms_key: Val<Option<Ref>>,
    pub subnet_group: Val<Option<Ref>>,
    pub parameter_group: Val<Option<Ref>>,
    pub security_groups: Val<Vec<Ref>>,
    pub backup_retention_days: Val<i64>,
    pub deletion_protection: Val<bool>,
    pub iam_authentication: Val<bool>,
    pub log_exports: Val<Vec<String>>,
    pub managed_master_password: Val<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DbSubnetGroup {
    pub meta: Meta,
    pub subnets: Val<Vec<Ref>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DbParameter {
    pub name: Val<String>,
    pub value: Val<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DbParameterGroup {
    pub meta: Meta,
    pub family: Val<Option<String>>,
    /// A cluster parameter group (Aurora).
    pub cluster: bool,
    pub parameters: Vec<DbParameter>,
}

impl DbParameterGroup {
    /// The value of a parameter, by case-insensitive name.
    pub fn parameter(&self, name: &str) -> Option<&DbParameter> {
        self.parameters
            .iter()
            .find(|p| p.name.get().is_some_and(|n| n.eq_ignore_ascii_case(name)))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct S3Encryption {
    /// `AES256`, `aws:kms`, `aws:kms:dsse`.
    pub algorithm: Val<String>,
    pub kms_key: Val<Option<Ref>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PublicAccessBlock {
    pub block_public_acls: Val<bool>,
    pub block_public_policy: Val<bool>,
    pub ignore_public_acls: Val<bool>,
    pub restrict_public_buckets: Val<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct S3Bucket {
    pub meta: Meta,
    pub name: Val<Option<String>>,
    pub acl: Val<Option<String>>,
    pub versioning: Val<bool>,
    /// Explicit default encryption; `None` means S3's default (SSE-S3).
    pub encryption: Val<Option<S3Encryption>>,
    pub policy: Val<Option<PolicyDoc>>,
    pub public_access_block: Option<PublicAccessBlock>,
    pub logging: Val<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KmsKey {
    pub meta: Meta,
    pub description: Val<Option<String>>,
    pub rotation: Val<bool>,
    pub rotation_period_days: Val<Option<i64>>,
    pub policy: Val<Option<PolicyDoc>>,
    /// `SYMMETRIC_DEFAULT` unless an asymmetric or HMAC spec is set
    /// (rotation only applies to symmetric keys).
    pub key_spec: Val<String>,
    pub deletion_window_days: Val<Option<i64>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KmsAlias {
    pub meta: Meta,
    pub name: Val<Option<String>>,
    pub target: Val<Ref>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SecretRotation {
    pub loc: Option<crate::Location>,
    pub enabled: Val<bool>,
    pub days: Val<Option<i64>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SecretsManagerSecret {
    pub meta: Meta,
    pub name: Val<Option<String>>,
    pub kms_key: Val<Option<Ref>>,
    pub rotation: Option<SecretRotation>,
    pub policy: Val<Option<PolicyDoc>>,
}

// -------------------------------------------------------------- identity

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IamRole {
    pub meta: Meta,
    pub name: Val<Option<String>>,
    pub trust_policy: Val<PolicyDoc>,
    pub permissions_boundary: Val<Option<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IamPolicy {
    pub meta: Meta,
    pub name: Val<Option<String>>,
    pub document: Val<PolicyDoc>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IamUser {
    pub meta: Meta,
    pub name: Val<Option<String>>,
    pub permissions_boundary: Val<Option<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IamGroup {
    pub meta: Meta,
    pub name: Val<Option<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum GrantedPolicy {
    /// An inline policy document.
    Inline(Val<PolicyDoc>),
    /// A managed policy, by link (a policy in the model) or AWS-managed ARN.
    Managed(Val<Ref>),
}

/// A policy that applies to a user, group or role: inline policies and
/// policy attachments, however written.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IamGrant {
    pub meta: Meta,
    pub principal: Val<Ref>,
    pub policy: GrantedPolicy,
}

impl IamGrant {
    /// The policy document, following a managed policy link into the model.
    pub fn document<'a>(&'a self, aws: &'a Aws) -> Option<&'a PolicyDoc> {
        match &self.policy {
            GrantedPolicy::Inline(doc) => doc.get(),
            GrantedPolicy::Managed(r) => aws
                .resolve::<IamPolicy>(r)
                .ok()
                .flatten()
                .and_then(|p| p.document.get()),
        }
    }

    /// The AWS-managed policy name (`AdministratorAccess`) when the grant
    /// attaches one by ARN.
    pub fn aws_managed_name(&self) -> Option<&str> {
        match &self.policy {
            GrantedPolicy::Managed(r) => r
                .get()
                .and_then(|r| r.key().strip_prefix("arn:aws:iam::aws:policy/"))
                .map(|n| n.rsplit('/').next().unwrap_or(n)),
            GrantedPolicy::Inline(_) => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IamGroupMembership {
    pub meta: Meta,
    pub group: Val<Ref>,
    pub users: Val<Vec<Ref>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IamAccessKey {
    pub meta: Meta,
    pub user: Val<Ref>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IamLoginProfile {
    pub meta: Meta,
    pub user: Val<Ref>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IamOidcProvider {
    pub meta: Meta,
    pub url: Val<Option<String>>,
    pub client_ids: Val<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IamSamlProvider {
    pub meta: Meta,
}

// ------------------------------------------------------------- compute

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EksCluster {
    pub meta: Meta,
    pub name: Val<Option<String>>,
    pub endpoint_private_access: Val<bool>,
    pub endpoint_public_access: Val<bool>,
    pub public_access_cidrs: Val<Vec<String>>,
    /// KMS key used to envelope-encrypt Kubernetes Secrets, when configured.
    pub secrets_encryption_key: Val<Option<Ref>>,
    pub log_types: Val<Vec<String>>,
    pub subnets: Val<Vec<Ref>>,
    pub security_groups: Val<Vec<Ref>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EksNodeGroup {
    pub meta: Meta,
    pub cluster: Val<Option<Ref>>,
    pub subnets: Val<Vec<Ref>>,
    pub launch_template: Val<Option<Ref>>,
    /// SSH access configured on the node group (`remote_access`).
    pub remote_access: Val<bool>,
    pub remote_access_sources: Val<Vec<Ref>>,
    pub node_role: Val<Option<Ref>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EksPodIdentityAssociation {
    pub meta: Meta,
    pub cluster: Val<Option<Ref>>,
    pub namespace: Val<String>,
    pub service_account: Val<String>,
    pub role: Val<Ref>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BlockDevice {
    pub loc: Option<crate::Location>,
    pub encrypted: Val<bool>,
    pub kms_key: Val<Option<Ref>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LaunchTemplate {
    pub meta: Meta,
    /// IMDS `http_tokens`: `required` means IMDSv2 only.
    pub http_tokens: Val<String>,
    pub http_put_response_hop_limit: Val<i64>,
    pub block_devices: Vec<BlockDevice>,
    pub associate_public_ip: Val<Option<bool>>,
    pub image_id: Val<Option<String>>,
    /// Security groups of the instances it launches (`vpc_security_group_ids`
    /// and the network interfaces' `security_groups`); empty when not written
    /// (EKS managed nodes then get the EKS cluster security group).
    pub security_groups: Val<Vec<Ref>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Instance {
    pub meta: Meta,
    pub subnet: Val<Option<Ref>>,
    pub associate_public_ip: Val<Option<bool>>,
    pub security_groups: Val<Vec<Ref>>,
    pub http_tokens: Val<String>,
    pub root_encrypted: Val<bool>,
    pub block_devices: Vec<BlockDevice>,
    pub image_id: Val<Option<String>>,
    pub iam_instance_profile: Val<Option<Ref>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EbsVolume {
    pub meta: Meta,
    pub encrypted: Val<bool>,
    pub kms_key: Val<Option<Ref>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EbsEncryptionByDefault {
    pub meta: Meta,
    pub enabled: Val<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LambdaFunction {
    pub meta: Meta,
    pub role: Val<Option<Ref>>,
    pub subnets: Val<Vec<Ref>>,
    pub security_groups: Val<Vec<Ref>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EcrRepository {
    pub meta: Meta,
    pub scan_on_push: Val<bool>,
    pub immutable_tags: Val<bool>,
    pub kms_key: Val<Option<Ref>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OpenSearchDomain {
    pub meta: Meta,
    pub encrypt_at_rest: Val<bool>,
    pub node_to_node_encryption: Val<bool>,
    pub enforce_https: Val<bool>,
}

// ----------------------------------------------------------- monitoring

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CloudTrail {
    pub meta: Meta,
    pub multi_region: Val<bool>,
    pub log_file_validation: Val<bool>,
    pub kms_key: Val<Option<Ref>>,
    pub bucket: Val<Option<Ref>>,
    pub organization: Val<bool>,
    pub logging: Val<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConfigRecorder {
    pub meta: Meta,
    pub all_supported: Val<bool>,
    pub include_global: Val<bool>,
    /// From the recorder status resource; `None` when not declared.
    pub recording: Option<Val<bool>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConfigRule {
    pub meta: Meta,
    pub source_identifier: Val<Option<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConfigDeliveryChannel {
    pub meta: Meta,
    pub sns_topic: Val<Option<Ref>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GuardDutyDetector {
    pub meta: Meta,
    pub enabled: Val<bool>,
    /// EKS audit-log monitoring (`EKS_AUDIT_LOGS` feature or the legacy
    /// `datasources.kubernetes` block).
    pub eks_protection: Val<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SecurityHubAccount {
    pub meta: Meta,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InspectorEnabler {
    pub meta: Meta,
    pub resource_types: Val<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FlowLog {
    pub meta: Meta,
    /// The VPC, subnet or interface being logged.
    pub target: Val<Ref>,
    pub traffic_type: Val<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SnsTopic {
    pub meta: Meta,
    pub kms_key: Val<Option<Ref>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SnsSubscription {
    pub meta: Meta,
    pub topic: Val<Ref>,
    pub protocol: Val<String>,
    pub endpoint: Val<Option<Ref>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OrganizationPolicy {
    pub meta: Meta,
    /// `SERVICE_CONTROL_POLICY` (default), `RESOURCE_CONTROL_POLICY`, `TAG_POLICY`...
    pub policy_type: Val<String>,
    pub content: Val<PolicyDoc>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LogGroup {
    pub meta: Meta,
    pub kms_key: Val<Option<Ref>>,
    pub retention_days: Val<Option<i64>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OtherResource {
    pub meta: Meta,
}

#[cfg(test)]
mod sg_rule_tests {
    use super::*;
    use crate::Location;

    fn rule(protocol: &str, from: i64, to: i64) -> SgRule {
        let at = Location::new("main.tf", 1, 1);
        SgRule {
            meta: Meta::new(
                "aws_security_group_rule.r",
                "aws_security_group_rule",
                at.clone(),
            ),
            group: Val::known(Ref::new("aws_security_group.g"), at.clone()),
            ingress: true,
            protocol: Val::known(protocol.to_owned(), at.clone()),
            from_port: Val::known(Some(from), at.clone()),
            to_port: Val::known(Some(to), at.clone()),
            cidrs_v4: Val::known(vec!["0.0.0.0/0".to_owned()], at),
            cidrs_v6: Val::default_(Vec::new()),
            source_groups: Val::default_(Vec::new()),
            prefix_lists: Val::default_(Vec::new()),
            self_ref: false,
        }
    }

    #[test]
    fn only_tcp_udp_and_all_traffic_have_ports() {
        for p in ["tcp", "UDP", "6", "17", "-1", "all"] {
            assert_eq!(rule(p, 22, 22).has_ports(), Some(true), "{p}");
        }
        // ICMP `-1`/`-1` is every ICMP type, not every port.
        for p in ["icmp", "icmpv6", "1", "58", "50", "gre", "132"] {
            assert_eq!(rule(p, -1, -1).has_ports(), Some(false), "{p}");
        }
        let mut unknown = rule("tcp", 22, 22);
        unknown.protocol = Val::unknown("var.p has no value", None);
        assert_eq!(unknown.has_ports(), None);
        assert_eq!(unknown.port_range(), None);
    }
}
