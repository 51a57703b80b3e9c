//! The seeds: "It's a good idea to create a separate KMS CMK key for every
//! service that allows encryption." One key shared by RDS, S3 and EKS means
//! one key policy that must admit all their roles, one blast radius when it
//! is disabled or its policy is too broad, and no way to cut one service
//! off without the others.

use crate::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

pub static RULE: Rule = Rule {
    id: "PAL049",
    name: "kms-key-shared-across-services",
    title: "One KMS key encrypts data of several services",
    severity: Severity::Medium,
    practices: &["KMS-05"],
    benchmarks: &[],
    description: "The same customer-managed key encrypts data of more than one service (e.g. \
RDS storage, S3 objects and EKS secrets). Its key policy has to admit every service's roles, so \
a principal allowed to decrypt one service's data can decrypt the others', and disabling the \
key in an incident takes every service down. The seeds use a separate key per service with a \
key policy scoped to that service's roles.",
    remediation: "Create one key per service (RDS, S3, EKS secrets, EBS, Secrets Manager, logs), \
each with a key policy limited to that service (`kms:ViaService`) and its roles, and point each \
resource at its own key.",
    references: &[
        "https://docs.aws.amazon.com/kms/latest/developerguide/least-privilege.html",
        "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let aws = &m.aws;
    let mut uses: BTreeMap<&str, (&KmsKey, BTreeSet<&'static str>)> = BTreeMap::new();
    let mut add = |link: &Val<Option<Ref>>, service: &'static str| {
        if let Some(k) = link.some().and_then(|r| kms_key_of(aws, r)) {
            uses.entry(k.meta.address.as_str())
                .or_insert_with(|| (k, BTreeSet::new()))
                .1
                .insert(service);
        }
    };
    for db in databases(aws) {
        add(db.kms_key, "RDS");
    }
    for b in &aws.s3_buckets {
        if let Some(e) = b.encryption.some() {
            add(&e.kms_key, "S3");
        }
    }
    for c in &aws.eks_clusters {
        add(&c.secrets_encryption_key, "EKS secrets");
    }
    for v in &aws.ebs_volumes {
        add(&v.kms_key, "EBS");
    }
    for d in aws
        .launch_templates
        .iter()
        .flat_map(|t| t.block_devices.iter())
        .chain(aws.instances.iter().flat_map(|i| i.block_devices.iter()))
    {
        add(&d.kms_key, "EBS");
    }
    for s in &aws.secrets {
        add(&s.kms_key, "Secrets Manager");
    }
    for t in &aws.cloudtrails {
        add(&t.kms_key, "CloudTrail");
    }
    for t in &aws.sns_topics {
        add(&t.kms_key, "SNS");
    }
    for g in &aws.log_groups {
        add(&g.kms_key, "CloudWatch Logs");
    }
    for r in &aws.ecr_repositories {
        add(&r.kms_key, "ECR");
    }
    for (key, services) in uses.values() {
        if services.len() >= 2 {
            let list: Vec<&str> = services.iter().copied().collect();
            cx.report(
                &key.meta,
                None,
                format!(
                    "key encrypts data of {} services: {}",
                    services.len(),
                    list.join(", ")
                ),
            );
        }
    }
}
