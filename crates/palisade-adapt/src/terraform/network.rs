//! VPCs, subnets, routing, gateways, endpoints, network ACLs and security groups.

use super::read::{ref_type, uval, Obj};
use super::{add_keys, find, meta, Cx};
use palisade_model::aws::{
    AssociationTarget, Aws, InternetGateway, NaclRule, NatGateway, NetworkAcl, Route, RouteTable,
    RouteTableAssociation, RouteTarget, SecurityGroup, SgRule, Subnet, Vpc, VpcEndpoint,
    VpcPeering,
};
use palisade_model::raw::{Raw, RawResource};
use palisade_model::{Location, Meta, Ref, Val};

pub(crate) fn adapt<'a>(cx: &mut Cx<'a>, aws: &mut Aws, r: &'a RawResource) -> bool {
    let o = Obj::root(r);
    match r.kind.as_str() {
        "aws_vpc" => {
            let cidr = match cx.str_opt(&o, "cidr_block") {
                Val::Default { .. } if o.has("ipv4_ipam_pool_id") => {
                    let reason = "the CIDR is allocated from an IPAM pool at apply".to_owned();
                    cx.unknown(&o, "cidr_block", r.loc.clone(), reason)
                }
                v => v,
            };
            aws.vpcs.push(Vpc {
                meta: meta(r),
                cidr,
                is_default: false,
            });
        }
        "aws_default_vpc" => aws.vpcs.push(Vpc {
            meta: meta(r),
            // AWS creates every default VPC with this block.
            cidr: Val::default_(Some("172.31.0.0/16".into())),
            is_default: true,
        }),
        "aws_subnet" => {
            let s = Subnet {
                meta: meta(r),
                vpc: cx.link(&o, "vpc_id"),
                cidr: cx.str_opt(&o, "cidr_block"),
                ipv6_cidr: cx.str_opt(&o, "ipv6_cidr_block"),
                availability_zone: cx.str_opt(&o, "availability_zone"),
                map_public_ip_on_launch: cx.bool(&o, "map_public_ip_on_launch", false),
            };
            aws.subnets.push(s);
        }
        "aws_default_subnet" => {
            // Default subnets belong to the default VPC.
            let vpcs: Vec<&str> = cx
                .by_addr
                .values()
                .filter(|x| x.kind == "aws_default_vpc")
                .map(|x| x.address.as_str())
                .collect();
            let vpc = match vpcs.as_slice() {
                [one] => Val::known(Ref::new(*one), r.loc.clone()),
                _ => {
                    let reason = "the default VPC of a default subnet is not (uniquely) in the scanned input".to_owned();
                    cx.unknown(&o, "vpc_id", r.loc.clone(), reason)
                }
            };
            let s = Subnet {
                meta: meta(r),
                vpc,
                cidr: Val::default_(None),
                ipv6_cidr: Val::default_(None),
                availability_zone: cx.str_opt(&o, "availability_zone"),
                map_public_ip_on_launch: cx.bool(&o, "map_public_ip_on_launch", true),
            };
            aws.subnets.push(s);
        }
        "aws_route_table" => {
            let vpc = cx.link(&o, "vpc_id");
            inline_routes(cx, aws, r, &o);
            aws.route_tables.push(RouteTable {
                meta: meta(r),
                vpc,
                main: false,
            });
        }
        "aws_default_route_table" => {
            let vpc = default_owner_vpc(cx, &o, "default_route_table_id");
            inline_routes(cx, aws, r, &o);
            aws.route_tables.push(RouteTable {
                meta: meta(r),
                vpc,
                main: true,
            });
        }
        "aws_route" => {
            let table = cx.link(&o, "route_table_id");
            let route = route_from(
                cx,
                &o,
                table,
                meta(r),
                "destination_cidr_block",
                "destination_ipv6_cidr_block",
            );
            aws.routes.push(route);
        }
        "aws_route_table_association" => {
            let table = cx.link(&o, "route_table_id");
            let target = if o.has("subnet_id") || !o.has("gateway_id") {
                AssociationTarget::Subnet(cx.link(&o, "subnet_id"))
            } else {
                AssociationTarget::Gateway(cx.link(&o, "gateway_id"))
            };
            aws.route_table_associations.push(RouteTableAssociation {
                meta: meta(r),
                table,
                target,
            });
        }
        "aws_main_route_table_association" => {
            let table = cx.link(&o, "route_table_id");
            let target = AssociationTarget::MainOf(cx.link(&o, "vpc_id"));
            aws.route_table_associations.push(RouteTableAssociation {
                meta: meta(r),
                table,
                target,
            });
        }
        "aws_internet_gateway" => {
            let vpc = cx.link_opt(&o, "vpc_id");
            aws.internet_gateways
                .push(InternetGateway { meta: meta(r), vpc });
        }
        "aws_nat_gateway" => {
            let subnet = cx.link(&o, "subnet_id");
            let public = cx
                .str_or(&o, "connectivity_type", "public")
                .map(|t| t == "public");
            aws.nat_gateways.push(NatGateway {
                meta: meta(r),
                subnet,
                public,
            });
        }
        "aws_vpc_endpoint" => {
            let e = VpcEndpoint {
                meta: meta(r),
                vpc: cx.link(&o, "vpc_id"),
                service_name: cx.str_req(&o, "service_name"),
                endpoint_type: cx.str_or(&o, "vpc_endpoint_type", "Gateway"),
                route_tables: cx.links(&o, "route_table_ids"),
                subnets: cx.links(&o, "subnet_ids"),
                security_groups: cx.links(&o, "security_group_ids"),
                policy: cx.policy_opt(&o, "policy"),
            };
            aws.vpc_endpoints.push(e);
        }
        "aws_vpc_peering_connection" => {
            let p = VpcPeering {
                meta: meta(r),
                vpc: cx.link(&o, "vpc_id"),
                peer_vpc: cx.link(&o, "peer_vpc_id"),
            };
            aws.vpc_peerings.push(p);
        }
        "aws_network_acl" | "aws_default_network_acl" => {
            let is_default = r.kind == "aws_default_network_acl";
            let vpc = if is_default {
                default_owner_vpc(cx, &o, "default_network_acl_id")
            } else {
                cx.link(&o, "vpc_id")
            };
            let subnets = cx.links(&o, "subnet_ids");
            let link = Val::known(Ref::new(r.address.clone()), r.loc.clone());
            for egress in [false, true] {
                let key = if egress { "egress" } else { "ingress" };
                let blocks = o.blocks(key);
                for b in &blocks.items {
                    let m = Meta::new(
                        format!("{}.{}", r.address, b.path),
                        r.kind.clone(),
                        b.loc.clone(),
                    );
                    let rule = nacl_rule(cx, b, m, link.clone(), egress, "rule_no", "action");
                    aws.nacl_rules.push(rule);
                }
                if let Some((reason, loc)) = blocks.unknown {
                    let m = Meta::new(
                        format!("{}.{key}[*]", r.address),
                        r.kind.clone(),
                        loc.clone(),
                    );
                    aws.nacl_rules.push(unknown_nacl_rule(
                        cx,
                        &o,
                        key,
                        m,
                        link.clone(),
                        egress,
                        reason,
                        loc,
                    ));
                }
            }
            aws.network_acls.push(NetworkAcl {
                meta: meta(r),
                vpc,
                subnets,
                is_default,
            });
        }
        "aws_network_acl_rule" => {
            let acl = cx.link(&o, "network_acl_id");
            let egress = cx.bool(&o, "egress", false);
            let mut rule = nacl_rule(
                cx,
                &o,
                meta(r),
                acl,
                egress.is_true(),
                "rule_number",
                "rule_action",
            );
            if let Val::Unknown { reason, loc } = egress {
                rule.action = Val::Unknown {
                    reason: format!("the direction of the entry is unknown: {reason}"),
                    loc,
                };
            }
            aws.nacl_rules.push(rule);
        }
        "aws_security_group" | "aws_default_security_group" => {
            let is_default = r.kind == "aws_default_security_group";
            let name = if is_default {
                Val::default_(Some("default".into()))
            } else {
                cx.str_opt(&o, "name")
            };
            let vpc = cx.link_opt(&o, "vpc_id");
            let group = Val::known(Ref::new(r.address.clone()), r.loc.clone());
            for ingress in [true, false] {
                let key = if ingress { "ingress" } else { "egress" };
                let blocks = o.blocks(key);
                for b in &blocks.items {
                    let m = Meta::new(
                        format!("{}.{}", r.address, b.path),
                        r.kind.clone(),
                        b.loc.clone(),
                    );
                    let rule = SgRule {
                        meta: m,
                        group: group.clone(),
                        ingress,
                        protocol: cx.str_req(b, "protocol"),
                        from_port: cx.int_opt(b, "from_port"),
                        to_port: cx.int_opt(b, "to_port"),
                        cidrs_v4: cx.strs(b, "cidr_blocks", &[]),
                        cidrs_v6: cx.strs(b, "ipv6_cidr_blocks", &[]),
                        source_groups: cx.links(b, "security_groups"),
                        prefix_lists: cx.links(b, "prefix_list_ids"),
                        self_ref: cx.bool(b, "self", false).is_true(),
                    };
                    aws.sg_rules.push(normalise_self(rule));
                }
                if let Some((reason, loc)) = blocks.unknown {
                    let m = Meta::new(
                        format!("{}.{key}[*]", r.address),
                        r.kind.clone(),
                        loc.clone(),
                    );
                    aws.sg_rules.push(unknown_sg_rule(
                        cx,
                        &o,
                        key,
                        m,
                        group.clone(),
                        ingress,
                        reason,
                        loc,
                    ));
                }
            }
            let mut m = meta(r);
            if let Some(n) = Cx::known_str(&name) {
                if !is_default {
                    add_keys(&mut m, [n]);
                }
            }
            aws.security_groups.push(SecurityGroup {
                meta: m,
                name,
                vpc,
                is_default,
            });
        }
        "aws_security_group_rule" => {
            let group = cx.link(&o, "security_group_id");
            let ty = cx.str_req(&o, "type");
            let source = cx.link_opt(&o, "source_security_group_id");
            let mut rule = SgRule {
                meta: meta(r),
                group,
                ingress: !ty.is(&"egress".to_owned()),
                protocol: cx.str_req(&o, "protocol"),
                from_port: cx.int_opt(&o, "from_port"),
                to_port: cx.int_opt(&o, "to_port"),
                cidrs_v4: cx.strs(&o, "cidr_blocks", &[]),
                cidrs_v6: cx.strs(&o, "ipv6_cidr_blocks", &[]),
                source_groups: opt_to_vec(source),
                prefix_lists: cx.links(&o, "prefix_list_ids"),
                self_ref: cx.bool(&o, "self", false).is_true(),
            };
            if let Val::Unknown { reason, loc } = ty {
                rule.protocol = Val::Unknown {
                    reason: format!("the direction of the rule is unknown: {reason}"),
                    loc,
                };
            }
            aws.sg_rules.push(normalise_self(rule));
        }
        "aws_vpc_security_group_ingress_rule" | "aws_vpc_security_group_egress_rule" => {
            let rule = SgRule {
                meta: meta(r),
                group: cx.link(&o, "security_group_id"),
                ingress: r.kind == "aws_vpc_security_group_ingress_rule",
                protocol: cx.str_req(&o, "ip_protocol"),
                from_port: cx.int_opt(&o, "from_port"),
                to_port: cx.int_opt(&o, "to_port"),
                cidrs_v4: opt_to_vec(cx.str_opt(&o, "cidr_ipv4")),
                cidrs_v6: opt_to_vec(cx.str_opt(&o, "cidr_ipv6")),
                source_groups: opt_to_vec(cx.link_opt(&o, "referenced_security_group_id")),
                prefix_lists: opt_to_vec(cx.link_opt(&o, "prefix_list_id")),
                self_ref: false,
            };
            aws.sg_rules.push(normalise_self(rule));
        }
        _ => return false,
    }
    true
}

