//! Runs every table-driven case in `tests/cases/*.json` and reports every
//! failing case by name (not just the first), so one run shows the whole picture.
//!
//! The cases are written from the AWS documentation by
//! `tests/cases/generate.py`; see that file for the reasoning behind them.

use std::fs;
use std::path::Path;

use palisade_iam::{evaluate, Request};
use serde_json::Value;

#[test]
fn table_driven_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("cases directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();

    let mut total = 0;
    let mut failures = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).expect("readable case file");
        let cases: Vec<Value> = serde_json::from_str(&text).expect("case file is a JSON array");
        let fname = file
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        for c in cases {
            total += 1;
            let name = format!("{fname}: {}", c["name"].as_str().unwrap_or("<unnamed>"));
            let parsed = Request::from_json(&c["request"]);
            if let Some(want) = c.get("expectedError").and_then(Value::as_str) {
                match parsed {
                    Ok(_) => failures.push(format!(
                        "{name}: expected an error containing {want:?}, parsed fine"
                    )),
                    Err(e) if !e.to_string().contains(want) => {
                        failures.push(format!("{name}: error {e} does not mention {want:?}"))
                    }
                    Err(_) => {}
                }
                continue;
            }
            let request = match parsed {
                Ok(r) => r,
                Err(e) => {
                    failures.push(format!("{name}: request did not parse: {e}"));
                    continue;
                }
            };
            let got = serde_json::to_value(evaluate(&request)).expect("decision serialises");
            let expected = &c["expected"];
            if got["response"] != expected["response"] {
                failures.push(format!(
                    "{name}: expected {}, got {} (decidedBy {})",
                    expected["response"], got["response"], got["decidedBy"]
                ));
            } else if let Some(want) = expected.get("decidedBy") {
                if &got["decidedBy"] != want {
                    failures.push(format!(
                        "{name}: decidedBy expected {want}, got {}",
                        got["decidedBy"]
                    ));
                }
            }
        }
    }
    assert!(
        total >= 300,
        "only {total} cases found in {}",
        dir.display()
    );
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
    println!("{total} table-driven cases passed");
}
