//! A CloudFormation template and its Terraform twin give the same typed
//! resources: every family is written both ways and compared field by
//! field (decided values, whether each was written, defaulted or unknown;
//! links compared through a table from Terraform addresses to logical IDs).

use palisade_adapt::{adapt_cloudformation, adapt_terraform, Adapted};
use palisade_model::aws::Resource;
use palisade_model::{Ref, Val};
use std::fmt::Debug;
use std::path::Path;

fn tf(name: &str, src: &str) -> Adapted {
    let dir =
        std::env::temp_dir().join(format!("palisade-cfn-twins-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("main.tf"), src).expect("write main.tf");
    let display = |p: &Path| p.display().to_string();
    let load =
        palisade_terraform::load_root(&dir, &palisade_terraform::Options::default(), &display);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(load.errors.is_empty(), "{:?}", load.errors);
    adapt_terraform(&load.resources)
}

fn cfn(src: &str) -> Adapted {
    let load = palisade_cfn::load_template(src, "template.yaml", &palisade_cfn::Options::default());
    assert!(load.errors.is_empty(), "{:?}", load.errors);
    adapt_cloudformation(&load.resources)
}

/// Compares the two sides of one family.
struct Twin<'a> {
    tf: &'a Adapted,
    cfn: &'a Adapted,
    /// Terraform text → CloudFormation text (addresses, reference attributes).
    map: &'a [(&'a str, &'a str)],
    problems: Vec<String>,
}

impl<'a> Twin<'a> {
    fn new(tf: &'a Adapted, cfn: &'a Adapted, map: &'a [(&'a str, &'a str)]) -> Self {
        Twin {
            tf,
            cfn,
            map,
            problems: Vec::new(),
        }
    }

    /// The Terraform text with addresses replaced by logical IDs.
    fn norm(&self, s: String) -> String {
        let mut pairs: Vec<&(&str, &str)> = self.map.iter().collect();
        pairs.sort_by_key(|(t, _)| std::cmp::Reverse(t.len()));
        let mut out = resolve(&self.tf.aws, &s);
        for (t, c) in pairs {
            out = out.replace(t, c);
        }
        out
    }

    /// The resource of type `T` at `tf_addr` / `cfn_id`.
    fn pair<T: Resource>(&self, tf_addr: &str, cfn_id: &str) -> (&'a T, &'a T) {
        let t = self
            .tf
            .aws
            .get::<T>(&Ref::new(tf_addr))
            .unwrap_or_else(|| panic!("terraform side has no {tf_addr}"));
        let c = self
            .cfn
            .aws
            .get::<T>(&Ref::new(cfn_id))
            .unwrap_or_else(|| panic!("cloudformation side has no {cfn_id}"));
        (t, c)
    }

    fn val<T: Debug>(&mut self, what: &str, t: &Val<T>, c: &Val<T>) {
        let (a, b) = (self.norm(shape(t)), resolve(&self.cfn.aws, &shape(c)));
        if a != b {
            self.problems
                .push(format!("{what}: terraform {a} ≠ cloudformation {b}"));
        }
    }

    fn eq<T: Debug>(&mut self, what: &str, t: &T, c: &T) {
        let (a, b) = (
            self.norm(format!("{t:?}")),
            resolve(&self.cfn.aws, &format!("{c:?}")),
        );
        if a != b {
            self.problems
                .push(format!("{what}: terraform {a} ≠ cloudformation {b}"));
        }
    }

    fn done(self) {
        assert!(
            self.problems.is_empty(),
            "{} difference(s):\n{}",
            self.problems.len(),
            self.problems.join("\n")
        );
    }
}

/// Every `Ref("key")` in a debug text replaced by the address of the
/// resource the key names on that side (a name, an ID or the address).
fn resolve(aws: &palisade_model::aws::Aws, text: &str) -> String {
    let metas = aws.metas();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("Ref(\"") {
        let (head, tail) = rest.split_at(i + 5);
        out.push_str(head);
        let Some(end) = tail.find('"') else {
            rest = tail;
            break;
        };
        let key = &tail[..end];
        let target = metas
            .iter()
            .find(|(_, m)| m.address == key)
            .or_else(|| metas.iter().find(|(_, m)| m.keys.iter().any(|k| k == key)))
            .map_or(key, |(_, m)| m.address.as_str());
        out.push_str(target);
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// A value without its location: written, defaulted or unknown, and what.
fn shape<T: Debug>(v: &Val<T>) -> String {
    match v {
        Val::Known { value, .. } => format!("known {value:?}"),
        Val::Default { value } => format!("default {value:?}"),
        Val::Unknown { .. } => "unknown".to_owned(),
    }
}

macro_rules! fields {
    ($tw:expr, $t:expr, $c:expr; $($f:ident),* $(,)?) => {
        $( $tw.val(stringify!($f), &$t.$f, &$c.$f); )*
    };
}

#[test]
fn network() {
    let t = tf(
        "network",
        r#"
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_subnet" "a" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.0.1.0/24"
  availability_zone       = "eu-west-1a"
  map_public_ip_on_launch = true
}
resource "aws_internet_gateway" "igw" {
  vpc_id = aws_vpc.main.id
}
resource "aws_route_table" "rt" {
  vpc_id = aws_vpc.main.id
}
resource "aws_route" "default" {
  route_table_id         = aws_route_table.rt.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.igw.id
}
resource "aws_route_table_association" "a" {
  subnet_id      = aws_subnet.a.id
  route_table_id = aws_route_table.rt.id
}
resource "aws_nat_gateway" "nat" {
  subnet_id = aws_subnet.a.id
}
resource "aws_vpc_endpoint" "s3" {
  vpc_id          = aws_vpc.main.id
  service_name    = "com.amazonaws.eu-west-1.s3"
  route_table_ids = [aws_route_table.rt.id]
}
resource "aws_network_acl" "acl" {
  vpc_id = aws_vpc.main.id
}
resource "aws_network_acl_association" "a" {
  network_acl_id = aws_network_acl.acl.id
  subnet_id      = aws_subnet.a.id
}
resource "aws_network_acl_rule" "in" {
  network_acl_id = aws_network_acl.acl.id
  rule_number    = 100
  egress         = false
  protocol       = "6"
  rule_action    = "allow"
  cidr_block     = "10.0.0.0/8"
  from_port      = 443
  to_port        = 443
}
resource "aws_security_group" "web" {
  name   = "web"
  vpc_id = aws_vpc.main.id
}
resource "aws_security_group_rule" "https" {
  type              = "ingress"
  security_group_id = aws_security_group.web.id
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_blocks       = ["0.0.0.0/0"]
}
resource "aws_security_group_rule" "peer" {
  type                     = "ingress"
  security_group_id        = aws_security_group.web.id
  protocol                 = "tcp"
  from_port                = 8080
  to_port                  = 8080
  source_security_group_id = aws_security_group.web.id
}
"#,
    );
    let c = cfn(r#"
Resources:
  Main:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  A:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Main
      CidrBlock: 10.0.1.0/24
      AvailabilityZone: eu-west-1a
      MapPublicIpOnLaunch: true
  Igw:
    Type: AWS::EC2::InternetGateway
  IgwAttach:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Main, InternetGatewayId: !Ref Igw}
  Rt:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Main}
  Default:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref Rt, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Igw}
  AAssoc:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref A, RouteTableId: !Ref Rt}
  Nat:
    Type: AWS::EC2::NatGateway
    Properties: {SubnetId: !Ref A}
  S3:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Main
      ServiceName: com.amazonaws.eu-west-1.s3
      RouteTableIds: [!Ref Rt]
  Acl:
    Type: AWS::EC2::NetworkAcl
    Properties: {VpcId: !Ref Main}
  AclAssoc:
    Type: AWS::EC2::SubnetNetworkAclAssociation
    Properties: {NetworkAclId: !Ref Acl, SubnetId: !Ref A}
  In:
    Type: AWS::EC2::NetworkAclEntry
    Properties:
      NetworkAclId: !Ref Acl
      RuleNumber: 100
      Egress: false
      Protocol: 6
      RuleAction: allow
      CidrBlock: 10.0.0.0/8
      PortRange: {From: 443, To: 443}
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupName: web
      GroupDescription: web
      VpcId: !Ref Main
      SecurityGroupEgress: [{IpProtocol: "-1", CidrIp: 0.0.0.0/0}]
  Https:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: !Ref Web, IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}
  Peer:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: !Ref Web, IpProtocol: tcp, FromPort: 8080, ToPort: 8080, SourceSecurityGroupId: !Ref Web}
