//! Alert notifications: Slack-compatible incoming webhooks and a generic JSON webhook.
//!
//! Alerts are queued in the outbox table of the [`Store`] (in the same transaction
//! as the records that raised them) and delivered from there, so an alert is not
//! lost while an endpoint is down: it is retried with exponential back-off
//! (1 s, 2 s, 4 s, ... up to [`Notifier::max_backoff`]) until it is accepted.
//! Each webhook gets at most one message per `min_interval` (1 s by default, the
//! Slack limit), with up to `batch` alerts per message; a 429 answer defers the
//! messages by its `Retry-After` without counting an attempt.
//!
//! Delivery is at least once: an alert whose delivery succeeded just before a
//! crash (before it was marked delivered) is sent again after the restart. The
//! generic payload carries each alert's stable `key` so receivers can drop repeats.
//!
//! Slack payloads are `{"text": ..., "blocks": [...]}` with one section per alert
//! (section text at most 3,000 characters, at most 50 blocks); text taken from
//! log records is escaped (`&`, `<`, `>`) so it cannot form links or mentions.
//!
//! No connection is opened unless a webhook is configured.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Value};

use crate::error::Error;
use crate::report::Alert;
use crate::store::{OutboxItem, Store};

/// The Slack limit on a section's text.
pub const SLACK_SECTION_LIMIT: usize = 3000;
/// The Slack limit on a header's text.
const SLACK_HEADER_LIMIT: usize = 150;
/// At most this many alerts in one message (a Slack message has at most 50 blocks:
/// one header, then a section and a divider per alert).
pub const MAX_BATCH: usize = 20;

/// The payload style of a webhook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookKind {
    /// A Slack (or Mattermost, Rocket.Chat, ...) incoming webhook.
    Slack,
    /// `{"source":"palisade","alerts":[{"key":..., <alert>}]}`.
    Json,
}

/// A webhook to notify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Webhook {
    /// The payload style.
    pub kind: WebhookKind,
    /// The URL (a secret: it is never stored or printed; see [`Webhook::sink_id`]).
    pub url: String,
    /// At least this long between two messages.
    pub min_interval: Duration,
    /// At most this many alerts per message.
    pub batch: usize,
}

fn fnv1a(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in data {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

impl Webhook {
    /// A webhook with the default pacing (1 message/s, up to 10 alerts each).
    pub fn new(kind: WebhookKind, url: &str) -> Result<Webhook, Error> {
        let lower = url.to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://")) {
            return Err(Error::Invalid(format!(
                "webhook URL must start with https:// or http:// (got '{}')",
                redact_url(url)
            )));
        }
        Ok(Webhook {
            kind,
            url: url.to_owned(),
            min_interval: Duration::from_secs(1),
            batch: 10,
        })
    }

    /// The name of this webhook in the outbox: its kind and a hash of its URL.
    pub fn sink_id(&self) -> String {
        let kind = match self.kind {
            WebhookKind::Slack => "slack",
            WebhookKind::Json => "json",
        };
        format!("{kind}:{:016x}", fnv1a(self.url.as_bytes()))
    }

    /// The URL without its path (for messages to people).
    pub fn display(&self) -> String {
        redact_url(&self.url)
    }
}

/// Scheme and host of a URL, the rest (which holds the secret) elided.
pub fn redact_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            let host = host.rsplit('@').next().unwrap_or(host);
            format!("{scheme}://{host}/…")
        }
        None => "…".to_owned(),
    }
}

/// Escapes text for Slack mrkdwn (`&`, `<`, `>`), so record contents cannot form
/// links or `<!channel>` mentions; backticks become a look-alike so they cannot
/// close a code span.
pub fn slack_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '`' => out.push('\u{02CB}'),
            c => out.push(c),
        }
    }
    out
}

/// Cuts `s` to at most `max` characters, marking the cut with `…`.
pub fn truncate_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn field<'a>(a: &'a Value, k: &str) -> Option<&'a str> {
    a.get(k).and_then(Value::as_str)
}

