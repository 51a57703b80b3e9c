//! Access analysis of the `examples/eks-rds` twins, loaded with
//! `palisade_scan::load` as the CLI does.

use palisade_access::who::WhoReport;
use palisade_access::{Analysis, Options, SaRef, Verdict};
use palisade_model::Model;
use palisade_scan::ScanOptions;
use std::collections::BTreeSet;
use std::path::Path;

fn load(which: &str) -> Model {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/eks-rds")
        .join(which);
    let opts = ScanOptions {
        paths: vec![dir.clone()],
        display_base: dir,
        ..Default::default()
    };
    let (model, report, _) = palisade_scan::load(&opts);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    model
}

/// Ids of one kind whose grants allow (or conditionally allow) something.
fn granted(r: &WhoReport, kind: &str) -> BTreeSet<String> {
    r.entries
        .iter()
        .filter(|e| e.principal.kind == kind && e.verdict().grants())
        .map(|e| e.principal.id.clone())
        .collect()
}

/// Ids of one kind that may act (undetermined included).
fn may(r: &WhoReport, kind: &str) -> BTreeSet<String> {
    r.entries
        .iter()
        .filter(|e| e.principal.kind == kind && e.verdict().may_grant())
        .map(|e| e.principal.id.clone())
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn secure_only_the_app_service_account_reads_its_secret_and_connects() {
    let m = load("secure");
    let a = Analysis::new(&m, &Options::default());
    assert_eq!(a.account(), "111122223333");

    let secret = a
        .who(
            "aws_secretsmanager_secret.app",
            &["secretsmanager:GetSecretValue".into()],
        )
        .expect("who secret");
    assert_eq!(
        granted(&secret, "service-account"),
        set(&["ServiceAccount/shop-prod/shop-api"])
    );
    assert_eq!(granted(&secret, "iam-role"), set(&["aws_iam_role.app"]));
    assert_eq!(
        granted(&secret, "workload"),
        set(&["Deployment/shop-prod/shop-api"])
    );
    assert!(granted(&secret, "iam-user").is_empty());
    assert!(may(&secret, "anonymous").is_empty() && may(&secret, "external").is_empty());
    // The grant is the role's ReadOwnSecret statement, reached through IRSA.
    let sa = secret
        .entry("ServiceAccount/shop-prod/shop-api")
        .expect("sa entry");
    assert_eq!(sa.chain[0].how, "irsa");
    assert_eq!(
        sa.grants[0].access.via[0].sid.as_deref(),
        Some("ReadOwnSecret")
    );

    // The connect grant's resource is a Terraform template the model keeps
    // unknown: undetermined, and only for the app's service account.
    let db = a
        .who("aws_db_instance.main", &["rds-db:connect".into()])
        .expect("who db");
    assert_eq!(
        may(&db, "service-account"),
        set(&["ServiceAccount/shop-prod/shop-api"])
    );
    assert_eq!(may(&db, "iam-role"), set(&["aws_iam_role.app"]));
    assert!(may(&db, "iam-user").is_empty());

    // The trust pins the service account and audience.
    assert_eq!(a.identities.exposures.len(), 1);
    let e = &a.identities.exposures[0];
    assert_eq!(e.intended, vec![SaRef::new("shop-prod", "shop-api")]);
    assert_eq!(e.others().count(), 0);
    assert!(e.open_namespaces.is_empty() && e.any_namespace.is_none() && !e.any_audience);

    // IMDSv2 with one hop, no hostNetwork: no pod borrows the node role.
    assert!(a
        .identities
        .workloads
        .iter()
        .all(|w| a.identities.node_roles_of(w).is_empty()));
    assert!(a.escalations().is_empty());

    // What the service account can do: its secret, its keys; nothing else granted.
    let what = a.what("ServiceAccount/shop-prod/shop-api").expect("what");
    let services: Vec<&str> = what
        .services
        .iter()
        .filter(|(_, g)| {
            g.iter()
                .any(|r| r.actions.iter().any(|x| x.access.verdict.grants()))
        })
        .map(|(s, _)| s.as_str())
        .collect();
    assert_eq!(services, vec!["kms", "secretsmanager"]);
    assert_eq!(
        what.actions_on("aws_secretsmanager_secret.app"),
        vec![
            "secretsmanager:GetSecretValue".to_string(),
            "secretsmanager:DescribeSecret".to_string()
        ]
    );
}

#[test]
fn insecure_the_wildcard_trust_lets_every_service_account_in() {
    let m = load("insecure");
    let a = Analysis::new(&m, &Options::default());

    let e = &a.identities.exposures[0];
    assert!(e.any_namespace.is_some(), "sub is a wildcard");
    assert!(e.intended.is_empty(), "no service account is annotated");
    let admitted: BTreeSet<String> = e.admitted.iter().map(|(s, _)| s.address()).collect();
    assert!(admitted.contains("ServiceAccount/shop/default"));
    assert!(admitted.contains("ServiceAccount/default/default"));

    let secret = a
        .who(
            "aws_secretsmanager_secret.app",
            &["secretsmanager:GetSecretValue".into()],
        )
        .expect("who secret");
    let sas = granted(&secret, "service-account");
    assert!(sas.contains("ServiceAccount/shop/default"));
    assert!(sas.contains("ServiceAccount/default/default"));
    let workloads = granted(&secret, "workload");
    assert!(workloads.contains("Deployment/shop/shop-api"));
    assert!(workloads.contains("DaemonSet/default/log-shipper"));
    assert_eq!(granted(&secret, "iam-user"), set(&["aws_iam_user.ci"]));
    let ci = secret.entry("aws_iam_user.ci").expect("ci");
    assert!(ci.grants[0].access.via[0]
        .policy
        .contains("AdministratorAccess"));

    // hostNetwork and IMDSv1: the shop pods also carry the node role.
    let what = a.what("Deployment/shop/shop-api").expect("what");
    let node = what
        .identities
        .iter()
        .find(|i| i.role == "aws_iam_role.node")
        .expect("node role through IMDS");
    assert_eq!(node.chain[0].how, "imds");

    // Kubernetes: the shop's default service account reads Secrets everywhere.
    let k = a
        .who("Secret/default/anything", &["get".into()])
        .expect("who k8s");
    assert!(granted(&k, "service-account").contains("ServiceAccount/shop/default"));
    let outside = a.outside_secret_readers();
    assert!(outside
        .get("default")
        .is_some_and(|v| v.iter().any(|g| g.subject.name == "default")));

    // Admin principals are admins, not escalations.
    assert!(a.escalations().is_empty());
    let app = a.principal_index("aws_iam_role.app").expect("app");
    assert!(a.is_admin(app));

    // Every answer on the bucket objects is undetermined: its policy holds
    // an unknown VPC endpoint condition.
    let bucket = a
        .who("aws_s3_bucket.assets", &["s3:GetObject".into()])
        .expect("who bucket");
    assert!(bucket.entries.iter().all(|e| e
        .grants
        .iter()
        .all(|g| g.access.verdict == Verdict::Undetermined)));
}
