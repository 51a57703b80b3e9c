mod common;

use common::{fixture, line, no_errors};
use palisade_k8s::FileLoad;
use palisade_model::k8s::MaybeSecret;

/// The secret strings of the fixtures, decoded where base64.
const SECRETS: &[&str] = &[
    "Sup3rS3cretPassw0rd!",
    "hunter2hunter2",
    "aHVudGVyMmh1bnRlcjI=",
    "plaintext-api-key-0123456789",
    "Corr3ctHorseBattery",
    "Tr0ub4dor&3xyz",
    "AKIAIOSFODNN7EXAMPL3",
];

fn assert_redacted(load: &FileLoad) {
    let debug = format!("{load:?}");
    let json = serde_json::to_string(load).expect("json");
    let pretty = format!("{load:#?}");
    for s in SECRETS {
        assert!(!debug.contains(s), "`{s}` in Debug output");
        assert!(!pretty.contains(s), "`{s}` in pretty Debug output");
        assert!(!json.contains(s), "`{s}` in JSON output");
    }
}

#[test]
fn secret_objects_yield_redacted_literals() {
    let (text, load) = fixture("storage-secrets.yaml");
    no_errors(&load);
    assert_redacted(&load);

    let s = &load.k8s.secrets[0];
    assert_eq!(s.meta.address, "Secret/shop-prod/db-credentials");
    assert!(s.type_.is(&"Opaque".to_string()));
    assert_eq!(s.data.len(), 4);
    let pw = &s.data["password"];
    assert_eq!(pw.value.expose(), "hunter2hunter2", "base64 decoded");
    assert_eq!(pw.field, "data");
    assert_eq!(pw.loc.line, line(&text, "password: aHVudGVy"));
    assert!(s.data["empty"].empty);
    assert_eq!(s.data["api-key"].field, "stringData");

    let from_secret: Vec<&str> = load
        .secrets
        .iter()
        .filter(|l| l.resource == "Secret/shop-prod/db-credentials")
        .map(|l| l.attribute.as_str())
        .collect();
    assert_eq!(
        from_secret,
        vec!["data.username", "data.password", "stringData.api-key"]
    );
    // A TLS secret with empty values yields no literal.
    assert!(!load
        .secrets
        .iter()
        .any(|l| l.resource == "Secret/shop-prod/shop-tls"));
    let lit = load
        .secrets
        .iter()
        .find(|l| l.attribute == "data.password")
        .expect("literal");
    assert_eq!(lit.value.expose(), "hunter2hunter2");
    assert_eq!(lit.loc.line, pw.loc.line);
}

#[test]
fn exported_objects_do_not_leak_through_annotations() {
    let (_, load) = fixture("storage-secrets.yaml");
    assert_redacted(&load);
    let s = load
        .k8s
        .secrets
        .iter()
        .find(|s| s.object.name == "exported")
        .expect("exported secret");
    let last = s
        .object
        .annotation("kubectl.kubernetes.io/last-applied-configuration")
        .expect("kept as a marker");
    assert!(last.starts_with("<omitted"));
    assert_eq!(
        s.object.annotation("example.com/db-password"),
        Some("<redacted>")
    );
    assert!(load
        .secrets
        .iter()
        .any(|l| l.attribute == "metadata.annotations.example.com/db-password"));
}

/// Pod template annotations were copied into the model unchecked (and a
/// Pod's own annotations, redacted on the object, unredacted into its
/// template), so `palisade model` printed them.
#[test]
fn pod_template_annotations_are_redacted() {
    let text = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata:
      labels: {app: api}
      annotations:
        vault.hashicorp.com/agent-inject-token: TemplateAnnotTok-7Gh2x
        kubectl.kubernetes.io/last-applied-configuration: '{"password": "LastAppliedTpl-1Qa"}'
    spec:
      containers:
        - name: api
          image: app:1
---
apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: shop
  annotations:
    api-token: PodOwnAnnotTok-3Xs
spec:
  containers:
    - name: c
      image: app:1
"#;
    let load = palisade_k8s::load_file(text, "t.yaml");
    no_errors(&load);
    let json = serde_json::to_string(&load).expect("json");
    for s in [
        "TemplateAnnotTok-7Gh2x",
        "LastAppliedTpl-1Qa",
        "PodOwnAnnotTok-3Xs",
    ] {
        assert!(!json.contains(s), "`{s}` in the model JSON");
    }
    let attrs: Vec<(&str, &str, u32)> = load
        .secrets
        .iter()
        .map(|l| (l.resource.as_str(), l.attribute.as_str(), l.loc.line))
        .collect();
    assert_eq!(
        attrs,
        vec![
            (
                "Deployment/shop/api",
                "spec.template.metadata.annotations.vault.hashicorp.com/agent-inject-token",
                12
            ),
            ("Pod/shop/p", "metadata.annotations.api-token", 25),
        ]
    );
}

