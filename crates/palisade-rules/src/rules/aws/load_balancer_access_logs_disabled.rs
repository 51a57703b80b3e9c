//! ALB access logs are the raw material of the seeds' attack detection:
//! "if a hacker searches for weaknesses it will create some 4XX or 5XX http
//! error codes", and the logs tell which client did it. Without them the
//! offending IPs cannot be found and blocked.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL073",
    name: "load-balancer-access-logs-disabled",
    title: "Application or classic load balancer without access logs",
    severity: Severity::Medium,
    practices: &["MON-02"],
    benchmarks: &["AWS FSBP ELB.5", "CKV_AWS_91", "CKV_AWS_92"],
    description: "The HTTP load balancer does not write access logs. Requests, client IPs, \
status codes and TLS details are not recorded, so probing and attacks cannot be detected from \
bursts of 4XX/5XX or investigated afterwards. The seeds require ALB access logs.",
    remediation: "Add `access_logs { bucket = <log bucket>, enabled = true }` (the bucket policy \
must allow the ELB log delivery principal).",
    references: &["https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html"],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for lb in &m.aws.load_balancers {
        let Some(kind) = cx.known(&lb.meta, "load_balancer_type", &lb.lb_type) else {
            continue;
        };
        if kind != "application" && kind != "classic" {
            continue;
        }
        if cx.known(&lb.meta, "access_logs", &lb.access_logs) == Some(&false) {
            cx.report(
                &lb.meta,
                lb.access_logs.loc(),
                format!("{kind} load balancer does not write access logs"),
            );
        }
    }
}
