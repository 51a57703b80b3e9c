mod common;

use common::{assumed_role, ct, merge, rules, run};
use palisade_watch::{detect_reader, detect_with_state, Burst, Config, MemoryState};
use serde_json::{json, Value};

fn cfg() -> Config {
    Config::default()
}

fn with(mut base: Value, extra: Value) -> Value {
    merge(&mut base, extra);
    base
}

fn fires(rule: &str, events: &[Value], cfg: &Config) -> usize {
    rules(&run(events, cfg))
        .iter()
        .filter(|r| **r == rule)
        .count()
}

fn root() -> Value {
    json!({"userIdentity": {"type": "Root", "principalId": "111122223333", "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333", "accessKeyId": "ASIAQEXAMPLEROOT001"}})
}

// ------------------------------------------------------------ PAL-D001 (MON-05)

#[test]
fn d001_infrastructure_change_outside_pipeline() {
    let mut c = cfg();
    c.pipeline_roles = vec![
        "arn:aws:iam::111122223333:role/ci-*".into(),
        "arn:aws:iam::111122223333:user/terraform".into(),
    ];
    let human = ct(
        "ec2.amazonaws.com",
        "RunInstances",
        json!({"requestParameters": {"instanceType": "t3.micro"}}),
    );
    let report = run(std::slice::from_ref(&human), &c);
    let a = report
        .alerts
        .iter()
        .find(|a| a.rule == "PAL-D001")
        .expect("D001");
    assert_eq!(a.practices, vec!["MON-05"]);
    assert_eq!(
        a.actor.as_deref(),
        Some("arn:aws:iam::111122223333:user/alice")
    );
    assert_eq!(a.evidence["requestParameters"]["instanceType"], "t3.micro");

    // Benign: the pipeline role (matched through the session issuer), a pipeline user,
    // read-only calls, failed calls, sign-in and session calls.
    let pipeline = with(human.clone(), assumed_role("ci-deploy", "github-run-4711"));
    let pipeline_user = with(
        human.clone(),
        json!({"userIdentity": {"arn": "arn:aws:iam::111122223333:user/terraform"}}),
    );
    let read = ct(
        "ec2.amazonaws.com",
        "DescribeInstances",
        json!({"readOnly": true}),
    );
    let failed = with(
        human.clone(),
        json!({"errorCode": "Client.UnauthorizedOperation", "errorMessage": "You are not authorized"}),
    );
    let sts = ct("sts.amazonaws.com", "AssumeRole", json!({}));
    let service = with(
        human,
        json!({"userIdentity": {"type": "AWSService", "invokedBy": "autoscaling.amazonaws.com"}}),
    );
    assert_eq!(
        fires(
            "PAL-D001",
            &[pipeline, pipeline_user, read, failed, sts, service],
            &c
        ),
        0
    );
}

// ------------------------------------------------------------ PAL-D002..D006 (MON-06)

#[test]
fn d002_root_use() {
    let used = with(
        ct("s3.amazonaws.com", "ListBuckets", json!({"readOnly": true})),
        root(),
    );
    assert_eq!(fires("PAL-D002", &[used], &cfg()), 1);
    let service_event = with(
        ct(
            "health.amazonaws.com",
            "AWSHealthEvent",
            json!({"eventType": "AwsServiceEvent"}),
        ),
        root(),
    );
    let user = ct("s3.amazonaws.com", "ListBuckets", json!({"readOnly": true}));
    assert_eq!(fires("PAL-D002", &[service_event, user], &cfg()), 0);
}

fn console_login(mfa: &str, result: &str) -> Value {
    ct(
        "signin.amazonaws.com",
        "ConsoleLogin",
        json!({
            "eventType": "AwsConsoleSignIn",
            "userAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
            "additionalEventData": {"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": mfa},
            "responseElements": {"ConsoleLogin": result}
        }),
    )
}

