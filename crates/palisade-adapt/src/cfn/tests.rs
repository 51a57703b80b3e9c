//! CloudFormation-specific adaptation: defaults, merges, links, unknowns.
//! (Equality with the Terraform twins is in `tests/cfn_twins.rs`.)

use super::adapt_cloudformation;
use crate::Adapted;
use palisade_model::aws::*;
use palisade_model::{Ref, Val};

fn adapt(t: &str) -> Adapted {
    let load = palisade_cfn::load_template(t, "t.yaml", &palisade_cfn::Options::default());
    assert!(load.errors.is_empty(), "{:?}", load.errors);
    adapt_cloudformation(&load.resources)
}

fn line<T>(v: &Val<T>) -> Option<u32> {
    v.loc().map(|l| l.line)
}

const NETWORK: &str = r#"Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  Igw:
    Type: AWS::EC2::InternetGateway
  Attach:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties:
      VpcId: !Ref Vpc
      InternetGatewayId: !Ref Igw
  Public:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: !Select [0, !Cidr [!GetAtt Vpc.CidrBlock, 2, 8]]
      MapPublicIpOnLaunch: true
  Private:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !GetAtt Public.VpcId
      CidrBlock: 10.0.1.0/24
  PublicRt:
    Type: AWS::EC2::RouteTable
    Properties:
      VpcId: !Ref Vpc
  DefaultRoute:
    Type: AWS::EC2::Route
    Properties:
      RouteTableId: !Ref PublicRt
      DestinationCidrBlock: 0.0.0.0/0
      GatewayId: !Ref Igw
  PublicAssoc:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      RouteTableId: !Ref PublicRt
      SubnetId: !Ref Public
  Nat:
    Type: AWS::EC2::NatGateway
    Properties:
      SubnetId: !Ref Public
  PrivateRt:
    Type: AWS::EC2::RouteTable
    Properties:
      VpcId: !Ref Vpc
  NatRoute:
    Type: AWS::EC2::Route
    Properties:
      RouteTableId: !Ref PrivateRt
      DestinationCidrBlock: 0.0.0.0/0
      NatGatewayId: !Ref Nat
  PrivateAssoc:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      RouteTableId: !Ref PrivateRt
      SubnetId: !Ref Private
  Acl:
    Type: AWS::EC2::NetworkAcl
    Properties:
      VpcId: !Ref Vpc
  AclEntry:
    Type: AWS::EC2::NetworkAclEntry
    Properties:
      NetworkAclId: !Ref Acl
      RuleNumber: 100
      Protocol: 6
      RuleAction: allow
      CidrBlock: 10.0.0.0/16
      PortRange: {From: 5432, To: 5432}
  AclAssoc:
    Type: AWS::EC2::SubnetNetworkAclAssociation
    Properties:
      NetworkAclId: !Ref Acl
      SubnetId: !Ref Private
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupName: web
      GroupDescription: web
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 0.0.0.0/0
        - IpProtocol: tcp
          FromPort: 8080
          ToPort: 8080
          SourceSecurityGroupId: !Ref Web
  Db:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: db
      VpcId: !Ref Vpc
      SecurityGroupEgress:
        - IpProtocol: "-1"
          CidrIp: 10.0.0.0/16
  DbFromWeb:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !GetAtt Db.GroupId
      IpProtocol: tcp
      FromPort: 5432
      ToPort: 5432
      SourceSecurityGroupId: !Ref Web
  DefaultSgRule:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !GetAtt Vpc.DefaultSecurityGroup
      IpProtocol: "-1"
      CidrIp: 0.0.0.0/0
  S3Endpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Vpc
      ServiceName: com.amazonaws.eu-west-1.s3
      RouteTableIds: [!Ref PrivateRt]
"#;