/// An optional single value as a list.
pub(crate) fn opt_to_vec<T>(v: Val<Option<T>>) -> Val<Vec<T>> {
    v.map(|o| o.into_iter().collect())
}

/// A rule naming its own group as a peer is a `self` rule, however written.
fn normalise_self(mut rule: SgRule) -> SgRule {
    let Some(own) = rule.group.get().cloned() else {
        return rule;
    };
    if let Val::Known { value, .. } | Val::Default { value } = &mut rule.source_groups {
        let before = value.len();
        value.retain(|g| *g != own);
        if value.len() != before {
            rule.self_ref = true;
        }
    }
    rule
}

/// The VPC an `aws_default_*` resource belongs to, from the reference that
/// names the object it adopts (`aws_vpc.main.default_route_table_id`).
fn default_owner_vpc(cx: &mut Cx<'_>, o: &Obj<'_>, key: &str) -> Val<Ref> {
    let Some(n) = o.raw(key) else {
        let loc = o.loc.clone();
        return cx.unknown(o, key, loc, format!("`{key}` is not set"));
    };
    let loc = o.loc_of(n);
    match &n.value {
        Raw::Ref { address, .. } => Val::known(Ref::new(address.clone()), loc),
        Raw::Unknown(r) => cx.unknown(o, key, loc, r.clone()),
        _ => cx.unknown(
            o,
            key,
            loc,
            format!("the VPC is not known when `{key}` is given as a literal ID"),
        ),
    }
}

