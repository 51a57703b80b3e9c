//! `palisade detect` (one run over logs) and `palisade watch` (follow a directory).

use crate::exit;
use clap::Args;
use palisade_watch::blocklist::{build_blocklist_weighted, offenders, Blocklist};
use palisade_watch::notify::{self, Notifier, Webhook, WebhookKind};
use palisade_watch::{
    lambda, parse_cidr, parse_cidrs, read, BlocklistOptions, Burst, Config, IpSetRef, MemoryState,
    Report, RuleSet, Scope, State, Store, WatchOptions, Watcher,
};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const EXIT_HELP: &str = "\
Exit status:
  0  no alerts
  1  alerts were raised
  2  usage error, or an input error: an input could not be opened or read, a
     gzip stream was corrupt, a JSON structure was broken or a file's format
     was not recognized (the rest of that input was skipped; everything else
     was still read and reported), a rules path could not be read, a blocklist
     could not be written, or notifications could not be delivered.
     Takes precedence over 1.
Malformed records (one bad line or record inside a readable file) are counted
in the summary and listed, and do not change the exit status unless --strict
is given, which makes them exit 2 too.";

/// Detection settings shared by `detect` and `watch` (the `palisade.toml` `[detect]` options).
#[derive(Args, Debug, Clone)]
pub struct RuleArgs {
    /// Sigma rule file or directory of `.yml` rules (repeatable). SigmaHQ CloudTrail
    /// rules run as they are; rules palisade cannot run are listed as skipped.
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Do not run the built-in detections PAL-D001..PAL-D015.
    #[arg(long)]
    pub no_builtins: bool,
    /// Do not run this rule (built-in id or Sigma id; repeatable).
    #[arg(long = "disable-rule", value_name = "RULE")]
    pub disabled: Vec<String>,
    /// A CI/CD pipeline principal whose changes are expected (PAL-D001): an ARN,
    /// `*` wildcards allowed, matched against the caller and the role behind a session (repeatable).
    #[arg(long = "pipeline-role", value_name = "ARN")]
    pub pipeline_roles: Vec<String>,
    /// A write event PAL-D001 ignores, as an `eventSource:eventName` glob, added to the defaults (repeatable).
    #[arg(long = "infra-change-ignore", value_name = "SOURCE:NAME")]
    pub infra_change_ignore: Vec<String>,
    /// A network the organisation uses (PAL-D006: instance credentials used from
    /// elsewhere alert); a CIDR or an address (repeatable).
    #[arg(long = "known-cidr", value_name = "CIDR")]
    pub known_cidrs: Vec<String>,
    /// A known network of one account (NAT gateway addresses, ...), `ACCOUNT=CIDR[,CIDR]` (repeatable).
    #[arg(long = "account-cidr", value_name = "ACCOUNT=CIDR")]
    pub account_cidrs: Vec<String>,
    /// Calls a principal must have made before a new source IP or user agent alerts (PAL-D005).
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub history_min_observations: u64,
    /// 4XX/5XX ALB responses to one client that make a burst (PAL-D014).
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub alb_burst_threshold: usize,
    /// The sliding window of PAL-D014, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub alb_burst_window: u64,
    /// WAF BLOCK actions for one client that make a burst (PAL-D015).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub waf_burst_threshold: usize,
    /// The sliding window of PAL-D015, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub waf_burst_window: u64,
}

/// Where alerts are sent.
#[derive(Args, Debug, Clone)]
pub struct NotifyArgs {
    /// A Slack-compatible incoming webhook URL (repeatable; also PALISADE_SLACK_WEBHOOK,
    /// which keeps the URL out of the process list).
    #[arg(long = "slack-webhook", value_name = "URL")]
    pub slack: Vec<String>,
    /// A generic JSON webhook URL, posted `{"source":"palisade","alerts":[{"key":..,..}]}`
    /// (repeatable; also PALISADE_WEBHOOK).
    #[arg(long = "webhook", value_name = "URL")]
    pub json: Vec<String>,
    /// At least this many milliseconds between two messages to one webhook.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    pub notify_interval_ms: u64,
    /// At most this many alerts per message (1-20).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub notify_batch: usize,
}

