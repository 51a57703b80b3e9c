//! Load balancers, CloudFront, WAFv2 and Shield.

use super::{append_link, linked_kind, own, presence};
use crate::terraform::read::{ref_reason, uval, Obj};
use crate::terraform::{add_keys, meta, Cx};
use palisade_model::aws::{
    Aws, CloudFrontDistribution, CloudFrontOrigin, Listener, ListenerAction, LoadBalancer,
    ShieldProtection, TargetGroup, WafAssociation, WafIpSet, WafLogging, WafRule, WafWebAcl,
};
use palisade_model::raw::{Raw, RawNode, RawResource};
use palisade_model::{Meta, Ref, Val};

pub(crate) fn adapt<'a>(cx: &mut Cx<'a>, aws: &mut Aws, r: &'a RawResource, o: &Obj<'a>) -> bool {
    match r.kind.as_str() {
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
            let name = cx.str_opt(o, "Name");
            let lb_type = cx.str_or(o, "Type", "application");
            let internal = cx
                .str_or(o, "Scheme", "internet-facing")
                .map(|s| s == "internal");
            let mut subnets = cx.links(o, "Subnets");
            let mappings = o.blocks("SubnetMappings");
            if let Some((reason, loc)) = mappings.unknown {
                subnets = cx.unknown(o, "SubnetMappings", loc, reason);
            } else {
                for b in &mappings.items {
                    let s = cx.link(b, "SubnetId");
                    append_link(&mut subnets, s);
                }
            }
            let security_groups = cx.links(o, "SecurityGroups");
            let access_logs = lb_attribute(cx, o, "access_logs.s3.enabled");
            let drop_invalid_headers =
                lb_attribute(cx, o, "routing.http.drop_invalid_header_fields.enabled");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            aws.load_balancers.push(LoadBalancer {
                meta: m,
                lb_type,
                internal,
                subnets,
                security_groups,
                access_logs,
                drop_invalid_headers,
            });
        }
        "AWS::ElasticLoadBalancing::LoadBalancer" => {
            let name = cx.str_opt(o, "LoadBalancerName");
            let internal = cx
                .str_or(o, "Scheme", "internet-facing")
                .map(|s| s == "internal");
            let logs = o.block("AccessLoggingPolicy");
            let access_logs = if logs.present() {
                cx.bool(&logs, "Enabled", false)
            } else {
                Val::default_(false)
            };
            let lb = own(r);
            let blocks = o.blocks("Listeners");
            for b in &blocks.items {
                let l = Listener {
                    meta: Meta::new(
                        format!("{}.{}", r.address, b.path),
                        r.kind.clone(),
                        b.loc.clone(),
                    ),
                    load_balancer: lb.clone(),
                    port: cx.int_opt(b, "LoadBalancerPort"),
                    protocol: cx
                        .str_opt(b, "Protocol")
                        .map(|p| p.map(|p| p.to_ascii_uppercase())),
                    ssl_policy: Val::default_(None),
                    certificate: cx.ident_opt(b, "SSLCertificateId"),
                    default_actions: Val::known(vec![ListenerAction::Forward], b.loc.clone()),
                };
                aws.listeners.push(l);
            }
            if let Some((reason, loc)) = blocks.unknown {
                let port = cx.unknown(o, "Listeners", loc.clone(), reason.clone());
                aws.listeners.push(Listener {
                    meta: Meta::new(
                        format!("{}.Listeners[*]", r.address),
                        r.kind.clone(),
                        loc.clone(),
                    ),
                    load_balancer: lb,
                    port,
                    protocol: uval(&reason, Some(&loc)),
                    ssl_policy: uval(&reason, Some(&loc)),
                    certificate: uval(&reason, Some(&loc)),
                    default_actions: uval(&reason, Some(&loc)),
                });
            }
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            aws.load_balancers.push(LoadBalancer {
                meta: m,
                lb_type: Val::default_("classic".into()),
                internal,
                subnets: cx.links(o, "Subnets"),
                security_groups: cx.links(o, "SecurityGroups"),
                access_logs,
                drop_invalid_headers: Val::default_(false),
            });
        }
        "AWS::ElasticLoadBalancingV2::Listener" => {
            let load_balancer = cx.link(o, "LoadBalancerArn");
            let port = cx.int_opt(o, "Port");
            let protocol = match cx.str_opt(o, "Protocol") {
                Val::Default { .. } => match lb_type_of(cx, &load_balancer).as_deref() {
                    Some("application") => Val::default_(Some("HTTP".to_owned())),
                    Some("gateway") => Val::default_(None),
                    _ => {
                        let loc = o.loc.clone();
                        let reason =
                            "`Protocol` is not set and the load balancer's type is not known"
                                .to_owned();
                        cx.unknown(o, "Protocol", loc, reason)
                    }
                },
                v => v,
            };
            let ssl_policy = match cx.str_opt(o, "SslPolicy") {
                Val::Default { .. } => match protocol.get() {
                    Some(Some(p)) if matches!(p.to_ascii_uppercase().as_str(), "HTTPS" | "TLS") => {
                        let loc = o.loc.clone();
                        let reason =
                            "`SslPolicy` is not set: AWS applies its current default policy"
                                .to_owned();
                        cx.unknown(o, "SslPolicy", loc, reason)
                    }
                    _ => Val::default_(None),
                },
                v => v,
            };
            let certs = o.blocks("Certificates");
            let certificate = match (certs.items.first(), certs.unknown) {
                (Some(c), _) => cx.ident_opt(c, "CertificateArn"),
                (None, Some((reason, loc))) => cx.unknown(o, "Certificates", loc, reason),
                (None, None) => Val::default_(None),
            };
            let default_actions = listener_actions(cx, o);
            aws.listeners.push(Listener {
                meta: meta(r),
                load_balancer,
                port,
                protocol,
                ssl_policy,
                certificate,
                default_actions,
            });
        }
        "AWS::ElasticLoadBalancingV2::TargetGroup" => {
            let name = cx.str_opt(o, "Name");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            aws.target_groups.push(TargetGroup {
                meta: m,
                protocol: cx.str_opt(o, "Protocol"),
                port: cx.int_opt(o, "Port"),
                target_type: cx.str_or(o, "TargetType", "instance"),
                vpc: cx.link_opt(o, "VpcId"),
            });
        }
        "AWS::CloudFront::Distribution" => cloudfront(cx, aws, r, o),
        "AWS::WAFv2::WebACL" => {
            let name = cx.str_opt(o, "Name");
            let scope = cx.str_req(o, "Scope");
            let rules = waf_rules(cx, o);
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            aws.waf_web_acls.push(WafWebAcl {
                meta: m,
                scope,
                rules,
            });
        }
        "AWS::WAFv2::WebACLAssociation" => aws.waf_associations.push(WafAssociation {
            meta: meta(r),
            resource: cx.link(o, "ResourceArn"),
            web_acl: cx.link(o, "WebACLArn"),
        }),
        "AWS::WAFv2::LoggingConfiguration" => aws.waf_logging.push(WafLogging {
            meta: meta(r),
            web_acl: cx.link(o, "ResourceArn"),
        }),
        "AWS::WAFv2::IPSet" => {
            let name = cx.str_opt(o, "Name");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let addresses = cx.strs(o, "Addresses", &[]);
            aws.waf_ip_sets.push(WafIpSet { meta: m, addresses });
        }
        "AWS::Shield::Protection" => {
            let name = cx.str_opt(o, "Name");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let resource = cx.link(o, "ResourceArn");
            aws.shield_protections
                .push(ShieldProtection { meta: m, resource });
        }
        _ => return false,
    }
    true
}

