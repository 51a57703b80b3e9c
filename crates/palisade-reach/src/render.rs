//! Text and Graphviz renderings of hops, paths, exposure and blast radius.

use crate::hop::{Hop, Layer, Verdict};
use crate::net::{Net, Places};
use crate::paths::{BlastRadius, Exposure, Path, PathsReport, Source};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Allow => "ALLOWED",
        Verdict::Deny => "BLOCKED",
        Verdict::Unknown => "UNKNOWN",
    }
}

fn layer_text(out: &mut String, l: &Layer, indent: &str) {
    let conns = match l.verdict {
        Verdict::Allow if l.allowed != l.possibly => {
            format!("{} (possibly {})", l.allowed, l.possibly)
        }
        Verdict::Allow => l.allowed.to_string(),
        Verdict::Unknown => format!("possibly {}", l.possibly),
        Verdict::Deny => "nothing".into(),
    };
    let _ = writeln!(
        out,
        "{indent}{:<7} {}: {} — {conns}{}",
        l.verdict.as_str(),
        l.kind.label(),
        l.name,
        if l.control || l.verdict == Verdict::Deny {
            ""
        } else {
            " [not a control]"
        }
    );
    for h in &l.hits {
        let _ = writeln!(
            out,
            "{indent}          {} {}{}",
            if h.allow { "+" } else { "-" },
            h.what,
            h.at.as_ref().map(|a| format!(" ({a})")).unwrap_or_default()
        );
    }
    for n in &l.notes {
        let _ = writeln!(out, "{indent}          ! {n}");
    }
}

/// One hop, every layer.
pub fn hop_text(out: &mut String, h: &Hop, indent: &str) {
    let conns = match h.verdict {
        Verdict::Allow if h.conns != h.possibly => format!("{} (possibly {})", h.conns, h.possibly),
        Verdict::Allow => h.conns.to_string(),
        Verdict::Unknown => format!("possibly {}", h.possibly),
        Verdict::Deny => "nothing gets through".into(),
    };
    let via = if h.via.is_empty() {
        String::new()
    } else {
        format!(" via {}", h.via.join(", "))
    };
    let _ = writeln!(
        out,
        "{indent}{} → {}: {} — {conns}{via}",
        h.from,
        h.to,
        verdict_word(h.verdict)
    );
    for l in &h.layers {
        layer_text(out, l, &format!("{indent}  "));
    }
    for n in &h.notes {
        let _ = writeln!(out, "{indent}  ! {n}");
    }
}

fn path_header(p: &Path) -> String {
    let what = match p.verdict {
        Verdict::Allow => format!("ALLOWED end to end: {}", p.conns),
        Verdict::Unknown => format!("UNKNOWN: possibly {}", p.possibly),
        Verdict::Deny => "BLOCKED".into(),
    };
    let pivots = if p.pivots.is_empty() {
        String::new()
    } else {
        format!(" · through compute: {}", p.pivots.join(", "))
    };
    format!(
        "{what} · {} independent control{}{pivots}",
        p.controls.len(),
        if p.controls.len() == 1 { "" } else { "s" }
    )
}