/// Blocklist output (MON-07: clients behind bursts of errors or WAF blocks).
#[derive(Args, Debug, Clone)]
pub struct BlockArgs {
    /// Write the blocklist to FILE. With `wafv2`, FILE gets the IPv4 `UpdateIPSet`
    /// request body and FILE with `.ipv6` before its extension the IPv6 one (needs
    /// --ipv6-set-name/--ipv6-set-id); with `plain`, one CIDR per line.
    #[arg(long, value_name = "FILE")]
    pub blocklist: Option<PathBuf>,
    /// The blocklist format.
    #[arg(long, value_name = "FORMAT", default_value = "wafv2", value_parser = ["wafv2", "plain"])]
    pub blocklist_format: String,
    /// The IPv4 WAFv2 IP set's name.
    #[arg(long, value_name = "NAME")]
    pub ip_set_name: Option<String>,
    /// The IPv4 WAFv2 IP set's id.
    #[arg(long, value_name = "ID")]
    pub ip_set_id: Option<String>,
    /// The IPv4 set's lock token (from `aws wafv2 get-ip-set`).
    #[arg(long, value_name = "TOKEN")]
    pub lock_token: Option<String>,
    /// The IPv6 WAFv2 IP set's name.
    #[arg(long, value_name = "NAME")]
    pub ipv6_set_name: Option<String>,
    /// The IPv6 WAFv2 IP set's id.
    #[arg(long, value_name = "ID")]
    pub ipv6_set_id: Option<String>,
    /// The IPv6 set's lock token.
    #[arg(long, value_name = "TOKEN")]
    pub ipv6_lock_token: Option<String>,
    /// The IP sets' scope.
    #[arg(long, value_name = "SCOPE", default_value = "REGIONAL", value_parser = ["REGIONAL", "CLOUDFRONT"])]
    pub scope: String,
    /// Never block addresses in this network (repeatable).
    #[arg(long = "allow", value_name = "CIDR")]
    pub allow: Vec<String>,
    /// A file of addresses already in the IP sets (one per line, as `get-ip-set` lists
    /// them): kept first, since `UpdateIPSet` replaces the whole list.
    #[arg(long, value_name = "FILE")]
    pub existing: Option<PathBuf>,
    /// How long a blocked client stays listed (seconds; with --state / in watch mode).
    #[arg(long, value_name = "SECONDS", default_value_t = 86_400)]
    pub block_ttl: u64,
}

/// `palisade detect`.
#[derive(Args, Debug)]
#[command(after_help = EXIT_HELP)]
pub struct DetectArgs {
    /// Log files or directories (CloudTrail, ALB, WAF, VPC flow, EKS audit; gzip or not;
    /// `-` for standard input). The format is recognized from the content.
    #[arg(value_name = "PATH", required_unless_present = "lambda_event")]
    pub paths: Vec<PathBuf>,
    /// Output format: `text` for people, `json` (`{"summary":..,"alerts":[..],"malformed":[..]}`),
    /// `jsonl` (one alert per line, for SIEMs).
    #[arg(long, short, default_value = "text", value_parser = ["text", "json", "jsonl"])]
    pub format: String,
    /// Pretty-print `json`.
    #[arg(long)]
    pub pretty: bool,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Malformed records make the exit status 2.
    #[arg(long)]
    pub strict: bool,
    /// Keep history (PAL-D005), sent alerts, the outbox and the blocklist in this SQLite
    /// database between runs (default: nothing is kept).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Run as a Lambda handler: read an S3, SNS-wrapped S3, SQS or EventBridge S3
    /// event from FILE (`-`: standard input) and process the objects it names.
    #[arg(long, value_name = "EVENT.json", requires = "source_root")]
    pub lambda_event: Option<PathBuf>,
    /// With --lambda-event: the local copy of the buckets, `s3://bucket/key` being `DIR/bucket/key`.
    #[arg(long, value_name = "DIR")]
    pub source_root: Option<PathBuf>,
    /// How long to keep trying to deliver notifications before giving up (seconds).
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub notify_timeout: u64,
    /// Only read and parse the inputs (for benchmarks).
    #[arg(long, hide = true)]
    pub parse_only: bool,
    #[command(flatten)]
    pub rules: RuleArgs,
    #[command(flatten)]
    pub notify: NotifyArgs,
    #[command(flatten)]
    pub block: BlockArgs,
}

