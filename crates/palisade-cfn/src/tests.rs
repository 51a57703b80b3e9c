use super::*;

fn load(t: &str) -> TemplateLoad {
    load_template(t, "t.yaml", &Options::default())
}

fn load_with(t: &str, params: &[(&str, &str)], pseudo: &[(&str, &str)]) -> TemplateLoad {
    let opts = Options {
        parameters: params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        pseudo: pseudo
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    };
    load_template(t, "t.yaml", &opts)
}

/// Property `key` of resource `id`.
fn prop<'a>(l: &'a TemplateLoad, id: &str, key: &str) -> &'a RawNode {
    let r = l
        .resources
        .iter()
        .find(|r| r.address == id)
        .unwrap_or_else(|| panic!("no resource {id}: {:?}", l.errors));
    r.body
        .get(key)
        .unwrap_or_else(|| panic!("no property {key} on {id}: {:?}", r.body))
}

fn s(v: &str) -> Raw {
    Raw::String(v.to_owned())
}

fn is_unknown(n: &RawNode) -> bool {
    matches!(n.value, Raw::Unknown(_))
}

fn reason(n: &RawNode) -> String {
    match &n.value {
        Raw::Unknown(r) => r.clone(),
        other => panic!("not unknown: {other:?}"),
    }
}

fn strs(n: &RawNode) -> Vec<String> {
    n.as_list()
        .unwrap_or_else(|| panic!("not a list: {n:?}"))
        .iter()
        .map(|i| i.as_str().unwrap_or("?").to_owned())
        .collect()
}

fn rref(address: &str, attr: &str) -> Raw {
    Raw::Ref {
        address: address.into(),
        attr: attr.into(),
    }
}

const TEMPLATE: &str = r##"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env:
    Type: String
    Default: prod
  Cidr:
    Type: String
  Port:
    Type: Number
    Default: "5432"
  Subnets:
    Type: List<AWS::EC2::Subnet::Id>
    Default: subnet-1, subnet-2
  Ami:
    Type: AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>
    Default: /aws/service/ami
Mappings:
  Sizes:
    prod: {Class: db.r6g.large, Multi: true}
    dev: {Class: db.t4g.micro, Multi: false}
  Same:
    eu-west-1: {Bits: 8}
    us-east-1: {Bits: 8}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  HasCidr: !Not [!Equals [!Ref Cidr, ""]]
  Both: !And [!Condition IsProd, !Condition HasCidr]
  Either: !Or [!Condition IsProd, !Condition HasCidr]
  LongForm: {"Fn::Equals": [{"Ref": "Env"}, "dev"]}
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      VpcId: !Ref Vpc
      GroupDescription: !Sub "${Env} db"
      Plain: !Sub "no variables"
      WithVars: !Sub
        - "${A}-${B}-${!Literal}"
        - A: x
          B: !Ref Port
      Whole: !Sub "${Vpc}"
      WholeAtt: !Sub "${Vpc.DefaultSecurityGroup}"
      Partial: !Sub "arn:aws:s3:::${Vpc}/*"
      Region: !Sub "${AWS::Region}"
      Joined: !Join [",", [a, b, !Ref Env]]
      JoinRef: !Join ["", [!GetAtt Vpc.Arn]]
      JoinUnknown: !Join ["-", [a, !Ref Cidr]]
      Selected: !Select [1, !Ref Subnets]
      SelectedRef: !Select [0, [!Ref Vpc, b]]
      Split: !Split [",", "a,b,c"]
      IfTrue: !If [IsProd, yes-prod, no-prod]
      IfFalse: !If [IsDev, dev, !Ref AWS::NoValue]
      IfUnknown: !If [HasCidr, !Ref Cidr, none]
      IfSame: !If [HasCidr, same, same]
      AndUnknown: !If [Both, x, y]
      OrTrue: !If [Either, x, y]
      LongIf: {"Fn::If": ["LongForm", "dev", "not-dev"]}
      Mapped: !FindInMap [Sizes, !Ref Env, Class]
      MappedMulti: !FindInMap [Sizes, !Ref Env, Multi]
      MappedRegion: !FindInMap [Same, !Ref "AWS::Region", Bits]
      MappedDefault: !FindInMap [Sizes, staging, Class, {DefaultValue: db.small}]
      Imported: !ImportValue shared-vpc-id
      Encoded: !Base64 "#!/bin/bash"
      Cidrs: !Cidr [!GetAtt Vpc.CidrBlock, 2, 8]
      Azs: !GetAZs ""
      FirstAz: !Select [0, !GetAZs ""]
      AttVpc: !GetAtt [Vpc, CidrBlock]
      AttLong: {"Fn::GetAtt": ["Vpc", "Arn"]}
      Number: !Ref Port
      ListParam: !Ref Subnets
      Ssm: !Ref Ami
      NoDefault: !Ref Cidr
      Account: !Ref AWS::AccountId
      Gone: !Ref AWS::NoValue
      ListWithGone: [a, !Ref AWS::NoValue, b]
      Bool: true
      Quoted: "22"
      Int: 22
      Str: !!str 22
      Length: !Length [a, b, c]
      Json: !ToJsonString {a: 1, b: [x]}
      Resolve: "{{resolve:ssm:/db/host}}"
      EqualsValue: !Equals [a, a]
  OnlyDev:
    Type: AWS::S3::Bucket
    Condition: IsDev
  OnlyWithCidr:
    Type: AWS::S3::Bucket
    Condition: HasCidr
