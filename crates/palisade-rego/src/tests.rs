use super::*;
use palisade_model::finding::{fingerprint, Severity};
use palisade_model::Location;

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: docker.io/library/nginx:1.27
";

fn model() -> Model {
    let loaded = palisade_k8s::load_file(DEPLOYMENT, "k8s/app.yaml");
    Model {
        k8s: loaded.k8s,
        ..Model::default()
    }
}

const META: &str = r#"__rego_metadata__ := {
  "id": "ORG100",
  "title": "Images come from our registry",
  "severity": "high",
  "practices": ["K8S-09"],
  "description": "d",
  "remediation": "r",
}
"#;

fn policy(body: &str) -> String {
    format!("package palisade.rules.registry\n\n{META}\n{body}")
}

const DENY_IMAGE: &str = r#"deny contains {"resource": w.meta.address, "message": msg, "location": c.image.loc} if {
  some w in input.k8s.workloads
  some c in w.template.spec.containers
  not startswith(c.image.value, "111122223333.dkr.ecr.")
  msg := sprintf("container %s runs %s", [c.name, c.image.value])
}
"#;

#[test]
fn a_rule_reports_like_a_built_in() {
    let set = RuleSet::from_sources([("rules/registry.rego", policy(DENY_IMAGE))]);
    assert!(set.errors().is_empty(), "{:?}", set.errors());
    assert_eq!(set.rules().len(), 1);
    let r = &set.rules()[0];
    assert_eq!(r.info.id, "ORG100");
    assert_eq!(r.info.name, "registry");
    assert!(r.is("org100") && r.is("registry"));
    let ev = set.evaluate(&model());
    assert!(ev.errors.is_empty(), "{:?}", ev.errors);
    assert_eq!(ev.findings.len(), 1);
    let f = &ev.findings[0];
    assert_eq!(f.rule, "ORG100");
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.practices, vec!["K8S-09"]);
    assert_eq!(f.resource, "Deployment/shop/api");
    assert_eq!(f.location, Location::new("k8s/app.yaml", 15, 15));
    assert_eq!(f.message, "container api runs docker.io/library/nginx:1.27");
    assert_eq!(
        f.fingerprint,
        fingerprint(&["ORG100", "Deployment/shop/api", &f.message])
    );
}

#[test]
fn location_defaults_to_the_resource() {
    let body = r#"deny contains {"resource": w.meta.address, "message": "m"} if {
  some w in input.k8s.workloads
}
"#;
    let set = RuleSet::from_sources([("r.rego", policy(body))]);
    let ev = set.evaluate(&model());
    assert_eq!(ev.findings.len(), 1, "{:?}", ev.errors);
    assert_eq!(ev.findings[0].location.file.as_ref(), "k8s/app.yaml");
    assert_eq!(ev.findings[0].location.line, 1);
}

#[test]
fn syntax_errors_name_file_and_line() {
    let bad = "package palisade.rules.broken\n\ndeny contains x if {\n  x := input.a[\n}\n";
    let set = RuleSet::from_sources([
        ("rules/broken.rego", bad.to_string()),
        ("rules/registry.rego", policy(DENY_IMAGE)),
    ]);
    assert_eq!(set.errors().len(), 1, "{:?}", set.errors());
    let e = &set.errors()[0];
    assert_eq!(e.file, "rules/broken.rego");
    assert!(e.line.is_some_and(|l| (4..=5).contains(&l)), "{e:?}");
    assert!(e.message.starts_with("Rego parse error:"), "{e:?}");
    // The good rule still runs.
    assert_eq!(set.rules().len(), 1);
    assert_eq!(set.evaluate(&model()).findings.len(), 1);
}

#[test]
fn compile_errors_drop_only_their_file() {
    let unsafe_var = "package palisade.rules.unsafe\n\ndeny contains x if {\n  y == 1\n}\n";
    let set = RuleSet::from_sources([
        ("a/unsafe.rego", unsafe_var.to_string()),
        ("b/registry.rego", policy(DENY_IMAGE)),
    ]);
    assert_eq!(set.errors().len(), 1, "{:?}", set.errors());
    let e = &set.errors()[0];
    assert_eq!((e.file.as_str(), e.line), ("a/unsafe.rego", Some(4)));
    assert!(e.message.contains("unsafe"), "{e:?}");
    assert_eq!(set.rules().len(), 1);
    assert_eq!(set.evaluate(&model()).findings.len(), 1);
}

