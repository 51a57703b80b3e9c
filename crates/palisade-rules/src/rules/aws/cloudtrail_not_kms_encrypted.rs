//! CloudTrail logs reveal the whole account's activity: principal names,
//! source IPs, resource names, request parameters. The seeds encrypt them
//! with KMS so that reading them needs `kms:Decrypt` on the trail's key, not
//! just read access to the bucket.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL069",
    name: "cloudtrail-not-kms-encrypted",
    title: "CloudTrail logs are not encrypted with KMS",
    severity: Severity::Medium,
    practices: &["MON-01"],
    benchmarks: &["CIS AWS 3.5", "AWS FSBP CloudTrail.2", "CKV_AWS_35"],
    description: "The trail's log files are encrypted only with S3-managed keys. Anyone who can \
read the log bucket reads the account's full API history; there is no key policy separating log \
readers (infosec) from bucket administrators. The seeds require KMS-encrypted trails.",
    remediation: "Set `kms_key_id` to a customer-managed key whose policy lets CloudTrail \
encrypt and only the infosec roles decrypt.",
    references: &["https://docs.aws.amazon.com/awscloudtrail/latest/userguide/encrypting-cloudtrail-log-files-with-aws-kms.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for t in &m.aws.cloudtrails {
        if let Some(None) = cx.known(&t.meta, "kms_key_id", &t.kms_key) {
            cx.report(
                &t.meta,
                t.kms_key.loc(),
                "trail logs are not encrypted with a KMS key",
            );
        }
    }
}
