//! Terraform plan JSON: values, unknowns as references, sensitive values,
//! modules, locations with and without the configuration, bad input.

mod common;

use common::{addresses, fixtures, get, res};
use palisade_model::raw::{Mode, Raw};
use palisade_terraform::{load_plan, looks_like_plan, RootLoad};
use std::path::Path;

fn display(p: &Path) -> String {
    let base = fixtures().join("plan");
    p.strip_prefix(&base)
        .map(|r| r.display().to_string())
        .unwrap_or_else(|_| p.display().to_string())
}

fn plan_text() -> String {
    std::fs::read_to_string(fixtures().join("plan/plan.json")).expect("plan fixture")
}

/// The fixture with its configuration beside it.
fn with_config() -> RootLoad {
    let dir = fixtures().join("plan");
    load_plan(&plan_text(), "plan.json", Some(&dir), &display)
}

/// The fixture alone.
fn plan_only() -> RootLoad {
    load_plan(&plan_text(), "plan.json", None, &display)
}

fn reference(address: &str, attr: &str) -> Raw {
    Raw::Ref {
        address: address.into(),
        attr: attr.into(),
    }
}

#[test]
fn fixture_is_detected_as_a_plan() {
    assert!(looks_like_plan(&plan_text()));
}

#[test]
fn every_instance_with_its_full_address() {
    let l = plan_only();
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert_eq!(
        addresses(&l),
        [
            "aws_db_instance.main",
            "aws_security_group.app",
            "aws_security_group.db",
            "aws_vpc.main",
            "module.network.aws_db_subnet_group.this",
            "module.network.aws_subnet.private[0]",
            "module.network.aws_subnet.private[1]",
        ]
    );
    let sub = res(&l, "module.network.aws_subnet.private[1]");
    assert_eq!(sub.kind, "aws_subnet");
    assert_eq!(sub.mode, Mode::Managed);
    assert_eq!(get(sub, "cidr_block").as_str(), Some("10.0.1.0/24"));
}

#[test]
fn planned_values_are_known() {
    let l = plan_only();
    let db = res(&l, "aws_db_instance.main");
    assert_eq!(get(db, "publicly_accessible").as_bool(), Some(false));
    assert_eq!(get(db, "storage_encrypted").as_bool(), Some(true));
    assert_eq!(get(db, "allocated_storage").as_f64(), Some(20.0));
    // A root variable's value is in the plan: no longer unknown.
    let sg = res(&l, "aws_security_group.db");
    let cidrs = get(sg, "ingress.0.cidr_blocks");
    assert_eq!(
        cidrs
            .as_list()
            .and_then(|l| l.first())
            .and_then(|n| n.as_str()),
        Some("0.0.0.0/0")
    );
    assert!(get(db, "tags").is_null());
}

#[test]
fn unknown_values_keep_their_links() {
    let l = plan_only();
    // `id` has no configuration expression: plainly unknown.
    let db = res(&l, "aws_db_instance.main");
    assert!(matches!(get(db, "id").value, Raw::Unknown(_)));
    // A list of references from the configuration.
    let ids = get(db, "vpc_security_group_ids");
    assert_eq!(
        ids.as_list()
            .map(|l| l.iter().map(|n| n.value.clone()).collect::<Vec<_>>()),
        Some(vec![reference("aws_security_group.db", "id")])
    );
    // A reference inside a nested block, matched to its block even though
    // the plan reorders the set.
    let sg = res(&l, "aws_security_group.db");
    assert_eq!(get(sg, "ingress.1.from_port").as_f64(), Some(5432.0));
    let groups = get(sg, "ingress.1.security_groups");
    assert_eq!(
        groups
            .as_list()
            .map(|l| l.iter().map(|n| n.value.clone()).collect::<Vec<_>>()),
        Some(vec![reference("aws_security_group.app", "id")])
    );
    assert_eq!(get(sg, "vpc_id").value, reference("aws_vpc.main", "id"));
}