/// A `LoadBalancerAttributes` entry read as a bool (`"true"`/`"false"`);
/// `Default(false)` when not written.
fn lb_attribute(cx: &mut Cx<'_>, o: &Obj<'_>, key: &str) -> Val<bool> {
    let blocks = o.blocks("LoadBalancerAttributes");
    if let Some((reason, loc)) = blocks.unknown {
        return cx.unknown(o, "LoadBalancerAttributes", loc, reason);
    }
    let mut out = Val::default_(false);
    for b in &blocks.items {
        match cx.str_req(b, "Key") {
            Val::Known { value, .. } | Val::Default { value } if value == key => {
                out = cx.bool(b, "Value", false);
            }
            Val::Unknown { reason, loc } => {
                out = Val::Unknown {
                    reason: format!("an attribute name is unknown: {reason}"),
                    loc,
                }
            }
            _ => {}
        }
    }
    out
}

/// The type of the load balancer a listener belongs to, when it can be told.
fn lb_type_of(cx: &Cx<'_>, lb: &Val<Ref>) -> Option<String> {
    let r = lb.get()?;
    if let Some(res) = cx.by_addr.get(r.key()) {
        if linked_kind(cx, r) != Some("AWS::ElasticLoadBalancingV2::LoadBalancer") {
            return None;
        }
        return match res.body.get("Type").map(|n| &n.value) {
            None | Some(Raw::Null) => Some("application".into()),
            Some(Raw::String(s)) => Some(s.clone()),
            _ => None,
        };
    }
    let rest = r.key().split(":loadbalancer/").nth(1)?;
    match rest.split('/').next()? {
        "app" => Some("application".into()),
        "net" => Some("network".into()),
        "gwy" => Some("gateway".into()),
        _ => None,
    }
}

