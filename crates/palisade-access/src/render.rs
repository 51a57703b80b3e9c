//! Plain-text rendering of `who` and `what` answers.

use crate::decide::{Access, StatementRef, Verdict};
use crate::what::WhatReport;
use crate::who::{ChainStep, GrantView, WhoEntry, WhoReport};
use std::collections::BTreeMap;
use std::fmt::Write;

fn statement(s: &StatementRef) -> String {
    let sid = s
        .sid
        .as_deref()
        .map(|x| format!(" {x}"))
        .unwrap_or_default();
    let loc = s
        .loc
        .as_ref()
        .map(|l| format!(" ({l})"))
        .unwrap_or_default();
    format!("{} #{}{sid}{loc}", s.policy, s.statement)
}

fn access_lines(out: &mut String, a: &Access, indent: &str) {
    for s in &a.via {
        let _ = writeln!(out, "{indent}via {}", statement(s));
    }
    if !a.conditions.is_empty() {
        let c: Vec<String> = a
            .conditions
            .iter()
            .map(|c| format!("{c} [{}]", c.category))
            .collect();
        let _ = writeln!(out, "{indent}when {}", c.join(" and "));
    }
    for s in &a.unless {
        let c: Vec<String> = s.conditions.iter().map(ToString::to_string).collect();
        let _ = writeln!(
            out,
            "{indent}unless denied by {} when {}",
            statement(s),
            c.join(" and ")
        );
    }
    if !a.example.is_empty() {
        let e: Vec<String> = a
            .example
            .iter()
            .map(|(k, v)| format!("{k}={}", v.join(",")))
            .collect();
        let _ = writeln!(out, "{indent}e.g. with {}", e.join(" "));
    }
    for n in &a.notes {
        let _ = writeln!(out, "{indent}note: {n}");
    }
}

/// Groups grants with the same answer and target.
fn grouped(grants: &[GrantView]) -> Vec<(Vec<String>, &GrantView)> {
    let mut groups: BTreeMap<String, (Vec<String>, &GrantView)> = BTreeMap::new();
    let mut order = Vec::new();
    for g in grants {
        let key = format!(
            "{}|{}",
            g.target,
            serde_json::to_string(&g.access).unwrap_or_default()
        );
        let e = groups.entry(key.clone()).or_insert_with(|| {
            order.push(key.clone());
            (Vec::new(), g)
        });
        if !e.0.contains(&g.action) {
            e.0.push(g.action.clone());
        }
    }
    order
        .into_iter()
        .filter_map(|k| groups.remove(&k))
        .collect()
}

fn chain_lines(out: &mut String, chain: &[ChainStep]) {
    for c in chain {
        let _ = writeln!(out, "  {} --{}--> {}: {}", c.from, c.how, c.to, c.detail);
        if let Some(t) = &c.trust {
            if t.verdict != Verdict::Allowed {
                let _ = writeln!(out, "    trust is {}", t.verdict.as_str());
            }
            access_lines(out, t, "    trust ");
        }
    }
}

fn entry(out: &mut String, e: &WhoEntry) {
    let name = e
        .principal
        .name
        .as_deref()
        .filter(|_| e.principal.kind.starts_with("iam"))
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    let _ = writeln!(out, "{} {}{name}", e.principal.kind, e.principal.id);
    chain_lines(out, &e.chain);
    for (actions, g) in grouped(&e.grants) {
        let _ = writeln!(
            out,
            "  {:<12} {} on {}",
            g.access.verdict.as_str(),
            actions.join(", "),
            g.target
        );
        access_lines(out, &g.access, "               ");
    }
    for g in &e.rbac {
        let _ = writeln!(
            out,
            "  {:<12} {} {} via {} -> {} ({}){}",
            "allowed",
            g.verb,
            g.scope,
            g.binding,
            g.role,
            g.rule.describe(),
            if g.approximate {
                " [built-in role, main rules]"
            } else {
                ""
            }
        );
    }
}

/// `who` as text.
pub fn who_text(r: &WhoReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "who can act on {}", r.resource.id);
    if let Some(arn) = &r.resource.arn {
        let _ = writeln!(out, "  arn {arn}");
    }
    let _ = writeln!(out, "  account {}", r.account);
    let _ = writeln!(out, "  actions {}", r.actions.join(", "));
    let _ = writeln!(out);
    let (sure, unsure): (Vec<&WhoEntry>, Vec<&WhoEntry>) = r
        .entries
        .iter()
        .partition(|e| e.verdict().grants() || !e.rbac.is_empty());
    if sure.is_empty() {
        let _ = writeln!(out, "nobody is allowed");
    }
    for e in sure {
        entry(&mut out, e);
    }
    if !unsure.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "undetermined (unknown policy parts decide):");
        for e in unsure {
            entry(&mut out, e);
        }
    }
    if !r.notes.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "notes:");
        for n in &r.notes {
            let _ = writeln!(out, "  - {n}");
        }
    }
    out
}

/// `what` as text.
pub fn what_text(r: &WhatReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "what {} {} can do (account {})",
        r.principal.kind, r.principal.id, r.account
    );
    if r.identities.is_empty() {
        let _ = writeln!(out, "  it reaches no IAM identity");
    }
    for i in &r.identities {
        if i.chain.is_empty() {
            continue;
        }
        let _ = writeln!(out, "acts as {}", i.role);
        chain_lines(&mut out, &i.chain);
    }
    for (svc, list) in &r.services {
        let _ = writeln!(out);
        let _ = writeln!(out, "[{svc}]");
        for g in list {
            let _ = writeln!(out, "{} {} (as {})", g.resource, g.target, g.identity);
            let views: Vec<GrantView> = g
                .actions
                .iter()
                .map(|a| GrantView {
                    action: a.action.clone(),
                    target: g.target.clone(),
                    arn: g.arn.clone(),
                    access: a.access.clone(),
                })
                .collect();
            for (actions, v) in grouped(&views) {
                let _ = writeln!(
                    out,
                    "  {:<12} {}",
                    v.access.verdict.as_str(),
                    actions.join(", ")
                );
                access_lines(&mut out, &v.access, "               ");
            }
        }
    }
    if !r.beyond_model.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "[beyond the scanned resources]");
        for b in &r.beyond_model {
            let sid = b
                .sid
                .as_deref()
                .map(|s| format!(" {s}"))
                .unwrap_or_default();
            let cond = if b.conditions.is_empty() {
                String::new()
            } else {
                let c: Vec<String> = b.conditions.iter().map(ToString::to_string).collect();
                format!(" when {}", c.join(" and "))
            };
            let _ = writeln!(
                out,
                "  {} on {} (as {}, {} #{}{sid}){cond}",
                b.actions.join(", "),
                b.resources.join(", "),
                b.identity,
                b.policy,
                b.statement
            );
        }
    }
    if !r.kubernetes.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "[kubernetes]");
        for k in &r.kubernetes {
            let _ = writeln!(
                out,
                "  {} {} via {} -> {} (as {})",
                k.rule.describe(),
                k.scope,
                k.binding,
                k.role,
                k.subject.display()
            );
        }
    }
    if !r.notes.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "notes:");
        for n in &r.notes {
            let _ = writeln!(out, "  - {n}");
        }
    }
    out
}
