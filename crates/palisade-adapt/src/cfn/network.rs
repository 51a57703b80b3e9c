//! VPCs, subnets, routing, gateways, endpoints, network ACLs and security groups.

use super::{append_link, linked_kind, opt_to_vec, own, owner};
use crate::terraform::read::{uval, Obj};
use crate::terraform::{add_keys, find, meta, Cx};
use palisade_model::aws::{
    AssociationTarget, Aws, InternetGateway, NaclRule, NatGateway, NetworkAcl, Route, RouteTable,
    RouteTableAssociation, RouteTarget, SecurityGroup, SgRule, Subnet, Vpc, VpcEndpoint,
    VpcPeering,
};
use palisade_model::raw::RawResource;
use palisade_model::{Location, Meta, Ref, Val};

pub(crate) fn adapt<'a>(cx: &mut Cx<'a>, aws: &mut Aws, r: &'a RawResource, o: &Obj<'a>) -> bool {
    match r.kind.as_str() {
        "AWS::EC2::VPC" => {
            let cidr = match cx.str_opt(o, "CidrBlock") {
                Val::Default { .. } if o.has("Ipv4IpamPoolId") => {
                    let reason = "the CIDR is allocated from an IPAM pool at deploy".to_owned();
                    cx.unknown(o, "CidrBlock", r.loc.clone(), reason)
                }
                v => v,
            };
            aws.vpcs.push(Vpc {
                meta: meta(r),
                cidr,
                is_default: false,
            });
        }
        "AWS::EC2::Subnet" => {
            let s = Subnet {
                meta: meta(r),
                vpc: cx.link(o, "VpcId"),
                cidr: cx.str_opt(o, "CidrBlock"),
                ipv6_cidr: cx.str_opt(o, "Ipv6CidrBlock"),
                availability_zone: cx.str_opt(o, "AvailabilityZone"),
                map_public_ip_on_launch: cx.bool(o, "MapPublicIpOnLaunch", false),
            };
            aws.subnets.push(s);
        }
        "AWS::EC2::RouteTable" => aws.route_tables.push(RouteTable {
            meta: meta(r),
            vpc: cx.link(o, "VpcId"),
            main: false,
        }),
        "AWS::EC2::Route" => {
            let route = Route {
                meta: meta(r),
                table: cx.link(o, "RouteTableId"),
                destination_v4: cx.str_opt(o, "DestinationCidrBlock"),
                destination_v6: cx.str_opt(o, "DestinationIpv6CidrBlock"),
                destination_prefix_list: cx.link_opt(o, "DestinationPrefixListId"),
                target: route_target(cx, o),
            };
            aws.routes.push(route);
        }
        "AWS::EC2::SubnetRouteTableAssociation" => {
            aws.route_table_associations.push(RouteTableAssociation {
                meta: meta(r),
                table: cx.link(o, "RouteTableId"),
                target: AssociationTarget::Subnet(cx.link(o, "SubnetId")),
            });
        }
        "AWS::EC2::GatewayRouteTableAssociation" => {
            aws.route_table_associations.push(RouteTableAssociation {
                meta: meta(r),
                table: cx.link(o, "RouteTableId"),
                target: AssociationTarget::Gateway(cx.link(o, "GatewayId")),
            });
        }
        // Attached to a VPC by `AWS::EC2::VPCGatewayAttachment` (merged).
        "AWS::EC2::InternetGateway" => aws.internet_gateways.push(InternetGateway {
            meta: meta(r),
            vpc: Val::default_(None),
        }),
        "AWS::EC2::NatGateway" => {
            let public = cx
                .str_or(o, "ConnectivityType", "public")
                .map(|t| t == "public");
            aws.nat_gateways.push(NatGateway {
                meta: meta(r),
                subnet: cx.link(o, "SubnetId"),
                public,
            });
        }
        "AWS::EC2::VPCEndpoint" => {
            let e = VpcEndpoint {
                meta: meta(r),
                vpc: cx.link(o, "VpcId"),
                service_name: cx.str_req(o, "ServiceName"),
                endpoint_type: cx.str_or(o, "VpcEndpointType", "Gateway"),
                route_tables: cx.links(o, "RouteTableIds"),
                subnets: cx.links(o, "SubnetIds"),
                security_groups: cx.links(o, "SecurityGroupIds"),
                policy: cx.policy_opt(o, "PolicyDocument"),
            };
            aws.vpc_endpoints.push(e);
        }
        "AWS::EC2::VPCPeeringConnection" => aws.vpc_peerings.push(VpcPeering {
            meta: meta(r),
            vpc: cx.link(o, "VpcId"),
            peer_vpc: cx.link(o, "PeerVpcId"),
        }),
        "AWS::EC2::NetworkAcl" => aws.network_acls.push(NetworkAcl {
            meta: meta(r),
            vpc: cx.link(o, "VpcId"),
            subnets: Val::default_(Vec::new()),
            is_default: false,
        }),
        "AWS::EC2::NetworkAclEntry" => {
            let egress = cx.bool(o, "Egress", false);
            let number = match cx.int_opt(o, "RuleNumber") {
                Val::Known {
                    value: Some(n),
                    loc,
                } => Val::known(n, loc),
                Val::Known { value: None, .. } | Val::Default { .. } => {
                    let loc = o.loc.clone();
                    cx.unknown(o, "RuleNumber", loc, "`RuleNumber` is not set".into())
                }
                Val::Unknown { reason, loc } => Val::Unknown { reason, loc },
            };
            let ports = o.block("PortRange");
            let mut rule = NaclRule {
                meta: meta(r),
                acl: cx.link(o, "NetworkAclId"),
                number,
                egress: egress.is_true(),
                protocol: cx.str_req(o, "Protocol"),
                action: cx.str_req(o, "RuleAction"),
                cidr_v4: cx.str_opt(o, "CidrBlock"),
                cidr_v6: cx.str_opt(o, "Ipv6CidrBlock"),
                from_port: cx.int_opt(&ports, "From"),
                to_port: cx.int_opt(&ports, "To"),
            };
            if let Val::Unknown { reason, loc } = egress {
                rule.action = Val::Unknown {
                    reason: format!("the direction of the entry is unknown: {reason}"),
                    loc,
                };
            }
            aws.nacl_rules.push(rule);
        }
        "AWS::EC2::SecurityGroup" => {
            let name = cx.str_opt(o, "GroupName");
            let vpc = cx.link_opt(o, "VpcId");
            let group = own(r);
            for ingress in [true, false] {
                let key = if ingress {
                    "SecurityGroupIngress"
                } else {
                    "SecurityGroupEgress"
                };
                let blocks = o.blocks(key);
                for b in &blocks.items {
                    let m = Meta::new(
                        format!("{}.{}", r.address, b.path),
                        r.kind.clone(),
                        b.loc.clone(),
                    );
                    let rule = sg_rule(cx, b, m, group.clone(), ingress);
                    aws.sg_rules.push(normalise_self(rule));
                }
                if let Some((reason, loc)) = blocks.unknown {
                    let m = Meta::new(
                        format!("{}.{key}[*]", r.address),
                        r.kind.clone(),
                        loc.clone(),
                    );
                    let protocol = cx.unknown(o, key, loc.clone(), reason.clone());
                    aws.sg_rules.push(unknown_sg_rule(
                        m,
                        group.clone(),
                        ingress,
                        protocol,
                        &reason,
                        &loc,
                    ));
                } else if !ingress && o.unknown.is_none() && o.raw(key).is_none() {
                    // AWS's allow-all egress rule stays when none is declared.
                    aws.sg_rules.push(default_egress(r, group.clone()));
                }
            }
            let mut m = meta(r);
            if let Some(n) = Cx::known_str(&name) {
                add_keys(&mut m, [n]);
            }
            aws.security_groups.push(SecurityGroup {
                meta: m,
                name,
                vpc,
                is_default: false,
            });
        }
        "AWS::EC2::SecurityGroupIngress" | "AWS::EC2::SecurityGroupEgress" => {
            let ingress = r.kind == "AWS::EC2::SecurityGroupIngress";
            let group = if o.has("GroupId") || !o.has("GroupName") {
                cx.link(o, "GroupId")
            } else {
                cx.link(o, "GroupName")
            };
            let rule = sg_rule(cx, o, meta(r), group, ingress);
            aws.sg_rules.push(normalise_self(rule));
        }
        _ => return false,
    }
    true
}