fn listener_actions(cx: &mut Cx<'_>, o: &Obj<'_>) -> Val<Vec<ListenerAction>> {
    let blocks = o.blocks("DefaultActions");
    if let Some((reason, loc)) = blocks.unknown {
        return cx.unknown(o, "DefaultActions", loc, reason);
    }
    let Some(node) = o.raw("DefaultActions") else {
        let loc = o.loc.clone();
        return cx.unknown(
            o,
            "DefaultActions",
            loc,
            "`DefaultActions` is not set".into(),
        );
    };
    let loc = o.loc_of(node);
    let mut out = Vec::with_capacity(blocks.items.len());
    for b in &blocks.items {
        let kind = match cx.str_req(b, "Type") {
            Val::Known { value, .. } | Val::Default { value } => value,
            Val::Unknown { reason, loc } => return Val::Unknown { reason, loc },
        };
        let action = match kind.as_str() {
            "redirect" => {
                let redirect = b.block("RedirectConfig");
                match cx.str_or(&redirect, "Protocol", "#{protocol}") {
                    Val::Known { value, .. } | Val::Default { value } => ListenerAction::Redirect {
                        protocol: Some(value),
                    },
                    Val::Unknown { reason, loc } => return Val::Unknown { reason, loc },
                }
            }
            "forward" => ListenerAction::Forward,
            "fixed-response" => ListenerAction::FixedResponse,
            other => ListenerAction::Other {
                kind: other.to_owned(),
            },
        };
        out.push(action);
    }
    Val::known(out, loc)
}

fn cloudfront<'a>(cx: &mut Cx<'a>, aws: &mut Aws, r: &'a RawResource, o: &Obj<'a>) {
    let d = o.block("DistributionConfig");
    let web_acl = cx.link_opt(&d, "WebACLId");
    let mut policies = Vec::new();
    let default = d.block("DefaultCacheBehavior");
    policies.push(cx.str_req(&default, "ViewerProtocolPolicy"));
    let ordered = d.blocks("CacheBehaviors");
    for b in &ordered.items {
        policies.push(cx.str_req(b, "ViewerProtocolPolicy"));
    }
    if let Some((reason, loc)) = ordered.unknown {
        policies.push(cx.unknown(&d, "CacheBehaviors", loc, reason));
    }
    let cert = d.block("ViewerCertificate");
    let minimum_protocol_version = cx.str_or(&cert, "MinimumProtocolVersion", "TLSv1");
    // Without a viewer certificate, the distribution uses CloudFront's own.
    let default_certificate = if cert.present() {
        cx.bool(&cert, "CloudFrontDefaultCertificate", false)
    } else {
        Val::default_(true)
    };
    let mut origins = Vec::new();
    let blocks = d.blocks("Origins");
    for b in &blocks.items {
        let domain = cx.str_req(b, "DomainName");
        let custom = b.block("CustomOriginConfig");
        let (protocol_policy, ssl_protocols) = if custom.present() {
            let p = cx.str_req(&custom, "OriginProtocolPolicy").map(Some);
            let s = if custom.has("OriginSSLProtocols") {
                cx.strs(&custom, "OriginSSLProtocols", &[])
            } else {
                // No default is documented for the template property.
                let loc = custom.loc.clone();
                let reason = "`OriginSSLProtocols` is not set: CloudFront applies its own default"
                    .to_owned();
                cx.unknown(&custom, "OriginSSLProtocols", loc, reason)
            };
            (p, s)
        } else {
            (Val::default_(None), Val::default_(Vec::new()))
        };
        let s3_domain = match b.raw("DomainName").map(|n| &n.value) {
            Some(Raw::String(d)) => d.contains(".s3.") || d.contains(".s3-"),
            Some(Raw::Ref { address, .. }) => {
                cx.by_addr.get(address.as_str()).map(|x| x.kind.as_str()) == Some("AWS::S3::Bucket")
            }
            _ => false,
        };
        let s3 = b.block("S3OriginConfig").present()
            || b.has("OriginAccessControlId")
            || (!custom.present() && s3_domain);
        origins.push(CloudFrontOrigin {
            domain,
            protocol_policy,
            ssl_protocols,
            s3,
        });
    }
    if let Some((reason, loc)) = blocks.unknown {
        let domain = cx.unknown(&d, "Origins", loc.clone(), reason.clone());
        origins.push(CloudFrontOrigin {
            domain,
            protocol_policy: Val::unknown(reason.clone(), Some(loc.clone())),
            ssl_protocols: Val::unknown(reason, Some(loc)),
            s3: false,
        });
    }
    let logging = presence(cx, &d, "Logging");
    aws.cloudfront_distributions.push(CloudFrontDistribution {
        meta: meta(r),
        web_acl,
        viewer_protocol_policies: policies,
        minimum_protocol_version,
        default_certificate,
        origins,
        logging,
    });
}

