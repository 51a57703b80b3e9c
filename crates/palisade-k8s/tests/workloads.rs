mod common;

use common::{fixture, line, line_after, no_errors};
use palisade_model::k8s::*;
use palisade_model::Val;

fn get<'a>(k: &'a K8s, address: &str) -> &'a Workload {
    k.workloads
        .iter()
        .find(|w| w.meta.address == address)
        .unwrap_or_else(|| panic!("no workload {address}"))
}

fn loc_line<T>(v: &Val<T>) -> u32 {
    v.loc()
        .map(|l| l.line)
        .unwrap_or_else(|| panic!("value has no location"))
}

#[test]
fn deployment_fields_and_lines() {
    let (text, load) = fixture("workloads.yaml");
    no_errors(&load);
    let k = &load.k8s;
    assert_eq!(k.workloads.len(), 8);
    let w = get(k, "Deployment/shop-prod/web");
    assert_eq!(w.kind, WorkloadKind::Deployment);
    assert_eq!(w.meta.kind, "Deployment");
    assert_eq!(w.meta.loc.line, line(&text, "apiVersion: apps/v1"));
    assert_eq!(w.meta.loc.end_line, line(&text, "emptyDir: {}"));
    assert_eq!(&*w.meta.loc.file, "fixtures/workloads.yaml");
    assert_eq!(
        w.object.namespace.as_ref().map(loc_line),
        Some(line(&text, "namespace: shop-prod"))
    );
    assert!(w.replicas.as_ref().is_some_and(|r| r.is(&3)));
    assert_eq!(w.uid(), Some("11111111-aaaa"));

    let sel = w.selector.as_ref().expect("selector");
    assert_eq!(sel.match_labels.get("app").map(String::as_str), Some("web"));
    assert_eq!(sel.match_expressions.len(), 1);
    assert!(sel.matches(&w.template.labels));

    assert_eq!(w.template.labels.get("tier"), Some("frontend"));
    assert_eq!(
        w.template.annotations.get("sidecar.istio.io/inject"),
        Some("true")
    );

    let spec = w.pod_spec();
    assert!(spec.service_account_name.is(&"web".to_string()));
    assert_eq!(
        loc_line(&spec.service_account_name),
        line(&text, "serviceAccountName: web")
    );
    assert_eq!(spec.automount_service_account_token.some(), Some(&false));
    assert!(spec.host_network.is_default() && spec.host_network.is_false());
    assert_eq!(spec.security_context.run_as_non_root.some(), Some(&true));
    assert_eq!(spec.security_context.run_as_user.some(), Some(&10001));
    assert_eq!(
        spec.security_context
            .seccomp_profile
            .some()
            .map(|s| s.type_.as_str()),
        Some("RuntimeDefault")
    );

    assert_eq!(spec.init_containers.len(), 1);
    assert_eq!(spec.init_containers[0].kind, ContainerKind::Init);
    assert_eq!(spec.containers.len(), 1);
    let c = &spec.containers[0];
    assert_eq!(c.name, "app");
    assert_eq!(c.loc.line, line(&text, "- name: app"));
    assert_eq!(
        c.image.some().map(String::as_str),
        Some("registry.example.com/shop/web:1.4.2")
    );
    assert_eq!(
        loc_line(&c.image),
        line(&text, "image: registry.example.com/shop/web:1.4.2")
    );

    assert_eq!(c.ports.len(), 2);
    assert_eq!(c.ports[0].name.as_deref(), Some("http"));
    assert!(c.ports[0].container_port.is(&8080));
    assert!(c.ports[0].protocol.is_default() && c.ports[0].protocol.is(&"TCP".to_string()));
    assert!(c.ports[1].protocol.is(&"UDP".to_string()));
    assert_eq!(loc_line(&c.ports[1].protocol), line(&text, "protocol: UDP"));

    assert_eq!(c.env.len(), 4);
    let host = &c.env[0];
    assert!(
        matches!(host.value.as_ref().and_then(|v| v.get()), Some(MaybeSecret::Text(t)) if t == "db.internal")
    );
    let pw = &c.env[1];
    assert!(pw
        .value
        .as_ref()
        .and_then(|v| v.get())
        .is_some_and(MaybeSecret::is_secret));
    assert!(matches!(
        &c.env[2].value_from,
        Some(EnvVarSource::SecretKeyRef { name, key, optional: false }) if name == "web-secrets" && key == "token"
    ));
    assert!(c.env[2].value.is_none());
    assert!(
        matches!(&c.env[3].value_from, Some(EnvVarSource::FieldRef { field_path }) if field_path == "metadata.name")
    );
    assert_eq!(c.env_from.len(), 2);
    assert_eq!(c.env_from[0].source, EnvFromKind::ConfigMap);
    assert_eq!(c.env_from[1].source, EnvFromKind::Secret);
    assert_eq!(c.env_from[1].name, "web-env");

    let sc = &c.security_context;
    assert!(sc.privileged.is_default() && sc.privileged.is_false());
    assert_eq!(sc.allow_privilege_escalation.some(), Some(&false));
    assert_eq!(
        loc_line(&sc.allow_privilege_escalation),
        line(&text, "allowPrivilegeEscalation: false")
    );
    assert!(sc.read_only_root_filesystem.is_true());
    assert!(c.drops_all_capabilities());
    assert_eq!(
        sc.capabilities_add.get().map(Vec::as_slice),
        Some(&["NET_BIND_SERVICE".to_string()][..])
    );
    assert!(c.effective_allow_privilege_escalation().is_false());
    // Pod-level defaults flow into containers.
    assert_eq!(c.effective_run_as_non_root(spec).some(), Some(&true));
    assert_eq!(c.effective_run_as_user(spec).some(), Some(&10001));
    assert_eq!(c.volume_mounts.len(), 1);
    assert!(c.volume_mounts[0].read_only.is_true());

    assert_eq!(spec.volumes.len(), 3);
    match &spec.volumes[0].source {
        VolumeSource::Csi {
            driver,
            secret_provider_class,
            read_only,
            ..
        } => {
            assert!(driver.is(&"secrets-store.csi.k8s.io".to_string()));
            assert!(read_only.is_true());
            assert_eq!(
                secret_provider_class
                    .as_ref()
                    .and_then(|v| v.get())
                    .map(String::as_str),
                Some("web-aws-secrets")
            );
        }
        other => panic!("expected csi, got {other:?}"),
    }
    match &spec.volumes[1].source {
        VolumeSource::Projected { sources } => assert!(matches!(
            &sources[..],
            [ProjectedSource::ServiceAccountToken { audience: Some(a), expiration_seconds: Some(3600), .. }] if a == "sts.amazonaws.com"
        )),
        other => panic!("expected projected, got {other:?}"),
    }
    assert!(matches!(
        spec.volumes[2].source,
        VolumeSource::EmptyDir { medium: None }
    ));
}

