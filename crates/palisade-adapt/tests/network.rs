mod common;

use common::*;
use palisade_adapt::adapt_terraform;
use palisade_model::aws::{
    AssociationTarget, Lookup, NetworkAcl, RouteTable, RouteTarget, SecurityGroup, SgRule, Subnet,
    Vpc, VpcEndpoint,
};
use palisade_model::{Ref, Val};

fn vpc() -> palisade_model::raw::RawResource {
    res("aws_vpc", "main", vec![("cidr_block", s("10.0.0.0/16"))])
}

fn subnet(name: &str) -> palisade_model::raw::RawResource {
    res(
        "aws_subnet",
        name,
        vec![
            ("vpc_id", r("aws_vpc.main", "id")),
            ("cidr_block", s("10.0.1.0/24")),
        ],
    )
}

#[test]
fn vpc_and_subnet_defaults_and_links() {
    let out = adapt_terraform(&[vpc(), subnet("a")]);
    let aws = &out.aws;
    let sn = &aws.subnets[0];
    assert!(sn.map_public_ip_on_launch.is_default());
    assert!(sn.map_public_ip_on_launch.is_false());
    let vpc = aws
        .resolve::<Vpc>(&sn.vpc)
        .expect("known")
        .expect("in model");
    assert_eq!(vpc.meta.address, "aws_vpc.main");
    assert_eq!(vpc.cidr.some().map(String::as_str), Some("10.0.0.0/16"));
    assert!(
        sn.cidr.loc().is_some(),
        "written values carry their location"
    );
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
}

#[test]
fn inline_and_standalone_security_group_rules_are_equal() {
    let inline = res(
        "aws_security_group",
        "inline",
        vec![
            ("name", s("web")),
            ("vpc_id", r("aws_vpc.main", "id")),
            (
                "ingress",
                blocks(vec![vec![
                    ("protocol", s("tcp")),
                    ("from_port", n(22.0)),
                    ("to_port", n(22.0)),
                    ("cidr_blocks", strs(&["0.0.0.0/0"])),
                ]]),
            ),
        ],
    );
    let bare = res(
        "aws_security_group",
        "bare",
        vec![("vpc_id", r("aws_vpc.main", "id"))],
    );
    let legacy = res(
        "aws_security_group_rule",
        "ssh",
        vec![
            ("type", s("ingress")),
            ("security_group_id", r("aws_security_group.bare", "id")),
            ("protocol", s("tcp")),
            ("from_port", n(22.0)),
            ("to_port", n(22.0)),
            ("cidr_blocks", strs(&["0.0.0.0/0"])),
        ],
    );
    let bare2 = res(
        "aws_security_group",
        "bare2",
        vec![("vpc_id", r("aws_vpc.main", "id"))],
    );
    let modern = res(
        "aws_vpc_security_group_ingress_rule",
        "ssh",
        vec![
            ("security_group_id", r("aws_security_group.bare2", "id")),
            ("ip_protocol", s("tcp")),
            ("from_port", n(22.0)),
            ("to_port", n(22.0)),
            ("cidr_ipv4", s("0.0.0.0/0")),
        ],
    );
    let out = adapt_terraform(&[vpc(), inline, bare, legacy, bare2, modern]);
    let aws = &out.aws;
    assert_eq!(aws.sg_rules.len(), 3);
    let of = |addr: &str| -> &SgRule {
        let sg = aws.get::<SecurityGroup>(&Ref::new(addr)).expect("sg");
        let rules: Vec<_> = aws.sg_rules_of(sg).collect();
        assert_eq!(rules.len(), 1, "{addr}");
        rules[0]
    };
    let (a, b, c) = (
        of("aws_security_group.inline"),
        of("aws_security_group.bare"),
        of("aws_security_group.bare2"),
    );
    let strip_group = |r: &SgRule| {
        let mut j = shape(r);
        j.as_object_mut().map(|m| m.remove("group"));
        j
    };
    assert_eq!(strip_group(a), strip_group(b));
    assert_eq!(strip_group(b), strip_group(c));
    assert_eq!(a.port_range(), Some((22, 22)));
    assert!(a.ingress);
    // The inline rule has its own address and the block's location.
    assert_eq!(a.meta.address, "aws_security_group.inline");
    assert!(a
        .meta
        .keys
        .iter()
        .any(|k| k == "aws_security_group.inline.ingress[0]"));
    let sg = aws
        .get::<SecurityGroup>(&Ref::new("aws_security_group.inline"))
        .expect("sg");
    assert_ne!(a.meta.loc, sg.meta.loc);
    // Security groups are also known by name.
    assert!(aws.get::<SecurityGroup>(&Ref::new("web")).is_some());
}