#[test]
fn d003_console_login_without_mfa() {
    let report = run(&[console_login("No", "Success")], &cfg());
    let a = report
        .alerts
        .iter()
        .find(|a| a.rule == "PAL-D003")
        .expect("D003");
    assert!(a.practices.contains(&"IAM-04".to_owned()));
    assert_eq!(a.evidence["MFAUsed"], "No");
    // Benign: with MFA, failed, or federated through SSO (MFA is at the identity provider).
    let sso = with(
        console_login("No", "Success"),
        assumed_role("AWSReservedSSO_Admin_0123456789abcdef", "alice@example.com"),
    );
    assert_eq!(
        fires(
            "PAL-D003",
            &[
                console_login("Yes", "Success"),
                console_login("No", "Failure"),
                sso
            ],
            &cfg()
        ),
        0
    );
    // A console login is not an infrastructure change.
    assert_eq!(
        fires("PAL-D001", &[console_login("No", "Success")], &cfg()),
        0
    );
}

#[test]
fn d004_access_key_for_another_user() {
    let for_bob = ct(
        "iam.amazonaws.com",
        "CreateAccessKey",
        json!({
            "requestParameters": {"userName": "bob"},
            "responseElements": {"accessKey": {"userName": "bob", "accessKeyId": "AKIAQEXAMPLEBOB00001", "status": "Active", "createDate": "May 1, 2024 10:00:00 AM", "secretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}}
        }),
    );
    let report = run(std::slice::from_ref(&for_bob), &cfg());
    let a = report
        .alerts
        .iter()
        .find(|a| a.rule == "PAL-D004")
        .expect("D004");
    assert_eq!(a.evidence["targetUser"], "bob");
    assert_eq!(a.evidence["accessKeyId"], "AKIAQEXAMPLEBOB00001");
    let text = serde_json::to_string(&report).expect("json");
    assert!(
        !text.contains("wJalrXUtnFEMI"),
        "secret leaked into the report"
    );

    let own = ct(
        "iam.amazonaws.com",
        "CreateAccessKey",
        json!({"requestParameters": {"userName": "alice"}}),
    );
    let implicit_own = ct(
        "iam.amazonaws.com",
        "CreateAccessKey",
        json!({"requestParameters": {}}),
    );
    let denied = with(for_bob, json!({"errorCode": "AccessDenied"}));
    assert_eq!(fires("PAL-D004", &[own, implicit_own, denied], &cfg()), 0);
    // From a role (no user name of its own) a key for a user is "for another user".
    let from_role = with(
        ct(
            "iam.amazonaws.com",
            "CreateAccessKey",
            json!({"requestParameters": {"userName": "bob"}}),
        ),
        assumed_role("admin", "alice"),
    );
    assert_eq!(fires("PAL-D004", &[from_role], &cfg()), 1);
}

fn from(ip: &str, ua: &str, minute: u32) -> Value {
    ct(
        "ec2.amazonaws.com",
        "DescribeInstances",
        json!({"readOnly": true, "sourceIPAddress": ip, "userAgent": ua, "eventTime": format!("2024-05-01T10:{minute:02}:00Z")}),
    )
}

#[test]
fn d005_new_source_ip_or_user_agent() {
    let mut c = cfg();
    c.history_min_observations = 3;
    let cli = "aws-cli/2.15.0 Python/3.11.6 Linux/6.1";
    let events = vec![
        from("203.0.113.10", cli, 0),
        from("203.0.113.10", "aws-cli/2.15.1 Python/3.11.6 Linux/6.1", 1),
        from("203.0.113.10", cli, 2),
        from("198.51.100.99", cli, 3),
        from("198.51.100.99", cli, 4),
        from(
            "203.0.113.10",
            "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux",
            5,
        ),
    ];
    let report = run(&events, &c);
    let alerts: Vec<_> = report
        .alerts
        .iter()
        .filter(|a| a.rule == "PAL-D005")
        .collect();
    assert_eq!(alerts.len(), 2, "{alerts:#?}");
    assert_eq!(alerts[0].location.line, 4);
    assert_eq!(alerts[0].evidence["newSourceIp"], "198.51.100.99");
    assert_eq!(alerts[0].evidence["knownSourceIps"], 1);
    assert!(alerts[0].evidence.get("newUserAgentFamily").is_none());
    assert_eq!(alerts[1].location.line, 6);
    assert_eq!(alerts[1].evidence["newUserAgentFamily"], "boto3");

    // Benign: a principal without history yet (learning), and AWS-internal sources.
    let learning = vec![
        from("203.0.113.10", cli, 0),
        from("198.51.100.99", cli, 1),
        from("192.0.2.1", cli, 2),
    ];
    assert_eq!(fires("PAL-D005", &learning, &c), 0);
    let internal = with(
        from("ec2.amazonaws.com", cli, 6),
        json!({"userIdentity": {"invokedBy": "ec2.amazonaws.com"}}),
    );
    assert_eq!(
        fires(
            "PAL-D005",
            &[
                events[0].clone(),
                events[1].clone(),
                events[2].clone(),
                internal
            ],
            &c
        ),
        0
    );
}

#[test]
fn d005_history_persists_across_runs_in_state() {
    let mut c = cfg();
    c.history_min_observations = 2;
    let cli = "aws-cli/2.15.0 Python/3.11.6";
    let lines = |evs: &[Value]| evs.iter().map(|e| format!("{e}\n")).collect::<String>();
    let mut state = MemoryState::new();
    let dir = common::temp_dir("state");
    let day1 = dir.join("day1.jsonl");
    let day2 = dir.join("day2.jsonl");
    std::fs::write(
        &day1,
        lines(&[from("203.0.113.10", cli, 0), from("203.0.113.10", cli, 1)]),
    )
    .expect("write");
    std::fs::write(&day2, lines(&[from("198.51.100.99", cli, 2)])).expect("write");
    let r1 = detect_with_state(&[&day1], &c, &mut state);
    assert!(r1.alerts.iter().all(|a| a.rule != "PAL-D005"));
    // Persist and restore the history between runs.
    let rows = state.rows();
    assert!(rows.iter().any(|r| r.namespace == "principal.source_ip"
        && r.value == "203.0.113.10"
        && r.count == 2));
    let mut restored = MemoryState::from_rows(rows);
    let r2 = detect_with_state(&[&day2], &c, &mut restored);
    assert_eq!(r2.alerts.iter().filter(|a| a.rule == "PAL-D005").count(), 1);
    // Without the history the same day raises nothing.
    let r3 = detect_with_state(&[&day2], &c, &mut MemoryState::new());
    assert!(r3.alerts.iter().all(|a| a.rule != "PAL-D005"));
    std::fs::remove_dir_all(&dir).ok();
}

fn instance_call(ip: &str) -> Value {
    with(
        ct(
            "s3.amazonaws.com",
            "ListBuckets",
            json!({"readOnly": true, "sourceIPAddress": ip, "userAgent": "aws-sdk-go/1.44.0"}),
        ),
        assumed_role("eks-node-role", "i-0123456789abcdef0"),
    )
}

#[test]
fn d006_instance_credentials_outside_known_networks() {
    let mut c = cfg();
    c.known_cidrs = vec!["203.0.113.0/24".parse().expect("cidr")];
    c.account_cidrs.insert(
        "111122223333".into(),
        vec!["192.0.2.10/32".parse().expect("cidr")],
    );
    let report = run(&[instance_call("198.51.100.77")], &c);
    let a = report
        .alerts
        .iter()
        .find(|a| a.rule == "PAL-D006")
        .expect("D006");
    assert_eq!(a.evidence["instanceId"], "i-0123456789abcdef0");
    assert_eq!(a.evidence["sourceIp"], "198.51.100.77");
    assert_eq!(a.evidence["knownCidrs"], 2);
    assert_eq!(
        a.evidence["sessionIssuer"],
        "arn:aws:iam::111122223333:role/eks-node-role"
    );

    let known = instance_call("203.0.113.44");
    let account_nat = instance_call("192.0.2.10");
    let private = instance_call("10.0.12.7");
    let endpoint = with(
        instance_call("198.51.100.77"),
        json!({"vpcEndpointId": "vpce-0abc1234def567890"}),
    );
    let service = instance_call("ec2.amazonaws.com");
    let human = with(
        ct(
            "s3.amazonaws.com",
            "ListBuckets",
            json!({"sourceIPAddress": "198.51.100.77"}),
        ),
        assumed_role("admin", "alice"),
    );
    assert_eq!(
        fires(
            "PAL-D006",
            &[known, account_nat, private, endpoint, service, human],
            &c
        ),
        0
    );
}

// ------------------------------------------------------------ PAL-D007..D013 (MON-08)

fn sg_ingress(cidr_key: &str, cidr: &str) -> Value {
    let ranges_key = if cidr_key == "cidrIp" {
        "ipRanges"
    } else {
        "ipv6Ranges"
    };
    ct(
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        json!({"requestParameters": {"groupId": "sg-0123456789abcdef0", "ipPermissions": {"items": [
            {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "groups": {}, "prefixListIds": {}, ranges_key: {"items": [{cidr_key: cidr, "description": "ssh"}]}}
        ]}}, "responseElements": {"requestId": "x", "_return": true}}),
    )
}

fn nacl(cidr: &str, egress: bool, action: &str) -> Value {
    ct(
        "ec2.amazonaws.com",
        "CreateNetworkAclEntry",
        json!({"requestParameters": {"networkAclId": "acl-0123456789abcdef0", "ruleNumber": 100, "egress": egress, "ruleAction": action, "icmpTypeCode": {}, "portRange": {"from": 0, "to": 65535}, "aclProtocol": "-1", "cidrBlock": cidr}}),
    )
}

#[test]
fn d007_security_group_or_nacl_open_to_the_world() {
    let report = run(&[sg_ingress("cidrIp", "0.0.0.0/0")], &cfg());
    let a = report
        .alerts
        .iter()
        .find(|a| a.rule == "PAL-D007")
        .expect("D007");
    assert_eq!(a.evidence["worldCidrs"], json!(["0.0.0.0/0"]));
    assert_eq!(
        a.evidence["requestParameters"]["groupId"],
        "sg-0123456789abcdef0"
    );
    assert!(a.practices.contains(&"NET-07".to_owned()));
    assert_eq!(
        fires("PAL-D007", &[sg_ingress("cidrIpv6", "::/0")], &cfg()),
        1
    );
    let modify = ct(
        "ec2.amazonaws.com",
        "ModifySecurityGroupRules",
        json!({"requestParameters": {"ModifySecurityGroupRulesRequest": {"GroupId": "sg-1", "SecurityGroupRule": {"SecurityGroupRuleId": "sgr-1", "SecurityGroupRule": {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "CidrIpv4": "0.0.0.0/0"}}}}}),
    );
    assert_eq!(fires("PAL-D007", &[modify], &cfg()), 1);
    assert_eq!(
        fires("PAL-D007", &[nacl("0.0.0.0/0", false, "allow")], &cfg()),
        1
    );

    let narrow = sg_ingress("cidrIp", "10.0.0.0/8");
    let failed = with(
        sg_ingress("cidrIp", "0.0.0.0/0"),
        json!({"errorCode": "InvalidPermission.Duplicate"}),
    );
    let egress = nacl("0.0.0.0/0", true, "allow");
    let deny = nacl("0.0.0.0/0", false, "deny");
    assert_eq!(
        fires("PAL-D007", &[narrow, failed, egress, deny], &cfg()),
        0
    );
}

#[test]
fn d008_to_d012_guardrails_turned_off() {
    let cases = [
        (
            "PAL-D008",
            ct(
                "cloudtrail.amazonaws.com",
                "StopLogging",
                json!({"requestParameters": {"name": "org-trail"}}),
            ),
        ),
        (
            "PAL-D008",
            ct(
                "cloudtrail.amazonaws.com",
                "DeleteTrail",
                json!({"requestParameters": {"name": "org-trail"}}),
            ),
        ),
        (
            "PAL-D009",
            ct(
                "guardduty.amazonaws.com",
                "DeleteDetector",
                json!({"requestParameters": {"detectorId": "12abc34d"}}),
            ),
        ),
        (
            "PAL-D009",
            ct(
                "guardduty.amazonaws.com",
                "UpdateDetector",
                json!({"requestParameters": {"detectorId": "12abc34d", "enable": false}}),
            ),
        ),
        (
            "PAL-D010",
            ct(
                "config.amazonaws.com",
                "StopConfigurationRecorder",
                json!({"requestParameters": {"configurationRecorderName": "default"}}),
            ),
        ),
        (
            "PAL-D010",
            ct(
                "config.amazonaws.com",
                "DeleteConfigurationRecorder",
                json!({}),
            ),
        ),
        (
            "PAL-D010",
            ct("config.amazonaws.com", "DeleteDeliveryChannel", json!({})),
        ),
        (
            "PAL-D011",
            ct(
                "ec2.amazonaws.com",
                "DeleteFlowLogs",
                json!({"requestParameters": {"DeleteFlowLogsRequest": {"FlowLogId": {"content": "fl-0123", "tag": 1}}}}),
            ),
        ),
        (
            "PAL-D012",
            ct(
                "kms.amazonaws.com",
                "ScheduleKeyDeletion",
                json!({"requestParameters": {"keyId": "arn:aws:kms:eu-west-1:111122223333:key/1234abcd", "pendingWindowInDays": 7}}),
            ),
        ),
        (
            "PAL-D012",
            ct(
                "kms.amazonaws.com",
                "DisableKey",
                json!({"requestParameters": {"keyId": "1234abcd"}}),
            ),
        ),
    ];
    for (rule, ev) in &cases {
        assert_eq!(
            fires(rule, std::slice::from_ref(ev), &cfg()),
            1,
            "{rule} on {}",
            ev["eventName"]
        );
        let failed = with(
            ev.clone(),
            json!({"errorCode": "AccessDenied", "errorMessage": "not authorized"}),
        );
        assert_eq!(
            fires(rule, &[failed], &cfg()),
            0,
            "{rule} on failed {}",
            ev["eventName"]
        );
    }
    let report = run(std::slice::from_ref(&cases[0].1), &cfg());
    let a = report
        .alerts
        .iter()
        .find(|a| a.rule == "PAL-D008")
        .expect("D008");
    assert_eq!(a.severity, "critical");
    assert_eq!(
        a.event_id.as_deref(),
        Some("e1f2a3b4-c5d6-4e7f-8091-a2b3c4d5e6f7")
    );

    let benign = [
        ct("cloudtrail.amazonaws.com", "StartLogging", json!({})),
        ct("cloudtrail.amazonaws.com", "UpdateTrail", json!({})),
        ct(
            "guardduty.amazonaws.com",
            "UpdateDetector",
            json!({"requestParameters": {"detectorId": "12abc34d", "enable": true}}),
        ),
        ct(
            "config.amazonaws.com",
            "StartConfigurationRecorder",
            json!({}),
        ),
        ct("ec2.amazonaws.com", "CreateFlowLogs", json!({})),
        ct("kms.amazonaws.com", "EnableKey", json!({})),
        ct("kms.amazonaws.com", "CancelKeyDeletion", json!({})),
    ];
    let report = run(&benign, &cfg());
    let guardrails: Vec<&str> = rules(&report)
        .into_iter()
        .filter(|r| *r != "PAL-D001")
        .collect();
    assert!(guardrails.is_empty(), "{guardrails:?}");
}

fn acl_grant(uri: &str) -> Value {
    ct(
        "s3.amazonaws.com",
        "PutBucketAcl",
        json!({"requestParameters": {"bucketName": "prod-assets", "Host": "prod-assets.s3.eu-west-1.amazonaws.com", "acl": [""],
            "AccessControlPolicy": {"AccessControlList": {"Grant": [
                {"Grantee": {"xsi:type": "CanonicalUser", "ID": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}, "Permission": "FULL_CONTROL"},
                {"Grantee": {"xsi:type": "Group", "URI": uri}, "Permission": "READ"}
            ]}, "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/", "Owner": {"ID": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}}}}),
    )
}

fn policy(statement: Value) -> Value {
    ct(
        "s3.amazonaws.com",
        "PutBucketPolicy",
        json!({"requestParameters": {"bucketName": "prod-assets", "policy": [""], "bucketPolicy": {"Version": "2012-10-17", "Statement": [statement]}}}),
    )
}

fn pab(name: &str, block_policy: bool) -> Value {
    ct(
        "s3.amazonaws.com",
        name,
        json!({"requestParameters": {"publicAccessBlock": "", "bucketName": "prod-assets", "PublicAccessBlockConfiguration": {
            "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/", "RestrictPublicBuckets": true, "BlockPublicPolicy": block_policy, "BlockPublicAcls": true, "IgnorePublicAcls": true}}}),
    )
}

#[test]
fn d013_s3_bucket_made_public() {
    let public = [
        acl_grant("http://acs.amazonaws.com/groups/global/AllUsers"),
        acl_grant("http://acs.amazonaws.com/groups/global/AuthenticatedUsers"),
        ct(
            "s3.amazonaws.com",
            "PutBucketAcl",
            json!({"requestParameters": {"bucketName": "prod-assets", "x-amz-acl": ["public-read"]}}),
        ),
        policy(
            json!({"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::prod-assets/*"}),
        ),
        policy(
            json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::prod-assets/*"}),
        ),
        ct(
            "s3.amazonaws.com",
            "DeleteBucketPublicAccessBlock",
            json!({"requestParameters": {"bucketName": "prod-assets", "publicAccessBlock": ""}}),
        ),
        pab("PutBucketPublicAccessBlock", false),
    ];
    for ev in &public {
        let report = run(std::slice::from_ref(ev), &cfg());
        let a = report.alerts.iter().find(|a| a.rule == "PAL-D013");
        assert!(a.is_some(), "no D013 for {ev}");
        assert!(a.is_some_and(|a| a.evidence["reason"].is_string()));
    }
    let benign = [
        acl_grant("http://acs.amazonaws.com/groups/s3/LogDelivery"),
        ct(
            "s3.amazonaws.com",
            "PutBucketAcl",
            json!({"requestParameters": {"bucketName": "prod-assets", "x-amz-acl": ["private"]}}),
        ),
        policy(
            json!({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::prod-assets/*", "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-0abc"}}}),
        ),
        policy(
            json!({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}),
        ),
        policy(
            json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "s3:GetObject"}),
        ),
        pab("PutBucketPublicAccessBlock", true),
    ];
    assert_eq!(fires("PAL-D013", &benign, &cfg()), 0);
}

// ------------------------------------------------------------ PAL-D014/D015 (MON-07)

fn alb_line(client: &str, second: u32, status: u16) -> String {
    let (m, s) = (second / 60, second % 60);
    format!(
        r#"https 2024-05-01T10:{m:02}:{s:02}.000000Z app/prod-alb/50dc6c495c0c9188 {client}:40000 10.0.12.7:8080 0.000 0.002 0.000 {status} {status} 120 310 "GET https://app.example.com:443/wp-login.php HTTP/1.1" "Nikto/2.5.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/prod-api/73e2d6bc24d8a067 "Root=1-58337281-1d84f3d73c47ec4e58577259" "app.example.com" "-" 1 2024-05-01T10:00:00.000000Z "forward" "-" "-" "10.0.12.7:8080" "{status}" "-" "-" TID_1"#
    )
}

#[test]
fn d014_alb_error_burst() {
    let mut c = cfg();
    c.alb_burst = Burst {
        threshold: 20,
        window_secs: 60,
    };
    let mut lines = Vec::new();
    for i in 0..30 {
        lines.push(alb_line("198.51.100.23", i, 404)); // burst
        lines.push(alb_line("203.0.113.5", i, 200)); // busy but fine
    }
    for i in 0..10 {
        lines.push(alb_line("192.0.2.50", i * 3, 500)); // a few errors
    }
    for i in 0..25 {
        lines.push(alb_line("192.0.2.77", i * 61, 403)); // slow and steady: never 20 per minute
    }
    // A second burst from the first client after a quiet spell.
    for i in 0..20 {
        lines.push(alb_line("198.51.100.23", 600 + i, 401));
    }
    let text = lines.join("\n");
    let report = detect_reader("alb.log", text.as_bytes(), &c);
    let bursts: Vec<_> = report
        .alerts
        .iter()
        .filter(|a| a.rule == "PAL-D014")
        .collect();
    assert_eq!(bursts.len(), 2, "{bursts:#?}");
    let first = bursts[0];
    assert_eq!(first.source_ip.as_deref(), Some("198.51.100.23"));
    assert_eq!(first.evidence["count"], 30);
    assert_eq!(first.evidence["status_codes"]["404"], 30);
    assert_eq!(first.time.as_deref(), Some("2024-05-01T10:00:19Z"));
    // The 20th 404 of the first client is on line 39 (every other line from 1).
    assert_eq!(first.location.line, 39);
    assert_eq!(first.practices, vec!["MON-07"]);
    assert_eq!(bursts[1].evidence["count"], 20);
    assert_eq!(bursts[1].evidence["status_codes"]["401"], 20);
    assert_eq!(report.summary.matched, 2);
}

fn waf_line(client: &str, ms: i64, action: &str) -> String {
    json!({
        "timestamp": 1_714_557_600_000i64 + ms, "formatVersion": 1,
        "webaclId": "arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/prod-acl/a1b2c3d4",
        "terminatingRuleId": if action == "BLOCK" { "AWS-AWSManagedRulesCommonRuleSet" } else { "Default_Action" },
        "terminatingRuleType": "MANAGED_RULE_GROUP", "action": action,
        "httpSourceName": "ALB", "httpSourceId": "111122223333-app/prod-alb/50dc6c495c0c9188",
        "ruleGroupList": [], "rateBasedRuleList": [], "nonTerminatingMatchingRules": [],
        "httpRequest": {"clientIp": client, "country": "US", "headers": [{"name": "Host", "value": "app.example.com"}], "uri": "/.env", "args": "", "httpVersion": "HTTP/1.1", "httpMethod": "GET", "requestId": "1-abc"}
    })
    .to_string()
}

#[test]
fn d015_waf_block_burst() {
    let mut lines = Vec::new();
    for i in 0..25 {
        lines.push(waf_line("198.51.100.23", i * 1000, "BLOCK"));
        lines.push(waf_line("203.0.113.5", i * 1000, "ALLOW"));
    }
    for i in 0..5 {
        lines.push(waf_line("192.0.2.50", i * 1000, "BLOCK"));
    }
    let report = detect_reader("waf.log", lines.join("\n").as_bytes(), &cfg());
    let bursts: Vec<_> = report
        .alerts
        .iter()
        .filter(|a| a.rule == "PAL-D015")
        .collect();
    assert_eq!(bursts.len(), 1);
    assert_eq!(bursts[0].source_ip.as_deref(), Some("198.51.100.23"));
    assert_eq!(bursts[0].evidence["count"], 25);
    assert_eq!(bursts[0].evidence["threshold"], 20);
    assert_eq!(
        bursts[0].evidence["terminating_rules"]["AWS-AWSManagedRulesCommonRuleSet"],
        25
    );
}

#[test]
fn disabled_rules_and_builtins_switch() {
    let ev = ct("cloudtrail.amazonaws.com", "StopLogging", json!({}));
    let mut c = cfg();
    c.disabled_rules.insert("PAL-D008".into());
    let r = rules(&run(std::slice::from_ref(&ev), &c))
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    assert_eq!(r, vec!["PAL-D001"]);
    let c = Config {
        builtins: false,
        ..cfg()
    };
    let report = run(&[ev], &c);
    assert!(report.alerts.is_empty());
    assert_eq!(report.summary.rules.loaded, 0);
    assert_eq!(
        run(&[], &cfg()).summary.rules.loaded,
        palisade_watch::builtin::BUILTINS.len()
    );
}
