mod common;

use common::*;
use palisade_adapt::adapt_terraform;
use palisade_model::aws::{GrantedPolicy, IamGroup, IamOidcProvider, IamPolicy, IamRole, IamUser};
use palisade_model::Ref;

const DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":"ec2.amazonaws.com"}}]}"#;

#[test]
fn roles_get_grants_in_every_form() {
    let role = res(
        "aws_iam_role",
        "app",
        vec![
            ("name", s("app")),
            ("path", s("/svc/")),
            ("assume_role_policy", s(TRUST)),
            (
                "inline_policy",
                block(vec![("name", s("inline")), ("policy", s(DOC))]),
            ),
            (
                "managed_policy_arns",
                list(vec![
                    s("arn:aws:iam::aws:policy/ReadOnlyAccess"),
                    r("aws_iam_policy.p", "arn"),
                ]),
            ),
        ],
    );
    let policy = res(
        "aws_iam_policy",
        "p",
        vec![("name", s("custom")), ("policy", s(DOC))],
    );
    let role_policy = res(
        "aws_iam_role_policy",
        "rp",
        vec![("role", r("aws_iam_role.app", "name")), ("policy", s(DOC))],
    );
    let attach = res(
        "aws_iam_role_policy_attachment",
        "admin",
        vec![
            ("role", s("app")),
            (
                "policy_arn",
                s("arn:aws:iam::aws:policy/AdministratorAccess"),
            ),
        ],
    );
    let out = adapt_terraform(&[role, policy, role_policy, attach]);
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    let aws = &out.aws;
    let role = aws
        .get::<IamRole>(&Ref::new("role/svc/app"))
        .expect("by ARN path");
    assert!(aws.get::<IamRole>(&Ref::new("role/app")).is_some());
    assert!(aws.get::<IamRole>(&Ref::new("app")).is_some());
    assert_eq!(
        role.trust_policy
            .get()
            .and_then(|d| d["Statement"][0]["Principal"]["Service"].as_str()),
        Some("ec2.amazonaws.com")
    );
    let grants: Vec<_> = aws.grants_of(&role.meta).collect();
    assert_eq!(grants.len(), 5);
    let inline = grants
        .iter()
        .filter(|g| matches!(g.policy, GrantedPolicy::Inline(_)))
        .count();
    assert_eq!(inline, 2);
    let managed: Vec<_> = grants.iter().filter_map(|g| g.aws_managed_name()).collect();
    assert_eq!(managed, ["ReadOnlyAccess", "AdministratorAccess"]);
    // A grant of a policy of the input resolves to its document.
    let custom = grants
        .iter()
        .find(|g| matches!(&g.policy, GrantedPolicy::Managed(r) if r.get() == Some(&Ref::new("aws_iam_policy.p"))))
        .expect("custom");
    assert_eq!(
        custom
            .document(aws)
            .and_then(|d| d["Statement"][0]["Action"].as_str()),
        Some("s3:GetObject")
    );
    assert!(aws.get::<IamPolicy>(&Ref::new("policy/custom")).is_some());
    assert_eq!(grants[0].meta.address, "aws_iam_role.app");
    assert!(grants[0]
        .meta
        .keys
        .iter()
        .any(|k| k == "aws_iam_role.app.inline_policy[0]"));
}