#[test]
fn namespace_defaulting() {
    let (text, load) = fixture("workloads.yaml");
    let pod = get(&load.k8s, "Pod/default/debug");
    let ns = pod.object.namespace.as_ref().expect("namespaced");
    assert!(ns.is_default());
    assert!(ns.is(&"default".to_string()));
    assert_eq!(pod.namespace(), "default");
    assert!(pod.replicas.is_none());
    assert!(pod.selector.is_none());

    let spec = pod.pod_spec();
    assert!(spec.host_network.is_true());
    assert_eq!(
        loc_line(&spec.host_network),
        line(&text, "hostNetwork: true")
    );
    // YAML 1.1 booleans, as kubectl reads them.
    assert!(spec.host_pid.is_true());
    assert!(spec.host_ipc.is_false());
    assert!(spec.service_account_name.is_default());
    assert!(spec.service_account_name.is(&"default".to_string()));
    let c = &spec.containers[0];
    assert!(c.security_context.privileged.is_true());
    assert_eq!(
        loc_line(&c.security_context.privileged),
        line(&text, "privileged: true")
    );
    assert!(c.effective_allow_privilege_escalation().is_true());
    assert!(c.security_context.allow_privilege_escalation.is_none());
    match &spec.volumes[0].source {
        VolumeSource::HostPath {
            path,
            host_path_type,
        } => {
            assert!(path.is(&"/".to_string()));
            assert_eq!(loc_line(path), line_after(&text, "hostPath:", "path: /"));
            assert_eq!(host_path_type.as_deref(), Some("Directory"));
        }
        other => panic!("expected hostPath, got {other:?}"),
    }
    assert!(load.k8s.namespaces_seen().contains("default"));
    assert!(load.k8s.namespaces_seen().contains("kube-system"));
}

#[test]
fn cronjob_statefulset_daemonset_job() {
    let (text, load) = fixture("workloads.yaml");
    let k = &load.k8s;
    let cj = get(k, "CronJob/shop-prod/report");
    assert!(cj.replicas.is_none());
    assert_eq!(cj.template.labels.get("app"), Some("report"));
    // The deprecated `serviceAccount` field is honoured.
    assert!(cj
        .pod_spec()
        .service_account_name
        .is(&"reporter".to_string()));
    assert_eq!(cj.pod_spec().containers[0].name, "report");
    // A mapping's location starts at its first key.
    assert_eq!(
        cj.template.loc.line,
        line_after(&text, "jobTemplate:", "metadata:")
    );

    let sts = get(k, "StatefulSet/shop-prod/cache");
    assert!(sts
        .replicas
        .as_ref()
        .is_some_and(|r| r.is_default() && r.is(&1)));
    assert!(sts.pod_spec().host_ipc.is_true());
    assert!(sts
        .selector
        .as_ref()
        .is_some_and(|s| s.matches(&sts.template.labels)));

    let ds = get(k, "DaemonSet/kube-system/node-agent");
    assert!(ds.replicas.is_none());
    assert_eq!(
        ds.pod_spec().containers[0]
            .security_context
            .run_as_non_root
            .some(),
        Some(&false)
    );
    assert!(matches!(&ds.pod_spec().volumes[0].source,
        VolumeSource::HostPath { path, .. } if path.is(&"/var/run/docker.sock".to_string())));

    let job = get(k, "Job/shop-prod/once");
    assert_eq!(
        job.pod_spec().automount_service_account_token.some(),
        Some(&true)
    );
    assert!(job.template.labels.is_empty());
}