fn inline_routes<'a>(cx: &mut Cx<'a>, aws: &mut Aws, r: &'a RawResource, o: &Obj<'a>) {
    let table = Val::known(Ref::new(r.address.clone()), r.loc.clone());
    let blocks = o.blocks("route");
    for b in &blocks.items {
        let m = Meta::new(
            format!("{}.{}", r.address, b.path),
            r.kind.clone(),
            b.loc.clone(),
        );
        let route = route_from(cx, b, table.clone(), m, "cidr_block", "ipv6_cidr_block");
        aws.routes.push(route);
    }
    if let Some((reason, loc)) = blocks.unknown {
        let m = Meta::new(
            format!("{}.route[*]", r.address),
            r.kind.clone(),
            loc.clone(),
        );
        let destination_v4 = cx.unknown(o, "route", loc.clone(), reason.clone());
        let route = Route {
            meta: m,
            table,
            destination_v4,
            destination_v6: Val::unknown(reason.clone(), Some(loc.clone())),
            destination_prefix_list: Val::unknown(reason.clone(), Some(loc.clone())),
            target: Val::unknown(reason, Some(loc)),
        };
        aws.routes.push(route);
    }
}

fn route_from(
    cx: &mut Cx<'_>,
    o: &Obj<'_>,
    table: Val<Ref>,
    meta: Meta,
    v4: &str,
    v6: &str,
) -> Route {
    Route {
        meta,
        table,
        destination_v4: cx.str_opt(o, v4),
        destination_v6: cx.str_opt(o, v6),
        destination_prefix_list: cx.link_opt(o, "destination_prefix_list_id"),
        target: route_target(cx, o),
    }
}

