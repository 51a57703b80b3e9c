//! Watch mode: following files, resuming across restarts, and exactly-once alerts
//! when the process is killed (SIGKILL) mid-run.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::temp_dir;
use palisade_watch::{detect, Alert, Burst, Config, Store, WatchOptions, Watcher};
use serde_json::{json, Value};

const CHILD_ENV: &str = "PALISADE_WATCH_TEST_CHILD";

fn cfg() -> Config {
    Config {
        pipeline_roles: vec!["arn:aws:iam::111122223333:role/ci-deploy".to_owned()],
        alb_burst: Burst {
            threshold: 10,
            window_secs: 60,
        },
        ..Config::default()
    }
}

/// One CloudTrail record; `n` makes it unique.
fn ct_event(n: u64, user: &str, ip: &str, source: &str, name: &str, read_only: bool) -> Value {
    let sec = n % 60;
    let min = (n / 60) % 60;
    let hour = (n / 3600) % 24;
    json!({
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": format!("AIDAEXAMPLE{user}"),
            "arn": format!("arn:aws:iam::111122223333:user/{user}"),
            "accountId": "111122223333",
            "userName": user
        },
        "eventTime": format!("2024-05-01T{hour:02}:{min:02}:{sec:02}Z"),
        "eventSource": source,
        "eventName": name,
        "awsRegion": "eu-west-1",
        "sourceIPAddress": ip,
        "userAgent": "aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0",
        "requestParameters": {"name": format!("trail-{n}")},
        "responseElements": null,
        "eventID": format!("00000000-0000-4000-8000-{n:012}"),
        "readOnly": read_only,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": "111122223333"
    })
}

/// Writes CloudTrail files and ALB logs with a known mix of alerting records.
fn write_inputs(dir: &Path, files: u64, per_file: u64) {
    let users = ["alice", "bob", "carol"];
    let mut n = 0u64;
    for f in 0..files {
        let mut records = Vec::new();
        for i in 0..per_file {
            n += 1;
            let user = users[(n % 3) as usize];
            // Each user mostly calls from one address; now and then from a new one (PAL-D005).
            let ip = if n.is_multiple_of(97) {
                format!("198.51.100.{}", n % 250)
            } else {
                format!("203.0.113.{}", n % 3)
            };
            let ev = match i % 10 {
                0 => ct_event(
                    n,
                    user,
                    &ip,
                    "cloudtrail.amazonaws.com",
                    "StopLogging",
                    false,
                ),
                1 | 2 => ct_event(n, user, &ip, "ec2.amazonaws.com", "CreateTags", false),
                _ => ct_event(n, user, &ip, "ec2.amazonaws.com", "DescribeInstances", true),
            };
            records.push(ev);
        }
        let text = json!({ "Records": records }).to_string();
        let sub = dir.join(format!(
            "AWSLogs/111122223333/CloudTrail/eu-west-1/2024/05/{:02}",
            f % 28 + 1
        ));
        fs::create_dir_all(&sub).expect("mkdir");
        fs::write(sub.join(format!("ct-{f:04}.json")), text).expect("write");
    }
    // ALB: clients sending bursts of 404s across many lines (bursts span batches).
    let mut lines = String::new();
    for i in 0..3000u64 {
        let client = format!("192.0.2.{}", i % 7);
        let sec = i / 10;
        let status = if i % 3 == 0 { 200 } else { 404 };
        lines.push_str(&format!(
            "https 2024-05-01T12:{:02}:{:02}.{:06}Z app/web/50dc6c495c0c9188 {client}:443{} 10.0.1.5:8080 0.000 0.002 0.000 {status} {status} 120 300 \"GET https://example.com:443/wp-login.php?x={i} HTTP/1.1\" \"curl/8.0\" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/web/73e2d6bc24d8a067 \"Root=1-58337262-36d228ad5d99923122bbe354\" \"example.com\" \"-\" 0 2024-05-01T12:00:00.000000Z \"forward\" \"-\" \"-\" \"10.0.1.5:8080\" \"{status}\" \"-\" \"-\" TID_1\n",
            (sec / 60) % 60,
            sec % 60,
            i,
            i % 10
        ));
    }
    let alb = dir.join("AWSLogs/111122223333/elasticloadbalancing/eu-west-1");
    fs::create_dir_all(&alb).expect("mkdir");
    fs::write(alb.join("alb-0001.log"), lines).expect("write");
}

