mod common;

use std::fs;
use std::io::Write;

use common::{ct, temp_dir};
use flate2::write::GzEncoder;
use flate2::Compression;
use palisade_watch::read::{read_inputs, read_str};
use palisade_watch::{detect, Config, Item, LogKind, Malformed, Record};
use serde_json::{json, Value};

fn split(items: Vec<Item>) -> (Vec<Record>, Vec<Malformed>) {
    let mut recs = Vec::new();
    let mut bad = Vec::new();
    for i in items {
        match i {
            Item::Record(r) => recs.push(r),
            Item::Malformed(m) => bad.push(m),
        }
    }
    (recs, bad)
}

const ALB_FULL: &str = r#"https 2024-05-01T10:00:00.123456Z app/prod-alb/50dc6c495c0c9188 198.51.100.23:2817 10.0.12.7:8080 0.000 0.048 0.000 200 200 342 2910 "GET https://app.example.com:443/api/orders?id=42 HTTP/1.1" "Mozilla/5.0 (X11; Linux x86_64) \"quoted\" Firefox/125.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/prod-api/73e2d6bc24d8a067 "Root=1-58337281-1d84f3d73c47ec4e58577259" "app.example.com" "arn:aws:acm:eu-west-1:111122223333:certificate/12345678-1234-1234-1234-123456789012" 1 2024-05-01T10:00:00.075000Z "waf,forward" "-" "-" "10.0.12.7:8080" "200" "-" "-" TID_1234abcd5678ef90 "-" "newer-field""#;

const ALB_WAF_BLOCKED: &str = r#"https 2024-05-01T10:00:01.000000Z app/prod-alb/50dc6c495c0c9188 198.51.100.23:2818 - -1 -1 -1 403 - 220 512 "GET https://app.example.com:443/login?id=1%27%20OR%201=1 HTTP/1.1" "sqlmap/1.7.2#stable (https://sqlmap.org)" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 - "Root=1-58337281-1d84f3d73c47ec4e58577260" "app.example.com" "arn:aws:acm:eu-west-1:111122223333:certificate/12345678-1234-1234-1234-123456789012" 0 2024-05-01T10:00:01.000000Z "waf" "-" "-" "-" "-" "-" "-" TID_1234abcd5678ef91"#;

#[test]
fn alb_lines_with_all_fields() {
    let text = format!("{ALB_FULL}\n{ALB_WAF_BLOCKED}\n");
    let (recs, bad) = split(read_str("alb.log", &text));
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(recs.len(), 2);
    let r = &recs[0];
    assert_eq!(r.kind, LogKind::Alb);
    assert_eq!(r.location.line, 1);
    let v = &r.value;
    assert_eq!(v["client_ip"], "198.51.100.23");
    assert_eq!(v["client_port"], 2817);
    assert_eq!(v["target_ip"], "10.0.12.7");
    assert_eq!(v["elb_status_code"], 200);
    assert_eq!(v["received_bytes"], 342);
    assert_eq!(v["request_method"], "GET");
    assert_eq!(
        v["request_url"],
        "https://app.example.com:443/api/orders?id=42"
    );
    assert_eq!(
        v["user_agent"],
        "Mozilla/5.0 (X11; Linux x86_64) \"quoted\" Firefox/125.0"
    );
    assert_eq!(v["actions_executed"], "waf,forward");
    assert_eq!(v["conn_trace_id"], "TID_1234abcd5678ef90");
    assert_eq!(v["redirect_url"], Value::Null);
    assert_eq!(
        r.time_ms(),
        palisade_watch::time::parse_rfc3339("2024-05-01T10:00:00.123Z")
    );
    assert_eq!(r.source_ip(), Some("198.51.100.23"));
    let b = &recs[1].value;
    assert_eq!(b["target"], Value::Null);
    assert_eq!(b["elb_status_code"], 403);
    assert_eq!(b["target_status_code"], Value::Null);
    assert_eq!(b["actions_executed"], "waf");
    assert_eq!(recs[1].location.line, 2);
}