/// What a WAF statement tree contains.
#[derive(Default)]
struct Found {
    managed: Option<(String, String)>,
    ip_set: Option<Ref>,
    rate_based: bool,
    unknown: Option<String>,
}

/// Walks a `Statement` tree (any nesting: And/Or/Not, scope-down).
fn walk(cx: &mut Cx<'_>, n: &RawNode, f: &mut Found, depth: u32) {
    if depth > 24 {
        return;
    }
    match &n.value {
        Raw::List(items) => items.iter().for_each(|i| walk(cx, i, f, depth + 1)),
        Raw::Unknown(r) => {
            f.unknown.get_or_insert(r.clone());
        }
        Raw::Ref { address, attr } => {
            f.unknown.get_or_insert(ref_reason(address, attr));
        }
        Raw::Map(m) => {
            for (k, v) in m {
                match k.as_str() {
                    "ManagedRuleGroupStatement" => {
                        let vendor = v.get("VendorName").map(|x| &x.value);
                        let name = v.get("Name").map(|x| &x.value);
                        match (vendor, name) {
                            (Some(Raw::String(vendor)), Some(Raw::String(name))) => {
                                f.managed.get_or_insert((vendor.clone(), name.clone()));
                            }
                            _ => {
                                f.unknown.get_or_insert(
                                    "the vendor or name of a managed rule group is unknown".into(),
                                );
                            }
                        }
                        walk(cx, v, f, depth + 1);
                    }
                    "IPSetReferenceStatement" => match v.get("Arn").map(|a| cx.link_node(a)) {
                        Some(Ok(r)) => {
                            f.ip_set.get_or_insert(r);
                        }
                        _ => {
                            f.unknown
                                .get_or_insert("the IP set of a rule is unknown".into());
                        }
                    },
                    "RateBasedStatement" => {
                        f.rate_based = true;
                        walk(cx, v, f, depth + 1);
                    }
                    _ if matches!(v.value, Raw::Map(_) | Raw::List(_)) => walk(cx, v, f, depth + 1),
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

fn waf_rules(cx: &mut Cx<'_>, o: &Obj<'_>) -> Val<Vec<WafRule>> {
    let blocks = o.blocks("Rules");
    if let Some((reason, loc)) = blocks.unknown {
        return cx.unknown(o, "Rules", loc, reason);
    }
    let Some(node) = o.raw("Rules") else {
        return Val::default_(Vec::new());
    };
    let loc = o.loc_of(node);
    let mut out = Vec::new();
    for b in &blocks.items {
        let name = cx.str_req(b, "Name");
        let mut f = Found::default();
        if let Some(st) = b.raw("Statement") {
            walk(cx, st, &mut f, 0);
        }
        if let Some(reason) = f.unknown {
            let at = b.loc.clone();
            return cx.unknown(b, "Statement", at, reason);
        }
        out.push(WafRule {
            name,
            managed_group: f.managed,
            ip_set: f.ip_set,
            rate_based: f.rate_based,
        });
    }
    Val::known(out, loc)
}
