//! `palisade scan` and `palisade model`.

use crate::exit;
use clap::Args;
use palisade_model::finding::Severity;
use palisade_report::{Format, TextOptions};
use palisade_scan::{scan, ScanOptions};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args, Debug)]
pub struct InputArgs {
    /// Files or directories to scan (default: the current directory).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// A Terraform variables file (repeatable; loaded after terraform.tfvars and *.auto.tfvars).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// A Terraform variable, `NAME=VALUE` (repeatable; VALUE is HCL, e.g. `'["a","b"]'`).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, short, default_value = "text", value_parser = ["text", "json", "sarif", "junit", "markdown"])]
    pub format: String,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Report only findings at or above this severity; also the exit-code threshold.
    #[arg(long, default_value = "low", value_name = "SEVERITY")]
    pub min_severity: Severity,
    /// Run only these rules (id or name; repeatable).
    #[arg(long = "rule", value_name = "RULE")]
    pub rules: Vec<String>,
    /// Skip these rules (id or name; repeatable).
    #[arg(long = "skip-rule", value_name = "RULE")]
    pub skip_rules: Vec<String>,
    /// Never colour the text output (also: NO_COLOR in the environment).
    #[arg(long)]
    pub no_color: bool,
}

#[derive(Args, Debug)]
pub struct ModelArgs {
    #[command(flatten)]
    pub input: InputArgs,
}

fn parse_vars(vars: &[String]) -> Result<Vec<(String, String)>, String> {
    vars.iter()
        .map(|v| {
            v.split_once('=')
                .map(|(k, val)| (k.trim().to_string(), val.to_string()))
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| format!("--var expects NAME=VALUE, got `{v}`"))
        })
        .collect()
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
    opts.terraform.vars = parse_vars(&input.vars)?;
    Ok(opts)
}

fn select_rules(
    only: &[String],
    skip: &[String],
) -> Result<Vec<&'static palisade_rules::Rule>, String> {
    for key in only.iter().chain(skip) {
        if palisade_rules::find(key).is_none() {
            return Err(format!("unknown rule `{key}` (see `palisade rules`)"));
        }
    }
    Ok(palisade_rules::all()
        .into_iter()
        .filter(|r| only.is_empty() || only.iter().any(|k| r.is(k)))
        .filter(|r| !skip.iter().any(|k| r.is(k)))
        .collect())
}

/// A spinner on stderr, only when stderr is a terminal and the scan takes
/// longer than a moment.
fn progress() -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    bar.set_message("scanning");
    let shown = bar.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(700));
        if !shown.is_finished() {
            shown.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            shown.enable_steady_tick(Duration::from_millis(100));
        }
    });
    Some(bar)
}

pub fn run(args: ScanArgs) -> Result<u8, String> {
    let format: Format = args.format.parse()?;
    let mut opts = options(&args.input)?;
    opts.rules = select_rules(&args.rules, &args.skip_rules)?;
    let bar = progress();
    let outcome = scan(&opts);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut report = outcome.report;
    report.findings.retain(|f| f.severity >= args.min_severity);
    report.normalise();

    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = to_terminal && !args.no_color && std::env::var_os("NO_COLOR").is_none();
    let text = TextOptions {
        color,
        source_root: Some(opts.display_base.clone()),
    };
    let mut buf = Vec::new();
    palisade_report::render(&report, format, &text, &mut buf).map_err(|e| e.to_string())?;
    match &args.output {
        Some(path) => std::fs::write(path, &buf)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (e.g. `| head`) is not an error worth a message.
            let _ = out.write_all(&buf).and_then(|()| out.flush());
        }
    }
    Ok(if !report.errors.is_empty() {
        exit::ERROR
    } else if !report.findings.is_empty() {
        exit::FINDINGS
    } else {
        exit::CLEAN
    })
}

pub fn run_model(args: ModelArgs) -> Result<u8, String> {
    let opts = options(&args.input)?;
    let (model, report, _) = palisade_scan::load(&opts);
    let json =
        serde_json::json!({ "model": model, "errors": report.errors, "unknowns": report.unknowns });
    let text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
    println!("{text}");
    Ok(if report.errors.is_empty() {
        exit::CLEAN
    } else {
        exit::ERROR
    })
}
