//! End-to-end tests of `palisade detect` and `palisade watch`: formats, exit codes,
//! options, blocklists, the Lambda event mode and webhooks (local server only).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::{json, Value};

fn palisade(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("PALISADE_SLACK_WEBHOOK")
        .env_remove("PALISADE_WEBHOOK")
        .output()
        .expect("run palisade")
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("detect-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn stdout_json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn ct(name: &str, source: &str, id: &str, extra: Value) -> Value {
    let mut v = json!({
        "eventVersion": "1.09",
        "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLEMALLORY01", "arn": "arn:aws:iam::111122223333:user/mallory", "accountId": "111122223333", "userName": "mallory"},
        "eventTime": "2024-05-01T10:00:00Z", "eventSource": source, "eventName": name,
        "awsRegion": "eu-west-1", "sourceIPAddress": "203.0.113.66", "userAgent": "aws-cli/2.15.0",
        "requestParameters": {"name": "org-trail"}, "responseElements": null,
        "eventID": id, "readOnly": false, "eventType": "AwsApiCall", "managementEvent": true,
        "recipientAccountId": "111122223333"
    });
    if let (Value::Object(m), Value::Object(e)) = (&mut v, extra) {
        m.extend(e);
    }
    v
}

/// A CloudTrail file with one StopLogging (PAL-D001, PAL-D008) and one read.
fn trail(dir: &Path) -> PathBuf {
    let p = dir.join("trail.json");
    let body = json!({"Records": [
        ct("StopLogging", "cloudtrail.amazonaws.com", "e-stop", json!({})),
        ct("DescribeTrails", "cloudtrail.amazonaws.com", "e-read", json!({"readOnly": true})),
    ]});
    std::fs::write(&p, body.to_string()).expect("write");
    p
}