#[test]
fn network() {
    let out = adapt(NETWORK);
    let aws = &out.aws;
    let public = aws.get::<Subnet>(&Ref::new("Public")).expect("public");
    assert_eq!(public.cidr.some().map(String::as_str), Some("10.0.0.0/24"));
    assert!(public.map_public_ip_on_launch.is_true());
    match aws.subnet_egress(public) {
        Lookup::Found(e) => assert!(e.is_public()),
        other => panic!("{other:?}"),
    }
    let private = aws.get::<Subnet>(&Ref::new("Private")).expect("private");
    assert_eq!(private.vpc.get(), Some(&Ref::new("Vpc")));
    match aws.subnet_egress(private) {
        Lookup::Found(e) => {
            assert!(!e.is_public());
            assert_eq!(e.nat_gateway.len(), 1);
        }
        other => panic!("{other:?}"),
    }
    let acls = aws.nacls_of_subnet(private);
    assert_eq!(acls.len(), 1);
    let entries: Vec<_> = aws.nacl_rules_of(acls[0]).collect();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].protocol.get().map(String::as_str), Some("6"));
    assert_eq!(entries[0].from_port.get(), Some(&Some(5432)));
    assert!(!entries[0].egress);
    let igw = aws.get::<InternetGateway>(&Ref::new("Igw")).expect("igw");
    assert_eq!(igw.vpc.some(), Some(&Ref::new("Vpc")));

    let web = aws.get::<SecurityGroup>(&Ref::new("Web")).expect("web");
    assert!(web.meta.keys.contains(&"web".to_owned()));
    let rules: Vec<_> = aws.sg_rules_of(web).collect();
    // Two inline ingress rules and AWS's default egress rule.
    assert_eq!(rules.len(), 3);
    let https = rules.iter().find(|r| r.from_port.get() == Some(&Some(443)));
    let https = https.expect("443");
    assert_eq!(https.cidrs_v4.get(), Some(&vec!["0.0.0.0/0".to_owned()]));
    assert_eq!(line(&https.cidrs_v4), Some(86));
    assert_eq!(https.meta.address, "Web");
    assert!(https
        .meta
        .keys
        .contains(&"Web.SecurityGroupIngress[0]".to_owned()));
    assert!(rules.iter().any(|r| r.self_ref));
    let egress = rules.iter().find(|r| !r.ingress).expect("default egress");
    assert!(egress.protocol.is_default() && egress.all_protocols() == Some(true));

    let db = aws.get::<SecurityGroup>(&Ref::new("Db")).expect("db");
    let rules: Vec<_> = aws.sg_rules_of(db).collect();
    // The declared egress replaces the default one.
    assert_eq!(rules.iter().filter(|r| !r.ingress).count(), 1);
    let from_web = rules.iter().find(|r| r.ingress).expect("ingress");
    assert_eq!(from_web.source_groups.get(), Some(&vec![Ref::new("Web")]));

    // `!GetAtt Vpc.DefaultSecurityGroup` names the VPC's default group.
    let default = aws
        .security_groups
        .iter()
        .find(|g| g.is_default)
        .expect("default sg");
    assert_eq!(default.meta.address, "Vpc.default_security_group");
    assert_eq!(aws.sg_rules_of(default).count(), 1);

    let ep = &aws.vpc_endpoints[0];
    assert_eq!(ep.endpoint_type.get().map(String::as_str), Some("Gateway"));
    assert!(ep.endpoint_type.is_default());
    assert_eq!(ep.route_tables.get(), Some(&vec![Ref::new("PrivateRt")]));
    assert!(out.notes.is_empty(), "{:?}", out.notes);
}

