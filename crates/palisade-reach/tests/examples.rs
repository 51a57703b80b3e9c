//! The reference architecture (`examples/eks-rds`): the secure twin lets
//! nothing from the internet reach the database and only the app's pods on
//! 5432; the insecure twin shows the open paths.

mod common;

use palisade_reach::hop::Verdict;
use palisade_reach::net::Net;
use palisade_reach::paths::{resolve, Analysis};
use palisade_reach::Conns;

/// What `terraform apply` would assign, as a Terraform state would say.
fn bindings() -> Vec<(String, String)> {
    vec![
        (
            "sg-0a1b2c3d4e5f60001".into(),
            "aws_security_group.app_pods".into(),
        ),
        (
            "data.aws_ec2_managed_prefix_list.cloudfront".into(),
            "com.amazonaws.global.cloudfront.origin-facing".into(),
        ),
    ]
}

#[test]
fn secure_internet_cannot_reach_the_database() {
    let m = common::example("eks-rds/secure");
    for b in [Vec::new(), bindings()] {
        let mut net = Net::with_bindings(&m, &b);
        let db = resolve(&mut net, "aws_db_instance.main").unwrap_or_default()[0];
        let a = Analysis::new(&net);
        let r = a.paths(0, db, &Conns::all());
        assert_eq!(r.direct.verdict, Verdict::Deny);
        assert_eq!(
            r.blocked_by,
            vec![
                "network ACL into `aws_db_instance.main`".to_string(),
                "private placement of `aws_db_instance.main`".to_string(),
                "return routing of `aws_db_instance.main`".to_string(),
                "security groups of `aws_db_instance.main` (ingress)".to_string(),
            ]
        );
        // Nothing from the internet reaches it without going through the app.
        for p in &r.paths {
            assert!(
                p.ends
                    .contains(&"Deployment/shop-prod/shop-api".to_string()),
                "{:?}",
                p.ends
            );
        }
    }
}

#[test]
fn secure_only_the_apps_pods_reach_the_database_on_5432() {
    let m = common::example("eks-rds/secure");
    let net = Net::with_bindings(&m, &bindings());
    let a = Analysis::new(&net);
    let ex = a.exposure();
    let db = ex
        .iter()
        .find(|e| e.store == "aws_db_instance.main")
        .map(|e| {
            e.sources
                .iter()
                .map(|s| (s.source.clone(), s.verdict, s.conns.to_string()))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    assert_eq!(
        db,
        vec![(
            "Deployment/shop-prod/shop-api".to_string(),
            Verdict::Allow,
            "TCP 5432".to_string()
        )]
    );
    // The one internet path goes CloudFront → ALB → the app → the database,
    // with far more than two independent controls.
    let e = ex.iter().find(|e| e.store == "aws_db_instance.main");
    let paths: Vec<String> = e
        .map(|e| {
            e.internet_paths
                .iter()
                .map(|p| p.ends.join(" → "))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        paths,
        vec!["internet → aws_cloudfront_distribution.app → aws_lb.app → Deployment/shop-prod/shop-api → aws_db_instance.main".to_string()]
    );
    assert!(e.and_then(|e| e.min_internet_controls).unwrap_or(0) >= 2);
    // Without the binding of the SecurityGroupPolicy's group, the answer is
    // unknown (with why), never a guess.
    let net = Net::new(&m);
    let a = Analysis::new(&net);
    let ex = a.exposure();
    let s = ex
        .iter()
        .find(|e| e.store == "aws_db_instance.main")
        .and_then(|e| e.sources.first().cloned());
    assert_eq!(s.as_ref().map(|s| s.verdict), Some(Verdict::Unknown));
    assert!(s.is_some_and(|s| s.notes.iter().any(|n| n.contains("sg-0a1b2c3d4e5f60001"))));
}

#[test]
fn secure_alb_accepts_only_cloudfront() {
    let m = common::example("eks-rds/secure");
    let mut net = Net::with_bindings(&m, &bindings());
    let lb = resolve(&mut net, "aws_lb.app").unwrap_or_default()[0];
    let cf = resolve(&mut net, "aws_cloudfront_distribution.app").unwrap_or_default()[0];
    assert_eq!(net.hop(0, lb, &Conns::all()).verdict, Verdict::Deny);
    assert_eq!(net.hop(cf, lb, &Conns::all()).conns.to_string(), "TCP 443");
}

#[test]
fn insecure_shows_the_open_paths() {
    let m = common::example("eks-rds/insecure");
    let mut net = Net::with_bindings(&m, &bindings());
    let db = resolve(&mut net, "aws_db_instance.main").unwrap_or_default()[0];
    let lb = resolve(&mut net, "aws_lb.app").unwrap_or_default()[0];
    let a = Analysis::new(&net);
    // The database is public, in a public subnet, its SG open to 0.0.0.0/0
    // and the subnet's ACL lets 1024-65535 in: the internet reaches 5432.
    let r = a.paths(0, db, &Conns::all());
    assert_eq!(r.direct.verdict, Verdict::Allow);
    assert_eq!(r.direct.conns.to_string(), "TCP 5432");
    // The ALB takes HTTPS from anywhere, not only CloudFront.
    assert_eq!(net.hop(0, lb, &Conns::all()).conns.to_string(), "TCP 443");
    let ex = a.exposure();
    let rds = ex.iter().find(|e| e.store == "aws_db_instance.main");
    assert!(rds.is_some_and(|e| e.min_internet_controls.is_some_and(|c| c < 2)));
}
