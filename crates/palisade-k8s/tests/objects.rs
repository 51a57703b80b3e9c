mod common;

use common::{fixture, line, line_after, no_errors};
use palisade_model::k8s::*;
use std::collections::BTreeMap;

#[test]
fn service_accounts_and_rbac() {
    let (text, load) = fixture("rbac.yaml");
    no_errors(&load);
    let k = &load.k8s;
    let sa = k.service_account("shop-prod", "web").expect("sa");
    let arn = sa.irsa_role_arn().expect("irsa");
    assert!(arn.is(&"arn:aws:iam::111122223333:role/shop-web".to_string()));
    assert_eq!(
        arn.loc().map(|l| l.line),
        Some(line(&text, "eks.amazonaws.com/role-arn"))
    );
    assert_eq!(sa.automount_service_account_token.some(), Some(&false));
    assert_eq!(sa.subject(), "system:serviceaccount:shop-prod:web");
    assert!(sa
        .meta
        .keys
        .contains(&"system:serviceaccount:shop-prod:web".to_string()));
    let reporter = k.service_account("shop-prod", "reporter").expect("sa");
    assert!(reporter.automount_service_account_token.is_none());

    assert_eq!(k.roles.len(), 3);
    let role = &k.roles[0];
    assert!(!role.cluster);
    assert_eq!(role.meta.address, "Role/shop-prod/read-config");
    assert_eq!(role.rules[0].resource_names, vec!["web-config".to_string()]);
    assert_eq!(role.rules[0].loc.line, line(&text, "- apiGroups: [\"\"]"));
    let cr = &k.roles[1];
    assert!(cr.cluster);
    assert_eq!(cr.meta.address, "ClusterRole/secret-reader");
    assert!(cr.object.namespace.is_none(), "cluster-scoped");
    assert!(cr.rules[0].grants("apps", "secrets", "get"));
    assert!(!cr.rules[0].grants("", "secrets", "delete"));
    assert!(cr.rules[0].has_wildcard());
    assert_eq!(cr.rules[1].non_resource_urls, vec!["/metrics".to_string()]);
    let agg = &k.roles[2];
    let sels = agg.aggregation_rule.as_ref().expect("aggregation");
    assert_eq!(sels.len(), 1);
    assert!(sels[0].matches(&cr.object.labels));
    assert!(agg.rules.is_empty());

    assert_eq!(k.role_bindings.len(), 2);
    let rb = &k.role_bindings[0];
    assert!(!rb.cluster);
    assert_eq!(rb.role_ref.kind, "Role");
    assert_eq!(rb.role_ref.name, "read-config");
    assert_eq!(rb.subjects[0].kind, "ServiceAccount");
    assert_eq!(rb.subjects[0].namespace.as_deref(), Some("shop-prod"));
    let crb = &k.role_bindings[1];
    assert!(crb.cluster);
    assert_eq!(
        crb.meta.address,
        "ClusterRoleBinding/everyone-reads-secrets"
    );
    assert_eq!(crb.subjects[0].name, "system:authenticated");
    assert_eq!(
        crb.subjects[0].loc.line,
        line_after(&text, "everyone-reads-secrets", "- kind: Group")
    );
    // Subject namespaces count as seen.
    assert!(k.namespaces_seen().contains("shop-ci"));
}