/// One rule, inline or standalone (the property names are the same).
fn sg_rule(cx: &mut Cx<'_>, o: &Obj<'_>, meta: Meta, group: Val<Ref>, ingress: bool) -> SgRule {
    let (peer_id, peer_name, prefix) = if ingress {
        (
            "SourceSecurityGroupId",
            "SourceSecurityGroupName",
            "SourcePrefixListId",
        )
    } else {
        (
            "DestinationSecurityGroupId",
            "DestinationSecurityGroupName",
            "DestinationPrefixListId",
        )
    };
    let source = if o.has(peer_id) || !o.has(peer_name) {
        cx.link_opt(o, peer_id)
    } else {
        cx.link_opt(o, peer_name)
    };
    SgRule {
        meta,
        group,
        ingress,
        protocol: cx.str_req(o, "IpProtocol"),
        from_port: cx.int_opt(o, "FromPort"),
        to_port: cx.int_opt(o, "ToPort"),
        cidrs_v4: opt_to_vec(cx.str_opt(o, "CidrIp")),
        cidrs_v6: opt_to_vec(cx.str_opt(o, "CidrIpv6")),
        source_groups: opt_to_vec(source),
        prefix_lists: opt_to_vec(cx.link_opt(o, prefix)),
        self_ref: false,
    }
}