#[test]
fn formats_and_exit_codes() {
    let dir = scratch("formats");
    let f = trail(&dir);
    let f = f.to_str().unwrap_or_default();

    let text = palisade(&["detect", f], &dir);
    assert_eq!(code(&text), 1, "{}", String::from_utf8_lossy(&text.stderr));
    let s = String::from_utf8_lossy(&text.stdout);
    assert!(s.contains("CRITICAL  PAL-D008"), "{s}");
    assert!(
        s.contains("2 records read: 1 matched, 1 unmatched, 0 malformed; 2 alerts"),
        "{s}"
    );

    let j = palisade(&["detect", "--format", "json", f], &dir);
    assert_eq!(code(&j), 1);
    let v = stdout_json(&j);
    assert_eq!(v["summary"]["records"], 2);
    assert_eq!(v["summary"]["matched"], 1);
    assert_eq!(v["summary"]["malformed"], 0);
    assert_eq!(v["summary"]["rules"]["loaded"], 15);
    assert_eq!(v["summary"]["rules"]["skipped"], json!([]));
    let rules: Vec<&str> = v["alerts"].as_array().map_or(vec![], |a| {
        a.iter().filter_map(|x| x["rule"].as_str()).collect()
    });
    assert_eq!(rules, vec!["PAL-D001", "PAL-D008"]);

    let l = palisade(&["detect", "--format", "jsonl", f], &dir);
    let lines: Vec<Value> = String::from_utf8_lossy(&l.stdout)
        .lines()
        .map(|x| serde_json::from_str(x).expect("one alert per line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["rule"], "PAL-D008");

    // The pipeline role's changes are expected: only the guardrail alert remains.
    let p = palisade(
        &[
            "detect",
            "--format",
            "json",
            "--pipeline-role",
            "arn:aws:iam::*:user/mallory",
            f,
        ],
        &dir,
    );
    assert_eq!(stdout_json(&p)["alerts"].as_array().map(Vec::len), Some(1));

    // No alerts: 0.
    let benign = dir.join("benign.jsonl");
    std::fs::write(
        &benign,
        format!(
            "{}\n",
            ct(
                "DescribeTrails",
                "cloudtrail.amazonaws.com",
                "e1",
                json!({"readOnly": true})
            )
        ),
    )
    .expect("write");
    assert_eq!(
        code(&palisade(
            &["detect", benign.to_str().unwrap_or_default()],
            &dir
        )),
        0
    );

    // Malformed records: counted, exit unchanged; --strict makes them 2.
    let mixed = dir.join("mixed.jsonl");
    std::fs::write(
        &mixed,
        format!(
            "{}\n{{\"broken\": 1,,}}\nnot json at all\n",
            ct(
                "DescribeTrails",
                "cloudtrail.amazonaws.com",
                "e1",
                json!({"readOnly": true})
            )
        ),
    )
    .expect("write");
    let m = palisade(
        &[
            "detect",
            "--format",
            "json",
            mixed.to_str().unwrap_or_default(),
        ],
        &dir,
    );
    assert_eq!(code(&m), 0);
    assert_eq!(stdout_json(&m)["summary"]["malformed"], 2);
    assert_eq!(
        code(&palisade(
            &["detect", "--strict", mixed.to_str().unwrap_or_default()],
            &dir
        )),
        2
    );

    // Input errors: 2, the rest still read and reported.
    let missing = palisade(
        &["detect", "--format", "json", f, "no-such-file.json"],
        &dir,
    );
    assert_eq!(code(&missing), 2);
    assert_eq!(
        stdout_json(&missing)["alerts"].as_array().map(Vec::len),
        Some(2)
    );
    let gz = dir.join("bad.json.gz");
    std::fs::write(&gz, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]).expect("write");
    assert_eq!(
        code(&palisade(
            &["detect", gz.to_str().unwrap_or_default()],
            &dir
        )),
        2
    );
    // Usage errors: 2.
    assert_eq!(
        code(&palisade(&["detect", "--known-cidr", "nope", f], &dir)),
        2
    );
    assert_eq!(
        code(&palisade(&["detect", "--blocklist", "b.json", f], &dir)),
        2
    );

    let help = palisade(&["detect", "--help"], &dir);
    let h = String::from_utf8_lossy(&help.stdout);
    assert!(h.contains("Exit status:") && h.contains("--strict"), "{h}");
}

#[test]
fn sigma_rules_loaded_and_skipped() {
    let dir = scratch("sigma");
    let rules = dir.join("rules");
    std::fs::create_dir_all(&rules).expect("mkdir");
    std::fs::write(rules.join("stop.yml"), "title: Trail stopped\nid: 11111111-2222-4333-8444-555555555555\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n  sel:\n    eventName: StopLogging\n  condition: sel\nlevel: high\n").expect("write");
    std::fs::write(rules.join("win.yml"), "title: Windows thing\nid: win-1\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n  sel:\n    Image|endswith: '\\cmd.exe'\n  condition: sel\n").expect("write");
    let f = trail(&dir);
    let out = palisade(
        &[
            "detect",
            "--no-builtins",
            "--rules",
            rules.to_str().unwrap_or_default(),
            "--format",
            "json",
            f.to_str().unwrap_or_default(),
        ],
        &dir,
    );
    assert_eq!(code(&out), 1);
    let v = stdout_json(&out);
    assert_eq!(v["summary"]["rules"]["loaded"], 1);
    assert_eq!(v["summary"]["rules"]["skipped"][0]["rule"], "win-1");
    assert_eq!(
        v["alerts"][0]["rule"],
        "11111111-2222-4333-8444-555555555555"
    );
    assert_eq!(
        code(&palisade(
            &[
                "detect",
                "--rules",
                "no-such-dir",
                f.to_str().unwrap_or_default()
            ],
            &dir
        )),
        2
    );
}

fn alb_line(client: &str, second: u32) -> String {
    format!(
        r#"https 2024-05-01T10:00:{second:02}.000000Z app/prod-alb/50dc6c495c0c9188 {client}:40000 10.0.12.7:8080 0.000 0.002 0.000 404 404 120 310 "GET https://app.example.com:443/.env HTTP/1.1" "Nikto/2.5.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/prod-api/73e2d6bc24d8a067 "Root=1-58337281-1d84f3d73c47ec4e58577259" "app.example.com" "-" 1 2024-05-01T10:00:00.000000Z "forward" "-" "-" "10.0.12.7:8080" "404" "-" "-" TID_1"#
    )
}

#[test]
fn blocklists_wafv2_and_plain() {
    let dir = scratch("block");
    let mut lines = Vec::new();
    for i in 0..30 {
        lines.push(alb_line("198.51.100.23", i));
        lines.push(alb_line("2001:db8::7", i));
        lines.push(alb_line("10.1.2.3", i));
    }
    std::fs::write(dir.join("alb.log"), lines.join("\n")).expect("write");
    let args = [
        "detect",
        "alb.log",
        "--alb-burst-threshold",
        "20",
        "--blocklist",
        "block.json",
        "--ip-set-name",
        "palisade-block",
        "--ip-set-id",
        "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
        "--lock-token",
        "0123abcd-lock",
        "--ipv6-set-name",
        "palisade-block-v6",
        "--ipv6-set-id",
        "a1b2c3d4-5678-90ab-cdef-EXAMPLE22222",
        "--ipv6-lock-token",
        "4567-lock",
        "--allow",
        "10.0.0.0/8",
    ];
    let out = palisade(&args, &dir);
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    let v4: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("block.json")).expect("v4"))
            .expect("json");
    assert_eq!(
        v4,
        json!({"Name": "palisade-block", "Scope": "REGIONAL", "Id": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", "Addresses": ["198.51.100.23/32"], "LockToken": "0123abcd-lock"})
    );
    let v6: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("block.ipv6.json")).expect("v6"))
            .expect("json");
    assert_eq!(v6["Addresses"], json!(["2001:db8::7/128"]));
    assert_eq!(v6["LockToken"], "4567-lock");
    assert!(String::from_utf8_lossy(&out.stderr).contains("allow-listed"));

    let plain = palisade(
        &[
            "detect",
            "alb.log",
            "--alb-burst-threshold",
            "20",
            "--blocklist",
            "block.txt",
            "--blocklist-format",
            "plain",
            "--scope",
            "CLOUDFRONT",
        ],
        &dir,
    );
    assert_eq!(code(&plain), 1);
    assert_eq!(
        std::fs::read_to_string(dir.join("block.txt")).expect("plain"),
        "10.1.2.3/32\n198.51.100.23/32\n2001:db8::7/128\n"
    );
}

