//! A Sigma rule engine that runs SigmaHQ rules directly on raw JSON records.
//!
//! Supported: field paths with dots (searched through arrays), value lists (OR),
//! maps (AND), lists of maps (OR), keyword lists, the modifiers `contains`,
//! `startswith`, `endswith`, `all`, `re` (with `i`, `m`, `s`), `cidr`, `exists`,
//! `windash`, `cased`, `fieldref`, `gt`/`gte`/`lt`/`lte`; wildcards `*`/`?` with
//! backslash escapes; `null` meaning absent or null; case-insensitive matching;
//! numbers and booleans (also matching their text); conditions with `and`, `or`,
//! `not`, parentheses, `N of X*`, `all of X*`, `1 of them`, `all of them`. A string
//! pattern tested against an object or array matches its JSON text (and arrays
//! match element-wise too). `|exists: true` needs a non-null value.
//!
//! CloudTrail rules are indexed by the exact `eventName` values their condition
//! requires (else by `eventSource`), so a record is only tested against the
//! rules that can match it.
//!
//! Rules using anything else (aggregations, `near`, correlation or filter rules,
//! unknown modifiers, logsources palisade does not read) are kept in
//! [`RuleSet::skipped`] with the reason.

mod condition;
mod matcher;
mod yaml;

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::error::Error;
use crate::record::{LogKind, Record};
use condition::Cond;
use matcher::Search;
use yaml::Y;

/// A rule that could not be used, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The rule's id, else its title, else its file.
    pub rule: String,
    /// Why it was skipped.
    pub reason: String,
}

/// The logsource of a rule.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LogSource {
    /// `product`, e.g. `aws`.
    pub product: Option<String>,
    /// `service`, e.g. `cloudtrail`.
    pub service: Option<String>,
    /// `category`.
    pub category: Option<String>,
}

/// A compiled Sigma rule.
#[derive(Clone, Debug)]
pub struct SigmaRule {
    /// `id` (a UUID in SigmaHQ), or the title when the rule has none.
    pub id: String,
    /// `title`.
    pub title: String,
    /// `level`, lowercased (`medium` when absent).
    pub level: String,
    /// `status`.
    pub status: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `tags`.
    pub tags: Vec<String>,
    /// `logsource`.
    pub logsource: LogSource,
    /// The kind of record it applies to.
    pub kind: LogKind,
    /// Where it was loaded from.
    pub source: String,
    searches: Vec<Search>,
    condition: Cond,
}

impl SigmaRule {
    /// Whether the rule matches a record's JSON (the logsource is not checked here).
    pub fn matches(&self, record: &Value) -> bool {
        self.condition.eval(&self.searches, record)
    }

    /// Practice IDs named by `palisade.<id>` tags (e.g. `palisade.mon-08` → `MON-08`).
    pub fn practices(&self) -> Vec<String> {
        self.tags
            .iter()
            .filter_map(|t| t.strip_prefix("palisade."))
            .map(str::to_ascii_uppercase)
            .collect()
    }
}

#[derive(Clone, Debug, Default)]
struct KindIndex {
    by_name: HashMap<String, Vec<u32>>,
    by_source: HashMap<String, Vec<u32>>,
    always: Vec<u32>,
}

/// A set of Sigma rules, indexed by the record kind they apply to and by the
/// `eventName`/`eventSource` values they pin.
#[derive(Clone, Debug, Default)]
pub struct RuleSet {
    rules: Vec<SigmaRule>,
    skipped: Vec<Skipped>,
    index: HashMap<LogKind, KindIndex>,
}

fn kind_for(ls: &LogSource) -> Option<LogKind> {
    let p = ls.product.as_deref().map(str::to_ascii_lowercase);
    let s = ls.service.as_deref().map(str::to_ascii_lowercase);
    match (p.as_deref(), s.as_deref()) {
        (Some("aws"), Some("cloudtrail")) => Some(LogKind::CloudTrail),
        (Some("kubernetes"), Some("audit")) => Some(LogKind::K8sAudit),
        (Some("aws"), Some("alb" | "elb")) => Some(LogKind::Alb),
        (Some("aws"), Some("waf")) => Some(LogKind::Waf),
        (Some("aws"), Some("vpcflow" | "vpcflowlogs" | "flowlogs")) => Some(LogKind::VpcFlow),
        _ => None,
    }
}

