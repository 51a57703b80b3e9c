//! EKS, EC2 (launch templates, instances, volumes), Lambda, ECR, OpenSearch.

use super::{append_link, presence};
use crate::terraform::read::Obj;
use crate::terraform::{add_keys, meta, Cx};
use palisade_model::aws::{
    Aws, BlockDevice, EbsVolume, EcrRepository, EksCluster, EksNodeGroup,
    EksPodIdentityAssociation, Instance, LambdaFunction, LaunchTemplate, OpenSearchDomain,
};
use palisade_model::raw::{Raw, RawResource};
use palisade_model::{Location, Val};

/// Device names of the root volume of common AMIs.
const ROOT_DEVICES: &[&str] = &["/dev/xvda", "/dev/sda1"];

pub(crate) fn adapt<'a>(cx: &mut Cx<'a>, aws: &mut Aws, r: &'a RawResource, o: &Obj<'a>) -> bool {
    match r.kind.as_str() {
        "AWS::EKS::Cluster" => {
            let name = cx.str_opt(o, "Name");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let vpc = o.block("ResourcesVpcConfig");
            let encs = o.blocks("EncryptionConfig");
            let secrets_encryption_key = if let Some((reason, loc)) = encs.unknown {
                cx.unknown(o, "EncryptionConfig", loc, reason)
            } else {
                let mut key = Val::default_(None);
                for enc in &encs.items {
                    match cx.strs(enc, "Resources", &[]) {
                        Val::Unknown { reason, loc } => {
                            key = Val::Unknown { reason, loc };
                            break;
                        }
                        v if v.get().is_some_and(|r| r.iter().any(|x| x == "secrets")) => {
                            let provider = enc.block("Provider");
                            key = cx.link(&provider, "KeyArn").map(Some);
                            break;
                        }
                        _ => key = Val::known(None, enc.loc.clone()),
                    }
                }
                key
            };
            let log_types = log_types(cx, o);
            aws.eks_clusters.push(EksCluster {
                meta: m,
                name,
                endpoint_private_access: cx.bool(&vpc, "EndpointPrivateAccess", false),
                endpoint_public_access: cx.bool(&vpc, "EndpointPublicAccess", true),
                public_access_cidrs: cx.strs(&vpc, "PublicAccessCidrs", &["0.0.0.0/0"]),
                secrets_encryption_key,
                log_types,
                subnets: cx.links(&vpc, "SubnetIds"),
                security_groups: cx.links(&vpc, "SecurityGroupIds"),
            });
        }
        "AWS::EKS::Nodegroup" => {
            let lt = o.block("LaunchTemplate");
            let launch_template = if lt.has("Id") || !lt.has("Name") {
                cx.link_opt(&lt, "Id")
            } else {
                cx.link_opt(&lt, "Name")
            };
            let remote = o.block("RemoteAccess");
            let name = cx.str_opt(o, "NodegroupName");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            aws.eks_node_groups.push(EksNodeGroup {
                meta: m,
                cluster: cx.link_opt(o, "ClusterName"),
                subnets: cx.links(o, "Subnets"),
                launch_template,
                remote_access: presence(cx, o, "RemoteAccess"),
                remote_access_sources: cx.links(&remote, "SourceSecurityGroups"),
                node_role: cx.link_opt(o, "NodeRole"),
            });
        }
        "AWS::EKS::PodIdentityAssociation" => {
            aws.eks_pod_identity_associations
                .push(EksPodIdentityAssociation {
                    meta: meta(r),
                    cluster: cx.link_opt(o, "ClusterName"),
                    namespace: cx.str_req(o, "Namespace"),
                    service_account: cx.str_req(o, "ServiceAccount"),
                    role: cx.link(o, "RoleArn"),
                })
        }
        "AWS::EC2::LaunchTemplate" => {
            let name = cx.str_opt(o, "LaunchTemplateName");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let data = o.block("LaunchTemplateData");
            let md = data.block("MetadataOptions");
            let (block_devices, _) = devices(cx, &data, false);
            let nics = data.blocks("NetworkInterfaces");
            let nic = data.block("NetworkInterfaces");
            let mut security_groups = cx.links(&data, "SecurityGroupIds");
            let mut by_name = cx.links(&data, "SecurityGroups");
            if let Val::Known { value, loc } = &mut by_name {
                for g in std::mem::take(value) {
                    append_link(&mut security_groups, Val::known(g, loc.clone()));
                }
            } else if by_name.is_unknown() {
                security_groups = by_name;
            }
            for n in &nics.items {
                match cx.links(n, "Groups") {
                    Val::Known { value, loc } => {
                        for g in value {
                            append_link(&mut security_groups, Val::known(g, loc.clone()));
                        }
                    }
                    Val::Unknown { reason, loc } => security_groups = Val::Unknown { reason, loc },
                    Val::Default { .. } => {}
                }
            }
            if let Some((reason, loc)) = nics.unknown {
                security_groups = cx.unknown(&data, "NetworkInterfaces", loc, reason);
            }
            aws.launch_templates.push(LaunchTemplate {
                meta: m,
                http_tokens: cx.str_or(&md, "HttpTokens", "optional"),
                http_put_response_hop_limit: cx.int_or(&md, "HttpPutResponseHopLimit", 1),
                block_devices,
                associate_public_ip: cx.bool_opt(&nic, "AssociatePublicIpAddress"),
                image_id: cx.str_opt(&data, "ImageId"),
                security_groups,
            });
        }
        "AWS::EC2::Instance" => {
            let lt = o.block("LaunchTemplate");
            let (block_devices, root) = devices(cx, o, true);
            let root_encrypted = match root {
                Some(v) => v,
                None if lt.present() => {
                    let reason =
                        "the root volume may be configured by the launch template".to_owned();
                    cx.unknown(o, "BlockDeviceMappings", lt.loc.clone(), reason)
                }
                None => Val::default_(false),
            };
            let http_tokens = if o.block("MetadataOptions").present() {
                cx.str_or(&o.block("MetadataOptions"), "HttpTokens", "optional")
            } else if lt.present() {
                template_http_tokens(cx, o, &lt)
            } else {
                Val::default_("optional".into())
            };
            let nic = o.block("NetworkInterfaces");
            let mut security_groups = cx.links(o, "SecurityGroupIds");
            for key in ["SecurityGroups"] {
                if let Val::Known { value, loc } = cx.links(o, key) {
                    for g in value {
                        append_link(&mut security_groups, Val::known(g, loc.clone()));
                    }
                }
            }
            if let Val::Known { value, loc } = cx.links(&nic, "GroupSet") {
                for g in value {
                    append_link(&mut security_groups, Val::known(g, loc.clone()));
                }
            }
            let subnet = if o.has("SubnetId") || !nic.has("SubnetId") {
                cx.link_opt(o, "SubnetId")
            } else {
                cx.link_opt(&nic, "SubnetId")
            };
            aws.instances.push(Instance {
                meta: meta(r),
                subnet,
                associate_public_ip: cx.bool_opt(&nic, "AssociatePublicIpAddress"),
                security_groups,
                http_tokens,
                root_encrypted,
                block_devices,
                image_id: cx.str_opt(o, "ImageId"),
                iam_instance_profile: cx.link_opt(o, "IamInstanceProfile"),
            });
        }
        "AWS::EC2::Volume" => aws.ebs_volumes.push(EbsVolume {
            meta: meta(r),
            encrypted: cx.bool(o, "Encrypted", false),
            kms_key: cx.link_opt(o, "KmsKeyId"),
        }),
        "AWS::Lambda::Function" => {
            let name = cx.str_opt(o, "FunctionName");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let vpc = o.block("VpcConfig");
            aws.lambda_functions.push(LambdaFunction {
                meta: m,
                role: cx.link_opt(o, "Role"),
                subnets: cx.links(&vpc, "SubnetIds"),
                security_groups: cx.links(&vpc, "SecurityGroupIds"),
            });
        }
        "AWS::ECR::Repository" => {
            let name = cx.str_opt(o, "RepositoryName");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let scan = o.block("ImageScanningConfiguration");
            let enc = o.block("EncryptionConfiguration");
            aws.ecr_repositories.push(EcrRepository {
                meta: m,
                scan_on_push: cx.bool(&scan, "ScanOnPush", false),
                immutable_tags: cx
                    .str_or(o, "ImageTagMutability", "MUTABLE")
                    .map(|t| t.starts_with("IMMUTABLE")),
                kms_key: cx.link_opt(&enc, "KmsKey"),
            });
        }
        "AWS::OpenSearchService::Domain" | "AWS::Elasticsearch::Domain" => {
            let name = cx.str_opt(o, "DomainName");
            let mut m = meta(r);
            add_keys(&mut m, Cx::known_str(&name));
            let at_rest = o.block("EncryptionAtRestOptions");
            let n2n = o.block("NodeToNodeEncryptionOptions");
            let endpoint = o.block("DomainEndpointOptions");
            aws.opensearch_domains.push(OpenSearchDomain {
                meta: m,
                encrypt_at_rest: cx.bool(&at_rest, "Enabled", false),
                node_to_node_encryption: cx.bool(&n2n, "Enabled", false),
                enforce_https: cx.bool(&endpoint, "EnforceHTTPS", false),
            });
        }
        _ => return false,
    }
    true
}