#[test]
fn owner_references_attribute_pods_to_workloads() {
    let (_, load) = fixture("workloads.yaml");
    let k = &load.k8s;
    let pod = get(k, "Pod/shop-prod/web-5d4f-abcde");
    let rs = get(k, "ReplicaSet/shop-prod/web-5d4f");
    assert_eq!(
        pod.controller().map(|o| o.kind.as_str()),
        Some("ReplicaSet")
    );
    assert_eq!(
        k.owner_of(pod).map(|w| w.meta.address.as_str()),
        Some("ReplicaSet/shop-prod/web-5d4f")
    );
    assert_eq!(k.root_owner(pod).meta.address, "Deployment/shop-prod/web");
    assert_eq!(k.root_owner(rs).meta.address, "Deployment/shop-prod/web");
    let dep = get(k, "Deployment/shop-prod/web");
    assert_eq!(k.root_owner(dep).meta.address, dep.meta.address);
}

#[test]
fn automount_resolution_uses_the_service_account() {
    let (_, wl) = fixture("workloads.yaml");
    let (_, rbac) = fixture("rbac.yaml");
    let mut k = wl.k8s;
    k.extend(rbac.k8s);
    // Pod says false.
    assert!(k
        .automount_token(get(&k, "Deployment/shop-prod/web"))
        .is_false());
    // Pod silent, SA `web` says false (with its line).
    let rs = get(&k, "ReplicaSet/shop-prod/web-5d4f");
    let v = k.automount_token(rs);
    assert!(v.is_false());
    assert_eq!(v.loc().map(|l| &*l.file), Some("fixtures/rbac.yaml"));
    // Pod silent, SA `reporter` declared without the field → true by default.
    assert!(k
        .automount_token(get(&k, "CronJob/shop-prod/report"))
        .is_true());
    // `default` SA not declared → Kubernetes default (true).
    let debug = get(&k, "Pod/default/debug");
    let v = k.automount_token(debug);
    assert!(v.is_true() && v.is_default());
    // Pod says true explicitly.
    assert!(k.automount_token(get(&k, "Job/shop-prod/once")).is_true());
    // Unknown SA not scanned → unknown, never a guess.
    let (_, list) = fixture("list.yaml");
    let mut k2 = K8s::default();
    k2.extend(list.k8s);
    let tool = get(&k2, "Deployment/tools/tool");
    assert!(k2.automount_token(tool).is_true(), "default SA");
}

#[test]
fn templated_values_are_unknown() {
    let (text, load) = fixture("quoted-templates.yaml");
    no_errors(&load);
    let w = get(&load.k8s, "Deployment/shop-prod/templated-values");
    let r = w.replicas.as_ref().expect("replicas");
    assert!(r.is_unknown());
    let spec = w.pod_spec();
    assert!(spec.host_network.is_unknown());
    assert!(!spec.host_network.is_true() && !spec.host_network.is_false());
    assert_eq!(
        spec.host_network.loc().map(|l| l.line),
        Some(line(&text, "hostNetwork:"))
    );
    assert!(spec.containers[0].image.is_unknown());
}

#[test]
fn escalation_and_yaml_typing_details() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: n\nspec:\n  containers:\n    - name: c\n      image: c\n      securityContext:\n        allowPrivilegeEscalation: false\n        runAsUser: !!str 1000\n        capabilities:\n          add: [CAP_SYS_ADMIN]\n";
    let load = palisade_k8s::load_file(text, "p.yaml");
    no_errors(&load);
    let c = &load.k8s.workloads[0].pod_spec().containers[0];
    // CAP_SYS_ADMIN implies escalation whatever allowPrivilegeEscalation says.
    let e = c.effective_allow_privilege_escalation();
    assert!(e.is_true());
    assert_eq!(e.loc().map(|l| l.line), Some(14));
    // `!!str 1000` is a string, not an integer: unknown, not 1000.
    assert!(c.security_context.run_as_user.is_unknown());
}