"#);
    let map = [
        ("aws_vpc.main", "Main"),
        ("aws_subnet.a", "A"),
        ("aws_internet_gateway.igw", "Igw"),
        ("aws_route_table.rt", "Rt"),
        ("aws_network_acl.acl", "Acl"),
        ("aws_security_group.web", "Web"),
    ];
    let mut tw = Twin::new(&t, &c, &map);
    use palisade_model::aws::*;
    let (a, b) = tw.pair::<Vpc>("aws_vpc.main", "Main");
    fields!(tw, a, b; cidr);
    let (a, b) = tw.pair::<Subnet>("aws_subnet.a", "A");
    fields!(tw, a, b; vpc, cidr, ipv6_cidr, availability_zone, map_public_ip_on_launch);
    let (a, b) = tw.pair::<InternetGateway>("aws_internet_gateway.igw", "Igw");
    tw.eq("igw vpc", &a.vpc.get(), &b.vpc.get());
    let (a, b) = tw.pair::<RouteTable>("aws_route_table.rt", "Rt");
    fields!(tw, a, b; vpc);
    let (a, b) = tw.pair::<Route>("aws_route.default", "Default");
    fields!(tw, a, b; table, destination_v4, destination_v6, destination_prefix_list, target);
    let (a, b) = tw.pair::<RouteTableAssociation>("aws_route_table_association.a", "AAssoc");
    fields!(tw, a, b; table);
    let target = |t: &AssociationTarget| match t {
        AssociationTarget::Subnet(v) => format!("subnet {}", shape(v)),
        AssociationTarget::Gateway(v) => format!("gateway {}", shape(v)),
        AssociationTarget::MainOf(v) => format!("main of {}", shape(v)),
    };
    tw.eq("association target", &target(&a.target), &target(&b.target));
    let (a, b) = tw.pair::<NatGateway>("aws_nat_gateway.nat", "Nat");
    fields!(tw, a, b; subnet, public);
    let (a, b) = tw.pair::<VpcEndpoint>("aws_vpc_endpoint.s3", "S3");
    fields!(tw, a, b; vpc, service_name, endpoint_type, route_tables, subnets, security_groups, policy);
    let (a, b) = tw.pair::<NetworkAcl>("aws_network_acl.acl", "Acl");
    fields!(tw, a, b; vpc);
    tw.eq("acl subnets", &a.subnets.get(), &b.subnets.get());
    let (a, b) = tw.pair::<NaclRule>("aws_network_acl_rule.in", "In");
    fields!(tw, a, b; acl, number, protocol, action, cidr_v4, cidr_v6, from_port, to_port);
    tw.eq("nacl egress", &a.egress, &b.egress);
    let (a, b) = tw.pair::<SecurityGroup>("aws_security_group.web", "Web");
    fields!(tw, a, b; name, vpc);
    for (ta, ca) in [
        ("aws_security_group_rule.https", "Https"),
        ("aws_security_group_rule.peer", "Peer"),
    ] {
        let (a, b) = tw.pair::<SgRule>(ta, ca);
        fields!(tw, a, b; group, protocol, from_port, to_port, cidrs_v4, cidrs_v6, source_groups, prefix_lists);
        tw.eq("self_ref", &a.self_ref, &b.self_ref);
    }
    tw.done();
}

