//! The same input gives byte-identical reports, whatever the number of
//! threads and whatever order the files were created in (directory listing
//! order differs between file systems, and on tmpfs follows creation order).
//!
//! Scanned: `examples/eks-rds/insecure`, and a generated tree of many roots
//! (every rule's failing fixture as its own root, Terraform, Kubernetes,
//! CloudFormation and plans mixed, plus the examples), each written twice
//! in opposite orders, under the target directory and on tmpfs
//! (`/dev/shm`), scanned with 1 and 7 threads. Every report
//! format is compared, not just JSON.

use palisade_report::{render, Format, TextOptions};
use palisade_scan::{scan, ScanOptions};
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// `(relative path, bytes)` of every file of the tree to generate.
fn tree_files() -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let fixtures = workspace().join("crates/palisade-rules/fixtures");
    let mut ids: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    ids.sort();
    for (i, id) in ids.iter().enumerate() {
        // Every third rule: a spread of Terraform, plans, templates and manifests.
        if i % 3 != 0 {
            continue;
        }
        for sub in ["fail", "plan-fail"] {
            let dir = id.join(sub);
            let mut files = Vec::new();
            walk(&dir, &mut files);
            for f in files {
                let Ok(rel) = f.strip_prefix(&fixtures) else {
                    continue;
                };
                if let Ok(bytes) = std::fs::read(&f) {
                    out.push((PathBuf::from("roots").join(rel), bytes));
                }
            }
        }
    }
    let examples = workspace().join("examples/eks-rds");
    let mut files = Vec::new();
    walk(&examples, &mut files);
    for f in files {
        if let (Ok(rel), Ok(bytes)) = (f.strip_prefix(&examples), std::fs::read(&f)) {
            out.push((PathBuf::from("examples").join(rel), bytes));
        }
    }
    out
}

/// Writes `files` under `dir`, in the given order (directories too).
fn write_tree(dir: &Path, files: &[(PathBuf, Vec<u8>)]) {
    let _ = std::fs::remove_dir_all(dir);
    for (rel, bytes) in files {
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, bytes).expect("write");
    }
}

/// Every format of the report of `dir`, scanned with `threads` threads.
fn reports(dir: &Path, threads: usize) -> Vec<(Format, Vec<u8>)> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    let opts = ScanOptions {
        paths: vec![dir.to_path_buf()],
        display_base: dir.to_path_buf(),
        ..Default::default()
    };
    let outcome = pool.install(|| scan(&opts));
    let model = serde_json::to_vec(&outcome.model).expect("model json");
    let mut out = vec![(Format::Json, model)];
    for format in Format::ALL {
        let mut bytes = Vec::new();
        let text = TextOptions {
            color: false,
            source_root: Some(dir.to_path_buf()),
        };
        render(&outcome.report, format, &text, &mut bytes).expect("render");
        out.push((format, bytes));
    }
    out
}

fn first_difference(a: &[u8], b: &[u8]) -> String {
    let at = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let show = |s: &[u8]| {
        let from = at.saturating_sub(200);
        let to = (at + 200).min(s.len());
        String::from_utf8_lossy(s.get(from..to).unwrap_or_default()).into_owned()
    };
    format!(
        "first difference at byte {at} (lengths {} and {}):\n--- one ---\n{}\n--- other ---\n{}",
        a.len(),
        b.len(),
        show(a),
        show(b)
    )
}

fn assert_same(what: &str, a: &[(Format, Vec<u8>)], b: &[(Format, Vec<u8>)]) {
    for ((f, x), (_, y)) in a.iter().zip(b) {
        assert!(
            x == y,
            "{what}: {f} output differs; {}",
            first_difference(x, y)
        );
    }
}

#[test]
fn insecure_example_is_the_same_with_any_thread_count() {
    let dir = workspace().join("examples/eks-rds/insecure");
    let one = reports(&dir, 1);
    let many = reports(&dir, 7);
    assert_same("examples/eks-rds/insecure, 1 vs 7 threads", &one, &many);
    assert!(
        String::from_utf8_lossy(&one[2].1).contains("\"findings\""),
        "JSON report"
    );
}

#[test]
fn generated_tree_is_the_same_whatever_the_file_order_and_threads() {
    let files = tree_files();
    assert!(files.len() > 100, "only {} files", files.len());
    let mut reversed = files.clone();
    reversed.reverse();
    // On disk, and on tmpfs where a directory lists in creation order.
    let mut bases = vec![PathBuf::from(env!("CARGO_TARGET_TMPDIR"))];
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        bases.push(shm.join(format!("palisade-determinism-{}", std::process::id())));
    }
    let mut reference: Option<Vec<(Format, Vec<u8>)>> = None;
    for base in &bases {
        let forward = base.join("determinism-forward");
        let backward = base.join("determinism-backward");
        write_tree(&forward, &files);
        write_tree(&backward, &reversed);
        let runs = [
            ("forward, 1 thread", reports(&forward, 1)),
            ("backward, 7 threads", reports(&backward, 7)),
        ];
        for (what, r) in &runs {
            match &reference {
                None => reference = Some(r.clone()),
                Some(reference) => assert_same(&format!("{} {what}", base.display()), reference, r),
            }
        }
        let _ = std::fs::remove_dir_all(&forward);
        let _ = std::fs::remove_dir_all(&backward);
    }
    if let Some(shm) = bases.get(1) {
        let _ = std::fs::remove_dir_all(shm);
    }
}
