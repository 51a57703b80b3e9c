mod common;

use common::*;
use palisade_adapt::adapt_terraform;
use palisade_model::aws::{
    CloudFrontDistribution, ListenerAction, LoadBalancer, WafIpSet, WafWebAcl,
};
use palisade_model::{Ref, Val};

#[test]
fn load_balancer_defaults() {
    let lb = res(
        "aws_lb",
        "web",
        vec![
            ("name", s("web")),
            ("subnets", list(vec![r("aws_subnet.a", "id")])),
            (
                "subnet_mapping",
                block(vec![("subnet_id", r("aws_subnet.b", "id"))]),
            ),
            ("access_logs", block(vec![("bucket", s("logs"))])),
        ],
    );
    let out = adapt_terraform(&[lb]);
    let lb = out
        .aws
        .get::<LoadBalancer>(&Ref::new("web"))
        .expect("by name");
    assert_eq!(lb.lb_type, Val::default_("application".to_owned()));
    assert!(lb.internal.is_default());
    assert_eq!(lb.internet_facing(), Some(true));
    assert!(lb.access_logs.is_default() && lb.access_logs.is_false());
    assert!(lb.drop_invalid_headers.is_default());
    assert_eq!(lb.subnets.get().map(Vec::len), Some(2));
}

#[test]
fn listeners_and_redirects() {
    let lb = res("aws_alb", "web", vec![("internal", b(false))]);
    let http = res(
        "aws_lb_listener",
        "http",
        vec![
            ("load_balancer_arn", r("aws_alb.web", "arn")),
            ("port", n(80.0)),
            (
                "default_action",
                block(vec![
                    ("type", s("redirect")),
                    (
                        "redirect",
                        block(vec![
                            ("protocol", s("HTTPS")),
                            ("port", s("443")),
                            ("status_code", s("HTTP_301")),
                        ]),
                    ),
                ]),
            ),
        ],
    );
    let https = res(
        "aws_lb_listener",
        "https",
        vec![
            ("load_balancer_arn", r("aws_alb.web", "arn")),
            ("port", n(443.0)),
            ("protocol", s("HTTPS")),
            ("ssl_policy", s("ELBSecurityPolicy-TLS13-1-2-2021-06")),
            ("certificate_arn", r("aws_acm_certificate.c", "arn")),
            (
                "default_action",
                block(vec![
                    ("type", s("forward")),
                    ("target_group_arn", r("aws_lb_target_group.t", "arn")),
                ]),
            ),
        ],
    );
    let nlb_listener = res(
        "aws_lb_listener",
        "tls",
        vec![
            (
                "load_balancer_arn",
                s("arn:aws:elasticloadbalancing:eu-west-1:123:loadbalancer/net/x/1"),
            ),
            ("protocol", s("TLS")),
            ("default_action", block(vec![("type", s("forward"))])),
        ],
    );
    let tg = res(
        "aws_lb_target_group",
        "t",
        vec![
            ("name", s("t")),
            ("protocol", s("HTTPS")),
            ("port", n(8443.0)),
        ],
    );
    let out = adapt_terraform(&[lb, http, https, nlb_listener, tg]);
    let aws = &out.aws;
    let http = &aws.listeners[0];
    assert_eq!(http.protocol, Val::default_(Some("HTTP".to_owned())));
    assert!(http.ssl_policy.is_none());
    assert_eq!(
        http.default_actions.get(),
        Some(&vec![ListenerAction::Redirect {
            protocol: Some("HTTPS".into())
        }])
    );
    assert_eq!(
        aws.resolve::<LoadBalancer>(&http.load_balancer)
            .ok()
            .flatten()
            .map(|l| l.meta.address.as_str()),
        Some("aws_alb.web")
    );
    let https = &aws.listeners[1];
    assert_eq!(
        https.certificate.some().map(String::as_str),
        Some("aws_acm_certificate.c")
    );
    assert_eq!(
        https.default_actions.get(),
        Some(&vec![ListenerAction::Forward])
    );
    // A TLS listener without ssl_policy: AWS picks the policy, so it is unknown.
    let tls = &aws.listeners[2];
    assert!(tls.ssl_policy.is_unknown());
    assert!(out
        .unknowns
        .iter()
        .any(|u| u.resource == "aws_lb_listener.tls" && u.attribute == "ssl_policy"));
    let tg = &aws.target_groups[0];
    assert_eq!(tg.target_type, Val::default_("instance".to_owned()));
}

