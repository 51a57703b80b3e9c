//! AWS network semantics on hand-built scenarios, each asserting the exact
//! connections that get through and the layers that decide.

mod common;

use palisade_model::Model;
use palisade_reach::hop::{request, Hop, LayerKind, Verdict};
use palisade_reach::net::Net;
use palisade_reach::paths::{resolve, Analysis};
use palisade_reach::Conns;

fn hop_with(m: &Model, bindings: &[(String, String)], from: &str, to: &str, req: &Conns) -> Hop {
    let mut net = Net::with_bindings(m, bindings);
    let a = resolve(&mut net, from).unwrap_or_default();
    let b = resolve(&mut net, to).unwrap_or_default();
    assert!(a.len() == 1 && b.len() == 1, "{from} or {to} not found");
    net.hop(a[0], b[0], req)
}

fn hop(m: &Model, from: &str, to: &str) -> Hop {
    hop_with(m, &[], from, to, &Conns::all())
}

fn tcp(p: &str) -> Conns {
    request(Some("tcp"), Some(p)).unwrap_or_default()
}

fn layer<'h>(h: &'h Hop, kind: LayerKind, contains: &str) -> &'h palisade_reach::hop::Layer {
    h.layers
        .iter()
        .find(|l| l.kind == kind && l.name.contains(contains))
        .unwrap_or_else(|| panic!("no {kind:?} layer with `{contains}` in {:#?}", h.layers))
}

const VPC: &str = r#"
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_subnet" "b" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.2.0/24"
}
resource "aws_security_group" "client" {
  vpc_id = aws_vpc.main.id
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_security_group" "other" {
  vpc_id = aws_vpc.main.id
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_security_group" "db" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = [aws_security_group.client.id]
  }
}
resource "aws_instance" "client" {
  subnet_id              = aws_subnet.a.id
  vpc_security_group_ids = [aws_security_group.client.id]
}
resource "aws_instance" "other" {
  subnet_id              = aws_subnet.a.id
  vpc_security_group_ids = [aws_security_group.other.id]
}
resource "aws_instance" "db" {
  subnet_id              = aws_subnet.b.id
  vpc_security_group_ids = [aws_security_group.db.id]
}
"#;

#[test]
fn security_group_reference_matches_members_only_and_is_stateful() {
    let m = common::terraform(VPC);
    let h = hop(&m, "aws_instance.client", "aws_instance.db");
    assert_eq!(h.verdict, Verdict::Allow);
    assert_eq!(h.conns.to_string(), "TCP 5432");
    let sg = layer(&h, LayerKind::SecurityGroup, "`aws_instance.db` (ingress)");
    assert!(sg
        .hits
        .iter()
        .any(|x| x.what.contains("members of aws_security_group.client")));
    // Another interface in the same subnet but without the group: blocked.
    let h = hop(&m, "aws_instance.other", "aws_instance.db");
    assert_eq!(h.verdict, Verdict::Deny);
    assert_eq!(
        h.blocking(),
        vec!["security groups of `aws_instance.db` (ingress)".to_string()]
    );
    // The other direction: neither the db's egress nor the client's ingress allows it.
    let back = hop(&m, "aws_instance.db", "aws_instance.client");
    assert_eq!(back.verdict, Verdict::Deny);
    assert_eq!(back.blocking().len(), 2);
    // An address in the client's subnet is not a member of the group.
    let h = hop(&m, "10.0.1.10/32", "aws_instance.db");
    assert_eq!(h.verdict, Verdict::Deny);
}

fn with_nacl(ingress: &str, egress: &str) -> String {
    format!(
        r#"{VPC}
resource "aws_network_acl" "db" {{
  vpc_id     = aws_vpc.main.id
  subnet_ids = [aws_subnet.b.id]
{ingress}
{egress}
}}
"#
    )
}