/// `palisade watch`.
#[derive(Args, Debug)]
#[command(after_help = "\
Files are read once they have stopped changing for --settle-ms; each batch of
records, the alerts it raised and the file position commit together in the state
database, so after a crash or restart the run goes on where it stopped: every
alert is written to --output exactly once and queued once for each webhook
(webhook delivery is at least once: the generic payload carries a stable `key`).

Exit status (with --once): 0 no new alerts, 1 new alerts, 2 input or state errors.")]
pub struct WatchArgs {
    /// Directories (or files) to follow.
    #[arg(value_name = "DIR", required = true)]
    pub dirs: Vec<PathBuf>,
    /// The state database.
    #[arg(long, value_name = "FILE", default_value = ".palisade/watch.db")]
    pub state: PathBuf,
    /// How new alerts are printed on standard output: `text`, `jsonl` or `none`.
    #[arg(long, short, default_value = "text", value_parser = ["text", "jsonl", "none"])]
    pub format: String,
    /// Append every new alert to FILE as a JSON line, exactly once across restarts.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Milliseconds between two looks at the directories.
    #[arg(long, value_name = "MS", default_value_t = 5000)]
    pub poll_ms: u64,
    /// A file is read once unchanged for this many milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 2000)]
    pub settle_ms: u64,
    /// Records per transaction.
    #[arg(long, value_name = "N", default_value_t = 5000)]
    pub batch: usize,
    /// Read what is there, deliver notifications (up to --notify-timeout), and exit.
    #[arg(long)]
    pub once: bool,
    /// With --once: how long to keep trying to deliver notifications (seconds).
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub notify_timeout: u64,
    #[command(flatten)]
    pub rules: RuleArgs,
    #[command(flatten)]
    pub notify: NotifyArgs,
    #[command(flatten)]
    pub block: BlockArgs,
}

fn config(args: &RuleArgs) -> Result<Config, String> {
    let mut sigma = RuleSet::new();
    for path in &args.rules {
        sigma.load_path(path).map_err(|e| format!("--rules: {e}"))?;
    }
    let mut cfg = Config {
        sigma,
        builtins: !args.no_builtins,
        disabled_rules: args.disabled.iter().cloned().collect(),
        pipeline_roles: args.pipeline_roles.clone(),
        known_cidrs: parse_cidrs(&args.known_cidrs).map_err(|e| format!("--known-cidr: {e}"))?,
        history_min_observations: args.history_min_observations,
        alb_burst: Burst {
            threshold: args.alb_burst_threshold.max(1),
            window_secs: args.alb_burst_window,
        },
        waf_burst: Burst {
            threshold: args.waf_burst_threshold.max(1),
            window_secs: args.waf_burst_window,
        },
        ..Config::default()
    };
    cfg.infra_change_ignore
        .extend(args.infra_change_ignore.iter().cloned());
    let mut accounts: BTreeMap<String, Vec<_>> = BTreeMap::new();
    for item in &args.account_cidrs {
        let (acct, cidrs) = item
            .split_once('=')
            .ok_or_else(|| format!("--account-cidr expects ACCOUNT=CIDR, got `{item}`"))?;
        for c in cidrs.split(',').filter(|c| !c.trim().is_empty()) {
            let net = parse_cidr(c).map_err(|e| format!("--account-cidr: {e}"))?;
            accounts
                .entry(acct.trim().to_owned())
                .or_default()
                .push(net);
        }
    }
    cfg.account_cidrs = accounts;
    Ok(cfg)
}

fn webhooks(args: &NotifyArgs) -> Result<Vec<Webhook>, String> {
    let mut slack = args.slack.clone();
    let mut json = args.json.clone();
    if let Ok(u) = std::env::var("PALISADE_SLACK_WEBHOOK") {
        if !u.trim().is_empty() {
            slack.push(u.trim().to_owned());
        }
    }
    if let Ok(u) = std::env::var("PALISADE_WEBHOOK") {
        if !u.trim().is_empty() {
            json.push(u.trim().to_owned());
        }
    }
    let mut hooks = Vec::new();
    for (kind, urls) in [(WebhookKind::Slack, slack), (WebhookKind::Json, json)] {
        for u in urls {
            let mut h = Webhook::new(kind, &u).map_err(|e| e.to_string())?;
            h.min_interval = Duration::from_millis(args.notify_interval_ms);
            h.batch = args.notify_batch.clamp(1, notify::MAX_BATCH);
            hooks.push(h);
        }
    }
    Ok(hooks)
}