#[test]
fn rds_defaults_and_aurora_members() {
    let t = r#"Parameters:
  Public:
    Type: String
Resources:
  Plain:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
  InGroup:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBSubnetGroupName: !Ref Group
      StorageEncrypted: true
      KmsKeyId: !GetAtt Key.Arn
  InDefaultGroup:
    Type: AWS::RDS::DBInstance
    Properties:
      DBSubnetGroupName: default
  Restored:
    Type: AWS::RDS::DBInstance
    Properties:
      DBSnapshotIdentifier: snap-1
      PubliclyAccessible: !Ref Public
  Group:
    Type: AWS::RDS::DBSubnetGroup
    Properties:
      DBSubnetGroupDescription: db
      SubnetIds: [subnet-1, subnet-2]
  Key:
    Type: AWS::KMS::Key
  Cluster:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-postgresql
      StorageEncrypted: true
      DeletionProtection: true
  Member1:
    Type: AWS::RDS::DBInstance
    Properties:
      DBClusterIdentifier: !Ref Cluster
      Engine: aurora-postgresql
  Member2:
    Type: AWS::RDS::DBInstance
    Properties:
      DBClusterIdentifier: !Ref Cluster
      Engine: aurora-postgresql
  Params:
    Type: AWS::RDS::DBParameterGroup
    Properties:
      Family: postgres16
      Parameters:
        rds.force_ssl: 1
"#;
    let out = adapt(t);
    let aws = &out.aws;
    let db = |id: &str| aws.get::<DbInstance>(&Ref::new(id)).expect(id);
    let plain = db("Plain");
    assert!(plain.publicly_accessible.is_true() && plain.publicly_accessible.is_default());
    assert!(plain.storage_encrypted.is_false());
    assert_eq!(plain.backup_retention_days.get(), Some(&1));
    let grouped = db("InGroup");
    assert!(grouped.publicly_accessible.is_false());
    assert!(grouped.storage_encrypted.is_true());
    assert_eq!(grouped.kms_key.some(), Some(&Ref::new("Key")));
    assert!(db("InDefaultGroup").publicly_accessible.is_true());
    let restored = db("Restored");
    assert!(restored.storage_encrypted.is_unknown());
    assert!(restored.publicly_accessible.is_unknown());
    for m in ["Member1", "Member2"] {
        let d = db(m);
        assert!(d.publicly_accessible.is_false(), "{m}");
        assert!(d.storage_encrypted.is_true(), "{m}");
        assert!(d.deletion_protection.is_true(), "{m}");
        assert!(d.multi_az.is_true(), "{m}");
    }
    let pg = &aws.db_parameter_groups[0];
    let force = pg.parameter("rds.force_ssl").expect("force_ssl");
    assert_eq!(force.value.get().map(String::as_str), Some("1"));
    assert!(out
        .unknowns
        .iter()
        .any(|u| u.resource == "Restored" && u.attribute == "StorageEncrypted"));
}

#[test]
fn s3_bucket_policy_is_merged() {
    let t = r#"Resources:
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: my-logs
      AccessControl: LogDeliveryWrite
      VersioningConfiguration: {Status: Enabled}
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: !Ref Key
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
  Key:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
  Alias:
    Type: AWS::KMS::Alias
    Properties:
      AliasName: alias/logs
      TargetKeyId: !Ref Key
  Policy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Logs
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Deny
            Principal: "*"
            Action: "s3:*"
            Resource:
              - !GetAtt Logs.Arn
              - !Sub "${Logs.Arn}/*"
            Condition:
              Bool: {"aws:SecureTransport": false}
  Orphan:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: elsewhere
      PolicyDocument: {Statement: []}
"#;
    let out = adapt(t);
    let aws = &out.aws;
    let b = aws
        .get::<S3Bucket>(&Ref::new("arn:aws:s3:::my-logs"))
        .expect("bucket");
    assert_eq!(b.acl.some().map(String::as_str), Some("log-delivery-write"));
    assert!(b.versioning.is_true());
    let enc = b.encryption.some().expect("encryption");
    assert_eq!(enc.algorithm.get().map(String::as_str), Some("aws:kms"));
    assert_eq!(enc.kms_key.some(), Some(&Ref::new("Key")));
    let pab = b.public_access_block.as_ref().expect("pab");
    assert!(pab.block_public_acls.is_true() && pab.block_public_policy.is_false());
    let doc = b.policy.some().expect("policy");
    let st = &doc["Statement"][0];
    assert_eq!(st["Resource"][0], "${unknown}Logs.Arn");
    assert_eq!(st["Resource"][1], "${unknown}");
    assert_eq!(st["Condition"]["Bool"]["aws:SecureTransport"], false);
    assert_eq!(line(&b.policy), Some(28));
    let key = aws
        .get::<KmsKey>(&Ref::new("alias/logs"))
        .expect("key by alias");
    assert!(key.rotation.is_true());
    assert_eq!(key.deletion_window_days.get(), Some(&Some(30)));
    assert_eq!(aws.others.len(), 1);
    assert!(out.notes.iter().any(|n| n.message.contains("elsewhere")));
}

