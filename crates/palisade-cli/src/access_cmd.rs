//! `palisade access`: questions about who can do what.

use crate::exit;
use crate::scan_cmd::InputArgs;
use clap::{Args, Subcommand};
use palisade_access::{Analysis, Options};
use palisade_scan::ScanOptions;
use std::io::{Read, Write};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct AccessArgs {
    #[command(subcommand)]
    pub command: AccessCommand,
}

/// Options shared by `who` and `what`.
#[derive(Args, Debug)]
pub struct QueryArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The AWS account the scanned resources live in (default: the most
    /// frequent account ID in the ARNs of the input).
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
    /// The AWS region (default: derived from ARNs and EKS issuer URLs).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Output format (JSON: see the palisade-access crate documentation).
    #[arg(long, short, default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
}

#[derive(Subcommand, Debug)]
pub enum AccessCommand {
    /// Evaluate IAM requests exactly as AWS does. REQUEST is a JSON file (or
    /// `-` for stdin) holding one request object or an array of them.
    Simulate {
        #[arg(value_name = "REQUEST")]
        request: PathBuf,
    },
    /// Every principal that can act on a resource: IAM users and roles, the
    /// Kubernetes service accounts and workloads that reach those roles,
    /// services, other accounts; with the conditions that apply.
    Who {
        /// A Terraform address, an ARN, or a Kubernetes Kind/namespace/name.
        #[arg(long, value_name = "ADDRESS|ARN")]
        resource: String,
        /// Only this action (repeatable; wildcards allowed; for Kubernetes
        /// objects, a verb). Default: the actions palisade lists for the resource.
        #[arg(long = "action", value_name = "ACTION")]
        actions: Vec<String>,
        #[command(flatten)]
        query: QueryArgs,
    },
    /// Everything a principal can do, grouped by service and resource.
    What {
        /// An IAM user or role (address, name or ARN), a
        /// ServiceAccount/NAMESPACE/NAME, or a workload Kind/NAMESPACE/NAME.
        #[arg(long, value_name = "ADDRESS|ARN|ServiceAccount/NS/NAME")]
        principal: String,
        #[command(flatten)]
        query: QueryArgs,
    },
}

fn scan_options(input: &InputArgs) -> Result<ScanOptions, String> {
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

/// Loads the inputs, reporting load errors on stderr.
fn load(q: &QueryArgs) -> Result<palisade_model::Model, String> {
    let opts = scan_options(&q.input)?;
    let (model, report, _) = palisade_scan::load(&opts);
    for e in &report.errors {
        match e.line {
            Some(l) => eprintln!("warning: {}:{l}: {}", e.file, e.message),
            None => eprintln!("warning: {}: {}", e.file, e.message),
        }
    }
    Ok(model)
}

fn analysis_options(q: &QueryArgs) -> Result<Options, String> {
    if let Some(a) = &q.account {
        if a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "--account expects a 12-digit account ID, got `{a}`"
            ));
        }
    }
    Ok(Options {
        account: q.account.clone(),
        region: q.region.clone(),
    })
}

/// Writes to standard output; a closed pipe (`| head`) is not an error.
fn emit(text: &str) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("cannot write the answer: {e}")),
    }
}

fn print_json<T: serde::Serialize>(v: &T) -> Result<(), String> {
    let s = serde_json::to_string_pretty(v).map_err(|e| e.to_string())?;
    emit(&format!("{s}\n"))
}

pub fn run(args: AccessArgs) -> Result<u8, String> {
    match args.command {
        AccessCommand::Simulate { request } => {
            let text = if request.as_os_str() == "-" {
                let mut s = String::new();
                std::io::stdin()
                    .read_to_string(&mut s)
                    .map_err(|e| format!("cannot read stdin: {e}"))?;
                s
            } else {
                std::fs::read_to_string(&request)
                    .map_err(|e| format!("cannot read {}: {e}", request.display()))?
            };
            let out = palisade_iam::simulate_json(&text)
                .map_err(|e| format!("{}: {e}", request.display()))?;
            println!("{out}");
            Ok(exit::CLEAN)
        }
        AccessCommand::Who {
            resource,
            actions,
            query,
        } => {
            let opts = analysis_options(&query)?;
            let model = load(&query)?;
            let analysis = Analysis::new(&model, &opts);
            let report = analysis
                .who(&resource, &actions)
                .map_err(|e| e.to_string())?;
            if query.format == "json" {
                print_json(&report)?;
            } else {
                emit(&palisade_access::render::who_text(&report))?;
            }
            Ok(exit::CLEAN)
        }
        AccessCommand::What { principal, query } => {
            let opts = analysis_options(&query)?;
            let model = load(&query)?;
            let analysis = Analysis::new(&model, &opts);
            let report = analysis.what(&principal).map_err(|e| e.to_string())?;
            if query.format == "json" {
                print_json(&report)?;
            } else {
                emit(&palisade_access::render::what_text(&report))?;
            }
            Ok(exit::CLEAN)
        }
    }
}
