//! IAM: principals, policies and the grants that tie them together.

use super::read::Obj;
use super::{add_keys, meta, Cx};
use palisade_model::aws::{
    Aws, GrantedPolicy, IamAccessKey, IamGrant, IamGroup, IamGroupMembership, IamLoginProfile,
    IamOidcProvider, IamPolicy, IamRole, IamSamlProvider, IamUser,
};
use palisade_model::raw::RawResource;
use palisade_model::{Meta, Ref, Val};

/// `NAME` and `KIND{path}NAME` (the resource part of the ARN).
fn iam_keys(cx: &mut Cx<'_>, o: &Obj<'_>, kind: &str, name: &Val<Option<String>>) -> Vec<String> {
    let Some(name) = Cx::known_str(name) else {
        return Vec::new();
    };
    let path = match cx.str_or(o, "path", "/") {
        Val::Known { value, .. } | Val::Default { value } => value,
        Val::Unknown { .. } => "/".to_owned(),
    };
    let mut keys = vec![name.clone(), format!("{kind}/{name}")];
    if path != "/" && path.starts_with('/') && path.ends_with('/') {
        keys.push(format!("{kind}{path}{name}"));
    }
    keys
}

pub(crate) fn adapt<'a>(cx: &mut Cx<'a>, aws: &mut Aws, r: &'a RawResource) -> bool {
    let o = Obj::root(r);
    let own = || Val::known(Ref::new(r.address.clone()), r.loc.clone());
    match r.kind.as_str() {
        "aws_iam_role" => {
            let name = cx.str_opt(&o, "name");
            let mut m = meta(r);
            add_keys(&mut m, iam_keys(cx, &o, "role", &name));
            let trust_policy = cx.policy_req(&o, "assume_role_policy");
            let permissions_boundary = cx.ident_opt(&o, "permissions_boundary");
            let blocks = o.blocks("inline_policy");
            for b in &blocks.items {
                // An empty block only says "no inline policies besides these".
                if !b.has("policy") && !b.has("name") {
                    continue;
                }
                let policy = cx.policy_req(b, "policy");
                aws.iam_grants.push(IamGrant {
                    meta: Meta::new(
                        format!("{}.{}", r.address, b.path),
                        r.kind.clone(),
                        b.loc.clone(),
                    ),
                    principal: own(),
                    policy: GrantedPolicy::Inline(policy),
                });
            }
            if let Some((reason, loc)) = blocks.unknown {
                let policy = cx.unknown(&o, "inline_policy", loc.clone(), reason);
                aws.iam_grants.push(IamGrant {
                    meta: Meta::new(
                        format!("{}.inline_policy[*]", r.address),
                        r.kind.clone(),
                        loc,
                    ),
                    principal: own(),
                    policy: GrantedPolicy::Inline(policy),
                });
            }
            match cx.links(&o, "managed_policy_arns") {
                Val::Known { value, loc } => {
                    for (i, arn) in value.into_iter().enumerate() {
                        aws.iam_grants.push(IamGrant {
                            meta: Meta::new(
                                format!("{}.managed_policy_arns[{i}]", r.address),
                                r.kind.clone(),
                                loc.clone(),
                            ),
                            principal: own(),
                            policy: GrantedPolicy::Managed(Val::known(arn, loc.clone())),
                        });
                    }
                }
                Val::Default { .. } => {}
                Val::Unknown { reason, loc } => aws.iam_grants.push(IamGrant {
                    meta: Meta::new(
                        format!("{}.managed_policy_arns[*]", r.address),
                        r.kind.clone(),
                        loc.clone().unwrap_or_else(|| r.loc.clone()),
                    ),
                    principal: own(),
                    policy: GrantedPolicy::Managed(Val::Unknown { reason, loc }),
                }),
            }
            aws.iam_roles.push(IamRole {
                meta: m,
                name,
                trust_policy,
                permissions_boundary,
            });
        }
        "aws_iam_policy" => {
            let name = cx.str_opt(&o, "name");
            let mut m = meta(r);
            add_keys(&mut m, iam_keys(cx, &o, "policy", &name));
            let document = cx.policy_req(&o, "policy");
            aws.iam_policies.push(IamPolicy {
                meta: m,
                name,
                document,
            });
        }
        "aws_iam_user" => {
            let name = cx.str_opt(&o, "name");
            let mut m = meta(r);
            add_keys(&mut m, iam_keys(cx, &o, "user", &name));
            let permissions_boundary = cx.ident_opt(&o, "permissions_boundary");
            aws.iam_users.push(IamUser {
                meta: m,
                name,
                permissions_boundary,
            });
        }
        "aws_iam_group" => {
            let name = cx.str_opt(&o, "name");
            let mut m = meta(r);
            add_keys(&mut m, iam_keys(cx, &o, "group", &name));
            aws.iam_groups.push(IamGroup { meta: m, name });
        }
        "aws_iam_role_policy" | "aws_iam_user_policy" | "aws_iam_group_policy" => {
            let who = principal_attr(&r.kind);
            let principal = cx.link(&o, who);
            let policy = GrantedPolicy::Inline(cx.policy_req(&o, "policy"));
            aws.iam_grants.push(IamGrant {
                meta: meta(r),
                principal,
                policy,
            });
        }
        "aws_iam_role_policy_attachment"
        | "aws_iam_user_policy_attachment"
        | "aws_iam_group_policy_attachment" => {
            let who = principal_attr(&r.kind);
            let principal = cx.link(&o, who);
            let policy = GrantedPolicy::Managed(cx.link(&o, "policy_arn"));
            aws.iam_grants.push(IamGrant {
                meta: meta(r),
                principal,
                policy,
            });
        }
        "aws_iam_policy_attachment" => {
            let policy = cx.link(&o, "policy_arn");
            let mut any = false;
            for key in ["users", "roles", "groups"] {
                match cx.links(&o, key) {
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
                                policy: GrantedPolicy::Managed(policy.clone()),
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
                            policy: GrantedPolicy::Managed(policy.clone()),
                        });
                    }
                }
            }
            if !any {
                cx.note(
                    &r.loc,
                    format!("`{}` attaches its policy to no principal", r.address),
                );
            }
        }
        "aws_iam_group_membership" => {
            let m = IamGroupMembership {
                meta: meta(r),
                group: cx.link(&o, "group"),
                users: cx.links(&o, "users"),
            };
            aws.iam_group_memberships.push(m);
        }
        "aws_iam_user_group_membership" => {
            let user = cx.link(&o, "user");
            let users = user.map(|u| vec![u]);
            match cx.links(&o, "groups") {
                Val::Known { value, loc } => {
                    for (i, g) in value.into_iter().enumerate() {
                        aws.iam_group_memberships.push(IamGroupMembership {
                            meta: Meta::new(
                                format!("{}.groups[{i}]", r.address),
                                r.kind.clone(),
                                r.loc.clone(),
                            ),
                            group: Val::known(g, loc.clone()),
                            users: users.clone(),
                        });
                    }
                }
                Val::Default { .. } => {}
                Val::Unknown { reason, loc } => {
                    aws.iam_group_memberships.push(IamGroupMembership {
                        meta: meta(r),
                        group: Val::Unknown { reason, loc },
                        users,
                    })
                }
            }
        }
        "aws_iam_access_key" => {
            let user = cx.link(&o, "user");
            aws.iam_access_keys.push(IamAccessKey {
                meta: meta(r),
                user,
            });
        }
        "aws_iam_user_login_profile" => {
            let user = cx.link(&o, "user");
            aws.iam_login_profiles.push(IamLoginProfile {
                meta: meta(r),
                user,
            });
        }
        "aws_iam_openid_connect_provider" => {
            let url = cx.str_opt(&o, "url");
            let mut m = meta(r);
            if let Some(u) = Cx::known_str(&url) {
                let host = u
                    .trim_start_matches("https://")
                    .trim_start_matches("http://")
                    .trim_end_matches('/')
                    .to_owned();
                add_keys(&mut m, [format!("oidc-provider/{host}"), host]);
            }
            let client_ids = cx.strs(&o, "client_id_list", &[]);
            aws.iam_oidc_providers.push(IamOidcProvider {
                meta: m,
                url,
                client_ids,
            });
        }
        "aws_iam_saml_provider" => {
            let name = cx.str_opt(&o, "name");
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

fn principal_attr(kind: &str) -> &'static str {
    if kind.starts_with("aws_iam_user") {
        "user"
    } else if kind.starts_with("aws_iam_group") {
        "group"
    } else {
        "role"
    }
}