fn str_field(doc: &Y, key: &str) -> Option<String> {
    doc.get(key).and_then(Y::scalar_text)
}

const LEVELS: [&str; 5] = ["informational", "low", "medium", "high", "critical"];

/// Compiles one rule document; `Err((name, reason))` when it cannot be used.
fn compile(doc: &Y, source: &str) -> Result<SigmaRule, (String, String)> {
    let title = str_field(doc, "title");
    let raw_id = str_field(doc, "id");
    let name = raw_id
        .clone()
        .or_else(|| title.clone())
        .unwrap_or_else(|| source.to_owned());
    let fail = |reason: String| (name.clone(), reason);
    if !matches!(doc, Y::Map(_)) {
        return Err(fail("a rule must be a YAML mapping".to_owned()));
    }
    if doc.get("correlation").is_some() {
        return Err(fail("correlation rules are not supported".to_owned()));
    }
    if doc.get("filter").is_some() {
        return Err(fail("Sigma filter rules are not supported".to_owned()));
    }
    if let Some(action) = str_field(doc, "action") {
        return Err(fail(format!(
            "rule collections (action: {action}) are not supported"
        )));
    }
    let status = str_field(doc, "status");
    if let Some(s @ ("deprecated" | "unsupported")) = status.as_deref() {
        return Err(fail(format!("rule status is {s}")));
    }
    let title = title.ok_or_else(|| fail("rule has no title".to_owned()))?;
    let ls = doc
        .get("logsource")
        .ok_or_else(|| fail("rule has no logsource".to_owned()))?;
    let logsource = LogSource {
        product: str_field(ls, "product"),
        service: str_field(ls, "service"),
        category: str_field(ls, "category"),
    };
    let kind = kind_for(&logsource).ok_or_else(|| {
        fail(format!(
            "logsource product={} service={} category={} is not read by palisade \
             (supported: aws/cloudtrail, kubernetes/audit, aws/alb, aws/waf, aws/vpcflow)",
            logsource.product.as_deref().unwrap_or("-"),
            logsource.service.as_deref().unwrap_or("-"),
            logsource.category.as_deref().unwrap_or("-"),
        ))
    })?;
    let Some(Y::Map(detection)) = doc.get("detection") else {
        return Err(fail("rule has no detection mapping".to_owned()));
    };
    let mut names = Vec::new();
    let mut searches = Vec::new();
    let mut condition_text = None;
    for (key, body) in detection {
        match key.as_str() {
            "condition" => condition_text = Some(body),
            "timeframe" => {}
            _ => {
                let search =
                    matcher::compile_search(body).map_err(|e| fail(format!("{key}: {e}")))?;
                names.push(key.clone());
                searches.push(search);
            }
        }
    }
    let condition = match condition_text {
        None => return Err(fail("detection has no condition".to_owned())),
        Some(Y::Str(s)) => condition::parse(s, &names).map_err(fail)?,
        Some(Y::Seq(items)) => {
            let mut alts = Vec::new();
            for i in items {
                let s = i
                    .as_str()
                    .ok_or_else(|| fail("condition list must hold strings".to_owned()))?;
                alts.push(condition::parse(s, &names).map_err(fail)?);
            }
            Cond::Or(alts)
        }
        Some(_) => return Err(fail("condition must be a string".to_owned())),
    };
    let level = str_field(doc, "level")
        .map(|l| l.to_ascii_lowercase())
        .unwrap_or_else(|| "medium".to_owned());
    if !LEVELS.contains(&level.as_str()) {
        return Err(fail(format!("unknown level '{level}'")));
    }
    let tags = match doc.get("tags") {
        Some(Y::Seq(items)) => items.iter().filter_map(Y::scalar_text).collect(),
        _ => Vec::new(),
    };
    Ok(SigmaRule {
        id: raw_id.unwrap_or_else(|| title.clone()),
        title,
        level,
        status,
        description: str_field(doc, "description"),
        tags,
        logsource,
        kind,
        source: source.to_owned(),
        searches,
        condition,
    })
}

/// Lowercases an ASCII string into `buf` without allocating; `None` when it does not fit.
fn ascii_lower<'b>(s: &str, buf: &'b mut [u8; 128]) -> Option<&'b str> {
    let b = s.as_bytes();
    if b.len() > buf.len() || !s.is_ascii() {
        return None;
    }
    let out = &mut buf[..b.len()];
    out.copy_from_slice(b);
    out.make_ascii_lowercase();
    std::str::from_utf8(out).ok()
}

