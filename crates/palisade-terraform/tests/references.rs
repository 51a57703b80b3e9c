mod common;

use common::*;
use palisade_model::raw::{Mode, Raw};

#[test]
fn references_to_computed_and_written_attributes() {
    let l = load("refs");
    let s0 = res(&l, "aws_subnet.private[0]");
    assert_eq!(sh(s0, "vpc_id"), "ref(aws_vpc.main.id)");
    // Written in config: resolved.
    assert_eq!(s(s0, "cidr_block"), "10.0.0.0/24");
    assert_eq!(
        s(res(&l, "aws_subnet.private[1]"), "cidr_block"),
        "10.0.1.0/24"
    );
    let g = res(&l, "aws_db_subnet_group.g");
    assert_eq!(
        sh(g, "subnet_ids"),
        "[ref(aws_subnet.private[0].id),ref(aws_subnet.private[1].id)]"
    );
    assert_eq!(
        sh(g, "by_name"),
        r#"[ref(aws_subnet.byname["a"].id),ref(aws_subnet.byname["b"].id)]"#
    );
    assert_eq!(sh(g, "values_ids"), sh(g, "by_name"));
    assert_eq!(sh(g, "first"), "ref(aws_subnet.private[0].id)");
    assert_eq!(sh(g, "keyed"), r#"ref(aws_subnet.byname["b"].id)"#);
    assert_eq!(s(g, "keyed_cidr"), "10.0.11.0/24");
    assert_eq!(s(g, "vpc_name"), "main");
    assert_eq!(sh(g, "vpc_tag_miss"), "ref(aws_vpc.main.tags_all)");
    assert_eq!(sh(g, "sg_port"), "5432");
    assert_eq!(
        sh(g, "sg_computed"),
        "ref(aws_security_group.db.ingress[0].self)"
    );
    assert!(unknown_reason(g, "tmpl_ref").contains("aws_vpc.main.arn"));
    assert_eq!(sh(g, "count_known"), "2");
    match &get(g, "first").value {
        Raw::Ref { address, attr } => {
            assert_eq!(address, "aws_subnet.private[0]");
            assert_eq!(attr, "id");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn data_sources_are_emitted_and_referenced() {
    let l = load("refs");
    let d = res(&l, "data.aws_iam_policy_document.assume");
    assert_eq!(d.mode, Mode::Data);
    assert_eq!(d.kind, "aws_iam_policy_document");
    assert_eq!(sh(d, "statement.0.actions"), r#"["sts:AssumeRole"]"#);
    assert_eq!(s(d, "statement.0.principals.0.type"), "Service");
    let r = res(&l, "aws_iam_role.r");
    assert_eq!(
        sh(r, "assume_role_policy"),
        "ref(data.aws_iam_policy_document.assume.json)"
    );
    assert_eq!(
        sh(r, "account"),
        "ref(data.aws_caller_identity.me.account_id)"
    );
    assert!(matches!(get(r, "name").value, Raw::Unknown(_)));
}

#[test]
fn external_data_is_never_run_and_self_refs_are_refs() {
    let l = load("refs");
    assert!(!addresses(&l).iter().any(|a| a.contains("external")));
    assert!(l.notes.iter().any(|d| d.message.contains("never executed")));
    let e = res(&l, "aws_ssm_parameter.e");
    assert_eq!(sh(e, "value"), "ref(data.external.ext.result.x)");
    assert!(!std::path::Path::new("/tmp/pwned").exists());
    let s1 = res(&l, "aws_db_instance.self");
    assert_eq!(sh(s1, "replicate"), "ref(aws_db_instance.self.identifier)");
    // Unknown resource types are emitted as they are.
    assert_eq!(
        res(&l, "unknown_provider_thing.x").kind,
        "unknown_provider_thing"
    );
}

#[test]
fn output_is_sorted_and_deterministic() {
    let a = load("refs");
    let b = load("refs");
    let addrs = addresses(&a);
    let mut sorted = addrs.clone();
    sorted.sort();
    assert_eq!(addrs, sorted);
    assert_eq!(a.resources, b.resources);
    assert_eq!(a.notes, b.notes);
}