#[test]
fn data_stores_and_keys() {
    let t = tf(
        "data",
        r#"
resource "aws_kms_key" "k" {
  description             = "data"
  enable_key_rotation     = true
  rotation_period_in_days = 180
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::111122223333:root" }, Action = "kms:*", Resource = "*" }]
  })
}
resource "aws_kms_alias" "k" {
  name          = "alias/data"
  target_key_id = aws_kms_key.k.key_id
}
resource "aws_db_subnet_group" "g" {
  name       = "db"
  subnet_ids = ["subnet-1", "subnet-2"]
}
resource "aws_db_parameter_group" "p" {
  name   = "pg16"
  family = "postgres16"
  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }
}
resource "aws_db_instance" "db" {
  identifier                          = "orders"
  engine                              = "postgres"
  instance_class                      = "db.t4g.medium"
  allocated_storage                   = 20
  db_subnet_group_name                = aws_db_subnet_group.g.name
  parameter_group_name                = aws_db_parameter_group.p.name
  publicly_accessible                 = false
  storage_encrypted                   = true
  kms_key_id                          = aws_kms_key.k.arn
  vpc_security_group_ids              = ["sg-1"]
  multi_az                            = true
  backup_retention_period             = 7
  deletion_protection                 = true
  iam_database_authentication_enabled = true
  enabled_cloudwatch_logs_exports     = ["postgresql"]
  manage_master_user_password         = true
}
resource "aws_rds_cluster" "c" {
  cluster_identifier      = "reports"
  engine                  = "aurora-postgresql"
  storage_encrypted       = true
  backup_retention_period = 7
  deletion_protection     = true
}
resource "aws_s3_bucket" "b" {
  bucket = "shop-logs"
}
resource "aws_s3_bucket_versioning" "b" {
  bucket = aws_s3_bucket.b.id
  versioning_configuration {
    status = "Enabled"
  }
}
resource "aws_s3_bucket_server_side_encryption_configuration" "b" {
  bucket = aws_s3_bucket.b.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.k.arn
    }
  }
}
resource "aws_s3_bucket_public_access_block" "b" {
  bucket                  = aws_s3_bucket.b.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
resource "aws_s3_bucket_policy" "b" {
  bucket = aws_s3_bucket.b.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.b.arn, "${aws_s3_bucket.b.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
}
resource "aws_secretsmanager_secret" "s" {
  name       = "shop/db"
  kms_key_id = aws_kms_key.k.arn
}
resource "aws_secretsmanager_secret_rotation" "s" {
  secret_id           = aws_secretsmanager_secret.s.id
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:111122223333:function:rotate"
  rotation_rules {
    automatically_after_days = 30
  }
}
"#,
    );
    let c = cfn(r#"
Resources:
  K:
    Type: AWS::KMS::Key
    Properties:
      Description: data
      EnableKeyRotation: true
      RotationPeriodInDays: 180
      KeyPolicy:
        Version: "2012-10-17"
        Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111122223333:root"}, Action: "kms:*", Resource: "*"}]
  KAlias:
    Type: AWS::KMS::Alias
    Properties: {AliasName: alias/data, TargetKeyId: !Ref K}
  G:
    Type: AWS::RDS::DBSubnetGroup
    Properties: {DBSubnetGroupName: db, DBSubnetGroupDescription: db, SubnetIds: [subnet-1, subnet-2]}
  P:
    Type: AWS::RDS::DBParameterGroup
    Properties: {DBParameterGroupName: pg16, Description: pg, Family: postgres16, Parameters: {rds.force_ssl: "1"}}
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      DBInstanceIdentifier: orders
      Engine: postgres
      DBInstanceClass: db.t4g.medium
      AllocatedStorage: "20"
      DBSubnetGroupName: !Ref G
      DBParameterGroupName: !Ref P
      PubliclyAccessible: false
      StorageEncrypted: true
      KmsKeyId: !GetAtt K.Arn
      VPCSecurityGroups: [sg-1]
      MultiAZ: true
      BackupRetentionPeriod: 7
      DeletionProtection: true
      EnableIAMDatabaseAuthentication: true
      EnableCloudwatchLogsExports: [postgresql]
      ManageMasterUserPassword: true
  C:
    Type: AWS::RDS::DBCluster
    Properties:
      DBClusterIdentifier: reports
      Engine: aurora-postgresql
      StorageEncrypted: true
      BackupRetentionPeriod: 7
      DeletionProtection: true
  B:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: shop-logs
      VersioningConfiguration: {Status: Enabled}
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: {SSEAlgorithm: "aws:kms", KMSMasterKeyID: !GetAtt K.Arn}
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: true
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
  BPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref B
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Deny
            Principal: "*"
            Action: "s3:*"
            Resource: [!GetAtt B.Arn, !Sub "${B.Arn}/*"]
            Condition: {Bool: {"aws:SecureTransport": "false"}}
  S:
    Type: AWS::SecretsManager::Secret
    Properties: {Name: shop/db, KmsKeyId: !GetAtt K.Arn}
  SRotation:
    Type: AWS::SecretsManager::RotationSchedule
    Properties:
      SecretId: !Ref S
      RotationLambdaARN: arn:aws:lambda:eu-west-1:111122223333:function:rotate
      RotationRules: {AutomaticallyAfterDays: 30}
"#);
    let map = [
        ("aws_kms_key.k", "K"),
        ("aws_db_subnet_group.g", "G"),
        ("aws_db_parameter_group.p", "P"),
        ("aws_s3_bucket.b.arn", "B.Arn"),
        ("aws_s3_bucket.b", "B"),
    ];
    let mut tw = Twin::new(&t, &c, &map);
    use palisade_model::aws::*;
    let (a, b) = tw.pair::<KmsKey>("aws_kms_key.k", "K");
    fields!(tw, a, b; description, rotation, rotation_period_days, policy, key_spec, deletion_window_days);
    tw.eq(
        "key keys include alias",
        &a.meta.keys.contains(&"alias/data".to_owned()),
        &b.meta.keys.contains(&"alias/data".to_owned()),
    );
    let (a, b) = tw.pair::<KmsAlias>("aws_kms_alias.k", "KAlias");
    fields!(tw, a, b; name, target);
    let (a, b) = tw.pair::<DbSubnetGroup>("aws_db_subnet_group.g", "G");
    fields!(tw, a, b; subnets);
    let (a, b) = tw.pair::<DbParameterGroup>("aws_db_parameter_group.p", "P");
    fields!(tw, a, b; family);
    let pa = a.parameter("rds.force_ssl").map(|p| shape(&p.value));
    let pb = b.parameter("rds.force_ssl").map(|p| shape(&p.value));
    tw.eq("rds.force_ssl", &pa, &pb);
    let (a, b) = tw.pair::<DbInstance>("aws_db_instance.db", "Db");
    fields!(tw, a, b; engine, cluster, publicly_accessible, storage_encrypted, kms_key, subnet_group,
        parameter_group, security_groups, multi_az, backup_retention_days, deletion_protection,
        iam_authentication, log_exports, managed_master_password);
    let (a, b) = tw.pair::<DbCluster>("aws_rds_cluster.c", "C");
    fields!(tw, a, b; engine, storage_encrypted, kms_key, subnet_group, parameter_group, security_groups,
        backup_retention_days, deletion_protection, iam_authentication, log_exports, managed_master_password);
    let (a, b) = tw.pair::<S3Bucket>("aws_s3_bucket.b", "B");
    fields!(tw, a, b; name, acl, versioning, logging);
    tw.eq(
        "s3 encryption",
        &a.encryption
            .some()
            .map(|e| (shape(&e.algorithm), shape(&e.kms_key))),
        &b.encryption
            .some()
            .map(|e| (shape(&e.algorithm), shape(&e.kms_key))),
    );
    tw.eq("s3 policy", &a.policy.some(), &b.policy.some());
    tw.eq(
        "s3 public access block",
        &a.public_access_block
            .as_ref()
            .map(|p| shape(&p.restrict_public_buckets)),
        &b.public_access_block
            .as_ref()
            .map(|p| shape(&p.restrict_public_buckets)),
    );
    let (a, b) = tw.pair::<SecretsManagerSecret>("aws_secretsmanager_secret.s", "S");
    fields!(tw, a, b; name, kms_key, policy);
    tw.eq(
        "rotation days",
        &a.rotation.as_ref().map(|r| r.days.get().cloned()),
        &b.rotation.as_ref().map(|r| r.days.get().cloned()),
    );
    tw.done();
}