#[test]
fn classic_elb_and_its_listeners() {
    let elb = res(
        "aws_elb",
        "old",
        vec![
            ("name", s("old")),
            (
                "listener",
                blocks(vec![vec![
                    ("lb_port", n(80.0)),
                    ("lb_protocol", s("http")),
                    ("instance_port", n(8080.0)),
                    ("instance_protocol", s("http")),
                ]]),
            ),
            ("access_logs", block(vec![("bucket", s("logs"))])),
        ],
    );
    let out = adapt_terraform(&[elb]);
    let aws = &out.aws;
    assert_eq!(
        aws.load_balancers[0].lb_type.get().map(String::as_str),
        Some("classic")
    );
    assert!(
        aws.load_balancers[0].access_logs.is_true(),
        "classic access logs default to enabled"
    );
    assert_eq!(
        aws.listeners[0].protocol.some().map(String::as_str),
        Some("HTTP")
    );
    // Reported under the declaring resource; the part is a key.
    assert_eq!(aws.listeners[0].meta.address, "aws_elb.old");
    assert!(aws.listeners[0]
        .meta
        .keys
        .iter()
        .any(|k| k == "aws_elb.old.listener[0]"));
}

#[test]
fn cloudfront_distribution() {
    let cf = res(
        "aws_cloudfront_distribution",
        "cdn",
        vec![
            ("web_acl_id", r("aws_wafv2_web_acl.edge", "arn")),
            (
                "default_cache_behavior",
                block(vec![("viewer_protocol_policy", s("redirect-to-https"))]),
            ),
            (
                "ordered_cache_behavior",
                blocks(vec![
                    vec![("viewer_protocol_policy", s("allow-all"))],
                    vec![("viewer_protocol_policy", s("https-only"))],
                ]),
            ),
            (
                "viewer_certificate",
                block(vec![("cloudfront_default_certificate", b(true))]),
            ),
            (
                "origin",
                blocks(vec![
                    vec![
                        (
                            "domain_name",
                            r("aws_s3_bucket.site", "bucket_regional_domain_name"),
                        ),
                        (
                            "origin_access_control_id",
                            r("aws_cloudfront_origin_access_control.oac", "id"),
                        ),
                    ],
                    vec![
                        ("domain_name", s("api.example.com")),
                        (
                            "custom_origin_config",
                            block(vec![
                                ("origin_protocol_policy", s("http-only")),
                                ("origin_ssl_protocols", strs(&["TLSv1.2"])),
                            ]),
                        ),
                    ],
                ]),
            ),
        ],
    );
    let acl = res(
        "aws_wafv2_web_acl",
        "edge",
        vec![
            ("name", s("edge")),
            ("scope", s("CLOUDFRONT")),
            (
                "rule",
                blocks(vec![
                    vec![
                        ("name", s("common")),
                        (
                            "statement",
                            block(vec![(
                                "managed_rule_group_statement",
                                block(vec![
                                    ("vendor_name", s("AWS")),
                                    ("name", s("AWSManagedRulesCommonRuleSet")),
                                ]),
                            )]),
                        ),
                    ],
                    vec![
                        ("name", s("block-ips")),
                        (
                            "statement",
                            block(vec![(
                                "not_statement",
                                block(vec![(
                                    "statement",
                                    block(vec![(
                                        "ip_set_reference_statement",
                                        block(vec![("arn", r("aws_wafv2_ip_set.bad", "arn"))]),
                                    )]),
                                )]),
                            )]),
                        ),
                    ],
                    vec![
                        ("name", s("rate")),
                        (
                            "statement",
                            block(vec![(
                                "rate_based_statement",
                                block(vec![("limit", n(1000.0))]),
                            )]),
                        ),
                    ],
                ]),
            ),
        ],
    );
    let ips = res(
        "aws_wafv2_ip_set",
        "bad",
        vec![("name", s("bad")), ("addresses", strs(&["192.0.2.0/24"]))],
    );
    let logging = res(
        "aws_wafv2_web_acl_logging_configuration",
        "l",
        vec![("resource_arn", r("aws_wafv2_web_acl.edge", "arn"))],
    );
    let out = adapt_terraform(&[cf, acl, ips, logging]);
    let aws = &out.aws;
    let cf = aws
        .get::<CloudFrontDistribution>(&Ref::new("aws_cloudfront_distribution.cdn"))
        .expect("cf");
    let policies: Vec<_> = cf
        .viewer_protocol_policies
        .iter()
        .filter_map(|p| p.get().cloned())
        .collect();
    assert_eq!(policies, ["redirect-to-https", "allow-all", "https-only"]);
    assert_eq!(
        cf.minimum_protocol_version,
        Val::default_("TLSv1".to_owned())
    );
    assert!(cf.default_certificate.is_true());
    assert!(cf.origins[0].s3);
    assert!(cf.origins[0].domain.is_unknown());
    assert!(!cf.origins[1].s3);
    assert_eq!(
        cf.origins[1].protocol_policy.some().map(String::as_str),
        Some("http-only")
    );
    assert!(cf.logging.is_default() && cf.logging.is_false());
    let acl = aws
        .resolve::<WafWebAcl>(
            &cf.web_acl
                .clone()
                .map(|w| w.unwrap_or_else(|| Ref::new(""))),
        )
        .ok()
        .flatten()
        .expect("acl");
    let rules = acl.rules.get().cloned().unwrap_or_default();
    assert_eq!(rules.len(), 3);
    assert_eq!(
        rules[0].managed_group,
        Some(("AWS".into(), "AWSManagedRulesCommonRuleSet".into()))
    );
    let ip = rules[1].ip_set.as_ref().expect("ip set");
    assert!(aws.get::<WafIpSet>(ip).is_some());
    assert!(rules[2].rate_based);
    assert_eq!(aws.waf_logging.len(), 1);
}