/// The egress rule AWS adds to every new security group.
fn default_egress(r: &RawResource, group: Val<Ref>) -> SgRule {
    SgRule {
        meta: Meta::new(
            format!("{}.SecurityGroupEgress[default]", r.address),
            r.kind.clone(),
            r.loc.clone(),
        ),
        group,
        ingress: false,
        protocol: Val::default_("-1".into()),
        from_port: Val::default_(None),
        to_port: Val::default_(None),
        cidrs_v4: Val::default_(vec!["0.0.0.0/0".into()]),
        cidrs_v6: Val::default_(Vec::new()),
        source_groups: Val::default_(Vec::new()),
        prefix_lists: Val::default_(Vec::new()),
        self_ref: false,
    }
}

/// Stands for the rules of an unknown list: every field unknown.
fn unknown_sg_rule(
    meta: Meta,
    group: Val<Ref>,
    ingress: bool,
    protocol: Val<String>,
    reason: &str,
    loc: &Location,
) -> SgRule {
    SgRule {
        meta,
        group,
        ingress,
        protocol,
        from_port: uval(reason, Some(loc)),
        to_port: uval(reason, Some(loc)),
        cidrs_v4: uval(reason, Some(loc)),
        cidrs_v6: uval(reason, Some(loc)),
        source_groups: uval(reason, Some(loc)),
        prefix_lists: uval(reason, Some(loc)),
        self_ref: false,
    }
}

/// A rule naming its own group as a peer is a `self` rule.
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

/// What a route sends traffic to.
fn route_target(cx: &mut Cx<'_>, o: &Obj<'_>) -> Val<RouteTarget> {
    type Make = fn(Ref) -> RouteTarget;
    const TARGETS: &[(&str, Option<Make>)] = &[
        ("GatewayId", None),
        ("NatGatewayId", Some(RouteTarget::NatGateway)),
        (
            "EgressOnlyInternetGatewayId",
            Some(RouteTarget::EgressOnlyInternetGateway),
        ),
        ("VpcEndpointId", Some(RouteTarget::VpcEndpoint)),
        ("VpcPeeringConnectionId", Some(RouteTarget::VpcPeering)),
        ("TransitGatewayId", Some(RouteTarget::TransitGateway)),
        ("NetworkInterfaceId", Some(RouteTarget::NetworkInterface)),
        ("InstanceId", None),
        ("CarrierGatewayId", None),
        ("LocalGatewayId", None),
        ("CoreNetworkArn", None),
    ];
    if let Some(r) = &o.unknown {
        let (r, loc) = (r.clone(), o.loc.clone());
        return cx.unknown(o, "GatewayId", loc, r);
    }
    for (key, make) in TARGETS {
        if !o.has(key) {
            continue;
        }
        return match cx.link(o, key) {
            Val::Known { value, loc } => match (key, make) {
                (_, Some(make)) => Val::known(make(value), loc),
                (&"GatewayId", None) => match classify_gateway(cx, &value) {
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
    cx.unknown(o, "GatewayId", loc, "the route has no target".into())
}

/// The kind of target a `GatewayId` names, by the referenced resource's type
/// or the ID's prefix.
fn classify_gateway(cx: &Cx<'_>, r: &Ref) -> Option<RouteTarget> {
    let key = r.key();
    if key == "local" {
        return Some(RouteTarget::Local);
    }
    if let Some(kind) = linked_kind(cx, r) {
        return match kind {
            "AWS::EC2::InternetGateway" => Some(RouteTarget::InternetGateway(r.clone())),
            "AWS::EC2::EgressOnlyInternetGateway" => {
                Some(RouteTarget::EgressOnlyInternetGateway(r.clone()))
            }
            "AWS::EC2::VPNGateway" => Some(RouteTarget::VirtualPrivateGateway(r.clone())),
            "AWS::EC2::VPCEndpoint" => Some(RouteTarget::VpcEndpoint(r.clone())),
            "AWS::EC2::NatGateway" => Some(RouteTarget::NatGateway(r.clone())),
            "AWS::EC2::TransitGateway" => Some(RouteTarget::TransitGateway(r.clone())),
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

/// Merges gateway attachments and ACL associations. `false` when the owner
/// is not in the input.
pub(crate) fn merge<'a>(cx: &mut Cx<'a>, aws: &mut Aws, r: &'a RawResource, o: &Obj<'a>) -> bool {
    match r.kind.as_str() {
        "AWS::EC2::VPCGatewayAttachment" => {
            if !o.has("InternetGatewayId") {
                // A VPN gateway attachment: not modelled.
                return false;
            }
            let igw = cx.link(o, "InternetGatewayId");
            let vpc = cx.link(o, "VpcId");
            let Some(i) = owner(cx, r, &igw, |l| find(&aws.internet_gateways, l)) else {
                return false;
            };
            if let Some(g) = aws.internet_gateways.get_mut(i) {
                g.vpc = vpc.map(Some);
            }
        }
        "AWS::EC2::SubnetNetworkAclAssociation" => {
            let acl = cx.link(o, "NetworkAclId");
            let Some(i) = owner(cx, r, &acl, |l| find(&aws.network_acls, l)) else {
                return false;
            };
            let subnet = cx.link(o, "SubnetId");
            if let Some(a) = aws.network_acls.get_mut(i) {
                append_link(&mut a.subnets, subnet);
            }
        }
        _ => return false,
    }
    true
}
