//! Generates the rule registry from the files under `src/rules/`, so adding a
//! rule means adding one file (and its fixtures), never editing a list; and
//! the table of examples `palisade explain` and the rule docs show, from the
//! fixtures.

use std::fs;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("mod.rs") {
            out.push(path);
        }
    }
}

fn main() {
    let root =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let rules_dir = root.join("src").join("rules");
    println!("cargo:rerun-if-changed={}", rules_dir.display());
    let mut files = Vec::new();
    collect(&rules_dir, &mut files);
    files.sort();
    let mut code = String::new();
    let mut entries = String::new();
    for (i, file) in files.iter().enumerate() {
        println!("cargo:rerun-if-changed={}", file.display());
        let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("rule");
        let module = format!("r{i}_{}", stem.replace('-', "_"));
        code.push_str(&format!(
            "#[path = {:?}]\nmod {module};\n",
            file.display().to_string()
        ));
        entries.push_str(&format!("    &{module}::RULE,\n"));
    }
    code.push_str("/// Every built-in rule, in file order (sorted by id at run time).\n");
    code.push_str(&format!(
        "pub(crate) static ALL: &[&crate::Rule] = &[\n{entries}];\n"
    ));
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::write(out_dir.join("registry.rs"), code).expect("write registry");
    fs::write(
        out_dir.join("examples.rs"),
        examples(&root.join("fixtures")),
    )
    .expect("write examples");
}

/// The first file (by name) of a fixture directory.
fn first_file(dir: &Path) -> Option<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files.into_iter().next()
}

/// The examples table: for every `fixtures/<ID>/` with `fail/` and `pass/`,
/// the first file of each, embedded with `include_str!`.
fn examples(fixtures: &Path) -> String {
    println!("cargo:rerun-if-changed={}", fixtures.display());
    let mut dirs: Vec<PathBuf> = fs::read_dir(fixtures)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    let mut rows = String::new();
    for dir in dirs {
        let Some(id) = dir.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        for sub in ["fail", "pass"] {
            println!("cargo:rerun-if-changed={}", dir.join(sub).display());
        }
        let (Some(fail), Some(pass)) =
            (first_file(&dir.join("fail")), first_file(&dir.join("pass")))
        else {
            continue;
        };
        let name = |p: &Path| {
            p.strip_prefix(fixtures)
                .unwrap_or(p)
                .to_string_lossy()
                .replace('\\', "/")
        };
        rows.push_str(&format!(
            "    ({id:?}, include_str!({:?}), include_str!({:?}), {:?}, {:?}),\n",
            fail.display().to_string(),
            pass.display().to_string(),
            name(&fail),
            name(&pass),
        ));
    }
    format!(
        "/// `(rule id, failing example, passing example, failing file, passing file)`,\n\
         /// by id: the first file of `fixtures/<ID>/fail` and `pass`.\n\
         pub(crate) static EXAMPLES: &[(&str, &str, &str, &str, &str)] = &[\n{rows}];\n"
    )
}