/// The section text of one alert (given as its JSON), at most 3,000 characters.
pub fn slack_section_text(a: &Value) -> String {
    let sev = field(a, "severity")
        .unwrap_or("medium")
        .to_ascii_uppercase();
    let rule = field(a, "rule").unwrap_or("?");
    let title = field(a, "title").unwrap_or("");
    let mut head = format!(
        "*[{}] {}: {}*",
        slack_escape(&sev),
        slack_escape(rule),
        slack_escape(title)
    );
    let mut line = |label: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            head.push_str(&format!("\n*{label}:* {}", slack_escape(&v)));
        }
    };
    line("Who", field(a, "actor").map(str::to_owned));
    line("From", field(a, "source_ip").map(str::to_owned));
    line("When", field(a, "time").map(str::to_owned));
    let loc = a.get("location").map(|l| {
        format!(
            "{}:{}",
            l.get("file").and_then(Value::as_str).unwrap_or("?"),
            l.get("line").and_then(Value::as_u64).unwrap_or(0)
        )
    });
    line("Record", loc);
    let practices: Vec<&str> = a
        .get("practices")
        .and_then(Value::as_array)
        .map(|p| p.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    line("Practices", Some(practices.join(", ")));
    let evidence = a
        .get("evidence")
        .map(|e| serde_json::to_string(e).unwrap_or_default())
        .unwrap_or_default();
    let used = head.chars().count();
    // "\n```" + evidence + "```"
    let room = SLACK_SECTION_LIMIT.saturating_sub(used + 8);
    if !evidence.is_empty() && room > 20 {
        head.push_str("\n```");
        head.push_str(&truncate_chars(&slack_escape(&evidence), room));
        head.push_str("```");
    }
    truncate_chars(&head, SLACK_SECTION_LIMIT)
}

/// The Slack payload for alerts (given as JSON).
pub fn slack_payload(alerts: &[Value]) -> Value {
    let n = alerts.len();
    let top = alerts
        .iter()
        .filter_map(|a| field(a, "severity"))
        .max_by_key(|s| severity_rank(s))
        .unwrap_or("medium")
        .to_ascii_uppercase();
    let text = match alerts {
        [one] => format!(
            "palisade [{}] {}: {}",
            field(one, "severity")
                .unwrap_or("medium")
                .to_ascii_uppercase(),
            field(one, "rule").unwrap_or("?"),
            field(one, "title").unwrap_or("")
        ),
        _ => format!("palisade: {n} new alerts (highest {top})"),
    };
    let mut blocks = vec![json!({
        "type": "header",
        "text": {"type": "plain_text", "text": truncate_chars(&text, SLACK_HEADER_LIMIT), "emoji": false}
    })];
    for a in alerts.iter().take(MAX_BATCH) {
        blocks.push(json!({
            "type": "section",
            "text": {"type": "mrkdwn", "text": slack_section_text(a)}
        }));
        blocks.push(json!({"type": "divider"}));
    }
    blocks.pop();
    json!({"text": slack_escape(&truncate_chars(&text, 3000)), "blocks": blocks})
}

fn severity_rank(s: &str) -> u8 {
    match s {
        "critical" => 4,
        "high" => 3,
        "medium" => 2,
        "low" => 1,
        _ => 0,
    }
}

/// The generic JSON payload: `{"source":"palisade","alerts":[{"key":..., <alert fields>}]}`.
pub fn json_payload(items: &[(String, Value)]) -> Value {
    let alerts: Vec<Value> = items
        .iter()
        .map(|(key, a)| {
            let mut m = Map::new();
            m.insert("key".to_owned(), Value::String(key.clone()));
            if let Value::Object(fields) = a {
                for (k, v) in fields {
                    m.insert(k.clone(), v.clone());
                }
            }
            Value::Object(m)
        })
        .collect();
    json!({"source": "palisade", "alerts": alerts})
}

/// Queues new alerts for every webhook (inside the caller's transaction).
pub fn enqueue(
    store: &mut Store,
    hooks: &[Webhook],
    alerts: &[(String, &Alert)],
    now_ms: i64,
) -> Result<(), Error> {
    if hooks.is_empty() {
        return Ok(());
    }
    for (key, alert) in alerts {
        let json = serde_json::to_string(alert).map_err(|e| Error::Store(e.to_string()))?;
        for h in hooks {
            store.enqueue(&h.sink_id(), key, &json, now_ms)?;
        }
    }
    Ok(())
}

