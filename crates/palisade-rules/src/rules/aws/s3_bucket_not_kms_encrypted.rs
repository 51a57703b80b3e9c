//! S3 encrypts every object with S3-managed keys (SSE-S3) by default, which
//! protects the disks but gives no control over who may decrypt. The seeds
//! encrypt buckets with KMS so that reading an object also needs
//! `kms:Decrypt` on a key whose policy names the service's roles.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL046",
    name: "s3-bucket-not-kms-encrypted",
    title: "S3 bucket default encryption is not KMS",
    severity: Severity::Medium,
    practices: &["KMS-04"],
    benchmarks: &["CKV_AWS_145"],
    description: "The bucket's default encryption is SSE-S3 (`AES256`, or no configuration, \
which S3 treats as SSE-S3). Anyone with `s3:GetObject` reads the data; there is no key policy to \
limit decryption to the service's roles and no KMS audit trail of decryptions. The seeds require \
buckets encrypted with KMS keys.",
    remediation: "Configure `aws_s3_bucket_server_side_encryption_configuration` with \
`sse_algorithm = \"aws:kms\"`, `kms_master_key_id` set to the bucket's customer-managed key and \
`bucket_key_enabled = true`.",
    references: &[
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-bucket-encryption.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for b in &m.aws.s3_buckets {
        let Some(enc) = cx.known(
            &b.meta,
            "server_side_encryption_configuration",
            &b.encryption,
        ) else {
            continue;
        };
        match enc {
            None => cx.report(
                &b.meta,
                b.encryption.loc(),
                "bucket uses S3-managed keys (SSE-S3): no KMS default encryption is configured",
            ),
            Some(e) => {
                let Some(alg) = cx.known(&b.meta, "sse_algorithm", &e.algorithm) else {
                    continue;
                };
                if !alg.starts_with("aws:kms") {
                    cx.report(
                        &b.meta,
                        e.algorithm.loc(),
                        format!("bucket default encryption is `{alg}`, not `aws:kms`"),
                    );
                }
            }
        }
    }
}
