//! Palisade's built-in rules.
//!
//! One rule is one file under `src/rules/` (AWS rules in `aws/`, Kubernetes
//! rules in `k8s/`) defining `pub static RULE: Rule`: its id, title,
//! severity, the seed practices it covers, its documentation and its check.
//! `build.rs` turns the directory into the registry, and the rule's passing
//! and failing fixtures live in `fixtures/<ID>/{pass,fail}/`. Rules read only
//! the typed model, never a file format.

mod examples;
pub mod params;
pub mod practices;
pub mod support;

mod registry {
    include!(concat!(env!("OUT_DIR"), "/registry.rs"));
}

pub use examples::{example_files, examples, ExampleFile, MAX_EXAMPLE_LINES};
pub use params::Params;
pub use practices::{practice, Practice, PRACTICES};

use palisade_model::finding::{fingerprint, Finding, RuleInfo, Severity};
use palisade_model::{Location, Meta, Model, Unknown, Val};

/// What every rule file imports.
pub mod prelude {
    pub use crate::support::*;
    pub use crate::{Ctx, Rule};
    pub use palisade_model::aws::*;
    pub use palisade_model::finding::Severity;
    pub use palisade_model::k8s::*;
    pub use palisade_model::{Location, Meta, Model, Ref, Val};
}

/// A built-in rule: metadata and check, side by side.
pub struct Rule {
    /// Stable identifier (`PAL001`); never reused.
    pub id: &'static str,
    /// Kebab-case name, usable wherever an id is.
    pub name: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    /// Practice IDs from `shared/PRACTICES.md`.
    pub practices: &'static [&'static str],
    /// Counterparts in published benchmarks and peer scanners
    /// (`CIS AWS 5.2`, `AWS FSBP EC2.19`, `CKV_AWS_24`).
    pub benchmarks: &'static [&'static str],
    /// Why it matters.
    pub description: &'static str,
    pub remediation: &'static str,
    pub references: &'static [&'static str],
    pub check: fn(&Model, &mut Ctx),
}

impl Rule {
    pub fn info(&self) -> RuleInfo {
        RuleInfo {
            id: self.id.into(),
            name: self.name.into(),
            title: self.title.into(),
            severity: self.severity,
            practices: self.practices.iter().map(|p| p.to_string()).collect(),
            description: self.description.into(),
            remediation: self.remediation.into(),
            benchmarks: self.benchmarks.iter().map(|b| b.to_string()).collect(),
            references: self.references.iter().map(|r| r.to_string()).collect(),
        }
    }

    /// True when `key` names this rule by id or name (case-insensitive).
    pub fn is(&self, key: &str) -> bool {
        self.id.eq_ignore_ascii_case(key) || self.name.eq_ignore_ascii_case(key)
    }
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule").field("id", &self.id).finish()
    }
}

/// Every built-in rule, sorted by id.
pub fn all() -> Vec<&'static Rule> {
    let mut rules: Vec<&'static Rule> = registry::ALL.to_vec();
    rules.sort_by_key(|r| r.id);
    rules
}

/// Looks a rule up by id or name.
pub fn find(key: &str) -> Option<&'static Rule> {
    registry::ALL.iter().copied().find(|r| r.is(key))
}

/// What a rule sees while it runs and where it puts its results.
pub struct Ctx<'p> {
    rule: &'static Rule,
    pub params: &'p Params,
    findings: Vec<Finding>,
    unknowns: Vec<Unknown>,
}

impl<'p> Ctx<'p> {
    pub fn new(rule: &'static Rule, params: &'p Params) -> Self {
        Ctx {
            rule,
            params,
            findings: Vec::new(),
            unknowns: Vec::new(),
        }
    }

