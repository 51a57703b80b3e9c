mod common;

use std::sync::Arc;

use common::{ct, fixtures, run};
use palisade_watch::{Config, Location, LogKind, Record, RuleSet};
use serde_json::{json, Value};

/// A rule set holding one CloudTrail rule with this `detection:` body (indented by 4).
fn rule(detection: &str) -> RuleSet {
    rule_for("aws", "cloudtrail", detection)
}

fn rule_for(product: &str, service: &str, detection: &str) -> RuleSet {
    let text = format!(
        "title: Test Rule\nid: test-rule\nstatus: test\nlogsource:\n    product: {product}\n    service: {service}\ndetection:\n{detection}\nlevel: high\n"
    );
    let mut rs = RuleSet::new();
    rs.add_yaml("inline.yml", &text);
    assert!(rs.skipped().is_empty(), "skipped: {:?}", rs.skipped());
    assert_eq!(rs.rules().len(), 1);
    rs
}

fn record(kind: LogKind, value: Value) -> Record {
    Record {
        kind,
        value,
        location: Location {
            file: Arc::from("t.json"),
            line: 1,
        },
    }
}

/// Whether the rule matches a CloudTrail record (through the indexed path).
fn hits(rs: &RuleSet, value: Value) -> bool {
    let direct = rs.rules()[0].matches(&value);
    let indexed = !rs.matching(&record(LogKind::CloudTrail, value)).is_empty();
    assert_eq!(direct, indexed, "index disagrees with direct evaluation");
    direct
}

fn skip_reason(yaml: &str) -> String {
    let mut rs = RuleSet::new();
    rs.add_yaml("inline.yml", yaml);
    assert!(rs.rules().is_empty(), "rule unexpectedly loaded");
    rs.skipped()
        .first()
        .map(|s| s.reason.clone())
        .unwrap_or_default()
}

#[test]
fn dotted_paths_and_case_insensitive_values() {
    let rs = rule("    sel:\n        userIdentity.sessionContext.sessionIssuer.userName: deploy-ROLE\n    condition: sel");
    let yes =
        json!({"userIdentity": {"sessionContext": {"sessionIssuer": {"userName": "Deploy-Role"}}}});
    let no = json!({"userIdentity": {"sessionContext": {"sessionIssuer": {"userName": "other"}}}});
    assert!(hits(&rs, yes));
    assert!(!hits(&rs, no));
    assert!(!hits(&rs, json!({"userIdentity": "Deploy-Role"})));
}

#[test]
fn value_lists_are_or_and_maps_are_and() {
    let rs = rule("    sel:\n        eventSource: iam.amazonaws.com\n        eventName:\n            - CreateUser\n            - DeleteUser\n    condition: sel");
    assert!(hits(
        &rs,
        json!({"eventSource": "iam.amazonaws.com", "eventName": "DeleteUser"})
    ));
    assert!(!hits(
        &rs,
        json!({"eventSource": "iam.amazonaws.com", "eventName": "TagUser"})
    ));
    assert!(!hits(
        &rs,
        json!({"eventSource": "s3.amazonaws.com", "eventName": "CreateUser"})
    ));
}

#[test]
fn list_of_maps_is_or() {
    let rs = rule("    sel:\n        - eventName: StopLogging\n        - eventSource: kms.amazonaws.com\n          eventName: DisableKey\n    condition: sel");
    assert!(hits(&rs, json!({"eventName": "StopLogging"})));
    assert!(hits(
        &rs,
        json!({"eventSource": "kms.amazonaws.com", "eventName": "DisableKey"})
    ));
    assert!(!hits(
        &rs,
        json!({"eventSource": "ec2.amazonaws.com", "eventName": "DisableKey"})
    ));
}