"##;

#[test]
fn intrinsics_and_parameters() {
    let l = load(TEMPLATE);
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    let p = |k| prop(&l, "Sg", k);
    assert_eq!(p("VpcId").value, rref("Vpc", ""));
    assert_eq!(p("GroupDescription").value, s("prod db"));
    assert_eq!(p("Plain").value, s("no variables"));
    assert_eq!(p("WithVars").value, s("x-5432-${Literal}"));
    assert_eq!(p("Whole").value, rref("Vpc", ""));
    assert_eq!(p("WholeAtt").value, rref("Vpc", "DefaultSecurityGroup"));
    assert!(
        reason(p("Partial")).contains("`Vpc`"),
        "{}",
        reason(p("Partial"))
    );
    assert!(reason(p("Region")).contains("AWS::Region"));
    assert_eq!(p("Joined").value, s("a,b,prod"));
    assert_eq!(p("JoinRef").value, rref("Vpc", "Arn"));
    assert!(reason(p("JoinUnknown")).contains("`Cidr` has no default"));
    assert_eq!(p("Selected").value, s("subnet-2"));
    assert_eq!(p("SelectedRef").value, rref("Vpc", ""));
    assert_eq!(strs(p("Split")), ["a", "b", "c"]);
    assert_eq!(p("IfTrue").value, s("yes-prod"));
    assert!(prop_missing(&l, "Sg", "IfFalse"));
    assert!(reason(p("IfUnknown")).contains("condition `HasCidr`"));
    assert_eq!(p("IfSame").value, s("same"));
    assert!(is_unknown(p("AndUnknown")));
    assert_eq!(p("OrTrue").value, s("x"));
    assert_eq!(p("LongIf").value, s("not-dev"));
    assert_eq!(p("Mapped").value, s("db.r6g.large"));
    assert_eq!(p("MappedMulti").value, Raw::Bool(true));
    assert_eq!(p("MappedRegion").value, Raw::Number(8.0));
    assert_eq!(p("MappedDefault").value, s("db.small"));
    assert!(reason(p("Imported")).contains("shared-vpc-id"));
    assert_eq!(p("Encoded").value, s("IyEvYmluL2Jhc2g="));
    assert_eq!(strs(p("Cidrs")), ["10.0.0.0/24", "10.0.1.0/24"]);
    assert!(reason(p("Azs")).contains("availability zones"));
    assert!(is_unknown(p("FirstAz")));
    assert_eq!(p("AttVpc").value, s("10.0.0.0/16"));
    assert_eq!(p("AttLong").value, rref("Vpc", "Arn"));
    assert_eq!(p("Number").value, Raw::Number(5432.0));
    assert_eq!(strs(p("ListParam")), ["subnet-1", "subnet-2"]);
    assert!(reason(p("Ssm")).contains("SSM"));
    assert!(reason(p("NoDefault")).contains("no default"));
    assert!(reason(p("Account")).contains("AWS::AccountId"));
    assert!(prop_missing(&l, "Sg", "Gone"));
    assert_eq!(strs(p("ListWithGone")), ["a", "b"]);
    assert_eq!(p("Bool").value, Raw::Bool(true));
    assert_eq!(p("Quoted").value, s("22"));
    assert_eq!(p("Int").value, Raw::Number(22.0));
    assert_eq!(p("Str").value, s("22"));
    assert_eq!(p("Length").value, Raw::Number(3.0));
    assert_eq!(p("Json").value, s(r#"{"a":1,"b":["x"]}"#));
    assert_eq!(p("Resolve").value, s("{{resolve:ssm:/db/host}}"));
    assert_eq!(p("EqualsValue").value, Raw::Bool(true));

    // Conditional resources: false → left out; unknown → kept with an Unknown.
    assert!(!l.resources.iter().any(|r| r.address == "OnlyDev"));
    assert!(l.resources.iter().any(|r| r.address == "OnlyWithCidr"));
    assert!(l
        .unknowns
        .iter()
        .any(|u| u.resource == "OnlyWithCidr" && u.attribute == "Condition"));
}

fn prop_missing(l: &TemplateLoad, id: &str, key: &str) -> bool {
    l.resources
        .iter()
        .find(|r| r.address == id)
        .is_some_and(|r| r.body.get(key).is_none())
}

#[test]
fn overrides_and_pseudo_parameters() {
    let l = load_with(
        TEMPLATE,
        &[("Env", "dev"), ("Cidr", "10.1.0.0/16"), ("Subnets", "a,b")],
        &[
            ("AWS::Region", "eu-west-1"),
            ("AWS::AccountId", "111122223333"),
        ],
    );
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    let p = |k| prop(&l, "Sg", k);
    assert_eq!(p("GroupDescription").value, s("dev db"));
    assert_eq!(p("IfUnknown").value, s("10.1.0.0/16"));
    assert_eq!(p("IfFalse").value, s("dev"));
    assert_eq!(p("Region").value, s("eu-west-1"));
    assert_eq!(p("Account").value, s("111122223333"));
    assert_eq!(p("Selected").value, s("b"));
    assert_eq!(p("Mapped").value, s("db.t4g.micro"));
    assert!(l.resources.iter().any(|r| r.address == "OnlyDev"));
    assert!(l.unknowns.is_empty(), "{:?}", l.unknowns);
}

#[test]
fn json_long_forms_with_lines() {
    let t = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Parameters": {"Env": {"Type": "String", "Default": "prod"}},
  "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
  "Resources": {
	"Db": {
	  "Type": "AWS::RDS::DBInstance",
	  "Properties": {
		"PubliclyAccessible": {"Fn::If": ["IsProd", false, true]},
		"StorageEncrypted": "true",
		"DBSubnetGroupName": {"Ref": "Group"},
		"Name": {"Fn::Sub": ["${E}-db", {"E": {"Ref": "Env"}}]},
		"Key": {"Fn::GetAtt": "Key.Arn"},
		"Port": {"Fn::Select": ["0", {"Fn::Split": [",", "5432,5433"]}]},
		"Joined": {"Fn::Join": ["", ["a", {"Fn::FindInMap": ["M", "a", "b"]}]]}
	  }
	},
	"Group": {"Type": "AWS::RDS::DBSubnetGroup", "Properties": {}},
	"Key": {"Type": "AWS::KMS::Key"}
  },
  "Mappings": {"M": {"a": {"b": "c"}}}
}
"#;
    let l = load_template(t, "t.json", &Options::default());
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    let p = |k| prop(&l, "Db", k);
    assert_eq!(p("PubliclyAccessible").value, Raw::Bool(false));
    assert_eq!(
        p("PubliclyAccessible").loc.as_ref().map(|l| l.line),
        Some(9)
    );
    assert_eq!(p("StorageEncrypted").value, s("true"));
    assert_eq!(p("DBSubnetGroupName").value, rref("Group", ""));
    assert_eq!(p("Name").value, s("prod-db"));
    assert_eq!(p("Key").value, rref("Key", "Arn"));
    assert_eq!(p("Port").value, s("5432"));
    assert_eq!(p("Joined").value, s("ac"));
    let db = l.resources.iter().find(|r| r.address == "Db");
    assert_eq!(db.map(|r| (r.loc.line, r.loc.end_line)), Some((6, 17)));
    assert_eq!(l.resources.len(), 3);
}

#[test]
fn yaml_lines_of_values_and_resources() {
    let t = "Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      VpcId: !Ref Vpc\n      SecurityGroupIngress:\n        - IpProtocol: tcp\n          FromPort: 22\n          CidrIp: 0.0.0.0/0\n  Vpc:\n    Type: AWS::EC2::VPC\n";
    let l = load(t);
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    let sg = &l.resources[0];
    assert_eq!((sg.loc.line, sg.loc.end_line), (2, 9));
    assert_eq!(
        prop(&l, "Sg", "VpcId").loc.as_ref().map(|l| l.line),
        Some(5)
    );
    let ingress = prop(&l, "Sg", "SecurityGroupIngress");
    let first = ingress.as_list().and_then(|l| l.first());
    let cidr = first.and_then(|f| f.get("CidrIp"));
    assert_eq!(cidr.and_then(|c| c.loc.as_ref()).map(|l| l.line), Some(9));
    assert_eq!(
        first
            .and_then(|f| f.loc.as_ref())
            .map(|l| (l.line, l.end_line)),
        Some((7, 9))
    );
}

#[test]
fn condition_cycles_and_unknown_names() {
    let t = "Conditions:\n  A: !Condition B\n  B: !Not [!Condition A]\n  C: !Equals [!Ref Missing, x]\nResources:\n  X:\n    Type: AWS::S3::Bucket\n    Condition: A\n  Y:\n    Type: AWS::S3::Bucket\n    Condition: Nope\n    Properties:\n      BucketName: !If [C, a, b]\n";
    let l = load(t);
    let msgs: Vec<String> = l
        .errors
        .iter()
        .map(|e| format!("{:?}: {}", e.line, e.message))
        .collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains("cycle") && m.contains("A → B → A")),
        "{msgs:?}"
    );
    assert!(msgs.iter().any(|m| m.contains("`Missing`")), "{msgs:?}");
    assert!(
        msgs.iter()
            .any(|m| m.contains("Some(11)") && m.contains("`Nope`")),
        "{msgs:?}"
    );
    // Both resources are kept, as possibly existing.
    assert_eq!(l.resources.len(), 2);
    assert_eq!(l.unknowns.len(), 2);
    assert!(is_unknown(prop(&l, "Y", "BucketName")));
}