/// What a route sends traffic to.
fn route_target(cx: &mut Cx<'_>, o: &Obj<'_>) -> Val<RouteTarget> {
    type Make = fn(Ref) -> RouteTarget;
    const TARGETS: &[(&str, Option<Make>)] = &[
        ("gateway_id", None),
        ("nat_gateway_id", Some(RouteTarget::NatGateway)),
        (
            "egress_only_gateway_id",
            Some(RouteTarget::EgressOnlyInternetGateway),
        ),
        ("vpc_endpoint_id", Some(RouteTarget::VpcEndpoint)),
        ("vpc_peering_connection_id", Some(RouteTarget::VpcPeering)),
        ("transit_gateway_id", Some(RouteTarget::TransitGateway)),
        ("network_interface_id", Some(RouteTarget::NetworkInterface)),
        ("instance_id", None),
        ("carrier_gateway_id", None),
        ("local_gateway_id", None),
        ("core_network_arn", None),
    ];
    if let Some(r) = &o.unknown {
        let (r, loc) = (r.clone(), o.loc.clone());
        return cx.unknown(o, "gateway_id", loc, r);
    }
    for (key, make) in TARGETS {
        if !o.has(key) {
            continue;
        }
        let link = cx.link(o, key);
        return match link {
            Val::Known { value, loc } => match (key, make) {
                (_, Some(make)) => Val::known(make(value), loc),
                (&"gateway_id", None) => match classify_gateway(&value) {
                    Some(t) => Val::known(t, loc),
                    None => {
                        let reason =
                            format!("cannot tell what kind of gateway `{}` is", value.key());
                        cx.unknown(o, key, loc, reason)
                    }
                },
                (other, None) => {
                    Val::known(RouteTarget::Other(format!("{other}={}", value.key())), loc)
                }
            },
            Val::Default { value } => Val::default_(RouteTarget::Other(value.0)),
            Val::Unknown { reason, loc } => Val::Unknown { reason, loc },
        };
    }
    let loc = o.loc.clone();
    cx.unknown(o, "gateway_id", loc, "the route has no target".into())
}