#[test]
fn iam_grants() {
    let t = r#"Resources:
  App:
    Type: AWS::IAM::Role
    Properties:
      RoleName: app
      Path: /svc/
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: ec2.amazonaws.com}
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/AdministratorAccess
        - !Ref Managed
      PermissionsBoundary: !Ref Boundary
      Policies:
        - PolicyName: inline
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: "*", Resource: "*"}
  Managed:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      ManagedPolicyName: reader
      PolicyDocument:
        Statement: [{Effect: Allow, Action: "s3:Get*", Resource: "*"}]
      Users: [!Ref Alice]
  Boundary:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: {Statement: []}
  Extra:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: extra
      PolicyDocument: {Statement: [{Effect: Allow, Action: "kms:*", Resource: "*"}]}
      Roles: [app]
      Groups: [!Ref Admins]
  Alice:
    Type: AWS::IAM::User
    Properties:
      UserName: alice
      Groups: [!Ref Admins]
      LoginProfile:
        Password: "{{resolve:secretsmanager:alice}}"
  Admins:
    Type: AWS::IAM::Group
  Key:
    Type: AWS::IAM::AccessKey
    Properties:
      UserName: !Ref Alice
  Bob:
    Type: AWS::IAM::UserToGroupAddition
    Properties:
      GroupName: !Ref Admins
      Users: [bob]
"#;
    let out = adapt(t);
    let aws = &out.aws;
    let role = aws.get::<IamRole>(&Ref::new("role/svc/app")).expect("role");
    assert_eq!(
        role.permissions_boundary.some().map(String::as_str),
        Some("Boundary")
    );
    let grants: Vec<_> = aws.grants_of(&role.meta).collect();
    assert_eq!(grants.len(), 4, "{grants:#?}");
    assert!(grants
        .iter()
        .any(|g| g.aws_managed_name() == Some("AdministratorAccess")));
    assert!(grants.iter().any(
        |g| g.document(aws).is_some_and(
            |d| d["Statement"][0]["Action"] == "s3:Get*" || d["Statement"][0]["Action"] == "*"
        )
    ));
    let alice = aws.get::<IamUser>(&Ref::new("user/alice")).expect("alice");
    assert_eq!(aws.grants_of(&alice.meta).count(), 1);
    assert_eq!(aws.iam_login_profiles.len(), 1);
    assert_eq!(aws.iam_access_keys[0].user.get(), Some(&Ref::new("Alice")));
    let admins = aws.get::<IamGroup>(&Ref::new("Admins")).expect("group");
    assert_eq!(aws.grants_of(&admins.meta).count(), 1);
    assert_eq!(aws.iam_group_memberships.len(), 2);
}