fn write_out(path: Option<&Path>, bytes: &[u8]) -> Result<(), String> {
    match path {
        Some(p) => {
            std::fs::write(p, bytes).map_err(|e| format!("cannot write {}: {e}", p.display()))
        }
        None => {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(bytes).and_then(|()| out.flush());
            Ok(())
        }
    }
}

/// The text report for people.
pub fn render_text(report: &Report, out: &mut Vec<u8>) {
    let s = &report.summary;
    for a in &report.alerts {
        let _ = writeln!(
            out,
            "{:<9} {:<10} {}",
            a.severity.to_ascii_uppercase(),
            a.rule,
            a.title
        );
        let mut who = String::new();
        if let Some(t) = &a.time {
            who.push_str(t);
        }
        if let Some(actor) = &a.actor {
            who.push_str(&format!("  by {actor}"));
        }
        if let Some(ip) = &a.source_ip {
            who.push_str(&format!("  from {ip}"));
        }
        if !who.is_empty() {
            let _ = writeln!(out, "{:<20} {who}", "");
        }
        let _ = writeln!(
            out,
            "{:<20} at {}  [{}]",
            "",
            a.location,
            a.practices.join(", ")
        );
    }
    if !report.alerts.is_empty() {
        let _ = writeln!(out);
    }
    for m in &report.malformed {
        let _ = writeln!(out, "malformed: {}:{}: {}", m.file, m.line, m.message);
    }
    for sk in &s.rules.skipped {
        let _ = writeln!(out, "rule skipped: {}: {}", sk.rule, sk.reason);
    }
    let _ = writeln!(
        out,
        "{} records read: {} matched, {} unmatched, {} malformed; {} alerts; {} rules loaded, {} skipped",
        s.records,
        s.matched,
        s.unmatched(),
        s.malformed,
        report.alerts.len(),
        s.rules.loaded,
        s.rules.skipped.len()
    );
}

fn render(report: &Report, format: &str, pretty: bool) -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    match format {
        "json" => report.write_json(&mut buf, pretty),
        "jsonl" => report.write_jsonl(&mut buf),
        _ => {
            render_text(report, &mut buf);
            Ok(())
        }
    }
    .map_err(|e| e.to_string())?;
    Ok(buf)
}

fn read_event(path: &Path) -> Result<serde_json::Value, String> {
    let mut text = String::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read the event from standard input: {e}"))?;
    } else {
        text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    }
    serde_json::from_str(&text).map_err(|e| format!("the event is not JSON: {e}"))
}

fn parse_only(args: &DetectArgs) -> Result<u8, String> {
    let start = Instant::now();
    let (mut records, mut malformed, mut input_errors) = (0u64, 0u64, 0u64);
    read::read_inputs(&args.paths, &mut |item| match item {
        palisade_watch::Item::Record(_) => records += 1,
        palisade_watch::Item::Malformed(m) => {
            records += 1;
            malformed += 1;
            if m.is_input_error() {
                input_errors += 1;
            }
        }
    });
    let secs = start.elapsed().as_secs_f64();
    let line = serde_json::json!({
        "records": records, "malformed": malformed, "seconds": secs,
        "records_per_second": if secs > 0.0 { records as f64 / secs } else { 0.0 },
    });
    write_out(args.output.as_deref(), format!("{line}\n").as_bytes())?;
    Ok(if input_errors > 0 {
        exit::ERROR
    } else {
        exit::CLEAN
    })
}