#[test]
fn contains_startswith_endswith() {
    let rs = rule("    a:\n        userAgent|contains: Kali\n    b:\n        eventName|startswith: Delete\n    c:\n        eventSource|endswith: '.amazonaws.com'\n    condition: a or (b and c)");
    assert!(hits(&rs, json!({"userAgent": "aws-cli/2 (kali linux)"})));
    assert!(hits(
        &rs,
        json!({"eventName": "DeleteTrail", "eventSource": "cloudtrail.amazonaws.com"})
    ));
    assert!(!hits(
        &rs,
        json!({"eventName": "DeleteTrail", "eventSource": "evil.example"})
    ));
    assert!(!hits(
        &rs,
        json!({"eventName": "PreDeleteTrail", "eventSource": "cloudtrail.amazonaws.com"})
    ));
}

#[test]
fn all_modifier_needs_every_value() {
    let rs = rule("    sel:\n        userAgent|contains|all:\n            - python\n            - boto3\n    condition: sel");
    assert!(hits(&rs, json!({"userAgent": "Boto3/1.34 Python/3.11"})));
    assert!(!hits(&rs, json!({"userAgent": "Python/3.11 requests"})));
}

#[test]
fn regex_is_case_sensitive_unless_i() {
    let rs = rule(
        "    sel:\n        eventName|re: '^(Stop|Delete)(Logging|Trail)$'\n    condition: sel",
    );
    assert!(hits(&rs, json!({"eventName": "DeleteTrail"})));
    assert!(!hits(&rs, json!({"eventName": "deletetrail"})));
    assert!(!hits(&rs, json!({"eventName": "DeleteTrailX"})));
    let rs = rule("    sel:\n        eventName|re|i: '^deletetrail$'\n    condition: sel");
    assert!(hits(&rs, json!({"eventName": "DeleteTrail"})));
}

#[test]
fn cidr_modifier() {
    let rs = rule("    sel:\n        sourceIPAddress|cidr:\n            - 10.0.0.0/8\n            - '2001:db8::/32'\n    condition: sel");
    assert!(hits(&rs, json!({"sourceIPAddress": "10.1.2.3"})));
    assert!(hits(&rs, json!({"sourceIPAddress": "2001:db8::5"})));
    assert!(!hits(&rs, json!({"sourceIPAddress": "203.0.113.10"})));
    assert!(!hits(&rs, json!({"sourceIPAddress": "ec2.amazonaws.com"})));
}

#[test]
fn exists_modifier() {
    let rs = rule("    sel:\n        errorCode|exists: true\n    condition: sel");
    assert!(hits(&rs, json!({"errorCode": "AccessDenied"})));
    assert!(!hits(&rs, json!({"eventName": "x"})));
    let rs = rule("    sel:\n        errorCode|exists: false\n    condition: sel");
    assert!(hits(&rs, json!({"eventName": "x"})));
    assert!(!hits(&rs, json!({"errorCode": "AccessDenied"})));
}

#[test]
fn windash_modifier() {
    let rs = rule("    sel:\n        requestParameters.command|windash|contains: ' -encodedcommand '\n    condition: sel");
    assert!(hits(
        &rs,
        json!({"requestParameters": {"command": "powershell /encodedcommand SQBFAFgA"}})
    ));
    assert!(hits(
        &rs,
        json!({"requestParameters": {"command": "powershell \u{2013}EncodedCommand SQBFAFgA"}})
    ));
    assert!(!hits(
        &rs,
        json!({"requestParameters": {"command": "powershell -nop"}})
    ));
}

#[test]
fn wildcards_and_escaped_wildcards() {
    let rs =
        rule("    sel:\n        userIdentity.arn: 'arn:aws:iam::*:user/adm?n'\n    condition: sel");
    assert!(hits(
        &rs,
        json!({"userIdentity": {"arn": "arn:aws:iam::111122223333:user/admin"}})
    ));
    assert!(!hits(
        &rs,
        json!({"userIdentity": {"arn": "arn:aws:iam::111122223333:user/administrator"}})
    ));
    let rs = rule(
        "    sel:\n        requestParameters.policyName: 'literal\\*star\\?'\n    condition: sel",
    );
    assert!(hits(
        &rs,
        json!({"requestParameters": {"policyName": "literal*star?"}})
    ));
    assert!(!hits(
        &rs,
        json!({"requestParameters": {"policyName": "literalXstarY"}})
    ));
    // `\\*` is a literal backslash followed by a wildcard; `\*` a literal star;
    // a backslash before anything else stays a backslash.
    let rs =
        rule("    sel:\n        requestParameters.path: 'C:\\Windows\\\\*'\n    condition: sel");
    assert!(hits(
        &rs,
        json!({"requestParameters": {"path": "c:\\windows\\system32"}})
    ));
    let rs = rule("    sel:\n        requestParameters.path: 'C:\\Windows\\*'\n    condition: sel");
    assert!(hits(
        &rs,
        json!({"requestParameters": {"path": "c:\\windows*"}})
    ));
    assert!(!hits(
        &rs,
        json!({"requestParameters": {"path": "c:\\windows\\system32"}})
    ));
}