#[test]
fn nacls_are_stateless_and_need_return_traffic() {
    let allow_in = r#"
  ingress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "10.0.1.0/24"
    from_port  = 5432
    to_port    = 5432
  }"#;
    let allow_back = r#"
  egress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "10.0.1.0/24"
    from_port  = 1024
    to_port    = 65535
  }"#;
    let m = common::terraform(&with_nacl(allow_in, allow_back));
    let h = hop(&m, "aws_instance.client", "aws_instance.db");
    assert_eq!(h.conns.to_string(), "TCP 5432");
    // Without the egress rule for replies, the flow fails at the ACL.
    let m = common::terraform(&with_nacl(allow_in, ""));
    let h = hop(&m, "aws_instance.client", "aws_instance.db");
    assert_eq!(h.verdict, Verdict::Deny);
    let acl = layer(&h, LayerKind::Nacl, "aws_network_acl.db");
    assert_eq!(acl.verdict, Verdict::Deny);
    assert!(acl
        .hits
        .iter()
        .any(|x| x.what.contains("implicit deny") && x.what.contains("replies")));
    assert_eq!(
        h.blocking(),
        vec!["network ACL into `aws_instance.db`".to_string()]
    );
    // Replies allowed to part of the ephemeral range: the flow works for
    // some source ports, and the layer says so.
    let partial = allow_back.replace("from_port  = 1024", "from_port  = 32768");
    let m = common::terraform(&with_nacl(allow_in, &partial));
    let h = hop(&m, "aws_instance.client", "aws_instance.db");
    assert_eq!(h.conns.to_string(), "TCP 5432");
    let acl = layer(&h, LayerKind::Nacl, "aws_network_acl.db");
    assert!(acl
        .notes
        .iter()
        .any(|n| n.contains("part of the ephemeral ports")));
}

#[test]
fn nacl_rules_apply_in_number_order_per_address() {
    let rules = r#"
  ingress {
    rule_no    = 200
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "10.0.1.0/24"
    from_port  = 5432
    to_port    = 5432
  }
  ingress {
    rule_no    = 90
    action     = "deny"
    protocol   = "-1"
    cidr_block = "10.0.1.128/25"
    from_port  = 0
    to_port    = 0
  }
  egress {
    rule_no    = 100
    action     = "allow"
    protocol   = "-1"
    cidr_block = "0.0.0.0/0"
    from_port  = 0
    to_port    = 0
  }"#;
    let m = common::terraform(&with_nacl(rules, ""));
    let sg_open = hop(&m, "10.0.1.5/32", "aws_instance.db");
    // The /32 host has no security group of its own; the db SG only admits
    // members of `client`, so the SG blocks, but the ACL lets it through.
    let acl = layer(&sg_open, LayerKind::Nacl, "aws_network_acl.db");
    assert_eq!(acl.allowed.to_string(), "TCP 5432");
    let denied = hop(&m, "10.0.1.200/32", "aws_instance.db");
    let acl = layer(&denied, LayerKind::Nacl, "aws_network_acl.db");
    assert_eq!(acl.verdict, Verdict::Deny);
    assert!(acl.hits.iter().any(|x| x.what.starts_with("rule 90 (deny")));
    // The client's subnet has both halves: some client address gets through.
    let h = hop(&m, "aws_instance.client", "aws_instance.db");
    assert_eq!(h.conns.to_string(), "TCP 5432");
}

#[test]
fn same_subnet_traffic_skips_nacls() {
    let deny_all = r#"
resource "aws_network_acl" "a" {
  vpc_id     = aws_vpc.main.id
  subnet_ids = [aws_subnet.a.id]
}
resource "aws_security_group_rule" "other_from_client" {
  type                     = "ingress"
  security_group_id        = aws_security_group.other.id
  from_port                = 80
  to_port                  = 80
  protocol                 = "tcp"
  source_security_group_id = aws_security_group.client.id
}
"#;
    let m = common::terraform(&format!("{VPC}{deny_all}"));
    let h = hop(&m, "aws_instance.client", "aws_instance.other");
    assert_eq!(h.conns.to_string(), "TCP 80");
    assert!(!h.layers.iter().any(|l| l.kind == LayerKind::Nacl));
}

