//! The seeds rotate keys ("EventBridge allows more frequent key rotation").
//! Automatic rotation of a symmetric key creates new key material yearly (or
//! on the configured period) and limits how much data one key version
//! protects.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL051",
    name: "kms-key-rotation-disabled",
    title: "Symmetric KMS key without automatic rotation",
    severity: Severity::Medium,
    practices: &["KMS-06"],
    benchmarks: &["CIS AWS 3.6", "AWS FSBP KMS.4", "CKV_AWS_7"],
    description: "A customer-managed symmetric key does not rotate its key material. The same \
material protects all data for the key's whole life, so a compromise of it (or of an export \
through a misused grant) exposes everything ever encrypted. The seeds require key rotation.",
    remediation: "Set `enable_key_rotation = true` (and `rotation_period_in_days` to 365 or less).",
    references: &["https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for k in &m.aws.kms_keys {
        let Some(spec) = cx.known(&k.meta, "key_spec", &k.key_spec) else {
            continue;
        };
        if spec != "SYMMETRIC_DEFAULT" {
            continue; // only symmetric encryption keys rotate automatically
        }
        if cx.known(&k.meta, "enable_key_rotation", &k.rotation) == Some(&false) {
            cx.report(
                &k.meta,
                k.rotation.loc(),
                "symmetric key does not rotate its key material",
            );
        }
    }
}