#[test]
fn self_references_are_self_rules_in_every_form() {
    let sg = res(
        "aws_security_group",
        "db",
        vec![(
            "ingress",
            blocks(vec![vec![
                ("protocol", s("tcp")),
                ("from_port", n(5432.0)),
                ("to_port", n(5432.0)),
                ("self", b(true)),
            ]]),
        )],
    );
    let modern = res(
        "aws_vpc_security_group_ingress_rule",
        "self",
        vec![
            ("security_group_id", r("aws_security_group.db", "id")),
            (
                "referenced_security_group_id",
                r("aws_security_group.db", "id"),
            ),
            ("ip_protocol", s("tcp")),
            ("from_port", n(5432.0)),
            ("to_port", n(5432.0)),
        ],
    );
    let out = adapt_terraform(&[sg, modern]);
    for rule in &out.aws.sg_rules {
        assert!(rule.self_ref, "{}", rule.meta.address);
        assert_eq!(rule.source_groups.get().map(Vec::len), Some(0));
    }
}

#[test]
fn unknown_dynamic_rules_stay_unknown() {
    let sg = res(
        "aws_security_group",
        "dyn",
        vec![("ingress", unk("`var.rules` has no value"))],
    );
    let out = adapt_terraform(&[sg]);
    let rule = &out.aws.sg_rules[0];
    assert_eq!(rule.meta.address, "aws_security_group.dyn");
    assert!(rule
        .meta
        .keys
        .iter()
        .any(|k| k == "aws_security_group.dyn.ingress[*]"));
    assert!(rule.protocol.is_unknown());
    assert!(rule.cidrs_v4.is_unknown());
    assert_eq!(rule.port_range(), None);
    assert!(out
        .unknowns
        .iter()
        .any(|u| u.resource == "aws_security_group.dyn" && u.reason.contains("var.rules")));
}