/// `Logging.ClusterLogging.EnabledTypes[].Type` of an EKS cluster.
fn log_types(cx: &mut Cx<'_>, o: &Obj<'_>) -> Val<Vec<String>> {
    let logging = o.block("Logging").block("ClusterLogging");
    let types = logging.blocks("EnabledTypes");
    if let Some((reason, loc)) = types.unknown {
        return cx.unknown(&logging, "EnabledTypes", loc, reason);
    }
    let Some(node) = logging.raw("EnabledTypes") else {
        return Val::default_(Vec::new());
    };
    let loc = logging.loc_of(node);
    let mut out = Vec::new();
    for t in &types.items {
        match cx.str_req(t, "Type") {
            Val::Known { value, .. } | Val::Default { value } => out.push(value),
            Val::Unknown { reason, loc } => return Val::Unknown { reason, loc },
        }
    }
    Val::known(out, loc)
}

/// EBS block device mappings; with `split_root`, the root device's
/// encryption apart.
fn devices(
    cx: &mut Cx<'_>,
    o: &Obj<'_>,
    split_root: bool,
) -> (Vec<BlockDevice>, Option<Val<bool>>) {
    let mut out = Vec::new();
    let mut root = None;
    let mappings = o.blocks("BlockDeviceMappings");
    for b in &mappings.items {
        let ebs = b.block("Ebs");
        if !ebs.present() {
            continue;
        }
        let is_root = split_root
            && matches!(
                b.raw("DeviceName").map(|n| &n.value),
                Some(Raw::String(d)) if ROOT_DEVICES.contains(&d.as_str())
            );
        let dev = BlockDevice {
            loc: Some(ebs.loc.clone()),
            encrypted: cx.bool(&ebs, "Encrypted", false),
            kms_key: cx.link_opt(&ebs, "KmsKeyId"),
        };
        if is_root && root.is_none() {
            root = Some(dev.encrypted);
        } else {
            out.push(dev);
        }
    }
    if let Some((reason, loc)) = mappings.unknown {
        out.push(unknown_device(cx, o, reason, loc));
    }
    (out, root)
}