#[test]
fn null_means_absent_or_null() {
    let rs = rule(
        "    sel:\n        eventName: StopLogging\n        errorCode: null\n    condition: sel",
    );
    assert!(hits(&rs, json!({"eventName": "StopLogging"})));
    assert!(hits(
        &rs,
        json!({"eventName": "StopLogging", "errorCode": null})
    ));
    assert!(!hits(
        &rs,
        json!({"eventName": "StopLogging", "errorCode": "AccessDenied"})
    ));
}

#[test]
fn numbers_and_booleans() {
    let rs = rule(
        "    sel:\n        readOnly: false\n        responseElements.count: 3\n    condition: sel",
    );
    assert!(hits(
        &rs,
        json!({"readOnly": false, "responseElements": {"count": 3}})
    ));
    assert!(hits(
        &rs,
        json!({"readOnly": "false", "responseElements": {"count": "3"}})
    ));
    assert!(!hits(
        &rs,
        json!({"readOnly": true, "responseElements": {"count": 3}})
    ));
    assert!(!hits(
        &rs,
        json!({"readOnly": false, "responseElements": {"count": 4}})
    ));
    // A quoted string matches the textual form of a boolean or number.
    let rs =
        rule("    sel:\n        readOnly: 'false'\n        httpStatus: '403'\n    condition: sel");
    assert!(hits(&rs, json!({"readOnly": false, "httpStatus": 403})));
    let rs = rule("    sel:\n        responseElements.count|gte: 10\n    condition: sel");
    assert!(hits(&rs, json!({"responseElements": {"count": 12}})));
    assert!(!hits(&rs, json!({"responseElements": {"count": 9}})));
}

#[test]
fn conditions_not_and_or_parentheses() {
    let rs = rule("    a:\n        eventName: A\n    b:\n        eventSource: s\n    c:\n        errorCode: E\n    condition: (a or b) and not c");
    assert!(hits(&rs, json!({"eventName": "A"})));
    assert!(hits(&rs, json!({"eventSource": "s"})));
    assert!(!hits(&rs, json!({"eventName": "A", "errorCode": "E"})));
    assert!(!hits(&rs, json!({"eventName": "B"})));
}

#[test]
fn quantifiers() {
    let body = "    selection_a:\n        eventName: A\n    selection_b:\n        awsRegion: eu-west-1\n    _helper:\n        userAgent: x";
    let one = rule(&format!("{body}\n    condition: 1 of selection_*"));
    assert!(hits(&one, json!({"awsRegion": "eu-west-1"})));
    assert!(!hits(&one, json!({"eventName": "B"})));
    let all = rule(&format!("{body}\n    condition: all of selection_*"));
    assert!(hits(
        &all,
        json!({"eventName": "A", "awsRegion": "eu-west-1"})
    ));
    assert!(!hits(&all, json!({"eventName": "A"})));
    // `them` leaves out identifiers starting with an underscore.
    let them = rule(&format!("{body}\n    condition: all of them"));
    assert!(hits(
        &them,
        json!({"eventName": "A", "awsRegion": "eu-west-1"})
    ));
    let any = rule(&format!("{body}\n    condition: 1 of them"));
    assert!(!hits(&any, json!({"userAgent": "x"})));
    assert!(hits(&any, json!({"eventName": "A"})));
}

