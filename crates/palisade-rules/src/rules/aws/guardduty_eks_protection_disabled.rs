//! GuardDuty only watches Kubernetes when EKS protection is on: audit-log
//! monitoring (or runtime monitoring) detects anonymous API access, secrets
//! enumeration, privileged pods and known-malicious images. The seeds ask for
//! GuardDuty with EKS protection.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL079",
    name: "guardduty-eks-protection-disabled",
    title: "GuardDuty does not monitor EKS",
    severity: Severity::Medium,
    practices: &["MON-04"],
    benchmarks: &["AWS FSBP GuardDuty.5"],
    description: "The enabled GuardDuty detector has neither EKS audit-log monitoring nor EKS \
runtime monitoring. Threats inside the cluster (an exposed dashboard, a pod reading every \
Secret, a container running a miner) are not detected. The seeds require GuardDuty with EKS \
protection.",
    remediation: "Add `aws_guardduty_detector_feature` with `name = \"EKS_AUDIT_LOGS\"` and \
`status = \"ENABLED\"` (and `RUNTIME_MONITORING` with the EKS add-on management), or the legacy \
`datasources { kubernetes { audit_logs { enable = true } } }`.",
    references: &["https://docs.aws.amazon.com/guardduty/latest/ug/kubernetes-protection.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for d in &m.aws.guardduty_detectors {
        if !d.enabled.is_true() {
            continue; // a disabled detector is PAL078's finding
        }
        if cx.known(&d.meta, "EKS protection", &d.eks_protection) == Some(&false) {
            cx.report(
                &d.meta,
                d.eks_protection.loc(),
                "detector does not monitor EKS audit logs or EKS runtime activity",
            );
        }
    }
}
