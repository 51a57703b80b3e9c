//! CloudFormation templates in the pipeline: discovery by content, loading,
//! rules, and templates kept apart from each other.

use palisade_model::aws::SecurityGroup;
use palisade_model::Ref;
use palisade_scan::{discover, scan, ScanOptions};
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cfn/two")
}

#[test]
fn templates_are_discovered_by_content_and_not_as_manifests() {
    let found = discover(&[dir()], 5 * 1024 * 1024, &dir());
    let names = |v: &[PathBuf]| {
        v.iter()
            .filter_map(|p| p.file_name().and_then(|n| n.to_str()).map(str::to_owned))
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&found.templates), ["a.yaml", "b.json"]);
    assert_eq!(names(&found.manifests), ["k8s.yaml"]);
}

#[test]
fn templates_load_into_the_model_and_stay_apart() {
    let out = scan(&ScanOptions {
        paths: vec![dir()],
        display_base: dir(),
        ..Default::default()
    });
    let r = &out.report;
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert!(
        !r.notes
            .iter()
            .any(|n| n.message.contains("not a Kubernetes")),
        "{:?}",
        r.notes
    );
    let aws = &out.model.aws;
    assert_eq!(aws.security_groups.len(), 2);
    // Each template's `Sg` keeps its own rules.
    let a = aws
        .security_groups
        .iter()
        .find(|g| g.meta.loc.file.as_ref() == "a.yaml")
        .expect("a");
    let b = aws
        .security_groups
        .iter()
        .find(|g| g.meta.loc.file.as_ref() == "b.json")
        .expect("b");
    assert_eq!(a.meta.address, "Sg");
    assert_eq!(aws.sg_rules_of(a).filter(|r| r.ingress).count(), 1);
    assert_eq!(aws.sg_rules_of(b).filter(|r| r.ingress).count(), 0);
    assert!(aws.get::<SecurityGroup>(&Ref::new("Sg")).is_some());
    let ssh: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.rule == "PAL001")
        .map(|f| (f.location.file.to_string(), f.location.line))
        .collect();
    assert_eq!(ssh, [("a.yaml".to_owned(), 15)]);
    assert_eq!(aws.others.len(), 1);
}