#[test]
fn eks_and_compute() {
    let t = r#"Resources:
  Cluster:
    Type: AWS::EKS::Cluster
    Properties:
      Name: prod
      RoleArn: arn:aws:iam::111122223333:role/eks
      ResourcesVpcConfig:
        SubnetIds: [subnet-1]
        EndpointPrivateAccess: true
      EncryptionConfig:
        - Provider: {KeyArn: !GetAtt Key.Arn}
          Resources: [secrets]
      Logging:
        ClusterLogging:
          EnabledTypes: [{Type: api}, {Type: audit}]
  Key:
    Type: AWS::KMS::Key
  Nodes:
    Type: AWS::EKS::Nodegroup
    Properties:
      ClusterName: !Ref Cluster
      NodeRole: !GetAtt NodeRole.Arn
      Subnets: [subnet-1]
      LaunchTemplate: {Id: !Ref Lt}
  NodeRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: []}
  Lt:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        MetadataOptions: {HttpTokens: required, HttpPutResponseHopLimit: 2}
        BlockDeviceMappings:
          - DeviceName: /dev/xvda
            Ebs: {Encrypted: true}
        SecurityGroupIds: [sg-1]
  Vm:
    Type: AWS::EC2::Instance
    Properties:
      LaunchTemplate: {LaunchTemplateId: !Ref Lt, Version: "1"}
      BlockDeviceMappings:
        - DeviceName: /dev/xvda
          Ebs: {Encrypted: false}
  Plain:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-1
  Repo:
    Type: AWS::ECR::Repository
  Search:
    Type: AWS::OpenSearchService::Domain
    Properties:
      EncryptionAtRestOptions: {Enabled: true}
"#;
    let out = adapt(t);
    let aws = &out.aws;
    let c = &aws.eks_clusters[0];
    assert!(c.endpoint_public_access.is_true() && c.endpoint_public_access.is_default());
    assert_eq!(
        c.public_access_cidrs.get(),
        Some(&vec!["0.0.0.0/0".to_owned()])
    );
    assert_eq!(c.secrets_encryption_key.some(), Some(&Ref::new("Key")));
    assert_eq!(
        c.log_types.get(),
        Some(&vec!["api".to_owned(), "audit".to_owned()])
    );
    let ng = &aws.eks_node_groups[0];
    assert_eq!(ng.cluster.some(), Some(&Ref::new("Cluster")));
    assert_eq!(ng.launch_template.some(), Some(&Ref::new("Lt")));
    assert!(ng.remote_access.is_false());
    let lt = &aws.launch_templates[0];
    assert_eq!(lt.http_tokens.get().map(String::as_str), Some("required"));
    assert_eq!(lt.http_put_response_hop_limit.get(), Some(&2));
    assert!(lt.block_devices[0].encrypted.is_true());
    assert_eq!(lt.security_groups.get(), Some(&vec![Ref::new("sg-1")]));
    let vm = aws.get::<Instance>(&Ref::new("Vm")).expect("vm");
    assert_eq!(vm.http_tokens.get().map(String::as_str), Some("required"));
    assert!(vm.root_encrypted.is_false());
    let plain = aws.get::<Instance>(&Ref::new("Plain")).expect("plain");
    assert!(plain.http_tokens.is_default());
    let repo = &aws.ecr_repositories[0];
    assert!(repo.scan_on_push.is_false() && !repo.immutable_tags.is_true());
    let d = &aws.opensearch_domains[0];
    assert!(d.encrypt_at_rest.is_true() && d.node_to_node_encryption.is_false());
    assert!(d.enforce_https.is_false());
}

#[test]
fn monitoring() {
    let t = r#"Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      S3BucketName: !Ref Bucket
      IsMultiRegionTrail: true
  NoLogging:
    Type: AWS::CloudTrail::Trail
    Properties:
      S3BucketName: b
  Bucket:
    Type: AWS::S3::Bucket
  Recorder:
    Type: AWS::Config::ConfigurationRecorder
    Properties:
      RoleARN: arn:aws:iam::111122223333:role/config
  Channel:
    Type: AWS::Config::DeliveryChannel
    Properties:
      S3BucketName: !Ref Bucket
      SnsTopicARN: !Ref Topic
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      Subscription:
        - {Protocol: lambda, Endpoint: !GetAtt Fn.Arn}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt FnRole.Arn
  FnRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: []}
  Detector:
    Type: AWS::GuardDuty::Detector
    Properties:
      Enable: true
      Features:
        - {Name: EKS_AUDIT_LOGS, Status: ENABLED}
  Hub:
    Type: AWS::SecurityHub::Hub
  Flow:
    Type: AWS::EC2::FlowLog
    Properties:
      ResourceId: vpc-1
      ResourceType: VPC
      TrafficType: ALL
