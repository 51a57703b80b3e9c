//! Load balancers, CloudFront, WAF and Shield.

use super::read::{ref_type, uval, Obj};
use super::{add_keys, meta, Cx};
use palisade_model::aws::{
    Aws, CloudFrontDistribution, CloudFrontOrigin, Listener, ListenerAction, LoadBalancer,
    ShieldProtection, TargetGroup, WafAssociation, WafIpSet, WafLogging, WafRule, WafWebAcl,
};
use palisade_model::raw::{Raw, RawNode, RawResource};
use palisade_model::{Meta, Ref, Val};
use serde_json::Value as Json;

pub(crate) fn adapt<'a>(cx: &mut Cx<'a>, aws: &mut Aws, r: &'a RawResource) -> bool {
    let o = Obj::root(r);
    match r.kind.as_str() {
        "aws_lb" | "aws_alb" => {
            let name = cx.str_opt(&o, "name");
            let lb_type = cx.str_or(&o, "load_balancer_type", "application");
            let internal = cx.bool(&o, "internal", false);
            let subnets = lb_subnets(cx, &o);
            let security_groups = cx.links(&o, "security_groups");
            let logs = o.block("access_logs");
            let access_logs = if logs.present() {
                // "Defaults to false, even when bucket is specified."
                cx.bool(&logs, "enabled", false)
            } else {
                Val::default_(false)
            };
            let drop_invalid_headers = cx.bool(&o, "drop_invalid_header_fields", false);
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
        "aws_elb" => {
            let name = cx.str_opt(&o, "name");
            let internal = cx.bool(&o, "internal", false);
            let subnets = cx.links(&o, "subnets");
            let security_groups = cx.links(&o, "security_groups");
            let logs = o.block("access_logs");
            let access_logs = if logs.present() {
                cx.bool(&logs, "enabled", true)
            } else {
                Val::default_(false)
            };
            let lb = Val::known(Ref::new(r.address.clone()), r.loc.clone());
            let blocks = o.blocks("listener");
            for b in &blocks.items {
                let certificate = cx.ident_opt(b, "ssl_certificate_id");
                let l = Listener {
                    meta: Meta::new(
                        format!("{}.{}", r.address, b.path),
                        r.kind.clone(),
                        b.loc.clone(),
                    ),
                    load_balancer: lb.clone(),
                    port: cx.int_opt(b, "lb_port"),
                    protocol: cx
                        .str_opt(b, "lb_protocol")
                        .map(|p| p.map(|p| p.to_ascii_uppercase())),
                    ssl_policy: Val::default_(None),
                    certificate,
                    default_actions: Val::known(vec![ListenerAction::Forward], b.loc.clone()),
                };
                aws.listeners.push(l);
            }
            if let Some((reason, loc)) = blocks.unknown {
                let u = cx.unknown(&o, "listener", loc.clone(), reason.clone());
                aws.listeners.push(Listener {
                    meta: Meta::new(
                        format!("{}.listener[*]", r.address),
                        r.kind.clone(),
                        loc.clone(),
                    ),
                    load_balancer: lb.clone(),
                    port: u,
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
                subnets,
                security_groups,
                access_logs,
                drop_invalid_headers: Val::default_(false),
            });
        }
        "aws_lb_listener" | "aws_alb_listener" => {
            let load_balancer = cx.link(&o, "load_balancer_arn");
            let port = cx.int_opt(&o, "port");
            let protocol = match cx.str_opt(&o, "protocol") {
                Val::Default { .. } => match lb_type_of(cx, &load_balancer) {
                    Some(t) if t == "application" => Val::default_(Some("HTTP".to_owned())),
                    Some(t) if t == "gateway" => Val::default_(None),
                    _ => {
                        let loc = o.loc.clone();
                        let reason =
                            "`protocol` is not set and the load balancer's type is not known"
                                .to_owned();
                        cx.unknown(&o, "protocol", loc, reason)
                    }
                },
                v => v,
            };
            let ssl_policy = match cx.str_opt(&o, "ssl_policy") {
                Val::Default { .. } => match protocol.get() {
                    Some(Some(p)) if matches!(p.to_ascii_uppercase().as_str(), "HTTPS" | "TLS") => {
                        let loc = o.loc.clone();
                        let reason =
                            "`ssl_policy` is not set: AWS applies its current default policy"
                                .to_owned();
                        cx.unknown(&o, "ssl_policy", loc, reason)
                    }
                    _ => Val::default_(None),
                },
                v => v,
            };
            let certificate = cx.ident_opt(&o, "certificate_arn");
            let default_actions = listener_actions(cx, &o);
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
        "aws_lb_target_group" | "aws_alb_target_group" => {
            let name = cx.str_opt(&o, "name");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let tg = TargetGroup {
                meta: m,
                protocol: cx.str_opt(&o, "protocol"),
                port: cx.int_opt(&o, "port"),
                target_type: cx.str_or(&o, "target_type", "instance"),
                vpc: cx.link_opt(&o, "vpc_id"),
            };
            aws.target_groups.push(tg);
        }
        "aws_cloudfront_distribution" => cloudfront(cx, aws, r, &o),
        "aws_wafv2_web_acl" => {
            let name = cx.str_opt(&o, "name");
            let scope = cx.str_req(&o, "scope");
            let rules = wafv2_rules(cx, &o);
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            aws.waf_web_acls.push(WafWebAcl {
                meta: m,
                scope,
                rules,
            });
        }
        "aws_waf_web_acl" | "aws_wafregional_web_acl" => {
            let name = cx.str_opt(&o, "name");
            let scope = if r.kind == "aws_waf_web_acl" {
                "CLOUDFRONT"
            } else {
                "REGIONAL"
            };
            let rules = classic_waf_rules(cx, &o);
            if o.block("logging_configuration").present() {
                aws.waf_logging.push(WafLogging {
                    meta: Meta::new(
                        format!("{}.logging_configuration", r.address),
                        r.kind.clone(),
                        o.block("logging_configuration").loc,
                    ),
                    web_acl: Val::known(Ref::new(r.address.clone()), r.loc.clone()),
                });
            }
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            aws.waf_web_acls.push(WafWebAcl {
                meta: m,
                scope: Val::default_(scope.into()),
                rules,
            });
        }
        "aws_wafv2_web_acl_association" => {
            let a = WafAssociation {
                meta: meta(r),
                resource: cx.link(&o, "resource_arn"),
                web_acl: cx.link(&o, "web_acl_arn"),
            };
            aws.waf_associations.push(a);
        }
        "aws_wafregional_web_acl_association" => {
            let a = WafAssociation {
                meta: meta(r),
                resource: cx.link(&o, "resource_arn"),
                web_acl: cx.link(&o, "web_acl_id"),
            };
            aws.waf_associations.push(a);
        }
        "aws_wafv2_web_acl_logging_configuration" => {
            let web_acl = cx.link(&o, "resource_arn");
            aws.waf_logging.push(WafLogging {
                meta: meta(r),
                web_acl,
            });
        }
        "aws_wafv2_ip_set" => {
            let name = cx.str_opt(&o, "name");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let addresses = cx.strs(&o, "addresses", &[]);
            aws.waf_ip_sets.push(WafIpSet { meta: m, addresses });
        }
        "aws_waf_ipset" | "aws_wafregional_ipset" => {
            let name = cx.str_opt(&o, "name");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let blocks = o.blocks("ip_set_descriptors");
            let addresses = if let Some((reason, loc)) = blocks.unknown {
                cx.unknown(&o, "ip_set_descriptors", loc, reason)
            } else {
                let mut out = Vec::new();
                let mut unknown = None;
                for b in &blocks.items {
                    match cx.str_req(b, "value") {
                        Val::Known { value, .. } | Val::Default { value } => out.push(value),
                        Val::Unknown { reason, loc } => {
                            unknown = Some(Val::Unknown { reason, loc })
                        }
                    }
                }
                match unknown {
                    Some(u) => u,
                    None if blocks.items.is_empty() => Val::default_(out),
                    None => Val::known(
                        out,
                        o.raw("ip_set_descriptors")
                            .map_or(r.loc.clone(), |n| o.loc_of(n)),
                    ),
                }
            };
            aws.waf_ip_sets.push(WafIpSet { meta: m, addresses });
        }
        "aws_shield_protection" => {
            let name = cx.str_opt(&o, "name");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let resource = cx.link(&o, "resource_arn");
            aws.shield_protections
                .push(ShieldProtection { meta: m, resource });
        }
        _ => return false,
    }
    true
}

/// `subnets` and `subnet_mapping[*].subnet_id` of an ALB/NLB.
fn lb_subnets(cx: &mut Cx<'_>, o: &Obj<'_>) -> Val<Vec<Ref>> {
    let mut subnets = cx.links(o, "subnets");
    let mappings = o.blocks("subnet_mapping");
    if let Some((reason, loc)) = mappings.unknown {
        return cx.unknown(o, "subnet_mapping", loc, reason);
    }
    for b in &mappings.items {
        let s = cx.link(b, "subnet_id");
        super::network::append_link(&mut subnets, s);
    }
    subnets
}

/// The type of the load balancer a listener belongs to, when it can be told.
fn lb_type_of(cx: &Cx<'_>, lb: &Val<Ref>) -> Option<String> {
    let key = lb.get()?.key();
    if let Some(res) = cx.by_addr.get(key) {
        if !matches!(res.kind.as_str(), "aws_lb" | "aws_alb") {
            return None;
        }
        return match res.body.get("load_balancer_type").map(|n| &n.value) {
            None | Some(Raw::Null) => Some("application".into()),
            Some(Raw::String(s)) => Some(s.clone()),
            _ => None,
        };
    }
    // An ARN: arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME/ID
    let rest = key.split(":loadbalancer/").nth(1)?;
    match rest.split('/').next()? {
        "app" => Some("application".into()),
        "net" => Some("network".into()),
        "gwy" => Some("gateway".into()),
        _ => None,
    }
}

fn listener_actions(cx: &mut Cx<'_>, o: &Obj<'_>) -> Val<Vec<ListenerAction>> {
    let blocks = o.blocks("default_action");
    let loc = o
        .raw("default_action")
        .map_or(o.loc.clone(), |n| o.loc_of(n));
    if let Some((reason, loc)) = blocks.unknown {
        return cx.unknown(o, "default_action", loc, reason);
    }
    let mut out = Vec::with_capacity(blocks.items.len());
    for b in &blocks.items {
        let kind = match cx.str_req(b, "type") {
            Val::Known { value, .. } | Val::Default { value } => value,
            Val::Unknown { reason, loc } => return Val::Unknown { reason, loc },
        };
        let action = match kind.as_str() {
            "redirect" => {
                let redirect = b.block("redirect");
                match cx.str_or(&redirect, "protocol", "#{protocol}") {
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
    let web_acl = cx.link_opt(o, "web_acl_id");
    let mut policies = Vec::new();
    let default = o.block("default_cache_behavior");
    policies.push(cx.str_req(&default, "viewer_protocol_policy"));
    let ordered = o.blocks("ordered_cache_behavior");
    for b in &ordered.items {
        policies.push(cx.str_req(b, "viewer_protocol_policy"));
    }
    if let Some((reason, loc)) = ordered.unknown {
        policies.push(cx.unknown(o, "ordered_cache_behavior", loc, reason));
    }
    let cert = o.block("viewer_certificate");
    let minimum_protocol_version = cx.str_or(&cert, "minimum_protocol_version", "TLSv1");
    let default_certificate = cx.bool(&cert, "cloudfront_default_certificate", false);
    let mut origins = Vec::new();
    let blocks = o.blocks("origin");
    for b in &blocks.items {
        let domain = cx.str_req(b, "domain_name");
        let custom = b.block("custom_origin_config");
        let (protocol_policy, ssl_protocols) = if custom.present() {
            let p = cx.str_req(&custom, "origin_protocol_policy").map(Some);
            let s = cx.strs(&custom, "origin_ssl_protocols", &[]);
            (p, s)
        } else {
            (Val::default_(None), Val::default_(Vec::new()))
        };
        let s3_domain = match b.raw("domain_name").map(|n| &n.value) {
            Some(Raw::String(d)) => d.contains(".s3.") || d.contains(".s3-"),
            Some(Raw::Ref { address, .. }) => ref_type(address) == Some("aws_s3_bucket"),
            _ => false,
        };
        let s3 = b.block("s3_origin_config").present()
            || b.has("origin_access_control_id")
            || (!custom.present() && s3_domain);
        origins.push(CloudFrontOrigin {
            domain,
            protocol_policy,
            ssl_protocols,
            s3,
        });
    }
    if let Some((reason, loc)) = blocks.unknown {
        let domain = cx.unknown(o, "origin", loc.clone(), reason.clone());
        origins.push(CloudFrontOrigin {
            domain,
            protocol_policy: Val::unknown(reason.clone(), Some(loc.clone())),
            ssl_protocols: Val::unknown(reason, Some(loc)),
            s3: false,
        });
    }
    let logging_block = o.block("logging_config");
    let logging = match (&logging_block.unknown, logging_block.node) {
        (Some(reason), _) => {
            let (reason, loc) = (reason.clone(), logging_block.loc.clone());
            cx.unknown(o, "logging_config", loc, reason)
        }
        (None, Some(_)) => Val::known(true, logging_block.loc.clone()),
        (None, None) => Val::default_(false),
    };
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

/// Walks a `statement` tree (any nesting: and/or/not, scope-down).
fn walk_statement(cx: &mut Cx<'_>, n: &RawNode, f: &mut Found, depth: u32) {
    if depth > 16 {
        return;
    }
    match &n.value {
        Raw::List(items) => items
            .iter()
            .for_each(|i| walk_statement(cx, i, f, depth + 1)),
        Raw::Unknown(r) => {
            f.unknown.get_or_insert(r.clone());
        }
        Raw::Ref { address, attr } => {
            f.unknown
                .get_or_insert(super::read::ref_reason(address, attr));
        }
        Raw::Map(m) => {
            for (k, v) in m {
                match k.as_str() {
                    "managed_rule_group_statement" => {
                        let b = match &v.value {
                            Raw::List(l) => l.first(),
                            _ => Some(v),
                        };
                        match b.map(|b| (b.get("vendor_name"), b.get("name"))) {
                            Some((Some(vendor), Some(name))) => {
                                match (&vendor.value, &name.value) {
                                    (Raw::String(vendor), Raw::String(name)) => {
                                        f.managed.get_or_insert((vendor.clone(), name.clone()));
                                    }
                                    _ => {
                                        f.unknown.get_or_insert(
                                            "the vendor or name of a managed rule group is unknown"
                                                .into(),
                                        );
                                    }
                                }
                            }
                            _ => {
                                f.unknown.get_or_insert(
                                    "a managed rule group statement is unknown".into(),
                                );
                            }
                        }
                        walk_statement(cx, v, f, depth + 1);
                    }
                    "ip_set_reference_statement" => {
                        let b = match &v.value {
                            Raw::List(l) => l.first(),
                            _ => Some(v),
                        };
                        match b.and_then(|b| b.get("arn")).map(|a| cx.link_node(a)) {
                            Some(Ok(r)) => {
                                f.ip_set.get_or_insert(r);
                            }
                            _ => {
                                f.unknown
                                    .get_or_insert("the IP set of a rule is unknown".into());
                            }
                        }
                    }
                    "rate_based_statement" => {
                        f.rate_based = true;
                        walk_statement(cx, v, f, depth + 1);
                    }
                    _ if matches!(v.value, Raw::Map(_) | Raw::List(_)) => {
                        walk_statement(cx, v, f, depth + 1)
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

fn wafv2_rules(cx: &mut Cx<'_>, o: &Obj<'_>) -> Val<Vec<WafRule>> {
    if o.has("rule_json") {
        return wafv2_rule_json(cx, o);
    }
    let blocks = o.blocks("rule");
    if let Some((reason, loc)) = blocks.unknown {
        return cx.unknown(o, "rule", loc, reason);
    }
    let Some(rule_node) = o.raw("rule") else {
        return Val::default_(Vec::new());
    };
    let loc = o.loc_of(rule_node);
    let mut out = Vec::new();
    for b in &blocks.items {
        let name = cx.str_req(b, "name");
        let mut f = Found::default();
        if let Some(st) = b.raw("statement") {
            walk_statement(cx, st, &mut f, 0);
        }
        if let Some(reason) = f.unknown {
            let at = b.loc.clone();
            return cx.unknown(b, "statement", at, reason);
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

/// `rule_json`: the rules in the WAFv2 API's JSON form.
fn wafv2_rule_json(cx: &mut Cx<'_>, o: &Obj<'_>) -> Val<Vec<WafRule>> {
    let Some(n) = o.raw_set("rule_json") else {
        return Val::default_(Vec::new());
    };
    let loc = o.loc_of(n);
    let text = match &n.value {
        Raw::String(s) => s.clone(),
        Raw::Unknown(r) => return cx.unknown(o, "rule_json", loc, r.clone()),
        Raw::Ref { address, attr } => {
            let reason = super::read::ref_reason(address, attr);
            return cx.unknown(o, "rule_json", loc, reason);
        }
        _ => return cx.unknown(o, "rule_json", loc, "`rule_json` is not a string".into()),
    };
    let Ok(Json::Array(rules)) = serde_json::from_str::<Json>(&text) else {
        let msg = format!("`rule_json` of `{}` is not a JSON array of rules", o.addr);
        cx.note(&loc, msg.clone());
        return cx.unknown(o, "rule_json", loc, msg);
    };
    fn walk(j: &Json, f: &mut Found, depth: u32) {
        if depth > 16 {
            return;
        }
        match j {
            Json::Array(a) => a.iter().for_each(|x| walk(x, f, depth + 1)),
            Json::Object(m) => {
                for (k, v) in m {
                    match k.as_str() {
                        "ManagedRuleGroupStatement" => {
                            let s = |k: &str| v.get(k).and_then(Json::as_str).map(str::to_owned);
                            if let (Some(vendor), Some(name)) = (s("VendorName"), s("Name")) {
                                f.managed.get_or_insert((vendor, name));
                            }
                            walk(v, f, depth + 1);
                        }
                        "IPSetReferenceStatement" => {
                            if let Some(arn) = v.get("ARN").and_then(Json::as_str) {
                                f.ip_set.get_or_insert(Ref::new(arn));
                            }
                        }
                        "RateBasedStatement" => {
                            f.rate_based = true;
                            walk(v, f, depth + 1);
                        }
                        _ => walk(v, f, depth + 1),
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for rule in &rules {
        let mut f = Found::default();
        if let Some(st) = rule.get("Statement") {
            walk(st, &mut f, 0);
        }
        let name = match rule.get("Name").and_then(Json::as_str) {
            Some(n) => Val::known(n.to_owned(), loc.clone()),
            None => Val::unknown("the rule has no name", Some(loc.clone())),
        };
        out.push(WafRule {
            name,
            managed_group: f.managed,
            ip_set: f.ip_set,
            rate_based: f.rate_based,
        });
    }
    Val::known(out, loc)
}

/// Rules of a WAF Classic web ACL (`rules { type, rule_id }`).
fn classic_waf_rules(cx: &mut Cx<'_>, o: &Obj<'_>) -> Val<Vec<WafRule>> {
    let blocks = o.blocks("rules");
    if let Some((reason, loc)) = blocks.unknown {
        return cx.unknown(o, "rules", loc, reason);
    }
    let Some(node) = o.raw("rules") else {
        return Val::default_(Vec::new());
    };
    let loc = o.loc_of(node);
    let mut out = Vec::new();
    for b in &blocks.items {
        let name = match cx.ident_opt(b, "rule_id") {
            Val::Known {
                value: Some(v),
                loc,
            } => Val::known(v, loc),
            Val::Known { value: None, loc } => Val::unknown("`rule_id` is empty", Some(loc)),
            Val::Default { .. } => Val::unknown("`rule_id` is not set", Some(b.loc.clone())),
            Val::Unknown { reason, loc } => Val::Unknown { reason, loc },
        };
        let kind = cx.str_or(b, "type", "REGULAR");
        out.push(WafRule {
            name,
            managed_group: None,
            ip_set: None,
            rate_based: kind.is(&"RATE_BASED".to_owned()),
        });
    }
    Val::known(out, loc)
}
