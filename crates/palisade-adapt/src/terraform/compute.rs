//! EKS, EC2 (launch templates, instances, volumes), Lambda, ECR, OpenSearch.

use super::data::block_presence;
use super::read::Obj;
use super::{add_keys, meta, Cx};
use palisade_model::aws::{
    Aws, BlockDevice, EbsEncryptionByDefault, EbsVolume, EcrRepository, EksCluster, EksNodeGroup,
    EksPodIdentityAssociation, Instance, LambdaFunction, LaunchTemplate, OpenSearchDomain,
};
use palisade_model::raw::{Mode, RawResource};
use palisade_model::Val;

pub(crate) fn adapt<'a>(cx: &mut Cx<'a>, aws: &mut Aws, r: &'a RawResource) -> bool {
    let o = Obj::root(r);
    match r.kind.as_str() {
        "aws_eks_cluster" => {
            let name = cx.str_opt(&o, "name");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let vpc = o.block("vpc_config");
            let enc = o.block("encryption_config");
            let secrets_encryption_key = if enc.present() {
                match cx.strs(&enc, "resources", &[]) {
                    Val::Unknown { reason, loc } => Val::Unknown { reason, loc },
                    v if !v.get().is_some_and(|r| r.iter().any(|x| x == "secrets")) => {
                        Val::known(None, enc.loc.clone())
                    }
                    _ => {
                        let provider = enc.block("provider");
                        cx.link(&provider, "key_arn").map(Some)
                    }
                }
            } else {
                Val::default_(None)
            };
            let c = EksCluster {
                meta: m,
                name,
                endpoint_private_access: cx.bool(&vpc, "endpoint_private_access", false),
                endpoint_public_access: cx.bool(&vpc, "endpoint_public_access", true),
                public_access_cidrs: cx.strs(&vpc, "public_access_cidrs", &["0.0.0.0/0"]),
                secrets_encryption_key,
                log_types: cx.strs(&o, "enabled_cluster_log_types", &[]),
                subnets: cx.links(&vpc, "subnet_ids"),
                security_groups: cx.links(&vpc, "security_group_ids"),
            };
            aws.eks_clusters.push(c);
        }
        "aws_eks_node_group" => {
            let lt = o.block("launch_template");
            let launch_template = if lt.has("id") || !lt.has("name") {
                cx.link_opt(&lt, "id")
            } else {
                cx.link_opt(&lt, "name")
            };
            let remote = o.block("remote_access");
            let g = EksNodeGroup {
                meta: meta(r),
                cluster: cx.link_opt(&o, "cluster_name"),
                subnets: cx.links(&o, "subnet_ids"),
                launch_template,
                remote_access: block_presence(cx, &o, "remote_access"),
                remote_access_sources: cx.links(&remote, "source_security_group_ids"),
                node_role: cx.link_opt(&o, "node_role_arn"),
            };
            aws.eks_node_groups.push(g);
        }
        "aws_eks_pod_identity_association" => {
            let a = EksPodIdentityAssociation {
                meta: meta(r),
                cluster: cx.link_opt(&o, "cluster_name"),
                namespace: cx.str_req(&o, "namespace"),
                service_account: cx.str_req(&o, "service_account"),
                role: cx.link(&o, "role_arn"),
            };
            aws.eks_pod_identity_associations.push(a);
        }
        "aws_launch_template" => {
            let name = cx.str_opt(&o, "name");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let md = o.block("metadata_options");
            let mut block_devices = Vec::new();
            let mappings = o.blocks("block_device_mappings");
            for b in &mappings.items {
                let ebs = b.block("ebs");
                if ebs.present() {
                    block_devices.push(block_device(cx, &ebs));
                }
            }
            if let Some((reason, loc)) = mappings.unknown {
                block_devices.push(unknown_device(cx, &o, "block_device_mappings", reason, loc));
            }
            let nic = o.block("network_interfaces");
            let mut security_groups = cx.links(&o, "vpc_security_group_ids");
            match cx.links(&nic, "security_groups") {
                Val::Known { value, loc } => {
                    for g in value {
                        super::network::append_link(
                            &mut security_groups,
                            Val::known(g, loc.clone()),
                        );
                    }
                }
                Val::Unknown { reason, loc } => security_groups = Val::Unknown { reason, loc },
                Val::Default { .. } => {}
            }
            let t = LaunchTemplate {
                meta: m,
                http_tokens: cx.str_or(&md, "http_tokens", "optional"),
                http_put_response_hop_limit: cx.int_or(&md, "http_put_response_hop_limit", 1),
                block_devices,
                associate_public_ip: cx.bool_opt(&nic, "associate_public_ip_address"),
                image_id: cx.str_opt(&o, "image_id"),
                security_groups,
            };
            aws.launch_templates.push(t);
        }
        "aws_instance" => {
            let md = o.block("metadata_options");
            let root = o.block("root_block_device");
            let mut block_devices = Vec::new();
            let ebs = o.blocks("ebs_block_device");
            for b in &ebs.items {
                block_devices.push(block_device(cx, b));
            }
            if let Some((reason, loc)) = ebs.unknown {
                block_devices.push(unknown_device(cx, &o, "ebs_block_device", reason, loc));
            }
            let mut security_groups = cx.links(&o, "vpc_security_group_ids");
            if let Val::Known { value, .. } = cx.links(&o, "security_groups") {
                for g in value {
                    super::network::append_link(&mut security_groups, Val::default_(g));
                }
            }
            // An instance launched from a template takes what it does not
            // set itself from the template.
            let lt = o.block("launch_template");
            let http_tokens = if lt.present() && !md.present() {
                match launch_template_of(cx, &lt) {
                    Some(t) => {
                        let tmd = Obj::root(t).block("metadata_options");
                        cx.str_or(&tmd, "http_tokens", "optional")
                    }
                    None => {
                        let reason =
                            "set by a launch template that is not in the scanned input".to_owned();
                        cx.unknown(&o, "metadata_options", lt.loc.clone(), reason)
                    }
                }
            } else {
                cx.str_or(&md, "http_tokens", "optional")
            };
            let root_encrypted = if lt.present() && !root.present() {
                let reason = "the root volume may be configured by the launch template".to_owned();
                cx.unknown(&o, "root_block_device", lt.loc.clone(), reason)
            } else {
                cx.bool(&root, "encrypted", false)
            };
            let i = Instance {
                meta: meta(r),
                subnet: cx.link_opt(&o, "subnet_id"),
                associate_public_ip: cx.bool_opt(&o, "associate_public_ip_address"),
                security_groups,
                http_tokens,
                root_encrypted,
                block_devices,
                image_id: cx.str_opt(&o, "ami"),
                iam_instance_profile: cx.link_opt(&o, "iam_instance_profile"),
            };
            aws.instances.push(i);
        }
        "aws_ebs_volume" => {
            let v = EbsVolume {
                meta: meta(r),
                encrypted: cx.bool(&o, "encrypted", false),
                kms_key: cx.link_opt(&o, "kms_key_id"),
            };
            aws.ebs_volumes.push(v);
        }
        "aws_ebs_encryption_by_default" => {
            let enabled = cx.bool(&o, "enabled", true);
            aws.ebs_encryption_by_default.push(EbsEncryptionByDefault {
                meta: meta(r),
                enabled,
            });
        }
        "aws_lambda_function" => {
            let name = cx.str_opt(&o, "function_name");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let vpc = o.block("vpc_config");
            let f = LambdaFunction {
                meta: m,
                role: cx.link_opt(&o, "role"),
                subnets: cx.links(&vpc, "subnet_ids"),
                security_groups: cx.links(&vpc, "security_group_ids"),
            };
            aws.lambda_functions.push(f);
        }
        "aws_ecr_repository" => {
            let name = cx.str_opt(&o, "name");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let scan = o.block("image_scanning_configuration");
            let enc = o.block("encryption_configuration");
            let repo = EcrRepository {
                meta: m,
                scan_on_push: cx.bool(&scan, "scan_on_push", false),
                immutable_tags: cx
                    .str_or(&o, "image_tag_mutability", "MUTABLE")
                    .map(|t| t.starts_with("IMMUTABLE")),
                kms_key: cx.link_opt(&enc, "kms_key"),
            };
            aws.ecr_repositories.push(repo);
        }
        "aws_opensearch_domain" | "aws_elasticsearch_domain" => {
            let name = cx.str_opt(&o, "domain_name");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let at_rest = o.block("encrypt_at_rest");
            let n2n = o.block("node_to_node_encryption");
            let endpoint = o.block("domain_endpoint_options");
            // Without the block AWS applies its API default (HTTPS not
            // enforced); inside the block the provider defaults to true.
            let enforce_https = if endpoint.present() {
                cx.bool(&endpoint, "enforce_https", true)
            } else {
                Val::default_(false)
            };
            let d = OpenSearchDomain {
                meta: m,
                encrypt_at_rest: cx.bool(&at_rest, "enabled", false),
                node_to_node_encryption: cx.bool(&n2n, "enabled", false),
                enforce_https,
            };
            aws.opensearch_domains.push(d);
        }
        _ => return false,
    }
    true
}

