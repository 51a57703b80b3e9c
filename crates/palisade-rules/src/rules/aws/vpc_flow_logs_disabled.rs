//! The seeds enable VPC flow logs (and feed them to GuardDuty): they are the
//! only record of which addresses talked to which, and the basis for
//! detecting exfiltration, scanning and C2 traffic.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL071",
    name: "vpc-flow-logs-disabled",
    title: "VPC has no flow log",
    severity: Severity::Medium,
    practices: &["MON-02"],
    benchmarks: &["CIS AWS 3.7", "AWS FSBP EC2.6", "CKV2_AWS_11"],
    description: "No `aws_flow_log` targets the VPC. Network traffic to and from its nodes, \
databases and load balancers is not recorded, so connections from an attacker or to an \
exfiltration endpoint cannot be investigated. The seeds require VPC flow logs.",
    remediation: "Add an `aws_flow_log` with `vpc_id` set to the VPC, `traffic_type = \"ALL\"` \
(at least `REJECT`), delivered to CloudWatch Logs or the infosec S3 bucket.",
    references: &["https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    let unknown_target = m.aws.flow_logs.iter().find(|f| f.target.is_unknown());
    for vpc in &m.aws.vpcs {
        let logged = m.aws.flow_logs.iter().any(|f| {
            f.target
                .get()
                .is_some_and(|t| m.aws.refers_to(t, &vpc.meta))
        });
        if logged {
            continue;
        }
        if let Some(f) = unknown_target {
            cx.unknown(
                &vpc.meta,
                "flow log",
                f.target.loc(),
                format!("the target of flow log `{}` is unknown", f.meta.address),
            );
            continue;
        }
        cx.report(&vpc.meta, None, "VPC has no flow log");
    }
}
