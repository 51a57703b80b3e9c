//! `palisade access`: questions about who can do what.

use crate::exit;
use clap::{Args, Subcommand};
use std::io::Read;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct AccessArgs {
    #[command(subcommand)]
    pub command: AccessCommand,
}

#[derive(Subcommand, Debug)]
pub enum AccessCommand {
    /// Evaluate IAM requests exactly as AWS does. REQUEST is a JSON file (or
    /// `-` for stdin) holding one request object or an array of them.
    Simulate {
        #[arg(value_name = "REQUEST")]
        request: PathBuf,
    },
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
    }
}
