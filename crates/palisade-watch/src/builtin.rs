//! Built-in detections (`PAL-D0xx`).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::{json, Map, Value};

use crate::config::{Burst, Config};
use crate::record::{get_str, Location, LogKind, Record};
use crate::report::Alert;
use crate::state::{BurstHit, State};
use crate::time;
use crate::util;

/// A built-in detection's metadata.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuiltinRule {
    /// `PAL-D0xx`.
    pub id: &'static str,
    /// Title.
    pub title: &'static str,
    /// Severity.
    pub severity: &'static str,
    /// Practice IDs covered.
    pub practices: &'static [&'static str],
    /// What it looks for.
    pub description: &'static str,
}

macro_rules! rules {
    ($($name:ident = $id:literal, $sev:literal, [$($p:literal),*], $title:literal, $desc:literal;)*) => {
        $(
            #[doc = $title]
            pub const $name: BuiltinRule = BuiltinRule {
                id: $id, title: $title, severity: $sev, practices: &[$($p),*], description: $desc,
            };
        )*
        /// Every built-in detection.
        pub const BUILTINS: &[BuiltinRule] = &[$($name),*];
    };
}

rules! {
    INFRA_CHANGE = "PAL-D001", "medium", ["MON-05"], "Infrastructure changed outside the CI/CD pipeline",
        "A successful non-read-only management event (readOnly false) by a principal that is not a configured pipeline role.";
    ROOT_USE = "PAL-D002", "high", ["MON-06"], "Root account used",
        "Any API call or sign-in by the account root user (not AWS service events).";
    CONSOLE_NO_MFA = "PAL-D003", "high", ["MON-06", "IAM-04"], "Console login without MFA",
        "A successful ConsoleLogin by an IAM user or root with additionalEventData.MFAUsed = No.";
    KEY_FOR_OTHER_USER = "PAL-D004", "medium", ["MON-06", "IAM-02"], "Access key created for another user",
        "CreateAccessKey where requestParameters.userName differs from the caller's user name.";
    NEW_SOURCE = "PAL-D005", "medium", ["MON-06"], "Principal used from a new source IP or user agent",
        "A principal with history calls from a source IP or user agent family not seen for it before.";
    INSTANCE_CREDS_OUTSIDE = "PAL-D006", "high", ["MON-06", "IAM-02"], "Instance role credentials used outside known networks",
        "An EC2 instance role session (principalId ending in :i-...) used from a public address outside the known CIDRs.";
    WORLD_OPEN = "PAL-D007", "high", ["MON-08", "NET-07", "NET-06"], "Security group or network ACL opened to the internet",
        "AuthorizeSecurityGroupIngress/ModifySecurityGroupRules with 0.0.0.0/0 or ::/0, or an allow NACL ingress entry for them.";
    TRAIL_STOPPED = "PAL-D008", "critical", ["MON-08", "MON-01"], "CloudTrail logging stopped or trail deleted",
        "CloudTrail StopLogging or DeleteTrail.";
    GUARDDUTY_DISABLED = "PAL-D009", "high", ["MON-08", "MON-04"], "GuardDuty detector deleted or disabled",
        "GuardDuty DeleteDetector, or UpdateDetector with enable = false.";
    CONFIG_STOPPED = "PAL-D010", "high", ["MON-08", "MON-03"], "AWS Config recording stopped or deleted",
        "StopConfigurationRecorder, DeleteConfigurationRecorder or DeleteDeliveryChannel.";
    FLOW_LOGS_DELETED = "PAL-D011", "medium", ["MON-08", "MON-02"], "VPC flow logs deleted",
        "EC2 DeleteFlowLogs.";
    KMS_KEY_DISABLED = "PAL-D012", "high", ["MON-08"], "KMS key scheduled for deletion or disabled",
        "KMS ScheduleKeyDeletion or DisableKey.";
    S3_PUBLIC = "PAL-D013", "high", ["MON-08"], "S3 bucket made public",
        "PutBucketAcl granting AllUsers/AuthenticatedUsers (or a public canned ACL), PutBucketPolicy allowing Principal * without conditions, or a public access block removed or relaxed.";
    ALB_ERROR_BURST = "PAL-D014", "medium", ["MON-07"], "Burst of 4XX/5XX responses from one client (ALB)",
        "At least the configured number of 4XX/5XX ALB responses to one client IP within the sliding window.";
    WAF_BLOCK_BURST = "PAL-D015", "medium", ["MON-07"], "Burst of WAF blocks for one client",
        "At least the configured number of WAF BLOCK actions for one client IP within the sliding window.";
}