fn insert_path_suffix(path: &Path, suffix: &str) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match path.extension() {
        Some(ext) => format!("{stem}.{suffix}.{}", ext.to_string_lossy()),
        None => format!("{stem}.{suffix}"),
    };
    path.with_file_name(name)
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let tmp = insert_path_suffix(path, "tmp");
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn block_options(args: &BlockArgs) -> Result<BlocklistOptions, String> {
    let mut opts = BlocklistOptions {
        allow: parse_cidrs(&args.allow).map_err(|e| format!("--allow: {e}"))?,
        ..BlocklistOptions::default()
    };
    if let Some(f) = &args.existing {
        let text = std::fs::read_to_string(f)
            .map_err(|e| format!("--existing: cannot read {}: {e}", f.display()))?;
        opts.existing = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_owned)
            .collect();
    }
    Ok(opts)
}

fn check_block_args(args: &BlockArgs) -> Result<(), String> {
    if args.blocklist.is_some() && args.blocklist_format == "wafv2" {
        for (v, flag) in [
            (&args.ip_set_name, "--ip-set-name"),
            (&args.ip_set_id, "--ip-set-id"),
            (&args.lock_token, "--lock-token"),
        ] {
            if v.is_none() {
                return Err(format!("--blocklist-format wafv2 needs {flag}"));
            }
        }
    }
    Ok(())
}

/// Writes the blocklist files; returns warnings for people.
fn write_blocklist(args: &BlockArgs, list: &Blocklist) -> Result<Vec<String>, String> {
    let Some(path) = &args.blocklist else {
        return Ok(Vec::new());
    };
    let mut warnings = Vec::new();
    if !list.allowlisted.is_empty() {
        warnings.push(format!(
            "not blocked (allow-listed): {}",
            list.allowlisted.join(", ")
        ));
    }
    if !list.over_limit.is_empty() {
        warnings.push(format!(
            "{} addresses did not fit in the IP set",
            list.over_limit.len()
        ));
    }
    if !list.rejected.is_empty() {
        warnings.push(format!(
            "existing entries dropped: {}",
            list.rejected.join(", ")
        ));
    }
    if args.blocklist_format == "plain" {
        write_atomic(path, list.plain_list().as_bytes())?;
        return Ok(warnings);
    }
    let scope = if args.scope == "CLOUDFRONT" {
        Scope::Cloudfront
    } else {
        Scope::Regional
    };
    let v4 = IpSetRef {
        name: args.ip_set_name.clone().unwrap_or_default(),
        id: args.ip_set_id.clone().unwrap_or_default(),
        scope,
        lock_token: args.lock_token.clone().unwrap_or_default(),
    };
    let body = serde_json::to_vec_pretty(&list.update_ip_set_request(&v4, false))
        .map_err(|e| e.to_string())?;
    write_atomic(path, &body)?;
    match (&args.ipv6_set_name, &args.ipv6_set_id) {
        (Some(name), Some(id)) => {
            let v6 = IpSetRef {
                name: name.clone(),
                id: id.clone(),
                scope,
                lock_token: args
                    .ipv6_lock_token
                    .clone()
                    .or_else(|| args.lock_token.clone())
                    .unwrap_or_default(),
            };
            let body = serde_json::to_vec_pretty(&list.update_ip_set_request(&v6, true))
                .map_err(|e| e.to_string())?;
            write_atomic(&insert_path_suffix(path, "ipv6"), &body)?;
        }
        _ if !list.ipv6.is_empty() => warnings.push(format!(
            "{} IPv6 addresses not written: WAFv2 needs a separate IPv6 set (--ipv6-set-name, --ipv6-set-id)",
            list.ipv6.len()
        )),
        _ => {}
    }
    Ok(warnings)
}

fn blocked_weights(store: &Store, now: i64) -> Result<Vec<(std::net::IpAddr, u64)>, String> {
    Ok(store
        .blocked(now)
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter_map(|b| b.ip.parse().ok().map(|ip| (ip, b.weight)))
        .collect())
}

