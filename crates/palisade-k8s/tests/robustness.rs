mod common;

use common::{fixture, line, no_errors};
use palisade_k8s::{load_bytes, load_file, looks_like_kubernetes, FileLoad, MAX_DEPTH};

const SA: &str = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ok\n  namespace: x\n";

fn no_internal_error(load: &FileLoad) {
    assert!(
        !load
            .errors
            .iter()
            .any(|e| e.message.contains("internal error")),
        "loader panicked: {:?}",
        load.errors
    );
}

#[test]
fn malformed_yaml_reports_line_and_keeps_other_documents() {
    let (text, load) = fixture("malformed.yaml");
    assert_eq!(load.errors.len(), 1, "{:?}", load.errors);
    let e = &load.errors[0];
    assert_eq!(e.file, "fixtures/malformed.yaml");
    let broken = line(&text, "labels: [unclosed");
    let line_no = e.line.expect("line");
    assert!(
        (broken..=broken + 2).contains(&line_no),
        "error at {line_no}, broken list at {broken}"
    );
    assert!(e.message.starts_with("YAML syntax error"), "{}", e.message);
    let doc_start = common::line_after(&text, "name: before", "---");
    assert!(
        e.message.contains(&format!(
            "document starting at line {doc_start} was not read"
        )),
        "{}",
        e.message
    );
    let names: Vec<&str> = load
        .k8s
        .service_accounts
        .iter()
        .map(|s| s.object.name.as_str())
        .collect();
    // Before the error, and after the next `---`.
    assert_eq!(names, vec!["before", "after"]);
    let after = &load.k8s.service_accounts[1];
    assert_eq!(
        after.meta.loc.line,
        line(
            &text,
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: after"
        )
    );
}

#[test]
fn error_in_last_document_keeps_the_first() {
    let text = format!("{SA}---\nkey: [1, 2\n");
    let load = load_file(&text, "x.yaml");
    assert_eq!(load.k8s.service_accounts.len(), 1);
    assert_eq!(load.errors.len(), 1);
    assert!(load.errors[0].line.is_some());
}

#[test]
fn duplicate_keys_are_errors_with_lines() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostNetwork: false\n  hostNetwork: true\n  containers: []\n";
    let load = load_file(text, "dup.yaml");
    assert_eq!(load.errors.len(), 1);
    assert_eq!(load.errors[0].line, Some(7));
    assert!(load.errors[0]
        .message
        .contains("duplicate key `hostNetwork`"));
    // The last value wins, as in most decoders.
    assert!(load.k8s.workloads[0].pod_spec().host_network.is_true());
}

#[test]
fn billion_laughs_is_rejected() {
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        let refs = vec![format!("*{}", w[0]); 9].join(",");
        text.push_str(&format!("  {}: &{} [{refs}]\n", w[1], w[1]));
    }
    text.push_str(&format!("---\n{SA}"));
    let start = std::time::Instant::now();
    let load = load_file(&text, "bomb.yaml");
    assert!(start.elapsed().as_secs() < 5, "took {:?}", start.elapsed());
    assert!(
        load.errors
            .iter()
            .any(|e| e.message.contains("alias expansion")),
        "{:?}",
        load.errors
    );
    assert!(
        load.k8s.config_maps.is_empty(),
        "the bomb document is rejected"
    );
    assert_eq!(
        load.k8s.service_accounts.len(),
        1,
        "later documents still load"
    );
}

#[test]
fn alias_bomb_through_mapping_keys_is_rejected() {
    // saphyr's own loader counts a mapping key as one node; ours does not.
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        let refs = vec![format!("*a{p}"); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} {{ ? [{refs}] : v }}\n"));
    }
    let load = load_file(
        &format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: k}}\nbomb:\n{}",
            indent(&text)
        ),
        "keys.yaml",
    );
    assert!(
        load.errors
            .iter()
            .any(|e| e.message.contains("alias expansion")),
        "{:?}",
        load.errors
    );
}

fn indent(s: &str) -> String {
    s.lines().map(|l| format!("  {l}\n")).collect()
}

#[test]
fn small_aliases_are_fine() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: &l {app: web}\nspec:\n  containers:\n    - name: a\n      image: a:1\n      env: &env\n        - name: A\n          value: b\n    - name: b\n      image: b:1\n      env: *env\n";
    let load = load_file(text, "alias.yaml");
    no_errors(&load);
    let spec = load.k8s.workloads[0].pod_spec();
    assert_eq!(spec.containers[1].env.len(), 1);
    assert_eq!(spec.containers[1].env[0].name, "A");
}

#[test]
fn deep_nesting_is_rejected() {
    // Block sequences nested far past the limit.
    let deep = "- ".repeat(MAX_DEPTH * 50) + "x\n";
    let text = format!("{deep}---\n{SA}");
    let load = load_file(&text, "deep.yaml");
    assert!(
        load.errors
            .iter()
            .any(|e| e.message.contains("nesting deeper")),
        "{:?}",
        load.errors
    );
    assert_eq!(load.k8s.service_accounts.len(), 1);

    // Flow collections.
    let flow = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: x}}\ndata: {}\n",
        "[".repeat(200_000)
    );
    let load = load_file(&flow, "flow.yaml");
    assert!(!load.errors.is_empty());
    no_internal_error(&load);

    // Mappings.
    let mut nested = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\ndata:\n");
    for i in 0..(MAX_DEPTH + 10) {
        nested.push_str(&" ".repeat(i + 2));
        nested.push_str("k:\n");
    }
    let load = load_file(&nested, "map.yaml");
    assert!(
        load.errors
            .iter()
            .any(|e| e.message.contains("nesting deeper")),
        "{:?}",
        load.errors
    );
    // Within the limit: fine.
    let ok = format!("{SA}extra: {}{}\n", "[".repeat(50), "]".repeat(50));
    no_errors(&load_file(&ok, "ok.yaml"));
}