#[test]
fn strings_match_the_json_text_of_objects_and_arrays() {
    let rs = rule("    sel:\n        requestParameters.policyDocument|contains: '\"Action\":\"*\"'\n    condition: sel");
    let doc = json!({"requestParameters": {"policyDocument": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}});
    assert!(hits(&rs, doc));
    let rs = rule("    sel:\n        requestParameters.x-amz-acl: public-read\n    condition: sel");
    assert!(hits(
        &rs,
        json!({"requestParameters": {"x-amz-acl": ["public-read"]}})
    ));
    assert!(!hits(
        &rs,
        json!({"requestParameters": {"x-amz-acl": ["private"]}})
    ));
}

#[test]
fn paths_through_arrays_of_objects() {
    let rs = rule("    sel:\n        requestParameters.ipPermissions.items.ipRanges.items.cidrIp: 0.0.0.0/0\n    condition: sel");
    let open = json!({"requestParameters": {"ipPermissions": {"items": [
        {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "ipRanges": {"items": [{"cidrIp": "10.0.0.0/8"}, {"cidrIp": "0.0.0.0/0"}]}}
    ]}}});
    let closed = json!({"requestParameters": {"ipPermissions": {"items": [
        {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "ipRanges": {"items": [{"cidrIp": "10.0.0.0/8"}]}}
    ]}}});
    assert!(hits(&rs, open));
    assert!(!hits(&rs, closed));
}

#[test]
fn keywords_and_cased_and_fieldref() {
    let rs = rule("    keywords:\n        - '*mimikatz*'\n    condition: keywords");
    assert!(hits(
        &rs,
        json!({"requestParameters": {"x": ["run Mimikatz.exe"]}})
    ));
    assert!(!hits(&rs, json!({"requestParameters": {"x": "calc"}})));
    let rs = rule("    sel:\n        eventName|cased: StopLogging\n    condition: sel");
    assert!(hits(&rs, json!({"eventName": "StopLogging"})));
    assert!(!hits(&rs, json!({"eventName": "stoplogging"})));
    let rs = rule("    sel:\n        eventName: CreateAccessKey\n    own:\n        requestParameters.userName|fieldref: userIdentity.userName\n    condition: sel and not own");
    assert!(hits(
        &rs,
        json!({"eventName": "CreateAccessKey", "requestParameters": {"userName": "bob"}, "userIdentity": {"userName": "alice"}})
    ));
    assert!(!hits(
        &rs,
        json!({"eventName": "CreateAccessKey", "requestParameters": {"userName": "alice"}, "userIdentity": {"userName": "alice"}})
    ));
}

#[test]
fn logsource_decides_which_records_a_rule_sees() {
    let rs = rule("    sel:\n        verb: get\n    condition: sel");
    let k8s = record(LogKind::K8sAudit, json!({"verb": "get"}));
    assert!(rs.matching(&k8s).is_empty());
    let rs = rule_for(
        "kubernetes",
        "audit",
        "    sel:\n        verb: get\n    condition: sel",
    );
    assert_eq!(rs.matching(&k8s).len(), 1);
    assert!(rs
        .matching(&record(LogKind::CloudTrail, json!({"verb": "get"})))
        .is_empty());
}

#[test]
fn rules_are_indexed_by_event_name_and_source() {
    let mut rs = RuleSet::new();
    rs.load_path(&fixtures().join("sigma")).expect("load");
    assert!(rs.skipped().is_empty(), "{:?}", rs.skipped());
    assert_eq!(rs.rules().len(), 7);
    let (by_name, by_source, always) = rs.index_stats();
    // Root credentials pins neither; the kubernetes rule is not a CloudTrail rule.
    assert_eq!((by_name, by_source, always), (5, 0, 2));
    // Index lookups are case-insensitive like the matching itself.
    let r = record(
        LogKind::CloudTrail,
        json!({"eventSource": "cloudtrail.amazonaws.com", "eventName": "stoplogging"}),
    );
    assert_eq!(rs.matching(&r).len(), 1);
}

