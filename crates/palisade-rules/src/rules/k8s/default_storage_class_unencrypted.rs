//! PersistentVolumeClaims that name no StorageClass get the default one. On
//! EKS the default class provisions EBS volumes, and the in-tree
//! `kubernetes.io/aws-ebs` and the EBS CSI driver `ebs.csi.aws.com` encrypt a
//! volume only when the class says `encrypted: "true"` (or when the account
//! has EBS encryption by default, which the manifests cannot show). The seeds
//! replace the default class with an encrypted one (KMS-03).

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL226",
    name: "k8s-default-storage-class-unencrypted",
    title: "Default StorageClass provisions unencrypted EBS volumes",
    severity: Severity::High,
    practices: &["KMS-03", "KMS-02"],
    benchmarks: &[],
    description: "The StorageClass annotated `storageclass.kubernetes.io/is-default-class: \
\"true\"` uses the EBS provisioner (`kubernetes.io/aws-ebs` or `ebs.csi.aws.com`) without \
`encrypted: \"true\"`, so every claim that names no class gets a plaintext volume unless \
account-level EBS encryption by default happens to be on.",
    remediation: "Set `parameters.encrypted: \"true\"` (and `kmsKeyId` to the EBS CMK) on the \
default class, or make an encrypted class the default and remove the annotation from the old \
one.",
    references: &[
        "https://github.com/kubernetes-sigs/aws-ebs-csi-driver/blob/master/docs/parameters.md",
        "https://kubernetes.io/docs/concepts/storage/storage-classes/#default-storageclass",
    ],
    check,
};

const EBS_PROVISIONERS: &[&str] = &["kubernetes.io/aws-ebs", "ebs.csi.aws.com"];

fn check(m: &Model, cx: &mut Ctx) {
    for sc in &m.k8s.storage_classes {
        let is_default = sc.is_default_class();
        if cx.known(
            &sc.meta,
            StorageClass::DEFAULT_CLASS_ANNOTATION,
            &is_default,
        ) != Some(&true)
        {
            continue;
        }
        let Some(provisioner) = cx.known(&sc.meta, "provisioner", &sc.provisioner) else {
            continue;
        };
        if !EBS_PROVISIONERS.contains(&provisioner.as_str()) {
            continue;
        }
        match sc.parameter("encrypted") {
            None => cx.report(
                &sc.meta,
                None,
                format!(
                    "default StorageClass {} ({provisioner}) does not set encrypted: \"true\"",
                    sc.object.name
                ),
            ),
            Some(v) => match cx.known(&sc.meta, "parameters.encrypted", v) {
                Some(s) if s.eq_ignore_ascii_case("true") => {}
                None => {}
                Some(s) => cx.report(
                    &sc.meta,
                    v.loc(),
                    format!(
                        "default StorageClass {} ({provisioner}) sets encrypted: \"{s}\"",
                        sc.object.name
                    ),
                ),
            },
        }
    }
}