#[test]
fn lambda_event_mode() {
    let dir = scratch("lambda");
    let root = dir.join("s3");
    let key_dir = root.join("org-trail-logs/AWSLogs/111122223333/CloudTrail/eu-west-1/2024/05/01");
    std::fs::create_dir_all(&key_dir).expect("mkdir");
    let body =
        json!({"Records": [ct("StopLogging", "cloudtrail.amazonaws.com", "e-stop", json!({}))]});
    std::fs::write(key_dir.join("a b.json"), body.to_string()).expect("write");
    let message = json!({"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
        "s3": {"bucket": {"name": "org-trail-logs"}, "object": {"key": "AWSLogs/111122223333/CloudTrail/eu-west-1/2024/05/01/a+b.json"}}}]});
    let event = json!({"Records": [{"EventSource": "aws:sns", "Sns": {"Type": "Notification", "Message": message.to_string()}}]});
    std::fs::write(dir.join("event.json"), event.to_string()).expect("write");
    let out = palisade(
        &[
            "detect",
            "--lambda-event",
            "event.json",
            "--source-root",
            "s3",
            "--format",
            "json",
        ],
        &dir,
    );
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    let v = stdout_json(&out);
    assert_eq!(v["summary"]["records"], 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains(
        "s3://org-trail-logs/AWSLogs/111122223333/CloudTrail/eu-west-1/2024/05/01/a b.json"
    ));
    // Standard input works too; a bad event is a usage error.
    let mut child = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["detect", "--lambda-event", "-", "--source-root", "s3"])
        .current_dir(&dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(event.to_string().as_bytes())
            .expect("stdin");
    }
    assert_eq!(
        child.wait_with_output().expect("wait").status.code(),
        Some(1)
    );
    std::fs::write(dir.join("bad.json"), "{\"hello\":1}").expect("write");
    assert_eq!(
        code(&palisade(
            &[
                "detect",
                "--lambda-event",
                "bad.json",
                "--source-root",
                "s3"
            ],
            &dir
        )),
        2
    );
}

