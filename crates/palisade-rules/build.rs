//! Generates the rule registry from the files under `src/rules/`, so adding a
//! rule means adding one file (and its fixtures), never editing a list.

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
    let out =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("registry.rs");
    fs::write(out, code).expect("write registry");
}
