//! `palisade paths`: exact reachability between any two points of the
//! model, hop by hop and layer by layer; the workload connectivity matrix;
//! the exposure of every data store; the blast radius of an endpoint.

use crate::exit;
use crate::scan_cmd::InputArgs;
use clap::Args;
use palisade_reach::hop::{request, Hop};
use palisade_reach::net::Net;
use palisade_reach::netpol::Matrix;
use palisade_reach::paths::{resolve, Analysis, PathOptions};
use palisade_reach::render;
use palisade_scan::ScanOptions;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

#[derive(Args, Debug)]
pub struct PathsArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Where traffic starts: `internet`, a CIDR, a resource address
    /// (`aws_lb.app`, `Deployment/prod/api`), `any-pod` or `namespace:NS`.
    /// Alone: everything it reaches (blast radius).
    #[arg(long, value_name = "SRC")]
    pub from: Option<String>,
    /// Where traffic ends (same forms as --from). Alone: everything that reaches it.
    #[arg(long, value_name = "DST")]
    pub to: Option<String>,
    /// Destination port or range (`5432`, `8000-8999`).
    #[arg(long, value_name = "PORT")]
    pub port: Option<String>,
    /// Transport protocol (`tcp`, `udp`, `sctp`); with --port alone, TCP and UDP.
    #[arg(long, value_name = "PROTOCOL")]
    pub protocol: Option<String>,
    /// The workload connectivity matrix (NetworkPolicies).
    #[arg(long, conflicts_with_all = ["from", "to", "exposure"])]
    pub matrix: bool,
    /// With --matrix: only connections from or to this namespace.
    #[arg(long, value_name = "NS", requires = "matrix")]
    pub namespace: Option<String>,
    /// Every data store with the sources that reach it and the controls on each path.
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub exposure: bool,
    /// Output format: text, json, dot (Graphviz) or svg (runs Graphviz `dot`).
    #[arg(long, short, default_value = "text", value_parser = ["text", "json", "dot", "svg"])]
    pub format: String,
    /// Write the output to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Identifiers assigned at apply time, bound to resources of the input:
    /// a JSON object (`{"sg-0123": "aws_security_group.app"}`), a Terraform
    /// state file or `terraform show -json` output (repeatable).
    #[arg(long = "ids", value_name = "FILE")]
    pub ids: Vec<PathBuf>,
    /// Longest path searched, in hops.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub max_hops: usize,
    /// How many compute endpoints (pods, instances) a path may pass through.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub max_pivots: usize,
}

fn options(input: &InputArgs) -> Result<ScanOptions, String> {
    let mut opts = ScanOptions::default();
    if !input.paths.is_empty() {
        opts.paths = input.paths.clone();
    }
    for f in &input.var_files {
        if !f.is_file() {
            return Err(format!("--var-file {}: no such file", f.display()));
        }
    }
    opts.terraform.var_files = input.var_files.clone();
    opts.terraform.vars = input
        .vars
        .iter()
        .map(|v| {
            v.split_once('=')
                .map(|(k, val)| (k.trim().to_string(), val.to_string()))
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| format!("--var expects NAME=VALUE, got `{v}`"))
        })
        .collect::<Result<_, _>>()?;
    Ok(opts)
}

fn emit(args: &PathsArgs, text: &str) -> Result<(), String> {
    let out = if args.format == "svg" {
        svg(text)?
    } else {
        text.to_string()
    };
    match &args.output {
        Some(p) => std::fs::write(p, out).map_err(|e| format!("cannot write {}: {e}", p.display())),
        None => {
            let mut o = std::io::stdout().lock();
            o.write_all(out.as_bytes())
                .and_then(|_| o.flush())
                .map_err(|e| format!("cannot write output: {e}"))
        }
    }
}

