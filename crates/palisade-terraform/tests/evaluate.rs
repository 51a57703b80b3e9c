mod common;

use common::*;
use palisade_model::raw::{Mode, Raw};
use palisade_terraform::Options;

#[test]
fn variable_precedence() {
    let opts = Options {
        var_files: vec![fixtures().join("vars/extra/prod.tfvars")],
        vars: vec![
            ("from_cli".into(), "cli".into()),
            ("cidrs".into(), "[\"10.0.0.0/8\", \"172.16.0.0/12\"]".into()),
        ],
        ..Options::default()
    };
    let l = load_with("vars", opts);
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    let r = res(&l, "aws_ssm_parameter.p");
    assert_eq!(
        s(r, "value"),
        "from-default,tfvars,tfvars-json,auto-b,var-file,cli"
    );
    // tfvars string converted to the declared number type.
    assert_eq!(n(r, "port"), 8081.0);
    // --var of a complex type is parsed as HCL.
    assert_eq!(sh(r, "cidrs"), r#"["10.0.0.0/8","172.16.0.0/12"]"#);
    // A null value for a nullable variable with a default... stays null
    // (Terraform: nullable defaults to true, so null is kept).
    assert_eq!(sh(r, "other"), "null");
    // No value anywhere: unknown with the reason, listed in unknowns.
    assert!(unknown_reason(r, "tier").contains("variable `no_value` has no value"));
    assert!(l
        .unknowns
        .iter()
        .any(|u| u.resource == "var.no_value" && u.location.is_some()));
    // Undeclared variable in tfvars: a note.
    assert!(l
        .notes
        .iter()
        .any(|d| d.message.contains("undeclared variable `undeclared`")));
    // Every variable file is listed.
    assert!(l.files.iter().any(|f| f.ends_with("b.auto.tfvars.json")));
    assert!(l.files.iter().any(|f| f.ends_with("prod.tfvars")));
}

#[test]
fn variable_without_cli_values_stays_unknown() {
    let l = load("vars");
    let r = res(&l, "aws_ssm_parameter.p");
    assert!(matches!(get(r, "cidrs").value, Raw::Unknown(_)));
}

#[test]
fn optional_object_attributes_get_their_defaults() {
    let l = load("vars");
    let r = res(&l, "aws_db_instance.opt");
    assert_eq!(s(r, "name"), "db");
    assert_eq!(n(r, "size"), 20.0);
    assert_eq!(sh(r, "tags"), "{}");
    assert_eq!(sh(r, "encrypt"), "null");
    assert_eq!(n(r, "port"), 443.0);
}

#[test]
fn locals_any_order_and_cycles() {
    let l = load("locals");
    let r = res(&l, "aws_s3_bucket.b");
    assert_eq!(s(r, "bucket"), "acme-prod");
    assert_eq!(sh(r, "tags"), r#"{Name:"acme-prod",Team:"sec"}"#);
    assert!(matches!(get(r, "cyc").value, Raw::Unknown(_)));
    assert_eq!(s(r, "ok"), "acme-fine");
    let cyc: Vec<_> = l
        .errors
        .iter()
        .filter(|e| e.message.contains("cycle"))
        .collect();
    assert!(!cyc.is_empty(), "{:?}", l.errors);
    assert!(cyc
        .iter()
        .all(|e| e.file == "locals/b.tf" && e.line.is_some()));
}

#[test]
fn count_instances() {
    let l = load("count_foreach");
    for (i, az) in ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
        .iter()
        .enumerate()
    {
        let r = res(&l, &format!("aws_subnet.private[{i}]"));
        assert_eq!(s(r, "availability_zone"), *az);
        assert_eq!(s(r, "cidr_block"), format!("10.0.{}.0/24", 10 + i));
        assert!(!b(r, "map_public_ip_on_launch"));
        assert_eq!(r.kind, "aws_subnet");
        assert_eq!(r.mode, Mode::Managed);
    }
    assert!(!addresses(&l)
        .iter()
        .any(|a| a.starts_with("aws_instance.none")));
}

#[test]
fn for_each_map_and_set() {
    let l = load("count_foreach");
    let logs = res(&l, "aws_s3_bucket.b[\"logs\"]");
    assert_eq!(s(logs, "bucket"), "acme-logs");
    assert!(b(logs, "vers"));
    let data = res(&l, "aws_s3_bucket.b[\"data\"]");
    assert!(!b(data, "vers"));
    // Sets are deduplicated; each.key == each.value.
    let users: Vec<_> = addresses(&l)
        .into_iter()
        .filter(|a| a.starts_with("aws_iam_user.u"))
        .collect();
    assert_eq!(
        users,
        vec!["aws_iam_user.u[\"alice\"]", "aws_iam_user.u[\"bob\"]"]
    );
    let bob = res(&l, "aws_iam_user.u[\"bob\"]");
    assert_eq!(s(bob, "name"), "bob");
    assert_eq!(s(bob, "key"), "bob");
}

#[test]
fn unknown_count_and_for_each_emit_one_instance() {
    let l = load("count_foreach");
    let r = res(&l, "aws_instance.maybe");
    assert_eq!(s(r, "ami"), "ami-123");
    assert!(matches!(get(r, "idx").value, Raw::Unknown(_)));
    assert!(l
        .unknowns
        .iter()
        .any(|u| u.resource == "aws_instance.maybe" && u.attribute == "count"));
    // References into it point at the emitted instance.
    let a = res(&l, "aws_eip_association.a");
    assert_eq!(sh(a, "instance_id"), "ref(aws_instance.maybe.id)");
    assert_eq!(s(a, "ami"), "ami-123");
    assert!(matches!(get(a, "all").value, Raw::Unknown(_)));
    let e = res(&l, "aws_eip.fe");
    assert_eq!(s(e, "domain"), "vpc");
    assert!(l
        .unknowns
        .iter()
        .any(|u| u.resource == "aws_eip.fe" && u.attribute == "for_each"));
}

#[test]
fn meta_arguments_not_in_body() {
    let l = load("count_foreach");
    let r = res(&l, "aws_subnet.private[0]");
    let m = r.body.as_map().expect("map body");
    assert!(!m.contains_key("count"));
    let l = load("refs");
    let r = res(&l, "aws_db_instance.self");
    let m = r.body.as_map().expect("map body");
    assert!(!m.contains_key("depends_on") && !m.contains_key("provider"));
}

#[test]
fn dynamic_blocks() {
    let l = load("dynamic");
    let sg = res(&l, "aws_security_group.sg");
    // The static block first, then the dynamic ones, in source order.
    assert_eq!(sh(sg, "ingress.0.from_port"), "80");
    assert_eq!(sh(sg, "ingress.1.from_port"), "443");
    assert_eq!(
        sh(sg, "ingress.2.cidr_blocks"),
        r#"["0.0.0.0/0","192.168.0.0/16"]"#
    );
    assert_eq!(s(sg, "ingress.2.description"), "rule 1");
    assert_eq!(get(sg, "ingress").as_list().map(<[_]>::len), Some(3));
    // Unknown for_each: one block with unknown content, and an Unknown entry.
    assert_eq!(get(sg, "egress").as_list().map(<[_]>::len), Some(1));
    assert!(unknown_reason(sg, "egress.0").contains("unknown_rules"));
    assert!(l
        .unknowns
        .iter()
        .any(|u| u.resource == "aws_security_group.sg" && u.attribute == "egress"));
    // lifecycle and provisioners are not part of the body.
    let m = sg.body.as_map().expect("map");
    assert!(!m.contains_key("lifecycle") && !m.contains_key("provisioner"));
    // Nested dynamic blocks with the default iterator name.
    let lst = res(&l, "aws_lb_listener.l");
    assert_eq!(s(lst, "default_action.0.type"), "fwd");
    assert_eq!(
        s(lst, "default_action.0.forward.0.target_group_arn"),
        "tg-1"
    );
    // Locations: the dynamic block's content lines.
    let loc = get(sg, "ingress.1").loc.clone().expect("loc");
    assert_eq!(loc.file.as_ref(), "dynamic/main.tf");
    assert!(loc.line > 20 && loc.end_line > loc.line, "{loc:?}");
}

#[test]
fn conditionals_templates_and_operators() {
    let l = load("exprs");
    let r = res(&l, "test_exprs.e");
    assert_eq!(s(r, "cond_true"), "big");
    assert!(matches!(get(r, "cond_unknown").value, Raw::Unknown(_)));
    assert_eq!(s(r, "cond_same"), "same");
    assert_eq!(s(r, "tmpl"), "env-prod-3");
    assert!(matches!(get(r, "tmpl_unknown").value, Raw::Unknown(_)));
    assert_eq!(s(r, "directive"), "P");
    assert_eq!(s(r, "strip"), "abc");
    assert_eq!(s(r, "loop"), "a;b;c;");
    assert_eq!(s(r, "heredoc"), "hello prod\n  world\n");
    assert_eq!(s(r, "heredoc_ind"), "line1\n  line2\n");
    assert_eq!(s(r, "escaped"), "${not} %{nope}");
    assert_eq!(sh(r, "arith"), "[7,9,1,2.5,-5,-1]");
    assert_eq!(sh(r, "cmp"), "[true,false,true,false,true,false]");
    assert_eq!(sh(r, "logic"), "[false,true,false]");
    assert!(!b(r, "and_unknown"));
    assert!(b(r, "or_unknown"));
    assert!(matches!(get(r, "unk_arith").value, Raw::Unknown(_)));
    assert!(!b(r, "str_num_eq"));
    assert_eq!(s(r, "nested.a.b.1.c"), "deep");
    assert_eq!(s(r, "workspace"), "default");
    assert_eq!(s(r, "pmodule"), ".");
    assert!(matches!(get(r, "pcwd").value, Raw::Unknown(_)));
}

#[test]
fn for_expressions_and_splats() {
    let l = load("exprs");
    let r = res(&l, "test_exprs.e");
    assert_eq!(sh(r, "list_for"), r#"["A","C"]"#);
    assert_eq!(sh(r, "map_for"), r#"{alice:"admin",bob:"dev",carol:"dev"}"#);
    assert_eq!(sh(r, "group_for"), r#"{app:["bob"],sec:["alice","carol"]}"#);
    assert_eq!(sh(r, "idx_for"), r#"["0=a","1=b","2=c"]"#);
    assert_eq!(sh(r, "splat_ids"), "[1,2]");
    assert_eq!(sh(r, "splat_attr"), "[1,2]");
    assert_eq!(sh(r, "splat_full"), r#"["x","y"]"#);
    assert_eq!(sh(r, "splat_null"), "0");
    assert_eq!(s(r, "index_attr"), "admin");
    assert_eq!(s(r, "legacy_idx"), "b");
}

#[test]
fn locations_are_expression_spans() {
    let l = load("exprs");
    let r = res(&l, "test_exprs.e");
    assert_eq!(r.loc.file.as_ref(), "exprs/main.tf");
    assert_eq!(r.loc.line, 18);
    assert!(r.loc.end_line > 50);
    let h = get(r, "heredoc").loc.clone().expect("loc");
    assert_eq!((h.line, h.end_line), (27, 30));
    // Object literal members get their own line.
    let l2 = load("locals");
    let b = res(&l2, "aws_s3_bucket.b");
    assert_eq!(get(b, "bucket").loc.as_ref().map(|l| l.line), Some(6));
}