"#;
    let out = adapt(t);
    let aws = &out.aws;
    let trail = aws.get::<CloudTrail>(&Ref::new("Trail")).expect("trail");
    assert!(trail.logging.is_true() && trail.multi_region.is_true());
    assert!(trail.log_file_validation.is_false());
    assert_eq!(trail.bucket.some(), Some(&Ref::new("Bucket")));
    let no = aws
        .get::<CloudTrail>(&Ref::new("NoLogging"))
        .expect("trail");
    assert!(no.logging.is_unknown());
    let rec = &aws.config_recorders[0];
    assert!(rec.all_supported.is_true());
    assert_eq!(rec.recording, Some(Val::default_(true)));
    assert_eq!(
        aws.config_delivery_channels[0].sns_topic.some(),
        Some(&Ref::new("Topic"))
    );
    assert_eq!(
        aws.sns_subscriptions[0].endpoint.some(),
        Some(&Ref::new("Fn"))
    );
    assert_eq!(
        aws.lambda_functions[0].role.some(),
        Some(&Ref::new("FnRole"))
    );
    assert!(aws.guardduty_detectors[0].eks_protection.is_true());
    assert_eq!(aws.securityhub_accounts.len(), 1);
    assert_eq!(aws.flow_logs[0].target.get(), Some(&Ref::new("vpc-1")));
}

#[test]
fn unknown_conditions_and_bodies_stay_unknown() {
    let t = r#"Parameters:
  Env:
    Type: String
Conditions:
  Prod: !Equals [!Ref Env, prod]
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      StorageEncrypted: !If [Prod, true, false]
      DBSubnetGroupName: group
  Whole:
    Type: AWS::S3::Bucket
    Properties: !If [Prod, {BucketName: a}, {BucketName: b}]
  Rules:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: x
      SecurityGroupIngress:
        - !If [Prod, {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}, !Ref AWS::NoValue]
"#;
    let out = adapt(t);
    let aws = &out.aws;
    let db = &aws.db_instances[0];
    assert!(db.storage_encrypted.is_unknown());
    assert!(db
        .storage_encrypted
        .unknown_reason()
        .is_some_and(|r| r.contains("Prod")));
    let b = &aws.s3_buckets[0];
    assert!(b.name.is_unknown() && b.versioning.is_unknown());
    let sg = &aws.security_groups[0];
    let rules: Vec<_> = aws.sg_rules_of(sg).collect();
    assert!(rules.iter().any(|r| r.ingress && r.protocol.is_unknown()));
    assert!(out.unknowns.iter().any(|u| u.resource == "Db"));
}