#[test]
fn runtime_errors_name_file_and_line_and_others_still_run() {
    let body = "deny contains {\"resource\": \"x\", \"message\": sprintf(\"%v\", [n])} if {\n  some w in input.k8s.workloads\n  n := 1 / 0\n}\n";
    let div = format!(
        "package palisade.rules.div\n\n{}\n{body}",
        META.replace("ORG100", "ORG101")
    );
    let set = RuleSet::from_sources([
        ("rules/div.rego", div),
        ("rules/registry.rego", policy(DENY_IMAGE)),
    ]);
    assert!(set.errors().is_empty(), "{:?}", set.errors());
    let ev = set.evaluate(&model());
    assert_eq!(ev.findings.len(), 1);
    assert_eq!(ev.errors.len(), 1, "{:?}", ev.errors);
    let e = &ev.errors[0];
    assert_eq!((e.file.as_str(), e.line), ("rules/div.rego", Some(14)));
    assert!(
        e.message.contains("custom rule ORG101: divide by zero"),
        "{e:?}"
    );
}

#[test]
fn bad_metadata_is_refused_with_its_line() {
    let cases = [
        (
            META.replace("ORG100", "PAL100"),
            "reserved for built-in rules",
        ),
        (
            META.replace("\"high\"", "\"urgent\""),
            "unknown severity `urgent`",
        ),
        (
            META.replace("K8S-09", "K8S-99"),
            "unknown practice `K8S-99`",
        ),
        (
            META.replace("\"title\"", "\"titel\""),
            "unknown key `titel`",
        ),
        (
            "__rego_metadata__ := {\"id\": input.x}\n".to_string(),
            "must be a constant object",
        ),
    ];
    for (meta, want) in cases {
        let text = format!("package palisade.rules.m\n\n{meta}\n{DENY_IMAGE}");
        let set = RuleSet::from_sources([("m.rego", text)]);
        assert!(set.rules().is_empty());
        assert_eq!(set.errors().len(), 1, "{want}: {:?}", set.errors());
        let e = &set.errors()[0];
        assert_eq!((e.file.as_str(), e.line), ("m.rego", Some(3)), "{e:?}");
        assert!(e.message.contains(want), "{want}: {e:?}");
    }
    let no_meta = format!("package palisade.rules.m\n\n{DENY_IMAGE}");
    let set = RuleSet::from_sources([("m.rego", no_meta)]);
    assert!(set.errors()[0].message.contains("no `__rego_metadata__`"));
    let no_deny = format!("package palisade.rules.m\n\n{META}");
    let set = RuleSet::from_sources([("m.rego", no_deny)]);
    assert!(set.errors()[0].message.contains("no `deny` rule"));
    let nested = format!("package palisade.rules.a.b\n\n{META}\n{DENY_IMAGE}");
    let set = RuleSet::from_sources([("m.rego", nested)]);
    assert_eq!(set.errors()[0].line, Some(1));
    assert!(set.errors()[0]
        .message
        .contains("must be `palisade.rules.<name>`"));
}

#[test]
fn duplicate_ids_are_refused() {
    let set = RuleSet::from_sources([
        ("a.rego", policy(DENY_IMAGE)),
        (
            "b.rego",
            policy(DENY_IMAGE).replace("rules.registry", "rules.other"),
        ),
    ]);
    assert_eq!(set.rules().len(), 1);
    assert!(
        set.errors()[0].message.contains("already used by"),
        "{:?}",
        set.errors()
    );
}

#[test]
fn malformed_entries_are_errors_of_the_rule() {
    let cases = [
        ("deny contains \"just a message\" if true\n", "must be an object"),
        ("deny contains {\"resource\": \"Deployment/shop/api\"} if true\n", "has no `message`"),
        (
            "deny contains {\"resource\": \"nowhere\", \"message\": \"m\"} if true\n",
            "not in the model",
        ),
        (
            "deny contains {\"resource\": \"x\", \"message\": \"m\", \"location\": {\"file\": \"a\", \"line\": 0}} if true\n",
            "`location` must be",
        ),
        (
            "deny contains {\"resource\": \"x\", \"msg\": \"m\"} if true\n",
            "unknown key `msg`",
        ),
        ("deny := true\n", "must be a set of objects"),
    ];
    for (body, want) in cases {
        let set = RuleSet::from_sources([("r.rego", policy(body))]);
        assert!(set.errors().is_empty(), "{body}: {:?}", set.errors());
        let ev = set.evaluate(&model());
        assert!(ev.findings.is_empty());
        assert_eq!(ev.errors.len(), 1, "{body}");
        let e = &ev.errors[0];
        assert_eq!((e.file.as_str(), e.line), ("r.rego", Some(12)), "{e:?}");
        assert!(e.message.contains(want), "{want}: {e:?}");
    }
}