const PUBLIC: &str = r#"
resource "aws_internet_gateway" "igw" {
  vpc_id = aws_vpc.main.id
}
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
  route {
    ipv6_cidr_block = "::/0"
    gateway_id      = aws_internet_gateway.igw.id
  }
}
resource "aws_route_table_association" "a" {
  subnet_id      = aws_subnet.a.id
  route_table_id = aws_route_table.public.id
}
resource "aws_security_group" "ssh" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port        = 22
    to_port          = 22
    protocol         = "tcp"
    ipv6_cidr_blocks = ["::/0"]
  }
}
resource "aws_instance" "bastion" {
  subnet_id                   = aws_subnet.a.id
  associate_public_ip_address = true
  vpc_security_group_ids      = [aws_security_group.ssh.id]
}
resource "aws_instance" "private" {
  subnet_id              = aws_subnet.a.id
  vpc_security_group_ids = [aws_security_group.ssh.id]
}
"#;

#[test]
fn internet_needs_an_internet_gateway_route_and_a_public_address_and_v4_differs_from_v6() {
    let m = common::terraform(&format!("{VPC}{PUBLIC}"));
    let h = hop(&m, "internet", "aws_instance.bastion");
    assert_eq!(h.conns.to_string(), "TCP 22");
    // Only IPv6 sources: an IPv4 address is not admitted by `::/0`.
    let v4 = hop(&m, "203.0.113.0/24", "aws_instance.bastion");
    assert_eq!(v4.verdict, Verdict::Deny);
    assert_eq!(
        v4.blocking(),
        vec!["security groups of `aws_instance.bastion` (ingress)".to_string()]
    );
    let v6 = hop(&m, "2001:db8::/32", "aws_instance.bastion");
    assert_eq!(v6.conns.to_string(), "TCP 22");
    // Same subnet and group, no public address.
    let h = hop(&m, "internet", "aws_instance.private");
    assert_eq!(h.verdict, Verdict::Deny);
    assert_eq!(
        h.blocking(),
        vec!["private placement of `aws_instance.private`".to_string()]
    );
    // A subnet without an internet gateway route: no way back.
    let h = hop(&m, "internet", "aws_instance.db");
    assert!(h
        .blocking()
        .contains(&"return routing of `aws_instance.db`".to_string()));
}

const NAT: &str = r#"
resource "aws_internet_gateway" "igw" {
  vpc_id = aws_vpc.main.id
}
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
}
resource "aws_route_table_association" "a" {
  subnet_id      = aws_subnet.a.id
  route_table_id = aws_route_table.public.id
}
resource "aws_nat_gateway" "nat" {
  subnet_id = aws_subnet.a.id
}
resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.nat.id
  }
}
resource "aws_route_table_association" "b" {
  subnet_id      = aws_subnet.b.id
  route_table_id = aws_route_table.private.id
}
resource "aws_security_group" "open" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
  egress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_instance" "worker" {
  subnet_id              = aws_subnet.b.id
  vpc_security_group_ids = [aws_security_group.open.id]
}
"#;

#[test]
fn nat_allows_only_outbound_initiated_flows() {
    let m = common::terraform(&format!("{VPC}{NAT}"));
    let out = hop(&m, "aws_instance.worker", "internet");
    assert_eq!(out.conns.to_string(), "TCP 443");
    assert!(out
        .via
        .iter()
        .any(|v| v.contains("NAT gateway `aws_nat_gateway.nat`")));
    let inbound = hop(&m, "internet", "aws_instance.worker");
    assert_eq!(inbound.verdict, Verdict::Deny);
    let ret = layer(&inbound, LayerKind::PublicAddress, "aws_instance.worker");
    assert_eq!(ret.verdict, Verdict::Deny);
    let route = layer(&inbound, LayerKind::Route, "replies");
    assert!(route
        .hits
        .iter()
        .any(|x| x.what.contains("cannot initiate connections through NAT")));
}

