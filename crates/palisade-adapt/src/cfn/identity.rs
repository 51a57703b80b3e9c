//! IAM: principals, policies and the grants that tie them together.

use super::{iam_keys, own};
use crate::terraform::read::Obj;
use crate::terraform::{add_keys, meta, Cx};
use palisade_model::aws::{
    Aws, GrantedPolicy, IamAccessKey, IamGrant, IamGroup, IamGroupMembership, IamLoginProfile,
    IamOidcProvider, IamPolicy, IamRole, IamSamlProvider, IamUser,
};
use palisade_model::raw::RawResource;
use palisade_model::{Meta, Ref, Val};

pub(crate) fn adapt<'a>(cx: &mut Cx<'a>, aws: &mut Aws, r: &'a RawResource, o: &Obj<'a>) -> bool {
    match r.kind.as_str() {
        "AWS::IAM::Role" => {
            let name = cx.str_opt(o, "RoleName");
            let mut m = meta(r);
            add_keys(&mut m, iam_keys(cx, o, "role", &name));
            let trust_policy = cx.policy_req(o, "AssumeRolePolicyDocument");
            let permissions_boundary = cx.ident_opt(o, "PermissionsBoundary");
            principal_policies(cx, aws, r, o);
            aws.iam_roles.push(IamRole {
                meta: m,
                name,
                trust_policy,
                permissions_boundary,
            });
        }
        "AWS::IAM::User" => {
            let name = cx.str_opt(o, "UserName");
            let mut m = meta(r);
            add_keys(&mut m, iam_keys(cx, o, "user", &name));
            let permissions_boundary = cx.ident_opt(o, "PermissionsBoundary");
            principal_policies(cx, aws, r, o);
            let login = o.block("LoginProfile");
            if login.present() {
                aws.iam_login_profiles.push(IamLoginProfile {
                    meta: Meta::new(
                        format!("{}.LoginProfile", r.address),
                        r.kind.clone(),
                        login.loc.clone(),
                    ),
                    user: own(r),
                });
            }
            match cx.links(o, "Groups") {
                Val::Known { value, loc } => {
                    for (i, g) in value.into_iter().enumerate() {
                        aws.iam_group_memberships.push(IamGroupMembership {
                            meta: Meta::new(
                                format!("{}.Groups[{i}]", r.address),
                                r.kind.clone(),
                                loc.clone(),
                            ),
                            group: Val::known(g, loc.clone()),
                            users: Val::known(vec![Ref::new(r.address.clone())], r.loc.clone()),
                        });
                    }
                }
                Val::Default { .. } => {}
                Val::Unknown { reason, loc } => {
                    aws.iam_group_memberships.push(IamGroupMembership {
                        meta: Meta::new(
                            format!("{}.Groups[*]", r.address),
                            r.kind.clone(),
                            loc.clone().unwrap_or_else(|| r.loc.clone()),
                        ),
                        group: Val::Unknown { reason, loc },
                        users: Val::known(vec![Ref::new(r.address.clone())], r.loc.clone()),
                    })
                }
            }
            aws.iam_users.push(IamUser {
                meta: m,
                name,
                permissions_boundary,
            });
        }
        "AWS::IAM::Group" => {
            let name = cx.str_opt(o, "GroupName");
            let mut m = meta(r);
            add_keys(&mut m, iam_keys(cx, o, "group", &name));
            principal_policies(cx, aws, r, o);
            aws.iam_groups.push(IamGroup { meta: m, name });
        }
        "AWS::IAM::ManagedPolicy" => {
            let name = cx.str_opt(o, "ManagedPolicyName");
            let mut m = meta(r);
            add_keys(&mut m, iam_keys(cx, o, "policy", &name));
            let document = cx.policy_req(o, "PolicyDocument");
            let policy = GrantedPolicy::Managed(own(r));
            attach(cx, aws, r, o, &policy);
            aws.iam_policies.push(IamPolicy {
                meta: m,
                name,
                document,
            });
        }
        // An inline policy embedded in every principal it lists.
        "AWS::IAM::Policy" => {
            let policy = GrantedPolicy::Inline(cx.policy_req(o, "PolicyDocument"));
            attach(cx, aws, r, o, &policy);
        }
        "AWS::IAM::RolePolicy" | "AWS::IAM::UserPolicy" | "AWS::IAM::GroupPolicy" => {
            let who = match r.kind.as_str() {
                "AWS::IAM::RolePolicy" => "RoleName",
                "AWS::IAM::UserPolicy" => "UserName",
                _ => "GroupName",
            };
            let principal = cx.link(o, who);
            let policy = GrantedPolicy::Inline(cx.policy_req(o, "PolicyDocument"));
            aws.iam_grants.push(IamGrant {
                meta: meta(r),
                principal,
                policy,
            });
        }
        "AWS::IAM::UserToGroupAddition" => aws.iam_group_memberships.push(IamGroupMembership {
            meta: meta(r),
            group: cx.link(o, "GroupName"),
            users: cx.links(o, "Users"),
        }),
        "AWS::IAM::AccessKey" => aws.iam_access_keys.push(IamAccessKey {
            meta: meta(r),
            user: cx.link(o, "UserName"),
        }),
        "AWS::IAM::OIDCProvider" => {
            let url = cx.str_opt(o, "Url");
            let mut m = meta(r);
            if let Some(u) = Cx::known_str(&url) {
                let host = u
                    .trim_start_matches("https://")
                    .trim_start_matches("http://")
                    .trim_end_matches('/')
                    .to_owned();
                add_keys(&mut m, [format!("oidc-provider/{host}"), host]);
            }
            let client_ids = cx.strs(o, "ClientIdList", &[]);
            aws.iam_oidc_providers.push(IamOidcProvider {
                meta: m,
                url,
                client_ids,
            });
        }
        "AWS::IAM::SAMLProvider" => {
            let name = cx.str_opt(o, "Name");
            let mut m = meta(r);
            if let Some(n) = Cx::known_str(&name) {
                add_keys(&mut m, [format!("saml-provider/{n}"), n]);
            }
            aws.iam_saml_providers.push(IamSamlProvider { meta: m });
        }
        _ => return false,
    }
    true
}

