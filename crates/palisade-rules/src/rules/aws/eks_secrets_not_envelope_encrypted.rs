//! Kubernetes Secrets are stored in etcd. EKS encrypts etcd's volumes, but
//! envelope encryption with a customer-managed KMS key adds a second layer
//! the seeds require: every Secret is encrypted with a data key that only
//! KMS, under the key's policy, can unwrap.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL053",
    name: "eks-secrets-not-envelope-encrypted",
    title: "EKS cluster does not envelope-encrypt Kubernetes Secrets with KMS",
    severity: Severity::High,
    practices: &["KMS-07"],
    benchmarks: &["AWS FSBP EKS.3", "CKV_AWS_58"],
    description: "The cluster has no `encryption_config` for `secrets`: Kubernetes Secrets \
(database passwords, tokens) are protected only by etcd's disk encryption, with no key policy, \
no KMS audit trail and no way to revoke access by disabling a key. The seeds require envelope \
encryption of Secrets with a KMS key.",
    remediation: "Add `encryption_config { resources = [\"secrets\"] provider { key_arn = \
<EKS CMK> } }` to the cluster (it can be enabled on existing clusters and cannot be turned off).",
    references: &[
        "https://docs.aws.amazon.com/eks/latest/userguide/envelope-encryption.html",
        "https://docs.aws.amazon.com/eks/latest/best-practices/data-encryption-and-secrets-management.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for c in &m.aws.eks_clusters {
        if let Some(None) = cx.known(&c.meta, "encryption_config", &c.secrets_encryption_key) {
            cx.report(
                &c.meta,
                c.secrets_encryption_key.loc(),
                "Kubernetes Secrets are not envelope-encrypted with a KMS key",
            );
        }
    }
}