#[test]
fn peering_needs_routes_on_both_sides() {
    let two = |back_route: bool| {
        format!(
            r#"
resource "aws_vpc" "a" {{
  cidr_block = "10.0.0.0/16"
}}
resource "aws_vpc" "b" {{
  cidr_block = "10.1.0.0/16"
}}
resource "aws_subnet" "a" {{
  vpc_id     = aws_vpc.a.id
  cidr_block = "10.0.1.0/24"
}}
resource "aws_subnet" "b" {{
  vpc_id     = aws_vpc.b.id
  cidr_block = "10.1.1.0/24"
}}
resource "aws_vpc_peering_connection" "ab" {{
  vpc_id      = aws_vpc.a.id
  peer_vpc_id = aws_vpc.b.id
}}
resource "aws_route_table" "a" {{
  vpc_id = aws_vpc.a.id
  route {{
    cidr_block                = "10.1.0.0/16"
    vpc_peering_connection_id = aws_vpc_peering_connection.ab.id
  }}
}}
resource "aws_route_table_association" "a" {{
  subnet_id      = aws_subnet.a.id
  route_table_id = aws_route_table.a.id
}}
resource "aws_route_table" "b" {{
  vpc_id = aws_vpc.b.id
  {}
}}
resource "aws_route_table_association" "b" {{
  subnet_id      = aws_subnet.b.id
  route_table_id = aws_route_table.b.id
}}
resource "aws_security_group" "app" {{
  vpc_id = aws_vpc.a.id
  egress {{
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["10.1.0.0/16"]
  }}
}}
resource "aws_security_group" "db" {{
  vpc_id = aws_vpc.b.id
  ingress {{
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["10.0.1.0/24"]
  }}
}}
resource "aws_instance" "app" {{
  subnet_id              = aws_subnet.a.id
  vpc_security_group_ids = [aws_security_group.app.id]
}}
resource "aws_instance" "db" {{
  subnet_id              = aws_subnet.b.id
  vpc_security_group_ids = [aws_security_group.db.id]
}}
"#,
            if back_route {
                "route {\n    cidr_block = \"10.0.0.0/16\"\n    vpc_peering_connection_id = aws_vpc_peering_connection.ab.id\n  }"
            } else {
                ""
            }
        )
    };
    let m = common::terraform(&two(true));
    let h = hop(&m, "aws_instance.app", "aws_instance.db");
    assert_eq!(h.conns.to_string(), "TCP 5432");
    assert!(h.via.iter().any(|v| v.contains("VPC peering")));
    let m = common::terraform(&two(false));
    let h = hop(&m, "aws_instance.app", "aws_instance.db");
    assert_eq!(h.verdict, Verdict::Deny);
    assert_eq!(
        h.blocking(),
        vec!["return routing of `aws_instance.db`".to_string()]
    );
}

#[test]
fn gateway_and_interface_endpoints() {
    let extra = r#"
resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id
}
resource "aws_route_table_association" "a" {
  subnet_id      = aws_subnet.a.id
  route_table_id = aws_route_table.private.id
}
resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.main.id
  service_name      = "com.amazonaws.eu-west-1.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.private.id]
}
resource "aws_security_group" "endpoints" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.1.0/24"]
  }
}
resource "aws_vpc_endpoint" "secrets" {
  vpc_id              = aws_vpc.main.id
  service_name        = "com.amazonaws.eu-west-1.secretsmanager"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = [aws_subnet.b.id]
  security_group_ids  = [aws_security_group.endpoints.id]
}
resource "aws_s3_bucket" "data" {
  bucket = "data"
}
resource "aws_secretsmanager_secret" "db" {
  name = "db"
}
"#;
    let m = common::terraform(&format!("{VPC}{extra}"));
    // No NAT, no internet gateway: S3 only through the gateway endpoint.
    let h = hop(&m, "aws_instance.client", "aws_s3_bucket.data");
    assert_eq!(h.conns.to_string(), "TCP 80,443");
    assert!(h.via.iter().any(|v| v.contains("aws_vpc_endpoint.s3")));
    // From the other subnet (main route table, no endpoint): no route.
    let h = hop(&m, "aws_instance.db", "aws_s3_bucket.data");
    assert_eq!(h.verdict, Verdict::Deny);
    // The interface endpoint admits 443 from subnet a only.
    let h = hop(&m, "aws_instance.client", "aws_vpc_endpoint.secrets");
    assert_eq!(h.conns.to_string(), "TCP 443");
    let mut net = Net::new(&m);
    let src = resolve(&mut net, "aws_instance.client").unwrap_or_default();
    let dst = resolve(&mut net, "aws_secretsmanager_secret.db").unwrap_or_default();
    let a = Analysis::new(&net);
    let r = a.paths(src[0], dst[0], &Conns::all());
    assert_eq!(
        r.direct.verdict,
        Verdict::Deny,
        "no internet route: only the endpoint"
    );
    let p = r
        .paths
        .iter()
        .find(|p| p.ends.len() == 3)
        .map(|p| p.ends.join(" → "));
    assert_eq!(
        p.as_deref(),
        Some("aws_instance.client → aws_vpc_endpoint.secrets → aws_secretsmanager_secret.db")
    );
}

