//! `palisade rules` and `palisade explain`.

use crate::exit;
use clap::Args;
use palisade_model::finding::RuleInfo;
use palisade_rego::{CustomRule, RuleSet};
use palisade_rules::{practice, Rule};
use palisade_scan::Config;
use std::path::PathBuf;

/// Where custom rules come from, for `palisade rules` and `palisade explain`.
#[derive(Args, Debug)]
pub struct CustomArgs {
    /// A directory (or file) of custom rules in Rego (repeatable; besides
    /// `custom_rules` of palisade.toml).
    #[arg(long = "rules-dir", value_name = "DIR")]
    pub rules_dirs: Vec<PathBuf>,
    /// Settings file (default: palisade.toml in the current directory or a parent).
    #[arg(long = "config", value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, short, default_value = "text", value_parser = ["text", "json", "markdown"])]
    pub format: String,
    #[command(flatten)]
    pub custom: CustomArgs,
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// Rule id (`PAL001`) or name.
    pub rule: String,
    #[command(flatten)]
    pub custom: CustomArgs,
}

/// The custom rules named by `--rules-dir` and palisade.toml; their load
/// problems are printed to stderr.
fn load_custom(args: &CustomArgs) -> Result<RuleSet, String> {
    let cfg = match &args.config {
        Some(path) if !path.is_file() => {
            return Err(format!("--config {}: no such file", path.display()))
        }
        Some(path) => Config::load(path)?,
        None => match Config::find(std::path::Path::new(".")) {
            Some(path) => Config::load(&path)?,
            None => Config::default(),
        },
    };
    let base = std::env::current_dir().unwrap_or_default();
    let set = crate::scan_cmd::custom_rules(&args.rules_dirs, &cfg, &base)?;
    for e in set.errors() {
        match e.line {
            Some(l) => eprintln!("error: {}:{l}: {}", e.file, e.message),
            None => eprintln!("error: {}: {}", e.file, e.message),
        }
    }
    Ok(set)
}

pub fn run_list(args: RulesArgs) -> Result<u8, String> {
    let rules = palisade_rules::all();
    let custom = load_custom(&args.custom)?;
    let code = if custom.errors().is_empty() {
        exit::CLEAN
    } else {
        exit::ERROR
    };
    let mut infos: Vec<RuleInfo> = rules.iter().map(|r| r.info()).collect();
    infos.extend(custom.rules().iter().map(|r| r.info.clone()));
    if args.format == "json" {
        let text = serde_json::to_string_pretty(&infos).map_err(|e| e.to_string())?;
        println!("{text}");
        return Ok(code);
    }
    if args.format == "markdown" {
        print!("{}", markdown());
        return Ok(code);
    }
    let width = infos.iter().map(|r| r.name.len()).max().unwrap_or(0);
    let id_width = infos.iter().map(|r| r.id.len()).max().unwrap_or(0);
    for r in &infos {
        println!(
            "{:<id_width$}  {:<8}  {:<width$}  {:<18}  {}",
            r.id,
            r.severity.as_str(),
            r.name,
            r.practices.join(","),
            r.title
        );
    }
    if custom.rules().is_empty() {
        println!("\n{} rules", rules.len());
    } else {
        println!(
            "\n{} rules ({} built-in, {} custom)",
            infos.len(),
            rules.len(),
            custom.rules().len()
        );
    }
    Ok(code)
}

/// The text `palisade explain` prints for a custom rule.
pub fn explain_custom(rule: &CustomRule) -> String {
    let i = &rule.info;
    let mut out = format!(
        "{} ({}): {}\nseverity: {}\ncustom rule: {} (package {})\n\n",
        i.id, i.name, i.title, i.severity, rule.file, rule.package
    );
    out.push_str(&format!("Why it matters\n  {}\n", i.description));
    if !i.practices.is_empty() {
        out.push_str("\nPractices\n");
        for p in &i.practices {
            match practice(p) {
                Some(pr) => out.push_str(&format!("  {}  {} ({})\n", pr.id, pr.text, pr.area)),
                None => out.push_str(&format!("  {p}\n")),
            }
        }
    }
    out.push_str(&format!("\nHow to fix\n  {}\n", i.remediation));
    if !i.references.is_empty() {
        out.push_str("\nReferences\n");
        for r in &i.references {
            out.push_str(&format!("  {r}\n"));
        }
    }
    out
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
    if let (Some((fail, pass)), Some(((fail_file, fail_cut), (pass_file, pass_cut)))) = (
        palisade_rules::examples(rule.id),
        palisade_rules::example_files(rule.id),
    ) {
        for (head, text, file, cut) in [
            ("Failing example", fail, fail_file, fail_cut),
            ("Fixed example", pass, pass_file, pass_cut),
        ] {
            out.push_str(&format!(
                "\n{head} (crates/palisade-rules/fixtures/{file})\n"
            ));
            for line in example_text(rule.id, text).lines() {
                if line.is_empty() {
                    out.push('\n');
                } else {
                    out.push_str(&format!("  {line}\n"));
                }
            }
            if cut {
                out.push_str(&format!(
                    "  ... (first {} lines)\n",
                    palisade_rules::MAX_EXAMPLE_LINES
                ));
            }
        }
    }
    out
}

/// A fixture as an example: the test marks `expect: ID` read as pointers
/// to the line the rule reports.
fn example_text(id: &str, text: &str) -> String {
    text.replace(
        &format!("expect: {id}"),
        &format!("<- {id} reports this line"),
    )
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn fence_lang(file: &str) -> &'static str {
    if file.ends_with(".tf") || file.ends_with(".tfvars") {
        "hcl"
    } else if file.ends_with(".yaml") || file.ends_with(".yml") {
        "yaml"
    } else if file.ends_with(".json") {
        "json"
    } else {
        ""
    }
}