#[test]
fn waf_rules_with_unknown_statements_are_unknown() {
    let acl = res(
        "aws_wafv2_web_acl",
        "x",
        vec![
            ("scope", s("REGIONAL")),
            (
                "rule",
                block(vec![
                    ("name", s("m")),
                    (
                        "statement",
                        block(vec![(
                            "managed_rule_group_statement",
                            block(vec![
                                ("vendor_name", s("AWS")),
                                ("name", unk("`var.group` has no value")),
                            ]),
                        )]),
                    ),
                ]),
            ),
        ],
    );
    let assoc = res(
        "aws_wafv2_web_acl_association",
        "a",
        vec![
            ("resource_arn", r("aws_lb.web", "arn")),
            ("web_acl_arn", r("aws_wafv2_web_acl.x", "arn")),
        ],
    );
    let shield = res(
        "aws_shield_protection",
        "p",
        vec![("name", s("p")), ("resource_arn", r("aws_lb.web", "arn"))],
    );
    let out = adapt_terraform(&[acl, assoc, shield]);
    assert!(out.aws.waf_web_acls[0].rules.is_unknown());
    assert_eq!(
        out.aws.waf_associations[0].resource.get(),
        Some(&Ref::new("aws_lb.web"))
    );
    assert_eq!(
        out.aws.shield_protections[0].resource.get(),
        Some(&Ref::new("aws_lb.web"))
    );
}

#[test]
fn waf_rule_json_is_read() {
    let rules = r#"[{"Name":"sqli","Priority":1,"Statement":{"ManagedRuleGroupStatement":{"VendorName":"AWS","Name":"AWSManagedRulesSQLiRuleSet"}}}]"#;
    let acl = res(
        "aws_wafv2_web_acl",
        "j",
        vec![("scope", s("REGIONAL")), ("rule_json", s(rules))],
    );
    let out = adapt_terraform(&[acl]);
    let rules = out.aws.waf_web_acls[0]
        .rules
        .get()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        rules[0].managed_group,
        Some(("AWS".into(), "AWSManagedRulesSQLiRuleSet".into()))
    );
}