#[test]
fn watch_once_resumes_and_writes_each_alert_once() {
    let dir = scratch("watch");
    let logs = dir.join("logs");
    std::fs::create_dir_all(&logs).expect("mkdir");
    trail(&logs);
    let args = [
        "watch",
        "logs",
        "--once",
        "--settle-ms",
        "0",
        "--state",
        "state/w.db",
        "--output",
        "alerts.jsonl",
        "--format",
        "jsonl",
    ];
    let first = palisade(&args, &dir);
    assert_eq!(
        code(&first),
        1,
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&first.stdout).lines().count(), 2);
    let again = palisade(&args, &dir);
    assert_eq!(code(&again), 0);
    assert_eq!(
        std::fs::read_to_string(dir.join("alerts.jsonl"))
            .expect("out")
            .lines()
            .count(),
        2
    );
}

/// A one-request HTTP server on 127.0.0.1; returns the body it received.
fn one_request_server() -> (u16, std::thread::JoinHandle<String>) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    let h = std::thread::spawn(move || {
        let Ok((mut s, _)) = l.accept() else {
            return String::new();
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
        let mut buf = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            let n = s.read(&mut chunk).unwrap_or(0);
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&buf).to_string();
            if let Some(i) = text.find("\r\n\r\n") {
                let len: usize = text[..i]
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse().unwrap_or(0))
                    })
                    .unwrap_or(0);
                if buf.len() >= i + 4 + len {
                    let _ = s.write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                    );
                    return text[i + 4..].to_owned();
                }
            }
        }
        String::new()
    });
    (port, h)
}

#[test]
fn detect_notifies_a_slack_webhook() {
    let dir = scratch("slack");
    let f = trail(&dir);
    let (port, server) = one_request_server();
    let url = format!("http://127.0.0.1:{port}/services/T0/B0/SECRET");
    let out = palisade(
        &[
            "detect",
            "--slack-webhook",
            &url,
            f.to_str().unwrap_or_default(),
        ],
        &dir,
    );
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    let body: Value = serde_json::from_str(&server.join().expect("server")).expect("JSON body");
    assert!(body["text"]
        .as_str()
        .is_some_and(|t| t.contains("2 new alerts")));
    assert_eq!(body["blocks"][0]["type"], "header");
    // Nothing listening: the alerts cannot be delivered in time, exit 2, URL not printed.
    let dead = format!("http://127.0.0.1:{port}/services/T0/B0/SECRET");
    let out = palisade(
        &[
            "detect",
            "--webhook",
            &dead,
            "--notify-timeout",
            "1",
            f.to_str().unwrap_or_default(),
        ],
        &dir,
    );
    assert_eq!(code(&out), 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not delivered") && !err.contains("SECRET"),
        "{err}"
    );
}

#[test]
fn detect_with_state_sends_each_alert_once_across_runs() {
    let dir = scratch("state");
    let f = trail(&dir);
    let (port, server) = one_request_server();
    let url = format!("http://127.0.0.1:{port}/hook");
    let args = [
        "detect",
        "--state",
        "st/p.db",
        "--webhook",
        &url,
        "--notify-timeout",
        "5",
        f.to_str().unwrap_or_default(),
    ];
    let first = palisade(&args, &dir);
    assert_eq!(
        code(&first),
        1,
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let body: Value = serde_json::from_str(&server.join().expect("server")).expect("JSON body");
    assert_eq!(body["alerts"].as_array().map(Vec::len), Some(2));
    // The same records again: still reported, not sent again (the server is gone, so
    // any attempt would fail and exit 2).
    let second = palisade(&args, &dir);
    assert_eq!(
        code(&second),
        1,
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&second.stdout)
            .matches("PAL-D008")
            .count(),
        1
    );
}