/// Looks up a built-in rule by id.
pub fn builtin(id: &str) -> Option<&'static BuiltinRule> {
    BUILTINS.iter().find(|r| r.id == id)
}

fn make_alert(rule: &BuiltinRule, rec: &Record, seq: u64, evidence: Value) -> Alert {
    Alert::for_record(
        rule.id,
        rule.title,
        rule.severity,
        rule.practices,
        rec,
        seq,
        evidence,
    )
}

fn succeeded(v: &Value) -> bool {
    v.get("errorCode").is_none_or(Value::is_null)
}

fn is_false(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => !b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("false"),
        _ => false,
    }
}

fn is_true(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// The facts every CloudTrail alert carries.
fn ct_evidence(v: &Value) -> Map<String, Value> {
    let mut m = Map::new();
    for key in [
        "eventSource",
        "eventName",
        "awsRegion",
        "recipientAccountId",
        "userAgent",
        "errorCode",
        "errorMessage",
    ] {
        if let Some(x) = v.get(key).filter(|x| !x.is_null()) {
            m.insert(key.to_owned(), x.clone());
        }
    }
    if let Some(t) = get_str(v, "userIdentity.type") {
        m.insert("userIdentityType".to_owned(), Value::String(t.to_owned()));
    }
    if let Some(issuer) = get_str(v, "userIdentity.sessionContext.sessionIssuer.arn") {
        m.insert("sessionIssuer".to_owned(), Value::String(issuer.to_owned()));
    }
    m
}

fn with_request(v: &Value) -> Map<String, Value> {
    let mut m = ct_evidence(v);
    if let Some(rp) = v.get("requestParameters").filter(|x| !x.is_null()) {
        m.insert("requestParameters".to_owned(), rp.clone());
    }
    m
}

/// The key of a principal's history: the role behind an assumed-role session, else the ARN.
fn principal_key(v: &Value) -> Option<&str> {
    let ty = get_str(v, "userIdentity.type")?;
    match ty {
        "AWSService" | "AWSAccount" => None,
        "AssumedRole" => get_str(v, "userIdentity.sessionContext.sessionIssuer.arn")
            .or_else(|| get_str(v, "userIdentity.arn")),
        _ => get_str(v, "userIdentity.arn").or_else(|| get_str(v, "userIdentity.principalId")),
    }
}

/// The instance id of an EC2 instance role session (`AROA...:i-0123456789abcdef0`).
fn instance_session(v: &Value) -> Option<&str> {
    if get_str(v, "userIdentity.type") != Some("AssumedRole") {
        return None;
    }
    let (_, session) = get_str(v, "userIdentity.principalId")?.rsplit_once(':')?;
    let hex = session.strip_prefix("i-")?;
    let ok = (hex.len() == 8 || hex.len() == 17) && hex.bytes().all(|c| c.is_ascii_hexdigit());
    ok.then_some(session)
}

/// All string values under keys named `key` (recursively).
fn collect_key<'a>(v: &'a Value, key: &str, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k.eq_ignore_ascii_case(key) {
                    if let Some(s) = x.as_str() {
                        out.push(s);
                    }
                }
                collect_key(x, key, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_key(i, key, out)),
        _ => {}
    }
}

fn is_world(cidr: &str) -> bool {
    cidr.trim()
        .parse::<ipnet::IpNet>()
        .is_ok_and(|n| n.prefix_len() == 0)
}