fn unknown_device(cx: &mut Cx<'_>, o: &Obj<'_>, reason: String, loc: Location) -> BlockDevice {
    BlockDevice {
        loc: Some(loc.clone()),
        encrypted: cx.unknown(o, "BlockDeviceMappings", loc.clone(), reason.clone()),
        kms_key: Val::unknown(reason, Some(loc)),
    }
}

/// The `HttpTokens` of the launch template an instance names.
fn template_http_tokens(cx: &mut Cx<'_>, o: &Obj<'_>, lt: &Obj<'_>) -> Val<String> {
    let link = if lt.has("LaunchTemplateId") {
        cx.link_opt(lt, "LaunchTemplateId")
    } else {
        cx.link_opt(lt, "LaunchTemplateName")
    };
    let found =
        link.some().and_then(|l| {
            let key = l.key();
            let is_lt = |r: &&RawResource| r.kind == "AWS::EC2::LaunchTemplate";
            cx.by_addr.get(key).copied().filter(is_lt).or_else(|| {
                cx.by_addr.values().copied().filter(is_lt).find(|r| {
                    r.body.get("LaunchTemplateName").and_then(|n| n.as_str()) == Some(key)
                })
            })
        });
    match found {
        Some(t) => {
            let tmd = super::root(t)
                .block("LaunchTemplateData")
                .block("MetadataOptions");
            cx.str_or(&tmd, "HttpTokens", "optional")
        }
        None => {
            let reason = "set by a launch template that is not in the scanned input".to_owned();
            cx.unknown(o, "LaunchTemplate", lt.loc.clone(), reason)
        }
    }
}