#[test]
fn unknown_tags_and_functions_are_errors_with_lines() {
    let t = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      A: !Bogus x\n      B: {\"Fn::Nope\": [1]}\n      C: !Select [9, [a]]\n      D: !GetAtt Missing.Arn\n      E: !Join [\",\"]\n";
    let l = load(t);
    let lines: Vec<Option<u32>> = l.errors.iter().map(|e| e.line).collect();
    assert_eq!(
        lines,
        [Some(5), Some(6), Some(7), Some(8), Some(9)],
        "{:?}",
        l.errors
    );
    assert!(l.errors[0].message.contains("!Bogus"));
    assert!(l.errors[1].message.contains("Fn::Nope"));
    for k in ["A", "B", "C", "D", "E"] {
        assert!(is_unknown(prop(&l, "B", k)), "{k}");
    }
}

#[test]
fn malformed_input_never_panics() {
    let cases = [
        "Resources:\n  A: [\n",
        "AWSTemplateFormatVersion: 2010-09-09\nResources: 3\n",
        "{\"Resources\": {\"A\": {\"Type\": \"AWS::S3::Bucket\",}}",
        "Resources:\n  A:\n    Properties: {}\n",
        "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties: !If [X, {}, {}]\n",
        "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties: [1, 2]\n",
        "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n      X: !Sub [1, 2, 3]\n      Y: !Cidr [nope, 1, 8]\n      Z: !FindInMap [A]\n      W: !If [1, 2]\n      V: !Ref [a]\n",
        "AWSTemplateFormatVersion: '2010-09-09'\n",
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Fn::ForEach::Buckets:\n    - Id\n    - [a, b]\n    - B${Id}: {Type: AWS::S3::Bucket}\n",
    ];
    for c in cases {
        let l = load(c);
        assert!(
            !l.errors.is_empty() || !l.notes.is_empty(),
            "no diagnostic for {c:?}"
        );
        for d in l.errors.iter().chain(&l.notes) {
            assert_eq!(d.file, "t.yaml");
        }
    }
    let l = load("Resources:\n  A: [\n");
    assert_eq!(l.errors.first().and_then(|e| e.line), Some(3));
}

#[test]
fn deep_nesting_and_alias_bombs_are_rejected() {
    let mut deep =
        String::from("Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n      X: ");
    for _ in 0..300 {
        deep.push('[');
    }
    for _ in 0..300 {
        deep.push(']');
    }
    deep.push('\n');
    let l = load(&deep);
    assert!(
        l.errors
            .iter()
            .any(|e| e.message.contains("nesting") || e.message.contains("recursion limit")),
        "{:?}",
        l.errors
    );

    let mut deep_fn =
        String::from("Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n      X: ");
    for _ in 0..120 {
        deep_fn.push_str("{\"Fn::Base64\": ");
    }
    deep_fn.push('x');
    for _ in 0..120 {
        deep_fn.push('}');
    }
    deep_fn.push('\n');
    let l = load(&deep_fn);
    assert!(!l.errors.is_empty());

    let mut bomb = String::from("Mappings:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    let mut prev = "a".to_owned();
    for i in 0..8 {
        let name = format!("b{i}");
        bomb.push_str(&format!(
            "  {name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
        ));
        prev = name;
    }
    bomb.push_str("Resources:\n  A: {Type: AWS::S3::Bucket}\n");
    let l = load(&bomb);
    assert!(
        l.errors.iter().any(|e| e.message.contains("alias")),
        "{:?}",
        l.errors
    );
}

#[test]
fn secrets_are_found_and_never_printed() {
    let t = r#"Parameters:
  DBPassword:
    Type: String
    NoEcho: true
    Default: hunter2-pass
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      MasterUsername: admin
      MasterUserPassword: hunter2
      Other: "{{resolve:secretsmanager:db:SecretString:password}}"
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Environment:
        Variables:
          API_TOKEN: c2b7e1f04a9d4b6e8f3a5c7d9e1f2a4b
          REGION: eu-west-1
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Environment:
            - Name: DB_PASSWORD
              Value: Sup3rS3cret!
  Dyn:
    Type: AWS::RDS::DBCluster
    Properties:
      MasterUserPassword: "{{resolve:secretsmanager:db:SecretString:password}}"
      Other: !If [X, s3cr3t-literal, !Ref AWS::NoValue]
  Generated:
    Type: AWS::SecretsManager::Secret
    Properties:
      GenerateSecretString:
        SecretStringTemplate: '{"username": "app"}'
        GenerateStringKey: password
"#;
    let l = load(t);
    let found: Vec<(String, String, u32)> = l
        .secrets
        .iter()
        .map(|s| (s.resource.clone(), s.attribute.clone(), s.loc.line))
        .collect();
    assert_eq!(
        found,
        [
            ("Parameters.DBPassword".to_owned(), "Default".to_owned(), 5),
            ("Db".to_owned(), "MasterUserPassword".to_owned(), 11),
            (
                "Fn".to_owned(),
                "Environment.Variables.API_TOKEN".to_owned(),
                18
            ),
            (
                "Task".to_owned(),
                "ContainerDefinitions[0].Environment[0].Value".to_owned(),
                26
            ),
        ]
    );
    let all = format!("{:?} {:?} {:?}", l.secrets, l.errors, l.notes);
    for v in ["hunter2", "c2b7e1f0", "Sup3rS3cret"] {
        assert!(!all.contains(v), "{v} printed");
    }
}

#[test]
fn detection() {
    assert!(is_template(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n"
    ));
    assert!(is_template("Resources:\n  B:\n    Type: AWS::S3::Bucket\n"));
    assert!(is_template(
        "{\"Resources\": {\"B\": {\"Type\": \"AWS::S3::Bucket\"}}}"
    ));
    // Serverless Framework: resources nested under `resources`.
    assert!(!is_template(
        "service: x\nresources:\n  Resources:\n    B:\n      Type: AWS::S3::Bucket\n"
    ));
    assert!(!is_template("apiVersion: v1\nkind: ConfigMap\ndata:\n  t: |\n    Resources:\n      B:\n        Type: AWS::S3::Bucket\n"));
    assert!(!is_template("Resources:\n  B:\n    Type: Something\n"));
    assert!(!looks_like_cloudformation("kind: Pod\n"));
}

#[test]
fn transforms_are_noted() {
    let t = "Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {Handler: x}\n  N:\n    Type: AWS::CloudFormation::Stack\n    Properties: {TemplateURL: https://x}\n";
    let l = load(t);
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert!(
        l.notes.iter().any(|n| n.message.contains("SAM")),
        "{:?}",
        l.notes
    );
    assert!(l.notes.iter().any(|n| n.message.contains("nested stack")));
    assert_eq!(l.resources.len(), 2);
}

#[test]
fn getatt_follows_only_same_named_properties() {
    let t = "Resources:\n  Subnet:\n    Type: AWS::EC2::Subnet\n    Properties:\n      VpcId: !Ref Vpc\n      CidrBlock: !Select [0, !Cidr [!GetAtt Vpc.CidrBlock, 4, 8]]\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.2.0.0/16\n  Rule:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties:\n      CidrIp: !GetAtt Subnet.CidrBlock\n      GroupId: !GetAtt Subnet.VpcId\n      Other: !GetAtt Vpc.DefaultNetworkAcl\n  Loop:\n    Type: AWS::EC2::Subnet\n    Properties:\n      VpcId: !GetAtt Loop.VpcId\n";
    let l = load(t);
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert_eq!(prop(&l, "Rule", "CidrIp").value, s("10.2.0.0/24"));
    assert_eq!(
        prop(&l, "Rule", "CidrIp").loc.as_ref().map(|l| l.line),
        Some(14)
    );
    assert_eq!(prop(&l, "Rule", "GroupId").value, rref("Vpc", ""));
    assert_eq!(
        prop(&l, "Rule", "Other").value,
        rref("Vpc", "DefaultNetworkAcl")
    );
    assert_eq!(prop(&l, "Loop", "VpcId").value, rref("Loop", "VpcId"));
}