fn lookup<'a>(map: &'a HashMap<String, Vec<u32>>, value: Option<&str>) -> &'a [u32] {
    let Some(v) = value else { return &[] };
    let mut buf = [0u8; 128];
    let hit = match ascii_lower(v, &mut buf) {
        Some(l) => map.get(l),
        None => map.get(&v.to_lowercase()),
    };
    hit.map_or(&[], Vec::as_slice)
}

impl RuleSet {
    /// An empty rule set.
    pub fn new() -> Self {
        Self::default()
    }

    /// The loaded rules.
    pub fn rules(&self) -> &[SigmaRule] {
        &self.rules
    }

    /// The rules that could not be used, with reasons.
    pub fn skipped(&self) -> &[Skipped] {
        &self.skipped
    }

    /// Loads every rule in a YAML text (one rule per document). `source` names it in reports.
    pub fn add_yaml(&mut self, source: &str, text: &str) {
        let docs = match yaml::load_documents(text) {
            Ok(d) => d,
            Err(e) => {
                self.skipped.push(Skipped {
                    rule: source.to_owned(),
                    reason: e,
                });
                return;
            }
        };
        for doc in docs.iter().filter(|d| !matches!(d, Y::Null)) {
            match compile(doc, source) {
                Ok(rule) => self.push(rule),
                Err((rule, reason)) => self.skipped.push(Skipped { rule, reason }),
            }
        }
    }

    /// Loads a rule file, or every `.yml`/`.yaml` file under a directory (recursively, in byte order).
    /// Files that cannot be read or parsed become skipped entries; only an unreadable `path` fails.
    pub fn load_path(&mut self, path: &Path) -> Result<(), Error> {
        let files = crate::read::collect_files(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        for file in files {
            let is_yaml = file.extension().is_some_and(|e| e == "yml" || e == "yaml");
            if file != path && !is_yaml {
                continue;
            }
            let name = file.display().to_string();
            match fs::read_to_string(&file) {
                Ok(text) => self.add_yaml(&name, &text),
                Err(e) => self.skipped.push(Skipped {
                    rule: name,
                    reason: format!("cannot read: {e}"),
                }),
            }
        }
        Ok(())
    }

    fn push(&mut self, rule: SigmaRule) {
        let idx = self.rules.len() as u32;
        let entry = self.index.entry(rule.kind).or_default();
        if rule.kind == LogKind::CloudTrail {
            if let Some(names) = rule.condition.pinned(&rule.searches, "eventName") {
                for n in names {
                    entry.by_name.entry(n).or_default().push(idx);
                }
            } else if let Some(sources) = rule.condition.pinned(&rule.searches, "eventSource") {
                for s in sources {
                    entry.by_source.entry(s).or_default().push(idx);
                }
            } else {
                entry.always.push(idx);
            }
        } else {
            entry.always.push(idx);
        }
        self.rules.push(rule);
    }

    /// The rules that match a record, in load order.
    pub fn matching<'a>(&'a self, record: &Record) -> Vec<&'a SigmaRule> {
        let Some(index) = self.index.get(&record.kind) else {
            return Vec::new();
        };
        let v = &record.value;
        let by_name = lookup(&index.by_name, v.get("eventName").and_then(Value::as_str));
        let by_source = lookup(
            &index.by_source,
            v.get("eventSource").and_then(Value::as_str),
        );
        let mut candidates: Vec<u32> =
            Vec::with_capacity(by_name.len() + by_source.len() + index.always.len());
        candidates.extend_from_slice(by_name);
        candidates.extend_from_slice(by_source);
        candidates.extend_from_slice(&index.always);
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .filter_map(|i| self.rules.get(i as usize))
            .filter(|r| r.matches(v))
            .collect()
    }

    /// How many rules of each kind are indexed by `eventName` / `eventSource` / not at all (for diagnostics).
    pub fn index_stats(&self) -> (usize, usize, usize) {
        let mut named = BTreeSet::new();
        let mut sourced = BTreeSet::new();
        let mut always = 0;
        for idx in self.index.values() {
            named.extend(idx.by_name.values().flatten().copied());
            sourced.extend(idx.by_source.values().flatten().copied());
            always += idx.always.len();
        }
        (named.len(), sourced.len(), always)
    }
}
