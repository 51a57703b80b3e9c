//! Logging, monitoring and governance: CloudTrail, AWS Config, GuardDuty,
//! Security Hub, flow logs, SNS, Organizations policies, log groups.

use super::bool_req;
use crate::terraform::read::Obj;
use crate::terraform::{add_keys, meta, Cx};
use palisade_model::aws::{
    Aws, CloudTrail, ConfigDeliveryChannel, ConfigRecorder, ConfigRule, FlowLog, GuardDutyDetector,
    LogGroup, OrganizationPolicy, SecurityHubAccount, SnsSubscription, SnsTopic,
};
use palisade_model::raw::RawResource;
use palisade_model::{Meta, Ref, Val};

/// GuardDuty features that monitor EKS.
const EKS_FEATURES: &[&str] = &[
    "EKS_AUDIT_LOGS",
    "EKS_RUNTIME_MONITORING",
    "RUNTIME_MONITORING",
];

pub(crate) fn adapt<'a>(cx: &mut Cx<'a>, aws: &mut Aws, r: &'a RawResource, o: &Obj<'a>) -> bool {
    match r.kind.as_str() {
        "AWS::CloudTrail::Trail" => {
            let name = cx.str_opt(o, "TrailName");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            aws.cloudtrails.push(CloudTrail {
                meta: m,
                multi_region: cx.bool(o, "IsMultiRegionTrail", false),
                log_file_validation: cx.bool(o, "EnableLogFileValidation", false),
                kms_key: cx.link_opt(o, "KMSKeyId"),
                bucket: cx.link_opt(o, "S3BucketName"),
                organization: cx.bool(o, "IsOrganizationTrail", false),
                logging: bool_req(cx, o, "IsLogging"),
            });
        }
        "AWS::Config::ConfigurationRecorder" => {
            let name = cx.str_or(o, "Name", "default");
            let mut m = meta(r);
            if let Some(n) = name.get() {
                add_keys(&mut m, [n.clone()]);
            }
            let group = o.block("RecordingGroup");
            aws.config_recorders.push(ConfigRecorder {
                meta: m,
                all_supported: cx.bool(&group, "AllSupported", true),
                include_global: cx.bool(&group, "IncludeGlobalResourceTypes", false),
                // Decided in `finish`, once delivery channels are known.
                recording: None,
            });
        }
        "AWS::Config::ConfigRule" => {
            let name = cx.str_opt(o, "ConfigRuleName");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let source = o.block("Source");
            aws.config_rules.push(ConfigRule {
                meta: m,
                source_identifier: cx.str_opt(&source, "SourceIdentifier"),
            });
        }
        "AWS::Config::DeliveryChannel" => {
            let name = cx.str_opt(o, "Name");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let sns_topic = cx.link_opt(o, "SnsTopicARN");
            aws.config_delivery_channels
                .push(ConfigDeliveryChannel { meta: m, sns_topic });
        }
        "AWS::GuardDuty::Detector" => {
            let legacy = o
                .block("DataSources")
                .block("Kubernetes")
                .block("AuditLogs");
            let mut eks_protection = cx.bool(&legacy, "Enable", false);
            let features = o.blocks("Features");
            for f in &features.items {
                let name = cx.str_req(f, "Name");
                if let Val::Unknown { reason, loc } = name {
                    if !eks_protection.is_true() {
                        eks_protection = Val::Unknown { reason, loc };
                    }
                    continue;
                }
                if !name
                    .get()
                    .is_some_and(|n| EKS_FEATURES.contains(&n.as_str()))
                {
                    continue;
                }
                let enabled = cx.str_req(f, "Status").map(|s| s == "ENABLED");
                if !eks_protection.is_true() {
                    eks_protection = enabled;
                }
            }
            if let Some((reason, loc)) = features.unknown {
                if !eks_protection.is_true() {
                    eks_protection = cx.unknown(o, "Features", loc, reason);
                }
            }
            aws.guardduty_detectors.push(GuardDutyDetector {
                meta: meta(r),
                enabled: bool_req(cx, o, "Enable"),
                eks_protection,
            });
        }
        "AWS::SecurityHub::Hub" => aws
            .securityhub_accounts
            .push(SecurityHubAccount { meta: meta(r) }),
        "AWS::EC2::FlowLog" => {
            let target = cx.link(o, "ResourceId");
            let traffic_type = cx.str_req(o, "TrafficType");
            aws.flow_logs.push(FlowLog {
                meta: meta(r),
                target,
                traffic_type,
            });
        }
        "AWS::SNS::Topic" => {
            let name = cx.str_opt(o, "TopicName");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let topic = Val::known(Ref::new(r.address.clone()), r.loc.clone());
            let subs = o.blocks("Subscription");
            for s in &subs.items {
                aws.sns_subscriptions.push(SnsSubscription {
                    meta: Meta::new(
                        format!("{}.{}", r.address, s.path),
                        r.kind.clone(),
                        s.loc.clone(),
                    ),
                    topic: topic.clone(),
                    protocol: cx.str_req(s, "Protocol"),
                    endpoint: cx.link_opt(s, "Endpoint"),
                });
            }
            if let Some((reason, loc)) = subs.unknown {
                let protocol = cx.unknown(o, "Subscription", loc.clone(), reason.clone());
                aws.sns_subscriptions.push(SnsSubscription {
                    meta: Meta::new(
                        format!("{}.Subscription[*]", r.address),
                        r.kind.clone(),
                        loc.clone(),
                    ),
                    topic,
                    protocol,
                    endpoint: Val::unknown(reason, Some(loc)),
                });
            }
            let kms_key = cx.link_opt(o, "KmsMasterKeyId");
            aws.sns_topics.push(SnsTopic { meta: m, kms_key });
        }
        "AWS::SNS::Subscription" => aws.sns_subscriptions.push(SnsSubscription {
            meta: meta(r),
            topic: cx.link(o, "TopicArn"),
            protocol: cx.str_req(o, "Protocol"),
            endpoint: cx.link_opt(o, "Endpoint"),
        }),
        "AWS::Organizations::Policy" => {
            let name = cx.str_opt(o, "Name");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            aws.organization_policies.push(OrganizationPolicy {
                meta: m,
                policy_type: cx.str_req(o, "Type"),
                content: cx.policy_req(o, "Content"),
            });
        }
        "AWS::Logs::LogGroup" => {
            let name = cx.str_opt(o, "LogGroupName");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            aws.log_groups.push(LogGroup {
                meta: m,
                kms_key: cx.link_opt(o, "KmsKeyId"),
                retention_days: cx.int_opt(o, "RetentionInDays"),
            });
        }
        _ => return false,
    }
    true
}

/// CloudFormation starts a configuration recorder as soon as a delivery
/// channel is available.
pub(crate) fn finish(aws: &mut Aws) {
    let channel = !aws.config_delivery_channels.is_empty();
    for c in &mut aws.config_recorders {
        if c.meta.kind != "AWS::Config::ConfigurationRecorder" || c.recording.is_some() {
            continue;
        }
        c.recording = Some(if channel {
            Val::default_(true)
        } else {
            Val::unknown(
                "CloudFormation starts the recorder once a delivery channel exists; none is in the scanned input",
                Some(c.meta.loc.clone()),
            )
        });
    }
}
