//! The `palisade` command line.

mod access_cmd;
mod detect_cmd;
mod paths_cmd;
mod rules_cmd;
mod scan_cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Exit codes, documented in the README.
pub mod exit {
    /// Nothing at or above the severity threshold.
    pub const CLEAN: u8 = 0;
    /// Findings at or above the threshold.
    pub const FINDINGS: u8 = 1;
    /// Usage error, or load errors left part of the input unread (the rest
    /// was still scanned and reported). Takes precedence over FINDINGS.
    pub const ERROR: u8 = 2;
}

#[derive(Parser)]
#[command(
    name = "palisade",
    version,
    about = "Verify, reason about and watch an AWS/EKS/RDS environment secured in depth",
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load Terraform and Kubernetes inputs, check every practice, report findings.
    Scan(scan_cmd::ScanArgs),
    /// Print the typed model built from the inputs, as JSON.
    Model(scan_cmd::ModelArgs),
    /// List the built-in rules.
    Rules(rules_cmd::RulesArgs),
    /// Explain one rule: why it matters, the practice it covers, how to fix it.
    Explain(rules_cmd::ExplainArgs),
    /// Who can do what to which resource (IAM evaluation).
    Access(access_cmd::AccessArgs),
    /// Run detections over logs once (CloudTrail, ALB, WAF, VPC flow, EKS audit) and report alerts.
    Detect(detect_cmd::DetectArgs),
    /// Follow log directories as files arrive, alert and notify; resumes across restarts.
    Watch(detect_cmd::WatchArgs),
    /// Exact reachability: paths hop by hop, the workload matrix, data store exposure.
    Paths(paths_cmd::PathsArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::ERROR
            } else {
                exit::CLEAN
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Scan(args) => scan_cmd::run(args),
        Command::Model(args) => scan_cmd::run_model(args),
        Command::Rules(args) => rules_cmd::run_list(args),
        Command::Explain(args) => rules_cmd::run_explain(args),
        Command::Access(args) => access_cmd::run(args),
        Command::Detect(args) => detect_cmd::run_detect(args),
        Command::Watch(args) => detect_cmd::run_watch(args),
        Command::Paths(args) => paths_cmd::run(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(exit::ERROR)
        }
    }
}
