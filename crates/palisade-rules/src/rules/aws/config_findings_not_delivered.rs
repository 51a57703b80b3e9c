//! The seeds' Config rules "trigger SNS, which triggers a function that sends
//! notifications to the Slack channel". A delivery channel without an SNS
//! topic, or a topic nobody subscribes to, records findings that no person
//! ever sees.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL077",
    name: "config-findings-not-delivered",
    title: "AWS Config notifications reach no one",
    severity: Severity::Low,
    practices: &["MON-03"],
    benchmarks: &[],
    description: "The Config delivery channel has no SNS topic, or its topic (declared in the \
scanned input) has no subscription. Configuration changes and rule compliance changes are only \
written to S3, so risky changes are noticed late or never. The seeds route Config findings \
through SNS and a Lambda to the team's chat.",
    remediation: "Set `sns_topic_arn` on `aws_config_delivery_channel` and subscribe the \
notifier (a Lambda posting to chat, or an email/HTTPS endpoint) to the topic.",
    references: &[
        "https://docs.aws.amazon.com/config/latest/developerguide/notifications-for-AWS-Config.html",
        "https://docs.aws.amazon.com/config/latest/developerguide/manage-delivery-channel.html",
    ],
    check,
};

fn check(m: &Model, cx: &mut Ctx) {
    for ch in &m.aws.config_delivery_channels {
        let Some(topic) = cx.known(&ch.meta, "sns_topic_arn", &ch.sns_topic) else {
            continue;
        };
        let Some(topic) = topic else {
            cx.report(
                &ch.meta,
                None,
                "delivery channel has no SNS topic: Config notifications reach no one",
            );
            continue;
        };
        let Some(t) = m.aws.get::<SnsTopic>(topic) else {
            continue; // a topic outside the scanned input
        };
        let mut subscribed = false;
        let mut unknown = None;
        for s in &m.aws.sns_subscriptions {
            match s.topic.get() {
                Some(r) if m.aws.refers_to(r, &t.meta) => subscribed = true,
                Some(_) => {}
                None => unknown = Some(s),
            }
        }
        if subscribed {
            continue;
        }
        if let Some(s) = unknown {
            cx.known(&s.meta, "topic_arn", &s.topic);
            continue;
        }
        cx.report(
            &ch.meta,
            ch.sns_topic.loc(),
            format!(
                "SNS topic `{}` of the delivery channel has no subscription: Config notifications reach no one",
                t.meta.address
            ),
        );
    }
}
