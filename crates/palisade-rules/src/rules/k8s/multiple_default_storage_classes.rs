//! With two default StorageClasses, Kubernetes picks the most recently
//! created one for claims that name no class: which one applies depends on
//! creation order, and the seeds' step "delete the old (unencrypted) default
//! class" has evidently not been done (KMS-03).

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL227",
    name: "k8s-multiple-default-storage-classes",
    title: "More than one StorageClass is marked default",
    severity: Severity::Low,
    practices: &["KMS-03"],
    benchmarks: &[],
    description: "Several StorageClasses carry `storageclass.kubernetes.io/is-default-class: \
\"true\"`. Claims without a class get whichever was created last, so an unencrypted or otherwise \
unintended class can silently provision volumes.",
    remediation: "Keep the annotation on exactly one (encrypted) StorageClass; remove it from, or \
delete, the others (e.g. the EKS-created `gp2`).",
    references: &[
        "https://kubernetes.io/docs/tasks/administer-cluster/change-default-storage-class/",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let defaults: Vec<&StorageClass> = m.k8s.default_storage_classes().collect();
    for sc in m
        .k8s
        .storage_classes
        .iter()
        .filter(|s| s.is_default_class().is_unknown())
    {
        cx.known(
            &sc.meta,
            StorageClass::DEFAULT_CLASS_ANNOTATION,
            &sc.is_default_class(),
        );
    }
    if defaults.len() < 2 {
        return;
    }
    let names: Vec<&str> = defaults.iter().map(|s| s.object.name.as_str()).collect();
    for sc in &defaults {
        let loc = sc.is_default_class().loc().cloned();
        cx.report(
            &sc.meta,
            loc.as_ref(),
            format!(
                "{} StorageClasses are marked default: {}",
                names.len(),
                names.join(", ")
            ),
        );
    }
}