#[test]
fn users_groups_and_memberships() {
    let user = res("aws_iam_user", "alice", vec![("name", s("alice"))]);
    let group = res("aws_iam_group", "admins", vec![("name", s("admins"))]);
    let membership = res(
        "aws_iam_group_membership",
        "m",
        vec![
            ("group", r("aws_iam_group.admins", "name")),
            ("users", list(vec![r("aws_iam_user.alice", "name")])),
        ],
    );
    let ugm = res(
        "aws_iam_user_group_membership",
        "u",
        vec![("user", s("alice")), ("groups", strs(&["admins", "devs"]))],
    );
    let gpa = res(
        "aws_iam_group_policy_attachment",
        "a",
        vec![
            ("group", s("admins")),
            (
                "policy_arn",
                s("arn:aws:iam::aws:policy/AdministratorAccess"),
            ),
        ],
    );
    let pa = res(
        "aws_iam_policy_attachment",
        "shared",
        vec![
            ("name", s("shared")),
            ("users", strs(&["alice"])),
            ("roles", unk("`var.roles` has no value")),
            ("policy_arn", s("arn:aws:iam::aws:policy/PowerUserAccess")),
        ],
    );
    let key = res(
        "aws_iam_access_key",
        "k",
        vec![("user", r("aws_iam_user.alice", "name"))],
    );
    let login = res(
        "aws_iam_user_login_profile",
        "l",
        vec![("user", s("alice"))],
    );
    let out = adapt_terraform(&[user, group, membership, ugm, gpa, pa, key, login]);
    let aws = &out.aws;
    let alice = aws.get::<IamUser>(&Ref::new("user/alice")).expect("user");
    let admins = aws
        .get::<IamGroup>(&Ref::new("group/admins"))
        .expect("group");
    assert_eq!(aws.iam_group_memberships.len(), 3);
    for m in &aws.iam_group_memberships[..2] {
        assert_eq!(
            aws.resolve::<IamGroup>(&m.group)
                .ok()
                .flatten()
                .map(|g| &g.meta),
            Some(&admins.meta)
        );
        let users = m.users.get().cloned().unwrap_or_default();
        assert!(users.iter().any(|u| aws.refers_to(u, &alice.meta)));
    }
    assert_eq!(aws.grants_of(&admins.meta).count(), 1);
    assert_eq!(aws.grants_of(&alice.meta).count(), 1);
    // The unknown principal list of the attachment stays visible.
    assert!(aws.iam_grants.iter().any(|g| g.principal.is_unknown()));
    assert!(aws
        .resolve::<IamUser>(&aws.iam_access_keys[0].user)
        .ok()
        .flatten()
        .is_some());
    assert!(aws
        .resolve::<IamUser>(&aws.iam_login_profiles[0].user)
        .ok()
        .flatten()
        .is_some());
}

#[test]
fn identity_providers_are_keyed_like_their_arns() {
    let oidc = res(
        "aws_iam_openid_connect_provider",
        "eks",
        vec![
            ("url", s("https://oidc.eks.eu-west-1.amazonaws.com/id/ABC")),
            ("client_id_list", strs(&["sts.amazonaws.com"])),
        ],
    );
    let saml = res("aws_iam_saml_provider", "sso", vec![("name", s("corp"))]);
    let out = adapt_terraform(&[oidc, saml]);
    let aws = &out.aws;
    let p = aws
        .get::<IamOidcProvider>(&Ref::new(
            "oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC",
        ))
        .expect("oidc");
    assert_eq!(p.client_ids.get().map(Vec::len), Some(1));
    assert_eq!(
        aws.iam_saml_providers[0].meta.keys,
        ["saml-provider/corp", "corp"]
    );
}

#[test]
fn missing_trust_policy_is_unknown_not_empty() {
    let out = adapt_terraform(&[res("aws_iam_role", "r", vec![("name", s("r"))])]);
    assert!(out.aws.iam_roles[0].trust_policy.is_unknown());
    assert_eq!(out.unknowns.len(), 1);
}

#[test]
fn permissions_boundary_by_reference_is_present() {
    let user = res(
        "aws_iam_user",
        "u",
        vec![
            ("name", s("u")),
            ("permissions_boundary", r("aws_iam_policy.boundary", "arn")),
        ],
    );
    let out = adapt_terraform(&[user]);
    assert_eq!(
        out.aws.iam_users[0]
            .permissions_boundary
            .some()
            .map(String::as_str),
        Some("aws_iam_policy.boundary")
    );
}