/// The kind of target a `gateway_id` names, by referenced type or ID prefix.
fn classify_gateway(r: &Ref) -> Option<RouteTarget> {
    let key = r.key();
    if key == "local" {
        return Some(RouteTarget::Local);
    }
    if let Some(t) = ref_type(key).filter(|t| t.starts_with("aws_")) {
        return match t {
            "aws_internet_gateway" => Some(RouteTarget::InternetGateway(r.clone())),
            "aws_egress_only_internet_gateway" => {
                Some(RouteTarget::EgressOnlyInternetGateway(r.clone()))
            }
            "aws_vpn_gateway" => Some(RouteTarget::VirtualPrivateGateway(r.clone())),
            "aws_vpc_endpoint" => Some(RouteTarget::VpcEndpoint(r.clone())),
            "aws_nat_gateway" => Some(RouteTarget::NatGateway(r.clone())),
            "aws_ec2_transit_gateway" => Some(RouteTarget::TransitGateway(r.clone())),
            _ => None,
        };
    }
    type Make = fn(Ref) -> RouteTarget;
    let prefixes: [(&str, Make); 6] = [
        ("igw-", RouteTarget::InternetGateway),
        ("eigw-", RouteTarget::EgressOnlyInternetGateway),
        ("vgw-", RouteTarget::VirtualPrivateGateway),
        ("vpce-", RouteTarget::VpcEndpoint),
        ("nat-", RouteTarget::NatGateway),
        ("tgw-", RouteTarget::TransitGateway),
    ];
    prefixes
        .iter()
        .find(|(p, _)| key.starts_with(p))
        .map(|(_, make)| make(r.clone()))
}

#[allow(clippy::too_many_arguments)]
fn nacl_rule(
    cx: &mut Cx<'_>,
    o: &Obj<'_>,
    meta: Meta,
    acl: Val<Ref>,
    egress: bool,
    number: &str,
    action: &str,
) -> NaclRule {
    let number = match cx.int_opt(o, number) {
        Val::Known {
            value: Some(n),
            loc,
        } => Val::known(n, loc),
        Val::Known { value: None, .. } | Val::Default { .. } => {
            let loc = o.loc.clone();
            cx.unknown(o, number, loc, format!("`{number}` is not set"))
        }
        Val::Unknown { reason, loc } => Val::Unknown { reason, loc },
    };
    NaclRule {
        meta,
        acl,
        number,
        egress,
        protocol: cx.str_req(o, "protocol"),
        action: cx.str_req(o, action),
        cidr_v4: cx.str_opt(o, "cidr_block"),
        cidr_v6: cx.str_opt(o, "ipv6_cidr_block"),
        from_port: cx.int_opt(o, "from_port"),
        to_port: cx.int_opt(o, "to_port"),
    }
}

/// Stands for the entries of an unknown `dynamic` block: every field unknown.
#[allow(clippy::too_many_arguments)]
fn unknown_nacl_rule(
    cx: &mut Cx<'_>,
    o: &Obj<'_>,
    key: &str,
    meta: Meta,
    acl: Val<Ref>,
    egress: bool,
    reason: String,
    loc: Location,
) -> NaclRule {
    NaclRule {
        meta,
        acl,
        number: cx.unknown(o, key, loc.clone(), reason.clone()),
        egress,
        protocol: uval(&reason, Some(&loc)),
        action: uval(&reason, Some(&loc)),
        cidr_v4: uval(&reason, Some(&loc)),
        cidr_v6: uval(&reason, Some(&loc)),
        from_port: uval(&reason, Some(&loc)),
        to_port: uval(&reason, Some(&loc)),
    }
}