/// `Policies` (inline) and `ManagedPolicyArns` of a role, user or group.
fn principal_policies<'a>(cx: &mut Cx<'a>, aws: &mut Aws, r: &'a RawResource, o: &Obj<'a>) {
    let blocks = o.blocks("Policies");
    for b in &blocks.items {
        let policy = cx.policy_req(b, "PolicyDocument");
        aws.iam_grants.push(IamGrant {
            meta: Meta::new(
                format!("{}.{}", r.address, b.path),
                r.kind.clone(),
                b.loc.clone(),
            ),
            principal: own(r),
            policy: GrantedPolicy::Inline(policy),
        });
    }
    if let Some((reason, loc)) = blocks.unknown {
        let policy = cx.unknown(o, "Policies", loc.clone(), reason);
        aws.iam_grants.push(IamGrant {
            meta: Meta::new(format!("{}.Policies[*]", r.address), r.kind.clone(), loc),
            principal: own(r),
            policy: GrantedPolicy::Inline(policy),
        });
    }
    match cx.links(o, "ManagedPolicyArns") {
        Val::Known { value, loc } => {
            for (i, arn) in value.into_iter().enumerate() {
                aws.iam_grants.push(IamGrant {
                    meta: Meta::new(
                        format!("{}.ManagedPolicyArns[{i}]", r.address),
                        r.kind.clone(),
                        loc.clone(),
                    ),
                    principal: own(r),
                    policy: GrantedPolicy::Managed(Val::known(arn, loc.clone())),
                });
            }
        }
        Val::Default { .. } => {}
        Val::Unknown { reason, loc } => aws.iam_grants.push(IamGrant {
            meta: Meta::new(
                format!("{}.ManagedPolicyArns[*]", r.address),
                r.kind.clone(),
                loc.clone().unwrap_or_else(|| r.loc.clone()),
            ),
            principal: own(r),
            policy: GrantedPolicy::Managed(Val::Unknown { reason, loc }),
        }),
    }
}

/// One grant of `policy` per principal listed in `Roles`, `Users`, `Groups`.
fn attach<'a>(
    cx: &mut Cx<'a>,
    aws: &mut Aws,
    r: &'a RawResource,
    o: &Obj<'a>,
    policy: &GrantedPolicy,
) {
    let mut any = false;
    for key in ["Roles", "Users", "Groups"] {
        match cx.links(o, key) {
            Val::Known { value, loc } => {
                for (i, p) in value.into_iter().enumerate() {
                    any = true;
                    aws.iam_grants.push(IamGrant {
                        meta: Meta::new(
                            format!("{}.{key}[{i}]", r.address),
                            r.kind.clone(),
                            r.loc.clone(),
                        ),
                        principal: Val::known(p, loc.clone()),
                        policy: policy.clone(),
                    });
                }
            }
            Val::Default { .. } => {}
            Val::Unknown { reason, loc } => {
                any = true;
                aws.iam_grants.push(IamGrant {
                    meta: Meta::new(
                        format!("{}.{key}[*]", r.address),
                        r.kind.clone(),
                        r.loc.clone(),
                    ),
                    principal: Val::Unknown { reason, loc },
                    policy: policy.clone(),
                });
            }
        }
    }
    if !any && r.kind == "AWS::IAM::Policy" {
        cx.note(
            &r.loc,
            format!("`{}` attaches its policy to no principal", r.address),
        );
    }
}
