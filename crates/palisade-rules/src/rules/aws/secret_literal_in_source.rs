//! The seeds keep secrets out of the repository: "This approach removes any
//! need to store sensitive data inside a git repository or elsewhere where it
//! can be exposed to the outside world." Every loader (Terraform, plan JSON,
//! CloudFormation, Kubernetes manifests) records the literal secrets it finds
//! in the model, so this one rule covers every input format. The message
//! names the attribute and why it looks secret, never the value.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL054",
    name: "secret-literal-in-source",
    title: "Literal secret written in infrastructure code or manifests",
    severity: Severity::High,
    practices: &["SEC-01"],
    benchmarks: &["CKV_AWS_41", "CKV_AWS_45", "CKV_AWS_46"],
    description: "A password, token, access key or private key is written as a literal in the \
scanned input (a Terraform attribute or variable default, a Kubernetes Secret's data, a container \
env value). Everyone with read access to the repository, its history, CI logs and state files \
has it, and it cannot be rotated without a code change. The seeds keep secrets in Secrets \
Manager and mount them through the Secrets Store CSI driver.",
    remediation: "Remove the value from the source and its history, rotate it, and store it in \
Secrets Manager: let RDS manage master passwords (`manage_master_user_password = true`), \
generate others (`random_password` into `aws_secretsmanager_secret_version`), and mount them in \
pods with the Secrets Store CSI driver or reference them with `valueFrom.secretKeyRef`.",
    references: &[
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/intro.html",
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/integrating_csi_driver.html",
        "https://kubernetes.io/docs/concepts/security/secrets-good-practices/",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for s in &m.secrets {
        let meta = Meta::new(s.resource.clone(), "secret literal", s.loc.clone());
        cx.report(
            &meta,
            Some(&s.loc),
            format!("`{}` holds a literal secret ({})", s.attribute, s.why),
        );
    }
}
