mod common;

use common::*;
use palisade_model::raw::Raw;

#[test]
fn local_modules_get_module_addresses() {
    let l = load("modules");
    let addrs = addresses(&l);
    for a in [
        "module.net.aws_vpc.this",
        "module.net.aws_subnet.private[0]",
        "module.net.aws_subnet.private[1]",
        "module.net.module.inner.aws_flow_log.this",
        "module.db[0].aws_db_instance.this",
        "module.db[1].aws_db_instance.this",
        "module.per_env[\"blue\"].aws_db_instance.this",
        "module.per_env[\"green\"].aws_db_subnet_group.this",
    ] {
        assert!(addrs.contains(&a), "{a} missing from {addrs:?}");
    }
    let vpc = res(&l, "module.net.aws_vpc.this");
    assert_eq!(s(vpc, "cidr_block"), "10.1.0.0/16");
    assert_eq!(s(vpc, "tags.Name"), "net-prod");
    assert_eq!(vpc.loc.file.as_ref(), "modules/modules/net/main.tf");
    let sub = res(&l, "module.net.aws_subnet.private[1]");
    assert_eq!(s(sub, "cidr_block"), "10.1.1.0/24");
    assert_eq!(sh(sub, "vpc_id"), "ref(module.net.aws_vpc.this.id)");
    let flow = res(&l, "module.net.module.inner.aws_flow_log.this");
    assert_eq!(sh(flow, "vpc_id"), "ref(module.net.aws_vpc.this.id)");
    assert_eq!(s(flow, "path"), "modules/net/inner");
}

#[test]
fn module_inputs_and_outputs_resolve() {
    let l = load("modules");
    let db1 = res(&l, "module.db[1].aws_db_instance.this");
    assert_eq!(s(db1, "identifier"), "db1");
    assert_eq!(s(db1, "allowed_cidr"), "10.1.0.0/16");
    let g = res(&l, "module.db[0].aws_db_subnet_group.this");
    assert_eq!(
        sh(g, "subnet_ids"),
        "[ref(module.net.aws_subnet.private[0].id),ref(module.net.aws_subnet.private[1].id)]"
    );
    let c = res(&l, "aws_eks_cluster.c");
    assert_eq!(s(c, "db_name"), "db1");
    assert_eq!(s(c, "per_env"), "green");
    assert_eq!(sh(c, "vpc_id"), "ref(module.net.aws_vpc.this.id)");
    assert_eq!(
        sh(c, "vpc_config.0.subnet_ids"),
        "[ref(module.net.aws_subnet.private[0].id),ref(module.net.aws_subnet.private[1].id)]"
    );
}

#[test]
fn remote_modules_are_unknown_and_listed() {
    let l = load("modules");
    let c = res(&l, "aws_eks_cluster.c");
    let why = unknown_reason(c, "role_arn");
    assert!(
        why.contains("output of remote module `module.eks`"),
        "{why}"
    );
    assert!(why.contains("terraform-aws-modules/eks/aws"), "{why}");
    assert!(matches!(get(c, "git").value, Raw::Unknown(_)));
    for m in ["module.eks", "module.gitmod"] {
        assert!(
            l.unknowns
                .iter()
                .any(|u| u.resource == m && u.attribute == "source"),
            "{m}: {:?}",
            l.unknowns
        );
    }
    assert!(!addresses(&l).iter().any(|a| a.starts_with("module.eks")));
}

#[test]
fn missing_and_recursive_modules_are_errors() {
    let l = load("modules");
    assert!(l
        .errors
        .iter()
        .any(|e| e.message.contains("module.missing") && e.message.contains("not a directory")));
    assert!(l
        .errors
        .iter()
        .any(|e| e.message.contains("module.loop.module.again")
            && e.message.contains("calls itself")));
    // The recursive module's own resource still loads once.
    assert!(addresses(&l).contains(&"module.loop.null_resource.n"));
}

#[test]
fn module_secrets_are_reported_once_where_written() {
    let l = load("modules");
    let pw: Vec<_> = l
        .secrets
        .iter()
        .filter(|s| s.attribute == "password")
        .collect();
    assert_eq!(pw.len(), 1, "{pw:?}");
    assert_eq!(pw[0].loc.file.as_ref(), "modules/modules/db/main.tf");
    assert_eq!(pw[0].loc.line, 8);
}

#[test]
fn module_depth_is_capped() {
    use palisade_terraform::{Options, MAX_MODULE_DEPTH};
    let d = temp_dir("module-depth");
    let mut dir = d.clone();
    for i in 0..(MAX_MODULE_DEPTH + 5) {
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(
            dir.join("main.tf"),
            format!("module \"next\" {{\n  source = \"./next\"\n}}\nresource \"null_resource\" \"r{i}\" {{}}\n"),
        )
        .expect("write");
        dir = dir.join("next");
    }
    let l = load_dir(&d, &Options::default(), &d);
    assert!(
        l.errors
            .iter()
            .any(|e| e.message.contains("nested more than")),
        "{:?}",
        l.errors
    );
    let deepest = l
        .resources
        .iter()
        .map(|r| r.address.matches("module.").count())
        .max()
        .unwrap_or(0);
    assert_eq!(deepest as u32, MAX_MODULE_DEPTH);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn module_with_unknown_count_is_one_instance() {
    use palisade_terraform::Options;
    let d = temp_dir("module-unknown-count");
    std::fs::create_dir_all(d.join("m")).expect("mkdir");
    std::fs::write(
        d.join("main.tf"),
        "variable \"n\" {}\nmodule \"m\" {\n  source = \"./m\"\n  count  = var.n\n  name   = \"x${count.index}\"\n}\nresource \"a\" \"b\" {\n  v = module.m[0].out\n}\n",
    )
    .expect("write");
    std::fs::write(
        d.join("m/main.tf"),
        "variable \"name\" {}\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = var.name\n  acl    = \"private\"\n}\noutput \"out\" {\n  value = aws_s3_bucket.b.acl\n}\n",
    )
    .expect("write");
    let l = load_dir(&d, &Options::default(), &d);
    let b = res(&l, "module.m.aws_s3_bucket.b");
    assert_eq!(s(b, "acl"), "private");
    assert!(matches!(
        get(b, "bucket").value,
        palisade_model::raw::Raw::Unknown(_)
    ));
    assert!(l
        .unknowns
        .iter()
        .any(|u| u.resource == "module.m" && u.attribute == "count"));
    let _ = std::fs::remove_dir_all(&d);
}
