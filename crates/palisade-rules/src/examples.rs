//! A failing and a fixed example per rule, taken from its fixtures at build
//! time (`build.rs`): the first file of `fixtures/<ID>/fail` and `pass`.

mod table {
    include!(concat!(env!("OUT_DIR"), "/examples.rs"));
}

/// Examples longer than this many lines are cut.
pub const MAX_EXAMPLE_LINES: usize = 40;

/// The first `MAX_EXAMPLE_LINES` lines of `text`.
fn truncate(text: &str) -> &str {
    match text.match_indices('\n').nth(MAX_EXAMPLE_LINES - 1) {
        Some((i, _)) => &text[..=i],
        None => text,
    }
}

/// The failing and the passing example of rule `id`, each cut to
/// [`MAX_EXAMPLE_LINES`] lines.
pub fn examples(id: &str) -> Option<(&'static str, &'static str)> {
    table::EXAMPLES
        .iter()
        .find(|e| e.0.eq_ignore_ascii_case(id))
        .map(|e| (truncate(e.1), truncate(e.2)))
}

/// A fixture file an example comes from, and whether the example was cut.
pub type ExampleFile = (&'static str, bool);

/// The fixture files the examples come from (relative to
/// `crates/palisade-rules/fixtures`), failing then passing.
pub fn example_files(id: &str) -> Option<(ExampleFile, ExampleFile)> {
    table::EXAMPLES
        .iter()
        .find(|e| e.0.eq_ignore_ascii_case(id))
        .map(|e| {
            (
                (e.3, truncate(e.1).len() < e.1.len()),
                (e.4, truncate(e.2).len() < e.2.len()),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pal001_has_examples_from_its_fixtures() {
        let (fail, pass) = examples("PAL001").expect("PAL001 examples");
        assert!(fail.contains("0.0.0.0/0") && fail.contains("expect: PAL001"));
        assert!(!pass.contains("expect: PAL001"));
        let ((f, _), (p, _)) = example_files("pal001").expect("files");
        assert_eq!((f, p), ("PAL001/fail/main.tf", "PAL001/pass/main.tf"));
        assert!(examples("PAL999").is_none());
    }

    #[test]
    fn long_examples_are_cut_on_a_line() {
        let text = "x\n".repeat(100);
        assert_eq!(truncate(&text).lines().count(), MAX_EXAMPLE_LINES);
        assert_eq!(truncate("a\nb"), "a\nb");
    }
}