#[test]
fn alb_malformed_lines_are_reported_and_reading_continues() {
    let text = format!("{ALB_FULL}\nhttps 2024-05-01T10:00:00Z app/x 1.2.3.4:1 - 0 0\n{ALB_FULL}\nhttps notatime app/x 1.2.3.4:1 - 0 0 0 200 200 1 1 \"GET / HTTP/1.1\"\n");
    let (recs, bad) = split(read_str("alb.log", &text));
    assert_eq!(recs.len(), 2);
    assert_eq!(bad.len(), 2);
    assert_eq!((bad[0].file.as_str(), bad[0].line), ("alb.log", 2));
    assert!(bad[0].message.contains("fields"), "{}", bad[0].message);
    assert_eq!(bad[1].line, 4);
    assert!(bad[1].message.contains("time"));
}

const WAF_LINE: &str = r#"{"timestamp":1714557600123,"formatVersion":1,"webaclId":"arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/prod-acl/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111","terminatingRuleId":"AWS-AWSManagedRulesSQLiRuleSet","terminatingRuleType":"MANAGED_RULE_GROUP","action":"BLOCK","terminatingRuleMatchDetails":[{"conditionType":"SQL_INJECTION","location":"QUERY_STRING","matchedData":["1","OR","1=1"]}],"httpSourceName":"ALB","httpSourceId":"111122223333-app/prod-alb/50dc6c495c0c9188","ruleGroupList":[{"ruleGroupId":"AWS#AWSManagedRulesSQLiRuleSet","terminatingRule":{"ruleId":"SQLi_QUERYARGUMENTS","action":"BLOCK"}}],"rateBasedRuleList":[],"nonTerminatingMatchingRules":[],"requestHeadersInserted":null,"responseCodeSent":null,"httpRequest":{"clientIp":"198.51.100.23","country":"NL","headers":[{"name":"Host","value":"app.example.com"},{"name":"User-Agent","value":"sqlmap/1.7.2"}],"uri":"/login","args":"id=1%27%20OR%201=1","httpVersion":"HTTP/1.1","httpMethod":"GET","requestId":"1-6632b1a0-3f2a1b4c5d6e7f8091a2b3c4"},"labels":[{"name":"awswaf:managed:aws:sql-database:SQLi_QueryArguments"}]}"#;

#[test]
fn waf_json_lines() {
    let text = format!("{WAF_LINE}\n\n{WAF_LINE}\n");
    let (recs, bad) = split(read_str("waf.log", &text));
    assert!(bad.is_empty());
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0].kind, LogKind::Waf);
    assert_eq!(recs[1].location.line, 3);
    assert_eq!(recs[0].source_ip(), Some("198.51.100.23"));
    assert_eq!(recs[0].time_ms(), Some(1_714_557_600_123));
    assert_eq!(
        recs[0].time_text().as_deref(),
        Some("2024-05-01T10:00:00.123Z")
    );
}

#[test]
fn vpc_flow_logs_v2_with_header_and_without() {
    let text = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status
2 111122223333 eni-0a1b2c3d4e5f60718 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1714557600 1714557660 ACCEPT OK
2 111122223333 eni-0a1b2c3d4e5f60718 203.0.113.99 172.31.9.12 49761 3389 6 20 4249 1714557600 1714557660 REJECT OK
2 111122223333 eni-0a1b2c3d4e5f60718 - - - - - - - 1714557600 1714557660 - NODATA
2 111122223333 eni-0a1b2c3d4e5f60718 1.2.3.4 5.6.7.8 1 2 6 3 4 1714557600
";
    let (recs, bad) = split(read_str("flow.log", text));
    assert_eq!(recs.len(), 3);
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].line, 5);
    assert_eq!(recs[0].kind, LogKind::VpcFlow);
    assert_eq!(recs[0].location.line, 2);
    assert_eq!(recs[0].value["dstport"], 22);
    assert_eq!(recs[0].value["srcaddr"], "172.31.16.139");
    assert_eq!(recs[1].value["action"], "REJECT");
    assert_eq!(recs[2].value["srcaddr"], Value::Null);
    assert_eq!(recs[0].time_ms(), Some(1_714_557_600_000));

    // No header: the default v2 layout is recognised from the line itself.
    let (recs, bad) = split(read_str(
        "flow2.log",
        "2 111122223333 eni-0a1b2c3d4e5f60718 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1714557600 1714557660 ACCEPT OK\n",
    ));
    assert!(bad.is_empty());
    assert_eq!(recs[0].value["log-status"], "OK");
}