#[test]
fn identity() {
    let t = tf(
        "identity",
        r#"
resource "aws_iam_role" "app" {
  name                 = "app"
  path                 = "/svc/"
  permissions_boundary = "arn:aws:iam::111122223333:policy/boundary"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
  inline_policy {
    name = "inline"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "*" }]
    })
  }
  managed_policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
}
resource "aws_iam_policy" "p" {
  name = "reader"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:Get*", Resource = "*" }]
  })
}
resource "aws_iam_user" "u" {
  name = "alice"
}
resource "aws_iam_group" "g" {
  name = "devs"
}
resource "aws_iam_access_key" "k" {
  user = aws_iam_user.u.name
}
resource "aws_iam_openid_connect_provider" "o" {
  url            = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC"
  client_id_list = ["sts.amazonaws.com"]
}
"#,
    );
    let c = cfn(r#"
Resources:
  App:
    Type: AWS::IAM::Role
    Properties:
      RoleName: app
      Path: /svc/
      PermissionsBoundary: arn:aws:iam::111122223333:policy/boundary
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: "sts:AssumeRole"}]
      Policies:
        - PolicyName: inline
          PolicyDocument:
            Version: "2012-10-17"
            Statement: [{Effect: Allow, Action: ["s3:GetObject"], Resource: "*"}]
      ManagedPolicyArns: [arn:aws:iam::aws:policy/ReadOnlyAccess]
  P:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      ManagedPolicyName: reader
      PolicyDocument:
        Version: "2012-10-17"
        Statement: [{Effect: Allow, Action: "s3:Get*", Resource: "*"}]
  U:
    Type: AWS::IAM::User
    Properties: {UserName: alice}
  G:
    Type: AWS::IAM::Group
    Properties: {GroupName: devs}
  K:
    Type: AWS::IAM::AccessKey
    Properties: {UserName: !Ref U}
  O:
    Type: AWS::IAM::OIDCProvider
    Properties:
      Url: https://oidc.eks.eu-west-1.amazonaws.com/id/ABC
      ClientIdList: [sts.amazonaws.com]
