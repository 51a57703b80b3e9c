//! Webhook delivery against a local HTTP server on 127.0.0.1: retries with back-off,
//! 429 with Retry-After, rate limiting, the outbox surviving a restart while the
//! endpoint is down, and the Slack payload shape.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::temp_dir;
use palisade_watch::notify::{self, Notifier, Webhook, WebhookKind, SLACK_SECTION_LIMIT};
use palisade_watch::{detect_reader, Alert, Config, Store};
use serde_json::Value;

#[derive(Debug)]
struct Req {
    at: Instant,
    body: Value,
    status: u16,
}

/// Reads one HTTP/1.1 request (headers and a Content-Length body).
fn read_request(s: &mut TcpStream) -> Option<Vec<u8>> {
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let header_end = loop {
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).to_ascii_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < header_end + len {
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(buf[header_end..].to_vec())
}

/// Serves `script` (status, extra header) in order, then 200s, on `listener`,
/// until `max` requests or `timeout`.
fn serve(
    listener: TcpListener,
    script: Vec<(u16, Option<&'static str>)>,
    max: usize,
    timeout: Duration,
) -> JoinHandle<Vec<Req>> {
    std::thread::spawn(move || {
        let mut reqs = Vec::new();
        let deadline = Instant::now() + timeout;
        listener.set_nonblocking(true).expect("nonblocking");
        while reqs.len() < max && Instant::now() < deadline {
            match listener.accept() {
                Ok((mut s, _)) => {
                    let _ = s.set_nonblocking(false);
                    let Some(body) = read_request(&mut s) else {
                        continue;
                    };
                    let (status, extra) = script.get(reqs.len()).copied().unwrap_or((200, None));
                    let reason = match status {
                        200 => "OK",
                        429 => "Too Many Requests",
                        _ => "Error",
                    };
                    let text = if status == 200 { "ok" } else { "no" };
                    let extra = extra.map(|h| format!("{h}\r\n")).unwrap_or_default();
                    let resp = format!(
                        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n{text}",
                        text.len()
                    );
                    let _ = s.write_all(resp.as_bytes());
                    reqs.push(Req {
                        at: Instant::now(),
                        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
                        status,
                    });
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
        reqs
    })
}

fn local_listener() -> TcpListener {
    TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1")
}

fn alerts(n: usize) -> Vec<Alert> {
    let text: String = (0..n)
        .map(|i| {
            format!(
                r#"{{"eventVersion":"1.08","eventSource":"cloudtrail.amazonaws.com","eventName":"DeleteTrail","eventTime":"2024-05-01T10:00:{i:02}Z","eventID":"ev-{i}","readOnly":false,"sourceIPAddress":"203.0.113.7","userAgent":"<!channel> `curl`","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/mallory","userName":"mallory"}}}}"#
            ) + "\n"
        })
        .collect();
    let cfg = Config {
        disabled_rules: ["PAL-D001".to_owned()].into_iter().collect(),
        ..Config::default()
    };
    detect_reader("trail.jsonl", text.as_bytes(), &cfg).alerts
}

fn queue(store: &mut Store, hooks: &[Webhook], alerts: &[Alert]) {
    store.begin().expect("begin");
    let refs: Vec<(String, &Alert)> = alerts.iter().map(|a| (a.key(), a)).collect();
    notify::enqueue(store, hooks, &refs, notify::now_ms()).expect("enqueue");
    store.commit().expect("commit");
}

fn hook(kind: WebhookKind, port: u16, interval_ms: u64, batch: usize) -> Webhook {
    let mut h =
        Webhook::new(kind, &format!("http://127.0.0.1:{port}/hook/T000/SECRET")).expect("url");
    h.min_interval = Duration::from_millis(interval_ms);
    h.batch = batch;
    h
}

#[test]
fn retries_with_backoff_then_honours_retry_after_and_the_rate_limit() {
    let dir = temp_dir("notify-retry");
    let listener = local_listener();
    let port = listener.local_addr().expect("addr").port();
    let server = serve(
        listener,
        vec![(500, None), (503, None), (429, Some("Retry-After: 1"))],
        5,
        Duration::from_secs(20),
    );
    let hooks = vec![hook(WebhookKind::Json, port, 100, 2)];
    let mut store = Store::open(&dir.join("w.db")).expect("store");
    let three = alerts(3);
    assert_eq!(three.len(), 3);
    queue(&mut store, &hooks, &three);

    let mut n = Notifier::new(hooks);
    n.base_backoff = Duration::from_millis(50);
    let d = n
        .deliver(&mut store, Instant::now() + Duration::from_secs(15))
        .expect("deliver");
    assert_eq!((d.delivered, d.pending), (3, 0), "{d:?}");
    assert_eq!((d.failed, d.rate_limited, d.messages), (2, 1, 2));
    let reqs = server.join().expect("server");
    let statuses: Vec<u16> = reqs.iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![500, 503, 429, 200, 200]);
    // Never faster than the rate limit; the 429 is honoured for its Retry-After.
    for w in reqs.windows(2) {
        assert!(w[1].at.duration_since(w[0].at) >= Duration::from_millis(90));
    }
    assert!(reqs[3].at.duration_since(reqs[2].at) >= Duration::from_millis(950));
    // Each alert delivered exactly once, with its key.
    let mut keys: Vec<String> = reqs
        .iter()
        .filter(|r| r.status == 200)
        .flat_map(|r| r.body["alerts"].as_array().cloned().unwrap_or_default())
        .map(|a| a["key"].as_str().unwrap_or("").to_owned())
        .collect();
    keys.sort();
    let mut want: Vec<String> = three.iter().map(Alert::key).collect();
    want.sort();
    assert_eq!(keys, want);
    assert_eq!(reqs[0].body["source"], "palisade");
}

#[test]
fn alerts_wait_in_the_outbox_while_the_endpoint_is_down_and_survive_a_restart() {
    let dir = temp_dir("notify-down");
    let db = dir.join("w.db");
    // A port with nothing listening: connections are refused.
    let port = {
        let l = local_listener();
        l.local_addr().expect("addr").port()
    };
    let hooks = vec![hook(WebhookKind::Slack, port, 10, 10)];
    let two = alerts(2);
    {
        let mut store = Store::open(&db).expect("store");
        queue(&mut store, &hooks, &two);
        let mut n = Notifier::new(hooks.clone());
        n.base_backoff = Duration::from_millis(20);
        let d = n
            .deliver(&mut store, Instant::now() + Duration::from_millis(300))
            .expect("deliver");
        assert_eq!(d.delivered, 0);
        assert_eq!(d.pending, 2);
        assert!(d.failed >= 1);
        assert!(
            d.last_error
                .as_deref()
                .is_some_and(|e| !e.contains("SECRET")),
            "{d:?}"
        );
    }
    // The endpoint comes back; a new process delivers what was queued.
    let listener = (0..50)
        .find_map(|_| {
            TcpListener::bind(("127.0.0.1", port)).ok().or_else(|| {
                std::thread::sleep(Duration::from_millis(20));
                None
            })
        })
        .expect("rebind the port");
    let server = serve(listener, Vec::new(), 1, Duration::from_secs(20));
    let mut store = Store::open(&db).expect("reopen");
    assert_eq!(store.pending().expect("pending")[0].1, 2);
    let mut n = Notifier::new(hooks);
    n.base_backoff = Duration::from_millis(20);
    n.max_backoff = Duration::from_millis(200);
    let d = n
        .deliver(&mut store, Instant::now() + Duration::from_secs(10))
        .expect("deliver");
    assert_eq!((d.delivered, d.pending), (2, 0), "{d:?}");
    let reqs = server.join().expect("server");
    assert_eq!(reqs.len(), 1);
    // Slack shape: fallback text, a header and one section per alert, escaped.
    let body = &reqs[0].body;
    assert!(body["text"]
        .as_str()
        .is_some_and(|t| t.contains("2 new alerts")));
    let blocks = body["blocks"].as_array().expect("blocks");
    assert!(blocks.len() <= 50);
    let sections: Vec<&str> = blocks
        .iter()
        .filter(|b| b["type"] == "section")
        .filter_map(|b| b["text"]["text"].as_str())
        .collect();
    assert_eq!(sections.len(), 2);
    for s in sections {
        assert!(s.chars().count() <= SLACK_SECTION_LIMIT);
        assert!(s.contains("PAL-D008"));
        assert!(!s.contains("<!channel>"), "{s}");
    }
}

#[test]
fn nothing_is_sent_without_webhooks() {
    let mut store = Store::open_in_memory().expect("store");
    queue(&mut store, &[], &alerts(2));
    assert!(store.pending().expect("pending").is_empty());
    let mut n = Notifier::new(Vec::new());
    let d = n
        .deliver(&mut store, Instant::now() + Duration::from_secs(1))
        .expect("deliver");
    assert_eq!(d, notify::Delivery::default());
}