pub fn run_detect(args: DetectArgs) -> Result<u8, String> {
    if args.parse_only {
        return parse_only(&args);
    }
    check_block_args(&args.block)?;
    let cfg = config(&args.rules)?;
    let hooks = webhooks(&args.notify)?;
    let block_opts = block_options(&args.block)?;
    let mut store = match &args.state {
        Some(p) => Some(Store::open(p).map_err(|e| e.to_string())?),
        None if !hooks.is_empty() => Some(Store::open_in_memory().map_err(|e| e.to_string())?),
        None => None,
    };
    let mut refused = Vec::new();
    let mut memory = MemoryState::new();
    if let (Some(s), Some(_)) = (&mut store, &args.state) {
        s.begin().map_err(|e| e.to_string())?;
    }
    let report = {
        let state: &mut dyn State = match (&mut store, &args.state) {
            (Some(s), Some(_)) => s,
            _ => &mut memory,
        };
        if let Some(event) = &args.lambda_event {
            let ev = read_event(event)?;
            let root = args.source_root.clone().unwrap_or_default();
            let outcome =
                lambda::handle_event(&ev, &root, &cfg, state).map_err(|e| e.to_string())?;
            for o in &outcome.objects {
                eprintln!("object: {}", o.url());
            }
            refused = outcome.refused;
            outcome.report
        } else {
            palisade_watch::detect_with_state(&args.paths, &cfg, state)
        }
    };
    let mut code = if report.alerts.is_empty() {
        exit::CLEAN
    } else {
        exit::FINDINGS
    };
    let input_errors = report
        .malformed
        .iter()
        .filter(|m| m.is_input_error())
        .count();
    if input_errors > 0 || !refused.is_empty() || (args.strict && report.summary.malformed > 0) {
        code = exit::ERROR;
    }
    for r in &refused {
        eprintln!("error: {r}");
    }

    // Remember the alerts, queue the new ones, list offenders: one transaction.
    let now = notify::now_ms();
    let ttl = i64::try_from(args.block.block_ttl.saturating_mul(1000)).unwrap_or(i64::MAX);
    let mut blocklist_weights: Vec<(std::net::IpAddr, u64)> =
        offenders(&report.alerts).into_iter().collect();
    if let Some(s) = &mut store {
        s.begin().map_err(|e| e.to_string())?;
        let mut new = Vec::new();
        for a in &report.alerts {
            let key = a.key();
            if s.insert_alert(&key, a, now).map_err(|e| e.to_string())? {
                new.push((key, a));
            }
        }
        notify::enqueue(s, &hooks, &new, now).map_err(|e| e.to_string())?;
        if args.state.is_some() {
            for (ip, w) in &blocklist_weights {
                s.block(&ip.to_string(), "MON-07", *w, now, ttl)
                    .map_err(|e| e.to_string())?;
            }
            s.expire_blocks(now).map_err(|e| e.to_string())?;
            blocklist_weights = blocked_weights(s, now)?;
        }
        s.commit().map_err(|e| e.to_string())?;
    }

    let buf = render(&report, &args.format, args.pretty)?;
    write_out(args.output.as_deref(), &buf)?;
    if args.format != "text" {
        for m in report.malformed.iter().take(20) {
            eprintln!("malformed: {}:{}: {}", m.file, m.line, m.message);
        }
    }

    if args.block.blocklist.is_some() {
        let list = build_blocklist_weighted(blocklist_weights, &block_opts);
        match write_blocklist(&args.block, &list) {
            Ok(w) => w.iter().for_each(|w| eprintln!("blocklist: {w}")),
            Err(e) => {
                eprintln!("error: {e}");
                code = exit::ERROR;
            }
        }
    }

    if let (Some(s), false) = (&mut store, hooks.is_empty()) {
        let mut notifier = Notifier::new(hooks);
        let deadline = Instant::now() + Duration::from_secs(args.notify_timeout);
        let d = notifier.deliver(s, deadline).map_err(|e| e.to_string())?;
        if d.pending > 0 {
            let later = if args.state.is_some() {
                "they stay queued in the state database for the next run"
            } else {
                "they are lost (use --state FILE to keep them queued)"
            };
            eprintln!(
                "error: {} alert(s) not delivered ({}); {later}",
                d.pending,
                d.last_error.as_deref().unwrap_or("timed out")
            );
            code = exit::ERROR;
        }
    }
    Ok(code)
}

fn print_alert(format: &str, a: &palisade_watch::Alert) {
    let mut out = std::io::stdout().lock();
    let _ = match format {
        "jsonl" => serde_json::to_writer(&mut out, a)
            .map_err(std::io::Error::other)
            .and_then(|()| out.write_all(b"\n")),
        "none" => Ok(()),
        _ => writeln!(
            out,
            "{:<9} {:<10} {}  {}  {}{}",
            a.severity.to_ascii_uppercase(),
            a.rule,
            a.title,
            a.time.as_deref().unwrap_or("-"),
            a.actor.as_deref().or(a.source_ip.as_deref()).unwrap_or("-"),
            format_args!("  at {}", a.location)
        ),
    };
    let _ = out.flush();
}