#[test]
fn libraries_and_keys() {
    let lib = "package lib.images\n\nours(image) if startswith(image, \"111122223333.dkr.ecr.\")\n";
    let body = r#"deny contains {"resource": "Deployment/shop/api", "message": "m", "location": {"file": "k8s/app.yaml", "line": 3}} if {
  some w in input.k8s.workloads
  some c in w.template.spec.containers
  not images.ours(c.image.value)
}
"#;
    let text =
        format!("package palisade.rules.registry\n\nimport data.lib.images\n\n{META}\n{body}");
    let set = RuleSet::from_sources([("lib.rego", lib.to_string()), ("r.rego", text)]);
    assert!(set.errors().is_empty(), "{:?}", set.errors());
    assert_eq!(set.rules().len(), 1);
    let ev = set.evaluate(&model());
    assert_eq!(ev.findings.len(), 1, "{:?}", ev.errors);
    assert_eq!(ev.findings[0].location, Location::new("k8s/app.yaml", 3, 3));
}

#[test]
fn load_walks_directories() {
    let dir = std::env::temp_dir().join(format!("palisade-rego-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let sub = dir.join("team");
    std::fs::create_dir_all(&sub).expect("mkdir");
    std::fs::write(sub.join("registry.rego"), policy(DENY_IMAGE)).expect("write");
    std::fs::write(sub.join("registry_test.rego"), "not rego at all").expect("write");
    std::fs::write(sub.join("README.md"), "# rules").expect("write");
    let display = |p: &Path| {
        p.strip_prefix(&dir)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/")
    };
    let set = RuleSet::load(&[dir.clone(), dir.join("missing")], &display);
    assert_eq!(set.files(), 1);
    assert_eq!(set.rules().len(), 1);
    assert_eq!(set.rules()[0].file, "team/registry.rego");
    assert_eq!(set.errors().len(), 1, "{:?}", set.errors());
    assert!(set.errors()[0].message.contains("cannot read custom rules"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn line_of_finds_whole_words() {
    let text = "package x\n\ndenyx := 1\n  deny contains 1 if true\n";
    assert_eq!(line_of(text, "deny"), Some(4));
    assert_eq!(line_of(text, "package"), Some(1));
    assert_eq!(line_of(text, "nothing"), None);
}

#[test]
fn model_md_lists_every_collection() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("MODEL.md")).unwrap_or_default();
    // AWS collections: the field names of the `aws_model!` list.
    let aws =
        std::fs::read_to_string(root.join("../palisade-model/src/aws.rs")).unwrap_or_default();
    let list = aws
        .split("aws_model! {")
        .nth(1)
        .and_then(|rest| rest.split("\n}").next())
        .unwrap_or_default();
    let names: Vec<&str> = list
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("///") && l.contains(':'))
        .filter_map(|l| l.split(':').next())
        .collect();
    assert!(names.len() > 50, "{names:?}");
    for n in names {
        assert!(
            doc.contains(&format!("`aws.{n}`")),
            "MODEL.md lacks `aws.{n}`"
        );
    }
    // Kubernetes lists: the keys of an empty model's JSON.
    let k8s = serde_json::to_value(Model::default()).unwrap_or_default();
    let keys: Vec<&String> = k8s["k8s"]
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    assert!(keys.len() > 10);
    for k in keys {
        assert!(
            doc.contains(&format!("`k8s.{k}`")),
            "MODEL.md lacks `k8s.{k}`"
        );
    }
}

#[test]
fn the_input_is_deterministic() {
    let a = serde_json::to_string(&model()).unwrap_or_default();
    let b = serde_json::to_string(&model()).unwrap_or_default();
    assert_eq!(a, b);
    // Keys are sorted, so the text does not depend on field order.
    assert!(a.find("\"aws\"") < a.find("\"k8s\""));
}