#[test]
fn vpc_flow_logs_custom_format_from_header() {
    let text = "version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status
5 vpc-0abc1234 subnet-0def5678 i-0123456789abcdef0 eni-0a1b2c3d4e5f60718 111122223333 IPv4 10.0.1.5 10.0.2.9 443 51000 10.0.1.5 10.0.2.9 6 5400 12 1714557600 1714557660 ACCEPT 19 OK
";
    let (recs, bad) = split(read_str("flow-custom.log", text));
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(recs[0].value["instance-id"], "i-0123456789abcdef0");
    assert_eq!(recs[0].value["tcp-flags"], 19);
    assert_eq!(recs[0].value["pkt-dstaddr"], "10.0.2.9");
}

const K8S_LINE: &str = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"4d2c8b1f-6a3e-4f0b-9c1d-2e3f4a5b6c7d","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/prod/secrets/db-creds","verb":"get","user":{"username":"system:serviceaccount:dev:default","uid":"0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0","groups":["system:serviceaccounts","system:serviceaccounts:dev","system:authenticated"]},"sourceIPs":["10.0.12.34"],"userAgent":"kubectl/v1.29.0 (linux/amd64) kubernetes/3f7a50f","objectRef":{"resource":"secrets","namespace":"prod","name":"db-creds","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2024-05-01T10:00:00.000000Z","stageTimestamp":"2024-05-01T10:00:00.005000Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"RBAC: allowed by ClusterRoleBinding \"too-broad\""}}"#;

#[test]
fn kubernetes_audit_lines_plain_and_cloudwatch_exported() {
    let (recs, bad) = split(read_str("audit.log", &format!("{K8S_LINE}\n")));
    assert!(bad.is_empty());
    assert_eq!(recs[0].kind, LogKind::K8sAudit);
    assert_eq!(recs[0].actor(), Some("system:serviceaccount:dev:default"));
    assert_eq!(
        recs[0].event_id(),
        Some("4d2c8b1f-6a3e-4f0b-9c1d-2e3f4a5b6c7d")
    );
    assert_eq!(recs[0].source_ip(), Some("10.0.12.34"));
    // CloudWatch Logs export: a timestamp before each JSON message.
    let text = format!("2024-05-01T10:00:00.010Z {K8S_LINE}\n2024-05-01T10:00:01.000Z {{broken\n");
    let (recs, bad) = split(read_str("export.txt", &text));
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].kind, LogKind::K8sAudit);
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].line, 2);
}

fn records_file(records: &[Value]) -> String {
    // Pretty-printed like CloudTrail's own files are not, to exercise line tracking.
    serde_json::to_string_pretty(&json!({ "Records": records })).expect("serialise")
}

#[test]
fn cloudtrail_records_file_gives_the_line_of_each_record() {
    let a = ct("ec2.amazonaws.com", "RunInstances", json!({}));
    let b = ct(
        "s3.amazonaws.com",
        "PutBucketAcl",
        json!({"requestParameters": {"bucketName": "x"}}),
    );
    let text = records_file(&[a, b]);
    let (recs, bad) = split(read_str("trail.json", &text));
    assert!(bad.is_empty());
    assert_eq!(recs.len(), 2);
    let lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| *l == "    {")
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(recs[0].location.line as usize, lines[0]);
    assert_eq!(recs[1].location.line as usize, lines[1]);
    assert_eq!(recs[0].value["eventName"], "RunInstances");
    assert_eq!(recs[1].kind, LogKind::CloudTrail);

    // The compact form CloudTrail writes: everything on line 1.
    let compact = serde_json::to_string(
        &json!({"Records": [ct("iam.amazonaws.com", "CreateUser", json!({}))]}),
    )
    .expect("json");
    let (recs, _) = split(read_str("c.json", &compact));
    assert_eq!(recs[0].location.line, 1);
}

