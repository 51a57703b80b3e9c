//! A recorded attack-like sequence: leaked access key used from a new place, a key
//! minted for another user, guardrails turned off, a database port opened to the
//! world, a bucket made public, then web scanning against the load balancer; and the
//! same day of ordinary pipeline work, which raises nothing.

mod common;

use common::{assumed_role, ct, merge, rules, run};
use palisade_watch::{detect_reader, Burst, Config};
use serde_json::{json, Value};

fn cfg() -> Config {
    Config {
        pipeline_roles: vec!["arn:aws:iam::111122223333:role/ci-deploy".to_owned()],
        alb_burst: Burst {
            threshold: 20,
            window_secs: 60,
        },
        ..Config::default()
    }
}

fn at(mut v: Value, minute: u32, id: u32) -> Value {
    merge(
        &mut v,
        json!({"eventTime": format!("2024-05-01T10:{minute:02}:00Z"), "eventID": format!("evt-{id}")}),
    );
    v
}

fn routine(minute: u32, id: u32) -> Value {
    // alice's usual work: reads from the office address with the CLI.
    at(
        ct(
            "ec2.amazonaws.com",
            "DescribeInstances",
            json!({"readOnly": true}),
        ),
        minute,
        id,
    )
}

#[test]
fn leaked_key_attack_raises_each_step_once() {
    let mut events: Vec<Value> = (0..8).map(|i| routine(i, i)).collect();
    let attacker =
        json!({"sourceIPAddress": "198.51.100.77", "userAgent": "python-requests/2.31.0"});
    let steps = [
        (
            "sts.amazonaws.com",
            "GetCallerIdentity",
            json!({"readOnly": true}),
        ),
        (
            "iam.amazonaws.com",
            "CreateAccessKey",
            json!({"requestParameters": {"userName": "backup-svc"}, "responseElements": {"accessKey": {"accessKeyId": "AKIAEXAMPLENEWKEY01", "userName": "backup-svc", "status": "Active", "secretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}}}),
        ),
        (
            "cloudtrail.amazonaws.com",
            "StopLogging",
            json!({"requestParameters": {"name": "org-trail"}}),
        ),
        (
            "guardduty.amazonaws.com",
            "DeleteDetector",
            json!({"requestParameters": {"detectorId": "12abc34d567e8fa901bc2d34e56789f0"}}),
        ),
        (
            "ec2.amazonaws.com",
            "AuthorizeSecurityGroupIngress",
            json!({"requestParameters": {"groupId": "sg-0123456789abcdef0", "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}}}),
        ),
        (
            "s3.amazonaws.com",
            "PutBucketPolicy",
            json!({"requestParameters": {"bucketName": "prod-exports", "bucketPolicy": {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::prod-exports/*"}]}}}),
        ),
    ];
    for (i, (source, name, extra)) in steps.into_iter().enumerate() {
        let mut e = ct(source, name, extra);
        merge(&mut e, attacker.clone());
        events.push(at(e, 20 + i as u32, 100 + i as u32));
    }
    let report = run(&events, &cfg());
    let got = rules(&report);
    // The first call from the new address and tool (PAL-D005), then one alert per step.
    assert_eq!(
        got,
        vec![
            "PAL-D005", // new source IP and user agent
            "PAL-D001", "PAL-D004", // key for another user (also an unexpected change)
            "PAL-D001", "PAL-D008", // trail stopped
            "PAL-D001", "PAL-D009", // GuardDuty deleted
            "PAL-D001", "PAL-D007", // 5432 open to the world
            "PAL-D001", "PAL-D013", // bucket public
        ],
        "{:#?}",
        report.alerts
    );
    // The new key's secret never reaches the report.
    let text = serde_json::to_string(&report.to_json()).expect("json");
    assert!(!text.contains("wJalrXUtnFEMI"));
}

#[test]
fn ordinary_pipeline_day_raises_nothing() {
    let mut events: Vec<Value> = (0..8).map(|i| routine(i, i)).collect();
    for (i, (source, name)) in [
        ("ec2.amazonaws.com", "RunInstances"),
        ("ec2.amazonaws.com", "CreateTags"),
        ("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress"),
        ("s3.amazonaws.com", "PutBucketPolicy"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut e = ct(
            source,
            name,
            json!({"requestParameters": {"groupId": "sg-1", "ipPermissions": {"items": [{"ipRanges": {"items": [{"cidrIp": "10.0.0.0/16"}]}}]}, "bucketPolicy": {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "s3:GetObject"}]}}}),
        );
        merge(&mut e, assumed_role("ci-deploy", "GitHubActions"));
        merge(
            &mut e,
            json!({"sourceIPAddress": "203.0.113.200", "userAgent": "Terraform/1.6.6"}),
        );
        events.push(at(e, 30 + i as u32, 200 + i as u32));
    }
    let report = run(&events, &cfg());
    assert!(report.alerts.is_empty(), "{:#?}", report.alerts);
}

#[test]
fn web_scanning_then_waf_blocks_raise_one_burst_each() {
    let alb = |i: u32, client: &str, status: u16| {
        format!(
            r#"https 2024-05-01T11:00:{:02}.{i:06}Z app/prod-alb/50dc6c495c0c9188 {client}:51234 10.0.12.7:8080 0.000 0.003 0.000 {status} {status} 180 412 "GET https://app.example.com:443/{} HTTP/1.1" "Mozilla/5.0 (compatible; Nuclei - Open-source project (github.com/projectdiscovery/nuclei))" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/prod-api/73e2d6bc24d8a067 "Root=1-6632f1a0-0b1c2d3e4f5a6b7c8d9e0f1a" "app.example.com" "arn:aws:acm:eu-west-1:111122223333:certificate/12345678-1234-1234-1234-123456789012" 1 2024-05-01T11:00:00.000000Z "forward" "-" "-" "10.0.12.7:8080" "{status}" "-" "-" TID_77"#,
            i / 2,
            [
                "wp-admin/",
                ".git/config",
                "server-status",
                ".env",
                "phpmyadmin/"
            ][(i % 5) as usize]
        )
    };
    let mut lines: Vec<String> = (0..60).map(|i| alb(i, "198.51.100.77", 404)).collect();
    lines.extend((0..60).map(|i| alb(i, "203.0.113.10", 200)));
    let report = detect_reader("alb.log", lines.join("\n").as_bytes(), &cfg());
    assert_eq!(rules(&report), vec!["PAL-D014"]);
    assert_eq!(report.alerts[0].source_ip.as_deref(), Some("198.51.100.77"));
    assert_eq!(report.alerts[0].evidence["count"], 60);
}
