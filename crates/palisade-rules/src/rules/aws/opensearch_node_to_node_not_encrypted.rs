//! Without node-to-node encryption, OpenSearch nodes exchange index data and
//! queries in clear inside the VPC — the same "private network" assumption
//! the seeds warn about for the pod → database hop.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL048",
    name: "opensearch-node-to-node-not-encrypted",
    title: "OpenSearch domain does not encrypt node-to-node traffic",
    severity: Severity::Medium,
    practices: &["KMS-04"],
    benchmarks: &["AWS FSBP Opensearch.3", "AWS FSBP ES.3", "CKV_AWS_6"],
    description: "Traffic between the domain's nodes (shard replication, queries) is not \
encrypted with TLS. An attacker with a foothold in the VPC can read index data in transit. \
The seeds require OpenSearch and other stores to be encrypted.",
    remediation: "Set `node_to_node_encryption { enabled = true }` (required for fine-grained \
access control).",
    references: &["https://docs.aws.amazon.com/opensearch-service/latest/developerguide/ntn.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for d in &m.aws.opensearch_domains {
        if cx.known(
            &d.meta,
            "node_to_node_encryption.enabled",
            &d.node_to_node_encryption,
        ) == Some(&false)
        {
            cx.report(
                &d.meta,
                d.node_to_node_encryption.loc(),
                "domain does not encrypt traffic between its nodes",
            );
        }
    }
}
