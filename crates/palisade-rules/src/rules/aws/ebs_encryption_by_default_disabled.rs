//! Account-level EBS encryption by default is the seeds' safety net: every
//! new volume and snapshot copy is encrypted, even those created by tools or
//! people that forget to ask for it. Declaring it disabled removes the net.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL045",
    name: "ebs-encryption-by-default-disabled",
    title: "EBS encryption by default is declared disabled",
    severity: Severity::Medium,
    practices: &["KMS-02"],
    benchmarks: &["CIS AWS 2.2.1", "AWS FSBP EC2.7", "CKV_AWS_106"],
    description: "The account/region setting that encrypts every new EBS volume is declared \
disabled. Any launch template, node group or tool that does not ask for encryption then creates \
unencrypted node disks. The seeds require account-level EBS encryption by default.",
    remediation: "Set `enabled = true` on `aws_ebs_encryption_by_default` (in every region used) \
and set the default key with `aws_ebs_default_kms_key` to the EBS customer-managed key.",
    references: &["https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for e in &m.aws.ebs_encryption_by_default {
        if cx.known(&e.meta, "enabled", &e.enabled) == Some(&false) {
            cx.report(
                &e.meta,
                e.enabled.loc(),
                "EBS encryption by default is disabled for the account and region",
            );
        }
    }
}
