//! A Role or ClusterRole rule with `*` verbs or `*` resources grants today's
//! resources and every resource or verb added later (CRDs, subresources such
//! as `pods/exec`), Secrets included. The seeds ask for no wildcard RBAC
//! (K8S-07). Kubernetes' own roles (label `kubernetes.io/bootstrapping:
//! rbac-defaults`, e.g. `cluster-admin`) are not reported.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL219",
    name: "k8s-rbac-wildcard",
    title: "Role grants wildcard verbs or resources",
    severity: Severity::Medium,
    practices: &["K8S-07"],
    benchmarks: &["CIS EKS 1.7.0 4.1.3", "CKV_K8S_49"],
    description: "A rule lists `*` in `verbs` or `resources`, so whoever is bound to the role can \
do anything with the matching resources (or anything at all), including reading Secrets and \
exec-ing into pods, now and for resources added in the future.",
    remediation: "List the exact resources and verbs the subject needs.",
    references: &[
        "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for role in m.k8s.roles.iter().filter(|r| !is_rbac_default(&r.object)) {
        let kind = if role.cluster { "ClusterRole" } else { "Role" };
        for r in &role.rules {
            let verbs = r.verbs.iter().any(|v| v == "*");
            let resources = r.resources.iter().any(|v| v == "*");
            let what = match (verbs, resources) {
                (true, true) => "every verb on every resource".to_string(),
                (true, false) => format!("every verb on {}", r.resources.join(", ")),
                (false, true) => format!("{} on every resource", r.verbs.join(", ")),
                (false, false) => continue,
            };
            let groups = if r.api_groups.iter().any(|g| g == "*") {
                " of every API group"
            } else {
                ""
            };
            cx.report(
                &role.meta,
                Some(&r.loc),
                format!("{kind} {} grants {what}{groups}", role.object.name),
            );
        }
    }
}
