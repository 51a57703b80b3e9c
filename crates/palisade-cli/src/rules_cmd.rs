//! `palisade rules` and `palisade explain`.

use crate::exit;
use clap::Args;
use palisade_rules::{practice, Rule};

#[derive(Args, Debug)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, short, default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// Rule id (`PAL001`) or name.
    pub rule: String,
}

pub fn run_list(args: RulesArgs) -> Result<u8, String> {
    let rules = palisade_rules::all();
    if args.format == "json" {
        let infos: Vec<_> = rules.iter().map(|r| r.info()).collect();
        let text = serde_json::to_string_pretty(&infos).map_err(|e| e.to_string())?;
        println!("{text}");
        return Ok(exit::CLEAN);
    }
    let width = rules.iter().map(|r| r.name.len()).max().unwrap_or(0);
    for r in &rules {
        println!(
            "{}  {:<8}  {:<width$}  {:<18}  {}",
            r.id,
            r.severity.as_str(),
            r.name,
            r.practices.join(","),
            r.title
        );
    }
    println!("\n{} rules", rules.len());
    Ok(exit::CLEAN)
}

/// The text `palisade explain` prints for a rule.
pub fn explain(rule: &Rule) -> String {
    let mut out = format!(
        "{} ({}): {}\nseverity: {}\n\n",
        rule.id, rule.name, rule.title, rule.severity
    );
    out.push_str("Why it matters\n");
    out.push_str(&format!("  {}\n\n", rule.description));
    out.push_str("Practices\n");
    for p in rule.practices {
        match practice(p) {
            Some(pr) => out.push_str(&format!("  {}  {} ({})\n", pr.id, pr.text, pr.area)),
            None => out.push_str(&format!("  {p}\n")),
        }
    }
    out.push_str(&format!("\nHow to fix\n  {}\n", rule.remediation));
    if !rule.benchmarks.is_empty() {
        out.push_str(&format!("\nSee also\n  {}\n", rule.benchmarks.join(", ")));
    }
    if !rule.references.is_empty() {
        out.push_str("\nReferences\n");
        for r in rule.references {
            out.push_str(&format!("  {r}\n"));
        }
    }
    out
}

pub fn run_explain(args: ExplainArgs) -> Result<u8, String> {
    let rule = palisade_rules::find(&args.rule)
        .ok_or_else(|| format!("unknown rule `{}` (see `palisade rules`)", args.rule))?;
    print!("{}", explain(rule));
    Ok(exit::CLEAN)
}