"#);
    let map = [("aws_iam_user.u", "U")];
    let mut tw = Twin::new(&t, &c, &map);
    use palisade_model::aws::*;
    let (a, b) = tw.pair::<IamRole>("aws_iam_role.app", "App");
    fields!(tw, a, b; name, trust_policy, permissions_boundary);
    let mut keys_a: Vec<&String> = a
        .meta
        .keys
        .iter()
        .filter(|k| k.contains('/') || *k == "app")
        .collect();
    let mut keys_b: Vec<&String> = b
        .meta
        .keys
        .iter()
        .filter(|k| k.contains('/') || *k == "app")
        .collect();
    keys_a.sort();
    keys_b.sort();
    tw.eq("role keys", &keys_a, &keys_b);
    let docs = |x: &Adapted, role: &palisade_model::Meta| {
        let mut d: Vec<String> = x
            .aws
            .grants_of(role)
            .map(|g| match &g.policy {
                GrantedPolicy::Inline(doc) => format!("inline {}", shape(doc)),
                GrantedPolicy::Managed(r) => format!("managed {}", shape(r)),
            })
            .collect();
        d.sort();
        d
    };
    tw.eq("role grants", &docs(&t, &a.meta), &docs(&c, &b.meta));
    let (a, b) = tw.pair::<IamPolicy>("aws_iam_policy.p", "P");
    fields!(tw, a, b; name, document);
    let (a, b) = tw.pair::<IamUser>("aws_iam_user.u", "U");
    fields!(tw, a, b; name, permissions_boundary);
    let (a, b) = tw.pair::<IamGroup>("aws_iam_group.g", "G");
    fields!(tw, a, b; name);
    let (a, b) = tw.pair::<IamAccessKey>("aws_iam_access_key.k", "K");
    fields!(tw, a, b; user);
    let (a, b) = tw.pair::<IamOidcProvider>("aws_iam_openid_connect_provider.o", "O");
    fields!(tw, a, b; url, client_ids);
    tw.done();
}

#[test]
fn compute() {
    let t = tf(
        "compute",
        r#"
resource "aws_eks_cluster" "c" {
  name                      = "prod"
  role_arn                  = "arn:aws:iam::111122223333:role/eks"
  enabled_cluster_log_types = ["api", "audit"]
  vpc_config {
    subnet_ids              = ["subnet-1", "subnet-2"]
    security_group_ids      = ["sg-1"]
    endpoint_private_access = true
    endpoint_public_access  = true
    public_access_cidrs     = ["203.0.113.0/24"]
  }
  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = "arn:aws:kms:eu-west-1:111122223333:key/abc"
    }
  }
}
resource "aws_launch_template" "lt" {
  name                   = "nodes"
  image_id               = "ami-1"
  vpc_security_group_ids = ["sg-2"]
  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }
  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      encrypted  = true
      kms_key_id = "arn:aws:kms:eu-west-1:111122223333:key/abc"
    }
  }
}
resource "aws_eks_node_group" "ng" {
  cluster_name    = aws_eks_cluster.c.name
  node_group_name = "workers"
  node_role_arn   = "arn:aws:iam::111122223333:role/node"
  subnet_ids      = ["subnet-1"]
  launch_template {
    id      = aws_launch_template.lt.id
    version = "1"
  }
  scaling_config {
    desired_size = 1
    max_size     = 1
    min_size     = 1
  }
}
resource "aws_ebs_volume" "v" {
  availability_zone = "eu-west-1a"
  size              = 10
  encrypted         = true
}
resource "aws_lambda_function" "f" {
  function_name = "fn"
  role          = "arn:aws:iam::111122223333:role/fn"
  vpc_config {
    subnet_ids         = ["subnet-1"]
    security_group_ids = ["sg-3"]
  }
}
resource "aws_ecr_repository" "r" {
  name                 = "shop/api"
  image_tag_mutability = "IMMUTABLE"
  image_scanning_configuration {
    scan_on_push = true
  }
}
resource "aws_opensearch_domain" "d" {
  domain_name = "logs"
  encrypt_at_rest {
    enabled = true
  }
  node_to_node_encryption {
    enabled = true
  }
  domain_endpoint_options {
    enforce_https = true
  }
}
"#,
    );
    let c = cfn(r#"
Resources:
  C:
    Type: AWS::EKS::Cluster
    Properties:
      Name: prod
      RoleArn: arn:aws:iam::111122223333:role/eks
      Logging: {ClusterLogging: {EnabledTypes: [{Type: api}, {Type: audit}]}}
      ResourcesVpcConfig:
        SubnetIds: [subnet-1, subnet-2]
        SecurityGroupIds: [sg-1]
        EndpointPrivateAccess: true
        EndpointPublicAccess: true
        PublicAccessCidrs: [203.0.113.0/24]
      EncryptionConfig:
        - Resources: [secrets]
          Provider: {KeyArn: "arn:aws:kms:eu-west-1:111122223333:key/abc"}
  Lt:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateName: nodes
      LaunchTemplateData:
        ImageId: ami-1
        SecurityGroupIds: [sg-2]
        MetadataOptions: {HttpTokens: required, HttpPutResponseHopLimit: 2}
        BlockDeviceMappings:
          - DeviceName: /dev/xvda
            Ebs: {Encrypted: true, KmsKeyId: "arn:aws:kms:eu-west-1:111122223333:key/abc"}
  Ng:
    Type: AWS::EKS::Nodegroup
    Properties:
      ClusterName: !Ref C
      NodegroupName: workers
      NodeRole: arn:aws:iam::111122223333:role/node
      Subnets: [subnet-1]
      LaunchTemplate: {Id: !Ref Lt, Version: "1"}
  V:
    Type: AWS::EC2::Volume
    Properties: {AvailabilityZone: eu-west-1a, Size: 10, Encrypted: true}
  F:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: fn
      Role: arn:aws:iam::111122223333:role/fn
      VpcConfig: {SubnetIds: [subnet-1], SecurityGroupIds: [sg-3]}
  R:
    Type: AWS::ECR::Repository
    Properties:
      RepositoryName: shop/api
      ImageTagMutability: IMMUTABLE
      ImageScanningConfiguration: {ScanOnPush: true}
  D:
    Type: AWS::OpenSearchService::Domain
    Properties:
      DomainName: logs
      EncryptionAtRestOptions: {Enabled: true}
      NodeToNodeEncryptionOptions: {Enabled: true}
      DomainEndpointOptions: {EnforceHTTPS: true}
"#);
    let map = [("aws_eks_cluster.c", "C"), ("aws_launch_template.lt", "Lt")];
    let mut tw = Twin::new(&t, &c, &map);
    use palisade_model::aws::*;
    let (a, b) = tw.pair::<EksCluster>("aws_eks_cluster.c", "C");
    fields!(tw, a, b; name, endpoint_private_access, endpoint_public_access, public_access_cidrs,
        secrets_encryption_key, log_types, subnets, security_groups);
    let (a, b) = tw.pair::<EksNodeGroup>("aws_eks_node_group.ng", "Ng");
    fields!(tw, a, b; cluster, subnets, launch_template, remote_access, remote_access_sources, node_role);
    let (a, b) = tw.pair::<LaunchTemplate>("aws_launch_template.lt", "Lt");
    fields!(tw, a, b; http_tokens, http_put_response_hop_limit, associate_public_ip, image_id, security_groups);
    let devs = |l: &LaunchTemplate| {
        l.block_devices
            .iter()
            .map(|d| (shape(&d.encrypted), shape(&d.kms_key)))
            .collect::<Vec<_>>()
    };
    tw.eq("block devices", &devs(a), &devs(b));
    let (a, b) = tw.pair::<EbsVolume>("aws_ebs_volume.v", "V");
    fields!(tw, a, b; encrypted, kms_key);
    let (a, b) = tw.pair::<LambdaFunction>("aws_lambda_function.f", "F");
    fields!(tw, a, b; role, subnets, security_groups);
    let (a, b) = tw.pair::<EcrRepository>("aws_ecr_repository.r", "R");
    fields!(tw, a, b; scan_on_push, immutable_tags, kms_key);
    let (a, b) = tw.pair::<OpenSearchDomain>("aws_opensearch_domain.d", "D");
    fields!(tw, a, b; encrypt_at_rest, node_to_node_encryption, enforce_https);
    tw.done();
}