/// The current time in epoch milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// What one delivery round did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Messages accepted.
    pub messages: u64,
    /// Alerts delivered.
    pub delivered: u64,
    /// Failed attempts (retried later).
    pub failed: u64,
    /// 429 answers.
    pub rate_limited: u64,
    /// Alerts still waiting when the round ended.
    pub pending: u64,
    /// The last error seen, if any.
    pub last_error: Option<String>,
}

struct HookState {
    hook: Webhook,
    sink: String,
    last_sent: Option<Instant>,
    /// After a 429: nothing is sent to this webhook before then.
    paused_until: Option<Instant>,
}

/// Delivers queued alerts to webhooks.
pub struct Notifier {
    agent: ureq::Agent,
    hooks: Vec<HookState>,
    /// The first retry waits this long; each further one twice as long.
    pub base_backoff: Duration,
    /// Retries wait at most this long.
    pub max_backoff: Duration,
}

enum Outcome {
    Delivered,
    RateLimited(Duration),
    Failed(String),
}

fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(s) = v.parse::<u64>() {
        return Some(Duration::from_secs(s.min(3600)));
    }
    v.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite() && *f >= 0.0)
        .map(|f| Duration::from_millis((f.min(3600.0) * 1000.0) as u64))
}

impl Notifier {
    /// A notifier for these webhooks (HTTP timeouts: 10 s to connect, 30 s in all).
    pub fn new(hooks: Vec<Webhook>) -> Notifier {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(30)))
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(concat!("palisade/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Notifier {
            agent,
            hooks: hooks
                .into_iter()
                .map(|hook| HookState {
                    sink: hook.sink_id(),
                    hook,
                    last_sent: None,
                    paused_until: None,
                })
                .collect(),
            base_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(600),
        }
    }

    /// The configured webhooks.
    pub fn webhooks(&self) -> impl Iterator<Item = &Webhook> {
        self.hooks.iter().map(|h| &h.hook)
    }

    fn backoff(&self, attempts: u32) -> Duration {
        let factor = 1u32.checked_shl(attempts.min(20)).unwrap_or(u32::MAX);
        self.base_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }

    fn post(&self, hook: &Webhook, body: &str) -> Outcome {
        let resp = self
            .agent
            .post(&hook.url)
            .header("Content-Type", "application/json")
            .send(body);
        match resp {
            Ok(mut r) => {
                let status = r.status().as_u16();
                let retry_after = r
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(parse_retry_after);
                // Read (a bounded part of) the body so the connection can be reused.
                let text = r
                    .body_mut()
                    .with_config()
                    .limit(64 * 1024)
                    .read_to_string()
                    .unwrap_or_default();
                match status {
                    200..=299 => Outcome::Delivered,
                    429 => Outcome::RateLimited(retry_after.unwrap_or(Duration::from_secs(1))),
                    _ => Outcome::Failed(format!(
                        "HTTP {status} from {}: {}",
                        hook.display(),
                        truncate_chars(text.trim(), 200)
                    )),
                }
            }
            Err(e) => Outcome::Failed(format!("{}: {e}", hook.display())),
        }
    }

    fn payload(hook: &Webhook, items: &[OutboxItem]) -> String {
        let alerts: Vec<(String, Value)> = items
            .iter()
            .map(|i| {
                (
                    i.key.clone(),
                    serde_json::from_str(&i.alert).unwrap_or(Value::Null),
                )
            })
            .collect();
        let v = match hook.kind {
            WebhookKind::Slack => {
                let vals: Vec<Value> = alerts.into_iter().map(|(_, a)| a).collect();
                slack_payload(&vals)
            }
            WebhookKind::Json => json_payload(&alerts),
        };
        v.to_string()
    }

    /// Sends what is due until nothing is left or `deadline` passes; waits (sleeps)
    /// for rate limits and back-off only while the deadline allows.
    pub fn deliver(&mut self, store: &mut Store, deadline: Instant) -> Result<Delivery, Error> {
        let mut stats = Delivery::default();
        loop {
            let mut sent_any = false;
            let mut wait: Option<Duration> = None;
            for i in 0..self.hooks.len() {
                let now_i = Instant::now();
                if let Some(until) = self.hooks[i].paused_until {
                    if now_i < until {
                        let w = until - now_i;
                        wait = Some(wait.map_or(w, |x| x.min(w)));
                        continue;
                    }
                }
                if let Some(last) = self.hooks[i].last_sent {
                    let since = now_i.duration_since(last);
                    if since < self.hooks[i].hook.min_interval {
                        let w = self.hooks[i].hook.min_interval - since;
                        wait = Some(wait.map_or(w, |x| x.min(w)));
                        continue;
                    }
                }
                let now = now_ms();
                let batch = self.hooks[i].hook.batch.clamp(1, MAX_BATCH);
                let due = store.due(&self.hooks[i].sink, now, batch)?;
                if due.is_empty() {
                    if let Some(next) = store.next_due_ms(&self.hooks[i].sink)? {
                        let w = Duration::from_millis(u64::try_from(next - now).unwrap_or(0));
                        wait = Some(wait.map_or(w, |x| x.min(w)));
                    }
                    continue;
                }
                let body = Self::payload(&self.hooks[i].hook, &due);
                let outcome = self.post(&self.hooks[i].hook, &body);
                self.hooks[i].last_sent = Some(Instant::now());
                sent_any = true;
                let ids: Vec<i64> = due.iter().map(|d| d.id).collect();
                let now = now_ms();
                match outcome {
                    Outcome::Delivered => {
                        store.mark_delivered(&ids, now)?;
                        stats.messages += 1;
                        stats.delivered += ids.len() as u64;
                    }
                    Outcome::RateLimited(after) => {
                        self.hooks[i].paused_until = Some(Instant::now() + after);
                        let next = now
                            .saturating_add(i64::try_from(after.as_millis()).unwrap_or(i64::MAX));
                        store.defer(&ids, next, "HTTP 429 (rate limited)")?;
                        stats.rate_limited += 1;
                    }
                    Outcome::Failed(err) => {
                        let attempts = due.iter().map(|d| d.attempts).max().unwrap_or(0);
                        let b = self.backoff(attempts);
                        let next =
                            now.saturating_add(i64::try_from(b.as_millis()).unwrap_or(i64::MAX));
                        store.mark_failed(&ids, next, &err)?;
                        stats.failed += 1;
                        stats.last_error = Some(err);
                    }
                }
            }
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            if !sent_any {
                match wait {
                    None => break,
                    Some(w) => {
                        let left = deadline - now;
                        if w > left {
                            break;
                        }
                        std::thread::sleep(w.max(Duration::from_millis(5)));
                    }
                }
            }
        }
        stats.pending = store.pending()?.iter().map(|(_, n)| n).sum();
        Ok(stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_text_is_escaped_and_bounded() {
        let a = json!({
            "rule": "PAL-D001", "title": "Infra <changed>", "severity": "high",
            "actor": "<!channel> & `x`", "practices": ["MON-05"],
            "location": {"file": "f.json", "line": 3},
            "evidence": {"big": "y".repeat(10_000)}
        });
        let t = slack_section_text(&a);
        assert!(t.chars().count() <= SLACK_SECTION_LIMIT);
        assert!(t.contains("&lt;!channel&gt; &amp; \u{02CB}x\u{02CB}"));
        assert!(!t.contains("<!channel>"));
        let p = slack_payload(&[a.clone(), a]);
        let blocks = p["blocks"].as_array().map_or(0, Vec::len);
        assert_eq!(blocks, 4); // header, section, divider, section
        assert!(p["text"]
            .as_str()
            .is_some_and(|s| s.contains("2 new alerts")));
    }

    #[test]
    fn retry_after_and_urls() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("0.5"), Some(Duration::from_millis(500)));
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(
            redact_url("https://hooks.slack.com/services/T000/B000/XXXX"),
            "https://hooks.slack.com/…"
        );
        assert!(Webhook::new(WebhookKind::Json, "ftp://x").is_err());
        let n = Notifier::new(Vec::new());
        assert_eq!(n.backoff(0), Duration::from_secs(1));
        assert_eq!(n.backoff(3), Duration::from_secs(8));
        assert_eq!(n.backoff(30), Duration::from_secs(600));
    }
}