fn as_array(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

/// Why a bucket ACL change is public, if it is.
fn public_acl(rp: &Value) -> Option<String> {
    let text = rp.to_string();
    for group in ["AllUsers", "AuthenticatedUsers"] {
        if text.contains(&format!("acs.amazonaws.com/groups/global/{group}")) {
            return Some(format!("grant to {group}"));
        }
    }
    let canned = rp.get("x-amz-acl").map(as_array).unwrap_or_default();
    for c in canned.iter().filter_map(|c| c.as_str()) {
        if matches!(
            c,
            "public-read" | "public-read-write" | "authenticated-read"
        ) {
            return Some(format!("canned ACL {c}"));
        }
    }
    None
}

fn principal_is_everyone(p: &Value) -> bool {
    match p {
        Value::String(s) => s == "*",
        Value::Object(m) => m
            .get("AWS")
            .is_some_and(|a| as_array(a).iter().any(|x| x.as_str() == Some("*"))),
        _ => false,
    }
}

/// Why a bucket policy is public, if it is: an Allow statement for everyone without conditions.
fn public_policy(rp: &Value) -> Option<String> {
    let policy = rp.get("bucketPolicy")?;
    let parsed;
    let policy = match policy {
        Value::String(s) => {
            parsed = serde_json::from_str::<Value>(s).ok()?;
            &parsed
        }
        other => other,
    };
    let statements = policy.get("Statement").map(as_array).unwrap_or_default();
    statements.iter().find_map(|st| {
        let allow = st.get("Effect").and_then(Value::as_str) == Some("Allow");
        let everyone = st.get("Principal").is_some_and(principal_is_everyone);
        let unconditioned = st
            .get("Condition")
            .is_none_or(|c| c.as_object().is_none_or(Map::is_empty));
        (allow && everyone && unconditioned).then(|| {
            let action = st.get("Action").map_or_else(String::new, |a| a.to_string());
            format!("policy allows Principal * without conditions (Action {action})")
        })
    })
}

/// Why a public access block change opens the bucket or account, if it does.
fn public_access_block_relaxed(name: &str, rp: &Value) -> Option<String> {
    if name.starts_with("Delete") {
        return Some("public access block deleted".to_owned());
    }
    let cfg = rp.get("PublicAccessBlockConfiguration").unwrap_or(rp);
    let off: Vec<&str> = [
        "BlockPublicAcls",
        "IgnorePublicAcls",
        "BlockPublicPolicy",
        "RestrictPublicBuckets",
    ]
    .into_iter()
    .filter(|k| is_false(cfg.get(*k)))
    .collect();
    (!off.is_empty()).then(|| {
        format!(
            "public access block settings turned off: {}",
            off.join(", ")
        )
    })
}

#[derive(Clone, Debug)]
struct BurstEvent {
    t: i64,
    seq: u64,
    loc: Location,
    tag: Arc<str>,
}

#[derive(Default)]
struct BurstTracker {
    by_ip: HashMap<String, Vec<BurstEvent>>,
    tags: HashMap<String, Arc<str>>,
}

impl BurstTracker {
    fn add(&mut self, ip: &str, t: i64, seq: u64, rec: &Record, tag: &str) {
        let tag = match self.tags.get(tag) {
            Some(t) => t.clone(),
            None => {
                let a: Arc<str> = Arc::from(tag);
                self.tags.insert(tag.to_owned(), a.clone());
                a
            }
        };
        self.by_ip
            .entry(ip.to_owned())
            .or_default()
            .push(BurstEvent {
                t,
                seq,
                loc: rec.location.clone(),
                tag,
            });
    }

    /// Finds the bursts: per client, the first event that brings `threshold` events within
    /// the window triggers an alert; the burst continues while events keep coming within
    /// the window of each other, and the next one can start after it.
    fn finish(mut self, rule: &BuiltinRule, burst: Burst, tag_name: &str, out: &mut Vec<Alert>) {
        let window = (burst.window_secs as i64).saturating_mul(1000);
        let threshold = burst.threshold.max(1);
        let mut ips: Vec<String> = self.by_ip.keys().cloned().collect();
        ips.sort();
        for ip in ips {
            let Some(mut ev) = self.by_ip.remove(&ip) else {
                continue;
            };
            ev.sort_by(|a, b| a.t.cmp(&b.t).then_with(|| a.loc.cmp(&b.loc)));
            let (mut i, mut j) = (0usize, 0usize);
            while j < ev.len() {
                while ev[j].t - ev[i].t > window {
                    i += 1;
                }
                if j + 1 - i >= threshold {
                    let mut end = j;
                    while end + 1 < ev.len() && ev[end + 1].t - ev[end].t <= window {
                        end += 1;
                    }
                    let mut tags: BTreeMap<&str, u64> = BTreeMap::new();
                    for e in &ev[i..=end] {
                        *tags.entry(&e.tag).or_default() += 1;
                    }
                    let trigger = &ev[j];
                    let evidence = json!({
                        "client_ip": ip,
                        "count": end + 1 - i,
                        "threshold": threshold,
                        "window_seconds": burst.window_secs,
                        "first_seen": time::format_rfc3339(ev[i].t),
                        "last_seen": time::format_rfc3339(ev[end].t),
                        tag_name: tags,
                    });
                    out.push(Alert {
                        rule: rule.id.to_owned(),
                        title: rule.title.to_owned(),
                        severity: rule.severity.to_owned(),
                        practices: rule.practices.iter().map(|p| (*p).to_owned()).collect(),
                        time: Some(time::format_rfc3339(trigger.t)),
                        event_id: None,
                        actor: None,
                        source_ip: Some(ip.clone()),
                        location: trigger.loc.clone(),
                        evidence,
                        time_ms: Some(trigger.t),
                        record_seq: trigger.seq,
                    });
                    j = end + 1;
                    i = j;
                    continue;
                }
                j += 1;
            }
        }
    }
}

/// The alert for a burst found incrementally (watch mode).
fn burst_alert(
    rule: &BuiltinRule,
    burst: Burst,
    tag_name: &str,
    ip: &str,
    hit: BurstHit,
    rec: &Record,
    seq: u64,
) -> Alert {
    let evidence = json!({
        "client_ip": ip,
        "count": hit.count,
        "threshold": burst.threshold.max(1),
        "window_seconds": burst.window_secs,
        "first_seen": time::format_rfc3339(hit.first_ms),
        "last_seen": time::format_rfc3339(hit.last_ms),
        tag_name: hit.tags,
    });
    let t = rec.time_ms().unwrap_or(hit.last_ms);
    Alert {
        rule: rule.id.to_owned(),
        title: rule.title.to_owned(),
        severity: rule.severity.to_owned(),
        practices: rule.practices.iter().map(|p| (*p).to_owned()).collect(),
        time: Some(time::format_rfc3339(t)),
        event_id: None,
        actor: None,
        source_ip: Some(ip.to_owned()),
        location: rec.location.clone(),
        evidence,
        time_ms: Some(t),
        record_seq: seq,
    }
}

/// Runs the built-in detections over records.
pub(crate) struct Builtins {
    alb: BurstTracker,
    waf: BurstTracker,
    /// Bursts are counted in the [`State`] and raised as they start (watch mode)
    /// instead of at the end of the run.
    pub incremental: bool,
}

impl Builtins {
    pub fn new() -> Self {
        Builtins {
            alb: BurstTracker::default(),
            waf: BurstTracker::default(),
            incremental: false,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn burst_event(
        &mut self,
        rule: &BuiltinRule,
        burst: Burst,
        tag_name: &str,
        state: &mut dyn State,
        rec: &Record,
        ip: &str,
        t: i64,
        tag: &str,
        seq: u64,
        out: &mut Vec<Alert>,
    ) {
        if self.incremental {
            if let Some(hit) = state.burst_event(rule.id, ip, t, tag, burst) {
                out.push(burst_alert(rule, burst, tag_name, ip, hit, rec, seq));
            }
        } else if rule.id == ALB_ERROR_BURST.id {
            self.alb.add(ip, t, seq, rec, tag);
        } else {
            self.waf.add(ip, t, seq, rec, tag);
        }
    }

    pub fn check(
        &mut self,
        cfg: &Config,
        state: &mut dyn State,
        rec: &Record,
        seq: u64,
        out: &mut Vec<Alert>,
    ) {
        match rec.kind {
            LogKind::CloudTrail => cloudtrail(cfg, state, rec, seq, out),
            LogKind::Alb => {
                if !cfg.enabled(ALB_ERROR_BURST.id) {
                    return;
                }
                let status = rec.value.get("elb_status_code").and_then(Value::as_u64);
                if let (Some(code @ 400..=599), Some(ip), Some(t)) =
                    (status, rec.source_ip(), rec.time_ms())
                {
                    let tag = code.to_string();
                    self.burst_event(
                        &ALB_ERROR_BURST,
                        cfg.alb_burst,
                        "status_codes",
                        state,
                        rec,
                        ip,
                        t,
                        &tag,
                        seq,
                        out,
                    );
                }
            }
            LogKind::Waf => {
                if !cfg.enabled(WAF_BLOCK_BURST.id) {
                    return;
                }
                let blocked = rec
                    .value
                    .get("action")
                    .and_then(Value::as_str)
                    .is_some_and(|a| a.eq_ignore_ascii_case("BLOCK"));
                if let (true, Some(ip), Some(t)) = (blocked, rec.source_ip(), rec.time_ms()) {
                    let rule = get_str(&rec.value, "terminatingRuleId").unwrap_or("-");
                    self.burst_event(
                        &WAF_BLOCK_BURST,
                        cfg.waf_burst,
                        "terminating_rules",
                        state,
                        rec,
                        ip,
                        t,
                        rule,
                        seq,
                        out,
                    );
                }
            }
            LogKind::VpcFlow | LogKind::K8sAudit => {}
        }
    }

    pub fn finish(self, cfg: &Config, out: &mut Vec<Alert>) {
        self.alb
            .finish(&ALB_ERROR_BURST, cfg.alb_burst, "status_codes", out);
        self.waf
            .finish(&WAF_BLOCK_BURST, cfg.waf_burst, "terminating_rules", out);
    }
}

fn is_pipeline(cfg: &Config, v: &Value) -> bool {
    let arns = [
        get_str(v, "userIdentity.arn"),
        get_str(v, "userIdentity.sessionContext.sessionIssuer.arn"),
    ];
    arns.iter()
        .flatten()
        .any(|arn| cfg.pipeline_roles.iter().any(|p| util::glob_match(p, arn)))
}

fn ignored_change(cfg: &Config, source: &str, name: &str) -> bool {
    let key = format!("{source}:{name}");
    cfg.infra_change_ignore
        .iter()
        .any(|p| util::glob_match(p, &key))
}

fn cloudtrail(cfg: &Config, state: &mut dyn State, rec: &Record, seq: u64, out: &mut Vec<Alert>) {
    let v = &rec.value;
    let name = get_str(v, "eventName").unwrap_or_default();
    let source = get_str(v, "eventSource").unwrap_or_default();
    let ok = succeeded(v);
    let id_type = get_str(v, "userIdentity.type").unwrap_or_default();
    let event_type = get_str(v, "eventType").unwrap_or_default();
    let invoked_by = get_str(v, "userIdentity.invokedBy");
    let mut emit = |rule: &BuiltinRule, evidence: Map<String, Value>| {
        if cfg.enabled(rule.id) {
            out.push(make_alert(rule, rec, seq, Value::Object(evidence)));
        }
    };

    // PAL-D001: infrastructure change outside the pipeline.
    let management = !is_false(v.get("managementEvent"));
    if is_false(v.get("readOnly"))
        && management
        && ok
        && !matches!(event_type, "AwsConsoleSignIn" | "AwsServiceEvent")
        && id_type != "AWSService"
        && !ignored_change(cfg, source, name)
        && !is_pipeline(cfg, v)
    {
        let mut m = with_request(v);
        if let Some(r) = v.get("resources").filter(|r| !r.is_null()) {
            m.insert("resources".to_owned(), r.clone());
        }
        emit(&INFRA_CHANGE, m);
    }

    // PAL-D002: root use.
    if id_type == "Root" && event_type != "AwsServiceEvent" && invoked_by.is_none() {
        emit(&ROOT_USE, ct_evidence(v));
    }

    // PAL-D003: console login without MFA.
    if name == "ConsoleLogin"
        && matches!(id_type, "IAMUser" | "Root")
        && get_str(v, "additionalEventData.MFAUsed").is_some_and(|m| m.eq_ignore_ascii_case("no"))
        && get_str(v, "responseElements.ConsoleLogin")
            .is_some_and(|r| r.eq_ignore_ascii_case("success"))
    {
        let mut m = ct_evidence(v);
        m.insert("MFAUsed".to_owned(), json!("No"));
        if let Some(url) = get_str(v, "additionalEventData.LoginTo") {
            m.insert("loginTo".to_owned(), json!(url));
        }
        emit(&CONSOLE_NO_MFA, m);
    }

    // PAL-D004: access key created for another user.
    if name == "CreateAccessKey" && source == "iam.amazonaws.com" && ok {
        if let Some(target) = get_str(v, "requestParameters.userName") {
            let caller = get_str(v, "userIdentity.userName");
            if caller != Some(target) {
                let mut m = ct_evidence(v);
                m.insert("targetUser".to_owned(), json!(target));
                m.insert("callerUserName".to_owned(), json!(caller));
                if let Some(k) = get_str(v, "responseElements.accessKey.accessKeyId") {
                    m.insert("accessKeyId".to_owned(), json!(k));
                }
                emit(&KEY_FOR_OTHER_USER, m);
            }
        }
    }

    // PAL-D005: new source IP / user agent for a principal with history.
    if invoked_by.is_none() && cfg.enabled(NEW_SOURCE.id) {
        if let Some(principal) = principal_key(v) {
            let t = rec.time_ms();
            let min = cfg.history_min_observations;
            let ip = rec
                .source_ip()
                .and_then(util::parse_ip)
                .map(|ip| ip.to_string());
            let new_ip = ip.as_deref().and_then(|ip| {
                let seen = state.observe("principal.source_ip", principal, ip, t);
                (!seen.value_known && seen.subject_observations >= min)
                    .then_some((ip, seen.subject_values))
            });
            let ua = get_str(v, "userAgent")
                .map(util::user_agent_family)
                .filter(|f| !f.is_empty());
            let new_ua = ua.as_deref().and_then(|fam| {
                let seen = state.observe("principal.user_agent", principal, fam, t);
                (!seen.value_known && seen.subject_observations >= min)
                    .then_some((fam, seen.subject_values))
            });
            if new_ip.is_some() || new_ua.is_some() {
                let mut m = ct_evidence(v);
                m.insert("principal".to_owned(), json!(principal));
                if let Some((ip, known)) = new_ip {
                    m.insert("newSourceIp".to_owned(), json!(ip));
                    m.insert("knownSourceIps".to_owned(), json!(known));
                }
                if let Some((fam, known)) = new_ua {
                    m.insert("newUserAgentFamily".to_owned(), json!(fam));
                    m.insert("knownUserAgentFamilies".to_owned(), json!(known));
                }
                emit(&NEW_SOURCE, m);
            }
        }
    }

    // PAL-D006: instance role credentials used outside known networks.
    if let Some(instance) = instance_session(v) {
        let ip = rec.source_ip().and_then(util::parse_ip);
        let via_endpoint = v.get("vpcEndpointId").is_some_and(|e| !e.is_null());
        if let (Some(ip), false, None) = (ip, via_endpoint, invoked_by) {
            let mut accounts: Vec<&str> = [
                get_str(v, "recipientAccountId"),
                get_str(v, "userIdentity.accountId"),
            ]
            .into_iter()
            .flatten()
            .collect();
            accounts.dedup();
            let account_nets: Vec<&ipnet::IpNet> = accounts
                .iter()
                .filter_map(|a| cfg.account_cidrs.get(*a))
                .flatten()
                .collect();
            let known =
                util::in_any(ip, &cfg.known_cidrs) || account_nets.iter().any(|n| n.contains(&ip));
            if util::is_public(ip) && !known {
                let mut m = ct_evidence(v);
                m.insert("instanceId".to_owned(), json!(instance));
                m.insert("sourceIp".to_owned(), json!(ip.to_string()));
                m.insert(
                    "knownCidrs".to_owned(),
                    json!(cfg.known_cidrs.len() + account_nets.len()),
                );
                emit(&INSTANCE_CREDS_OUTSIDE, m);
            }
        }
    }

    if !ok {
        return;
    }
    let rp = v.get("requestParameters").unwrap_or(&Value::Null);

    // PAL-D007: security group / NACL opened to the world.
    match (source, name) {
        ("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress" | "ModifySecurityGroupRules") => {
            let mut cidrs = Vec::new();
            for key in ["cidrIp", "cidrIpv6", "CidrIpv4", "CidrIpv6"] {
                collect_key(rp, key, &mut cidrs);
            }
            let mut world: Vec<&str> = cidrs.into_iter().filter(|c| is_world(c)).collect();
            world.sort_unstable();
            world.dedup();
            if !world.is_empty() {
                let mut m = with_request(v);
                m.insert("worldCidrs".to_owned(), json!(world));
                emit(&WORLD_OPEN, m);
            }
        }
        ("ec2.amazonaws.com", "CreateNetworkAclEntry" | "ReplaceNetworkAclEntry") => {
            let cidr = get_str(rp, "cidrBlock").or_else(|| get_str(rp, "ipv6CidrBlock"));
            let allow = get_str(rp, "ruleAction").is_some_and(|a| a.eq_ignore_ascii_case("allow"));
            let ingress = !is_true(rp.get("egress"));
            if let (Some(c), true, true) = (cidr, allow, ingress) {
                if is_world(c) {
                    let mut m = with_request(v);
                    m.insert("worldCidrs".to_owned(), json!([c]));
                    emit(&WORLD_OPEN, m);
                }
            }
        }
        _ => {}
    }

    // PAL-D008..D013: guardrails turned off.
    let guardrail = match (source, name) {
        ("cloudtrail.amazonaws.com", "StopLogging" | "DeleteTrail") => Some((&TRAIL_STOPPED, None)),
        ("guardduty.amazonaws.com", "DeleteDetector") => Some((&GUARDDUTY_DISABLED, None)),
        ("guardduty.amazonaws.com", "UpdateDetector") if is_false(rp.get("enable")) => Some((
            &GUARDDUTY_DISABLED,
            Some("detector disabled (enable = false)".to_owned()),
        )),
        (
            "config.amazonaws.com",
            "StopConfigurationRecorder" | "DeleteConfigurationRecorder" | "DeleteDeliveryChannel",
        ) => Some((&CONFIG_STOPPED, None)),
        ("ec2.amazonaws.com", "DeleteFlowLogs") => Some((&FLOW_LOGS_DELETED, None)),
        ("kms.amazonaws.com", "ScheduleKeyDeletion" | "DisableKey") => {
            Some((&KMS_KEY_DISABLED, None))
        }
        ("s3.amazonaws.com", "PutBucketAcl") => public_acl(rp).map(|r| (&S3_PUBLIC, Some(r))),
        ("s3.amazonaws.com", "PutBucketPolicy") => public_policy(rp).map(|r| (&S3_PUBLIC, Some(r))),
        (
            "s3.amazonaws.com",
            "DeleteBucketPublicAccessBlock"
            | "PutBucketPublicAccessBlock"
            | "DeletePublicAccessBlock"
            | "PutPublicAccessBlock",
        ) => public_access_block_relaxed(name, rp).map(|r| (&S3_PUBLIC, Some(r))),
        _ => None,
    };
    if let Some((rule, reason)) = guardrail {
        let mut m = with_request(v);
        if let Some(r) = reason {
            m.insert("reason".to_owned(), json!(r));
        }
        emit(rule, m);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_is_consistent() {
        let mut ids: Vec<&str> = BUILTINS.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), BUILTINS.len());
        assert!(BUILTINS.iter().all(|r| !r.practices.is_empty()));
        assert_eq!(builtin("PAL-D008").map(|r| r.severity), Some("critical"));
    }

    #[test]
    fn instance_sessions() {
        let v = json!({"userIdentity": {"type": "AssumedRole", "principalId": "AROAEXAMPLE:i-0123456789abcdef0"}});
        assert_eq!(instance_session(&v), Some("i-0123456789abcdef0"));
        let v =
            json!({"userIdentity": {"type": "AssumedRole", "principalId": "AROAEXAMPLE:alice"}});
        assert_eq!(instance_session(&v), None);
    }

    #[test]
    fn policies() {
        let rp = json!({"bucketPolicy": {"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "s3:GetObject"}]}});
        assert!(public_policy(&rp).is_some());
        let rp = json!({"bucketPolicy": "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Condition\":{\"StringEquals\":{\"aws:SourceVpce\":\"vpce-1\"}}}}"});
        assert!(public_policy(&rp).is_none());
    }
}
