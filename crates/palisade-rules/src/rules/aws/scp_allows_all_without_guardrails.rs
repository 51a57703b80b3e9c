//! The seeds segregate accounts (production, staging, infosec, playground)
//! and "add guardrails to each organization to enforce policies like tagging
//! of resources, encryption of storage and use of sanctioned images. These
//! guardrails prevent accidental or intentional noncompliance, even by
//! administrators." Service control policies that only allow everything,
//! with no SCP denying anything, are no guardrail at all.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL066",
    name: "scp-allows-all-without-guardrails",
    title: "Organization SCPs allow everything and deny nothing",
    severity: Severity::Low,
    practices: &["IAM-07"],
    benchmarks: &[],
    description: "A service control policy allows every action on every resource and no SCP in \
the scanned input contains a Deny statement. Accounts then have no organization-level guardrail \
(required encryption, tagging, sanctioned AMIs, protected security services, allowed regions) \
that even their administrators cannot bypass. Only reported when organization policies are \
declared.",
    remediation: "Keep `FullAWSAccess` only alongside deny-based SCPs attached to the OUs: deny \
unencrypted volumes and buckets, untagged resources, unsanctioned AMIs, leaving the organization, \
and disabling CloudTrail, Config or GuardDuty.",
    references: &[
        "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html",
        "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let mut scps = Vec::new();
    for p in &m.aws.organization_policies {
        let Some(kind) = cx.known(&p.meta, "type", &p.policy_type) else {
            return; // may be an SCP with a guardrail
        };
        if kind == "SERVICE_CONTROL_POLICY" {
            scps.push(p);
        }
    }
    let mut docs = Vec::new();
    for p in &scps {
        let Some(doc) = cx.known(&p.meta, "content", &p.content) else {
            return; // an unknown SCP may be the guardrail
        };
        docs.push((*p, doc));
    }
    let mut any_deny = false;
    for (p, doc) in &docs {
        for s in statements(doc) {
            if s.get("Effect").is_some_and(has_unknown) {
                cx.unknown(
                    &p.meta,
                    "content",
                    p.content.loc(),
                    "an SCP statement's effect is unknown",
                );
                return;
            }
            if !is_allow(s) {
                any_deny = true;
            }
        }
    }
    if any_deny {
        return;
    }
    for (p, doc) in docs {
        if statements(doc).iter().any(|s| is_admin_statement(s)) {
            cx.report(
                &p.meta,
                p.content.loc(),
                "SCP allows every action and no SCP denies anything: the organization has no guardrails",
            );
        }
    }
}