#[test]
fn cloudtrail_bad_record_inside_records_array_is_skipped_and_reading_continues() {
    let text = "{\"Records\": [\n{\"eventVersion\":\"1.08\",\"eventSource\":\"iam.amazonaws.com\",\"eventName\":\"CreateUser\"},\n{\"eventVersion\": tru},\n{\"notCloudTrail\": 1},\n{\"eventVersion\":\"1.08\",\"eventSource\":\"iam.amazonaws.com\",\"eventName\":\"DeleteUser\"}\n], \"Other\": {\"a\": [1]}}\n";
    let (recs, bad) = split(read_str("t.json", text));
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[1].location.line, 5);
    assert_eq!(bad.len(), 2);
    assert_eq!(bad[0].line, 3);
    assert!(bad[0].message.contains("invalid JSON"));
    assert_eq!(bad[1].line, 4);
    assert!(bad[1].message.contains("unrecognized"));
}

#[test]
fn truncated_records_file_is_reported() {
    let text = "{\"Records\": [\n{\"eventVersion\":\"1.08\",\"eventSource\":\"iam.amazonaws.com\",\"eventName\":\"CreateUser\"},\n{\"eventVersion\":\"1.08\",\"eventSo";
    let (recs, bad) = split(read_str("t.json", text));
    assert_eq!(recs.len(), 1);
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].line, 3);
}

#[test]
fn plain_json_array_of_records() {
    let text = serde_json::to_string(&json!([
        ct("iam.amazonaws.com", "CreateUser", json!({})),
        ct("iam.amazonaws.com", "DeleteUser", json!({}))
    ]))
    .expect("json");
    let (recs, bad) = split(read_str("array.json", &text));
    assert!(bad.is_empty());
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[1].value["eventName"], "DeleteUser");
}

#[test]
fn lookup_events_output() {
    let inner = ct(
        "cloudtrail.amazonaws.com",
        "StopLogging",
        json!({"requestParameters": {"name": "org-trail"}}),
    );
    let text = serde_json::to_string_pretty(&json!({
        "Events": [
            {
                "EventId": "e1f2a3b4-c5d6-4e7f-8091-a2b3c4d5e6f7",
                "EventName": "StopLogging",
                "ReadOnly": "false",
                "AccessKeyId": "AKIAQEXAMPLEALICE01",
                "EventTime": "2024-05-01T12:00:00+02:00",
                "EventSource": "cloudtrail.amazonaws.com",
                "Username": "alice",
                "Resources": [{"ResourceType": "AWS::CloudTrail::Trail", "ResourceName": "org-trail"}],
                "CloudTrailEvent": inner.to_string()
            },
            {"EventId": "x", "CloudTrailEvent": "{not json"}
        ],
        "NextToken": "abc"
    }))
    .expect("json");
    let (recs, bad) = split(read_str("lookup.json", &text));
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].kind, LogKind::CloudTrail);
    assert_eq!(recs[0].value["requestParameters"]["name"], "org-trail");
    assert_eq!(recs[0].location.line, 3);
    assert_eq!(bad.len(), 1);
    assert!(bad[0].message.contains("CloudTrailEvent"));
}

#[test]
fn eventbridge_and_cloudtrail_lake_lines() {
    let detail = ct(
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        json!({}),
    );
    let eb = json!({
        "version": "0",
        "id": "7400a4bd-d520-3e73-7dd9-beffc1e29501",
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.ec2",
        "account": "111122223333",
        "time": "2024-05-01T10:00:00Z",
        "region": "eu-west-1",
        "resources": [],
        "detail": detail
    });
    let guardduty = json!({"version": "0", "detail-type": "GuardDuty Finding", "source": "aws.guardduty", "detail": {"type": "Recon:EC2/PortProbeUnprotectedPort"}});
    let lake_row = json!([{"eventID": "abc"}, {"eventName": "DeleteTrail"}, {"eventSource": "cloudtrail.amazonaws.com"}, {"eventTime": "2024-05-01 10:00:00.000"}]);
    let text = format!(
        "{eb}\n{}\n{guardduty}\n",
        ct("iam.amazonaws.com", "CreateUser", json!({}))
    );
    let (recs, bad) = split(read_str("events.jsonl", &text));
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0].value["eventName"], "AuthorizeSecurityGroupIngress");
    assert!(recs[0].value.get("detail-type").is_none());
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].line, 3);
    assert!(bad[0].message.contains("GuardDuty Finding"));

    let lake =
        serde_json::to_string(&json!({"QueryResultRows": [lake_row], "QueryStatus": "FINISHED"}))
            .expect("json");
    let (recs, bad) = split(read_str("lake.json", &lake));
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(recs[0].value["eventName"], "DeleteTrail");
}