#[test]
fn references_follow_module_inputs_and_splats() {
    let l = plan_only();
    // var.vpc_id inside the module comes from aws_vpc.main.id in the root.
    let sub = res(&l, "module.network.aws_subnet.private[0]");
    assert_eq!(get(sub, "vpc_id").value, reference("aws_vpc.main", "id"));
    // aws_subnet.private[*].id names every planned instance.
    let group = res(&l, "module.network.aws_db_subnet_group.this");
    let ids: Vec<Raw> = get(group, "subnet_ids")
        .as_list()
        .expect("a list of references")
        .iter()
        .map(|n| n.value.clone())
        .collect();
    assert_eq!(
        ids,
        [
            reference("module.network.aws_subnet.private[0]", "id"),
            reference("module.network.aws_subnet.private[1]", "id"),
        ]
    );
}

#[test]
fn sensitive_values_are_withheld_and_secrets_reported() {
    let l = plan_only();
    let db = res(&l, "aws_db_instance.main");
    match &get(db, "password").value {
        Raw::Unknown(reason) => assert!(reason.contains("sensitive"), "{reason}"),
        other => panic!("password should be withheld, got {other:?}"),
    }
    let debug = format!("{:?}", l.resources);
    assert!(
        !debug.contains("Sup3r-S3cret-Passw0rd"),
        "secret leaked into the raw tree"
    );
    assert_eq!(l.secrets.len(), 1, "{:?}", l.secrets);
    let s = &l.secrets[0];
    assert_eq!(s.resource, "aws_db_instance.main");
    assert_eq!(s.attribute, "password");
    assert_eq!(&*s.loc.file, "plan.json");
    assert_eq!(s.loc.line, 25, "the line of the value in the plan");
    assert!(
        !format!("{s:?}").contains("Sup3r"),
        "SecretLiteral must not print its value"
    );
}

#[test]
fn without_configuration_locations_are_plan_lines() {
    let l = plan_only();
    let db = res(&l, "aws_db_instance.main");
    assert_eq!(&*db.loc.file, "plan.json");
    assert_eq!(db.loc.line, 12, "the resource's object in planned_values");
    let pa = get(db, "publicly_accessible");
    assert_eq!(pa.loc.as_ref().map(|l| l.line), Some(26));
}

#[test]
fn with_configuration_locations_are_configuration_lines() {
    let l = with_config();
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    let db = res(&l, "aws_db_instance.main");
    assert_eq!(&*db.loc.file, "main.tf");
    assert_eq!((db.loc.line, db.loc.end_line), (38, 49));
    assert_eq!(
        get(db, "publicly_accessible").loc.as_ref().map(|l| l.line),
        Some(45)
    );
    // An attribute the configuration does not write: the resource's block.
    assert_eq!(get(db, "id").loc.as_ref().map(|l| l.line), Some(38));
    // Nested blocks: each planned element at its own block, whatever the
    // plan's order.
    let sg = res(&l, "aws_security_group.db");
    let line = |p: &str| get(sg, p).loc.as_ref().map(|l| l.line);
    assert_eq!(line("ingress.0.cidr_blocks"), Some(34), "the port-22 block");
    assert_eq!(line("ingress.1.from_port"), Some(24), "the port-5432 block");
    assert_eq!(line("ingress.1.security_groups"), Some(27));
    // Module resources point into the module's own files.
    let sub = res(&l, "module.network.aws_subnet.private[1]");
    assert_eq!(&*sub.loc.file, "modules/network/main.tf");
    assert_eq!(sub.loc.line, 5);
    assert_eq!(get(sub, "vpc_id").loc.as_ref().map(|l| l.line), Some(7));
    // The secret stays where it is written in clear: the plan.
    assert_eq!(&*l.secrets[0].loc.file, "plan.json");
    // A splat in the configuration still gives the list of instances.
    let group = res(&l, "module.network.aws_db_subnet_group.this");
    assert_eq!(
        get(group, "subnet_ids").as_list().map(<[_]>::len),
        Some(2),
        "{:?}",
        get(group, "subnet_ids")
    );
    // A single reference to a scalar stays a reference.
    let sub = res(&l, "module.network.aws_subnet.private[0]");
    assert_eq!(get(sub, "vpc_id").value, reference("aws_vpc.main", "id"));
}

#[test]
fn minified_plans_load_with_line_one() {
    let v: serde_json::Value = serde_json::from_str(&plan_text()).expect("fixture is JSON");
    let text = serde_json::to_string(&v).expect("serialise");
    let l = load_plan(&text, "plan.json", None, &display);
    assert!(l.errors.is_empty());
    assert_eq!(l.resources.len(), 7);
    assert!(l.resources.iter().all(|r| r.loc.line == 1));
}