/// `paths --from --to` as text.
pub fn paths_text(r: &PathsReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "paths from {} to {} ({})", r.from, r.to, r.request);
    let _ = writeln!(out);
    let blockers = r.blocked_by.len();
    match r.direct.verdict {
        Verdict::Deny => {
            let _ = writeln!(
                out,
                "Direct: BLOCKED by {blockers} independent control{}:",
                if blockers == 1 { "" } else { "s" }
            );
            for b in &r.blocked_by {
                let _ = writeln!(out, "  - {b}");
            }
        }
        v => {
            let _ = writeln!(out, "Direct: {}", verdict_word(v));
        }
    }
    hop_text(&mut out, &r.direct, "  ");
    let _ = writeln!(out);
    let multi: Vec<&Path> = r.paths.iter().filter(|p| p.hops.len() > 1).collect();
    if multi.is_empty() {
        let _ = writeln!(out, "No path through proxies or compute.");
    } else {
        let _ = writeln!(out, "Paths through proxies and compute ({}):", multi.len());
        for (i, p) in multi.iter().enumerate() {
            let _ = writeln!(out);
            let _ = writeln!(out, "{}. {}", i + 1, p.ends.join(" → "));
            let _ = writeln!(out, "   {}", path_header(p));
            for (j, h) in p.hops.iter().enumerate() {
                let _ = write!(out, "   hop {}: ", j + 1);
                let mut s = String::new();
                hop_text(&mut s, h, "");
                let mut lines = s.lines();
                if let Some(first) = lines.next() {
                    let _ = writeln!(out, "{first}");
                }
                for l in lines {
                    let _ = writeln!(out, "     {l}");
                }
            }
            if !p.controls.is_empty() {
                let _ = writeln!(out, "   controls:");
                for c in &p.controls {
                    let _ = writeln!(out, "     - {c}");
                }
            }
        }
    }
    if r.truncated {
        let _ = writeln!(out, "\n(more paths exist; the list was cut)");
    }
    out
}

fn source_line(s: &Source) -> String {
    let conns = match s.verdict {
        Verdict::Allow => s.conns.to_string(),
        _ => format!("possibly {}", s.possibly),
    };
    format!(
        "{} ({}): {} — {conns} · {} control{}",
        s.source,
        s.kind,
        s.verdict.as_str(),
        s.controls.len(),
        if s.controls.len() == 1 { "" } else { "s" }
    )
}

/// `paths --exposure` as text.
pub fn exposure_text(list: &[Exposure]) -> String {
    let mut out = String::new();
    if list.is_empty() {
        let _ = writeln!(
            out,
            "No data store (RDS, S3, Secrets Manager) in the input."
        );
    }
    for e in list {
        let _ = writeln!(out, "{} ({})", e.store, e.kind);
        if e.sources.is_empty() {
            let _ = writeln!(out, "  no endpoint reaches it directly");
        }
        for s in &e.sources {
            let _ = writeln!(out, "  ← {}", source_line(s));
            for n in &s.notes {
                let _ = writeln!(out, "      ! {n}");
            }
        }
        let from_internet: Vec<&Path> = e
            .internet_paths
            .iter()
            .filter(|p| p.verdict != Verdict::Deny)
            .collect();
        if from_internet.is_empty() {
            let _ = writeln!(out, "  internet: no path");
        } else {
            let _ = writeln!(
                out,
                "  internet: {} path{}, fewest controls {}",
                from_internet.len(),
                if from_internet.len() == 1 { "" } else { "s" },
                e.min_internet_controls.unwrap_or(0)
            );
            for p in from_internet {
                let _ = writeln!(out, "    {} — {}", p.ends.join(" → "), path_header(p));
            }
        }
        let _ = writeln!(out);
    }
    out
}

/// Blast radius as text.
pub fn blast_text(b: &BlastRadius) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} reaches {} endpoint{}:",
        b.from,
        b.reach.len(),
        if b.reach.len() == 1 { "" } else { "s" }
    );
    for s in &b.reach {
        let _ = writeln!(out, "  → {}", source_line(s));
        for n in &s.notes {
            let _ = writeln!(out, "      ! {n}");
        }
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn color(v: Verdict) -> &'static str {
    match v {
        Verdict::Allow => "forestgreen",
        Verdict::Deny => "red3",
        Verdict::Unknown => "orange",
    }
}

