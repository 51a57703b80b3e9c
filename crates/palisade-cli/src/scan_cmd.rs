//! `palisade scan` and `palisade model`.

use crate::exit;
use clap::Args;
use palisade_model::finding::{Severity, SuppressionSource};
use palisade_report::{Format, TextOptions};
use palisade_scan::{scan, Baseline, Config, ScanOptions};
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
    /// A CloudFormation parameter value, `NAME=VALUE` (repeatable; list
    /// parameters take comma-separated values). Parameters without a value
    /// or default are unknown.
    #[arg(long = "parameter", value_name = "NAME=VALUE")]
    pub parameters: Vec<String>,
    /// A CloudFormation pseudo parameter, e.g. `AWS::Region=eu-west-1` or
    /// `AWS::AccountId=111122223333` (repeatable; unknown when not given).
    #[arg(long = "pseudo", value_name = "NAME=VALUE")]
    pub pseudo: Vec<String>,
    /// A Terraform plan in JSON (`terraform show -json plan.out > plan.json`; repeatable).
    /// Without PATH, only the plans are scanned.
    #[arg(long = "plan", value_name = "FILE")]
    pub plans: Vec<PathBuf>,
    /// The configuration directory the plans were made from (for locations;
    /// default: the plan's own directory when it holds .tf files).
    #[arg(long = "plan-config", value_name = "DIR")]
    pub plan_config: Option<PathBuf>,
    /// Settings file (default: palisade.toml in the first path's directory or a parent).
    #[arg(long = "config", value_name = "FILE")]
    pub config: Option<PathBuf>,
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
    /// Report only findings at or above this severity; also the exit-code
    /// threshold (default: `threshold` of palisade.toml, else low).
    #[arg(long, value_name = "SEVERITY")]
    pub min_severity: Option<Severity>,
    /// Run only these rules (id or name; repeatable).
    #[arg(long = "rule", value_name = "RULE")]
    pub rules: Vec<String>,
    /// Skip these rules (id or name; repeatable).
    #[arg(long = "skip-rule", value_name = "RULE")]
    pub skip_rules: Vec<String>,
    /// A directory (or file) of custom rules in Rego (repeatable; besides
    /// `custom_rules` of palisade.toml). See crates/palisade-rego/MODEL.md.
    #[arg(long = "rules-dir", value_name = "DIR")]
    pub rules_dirs: Vec<PathBuf>,
    /// Never colour the text output (also: NO_COLOR in the environment).
    #[arg(long)]
    pub no_color: bool,
    /// Report only findings that are not in this previous JSON report (matched
    /// by fingerprint); the others are listed as suppressed.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write the current findings to FILE as a baseline (JSON report).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ModelArgs {
    #[command(flatten)]
    pub input: InputArgs,
}

/// `NAME=VALUE` options.
fn parse_pairs(flag: &str, items: &[String]) -> Result<Vec<(String, String)>, String> {
    items
        .iter()
        .map(|v| {
            v.split_once('=')
                .map(|(k, val)| (k.trim().to_string(), val.to_string()))
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| format!("{flag} expects NAME=VALUE, got `{v}`"))
        })
        .collect()
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

/// The settings file: `--config`, or the nearest `palisade.toml` above the
/// first scanned path.
fn config(input: &InputArgs) -> Result<Config, String> {
    if let Some(path) = &input.config {
        if !path.is_file() {
            return Err(format!("--config {}: no such file", path.display()));
        }
        return Config::load(path);
    }
    let start = input
        .paths
        .first()
        .or(input.plans.first())
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    match Config::find(&start) {
        Some(path) => Config::load(&path),
        None => Ok(Config::default()),
    }
}

