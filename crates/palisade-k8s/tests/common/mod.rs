#![allow(dead_code)]

use palisade_k8s::{load_file, FileLoad};

pub fn fixture(name: &str) -> (String, FileLoad) {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(!text.is_empty(), "fixture {name} missing");
    let load = load_file(&text, &format!("fixtures/{name}"));
    (text, load)
}

/// 1-based line of the first occurrence of `needle` after the first
/// occurrence of `after` (use "" for the start of the file).
pub fn line_after(text: &str, after: &str, needle: &str) -> u32 {
    let start = text
        .find(after)
        .unwrap_or_else(|| panic!("`{after}` not in fixture"));
    let pos = text[start..]
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not after `{after}`"))
        + start;
    (text[..pos].matches('\n').count() + 1) as u32
}

pub fn line(text: &str, needle: &str) -> u32 {
    line_after(text, "", needle)
}

/// Fails unless the load has no errors.
pub fn no_errors(load: &FileLoad) {
    assert!(load.errors.is_empty(), "errors: {:#?}", load.errors);
}