#[test]
fn fixture_rules_on_real_shaped_events() {
    let mut cfg = Config {
        builtins: false,
        ..Config::default()
    };
    cfg.sigma
        .load_path(&fixtures().join("sigma"))
        .expect("load");
    let root = json!({"userIdentity": {"type": "Root", "principalId": "111122223333", "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333"}});
    let events = vec![
        ct(
            "cloudtrail.amazonaws.com",
            "StopLogging",
            json!({"requestParameters": {"name": "arn:aws:cloudtrail:eu-west-1:111122223333:trail/org"}}),
        ),
        ct(
            "cloudtrail.amazonaws.com",
            "DescribeTrails",
            json!({"readOnly": true}),
        ),
        ct(
            "ec2.amazonaws.com",
            "DisableEbsEncryptionByDefault",
            json!({}),
        ),
        ct(
            "ec2.amazonaws.com",
            "EnableEbsEncryptionByDefault",
            json!({}),
        ),
        ct(
            "guardduty.amazonaws.com",
            "CreateIPSet",
            json!({"requestParameters": {"detectorId": "12abc34d567e8fa901bc2d34e56789f0", "activate": true}}),
        ),
        {
            let mut e = ct("s3.amazonaws.com", "ListBuckets", json!({"readOnly": true}));
            common::merge(&mut e, root.clone());
            e
        },
        {
            let mut e = ct(
                "health.amazonaws.com",
                "AWSHealthEvent",
                json!({"eventType": "AwsServiceEvent"}),
            );
            common::merge(&mut e, root);
            e
        },
        ct(
            "signin.amazonaws.com",
            "ConsoleLogin",
            json!({"eventType": "AwsConsoleSignIn", "additionalEventData": {"LoginTo": "https://console.aws.amazon.com/", "MobileVersion": "No", "MFAUsed": "No"}, "responseElements": {"ConsoleLogin": "Success"}}),
        ),
        ct(
            "signin.amazonaws.com",
            "ConsoleLogin",
            json!({"eventType": "AwsConsoleSignIn", "additionalEventData": {"MFAUsed": "Yes"}, "responseElements": {"ConsoleLogin": "Success"}}),
        ),
        ct(
            "ec2.amazonaws.com",
            "AuthorizeSecurityGroupIngress",
            json!({"requestParameters": {"groupId": "sg-0123456789abcdef0", "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}, "ipv6Ranges": {}}]}}}),
        ),
        ct(
            "ec2.amazonaws.com",
            "AuthorizeSecurityGroupIngress",
            json!({"errorCode": "Client.UnauthorizedOperation", "requestParameters": {"ipPermissions": {"items": [{"ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}}}),
        ),
    ];
    let report = run(&events, &cfg);
    let got: Vec<(u64, &str)> = report
        .alerts
        .iter()
        .map(|a| (a.location.line, a.title.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (1, "AWS CloudTrail Important Change"),
            (3, "AWS EC2 Disable EBS Encryption"),
            (5, "AWS GuardDuty Important Change"),
            (6, "AWS Root Credentials"),
            (8, "AWS Console Login Without MFA"),
            (10, "AWS Security Group Ingress Opened To The Internet"),
        ]
    );
    let a = &report.alerts[0];
    assert_eq!(a.rule, "8f3c2a1e-5b7d-4e90-a1c3-2d4e6f8a0b1c");
    assert_eq!(a.severity, "medium");
    assert_eq!(a.practices, vec!["MON-08"]);
    assert_eq!(a.evidence["fields"]["eventName"], "StopLogging");
    assert_eq!(report.summary.rules.loaded, 7);
}

#[test]
fn kubernetes_rule_on_audit_events() {
    let mut cfg = Config {
        builtins: false,
        ..Config::default()
    };
    cfg.sigma
        .load_path(&fixtures().join("sigma/kubernetes"))
        .expect("load");
    let ev = |user: &str, verb: &str| {
        json!({"kind": "Event", "apiVersion": "audit.k8s.io/v1", "auditID": format!("id-{user}-{verb}"), "verb": verb,
               "user": {"username": user}, "objectRef": {"resource": "secrets", "namespace": "prod", "name": "db"},
               "sourceIPs": ["10.0.1.2"], "requestReceivedTimestamp": "2024-05-01T10:00:00.000000Z"})
    };
    let report = run(
        &[
            ev("system:serviceaccount:dev:default", "get"),
            ev("system:serviceaccount:kube-system:external-secrets", "list"),
            ev("system:serviceaccount:dev:default", "delete"),
            ev("alice@example.com", "get"),
        ],
        &cfg,
    );
    assert_eq!(report.alerts.len(), 1);
    assert_eq!(
        report.alerts[0].event_id.as_deref(),
        Some("id-system:serviceaccount:dev:default-get")
    );
    assert_eq!(
        report.alerts[0].actor.as_deref(),
        Some("system:serviceaccount:dev:default")
    );
    assert_eq!(report.alerts[0].practices, vec!["K8S-07"]);
}

#[test]
fn unsupported_rules_are_skipped_with_reasons() {
    let mut rs = RuleSet::new();
    rs.load_path(&fixtures().join("sigma-unsupported"))
        .expect("load");
    assert!(rs.rules().is_empty());
    let reasons: Vec<(String, String)> = rs
        .skipped()
        .iter()
        .map(|s| (s.rule.clone(), s.reason.clone()))
        .collect();
    let find = |needle: &str| {
        reasons
            .iter()
            .find(|(r, _)| r.contains(needle))
            .map(|(_, why)| why.clone())
            .unwrap_or_default()
    };
    assert!(find("-000000000001").contains("aggregation"), "{reasons:?}");
    assert!(find("-000000000002").contains("near"));
    assert!(find("-000000000003").contains("unknown modifier 'sounds_like'"));
    assert!(find("-000000000004").contains("unsupported modifier 'base64offset'"));
    assert!(find("-000000000005").contains("correlation"));
    assert!(find("-000000000006").contains("logsource product=windows"));
    assert!(find("-000000000007").contains("undefined search identifier 'filter'"));
    assert!(find("-000000000008").contains("deprecated"));
    assert!(find("broken_yaml.yml").contains("YAML"));
    assert_eq!(reasons.len(), 9);

    // Skipped rules reach the report summary.
    let cfg = Config {
        sigma: rs,
        ..Config::default()
    };
    let report = run(
        &[ct(
            "iam.amazonaws.com",
            "GetUser",
            json!({"readOnly": true}),
        )],
        &cfg,
    );
    assert_eq!(report.summary.rules.skipped.len(), 9);
}

#[test]
fn more_skip_reasons() {
    let base = |det: &str| {
        format!(
            "title: T\nlogsource:\n    product: aws\n    service: cloudtrail\ndetection:\n{det}\n"
        )
    };
    assert!(skip_reason(&base("    sel:\n        eventName: A")).contains("no condition"));
    assert!(skip_reason(&base(
        "    sel:\n        eventName|re: '(unclosed'\n    condition: sel"
    ))
    .contains("invalid regex"));
    assert!(skip_reason(&base(
        "    sel:\n        sourceIPAddress|cidr: not-a-cidr\n    condition: sel"
    ))
    .contains("invalid CIDR"));
    assert!(skip_reason(&base(
        "    sel:\n        eventName|contains|startswith: A\n    condition: sel"
    ))
    .contains("conflicting"));
    assert!(skip_reason(&base(
        "    sel:\n        eventName: A\n    condition: sel\n    timeframe: 5m\n    other: [1"
    ))
    .contains("YAML"));
    assert!(
        skip_reason("title: T\naction: global\nlogsource:\n    product: aws\n")
            .contains("action: global")
    );
    assert!(skip_reason("logsource:\n    product: aws\n    service: cloudtrail\ndetection:\n    sel:\n        a: b\n    condition: sel\n").contains("no title"));
}

#[test]
fn multi_document_files_load_each_rule() {
    let text = "title: One\nid: r1\nlogsource:\n    product: aws\n    service: cloudtrail\ndetection:\n    s:\n        eventName: A\n    condition: s\n---\ntitle: Two\nid: r2\nlogsource:\n    product: aws\n    service: cloudtrail\ndetection:\n    s:\n        eventName: B\n    condition: s\n";
    let mut rs = RuleSet::new();
    rs.add_yaml("multi.yml", text);
    assert_eq!(
        rs.rules().iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        vec!["r1", "r2"]
    );
}