#[test]
fn namespaces_storage_and_aws_kinds() {
    let (text, load) = fixture("storage-secrets.yaml");
    no_errors(&load);
    let k = &load.k8s;

    let ns = k.namespace("shop-prod").expect("ns");
    assert_eq!(ns.meta.address, "Namespace/shop-prod");
    assert!(ns.object.namespace.is_none());
    assert_eq!(ns.pod_security("enforce"), Some("restricted"));
    assert_eq!(ns.pod_security("audit"), None);

    assert_eq!(k.storage_classes.len(), 2);
    let gp3 = &k.storage_classes[0];
    assert!(gp3.is_default_class().is_true());
    assert_eq!(
        gp3.is_default_class().loc().map(|l| l.line),
        Some(line(&text, "is-default-class"))
    );
    assert!(gp3.provisioner.is(&"ebs.csi.aws.com".to_string()));
    assert!(gp3
        .parameter("encrypted")
        .is_some_and(|v| v.is(&"true".to_string())));
    assert!(gp3.parameter("kmsKeyId").is_some());
    assert_eq!(gp3.allow_volume_expansion.some(), Some(&true));
    assert!(gp3.reclaim_policy.is_default() && gp3.reclaim_policy.is(&"Delete".to_string()));
    assert!(gp3
        .volume_binding_mode
        .is(&"WaitForFirstConsumer".to_string()));
    let gp2 = &k.storage_classes[1];
    assert!(gp2.is_default_class().is_false());
    assert!(gp2.parameter("encrypted").is_none());
    assert_eq!(k.default_storage_classes().count(), 1);

    let pvcs = &k.persistent_volume_claims;
    assert_eq!(pvcs.len(), 2);
    assert!(
        pvcs[0].storage_class_name.is_none(),
        "absent: default class"
    );
    assert_eq!(pvcs[0].storage_request.as_deref(), Some("10Gi"));
    assert_eq!(
        pvcs[1].storage_class_name.some().map(String::as_str),
        Some("")
    );
    assert_eq!(pvcs[1].volume_name.as_deref(), Some("pv-1"));

    let sgp = &k.security_group_policies[0];
    assert_eq!(
        sgp.meta.address,
        "SecurityGroupPolicy/shop-prod/web-db-access"
    );
    assert!(sgp.service_account_selector.is_none());
    let labels: BTreeMap<String, String> = [("app".to_string(), "web".to_string())].into();
    assert!(sgp
        .pod_selector
        .as_ref()
        .is_some_and(|s| s.matches(&labels)));
    assert_eq!(sgp.security_group_ids.len(), 2);
    assert_eq!(
        sgp.security_group_ids[1].loc().map(|l| l.line),
        Some(line(&text, "sg-0fedcba9876543210"))
    );

    let spc = &k.secret_provider_classes[0];
    assert!(spc.provider.is(&"aws".to_string()));
    assert_eq!(spc.objects.len(), 2);
    assert_eq!(spc.objects[0].object_name, "shop/prod/db");
    assert_eq!(
        spc.objects[0].object_type.as_deref(),
        Some("secretsmanager")
    );
    assert_eq!(spc.objects[0].object_alias.as_deref(), Some("db"));
    assert_eq!(spc.objects[1].object_type.as_deref(), Some("ssmparameter"));
    assert_eq!(spc.parameters.get("region"), Some("eu-west-1"));
    assert!(!spc.parameters.contains_key("objects"));
    assert_eq!(spc.synced_secrets, vec!["web-db".to_string()]);

    let pas = &k.peer_authentications;
    assert_eq!(pas.len(), 2);
    assert!(pas[0].selector.is_none());
    assert_eq!(pas[0].mtls_mode.some().map(String::as_str), Some("STRICT"));
    assert_eq!(
        pas[0].meta.address,
        "PeerAuthentication/istio-system/default"
    );
    assert_eq!(
        pas[1].selector.as_ref().and_then(|s| s.get("app")),
        Some("web")
    );
    assert_eq!(
        pas[1].mtls_mode.some().map(String::as_str),
        Some("PERMISSIVE")
    );
    assert!(pas[1]
        .port_level_mtls
        .get(&9090)
        .is_some_and(|m| m.is(&"DISABLE".to_string())));
}