/// `docs/rules.md`: a table of every rule, then a section per rule with
/// its documentation and examples. Generated, never edited by hand.
pub fn markdown() -> String {
    let rules = palisade_rules::all();
    let mut out = String::new();
    out.push_str("# Rules\n\n");
    out.push_str(
        "<!-- Generated by `palisade rules --format markdown` from the rules' metadata and \
         fixtures; do not edit. `UPDATE_DOCS=1 cargo test -p palisade-cli` rewrites it. -->\n\n",
    );
    out.push_str(&format!(
        "{} rules. Each cites the practices of \
         [PRACTICES.md](../../shared/PRACTICES.md) it checks; `palisade explain ID` prints the \
         same documentation. Suppress a finding with `# palisade:ignore ID reason` on or above \
         the line or block (see the README).\n\n",
        rules.len()
    ));
    out.push_str("| ID | Name | Severity | Practices | Benchmarks | Title |\n");
    out.push_str("| --- | --- | --- | --- | --- | --- |\n");
    for r in &rules {
        out.push_str(&format!(
            "| [{}](#{}) | `{}` | {} | {} | {} | {} |\n",
            r.id,
            r.id.to_ascii_lowercase(),
            r.name,
            r.severity,
            r.practices.join(", "),
            cell(&r.benchmarks.join(", ")),
            cell(r.title)
        ));
    }
    for r in &rules {
        out.push_str(&format!("\n## {}\n\n**{}**\n\n", r.id, cell(r.title)));
        out.push_str(&format!(
            "`{}` · severity **{}** · practices {}\n\n",
            r.name,
            r.severity,
            r.practices.join(", ")
        ));
        out.push_str(&format!("{}\n\n", r.description));
        out.push_str("Practices:\n\n");
        for p in r.practices {
            match practice(p) {
                Some(pr) => out.push_str(&format!("- **{}** {} ({})\n", pr.id, pr.text, pr.area)),
                None => out.push_str(&format!("- **{p}**\n")),
            }
        }
        out.push_str(&format!("\nHow to fix: {}\n", r.remediation));
        if !r.benchmarks.is_empty() {
            out.push_str(&format!("\nSee also: {}\n", r.benchmarks.join(", ")));
        }
        if !r.references.is_empty() {
            out.push_str("\nReferences:\n\n");
            for x in r.references {
                out.push_str(&format!("- <{x}>\n"));
            }
        }
        if let (Some((fail, pass)), Some(((ff, fcut), (pf, pcut)))) = (
            palisade_rules::examples(r.id),
            palisade_rules::example_files(r.id),
        ) {
            for (head, text, file, cut) in [("Failing", fail, ff, fcut), ("Fixed", pass, pf, pcut)]
            {
                let body = example_text(r.id, text);
                let fence = if body.contains("```") { "````" } else { "```" };
                out.push_str(&format!(
                    "\n{head} example (`fixtures/{file}`{}):\n\n{fence}{}\n{}",
                    if cut { ", first lines" } else { "" },
                    fence_lang(file),
                    body
                ));
                if !body.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str(&format!("{fence}\n"));
            }
        }
    }
    out
}

pub fn run_explain(args: ExplainArgs) -> Result<u8, String> {
    let Some(rule) = palisade_rules::find(&args.rule) else {
        let custom = load_custom(&args.custom)?;
        let rule = custom
            .find(&args.rule)
            .ok_or_else(|| format!("unknown rule `{}` (see `palisade rules`)", args.rule))?;
        print!("{}", explain_custom(rule));
        return Ok(exit::CLEAN);
    };
    print!("{}", explain(rule));
    Ok(exit::CLEAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `docs/rules.md` is generated from the rules; this fails when it is
    /// stale. `UPDATE_DOCS=1 cargo test -p palisade-cli` rewrites it.
    #[test]
    fn docs_rules_md_is_up_to_date() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
        let want = markdown();
        if std::env::var("UPDATE_DOCS").is_ok_and(|v| v == "1") {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).expect("create docs/");
            }
            std::fs::write(&path, &want).expect("write docs/rules.md");
            return;
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        if have != want {
            let line = have
                .lines()
                .zip(want.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| have.lines().count().min(want.lines().count()));
            panic!(
                "docs/rules.md is out of date (first difference at line {}: {:?} should be {:?}); \
                 run `UPDATE_DOCS=1 cargo test -p palisade-cli` to regenerate it",
                line + 1,
                have.lines().nth(line),
                want.lines().nth(line)
            );
        }
    }

    #[test]
    fn markdown_has_a_row_and_a_section_per_rule() {
        let md = markdown();
        for r in palisade_rules::all() {
            assert!(md.contains(&format!("| [{}](#{}) |", r.id, r.id.to_ascii_lowercase())));
            assert!(md.contains(&format!("\n## {}\n", r.id)));
        }
        assert!(md.contains("Failing example (`fixtures/PAL001/fail/main.tf`):\n\n```hcl\n"));
        assert!(md.contains("<- PAL001 reports this line"));
    }

    #[test]
    fn explain_shows_both_examples() {
        let rule = palisade_rules::find("PAL001").expect("PAL001");
        let text = explain(rule);
        assert!(text
            .contains("\nFailing example (crates/palisade-rules/fixtures/PAL001/fail/main.tf)\n"));
        assert!(
            text.contains("\nFixed example (crates/palisade-rules/fixtures/PAL001/pass/main.tf)\n")
        );
        assert!(text.contains("  resource \"aws_security_group\" \"bastion\" {"));
        assert!(!text.contains("expect:"));
    }
}