fn opts(dir: &Path, output: Option<PathBuf>, batch: usize) -> WatchOptions {
    WatchOptions {
        roots: vec![dir.to_path_buf()],
        settle: Duration::ZERO,
        batch,
        output,
        ..WatchOptions::default()
    }
}

/// Runs a watcher over `dir` until nothing is left; returns the new alerts.
fn watch_all(dir: &Path, db: &Path, output: Option<PathBuf>, batch: usize) -> Vec<Alert> {
    let config = cfg();
    let store = Store::open(db).expect("open store");
    let mut w =
        Watcher::new(&config, store, opts(dir, output, batch), Vec::new()).expect("watcher");
    let mut alerts = Vec::new();
    w.poll(&mut |a| alerts.push(a.clone())).expect("poll");
    alerts
}

fn keys_of_file(path: &Path) -> Vec<String> {
    let text = fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("each output line is a whole JSON alert");
            alert_key(&v)
        })
        .collect()
}

/// The key of an alert read back from JSON (same rule as `Alert::key`).
fn alert_key(v: &Value) -> String {
    let rule = v["rule"].as_str().unwrap_or("");
    if let (Some(ip), Some(first)) = (
        v["evidence"]["client_ip"].as_str(),
        v["evidence"]["first_seen"].as_str(),
    ) {
        return format!("{rule}|burst|{ip}|{first}");
    }
    if let Some(id) = v["event_id"].as_str() {
        return format!("{rule}|event|{id}");
    }
    format!(
        "{rule}|at|{}|{}|{}",
        v["location"]["file"].as_str().unwrap_or(""),
        v["location"]["line"],
        v["time"].as_str().unwrap_or("-")
    )
}

fn counts(keys: &[String]) -> BTreeMap<&str, usize> {
    let mut m = BTreeMap::new();
    for k in keys {
        *m.entry(k.as_str()).or_default() += 1;
    }
    m
}

#[test]
fn restart_skips_what_was_read_and_follows_new_and_grown_files() {
    let dir = temp_dir("follow");
    let logs = dir.join("logs");
    fs::create_dir_all(&logs).expect("mkdir");
    let db = dir.join("state/watch.db");
    let ev = |n| {
        ct_event(
            n,
            "mallory",
            "203.0.113.9",
            "cloudtrail.amazonaws.com",
            "StopLogging",
            false,
        )
    };
    fs::write(logs.join("a.jsonl"), format!("{}\n{}\n", ev(1), ev(2))).expect("write");
    let first = watch_all(&logs, &db, None, 100);
    // StopLogging: PAL-D001 (not the pipeline) and PAL-D008, per event.
    assert_eq!(first.len(), 4, "{first:?}");
    // Nothing new: nothing raised again, even by a new process.
    assert!(watch_all(&logs, &db, None, 100).is_empty());
    // The file grows; another arrives.
    let mut text = fs::read_to_string(logs.join("a.jsonl")).expect("read");
    text.push_str(&format!("{}\n", ev(3)));
    fs::write(logs.join("a.jsonl"), text).expect("write");
    fs::write(logs.join("b.jsonl"), format!("{}\n", ev(4))).expect("write");
    let next = watch_all(&logs, &db, None, 100);
    let ids: Vec<&str> = next.iter().filter_map(|a| a.event_id.as_deref()).collect();
    assert_eq!(next.len(), 4, "{ids:?}");
    assert!(ids
        .iter()
        .all(|id| id.ends_with("000000000003") || id.ends_with("000000000004")));
    // A file replaced by another one with the same name is read from the start;
    // alerts already raised for the same events are not raised again.
    fs::remove_file(logs.join("b.jsonl")).expect("rm");
    fs::write(logs.join("b.jsonl"), format!("{}\n{}\n", ev(4), ev(5))).expect("write");
    let again = watch_all(&logs, &db, None, 100);
    let ids: Vec<&str> = again.iter().filter_map(|a| a.event_id.as_deref()).collect();
    assert_eq!(again.len(), 2, "{ids:?}");
    assert!(ids.iter().all(|id| id.ends_with("000000000005")));
}

#[test]
fn files_still_changing_wait_for_the_settle_time() {
    let dir = temp_dir("settle");
    let logs = dir.join("logs");
    fs::create_dir_all(&logs).expect("mkdir");
    let ev = ct_event(
        1,
        "mallory",
        "203.0.113.9",
        "cloudtrail.amazonaws.com",
        "DeleteTrail",
        false,
    );
    fs::write(logs.join("a.jsonl"), format!("{ev}\n")).expect("write");
    let config = cfg();
    let store = Store::open(&dir.join("w.db")).expect("store");
    let mut o = opts(&logs, None, 100);
    o.settle = Duration::from_millis(300);
    let mut w = Watcher::new(&config, store, o, Vec::new()).expect("watcher");
    let mut n = 0;
    let c = w.poll(&mut |_| n += 1).expect("poll");
    assert_eq!((c.waiting, n), (1, 0));
    std::thread::sleep(Duration::from_millis(350));
    let c = w.poll(&mut |_| n += 1).expect("poll");
    assert_eq!((c.waiting, c.files, n), (0, 1, 2));
}

