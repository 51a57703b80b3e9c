//! Logging, monitoring and governance: CloudTrail, AWS Config, GuardDuty,
//! Security Hub, Inspector, flow logs, SNS, Organizations policies, log groups.

use super::network::owner;
use super::read::Obj;
use super::{add_keys, find, meta, Cx};
use palisade_model::aws::{
    Aws, CloudTrail, ConfigDeliveryChannel, ConfigRecorder, ConfigRule, FlowLog, GuardDutyDetector,
    InspectorEnabler, LogGroup, OrganizationPolicy, SecurityHubAccount, SnsSubscription, SnsTopic,
};
use palisade_model::raw::RawResource;
use palisade_model::Val;

pub(crate) fn adapt<'a>(cx: &mut Cx<'a>, aws: &mut Aws, r: &'a RawResource) -> bool {
    let o = Obj::root(r);
    match r.kind.as_str() {
        "aws_cloudtrail" => {
            let name = cx.str_opt(&o, "name");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let t = CloudTrail {
                meta: m,
                multi_region: cx.bool(&o, "is_multi_region_trail", false),
                log_file_validation: cx.bool(&o, "enable_log_file_validation", false),
                kms_key: cx.link_opt(&o, "kms_key_id"),
                bucket: cx.link_opt(&o, "s3_bucket_name"),
                organization: cx.bool(&o, "is_organization_trail", false),
                logging: cx.bool(&o, "enable_logging", true),
            };
            aws.cloudtrails.push(t);
        }
        "aws_config_configuration_recorder" => {
            let name = cx.str_or(&o, "name", "default");
            let mut m = meta(r);
            if let Some(n) = name.get() {
                add_keys(&mut m, [n.clone()]);
            }
            let group = o.block("recording_group");
            let c = ConfigRecorder {
                meta: m,
                all_supported: cx.bool(&group, "all_supported", true),
                include_global: cx.bool(&group, "include_global_resource_types", false),
                recording: None,
            };
            aws.config_recorders.push(c);
        }
        "aws_config_config_rule" => {
            let name = cx.str_opt(&o, "name");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let source = o.block("source");
            let source_identifier = cx.str_opt(&source, "source_identifier");
            aws.config_rules.push(ConfigRule {
                meta: m,
                source_identifier,
            });
        }
        "aws_config_delivery_channel" => {
            let name = cx.str_opt(&o, "name");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let sns_topic = cx.link_opt(&o, "sns_topic_arn");
            aws.config_delivery_channels
                .push(ConfigDeliveryChannel { meta: m, sns_topic });
        }
        "aws_guardduty_detector" => {
            let k8s = o
                .block("datasources")
                .block("kubernetes")
                .block("audit_logs");
            let d = GuardDutyDetector {
                meta: meta(r),
                enabled: cx.bool(&o, "enable", true),
                eks_protection: cx.bool(&k8s, "enable", false),
            };
            aws.guardduty_detectors.push(d);
        }
        "aws_securityhub_account" => aws
            .securityhub_accounts
            .push(SecurityHubAccount { meta: meta(r) }),
        "aws_inspector2_enabler" => {
            let resource_types = cx.strs(&o, "resource_types", &[]);
            aws.inspector_enablers.push(InspectorEnabler {
                meta: meta(r),
                resource_types,
            });
        }
        "aws_flow_log" => {
            let keys = [
                "vpc_id",
                "subnet_id",
                "eni_id",
                "transit_gateway_id",
                "transit_gateway_attachment_id",
            ];
            let target = match keys.iter().find(|k| o.has(k)) {
                Some(k) => cx.link(&o, k),
                None => cx.link(&o, "vpc_id"),
            };
            let traffic_type = cx.str_req(&o, "traffic_type");
            aws.flow_logs.push(FlowLog {
                meta: meta(r),
                target,
                traffic_type,
            });
        }
        "aws_sns_topic" => {
            let name = cx.str_opt(&o, "name");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let kms_key = cx.link_opt(&o, "kms_master_key_id");
            aws.sns_topics.push(SnsTopic { meta: m, kms_key });
        }
        "aws_sns_topic_subscription" => {
            let s = SnsSubscription {
                meta: meta(r),
                topic: cx.link(&o, "topic_arn"),
                protocol: cx.str_req(&o, "protocol"),
                endpoint: cx.link_opt(&o, "endpoint"),
            };
            aws.sns_subscriptions.push(s);
        }
        "aws_organizations_policy" => {
            let name = cx.str_opt(&o, "name");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let p = OrganizationPolicy {
                meta: m,
                policy_type: cx.str_or(&o, "type", "SERVICE_CONTROL_POLICY"),
                content: cx.policy_req(&o, "content"),
            };
            aws.organization_policies.push(p);
        }
        "aws_cloudwatch_log_group" => {
            let name = cx.str_opt(&o, "name");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            // 0 means the events never expire, like not setting it.
            let retention_days = cx
                .int_opt(&o, "retention_in_days")
                .map(|d| d.filter(|d| *d != 0));
            let g = LogGroup {
                meta: m,
                kms_key: cx.link_opt(&o, "kms_key_id"),
                retention_days,
            };
            aws.log_groups.push(g);
        }
        _ => return false,
    }
    true
}