#[test]
fn inline_routes_and_aws_route_are_equal() {
    let igw = res(
        "aws_internet_gateway",
        "gw",
        vec![("vpc_id", r("aws_vpc.main", "id"))],
    );
    let inline = res(
        "aws_route_table",
        "inline",
        vec![
            ("vpc_id", r("aws_vpc.main", "id")),
            (
                "route",
                blocks(vec![vec![
                    ("cidr_block", s("0.0.0.0/0")),
                    ("gateway_id", r("aws_internet_gateway.gw", "id")),
                    // Plan JSON writes every unset target as "".
                    ("nat_gateway_id", s("")),
                ]]),
            ),
        ],
    );
    let bare = res(
        "aws_route_table",
        "bare",
        vec![("vpc_id", r("aws_vpc.main", "id"))],
    );
    let route = res(
        "aws_route",
        "default",
        vec![
            ("route_table_id", r("aws_route_table.bare", "id")),
            ("destination_cidr_block", s("0.0.0.0/0")),
            ("gateway_id", r("aws_internet_gateway.gw", "id")),
        ],
    );
    let a1 = res(
        "aws_route_table_association",
        "a",
        vec![
            ("subnet_id", r("aws_subnet.a", "id")),
            ("route_table_id", r("aws_route_table.inline", "id")),
        ],
    );
    let a2 = res(
        "aws_route_table_association",
        "b",
        vec![
            ("subnet_id", r("aws_subnet.b", "id")),
            ("route_table_id", r("aws_route_table.bare", "id")),
        ],
    );
    let out = adapt_terraform(&[
        vpc(),
        subnet("a"),
        subnet("b"),
        igw,
        inline,
        bare,
        route,
        a1,
        a2,
    ]);
    let aws = &out.aws;
    let routes = |addr: &str| {
        let rt = aws.get::<RouteTable>(&Ref::new(addr)).expect("rt");
        aws.routes_of(rt)
            .map(|r| {
                let mut j = shape(r);
                j.as_object_mut().map(|m| m.remove("table"));
                j
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        routes("aws_route_table.inline"),
        routes("aws_route_table.bare")
    );
    assert_eq!(routes("aws_route_table.inline").len(), 1);
    assert_eq!(
        aws.routes[0].target.get(),
        Some(&RouteTarget::InternetGateway(Ref::new(
            "aws_internet_gateway.gw"
        )))
    );
    for name in ["aws_subnet.a", "aws_subnet.b"] {
        let sn = aws.get::<Subnet>(&Ref::new(name)).expect("subnet");
        match aws.subnet_egress(sn) {
            Lookup::Found(e) => assert!(e.is_public(), "{name}"),
            other => panic!("{name}: {other:?}"),
        }
    }
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
}

#[test]
fn routes_to_the_implicit_main_table_are_kept() {
    let nat = res(
        "aws_nat_gateway",
        "nat",
        vec![("subnet_id", r("aws_subnet.a", "id"))],
    );
    let route = res(
        "aws_route",
        "main_nat",
        vec![
            ("route_table_id", r("aws_vpc.main", "main_route_table_id")),
            ("destination_cidr_block", s("0.0.0.0/0")),
            ("nat_gateway_id", r("aws_nat_gateway.nat", "id")),
        ],
    );
    let out = adapt_terraform(&[vpc(), subnet("a"), nat, route]);
    let aws = &out.aws;
    let rt = aws
        .get::<RouteTable>(&Ref::new("aws_vpc.main.main_route_table"))
        .expect("synthesized main table");
    assert!(rt.main);
    let sn = &aws.subnets[0];
    match aws.subnet_egress(sn) {
        Lookup::Found(e) => {
            assert!(!e.is_public());
            assert_eq!(e.nat_gateway.len(), 1);
        }
        other => panic!("{other:?}"),
    }
    assert!(aws.nat_gateways[0].public.is_default());
    assert!(aws.nat_gateways[0].public.is_true());
}

#[test]
fn default_route_table_is_main_and_links_to_its_vpc() {
    let drt = res(
        "aws_default_route_table",
        "d",
        vec![(
            "default_route_table_id",
            r("aws_vpc.main", "default_route_table_id"),
        )],
    );
    let route = res(
        "aws_route",
        "x",
        vec![
            (
                "route_table_id",
                r("aws_vpc.main", "default_route_table_id"),
            ),
            ("destination_cidr_block", s("0.0.0.0/0")),
            ("gateway_id", s("igw-0123")),
        ],
    );
    let out = adapt_terraform(&[vpc(), subnet("a"), drt, route]);
    let aws = &out.aws;
    assert_eq!(
        aws.route_tables.len(),
        1,
        "no synthesized table when declared"
    );
    let rt = &aws.route_tables[0];
    assert!(rt.main);
    assert_eq!(rt.vpc.get(), Some(&Ref::new("aws_vpc.main")));
    assert_eq!(
        aws.routes[0].table.get(),
        Some(&Ref::new("aws_default_route_table.d"))
    );
    assert_eq!(
        aws.routes[0].target.get(),
        Some(&RouteTarget::InternetGateway(Ref::new("igw-0123")))
    );
    match aws.subnet_egress(&aws.subnets[0]) {
        Lookup::Found(e) => assert!(e.is_public()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn main_route_table_association_and_gateway_association() {
    let rt = res(
        "aws_route_table",
        "rt",
        vec![("vpc_id", r("aws_vpc.main", "id"))],
    );
    let main = res(
        "aws_main_route_table_association",
        "m",
        vec![
            ("vpc_id", r("aws_vpc.main", "id")),
            ("route_table_id", r("aws_route_table.rt", "id")),
        ],
    );
    let edge = res(
        "aws_route_table_association",
        "edge",
        vec![
            ("gateway_id", r("aws_internet_gateway.gw", "id")),
            ("route_table_id", r("aws_route_table.rt", "id")),
        ],
    );
    let out = adapt_terraform(&[vpc(), subnet("a"), rt, main, edge]);
    let aws = &out.aws;
    assert!(matches!(
        aws.route_table_associations[0].target,
        AssociationTarget::MainOf(_)
    ));
    assert!(matches!(
        aws.route_table_associations[1].target,
        AssociationTarget::Gateway(_)
    ));
    match aws.route_table_of_subnet(&aws.subnets[0]) {
        Lookup::Found(rt) => assert_eq!(rt.meta.address, "aws_route_table.rt"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_route_target_makes_egress_unknown() {
    let rt = res(
        "aws_route_table",
        "rt",
        vec![
            ("vpc_id", r("aws_vpc.main", "id")),
            (
                "route",
                blocks(vec![vec![
                    ("cidr_block", s("0.0.0.0/0")),
                    ("gateway_id", unk("`var.gw` has no value")),
                ]]),
            ),
        ],
    );
    let assoc = res(
        "aws_route_table_association",
        "a",
        vec![
            ("subnet_id", r("aws_subnet.a", "id")),
            ("route_table_id", r("aws_route_table.rt", "id")),
        ],
    );
    let out = adapt_terraform(&[vpc(), subnet("a"), rt, assoc]);
    assert!(matches!(
        out.aws.subnet_egress(&out.aws.subnets[0]),
        Lookup::Unknown(_)
    ));
    assert!(out
        .unknowns
        .iter()
        .any(|u| u.attribute == "route[0].gateway_id"));
}

#[test]
fn nacl_associations_and_rules_in_every_form() {
    let acl = res(
        "aws_network_acl",
        "private",
        vec![
            ("vpc_id", r("aws_vpc.main", "id")),
            ("subnet_ids", list(vec![r("aws_subnet.a", "id")])),
            (
                "ingress",
                blocks(vec![vec![
                    ("rule_no", n(100.0)),
                    ("action", s("allow")),
                    ("protocol", s("-1")),
                    ("cidr_block", s("10.0.0.0/16")),
                    ("from_port", n(0.0)),
                    ("to_port", n(0.0)),
                ]]),
            ),
        ],
    );
    let assoc = res(
        "aws_network_acl_association",
        "b",
        vec![
            ("network_acl_id", r("aws_network_acl.private", "id")),
            ("subnet_id", r("aws_subnet.b", "id")),
        ],
    );
    let rule = res(
        "aws_network_acl_rule",
        "out",
        vec![
            ("network_acl_id", r("aws_network_acl.private", "id")),
            ("rule_number", n(100.0)),
            ("egress", b(true)),
            ("protocol", s("-1")),
            ("rule_action", s("allow")),
            ("cidr_block", s("10.0.0.0/16")),
            ("from_port", n(0.0)),
            ("to_port", n(0.0)),
        ],
    );
    let default = res(
        "aws_default_network_acl",
        "d",
        vec![(
            "default_network_acl_id",
            r("aws_vpc.main", "default_network_acl_id"),
        )],
    );
    let out = adapt_terraform(&[
        vpc(),
        subnet("a"),
        subnet("b"),
        subnet("c"),
        acl,
        assoc,
        rule,
        default,
    ]);
    let aws = &out.aws;
    for name in ["aws_subnet.a", "aws_subnet.b"] {
        let sn = aws.get::<Subnet>(&Ref::new(name)).expect("subnet");
        let acls: Vec<_> = aws
            .nacls_of_subnet(sn)
            .iter()
            .map(|a| a.meta.address.clone())
            .collect();
        assert_eq!(acls, ["aws_network_acl.private"], "{name}");
    }
    let c = aws
        .get::<Subnet>(&Ref::new("aws_subnet.c"))
        .expect("subnet");
    let acls: Vec<_> = aws
        .nacls_of_subnet(c)
        .iter()
        .map(|a| a.is_default)
        .collect();
    assert_eq!(acls, [true]);
    let acl = aws
        .get::<NetworkAcl>(&Ref::new("aws_network_acl.private"))
        .expect("acl");
    let rules: Vec<_> = aws.nacl_rules_of(acl).collect();
    assert_eq!(rules.len(), 2);
    let (ing, eg) = (
        rules.iter().find(|r| !r.egress),
        rules.iter().find(|r| r.egress),
    );
    let (ing, eg) = (ing.expect("ingress"), eg.expect("egress"));
    let mut a = shape(*ing);
    let mut b = shape(*eg);
    for j in [&mut a, &mut b] {
        j.as_object_mut().map(|m| m.remove("egress"));
    }
    assert_eq!(a, b);
    assert_eq!(ing.number.get(), Some(&100));
}

#[test]
fn vpc_endpoint_sub_resources_are_merged() {
    let ep = res(
        "aws_vpc_endpoint",
        "s3",
        vec![
            ("vpc_id", r("aws_vpc.main", "id")),
            ("service_name", s("com.amazonaws.eu-west-1.s3")),
        ],
    );
    let rta = res(
        "aws_vpc_endpoint_route_table_association",
        "a",
        vec![
            ("vpc_endpoint_id", r("aws_vpc_endpoint.s3", "id")),
            ("route_table_id", r("aws_route_table.private", "id")),
        ],
    );
    let pol = res(
        "aws_vpc_endpoint_policy",
        "p",
        vec![
            ("vpc_endpoint_id", r("aws_vpc_endpoint.s3", "id")),
            (
                "policy",
                s(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#,
                ),
            ),
        ],
    );
    let out = adapt_terraform(&[vpc(), ep, rta, pol]);
    let e = out
        .aws
        .get::<VpcEndpoint>(&Ref::new("aws_vpc_endpoint.s3"))
        .expect("endpoint");
    assert!(e.endpoint_type.is_default());
    assert_eq!(e.endpoint_type.get().map(String::as_str), Some("Gateway"));
    assert_eq!(
        e.route_tables.get(),
        Some(&vec![Ref::new("aws_route_table.private")])
    );
    assert!(matches!(e.route_tables, Val::Known { .. }));
    assert!(e.policy.some().is_some());
    assert!(out.aws.others.is_empty());
}

#[test]
fn orphan_sub_resources_are_kept_and_noted() {
    let assoc = res(
        "aws_network_acl_association",
        "x",
        vec![
            ("network_acl_id", s("acl-0123")),
            ("subnet_id", s("subnet-1")),
        ],
    );
    let out = adapt_terraform(&[assoc]);
    assert_eq!(out.aws.others.len(), 1);
    assert!(out.notes.iter().any(|n| n.message.contains("acl-0123")));
}

#[test]
fn followed_attributes_link_to_the_right_resource() {
    // vpc_id read from a subnet's attribute links to the VPC itself.
    let sg = res(
        "aws_security_group",
        "x",
        vec![("vpc_id", r("aws_subnet.a", "vpc_id"))],
    );
    let out = adapt_terraform(&[vpc(), subnet("a"), sg]);
    let sg = &out.aws.security_groups[0];
    assert_eq!(sg.vpc.some(), Some(&Ref::new("aws_vpc.main")));
}

#[test]
fn default_security_group_rules_attach_to_the_vpc_default_group() {
    let rule = res(
        "aws_security_group_rule",
        "open",
        vec![
            ("type", s("ingress")),
            (
                "security_group_id",
                r("aws_vpc.main", "default_security_group_id"),
            ),
            ("protocol", s("-1")),
            ("from_port", n(0.0)),
            ("to_port", n(0.0)),
            ("cidr_blocks", strs(&["0.0.0.0/0"])),
        ],
    );
    let out = adapt_terraform(&[vpc(), rule]);
    let aws = &out.aws;
    let sg = aws
        .security_groups
        .iter()
        .find(|g| g.is_default)
        .expect("default sg");
    assert_eq!(aws.sg_rules_of(sg).count(), 1);
    assert_eq!(aws.sg_rules[0].port_range(), Some((0, 65535)));
}
