//! Node and instance volumes hold container images, logs, emptyDir data and
//! swapped secrets. The seeds encrypt every EBS volume (EKS nodes, launch
//! templates) and turn on account-level EBS encryption by default, which also
//! covers volumes whose configuration forgets `encrypted`.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL044",
    name: "ebs-volume-unencrypted",
    title: "EBS volume or block device mapping is not encrypted",
    severity: Severity::High,
    practices: &["KMS-02"],
    benchmarks: &["AWS FSBP EC2.3", "CKV_AWS_3", "CKV_AWS_8"],
    description: "A launch template, instance or EBS volume creates an unencrypted volume, and \
the account does not turn on EBS encryption by default in the scanned input. Node disks then \
hold container layers, logs and any data pods write in clear, and so do their snapshots.",
    remediation: "Set `encrypted = true` (with `kms_key_id` of the EBS customer-managed key) on \
every `ebs` block / `root_block_device` / `aws_ebs_volume`, and declare \
`aws_ebs_encryption_by_default` with `enabled = true` in every region.",
    references: &[
        "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html",
        "https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html",
    ],
    check,
};

fn device(cx: &mut Ctx, owner: &Meta, d: &BlockDevice, what: &str) {
    if cx.known(owner, "encrypted", &d.encrypted) == Some(&false) {
        let at = d.encrypted.loc().or(d.loc.as_ref());
        cx.report(owner, at, format!("{what} is not encrypted"));
    }
}

fn check(m: &Model, cx: &mut Ctx) {
    // Encryption by default encrypts every new volume, whatever its settings.
    let mut by_default = false;
    for e in &m.aws.ebs_encryption_by_default {
        match cx.known(&e.meta, "enabled", &e.enabled) {
            Some(true) => by_default = true,
            Some(false) => {}
            None => return,
        }
    }
    if by_default {
        return;
    }
    for t in &m.aws.launch_templates {
        for d in &t.block_devices {
            device(cx, &t.meta, d, "launch template EBS block device");
        }
    }
    for i in &m.aws.instances {
        if cx.known(&i.meta, "root_block_device.encrypted", &i.root_encrypted) == Some(&false) {
            cx.report(
                &i.meta,
                i.root_encrypted.loc(),
                "instance root volume is not encrypted",
            );
        }
        for d in &i.block_devices {
            device(cx, &i.meta, d, "instance EBS block device");
        }
    }
    for v in &m.aws.ebs_volumes {
        if cx.known(&v.meta, "encrypted", &v.encrypted) == Some(&false) {
            cx.report(&v.meta, v.encrypted.loc(), "EBS volume is not encrypted");
        }
    }
}