/// Credentials passed on a container's command line were not recognised,
/// so they were neither reported nor redacted in snippets.
#[test]
fn command_line_credentials() {
    let text = r#"apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: shop
spec:
  containers:
    - name: c
      image: app:1
      command: ["sh", "-c", "export DB_PASSWORD=ShellExportPw-4Kd && exec app"]
      args:
        - --password=ArgsPassw0rd-1Mk5
        - --log-level=debug-verbose
        - --password-file=/run/secrets/db
        - --secret-name=shop-db-credentials
        - --token=${TOKEN}
"#;
    let load = palisade_k8s::load_file(text, "t.yaml");
    no_errors(&load);
    let found: Vec<(&str, &str, u32)> = load
        .secrets
        .iter()
        .map(|l| (l.attribute.as_str(), l.value.expose(), l.loc.line))
        .collect();
    assert_eq!(
        found,
        vec![
            ("spec.containers[c].command[2]", "ShellExportPw-4Kd", 10),
            ("spec.containers[c].args[0]", "ArgsPassw0rd-1Mk5", 12),
        ]
    );
}

#[test]
fn config_map_credentials() {
    let (text, load) = fixture("storage-secrets.yaml");
    let cm = &load.k8s.config_maps[0];
    assert!(matches!(cm.data["LOG_LEVEL"].value.get(), Some(MaybeSecret::Text(t)) if t == "info"));
    assert!(cm.data["DB_PASSWORD"]
        .value
        .get()
        .is_some_and(MaybeSecret::is_secret));
    assert!(cm.data["application.properties"]
        .value
        .get()
        .is_some_and(MaybeSecret::is_secret));
    assert_eq!(cm.binary_data_keys, vec!["logo.png".to_string()]);

    let cm_lits: Vec<_> = load
        .secrets
        .iter()
        .filter(|l| l.resource == "ConfigMap/shop-prod/web-config")
        .collect();
    let attrs: Vec<&str> = cm_lits.iter().map(|l| l.attribute.as_str()).collect();
    assert_eq!(
        attrs,
        vec![
            "data.DB_PASSWORD",
            "data.application.properties[spring.datasource.password]",
            "data.aws.conf[aws_access_key_id]",
        ]
    );
    // Lines inside block scalars point at the line of the credential.
    assert_eq!(
        cm_lits[1].loc.line,
        line(&text, "spring.datasource.password=")
    );
    assert_eq!(cm_lits[1].value.expose(), "Tr0ub4dor&3xyz");
    assert_eq!(cm_lits[2].loc.line, line(&text, "aws_access_key_id ="));
    assert!(
        cm_lits[2].why.contains("AWS access key"),
        "{}",
        cm_lits[2].why
    );
}

#[test]
fn env_literals() {
    let (text, load) = fixture("workloads.yaml");
    assert_redacted(&load);
    let env: Vec<_> = load
        .secrets
        .iter()
        .filter(|l| l.resource.starts_with("Deployment/"))
        .collect();
    assert_eq!(env.len(), 1, "{env:?}");
    let l = env[0];
    assert_eq!(l.resource, "Deployment/shop-prod/web");
    assert_eq!(
        l.attribute,
        "spec.template.spec.containers[app].env[DB_PASSWORD]"
    );
    assert_eq!(l.loc.line, line(&text, "value: \"Sup3rS3cretPassw0rd!\""));
    assert_eq!(l.loc.file.as_ref(), "fixtures/workloads.yaml");
    // Non-secret env values stay readable.
    assert!(!load
        .secrets
        .iter()
        .any(|l| l.attribute.ends_with("[DB_HOST]")));
}

#[test]
fn templated_and_placeholder_values_are_not_literals() {
    let text = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  password: \"${DB_PASSWORD}\"\n  token: \"{{ .Values.token }}\"\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: c\n      env:\n        - name: PASSWORD\n          value: changeme\n        - name: SECRET_NAME\n          value: prod/db/master\n";
    let load = palisade_k8s::load_file(text, "t.yaml");
    no_errors(&load);
    assert!(load.secrets.is_empty(), "{:?}", load.secrets);
}