#[test]
fn tags_and_edge() {
    let t = r#"Resources:
  Lb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: [subnet-1]
      LoadBalancerAttributes:
        - {Key: access_logs.s3.enabled, Value: "true"}
      Tags:
        - {Key: team, Value: web}
        - {Key: env, Value: !Ref AWS::Region}
  Http:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Lb
      Port: 80
      DefaultActions:
        - Type: redirect
          RedirectConfig: {Protocol: HTTPS, StatusCode: HTTP_301}
  Https:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Lb
      Port: 443
      Protocol: HTTPS
      Certificates: [{CertificateArn: arn:aws:acm:eu-west-1:1:certificate/x}]
      DefaultActions: [{Type: forward, TargetGroupArn: !Ref Tg}]
  Tg:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {Protocol: HTTP, Port: 8080, TargetType: ip}
  Acl:
    Type: AWS::WAFv2::WebACL
    Properties:
      Scope: REGIONAL
      DefaultAction: {Allow: {}}
      Rules:
        - Name: common
          Statement:
            ManagedRuleGroupStatement: {VendorName: AWS, Name: AWSManagedRulesCommonRuleSet}
        - Name: block
          Statement:
            NotStatement:
              Statement:
                IPSetReferenceStatement: {Arn: !GetAtt Ips.Arn}
  Ips:
    Type: AWS::WAFv2::IPSet
    Properties: {Scope: REGIONAL, IPAddressVersion: IPV4, Addresses: [192.0.2.0/24]}
  Assoc:
    Type: AWS::WAFv2::WebACLAssociation
    Properties: {ResourceArn: !Ref Lb, WebACLArn: !GetAtt Acl.Arn}
  Cdn:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
        Enabled: true
        DefaultCacheBehavior: {ViewerProtocolPolicy: redirect-to-https, TargetOriginId: o}
        Origins:
          - Id: o
            DomainName: !GetAtt Lb.DNSName
            CustomOriginConfig: {OriginProtocolPolicy: https-only, OriginSSLProtocols: [TLSv1.2]}
"#;
    let out = adapt(t);
    let aws = &out.aws;
    let lb = &aws.load_balancers[0];
    assert!(lb.internal.is_false() && lb.internal.is_default());
    assert!(lb.access_logs.is_true());
    assert!(lb.drop_invalid_headers.is_false());
    let tags = lb.meta.tags.as_ref().and_then(|t| t.get()).expect("tags");
    assert_eq!(
        tags.get("team").and_then(|v| v.get()).map(String::as_str),
        Some("web")
    );
    assert!(tags.get("env").is_some_and(Val::is_unknown));
    let http = aws.get::<Listener>(&Ref::new("Http")).expect("http");
    assert_eq!(http.protocol.get(), Some(&Some("HTTP".to_owned())));
    assert!(matches!(
        http.default_actions.get().map(Vec::as_slice),
        Some([ListenerAction::Redirect { protocol: Some(p) }]) if p == "HTTPS"
    ));
    let https = aws.get::<Listener>(&Ref::new("Https")).expect("https");
    assert!(https.ssl_policy.is_unknown());
    assert!(https.certificate.some().is_some());
    let acl = &aws.waf_web_acls[0];
    let rules = acl.rules.get().expect("rules");
    assert_eq!(rules.len(), 2);
    assert_eq!(
        rules[0].managed_group,
        Some(("AWS".to_owned(), "AWSManagedRulesCommonRuleSet".to_owned()))
    );
    assert_eq!(rules[1].ip_set, Some(Ref::new("Ips")));
    assert_eq!(
        aws.waf_associations[0].resource.get(),
        Some(&Ref::new("Lb"))
    );
    let cdn = &aws.cloudfront_distributions[0];
    assert!(cdn.default_certificate.is_true());
    assert_eq!(
        cdn.minimum_protocol_version.get().map(String::as_str),
        Some("TLSv1")
    );
    assert!(!cdn.origins[0].s3);
    assert!(cdn.web_acl.is_none());
    // Parts carry no tags; the route and rules are not taggable.
    assert!(aws.listeners.iter().all(|l| l.meta.tags.is_none()));
}

#[test]
fn associations_to_the_default_acl_merge_into_it() {
    let t = r#"Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  Db:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24}
  Assoc:
    Type: AWS::EC2::SubnetNetworkAclAssociation
    Properties:
      SubnetId: !Ref Db
      NetworkAclId: !GetAtt Vpc.DefaultNetworkAcl
  Open:
    Type: AWS::EC2::NetworkAclEntry
    Properties:
      NetworkAclId: !GetAtt Vpc.DefaultNetworkAcl
      RuleNumber: 100
      Protocol: -1
      RuleAction: allow
      CidrBlock: 0.0.0.0/0
"#;
    let out = adapt(t);
    let aws = &out.aws;
    assert!(out.notes.is_empty(), "{:?}", out.notes);
    assert_eq!(aws.network_acls.len(), 1);
    let acl = &aws.network_acls[0];
    assert!(acl.is_default);
    assert_eq!(acl.subnets.get(), Some(&vec![Ref::new("Db")]));
    assert_eq!(aws.nacl_rules_of(acl).count(), 1);
}
