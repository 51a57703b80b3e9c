//! A workload without `serviceAccountName` runs as its namespace's `default`
//! service account, shared with every other such workload: any permission or
//! IAM role (IRSA) given to one is given to all. The seeds want each workload
//! to use its own service account (K8S-08), which is also what IRSA needs to
//! give it, and only it, its IAM role.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL223",
    name: "k8s-workload-uses-default-service-account",
    title: "Workload runs as the default service account",
    severity: Severity::Low,
    practices: &["K8S-08"],
    benchmarks: &["CIS EKS 1.7.0 4.1.5", "CIS EKS 1.7.0 5.2.1"],
    description: "The pod template sets no `serviceAccountName` (or sets `default`), so the pods \
share the namespace's `default` service account with every other workload that does the same, \
and with its RBAC bindings and IRSA role.",
    remediation:
        "Create a ServiceAccount per workload (with `automountServiceAccountToken: false` \
unless it calls the API, and its IRSA role annotation if it calls AWS) and set \
`serviceAccountName`.",
    references: &[
        "https://kubernetes.io/docs/concepts/security/service-accounts/",
        "https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for w in top_level_workloads(&m.k8s) {
        let v = &w.pod_spec().service_account_name;
        if cx
            .known(&w.meta, "serviceAccountName", v)
            .map(String::as_str)
            != Some("default")
        {
            continue;
        }
        let what = if v.is_default() {
            "sets no serviceAccountName"
        } else {
            "sets serviceAccountName: default"
        };
        cx.report(
            &w.meta,
            v.loc(),
            format!(
                "{} {} {what}, so it runs as the default service account",
                w.kind.as_str(),
                w.name()
            ),
        );
    }
}