#[test]
fn jsonl_with_broken_lines_keeps_going() {
    let good = ct("iam.amazonaws.com", "CreateUser", json!({}));
    let text = format!("{good}\n{{\"eventVersion\": \"1.08\", \"eventName\": \"Cut\n{good}\nnot json at all\n{{\"a\":1,\n{good}\n");
    let (recs, bad) = split(read_str("events.jsonl", &text));
    assert_eq!(recs.len(), 3);
    assert_eq!(
        recs.iter().map(|r| r.location.line).collect::<Vec<_>>(),
        vec![1, 3, 6]
    );
    let lines: Vec<u64> = bad.iter().map(|m| m.line).collect();
    assert_eq!(lines, vec![2, 4, 5]);
}

#[test]
fn unrecognized_text_file_is_one_malformed_entry() {
    let (recs, bad) = split(read_str("notes.txt", "hello world\nsecond line\n"));
    assert!(recs.is_empty());
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].line, 1);
    assert!(bad[0].message.contains("unrecognized log format"));
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(data).expect("gzip");
    e.finish().expect("gzip")
}

#[test]
fn cloudtrail_gz_tree_under_awslogs_in_order() {
    let root = temp_dir("awslogs");
    let day = root.join("AWSLogs/111122223333/CloudTrail/eu-west-1/2024/05/01");
    fs::create_dir_all(&day).expect("mkdir");
    let f1 = day.join("111122223333_CloudTrail_eu-west-1_20240501T1000Z_aaaa.json.gz");
    let f2 = day.join("111122223333_CloudTrail_eu-west-1_20240501T1005Z_bbbb.json.gz");
    fs::write(
        &f2,
        gz(records_file(&[ct("iam.amazonaws.com", "DeleteUser", json!({}))]).as_bytes()),
    )
    .expect("write");
    fs::write(
        &f1,
        gz(records_file(&[
            ct("iam.amazonaws.com", "CreateUser", json!({})),
            ct("iam.amazonaws.com", "AttachUserPolicy", json!({})),
        ])
        .as_bytes()),
    )
    .expect("write");
    // Digest files and hidden files are not records.
    let digest = root.join("AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2024/05/01");
    fs::create_dir_all(&digest).expect("mkdir");
    fs::write(
        digest.join("digest.json.gz"),
        gz(b"{\"awsAccountId\":\"111122223333\"}"),
    )
    .expect("write");
    fs::write(day.join(".DS_Store"), b"junk").expect("write");
    // A plain (not gzipped) file beside them.
    fs::write(
        day.join("manual.json"),
        records_file(&[ct("iam.amazonaws.com", "TagUser", json!({}))]),
    )
    .expect("write");

    let mut items = Vec::new();
    read_inputs(&[&root], &mut |i| items.push(i));
    let (recs, bad) = split(items);
    assert!(bad.is_empty(), "{bad:?}");
    let names: Vec<&str> = recs
        .iter()
        .filter_map(|r| r.value["eventName"].as_str())
        .collect();
    assert_eq!(
        names,
        vec!["CreateUser", "AttachUserPolicy", "DeleteUser", "TagUser"]
    );
    assert!(recs[0]
        .location
        .file
        .ends_with("_20240501T1000Z_aaaa.json.gz"));
    assert_eq!(
        recs[1].location.line,
        recs[0].location.line + recs[1].location.line - recs[0].location.line
    );
    assert!(recs[1].location.line > recs[0].location.line);

    // The whole tree through detect(): every record is accounted for.
    let report = detect(&[&root], &Config::default());
    assert_eq!(report.summary.records, 4);
    let s = &report.summary;
    assert_eq!(s.records, s.matched + s.unmatched() + s.malformed);
    fs::remove_dir_all(&root).ok();
}

#[test]
fn corrupt_gzip_and_missing_input_are_reported() {
    let root = temp_dir("corrupt");
    let good = gz(records_file(&[ct("iam.amazonaws.com", "CreateUser", json!({}))]).as_bytes());
    let mut bad_gz = good.clone();
    bad_gz.truncate(good.len() / 2);
    fs::write(root.join("a.json.gz"), &bad_gz).expect("write");
    let missing = root.join("does-not-exist");
    let mut items = Vec::new();
    read_inputs(&[root.join("a.json.gz"), missing], &mut |i| items.push(i));
    let (_, bad) = split(items);
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert!(bad[1].message.contains("cannot read"));
    assert_eq!(bad[1].line, 0);
    fs::remove_dir_all(&root).ok();
}

