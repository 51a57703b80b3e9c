//! The seeds encrypt the OpenSearch nodes' volumes with KMS like every other
//! data store: indices often hold application logs with personal data and
//! tokens.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL047",
    name: "opensearch-not-encrypted-at-rest",
    title: "OpenSearch domain is not encrypted at rest",
    severity: Severity::High,
    practices: &["KMS-04"],
    benchmarks: &["AWS FSBP Opensearch.1", "AWS FSBP ES.1", "CKV_AWS_5"],
    description: "The domain's indices, logs, swap files and automated snapshots are stored \
unencrypted. The seeds use KMS to encrypt the OpenSearch nodes' volumes; encryption at rest can \
only be turned on when the domain is created.",
    remediation: "Set `encrypt_at_rest { enabled = true, kms_key_id = <OpenSearch CMK> }` (new \
domains; existing ones need a migration to a new domain).",
    references: &["https://docs.aws.amazon.com/opensearch-service/latest/developerguide/encryption-at-rest.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for d in &m.aws.opensearch_domains {
        if cx.known(&d.meta, "encrypt_at_rest.enabled", &d.encrypt_at_rest) == Some(&false) {
            cx.report(
                &d.meta,
                d.encrypt_at_rest.loc(),
                "domain does not encrypt data at rest",
            );
        }
    }
}