const EKS: &str = r#"
resource "aws_security_group" "nodes" {
  vpc_id = aws_vpc.main.id
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_security_group" "pods_db" {
  vpc_id = aws_vpc.main.id
  egress {
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["10.0.2.0/24"]
  }
}
resource "aws_security_group" "rds" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = [aws_security_group.pods_db.id]
  }
}
resource "aws_launch_template" "nodes" {
  vpc_security_group_ids = [aws_security_group.nodes.id]
}
resource "aws_eks_node_group" "main" {
  cluster_name = "c"
  subnet_ids   = [aws_subnet.a.id]
  launch_template {
    id = aws_launch_template.nodes.id
  }
}
resource "aws_db_subnet_group" "db" {
  subnet_ids = [aws_subnet.b.id]
}
resource "aws_db_instance" "db" {
  engine                 = "postgres"
  db_subnet_group_name   = aws_db_subnet_group.db.name
  vpc_security_group_ids = [aws_security_group.rds.id]
}
"#;

const PODS: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: prod}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api, db: 'yes'}}
    spec:
      serviceAccountName: api
      containers: [{name: c, image: 'x@sha256:00'}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, namespace: prod}
spec:
  selector: {matchLabels: {app: worker}}
  template:
    metadata: {labels: {app: worker}}
    spec:
      containers: [{name: c, image: 'x@sha256:00'}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: api, namespace: prod, labels: {role: db-client}}
---
apiVersion: vpcresources.k8s.aws/v1beta1
kind: SecurityGroupPolicy
metadata: {name: db, namespace: prod}
spec:
  podSelector: {matchLabels: {db: 'yes'}}
  serviceAccountSelector: {matchLabels: {role: db-client}}
  securityGroups:
    groupIds: [sg-0123456789abcdef0]
";

#[test]
fn security_group_policy_replaces_the_node_groups_for_matching_pods() {
    let m = common::both(&format!("{VPC}{EKS}"), PODS);
    let bind = vec![(
        "sg-0123456789abcdef0".to_string(),
        "aws_security_group.pods_db".to_string(),
    )];
    let api = hop_with(
        &m,
        &bind,
        "Deployment/prod/api",
        "aws_db_instance.db",
        &Conns::all(),
    );
    assert_eq!(api.conns.to_string(), "TCP 5432");
    let sg = layer(
        &api,
        LayerKind::SecurityGroup,
        "`Deployment/prod/api` (egress)",
    );
    assert!(sg.name.contains("aws_security_group.pods_db") && !sg.name.contains("nodes"));
    // The worker keeps the node groups, which the database does not admit.
    let worker = hop_with(
        &m,
        &bind,
        "Deployment/prod/worker",
        "aws_db_instance.db",
        &Conns::all(),
    );
    assert_eq!(worker.verdict, Verdict::Deny);
    assert_eq!(
        worker.blocking(),
        vec!["security groups of `aws_db_instance.db` (ingress)".to_string()]
    );
    // Without the binding the policy's group is unknown: so is the answer.
    let unbound = hop(&m, "Deployment/prod/api", "aws_db_instance.db");
    assert_eq!(unbound.verdict, Verdict::Unknown);
    assert!(unbound
        .layers
        .iter()
        .flat_map(|l| l.notes.iter())
        .any(|n| n.contains("sg-0123456789abcdef0")));
    // Both selectors must match: a service account without the label keeps node groups.
    let other_sa = PODS.replace("labels: {role: db-client}", "labels: {role: other}");
    let m = common::both(&format!("{VPC}{EKS}"), &other_sa);
    let api = hop_with(
        &m,
        &bind,
        "Deployment/prod/api",
        "aws_db_instance.db",
        &Conns::all(),
    );
    assert_eq!(api.verdict, Verdict::Deny);
    // A policy with no selector at all is ignored.
    let no_selector = PODS
        .replace("  podSelector: {matchLabels: {db: 'yes'}}\n", "")
        .replace(
            "  serviceAccountSelector: {matchLabels: {role: db-client}}\n",
            "",
        );
    let m = common::both(&format!("{VPC}{EKS}"), &no_selector);
    let api = hop_with(
        &m,
        &bind,
        "Deployment/prod/api",
        "aws_db_instance.db",
        &Conns::all(),
    );
    let sg = layer(
        &api,
        LayerKind::SecurityGroup,
        "`Deployment/prod/api` (egress)",
    );
    assert!(sg.name.contains("aws_security_group.nodes"));
}