/// A Graphviz drawing: VPCs and subnets (with their route table as the
/// tier), endpoints in their subnets, hops coloured by verdict.
pub fn dot(net: &Net<'_>, hops: &[&Hop]) -> String {
    let mut used: BTreeSet<&str> = BTreeSet::new();
    for h in hops {
        used.insert(&h.from);
        used.insert(&h.to);
    }
    let mut out = String::new();
    let _ = writeln!(out, "digraph palisade {{");
    let _ = writeln!(out, "  rankdir=LR; compound=true; fontname=\"Helvetica\";");
    let _ = writeln!(out, "  node [shape=box, style=\"rounded,filled\", fillcolor=white, fontname=\"Helvetica\", fontsize=10];");
    let _ = writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=9];");
    // Endpoints by their first subnet.
    let mut by_subnet: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut outside = Vec::new();
    let mut ids: BTreeMap<&str, String> = BTreeMap::new();
    for (i, e) in net.ends.iter().enumerate() {
        if !used.contains(e.id.as_str()) {
            continue;
        }
        ids.insert(&e.id, format!("n{i}"));
        match &e.places {
            Places::Subnets(v) if !v.is_empty() => by_subnet.entry(v[0]).or_default().push(i),
            _ => outside.push(i),
        }
    }
    let mut by_vpc: BTreeMap<Option<usize>, Vec<usize>> = BTreeMap::new();
    for (i, s) in net.subnets.iter().enumerate() {
        by_vpc.entry(s.vpc).or_default().push(i);
    }
    for (vpc, subnets) in &by_vpc {
        let name = vpc
            .and_then(|v| net.vpc_cidrs.get(v))
            .map(|(n, c)| {
                format!(
                    "{n} {}",
                    c.as_ref()
                        .map(|c| c.to_cidrs().join(","))
                        .unwrap_or_default()
                )
            })
            .unwrap_or_else(|| "subnets of unknown VPC".into());
        let _ = writeln!(
            out,
            "  subgraph cluster_vpc{} {{",
            vpc.map(|v| v.to_string()).unwrap_or_else(|| "x".into())
        );
        let _ = writeln!(
            out,
            "    label=\"{}\"; style=rounded; color=gray40;",
            esc(&name)
        );
        for &s in subnets {
            let Some(info) = net.subnets.get(s) else {
                continue;
            };
            let tier = info.route.table.clone().unwrap_or_default();
            let cidr = info
                .cidr
                .as_ref()
                .map(|c| c.to_cidrs().join(","))
                .unwrap_or_default();
            let _ = writeln!(out, "    subgraph cluster_s{s} {{");
            let _ = writeln!(
                out,
                "      label=\"{}\\n{}\\n{}\"; style=\"rounded,dashed\"; color=gray60; fontsize=9;",
                esc(&info.address),
                esc(&cidr),
                esc(&tier)
            );
            let _ = writeln!(out, "      s{s}_anchor [shape=point, style=invis];");
            for &i in by_subnet.get(&s).into_iter().flatten() {
                if let Some(e) = net.ends.get(i) {
                    let _ = writeln!(
                        out,
                        "      n{i} [label=\"{}\\n{}\"];",
                        esc(&e.id),
                        e.kind.label()
                    );
                }
            }
            let _ = writeln!(out, "    }}");
        }
        let _ = writeln!(out, "  }}");
    }
    for i in outside {
        if let Some(e) = net.ends.get(i) {
            let shape = if e.kind == crate::net::EndKind::Internet {
                "ellipse"
            } else {
                "box"
            };
            let _ = writeln!(
                out,
                "  n{i} [label=\"{}\\n{}\", shape={shape}];",
                esc(&e.id),
                e.kind.label()
            );
        }
    }
    let mut seen = BTreeSet::new();
    for h in hops {
        let (Some(a), Some(b)) = (ids.get(h.from.as_str()), ids.get(h.to.as_str())) else {
            continue;
        };
        if !seen.insert((a.clone(), b.clone())) {
            continue;
        }
        let label = match h.verdict {
            Verdict::Allow => h.conns.to_string(),
            Verdict::Unknown => format!("? {}", h.possibly),
            Verdict::Deny => format!("blocked ({})", h.blocking().len()),
        };
        let style = if h.verdict == Verdict::Deny {
            "dashed"
        } else {
            "solid"
        };
        let _ = writeln!(
            out,
            "  {a} -> {b} [color={}, fontcolor={}, style={style}, label=\"{}\"];",
            color(h.verdict),
            color(h.verdict),
            esc(&label)
        );
    }
    let _ = writeln!(out, "}}");
    out
}