#[test]
fn list_kinds_and_json() {
    let (text, load) = fixture("list.yaml");
    no_errors(&load);
    assert_eq!(load.k8s.service_accounts.len(), 1);
    assert_eq!(load.k8s.workloads.len(), 1);
    let sa = &load.k8s.service_accounts[0];
    assert_eq!(sa.meta.address, "ServiceAccount/tools/lister");
    assert_eq!(sa.meta.loc.line, line(&text, "  - apiVersion: v1"));
    let tool = &load.k8s.workloads[0];
    assert!(tool
        .replicas
        .as_ref()
        .is_some_and(|r| r.is_default() && r.is(&1)));
    // The CRD item is noted, not an error.
    assert!(
        load.notes.iter().any(|n| n.message.contains("Certificate")),
        "{:?}",
        load.notes
    );

    let (text, load) = fixture("podlist.json");
    no_errors(&load);
    let k = &load.k8s;
    assert_eq!(k.workloads.len(), 2);
    // An item without apiVersion/kind takes them from `PodList`.
    let p = &k.workloads[0];
    assert_eq!(p.meta.address, "Pod/shop-prod/web-5d4f-x1");
    assert_eq!(p.kind, WorkloadKind::Pod);
    assert_eq!(p.object.api_version, "v1");
    // The item's span starts at its `{`, the line after `"items": [`.
    assert_eq!(p.meta.loc.line, line(&text, "\"items\"") + 1);
    assert_eq!(p.controller().map(|o| o.name.as_str()), Some("web-5d4f"));
    let c = &p.pod_spec().containers[0];
    assert!(
        c.security_context.privileged.is_false() && !c.security_context.privileged.is_default()
    );
    assert_eq!(c.security_context.run_as_user.some(), Some(&0));
    assert_eq!(
        c.security_context.run_as_user.loc().map(|l| l.line),
        Some(line(&text, "\"runAsUser\": 0"))
    );
    let s = &k.workloads[1];
    assert_eq!(s.meta.address, "Pod/default/standalone");
    assert!(s.pod_spec().host_network.is_true());
}

#[test]
fn unknown_kinds_are_notes() {
    let (_, load) = fixture("crds.yaml");
    no_errors(&load);
    // A Knative `Service` is not a core Service.
    assert!(load.k8s.services.is_empty());
    assert_eq!(load.k8s.config_maps.len(), 1);
    assert_eq!(
        load.k8s.config_maps[0].meta.address,
        "ConfigMap/default/plain"
    );
    let note = load
        .notes
        .iter()
        .find(|n| n.message.starts_with("kinds not modelled"))
        .expect("note");
    assert!(note.message.contains("Certificate (cert-manager.io/v1)"));
    assert!(note.message.contains("Service (serving.knative.dev/v1)"));
}

#[test]
fn sort_and_extend_are_deterministic() {
    let (_, a) = fixture("workloads.yaml");
    let (_, b) = fixture("rbac.yaml");
    let mut x = a.k8s.clone();
    x.extend(b.k8s.clone());
    let mut y = b.k8s;
    y.extend(a.k8s);
    assert_eq!(x.len(), y.len());
    x.sort();
    y.sort();
    let jx = serde_json::to_string(&x).expect("json");
    let jy = serde_json::to_string(&y).expect("json");
    assert_eq!(jx, jy);
    assert!(!x.is_empty());
}

/// Every object of every manifest fixture spans exactly its document: it
/// starts at its `apiVersion` line and ends on its last non-blank line.
#[test]
fn every_object_spans_its_document() {
    for name in [
        "workloads.yaml",
        "network.yaml",
        "rbac.yaml",
        "storage-secrets.yaml",
        "crds.yaml",
    ] {
        let (text, load) = fixture(name);
        let lines: Vec<&str> = text.lines().collect();
        let at = |n: u32| lines.get(n as usize - 1).copied().unwrap_or_default();
        let metas = load.k8s.metas();
        assert_eq!(metas.len(), load.k8s.len());
        assert!(!metas.is_empty());
        let docs = lines
            .iter()
            .filter(|l| l.starts_with("apiVersion:"))
            .count();
        let skipped = load
            .notes
            .iter()
            .find(|n| n.message.starts_with("kinds not modelled"))
            .map_or(0, |n| n.message.matches(", ").count() + 1);
        assert_eq!(metas.len() + skipped, docs, "{name}");
        for m in metas {
            assert!(
                at(m.loc.line).starts_with("apiVersion:"),
                "{name}: {} starts at {}",
                m.address,
                m.loc.line
            );
            assert!(
                !at(m.loc.end_line).trim().is_empty(),
                "{name}: {}",
                m.address
            );
            let next = lines[m.loc.end_line as usize..]
                .iter()
                .find(|l| !l.trim().is_empty())
                .copied();
            assert!(
                matches!(next, None | Some("---")),
                "{name}: {} ends at {} but the document goes on",
                m.address,
                m.loc.end_line
            );
            assert!(m.address.starts_with(&format!("{}/", m.kind)));
            assert_eq!(&*m.loc.file, format!("fixtures/{name}"));
        }
    }
}