fn block_device(cx: &mut Cx<'_>, ebs: &Obj<'_>) -> BlockDevice {
    BlockDevice {
        loc: Some(ebs.loc.clone()),
        encrypted: cx.bool(ebs, "encrypted", false),
        kms_key: cx.link_opt(ebs, "kms_key_id"),
    }
}

fn unknown_device(
    cx: &mut Cx<'_>,
    o: &Obj<'_>,
    key: &str,
    reason: String,
    loc: palisade_model::Location,
) -> BlockDevice {
    BlockDevice {
        loc: Some(loc.clone()),
        encrypted: cx.unknown(o, key, loc.clone(), reason.clone()),
        kms_key: Val::unknown(reason, Some(loc)),
    }
}

/// The `aws_launch_template` of the input a `launch_template { id | name }`
/// block names.
fn launch_template_of<'a>(cx: &mut Cx<'a>, lt: &Obj<'_>) -> Option<&'a RawResource> {
    let link = if lt.has("id") {
        cx.link_opt(lt, "id")
    } else {
        cx.link_opt(lt, "name")
    };
    let key = link.some()?.key().to_owned();
    let is_lt = |r: &&RawResource| r.kind == "aws_launch_template" && r.mode == Mode::Managed;
    if let Some(r) = cx.by_addr.get(key.as_str()).copied().filter(is_lt) {
        return Some(r);
    }
    cx.by_addr
        .values()
        .copied()
        .filter(is_lt)
        .find(|r| r.body.get("name").and_then(|n| n.as_str()) == Some(key.as_str()))
}