#[test]
fn binary_input_is_an_error() {
    let load = load_bytes(
        &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe],
        "logo.png",
    );
    assert_eq!(load.errors.len(), 1);
    assert!(load.errors[0].message.contains("UTF-8"));
    let load = load_file("apiVersion: v1\nkind: Pod\n\0\0\0", "nul.yaml");
    assert_eq!(load.errors.len(), 1);
    assert_eq!(load.errors[0].line, Some(3));
    assert!(load.k8s.is_empty());
    let load = load_file("abc \u{fffd}\u{fffd} def", "lossy.yaml");
    assert_eq!(load.errors.len(), 1);
    assert!(!looks_like_kubernetes("apiVersion: v1\nkind: Pod\n\0"));
    // load_bytes on valid UTF-8 behaves like load_file.
    assert_eq!(
        load_bytes(SA.as_bytes(), "sa.yaml")
            .k8s
            .service_accounts
            .len(),
        1
    );
}

#[test]
fn helm_templates_are_skipped_with_a_note() {
    let (text, load) = fixture("helm-deployment.yaml");
    assert!(looks_like_kubernetes(&text));
    no_errors(&load);
    assert!(load.k8s.is_empty());
    assert_eq!(load.notes.len(), 1);
    assert!(
        load.notes[0].message.contains("template"),
        "{}",
        load.notes[0].message
    );
    assert_eq!(load.notes[0].line, Some(line(&text, "{{")));
}

#[test]
fn non_kubernetes_files_are_skipped_with_a_note() {
    for name in ["docker-compose.yaml", "workflow.yml", "cloudformation.yaml"] {
        let (text, load) = fixture(name);
        assert!(!looks_like_kubernetes(&text), "{name}");
        no_errors(&load);
        assert!(load.k8s.is_empty(), "{name}");
        assert!(load.secrets.is_empty(), "{name}");
        assert_eq!(load.notes.len(), 1, "{name}: {:?}", load.notes);
        assert!(
            load.notes[0].message.contains("not a Kubernetes manifest"),
            "{name}"
        );
    }
    // Malformed and not Kubernetes: still only a note.
    let load = load_file("foo: [1, 2\nbar: baz\n", "broken-other.yaml");
    no_errors(&load);
    assert_eq!(load.notes.len(), 1);
    // Empty files and empty documents: nothing at all.
    for t in ["", "\n\n", "---\n---\n", "# only a comment\n"] {
        let load = load_file(t, "empty.yaml");
        assert!(load.errors.is_empty() && load.k8s.is_empty(), "{t:?}");
    }
}

#[test]
fn looks_like_kubernetes_heuristic() {
    assert!(looks_like_kubernetes(SA));
    assert!(looks_like_kubernetes(
        "{\"apiVersion\": \"v1\", \"kind\": \"Pod\"}"
    ));
    assert!(looks_like_kubernetes(
        "items:\n- apiVersion: v1\n  kind: Pod\n"
    ));
    assert!(!looks_like_kubernetes("kind: Pod\n"));
    assert!(!looks_like_kubernetes("# apiVersionish\nkinda: x\n"));
}

#[test]
fn documents_without_kind_in_a_manifest_are_noted() {
    let text = format!("{SA}---\nfoo: bar\n---\n- a\n- b\n---\njust a string\n");
    let load = load_file(&text, "mixed.yaml");
    no_errors(&load);
    assert_eq!(load.k8s.service_accounts.len(), 1);
    assert_eq!(load.notes.len(), 3, "{:?}", load.notes);
    assert_eq!(load.notes[0].line, Some(7));
}

#[test]
fn bom_crlf_and_tags() {
    let text = "\u{feff}apiVersion: v1\r\nkind: ServiceAccount\r\nmetadata:\r\n  name: !!str crlf\r\n  namespace: x\r\n";
    let load = load_file(text, "crlf.yaml");
    no_errors(&load);
    assert_eq!(load.k8s.service_accounts[0].object.name, "crlf");
    assert_eq!(load.k8s.service_accounts[0].meta.loc.line, 1);
}

/// Cheap deterministic fuzzing: truncations and byte flips of every fixture
/// must never make the loader panic (it would report an internal error).
#[test]
fn mutated_fixtures_never_panic() {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let specials = b"{}[]:-?&*!|>'\"#%@` \n\t,";
    for f in files {
        let bytes = std::fs::read(&f).expect("read");
        for cut in (0..bytes.len()).step_by(7) {
            no_internal_error(&load_bytes(&bytes[..cut], "cut.yaml"));
        }
        for _ in 0..200 {
            let mut b = bytes.clone();
            for _ in 0..1 + next() % 4 {
                let i = (next() as usize) % b.len().max(1);
                if let Some(x) = b.get_mut(i) {
                    *x = specials[(next() as usize) % specials.len()];
                }
            }
            no_internal_error(&load_bytes(&b, "flip.yaml"));
        }
    }
}

#[test]
fn helm_values_with_nested_kind_keys_are_not_kubernetes() {
    let text =
        "image:\n  repository: app\nextraObjects:\n  - apiVersion: v1\n    kind: ConfigMap\n";
    assert!(looks_like_kubernetes(text));
    let load = load_file(text, "values.yaml");
    no_errors(&load);
    assert!(load.k8s.is_empty());
    assert_eq!(load.notes.len(), 1, "{:?}", load.notes);
    assert!(load.notes[0].message.contains("not a Kubernetes manifest"));
}