/// Stands for the rules of an unknown `dynamic` block: every field unknown.
#[allow(clippy::too_many_arguments)]
fn unknown_sg_rule(
    cx: &mut Cx<'_>,
    o: &Obj<'_>,
    key: &str,
    meta: Meta,
    group: Val<Ref>,
    ingress: bool,
    reason: String,
    loc: Location,
) -> SgRule {
    SgRule {
        meta,
        group,
        ingress,
        protocol: cx.unknown(o, key, loc.clone(), reason.clone()),
        from_port: Val::unknown(reason.clone(), Some(loc.clone())),
        to_port: Val::unknown(reason.clone(), Some(loc.clone())),
        cidrs_v4: Val::unknown(reason.clone(), Some(loc.clone())),
        cidrs_v6: Val::unknown(reason.clone(), Some(loc.clone())),
        source_groups: Val::unknown(reason.clone(), Some(loc.clone())),
        prefix_lists: Val::unknown(reason, Some(loc)),
        self_ref: false,
    }
}

/// Appends a link to a list value (an association adding to its owner).
pub(crate) fn append_link(list: &mut Val<Vec<Ref>>, item: Val<Ref>) {
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

/// Merges network sub-resources. `false` when the owner is not in the input.
pub(crate) fn merge<'a>(cx: &mut Cx<'a>, aws: &mut Aws, r: &'a RawResource) -> bool {
    let o = Obj::root(r);
    match r.kind.as_str() {
        "aws_internet_gateway_attachment" => {
            let igw = cx.link(&o, "internet_gateway_id");
            let vpc = cx.link(&o, "vpc_id");
            let Some(i) = owner(cx, r, &igw, |l| find(&aws.internet_gateways, l)) else {
                return false;
            };
            if let Some(g) = aws.internet_gateways.get_mut(i) {
                g.vpc = vpc.map(Some);
            }
        }
        "aws_vpc_endpoint_route_table_association"
        | "aws_vpc_endpoint_subnet_association"
        | "aws_vpc_endpoint_security_group_association"
        | "aws_vpc_endpoint_policy" => {
            let ep = cx.link(&o, "vpc_endpoint_id");
            if let Some(why) = super::data::unknown_owner_reason(r, "vpc_endpoint_id", &ep) {
                let unknown = || Val::unknown(why.clone(), Some(r.loc.clone()));
                for e in &mut aws.vpc_endpoints {
                    match r.kind.as_str() {
                        "aws_vpc_endpoint_route_table_association" => {
                            append_link(&mut e.route_tables, unknown())
                        }
                        "aws_vpc_endpoint_subnet_association" => {
                            append_link(&mut e.subnets, unknown())
                        }
                        "aws_vpc_endpoint_security_group_association" => {
                            append_link(&mut e.security_groups, unknown())
                        }
                        _ => super::data::may_set(&mut e.policy, &why, &r.loc),
                    }
                }
            }
            let Some(i) = owner(cx, r, &ep, |l| find(&aws.vpc_endpoints, l)) else {
                return false;
            };
            let Some(e) = aws.vpc_endpoints.get_mut(i) else {
                return false;
            };
            match r.kind.as_str() {
                "aws_vpc_endpoint_route_table_association" => {
                    append_link(&mut e.route_tables, cx.link(&o, "route_table_id"))
                }
                "aws_vpc_endpoint_subnet_association" => {
                    append_link(&mut e.subnets, cx.link(&o, "subnet_id"))
                }
                "aws_vpc_endpoint_security_group_association" => {
                    append_link(&mut e.security_groups, cx.link(&o, "security_group_id"))
                }
                _ => e.policy = cx.policy_opt(&o, "policy"),
            }
        }
        "aws_network_acl_association" => {
            let acl = cx.link(&o, "network_acl_id");
            if let Some(why) = super::data::unknown_owner_reason(r, "network_acl_id", &acl) {
                for a in &mut aws.network_acls {
                    append_link(
                        &mut a.subnets,
                        Val::unknown(why.clone(), Some(r.loc.clone())),
                    );
                }
            }
            let Some(i) = owner(cx, r, &acl, |l| find(&aws.network_acls, l)) else {
                return false;
            };
            let subnet = cx.link(&o, "subnet_id");
            if let Some(a) = aws.network_acls.get_mut(i) {
                append_link(&mut a.subnets, subnet);
            }
        }
        _ => return false,
    }
    true
}

/// Finds the owner a sub-resource configures, noting when it cannot.
pub(crate) fn owner(
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