#[test]
fn watch_bursts_match_detect_bursts() {
    let dir = temp_dir("bursts");
    let logs = dir.join("logs");
    write_inputs(&logs, 0, 0);
    let watched = watch_all(&logs, &dir.join("w.db"), None, 37);
    let batch = detect(&[&logs], &cfg());
    let mut a: Vec<String> = watched
        .iter()
        .filter(|a| a.rule == "PAL-D014")
        .map(Alert::key)
        .collect();
    let mut b: Vec<String> = batch
        .alerts
        .iter()
        .filter(|a| a.rule == "PAL-D014")
        .map(Alert::key)
        .collect();
    a.sort();
    b.sort();
    assert!(!a.is_empty());
    assert_eq!(a, b);
}

/// The child process of the crash test: watches the directory given in the environment.
#[test]
fn child_watch_process() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let dir = PathBuf::from(spec);
    let alerts = watch_all(
        &dir.join("logs"),
        &dir.join("watch.db"),
        Some(dir.join("alerts.jsonl")),
        25,
    );
    println!("child raised {}", alerts.len());
}

#[test]
fn killed_mid_run_every_alert_is_written_exactly_once() {
    let dir = temp_dir("crash");
    write_inputs(&dir.join("logs"), 8, 1200);

    // The reference: one uninterrupted run.
    let reference_dir = temp_dir("crash-ref");
    let expected = watch_all(
        &dir.join("logs"),
        &reference_dir.join("w.db"),
        Some(reference_dir.join("alerts.jsonl")),
        25,
    );
    let expected_keys: Vec<String> = expected.iter().map(Alert::key).collect();
    assert_eq!(
        keys_of_file(&reference_dir.join("alerts.jsonl")),
        expected_keys
    );
    assert!(expected_keys.len() > 2000, "{}", expected_keys.len());
    assert!(expected.iter().any(|a| a.rule == "PAL-D005"));
    assert!(expected.iter().any(|a| a.rule == "PAL-D014"));

    // The same, killed with SIGKILL at varying moments until a run completes.
    let exe = std::env::current_exe().expect("test binary");
    let mut kills = 0;
    let started = Instant::now();
    let mut delay_ms = 60u64;
    loop {
        assert!(
            started.elapsed() < Duration::from_secs(240),
            "the child never completed"
        );
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "child_watch_process",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn child");
        let deadline = Instant::now() + Duration::from_millis(delay_ms);
        let mut finished = None;
        while Instant::now() < deadline {
            if let Some(status) = child.try_wait().expect("try_wait") {
                finished = Some(status);
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        match finished {
            Some(status) => {
                assert!(status.success(), "child failed: {status}");
                break;
            }
            None => {
                child.kill().expect("SIGKILL");
                let _ = child.wait();
                kills += 1;
                // Vary where the kill lands.
                delay_ms = 60 + (delay_ms * 7 + 37) % 300;
            }
        }
    }
    eprintln!(
        "crash test: {kills} kills, {} alerts expected",
        expected_keys.len()
    );
    assert!(
        kills >= 2,
        "the child finished before it could be killed enough ({kills} kills)"
    );

    let got = keys_of_file(&dir.join("alerts.jsonl"));
    let dupes: Vec<(&str, usize)> = counts(&got).into_iter().filter(|(_, n)| *n > 1).collect();
    assert!(
        dupes.is_empty(),
        "alerts written twice: {:?}",
        &dupes[..dupes.len().min(5)]
    );
    let mut a = got.clone();
    let mut b = expected_keys.clone();
    a.sort();
    b.sort();
    assert_eq!(a.len(), b.len(), "after {kills} kills");
    assert_eq!(a, b);

    // A last run finds nothing new.
    assert!(watch_all(
        &dir.join("logs"),
        &dir.join("watch.db"),
        Some(dir.join("alerts.jsonl")),
        25
    )
    .is_empty());
    assert_eq!(keys_of_file(&dir.join("alerts.jsonl")).len(), b.len());
}