/// Renders DOT to SVG with Graphviz.
fn svg(dot: &str) -> Result<String, String> {
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|_| {
            "--format svg needs Graphviz's `dot`, which was not found: install it \
             (`apt-get install graphviz`, `brew install graphviz`) or use --format dot"
                .to_string()
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(dot.as_bytes())
            .map_err(|e| format!("cannot run dot: {e}"))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| format!("cannot run dot: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "dot failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    String::from_utf8(out.stdout).map_err(|_| "dot produced invalid UTF-8".into())
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, String> {
    serde_json::to_string_pretty(v)
        .map(|s| s + "\n")
        .map_err(|e| format!("cannot serialise: {e}"))
}

pub fn run(args: PathsArgs) -> Result<u8, String> {
    if !args.matrix && !args.exposure && args.from.is_none() && args.to.is_none() {
        return Err("say what to compute: --from and/or --to, --matrix, or --exposure".into());
    }
    let opts = options(&args.input)?;
    let (model, report, _) = palisade_scan::load(&opts);
    for e in &report.errors {
        eprintln!(
            "warning: {}{}: {}",
            e.file,
            e.line.map(|l| format!(":{l}")).unwrap_or_default(),
            e.message
        );
    }
    let mut bindings = Vec::new();
    for f in &args.ids {
        let text =
            std::fs::read_to_string(f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
        bindings.extend(
            palisade_reach::bind::parse(&text).map_err(|e| format!("{}: {e}", f.display()))?,
        );
    }
    let code = if report.errors.is_empty() {
        exit::CLEAN
    } else {
        exit::ERROR
    };

    if args.matrix {
        let net = Net::with_bindings(&model, &bindings);
        let m = net.cluster.matrix(args.namespace.as_deref());
        let text = match args.format.as_str() {
            "json" => json(&m.entries)?,
            "dot" | "svg" => matrix_dot(&m),
            _ => matrix_text(&m),
        };
        for u in &m.unknowns {
            eprintln!("unknown: {u}");
        }
        emit(&args, &text)?;
        return Ok(code);
    }

    let req = request(args.protocol.as_deref(), args.port.as_deref())?;
    let mut net = Net::with_bindings(&model, &bindings);
    for n in &net.notes {
        eprintln!("note: {n}");
    }
    let from = match &args.from {
        Some(f) => Some(resolve(&mut net, f)?),
        None => None,
    };
    let to = match &args.to {
        Some(t) => Some(resolve(&mut net, t)?),
        None => None,
    };
    let mut an = Analysis::new(&net);
    an.opts = PathOptions {
        max_hops: args.max_hops.max(1),
        max_pivots: args.max_pivots,
        ..PathOptions::default()
    };

    if args.exposure {
        let ex = an.exposure();
        let text = match args.format.as_str() {
            "json" => json(&ex)?,
            "dot" | "svg" => {
                let hops: Vec<Hop> = ex
                    .iter()
                    .flat_map(|e| {
                        e.internet_paths
                            .iter()
                            .flat_map(|p| p.hops.iter().cloned())
                            .collect::<Vec<_>>()
                    })
                    .collect();
                let mut direct = Vec::new();
                for e in &ex {
                    let Some(d) = net.find(&e.store) else {
                        continue;
                    };
                    for s in &e.sources {
                        if let Some(si) = net.find(&s.source) {
                            direct.push((*an.hop(si, d, &req)).clone());
                        }
                    }
                }
                let all: Vec<&Hop> = hops.iter().chain(direct.iter()).collect();
                render::dot(&net, &all)
            }
            _ => render::exposure_text(&ex),
        };
        emit(&args, &text)?;
        return Ok(code);
    }

    match (from, to) {
        (Some(from), Some(to)) => {
            let mut reports = Vec::new();
            for &f in &from {
                for &t in &to {
                    if f != t {
                        reports.push(an.paths(f, t, &req));
                    }
                }
            }
            let text = match args.format.as_str() {
                "json" => {
                    if reports.len() == 1 {
                        json(&reports[0])?
                    } else {
                        json(&reports)?
                    }
                }
                "dot" | "svg" => {
                    let hops: Vec<&Hop> = reports
                        .iter()
                        .flat_map(|r| {
                            std::iter::once(&r.direct)
                                .chain(r.paths.iter().flat_map(|p| p.hops.iter()))
                        })
                        .collect();
                    render::dot(&net, &hops)
                }
                _ => reports
                    .iter()
                    .map(render::paths_text)
                    .collect::<Vec<_>>()
                    .join("\n"),
            };
            emit(&args, &text)?;
        }
        (Some(from), None) => {
            let radii: Vec<_> = from.iter().map(|&f| an.blast_radius(f, &req)).collect();
            let text = match args.format.as_str() {
                "json" => {
                    if radii.len() == 1 {
                        json(&radii[0])?
                    } else {
                        json(&radii)?
                    }
                }
                "dot" | "svg" => {
                    let mut hops = Vec::new();
                    for &f in &from {
                        for r in radii.iter().flat_map(|b| b.reach.iter()) {
                            if let Some(t) = net.find(&r.source) {
                                hops.push((*an.hop(f, t, &req)).clone());
                            }
                        }
                    }
                    render::dot(&net, &hops.iter().collect::<Vec<_>>())
                }
                _ => radii
                    .iter()
                    .map(render::blast_text)
                    .collect::<Vec<_>>()
                    .join("\n"),
            };
            emit(&args, &text)?;
        }
        (None, Some(to)) => {
            // Everything that reaches DST: every endpoint as a source.
            let n = net.ends.len();
            let mut reports = Vec::new();
            for &t in &to {
                for f in 0..n {
                    if f == t {
                        continue;
                    }
                    let h = an.hop(f, t, &req);
                    if !h.possibly.is_empty() {
                        reports.push((*h).clone());
                    }
                }
            }
            let text = match args.format.as_str() {
                "json" => json(&reports)?,
                "dot" | "svg" => render::dot(&net, &reports.iter().collect::<Vec<_>>()),
                _ => {
                    let mut s = String::new();
                    if reports.is_empty() {
                        s.push_str("Nothing reaches it.\n");
                    }
                    for h in &reports {
                        render::hop_text(&mut s, h, "");
                        s.push('\n');
                    }
                    s
                }
            };
            emit(&args, &text)?;
        }
        (None, None) => {}
    }
    Ok(code)
}

fn matrix_text(m: &Matrix) -> String {
    let mut s = String::new();
    for e in &m.entries {
        s.push_str(&format!("{} => {} : {}\n", e.src, e.dst, e.conn));
    }
    s
}

fn matrix_dot(m: &Matrix) -> String {
    let esc = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let mut s = String::from("digraph matrix {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9, color=forestgreen];\n");
    for e in &m.entries {
        s.push_str(&format!(
            "  \"{}\" -> \"{}\" [label=\"{}\"];\n",
            esc(&e.src),
            esc(&e.dst),
            esc(&e.conn)
        ));
    }
    s.push_str("}\n");
    s
}