#[test]
fn network_policy_and_security_groups_both_apply_to_pods() {
    let deny = format!(
        "{PODS}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: api, namespace: prod}}
spec:
  podSelector: {{matchLabels: {{app: api}}}}
  policyTypes: [Egress]
  egress: [{{to: [{{ipBlock: {{cidr: 10.0.2.0/25}}}}], ports: [{{port: 5432}}]}}]
"
    );
    let m = common::both(&format!("{VPC}{EKS}"), &deny);
    let bind = vec![(
        "sg-0123456789abcdef0".to_string(),
        "aws_security_group.pods_db".to_string(),
    )];
    let h = hop_with(
        &m,
        &bind,
        "Deployment/prod/api",
        "aws_db_instance.db",
        &tcp("5432"),
    );
    assert_eq!(h.conns.to_string(), "TCP 5432");
    let np = layer(&h, LayerKind::NetworkPolicy, "egress");
    assert!(np.control);
    assert!(np
        .hits
        .iter()
        .any(|x| x.what.contains("NetworkPolicy/prod/api egress[0]")));
    // Port 5433: the SG allows 5432 only, the policy too; nothing gets through.
    let h = hop_with(
        &m,
        &bind,
        "Deployment/prod/api",
        "aws_db_instance.db",
        &tcp("5433"),
    );
    assert_eq!(h.verdict, Verdict::Deny);
}

#[test]
fn cloudfront_prefix_list_means_cloudfront_only() {
    let edge = r#"
resource "aws_internet_gateway" "igw" {
  vpc_id = aws_vpc.main.id
}
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
}
resource "aws_route_table_association" "a" {
  subnet_id      = aws_subnet.a.id
  route_table_id = aws_route_table.public.id
}
data "aws_ec2_managed_prefix_list" "cf" {
  name = "com.amazonaws.global.cloudfront.origin-facing"
}
resource "aws_security_group" "alb" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port       = 443
    to_port         = 443
    protocol        = "tcp"
    prefix_list_ids = [data.aws_ec2_managed_prefix_list.cf.id]
  }
}
resource "aws_lb" "web" {
  internal        = false
  subnets         = [aws_subnet.a.id]
  security_groups = [aws_security_group.alb.id]
}
resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.web.arn
  port              = 443
  protocol          = "HTTPS"
  default_action {
    type = "forward"
  }
}
resource "aws_cloudfront_distribution" "web" {
  enabled = true
  origin {
    domain_name = aws_lb.web.dns_name
    origin_id   = "alb"
  }
}
"#;
    let m = common::terraform(&format!("{VPC}{edge}"));
    let bind = vec![(
        "data.aws_ec2_managed_prefix_list.cf".to_string(),
        "com.amazonaws.global.cloudfront.origin-facing".to_string(),
    )];
    let cf = hop_with(
        &m,
        &bind,
        "aws_cloudfront_distribution.web",
        "aws_lb.web",
        &Conns::all(),
    );
    assert_eq!(cf.conns.to_string(), "TCP 443");
    let direct = hop_with(&m, &bind, "internet", "aws_lb.web", &Conns::all());
    assert_eq!(direct.verdict, Verdict::Deny);
    assert_eq!(
        direct.blocking(),
        vec!["security groups of `aws_lb.web` (ingress)".to_string()]
    );
    // Unbound, the prefix list's entries are unknown: so is the direct path.
    let unbound = hop(&m, "internet", "aws_lb.web");
    assert_eq!(unbound.verdict, Verdict::Unknown);
}