fn options(input: &InputArgs, cfg: &Config) -> Result<ScanOptions, String> {
    let mut opts = ScanOptions::default();
    if !input.paths.is_empty() {
        opts.paths = input.paths.clone();
    } else if !input.plans.is_empty() {
        opts.paths.clear();
    }
    for p in &input.plans {
        if !p.is_file() {
            return Err(format!("--plan {}: no such file", p.display()));
        }
    }
    if let Some(d) = &input.plan_config {
        if !d.is_dir() {
            return Err(format!("--plan-config {}: not a directory", d.display()));
        }
    }
    opts.plans = input.plans.clone();
    opts.plan_config = input.plan_config.clone();
    opts.params = cfg.params.clone();
    opts.exclude = cfg.exclude.clone();
    opts.severity = cfg.severity.clone();
    opts.ignores = cfg.ignores.clone();
    for f in &input.var_files {
        if !f.is_file() {
            return Err(format!("--var-file {}: no such file", f.display()));
        }
    }
    opts.terraform.var_files = input.var_files.clone();
    opts.terraform.vars = parse_vars(&input.vars)?;
    opts.cloudformation.parameters = parse_pairs("--parameter", &input.parameters)?;
    opts.cloudformation.pseudo = parse_pairs("--pseudo", &input.pseudo)?;
    Ok(opts)
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

/// The custom rules of `--rules-dir` and palisade.toml's `custom_rules`,
/// compiled once. Their problems are reported with the scan.
pub fn custom_rules(
    dirs: &[PathBuf],
    cfg: &Config,
    base: &std::path::Path,
) -> Result<palisade_rego::RuleSet, String> {
    for d in dirs {
        if !d.exists() {
            return Err(format!("--rules-dir {}: no such directory", d.display()));
        }
    }
    let all: Vec<PathBuf> = dirs.iter().chain(&cfg.custom_rules).cloned().collect();
    if all.is_empty() {
        return Ok(palisade_rego::RuleSet::default());
    }
    let base = base.to_path_buf();
    Ok(palisade_rego::RuleSet::load(&all, &move |p| {
        palisade_scan::display_path(&base, p)
    }))
}

/// `--rule` / `--skip-rule` over built-in and custom rules: the built-in
/// rules to run, and `custom` narrowed to the custom rules to run.
fn select(
    cfg: &Config,
    only: &[String],
    skip: &[String],
    custom: &mut palisade_rego::RuleSet,
) -> Result<Vec<&'static palisade_rules::Rule>, String> {
    let builtin = |k: &&String| palisade_rules::find(k).is_some();
    for key in only.iter().chain(skip) {
        if !builtin(&key) && custom.find(key).is_none() {
            return Err(format!("unknown rule `{key}` (see `palisade rules`)"));
        }
    }
    let b_only: Vec<String> = only.iter().filter(builtin).cloned().collect();
    let b_skip: Vec<String> = skip.iter().filter(builtin).cloned().collect();
    custom.retain(|r| {
        (only.is_empty() || only.iter().any(|k| r.is(k))) && !skip.iter().any(|k| r.is(k))
    });
    if !only.is_empty() && b_only.is_empty() {
        // Only custom rules were named.
        return Ok(Vec::new());
    }
    cfg.select_rules(&b_only, &b_skip)
}

pub fn run(args: ScanArgs) -> Result<u8, String> {
    let format: Format = args.format.parse()?;
    let cfg = config(&args.input)?;
    let mut opts = options(&args.input, &cfg)?;
    let mut custom = custom_rules(&args.rules_dirs, &cfg, &opts.display_base)?;
    opts.rules = select(&cfg, &args.rules, &args.skip_rules, &mut custom)?;
    opts.custom_rules = custom;
    if let Some(path) = &args.baseline {
        opts.baseline = Some(Baseline::load(path)?);
    }
    let min = args.min_severity.or(cfg.threshold).unwrap_or(Severity::Low);
    let bar = progress();
    let outcome = scan(&opts);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut report = outcome.report;
    report.findings.retain(|f| f.severity >= min);
    report.suppressed.retain(|s| s.finding.severity >= min);
    report.normalise();

    if let Some(path) = &args.write_baseline {
        // Every finding still open or accepted by the old baseline.
        let mut base = report.clone();
        base.findings.extend(
            std::mem::take(&mut base.suppressed)
                .into_iter()
                .filter(|s| s.source == SuppressionSource::Baseline)
                .map(|s| s.finding),
        );
        base.normalise();
        let mut buf = Vec::new();
        palisade_report::render(&base, Format::Json, &TextOptions::default(), &mut buf)
            .map_err(|e| e.to_string())?;
        std::fs::write(path, &buf)
            .map_err(|e| format!("cannot write baseline {}: {e}", path.display()))?;
    }

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
    let cfg = config(&args.input)?;
    let opts = options(&args.input, &cfg)?;
    let (model, report, _) = palisade_scan::load(&opts);
    let json = model.redacted(
        serde_json::json!({ "model": model, "errors": report.errors, "unknowns": report.unknowns }),
    );
    let text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
    println!("{text}");
    Ok(if report.errors.is_empty() {
        exit::CLEAN
    } else {
        exit::ERROR
    })
}
