//! Resource tags ([`Meta::tags`](palisade_model::Meta::tags)) from
//! CloudFormation `Tags`: a list of `{Key, Value}` for most types, a
//! key → value mapping for a few (EKS node groups, Security Hub...).

use crate::terraform::read::{fmt_num, ref_reason};
use crate::terraform::tags::redacted;
use palisade_model::aws::Aws;
use palisade_model::raw::{Raw, RawNode, RawResource};
use palisade_model::{Location, Tags, Val};
use std::collections::HashMap;

/// Modelled CloudFormation types that have a `Tags` property.
const TAGGABLE: &[&str] = &[
    "AWS::CloudFront::Distribution",
    "AWS::CloudTrail::Trail",
    "AWS::Config::ConfigRule",
    "AWS::EC2::Instance",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::LaunchTemplate",
    "AWS::EC2::NatGateway",
    "AWS::EC2::NetworkAcl",
    "AWS::EC2::RouteTable",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::Subnet",
    "AWS::EC2::VPC",
    "AWS::EC2::VPCEndpoint",
    "AWS::EC2::VPCPeeringConnection",
    "AWS::EC2::Volume",
    "AWS::ECR::Repository",
    "AWS::EKS::Cluster",
    "AWS::EKS::Nodegroup",
    "AWS::EKS::PodIdentityAssociation",
    "AWS::ElasticLoadBalancing::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::Elasticsearch::Domain",
    "AWS::GuardDuty::Detector",
    "AWS::IAM::OIDCProvider",
    "AWS::IAM::Role",
    "AWS::IAM::SAMLProvider",
    "AWS::IAM::User",
    "AWS::KMS::Key",
    "AWS::Lambda::Function",
    "AWS::Logs::LogGroup",
    "AWS::OpenSearchService::Domain",
    "AWS::Organizations::Policy",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBClusterParameterGroup",
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBParameterGroup",
    "AWS::RDS::DBSubnetGroup",
    "AWS::S3::Bucket",
    "AWS::SNS::Topic",
    "AWS::SecretsManager::Secret",
    "AWS::SecurityHub::Hub",
    "AWS::WAFv2::IPSet",
    "AWS::WAFv2::WebACL",
];

/// Sets the tags of every resource declared in the input (not of parts).
pub(crate) fn fill(resources: &[RawResource], aws: &mut Aws) {
    let by_addr: HashMap<&str, &RawResource> =
        resources.iter().map(|r| (r.address.as_str(), r)).collect();
    for meta in aws.metas_mut() {
        if meta.tags.is_some() {
            continue;
        }
        if let Some(r) = by_addr.get(meta.address.as_str()) {
            if r.kind == meta.kind {
                meta.tags = of(r);
            }
        }
    }
}

/// The tags of one resource; `None` when its type carries no tags.
pub(crate) fn of(r: &RawResource) -> Option<Val<Tags>> {
    if let Raw::Unknown(reason) = &r.body.value {
        return TAGGABLE
            .contains(&r.kind.as_str())
            .then(|| Val::unknown(reason.clone(), Some(r.loc.clone())));
    }
    let node = r.body.get("Tags").filter(|n| !n.is_null());
    let Some(node) = node else {
        return TAGGABLE
            .contains(&r.kind.as_str())
            .then(|| Val::default_(Tags::new()));
    };
    let loc = node.loc.clone().unwrap_or_else(|| r.loc.clone());
    Some(match &node.value {
        Raw::List(items) => {
            let mut out = Tags::new();
            for item in items {
                let at = item.loc.clone().unwrap_or_else(|| loc.clone());
                match (&item.value, item.get("Key"), item.get("Value")) {
                    (Raw::Map(_), Some(k), v) => match &k.value {
                        Raw::String(k) => {
                            let v = v.map_or_else(
                                || Val::known(String::new(), at.clone()),
                                |v| value(v, at.clone()),
                            );
                            out.insert(k.clone(), redacted(k, v));
                        }
                        other => {
                            return Some(Val::unknown(
                                format!("a tag key is unknown: {}", why(other)),
                                Some(at),
                            ))
                        }
                    },
                    (other, _, _) => {
                        return Some(Val::unknown(
                            format!("a tag is unknown: {}", why(other)),
                            Some(at),
                        ))
                    }
                }
            }
            Val::known(out, loc)
        }
        Raw::Map(m) => {
            let mut out = Tags::new();
            for (k, v) in m {
                let at = v.loc.clone().unwrap_or_else(|| loc.clone());
                out.insert(k.clone(), redacted(k, value(v, at)));
            }
            Val::known(out, loc)
        }
        other => Val::unknown(format!("`Tags` is unknown: {}", why(other)), Some(loc)),
    })
}

fn why(r: &Raw) -> String {
    match r {
        Raw::Unknown(reason) => reason.clone(),
        Raw::Ref { address, attr } => ref_reason(address, attr),
        _ => "not a tag".into(),
    }
}

fn value(n: &RawNode, loc: Location) -> Val<String> {
    match &n.value {
        Raw::String(s) => Val::known(s.clone(), loc),
        Raw::Number(x) => Val::known(fmt_num(*x), loc),
        Raw::Bool(b) => Val::known(b.to_string(), loc),
        Raw::Null => Val::known(String::new(), loc),
        Raw::Unknown(reason) => Val::unknown(reason.clone(), Some(loc)),
        Raw::Ref { address, attr } => Val::unknown(ref_reason(address, attr), Some(loc)),
        Raw::List(_) | Raw::Map(_) => Val::unknown("tag value is not a string", Some(loc)),
    }
}
