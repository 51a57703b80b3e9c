//! Loading inputs for tests: Terraform directories and Kubernetes YAML,
//! the way `palisade scan` does.
#![allow(dead_code)]

use palisade_model::Model;
use std::path::{Path, PathBuf};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Loads YAML text (one or more documents) into a model.
pub fn k8s(yaml: &str) -> Model {
    let loaded = palisade_k8s::load_file(yaml, "test.yaml");
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let mut m = Model {
        k8s: loaded.k8s,
        ..Default::default()
    };
    m.k8s.sort();
    m
}

/// Loads Terraform text (one file) into a model.
pub fn terraform(hcl: &str) -> Model {
    let dir = std::env::temp_dir().join(format!(
        "palisade-reach-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("main.tf"), hcl).expect("write");
    let m = load_tf_dir(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    m
}

static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

pub fn load_tf_dir(dir: &Path) -> Model {
    let opts = palisade_terraform::Options::default();
    let root = palisade_terraform::load_root(dir, &opts, &|p: &Path| {
        p.file_name()
            .map(|f| f.to_string_lossy().to_string())
            .unwrap_or_default()
    });
    assert!(root.errors.is_empty(), "{:?}", root.errors);
    let adapted = palisade_adapt::terraform::adapt_terraform(&root.resources);
    Model {
        aws: adapted.aws,
        ..Default::default()
    }
}

/// Terraform and Kubernetes text together.
pub fn both(hcl: &str, yaml: &str) -> Model {
    let mut m = terraform(hcl);
    m.extend(k8s(yaml));
    m.aws.finish();
    m
}

/// An example directory (`examples/eks-rds/secure`), Terraform and YAML.
pub fn example(name: &str) -> Model {
    let root = repo_root().join("examples").join(name);
    let mut m = load_tf_dir(&root.join("terraform"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("k8s"))
        .expect("k8s dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        let shown = format!(
            "k8s/{}",
            f.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        );
        let loaded = palisade_k8s::load_file(&text, &shown);
        m.extend(Model {
            k8s: loaded.k8s,
            ..Default::default()
        });
    }
    m.k8s.sort();
    m.aws.finish();
    m
}