#[test]
fn edge() {
    let t = tf(
        "edge",
        r#"
resource "aws_lb" "web" {
  name               = "web"
  load_balancer_type = "application"
  internal           = false
  subnets            = ["subnet-1", "subnet-2"]
  security_groups    = ["sg-1"]
  drop_invalid_header_fields = true
  access_logs {
    bucket  = "logs"
    enabled = true
  }
}
resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.web.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = "arn:aws:acm:eu-west-1:111122223333:certificate/abc"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.tg.arn
  }
}
resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type = "redirect"
    redirect {
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}
resource "aws_lb_target_group" "tg" {
  name        = "app"
  port        = 8443
  protocol    = "HTTPS"
  target_type = "ip"
  vpc_id      = "vpc-1"
}
resource "aws_wafv2_ip_set" "ips" {
  name               = "blocked"
  scope              = "REGIONAL"
  ip_address_version = "IPV4"
  addresses          = ["192.0.2.0/24"]
}
resource "aws_wafv2_web_acl" "acl" {
  name  = "acl"
  scope = "REGIONAL"
  default_action {
    allow {}
  }
  rule {
    name     = "common"
    priority = 1
    override_action {
      none {}
    }
    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesCommonRuleSet"
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "common"
      sampled_requests_enabled   = true
    }
  }
  rule {
    name     = "blocked"
    priority = 2
    action {
      block {}
    }
    statement {
      ip_set_reference_statement {
        arn = aws_wafv2_ip_set.ips.arn
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "blocked"
      sampled_requests_enabled   = true
    }
  }
  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "acl"
    sampled_requests_enabled   = true
  }
}
resource "aws_wafv2_web_acl_association" "a" {
  resource_arn = aws_lb.web.arn
  web_acl_arn  = aws_wafv2_web_acl.acl.arn
}
resource "aws_wafv2_web_acl_logging_configuration" "l" {
  resource_arn            = aws_wafv2_web_acl.acl.arn
  log_destination_configs = ["arn:aws:logs:eu-west-1:111122223333:log-group:aws-waf-logs-acl"]
}
resource "aws_cloudfront_distribution" "cdn" {
  enabled    = true
  web_acl_id = "arn:aws:wafv2:us-east-1:111122223333:global/webacl/edge/abc"
  origin {
    domain_name = "origin.example.com"
    origin_id   = "o"
    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }
  default_cache_behavior {
    target_origin_id       = "o"
    viewer_protocol_policy = "redirect-to-https"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
  }
  ordered_cache_behavior {
    path_pattern           = "/api/*"
    target_origin_id       = "o"
    viewer_protocol_policy = "https-only"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
  }
  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }
  viewer_certificate {
    acm_certificate_arn      = "arn:aws:acm:us-east-1:111122223333:certificate/abc"
    ssl_support_method       = "sni-only"
    minimum_protocol_version = "TLSv1.2_2021"
  }
  logging_config {
    bucket = "logs.s3.amazonaws.com"
  }
}
"#,
    );
    let c = cfn(r#"
Resources:
  Web:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Name: web
      Type: application
      Scheme: internet-facing
      Subnets: [subnet-1, subnet-2]
      SecurityGroups: [sg-1]
      LoadBalancerAttributes:
        - {Key: routing.http.drop_invalid_header_fields.enabled, Value: "true"}
        - {Key: access_logs.s3.enabled, Value: "true"}
        - {Key: access_logs.s3.bucket, Value: logs}
  Https:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Web
      Port: 443
      Protocol: HTTPS
      SslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06
      Certificates: [{CertificateArn: "arn:aws:acm:eu-west-1:111122223333:certificate/abc"}]
      DefaultActions: [{Type: forward, TargetGroupArn: !Ref Tg}]
  Http:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Web
      Port: 80
      Protocol: HTTP
      DefaultActions: [{Type: redirect, RedirectConfig: {Protocol: HTTPS, StatusCode: HTTP_301}}]
  Tg:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {Name: app, Port: 8443, Protocol: HTTPS, TargetType: ip, VpcId: vpc-1}
  Ips:
    Type: AWS::WAFv2::IPSet
    Properties: {Name: blocked, Scope: REGIONAL, IPAddressVersion: IPV4, Addresses: [192.0.2.0/24]}
  Acl:
    Type: AWS::WAFv2::WebACL
    Properties:
      Name: acl
      Scope: REGIONAL
      DefaultAction: {Allow: {}}
      Rules:
        - Name: common
          Priority: 1
          OverrideAction: {None: {}}
          Statement: {ManagedRuleGroupStatement: {VendorName: AWS, Name: AWSManagedRulesCommonRuleSet}}
          VisibilityConfig: {CloudWatchMetricsEnabled: true, MetricName: common, SampledRequestsEnabled: true}
        - Name: blocked
          Priority: 2
          Action: {Block: {}}
          Statement: {IPSetReferenceStatement: {Arn: !GetAtt Ips.Arn}}
          VisibilityConfig: {CloudWatchMetricsEnabled: true, MetricName: blocked, SampledRequestsEnabled: true}
      VisibilityConfig: {CloudWatchMetricsEnabled: true, MetricName: acl, SampledRequestsEnabled: true}
  A:
    Type: AWS::WAFv2::WebACLAssociation
    Properties: {ResourceArn: !Ref Web, WebACLArn: !GetAtt Acl.Arn}
  L:
    Type: AWS::WAFv2::LoggingConfiguration
    Properties:
      ResourceArn: !GetAtt Acl.Arn
      LogDestinationConfigs: ["arn:aws:logs:eu-west-1:111122223333:log-group:aws-waf-logs-acl"]
  Cdn:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
        Enabled: true
        WebACLId: arn:aws:wafv2:us-east-1:111122223333:global/webacl/edge/abc
        Origins:
          - Id: o
            DomainName: origin.example.com
            CustomOriginConfig: {OriginProtocolPolicy: https-only, OriginSSLProtocols: [TLSv1.2]}
        DefaultCacheBehavior: {TargetOriginId: o, ViewerProtocolPolicy: redirect-to-https}
        CacheBehaviors: [{PathPattern: /api/*, TargetOriginId: o, ViewerProtocolPolicy: https-only}]
        ViewerCertificate:
          AcmCertificateArn: arn:aws:acm:us-east-1:111122223333:certificate/abc
          SslSupportMethod: sni-only
          MinimumProtocolVersion: TLSv1.2_2021
        Logging: {Bucket: logs.s3.amazonaws.com}
"#);
    let map = [
        ("aws_lb.web", "Web"),
        ("aws_lb_target_group.tg", "Tg"),
        ("aws_wafv2_ip_set.ips", "Ips"),
        ("aws_wafv2_web_acl.acl", "Acl"),
    ];
    let mut tw = Twin::new(&t, &c, &map);
    use palisade_model::aws::*;
    let (a, b) = tw.pair::<LoadBalancer>("aws_lb.web", "Web");
    fields!(tw, a, b; lb_type, internal, subnets, security_groups, access_logs, drop_invalid_headers);
    for (ta, ca) in [
        ("aws_lb_listener.https", "Https"),
        ("aws_lb_listener.http", "Http"),
    ] {
        let (a, b) = tw.pair::<Listener>(ta, ca);
        fields!(tw, a, b; load_balancer, port, protocol, ssl_policy, certificate, default_actions);
    }
    let (a, b) = tw.pair::<TargetGroup>("aws_lb_target_group.tg", "Tg");
    fields!(tw, a, b; protocol, port, target_type, vpc);
    let (a, b) = tw.pair::<WafIpSet>("aws_wafv2_ip_set.ips", "Ips");
    fields!(tw, a, b; addresses);
    let (a, b) = tw.pair::<WafWebAcl>("aws_wafv2_web_acl.acl", "Acl");
    fields!(tw, a, b; scope);
    let rules = |w: &WafWebAcl| {
        w.rules.get().map(|rs| {
            rs.iter()
                .map(|r| {
                    (
                        shape(&r.name),
                        r.managed_group.clone(),
                        r.ip_set.clone(),
                        r.rate_based,
                    )
                })
                .collect::<Vec<_>>()
        })
    };
    tw.eq("waf rules", &rules(a), &rules(b));
    let (a, b) = tw.pair::<WafAssociation>("aws_wafv2_web_acl_association.a", "A");
    fields!(tw, a, b; resource, web_acl);
    let (a, b) = tw.pair::<WafLogging>("aws_wafv2_web_acl_logging_configuration.l", "L");
    fields!(tw, a, b; web_acl);
    let (a, b) = tw.pair::<CloudFrontDistribution>("aws_cloudfront_distribution.cdn", "Cdn");
    fields!(tw, a, b; web_acl, minimum_protocol_version, default_certificate, logging);
    let pol = |d: &CloudFrontDistribution| {
        d.viewer_protocol_policies
            .iter()
            .map(shape)
            .collect::<Vec<_>>()
    };
    tw.eq("viewer policies", &pol(a), &pol(b));
    let origins = |d: &CloudFrontDistribution| {
        d.origins
            .iter()
            .map(|o| {
                (
                    shape(&o.domain),
                    shape(&o.protocol_policy),
                    shape(&o.ssl_protocols),
                    o.s3,
                )
            })
            .collect::<Vec<_>>()
    };
    tw.eq("origins", &origins(a), &origins(b));
    tw.done();
}

#[test]
fn monitoring() {
    let t = tf(
        "monitoring",
        r#"
resource "aws_cloudtrail" "t" {
  name                       = "trail"
  s3_bucket_name             = "trail-logs"
  is_multi_region_trail      = true
  enable_log_file_validation = true
  is_organization_trail      = true
  kms_key_id                 = "arn:aws:kms:eu-west-1:111122223333:key/abc"
  enable_logging             = true
}
resource "aws_config_configuration_recorder" "r" {
  name     = "default"
  role_arn = "arn:aws:iam::111122223333:role/config"
  recording_group {
    all_supported                 = true
    include_global_resource_types = true
  }
}
resource "aws_config_config_rule" "cr" {
  name = "sg-ssh"
  source {
    owner             = "AWS"
    source_identifier = "INCOMING_SSH_DISABLED"
  }
}
resource "aws_config_delivery_channel" "d" {
  name           = "default"
  s3_bucket_name = "config-logs"
  sns_topic_arn  = aws_sns_topic.topic.arn
}
resource "aws_guardduty_detector" "g" {
  enable = true
  datasources {
    kubernetes {
      audit_logs {
        enable = true
      }
    }
  }
}
resource "aws_flow_log" "f" {
  vpc_id          = "vpc-1"
  traffic_type    = "ALL"
  log_destination = "arn:aws:s3:::flow-logs"
}
resource "aws_sns_topic" "topic" {
  name              = "alerts"
  kms_master_key_id = "alias/sns"
}
resource "aws_sns_topic_subscription" "s" {
  topic_arn = aws_sns_topic.topic.arn
  protocol  = "lambda"
  endpoint  = "arn:aws:lambda:eu-west-1:111122223333:function:notify"
}
resource "aws_organizations_policy" "scp" {
  name = "guardrails"
  type = "SERVICE_CONTROL_POLICY"
  content = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }]
  })
}
resource "aws_cloudwatch_log_group" "lg" {
  name              = "/app"
  kms_key_id        = "arn:aws:kms:eu-west-1:111122223333:key/abc"
  retention_in_days = 365
}
"#,
    );
    let c = cfn(r#"
Resources:
  T:
    Type: AWS::CloudTrail::Trail
    Properties:
      TrailName: trail
      S3BucketName: trail-logs
      IsMultiRegionTrail: true
      EnableLogFileValidation: true
      IsOrganizationTrail: true
      KMSKeyId: arn:aws:kms:eu-west-1:111122223333:key/abc
      IsLogging: true
  R:
    Type: AWS::Config::ConfigurationRecorder
    Properties:
      Name: default
      RoleARN: arn:aws:iam::111122223333:role/config
      RecordingGroup: {AllSupported: true, IncludeGlobalResourceTypes: true}
  Cr:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: sg-ssh
      Source: {Owner: AWS, SourceIdentifier: INCOMING_SSH_DISABLED}
  D:
    Type: AWS::Config::DeliveryChannel
    Properties: {Name: default, S3BucketName: config-logs, SnsTopicARN: !Ref Topic}
  G:
    Type: AWS::GuardDuty::Detector
    Properties:
      Enable: true
      DataSources: {Kubernetes: {AuditLogs: {Enable: true}}}
  F:
    Type: AWS::EC2::FlowLog
    Properties:
      ResourceId: vpc-1
      ResourceType: VPC
      TrafficType: ALL
      LogDestination: arn:aws:s3:::flow-logs
  Topic:
    Type: AWS::SNS::Topic
    Properties: {TopicName: alerts, KmsMasterKeyId: alias/sns}
  S:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Topic
      Protocol: lambda
      Endpoint: arn:aws:lambda:eu-west-1:111122223333:function:notify
  Scp:
    Type: AWS::Organizations::Policy
    Properties:
      Name: guardrails
      Type: SERVICE_CONTROL_POLICY
      Content:
        Version: "2012-10-17"
        Statement: [{Effect: Deny, Action: "organizations:LeaveOrganization", Resource: "*"}]
  Lg:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /app
      KmsKeyId: arn:aws:kms:eu-west-1:111122223333:key/abc
      RetentionInDays: 365
"#);
    let map = [("aws_sns_topic.topic", "Topic")];
    let mut tw = Twin::new(&t, &c, &map);
    use palisade_model::aws::*;
    let (a, b) = tw.pair::<CloudTrail>("aws_cloudtrail.t", "T");
    fields!(tw, a, b; multi_region, log_file_validation, kms_key, bucket, organization, logging);
    let (a, b) = tw.pair::<ConfigRecorder>("aws_config_configuration_recorder.r", "R");
    fields!(tw, a, b; all_supported, include_global);
    let (a, b) = tw.pair::<ConfigRule>("aws_config_config_rule.cr", "Cr");
    fields!(tw, a, b; source_identifier);
    let (a, b) = tw.pair::<ConfigDeliveryChannel>("aws_config_delivery_channel.d", "D");
    fields!(tw, a, b; sns_topic);
    let (a, b) = tw.pair::<GuardDutyDetector>("aws_guardduty_detector.g", "G");
    fields!(tw, a, b; enabled, eks_protection);
    let (a, b) = tw.pair::<FlowLog>("aws_flow_log.f", "F");
    fields!(tw, a, b; target, traffic_type);
    let (a, b) = tw.pair::<SnsTopic>("aws_sns_topic.topic", "Topic");
    fields!(tw, a, b; kms_key);
    let (a, b) = tw.pair::<SnsSubscription>("aws_sns_topic_subscription.s", "S");
    fields!(tw, a, b; topic, protocol, endpoint);
    let (a, b) = tw.pair::<OrganizationPolicy>("aws_organizations_policy.scp", "Scp");
    fields!(tw, a, b; policy_type, content);
    let (a, b) = tw.pair::<LogGroup>("aws_cloudwatch_log_group.lg", "Lg");
    fields!(tw, a, b; kms_key, retention_days);
    tw.done();
}