pub fn run_watch(args: WatchArgs) -> Result<u8, String> {
    check_block_args(&args.block)?;
    let cfg = config(&args.rules)?;
    let hooks = webhooks(&args.notify)?;
    let block_opts = block_options(&args.block)?;
    let store = Store::open(&args.state).map_err(|e| e.to_string())?;
    let opts = WatchOptions {
        roots: args.dirs.clone(),
        settle: Duration::from_millis(args.settle_ms),
        batch: args.batch.max(1),
        block_ttl: Duration::from_secs(args.block.block_ttl),
        output: args.output.clone(),
    };
    let mut watcher = Watcher::new(&cfg, store, opts, hooks.clone()).map_err(|e| e.to_string())?;
    let mut notifier = (!hooks.is_empty()).then(|| Notifier::new(hooks));
    if let Ok(p) = watcher.store().pending() {
        for (sink, n) in p {
            eprintln!("watch: {n} alert(s) queued for {sink} from an earlier run");
        }
    }
    let skipped = cfg.sigma.skipped();
    for sk in skipped {
        eprintln!("rule skipped: {}: {}", sk.rule, sk.reason);
    }
    let mut last_blocklist: Option<Blocklist> = None;
    let mut any_alert = false;
    let mut had_error = false;
    let poll = Duration::from_millis(args.poll_ms.max(10));
    let mut rounds = 0;
    loop {
        let start = Instant::now();
        let mut waiting = 0;
        let format = args.format.clone();
        match watcher.poll(&mut |a| print_alert(&format, a)) {
            Ok(c) => {
                any_alert |= c.new_alerts > 0;
                waiting = c.waiting;
                for m in &c.input_errors {
                    had_error = true;
                    eprintln!("input error: {}:{}: {}", m.file, m.line, m.message);
                }
                if c.files > 0 {
                    eprintln!(
                        "watch: {} file(s), {} records ({} malformed), {} new alert(s)",
                        c.files, c.records, c.malformed, c.new_alerts
                    );
                }
            }
            Err(e) => {
                had_error = true;
                eprintln!("error: {e}");
                if args.once {
                    break;
                }
            }
        }
        if args.once && waiting > 0 && rounds < 20 {
            // Files still changing: look again once they had time to settle.
            rounds += 1;
            std::thread::sleep(Duration::from_millis(args.settle_ms.max(10)));
            continue;
        }
        if args.block.blocklist.is_some() {
            let now = notify::now_ms();
            let weights = blocked_weights(watcher.store(), now)?;
            let list = build_blocklist_weighted(weights, &block_opts);
            if last_blocklist.as_ref() != Some(&list) {
                match write_blocklist(&args.block, &list) {
                    Ok(w) => w.iter().for_each(|w| eprintln!("blocklist: {w}")),
                    Err(e) => {
                        had_error = true;
                        eprintln!("error: {e}");
                    }
                }
                last_blocklist = Some(list);
            }
        }
        let deadline = if args.once {
            Instant::now() + Duration::from_secs(args.notify_timeout)
        } else {
            start + poll
        };
        if let Some(n) = &mut notifier {
            match watcher.deliver(n, deadline) {
                Ok(d) => {
                    if let Some(e) = &d.last_error {
                        eprintln!("notify: {e} ({} alert(s) waiting, will retry)", d.pending);
                    }
                    if args.once && d.pending > 0 {
                        had_error = true;
                        eprintln!(
                            "error: {} alert(s) not delivered yet; they stay queued",
                            d.pending
                        );
                    }
                }
                Err(e) => eprintln!("notify: {e}"),
            }
        }
        if args.once {
            break;
        }
        let now = Instant::now();
        if now < start + poll {
            std::thread::sleep(start + poll - now);
        }
    }
    Ok(if had_error {
        exit::ERROR
    } else if any_alert {
        exit::FINDINGS
    } else {
        exit::CLEAN
    })
}