/// GuardDuty features that monitor EKS.
const EKS_FEATURES: &[&str] = &[
    "EKS_AUDIT_LOGS",
    "EKS_RUNTIME_MONITORING",
    "RUNTIME_MONITORING",
];

/// Merges GuardDuty detector features and Config recorder status.
pub(crate) fn merge<'a>(cx: &mut Cx<'a>, aws: &mut Aws, r: &'a RawResource) -> bool {
    let o = Obj::root(r);
    match r.kind.as_str() {
        "aws_guardduty_detector_feature" => {
            let detector = cx.link(&o, "detector_id");
            if let Some(why) = super::data::unknown_owner_reason(r, "detector_id", &detector) {
                let eks = match o.raw("name").map(|n| &n.value) {
                    Some(palisade_model::raw::Raw::String(n)) => EKS_FEATURES.contains(&n.as_str()),
                    _ => true,
                };
                for d in aws.guardduty_detectors.iter_mut().filter(|_| eks) {
                    if !d.eks_protection.is_true() {
                        d.eks_protection = Val::unknown(why.clone(), Some(r.loc.clone()));
                    }
                }
            }
            let Some(i) = owner(cx, r, &detector, |l| find(&aws.guardduty_detectors, l)) else {
                return false;
            };
            let name = cx.str_req(&o, "name");
            let status = cx.str_req(&o, "status");
            let new = match (&name, status) {
                (Val::Unknown { reason, loc }, _) => Val::Unknown {
                    reason: reason.clone(),
                    loc: loc.clone(),
                },
                (n, _) if !n.get().is_some_and(|n| EKS_FEATURES.contains(&n.as_str())) => {
                    return true
                }
                (_, s) => s.map(|s| s == "ENABLED"),
            };
            if let Some(d) = aws.guardduty_detectors.get_mut(i) {
                // Any enabled EKS feature protects EKS.
                if !d.eks_protection.is_true() {
                    d.eks_protection = new;
                }
            }
        }
        "aws_config_configuration_recorder_status" => {
            let recorder = cx.link(&o, "name");
            if let Some(why) = super::data::unknown_owner_reason(r, "name", &recorder) {
                for c in aws
                    .config_recorders
                    .iter_mut()
                    .filter(|c| c.recording.is_none())
                {
                    c.recording = Some(Val::unknown(why.clone(), Some(r.loc.clone())));
                }
            }
            let Some(i) = owner(cx, r, &recorder, |l| find(&aws.config_recorders, l)) else {
                return false;
            };
            let enabled = cx.bool_opt(&o, "is_enabled");
            let enabled = match enabled {
                Val::Known {
                    value: Some(b),
                    loc,
                } => Val::known(b, loc),
                Val::Known { value: None, .. } | Val::Default { .. } => {
                    let loc = o.loc.clone();
                    cx.unknown(&o, "is_enabled", loc, "`is_enabled` is not set".into())
                }
                Val::Unknown { reason, loc } => Val::Unknown { reason, loc },
            };
            if let Some(c) = aws.config_recorders.get_mut(i) {
                c.recording = Some(enabled);
            }
        }
        _ => return false,
    }
    true
}