#[test]
fn resource_changes_alone_are_enough() {
    let mut v: serde_json::Value = serde_json::from_str(&plan_text()).expect("fixture is JSON");
    if let Some(o) = v.as_object_mut() {
        o.remove("planned_values");
    }
    // A resource only being destroyed is not in the result.
    v["resource_changes"]
        .as_array_mut()
        .expect("changes")
        .push(serde_json::json!({
            "address": "aws_instance.old", "mode": "managed", "type": "aws_instance", "name": "old",
            "change": {"actions": ["delete"], "before": {"ami": "ami-1"}, "after": null}
        }));
    let text = serde_json::to_string_pretty(&v).expect("serialise");
    assert!(looks_like_plan(&text));
    let l = load_plan(&text, "plan.json", None, &display);
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert_eq!(l.resources.len(), 7, "{:?}", addresses(&l));
    let db = res(&l, "aws_db_instance.main");
    assert_eq!(get(db, "publicly_accessible").as_bool(), Some(false));
    assert!(get(db, "vpc_security_group_ids").as_list().is_some());
}

#[test]
fn data_sources_come_from_the_prior_state() {
    let mut v: serde_json::Value = serde_json::from_str(&plan_text()).expect("fixture is JSON");
    v["prior_state"] = serde_json::json!({
        "format_version": "1.0",
        "values": {"root_module": {"resources": [{
            "address": "data.aws_iam_policy_document.assume",
            "mode": "data", "type": "aws_iam_policy_document", "name": "assume",
            "values": {"json": "{\"Version\":\"2012-10-17\",\"Statement\":[]}"},
            "sensitive_values": {}
        }]}}
    });
    let l = load_plan(&v.to_string(), "plan.json", None, &display);
    let d = res(&l, "data.aws_iam_policy_document.assume");
    assert_eq!(d.mode, Mode::Data);
    assert!(get(d, "json")
        .as_str()
        .is_some_and(|j| j.contains("2012-10-17")));
}

#[test]
fn bad_input_gives_clear_errors_never_a_panic() {
    let cases: &[(&str, &str)] = &[
        ("", "invalid plan JSON"),
        (
            "{\"format_version\": \"1.2\",\n \"planned_values\": {",
            "invalid plan JSON",
        ),
        ("[1, 2]", "must be a JSON object"),
        ("{\"planned_values\": {}}", "no `format_version`"),
        (
            "{\"format_version\": \"1.2\"}",
            "neither `planned_values` nor `resource_changes`",
        ),
    ];
    for (text, want) in cases {
        let l = load_plan(text, "bad.json", None, &display);
        assert!(l.resources.is_empty());
        assert_eq!(l.errors.len(), 1, "{text:?}: {:?}", l.errors);
        assert!(
            l.errors[0].message.contains(want),
            "{text:?}: {:?}",
            l.errors
        );
        assert_eq!(l.errors[0].file, "bad.json");
    }
    // The line of a syntax error.
    let l = load_plan(
        "{\n\"format_version\": \"1.2\",\n  oops\n}",
        "bad.json",
        None,
        &display,
    );
    assert_eq!(l.errors[0].line, Some(3));
    // Odd shapes load what they can.
    let odd = r#"{"format_version": "2.0", "planned_values": {"root_module": {
        "resources": [{"address": "x"}, 7, {"type": "aws_vpc", "name": "a", "values": [1]}],
        "child_modules": {"not": "a list"}}},
        "resource_changes": [{"address": "aws_vpc.a", "change": {"after_unknown": {"cidr_block": [true, {"x": true}]}}}],
        "configuration": {"root_module": {"module_calls": 3}}}"#;
    let l = load_plan(odd, "odd.json", None, &display);
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert_eq!(addresses(&l), ["aws_vpc.a"]);
    assert!(l
        .notes
        .iter()
        .any(|n| n.message.contains("format_version 2.0")));
    assert!(l.notes.iter().any(|n| n.message.contains("without `type`")));
    // Deep nesting is refused, not a stack overflow.
    let deep = format!(
        "{{\"format_version\":\"1.2\",\"planned_values\":{}{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let l = load_plan(&deep, "deep.json", None, &display);
    assert_eq!(l.errors.len(), 1);
}