#[test]
fn accounting_read_equals_matched_plus_unmatched_plus_malformed() {
    let text = format!(
        "{}\n{}\nbroken\n{}\n",
        ct("cloudtrail.amazonaws.com", "StopLogging", json!({})),
        ct(
            "ec2.amazonaws.com",
            "DescribeInstances",
            json!({"readOnly": true})
        ),
        ct(
            "ec2.amazonaws.com",
            "DescribeVpcs",
            json!({"readOnly": true})
        )
    );
    let report = palisade_watch::detect_reader("mixed.jsonl", text.as_bytes(), &Config::default());
    let s = &report.summary;
    assert_eq!(s.records, 4);
    assert_eq!(s.malformed, 1);
    assert_eq!(s.matched, 1);
    assert_eq!(s.unmatched(), 2);
    assert_eq!(report.malformed[0].line, 3);
    assert_eq!(report.malformed[0].file, "mixed.jsonl");
}

#[test]
fn byte_order_mark_and_crlf_are_tolerated() {
    let text = format!(
        "\u{feff}{}\r\n{}\r\n",
        ct("iam.amazonaws.com", "CreateUser", json!({})),
        ct("iam.amazonaws.com", "DeleteUser", json!({}))
    );
    let (recs, bad) = split(read_str("bom.jsonl", &text));
    assert!(bad.is_empty());
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[1].location.line, 2);
    let alb = format!("{ALB_FULL}\r\n");
    let (recs, bad) = split(read_str("alb.log", &alb));
    assert!(bad.is_empty());
    assert_eq!(recs[0].value["conn_trace_id"], "TID_1234abcd5678ef90");
}

#[test]
fn firehose_concatenated_json_objects_without_newlines() {
    let text = format!("{WAF_LINE}{WAF_LINE}\n{WAF_LINE}");
    let (recs, bad) = split(read_str("firehose.log", &text));
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(
        recs.iter().map(|r| r.location.line).collect::<Vec<_>>(),
        vec![1, 1, 2]
    );
}

#[test]
fn pretty_printed_single_event_is_one_record() {
    let ev = serde_json::to_string_pretty(&ct("iam.amazonaws.com", "CreateUser", json!({})))
        .expect("json");
    let text = format!("{ev}\n{ev}\n");
    let (recs, bad) = split(read_str("pretty.json", &text));
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[1].location.line, ev.lines().count() as u64 + 1);
}

#[test]
fn records_across_read_buffer_boundaries_keep_their_lines() {
    // Larger than the 256 KiB read buffer: some records straddle a refill and take
    // the careful path, the others are parsed straight from the buffer.
    let records: Vec<Value> = (0..700)
        .map(|i| {
            ct(
                "ec2.amazonaws.com",
                "DescribeInstances",
                json!({"eventID": format!("id-{i}"), "requestParameters": {"filler": "x".repeat(i % 300)}}),
            )
        })
        .collect();
    let text = records_file(&records);
    assert!(text.len() > 600 * 1024);
    let expected: Vec<u64> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| *l == "    {")
        .map(|(i, _)| i as u64 + 1)
        .collect();
    let dir = temp_dir("boundaries");
    let path = dir.join("big.json");
    fs::write(&path, &text).expect("write");
    let mut items = Vec::new();
    read_inputs(&[&path], &mut |i| items.push(i));
    let (recs, bad) = split(items);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(recs.len(), 700);
    let lines: Vec<u64> = recs.iter().map(|r| r.location.line).collect();
    assert_eq!(lines, expected);
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(r.event_id(), Some(format!("id-{i}").as_str()));
    }
    // The same as JSON lines.
    let jsonl: String = records.iter().map(|r| format!("{r}\n")).collect();
    let (recs, bad) = split(read_str("big.jsonl", &jsonl));
    assert!(bad.is_empty());
    assert_eq!(recs.len(), 700);
    assert_eq!(recs[699].location.line, 700);
}