    /// Reports a finding on `resource`, at `at` (the offending attribute)
    /// or else the resource's own location.
    pub fn report(&mut self, resource: &Meta, at: Option<&Location>, message: impl Into<String>) {
        let message = message.into();
        let location = at.cloned().unwrap_or_else(|| resource.loc.clone());
        self.findings.push(Finding {
            rule: self.rule.id.into(),
            severity: self.rule.severity,
            title: self.rule.title.into(),
            practices: self.rule.practices.iter().map(|p| p.to_string()).collect(),
            resource: resource.address.clone(),
            fingerprint: fingerprint(&[self.rule.id, &resource.address, &message]),
            location,
            message,
            remediation: self.rule.remediation.into(),
        });
    }

    /// The decided value of `v`, or `None` after recording that the rule
    /// could not decide `attribute` of `resource`. Use it for every value a
    /// verdict depends on, so unknowns never turn into findings silently or
    /// vanish from the report.
    pub fn known<'v, T>(
        &mut self,
        resource: &Meta,
        attribute: &str,
        v: &'v Val<T>,
    ) -> Option<&'v T> {
        match v {
            Val::Unknown { reason, loc } => {
                self.unknown(resource, attribute, loc.as_ref(), reason.clone());
                None
            }
            _ => v.get(),
        }
    }

    /// Records that `attribute` of `resource` could not be decided.
    pub fn unknown(
        &mut self,
        resource: &Meta,
        attribute: &str,
        loc: Option<&Location>,
        reason: impl Into<String>,
    ) {
        self.unknowns.push(Unknown {
            resource: resource.address.clone(),
            attribute: attribute.into(),
            location: Some(loc.cloned().unwrap_or_else(|| resource.loc.clone())),
            reason: format!("{} (rule {})", reason.into(), self.rule.id),
        });
    }

    pub fn into_results(self) -> (Vec<Finding>, Vec<Unknown>) {
        (self.findings, self.unknowns)
    }
}

/// Runs `rules` over `model`.
pub fn run(
    model: &Model,
    rules: &[&'static Rule],
    params: &Params,
) -> (Vec<Finding>, Vec<Unknown>) {
    let mut findings = Vec::new();
    let mut unknowns = Vec::new();
    for rule in rules {
        let mut cx = Ctx::new(rule, params);
        (rule.check)(model, &mut cx);
        let (f, u) = cx.into_results();
        findings.extend(f);
        unknowns.extend(u);
    }
    (findings, unknowns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_and_names_are_unique_and_well_formed() {
        let mut ids = HashSet::new();
        let mut names = HashSet::new();
        for r in all() {
            assert!(ids.insert(r.id), "duplicate rule id {}", r.id);
            assert!(names.insert(r.name), "duplicate rule name {}", r.name);
            assert!(
                r.id.starts_with("PAL") && r.id.len() == 6,
                "bad id {}",
                r.id
            );
            assert!(!r.title.is_empty() && !r.description.is_empty() && !r.remediation.is_empty());
            assert!(!r.practices.is_empty(), "{} cites no practice", r.id);
            for p in r.practices {
                assert!(practice(p).is_some(), "{} cites unknown practice {p}", r.id);
            }
        }
    }

    #[test]
    fn practice_table_matches_shared_copy_when_present() {
        let shared =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/PRACTICES.md");
        let Ok(text) = std::fs::read_to_string(shared) else {
            return; // not checked out beside shared/
        };
        for p in PRACTICES {
            assert!(
                text.contains(&format!("| {} |", p.id)),
                "{} missing from PRACTICES.md",
                p.id
            );
        }
        // And the other way round: every practice row of the shared file is in the table.
        for line in text.lines().filter(|l| l.starts_with("| ")) {
            let id = line
                .trim_start_matches("| ")
                .split(' ')
                .next()
                .unwrap_or("");
            let is_id = id.len() >= 5
                && id.contains('-')
                && id
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
            if is_id {
                assert!(
                    practice(id).is_some(),
                    "{id} from PRACTICES.md missing in practices.rs"
                );
            }
        }
    }
}
