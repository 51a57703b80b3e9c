//! AWS-managed policies, known by name only.
//!
//! The model knows an attached AWS-managed policy by its ARN, never its
//! document. palisade embeds a small table:
//!
//! * `AdministratorAccess` is `Allow *` on `*` (exact);
//! * the policies listed in [`TABLE`] are represented by the statements
//!   AWS publishes for them. Entries marked *approximate* keep only the main
//!   actions (the ones that matter for access questions on the resources
//!   palisade models); every answer that relies on one says so;
//! * any other AWS-managed policy is **unknown**: it grants nothing for sure,
//!   and every access it could grant is reported as undetermined.
//!
//! Nothing is guessed broader or narrower silently.

use serde_json::{json, Value as Json};

/// How faithfully a table entry stands for the real policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fidelity {
    /// The statements AWS publishes (modulo cosmetic differences).
    Exact,
    /// The main actions only: the real policy grants more.
    Approximate,
}

/// One known AWS-managed policy.
pub struct ManagedPolicy {
    pub name: &'static str,
    pub fidelity: Fidelity,
    pub document: fn() -> Json,
}

fn allow(actions: &[&str]) -> Json {
    json!({"Effect": "Allow", "Action": actions, "Resource": "*"})
}

fn doc(statements: Vec<Json>) -> Json {
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// The embedded table.
pub const TABLE: &[ManagedPolicy] = &[
    ManagedPolicy {
        name: "AdministratorAccess",
        fidelity: Fidelity::Exact,
        document: || doc(vec![allow(&["*"])]),
    },
    ManagedPolicy {
        name: "PowerUserAccess",
        fidelity: Fidelity::Exact,
        document: || {
            doc(vec![
                json!({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"}),
                allow(&[
                    "iam:CreateServiceLinkedRole",
                    "iam:DeleteServiceLinkedRole",
                    "iam:ListRoles",
                    "organizations:DescribeOrganization",
                    "account:ListRegions",
                    "account:GetAccountInformation",
                ]),
            ])
        },
    },
    ManagedPolicy {
        name: "IAMFullAccess",
        fidelity: Fidelity::Exact,
        document: || {
            doc(vec![allow(&[
                "iam:*",
                "organizations:DescribeAccount",
                "organizations:DescribeOrganization",
                "organizations:DescribeOrganizationalUnit",
                "organizations:DescribePolicy",
                "organizations:ListChildren",
                "organizations:ListParents",
                "organizations:ListPoliciesForTarget",
                "organizations:ListRoots",
                "organizations:ListPolicies",
                "organizations:ListTargetsForPolicy",
            ])])
        },
    },
    ManagedPolicy {
        name: "AmazonS3FullAccess",
        fidelity: Fidelity::Exact,
        document: || doc(vec![allow(&["s3:*", "s3-object-lambda:*"])]),
    },
    ManagedPolicy {
        name: "AmazonS3ReadOnlyAccess",
        fidelity: Fidelity::Exact,
        document: || {
            doc(vec![allow(&[
                "s3:Get*",
                "s3:List*",
                "s3:Describe*",
                "s3-object-lambda:Get*",
                "s3-object-lambda:List*",
            ])])
        },
    },
    ManagedPolicy {
        name: "SecretsManagerReadWrite",
        fidelity: Fidelity::Approximate,
        document: || {
            doc(vec![allow(&[
                "secretsmanager:*",
                "kms:DescribeKey",
                "kms:ListAliases",
                "kms:ListKeys",
                "rds:DescribeDBInstances",
                "rds:DescribeDBClusters",
                "tag:GetResources",
            ])])
        },
    },
    ManagedPolicy {
        name: "AmazonRDSFullAccess",
        fidelity: Fidelity::Approximate,
        document: || {
            doc(vec![allow(&[
                "rds:*",
                "ec2:Describe*",
                "cloudwatch:*",
                "logs:*",
            ])])
        },
    },
    ManagedPolicy {
        name: "AmazonRDSReadOnlyAccess",
        fidelity: Fidelity::Approximate,
        document: || {
            doc(vec![allow(&[
                "rds:Describe*",
                "rds:ListTagsForResource",
                "ec2:Describe*",
            ])])
        },
    },
    ManagedPolicy {
        name: "AmazonEC2FullAccess",
        fidelity: Fidelity::Approximate,
        document: || {
            doc(vec![allow(&[
                "ec2:*",
                "elasticloadbalancing:*",
                "cloudwatch:*",
                "autoscaling:*",
            ])])
        },
    },
    ManagedPolicy {
        name: "AmazonDynamoDBFullAccess",
        fidelity: Fidelity::Approximate,
        document: || doc(vec![allow(&["dynamodb:*", "dax:*"])]),
    },
    ManagedPolicy {
        name: "AmazonSNSFullAccess",
        fidelity: Fidelity::Exact,
        document: || doc(vec![allow(&["sns:*"])]),
    },
    ManagedPolicy {
        name: "AmazonSQSFullAccess",
        fidelity: Fidelity::Exact,
        document: || doc(vec![allow(&["sqs:*"])]),
    },
    ManagedPolicy {
        name: "CloudWatchLogsFullAccess",
        fidelity: Fidelity::Approximate,
        document: || doc(vec![allow(&["logs:*", "cloudwatch:GenerateQuery"])]),
    },
    ManagedPolicy {
        name: "AmazonEC2ContainerRegistryFullAccess",
        fidelity: Fidelity::Approximate,
        document: || doc(vec![allow(&["ecr:*", "cloudtrail:LookupEvents"])]),
    },
    ManagedPolicy {
        name: "AmazonEC2ContainerRegistryReadOnly",
        fidelity: Fidelity::Exact,
        document: || {
            doc(vec![allow(&[
                "ecr:GetAuthorizationToken",
                "ecr:BatchCheckLayerAvailability",
                "ecr:GetDownloadUrlForLayer",
                "ecr:GetRepositoryPolicy",
                "ecr:DescribeRepositories",
                "ecr:ListImages",
                "ecr:DescribeImages",
                "ecr:BatchGetImage",
                "ecr:GetLifecyclePolicy",
                "ecr:GetLifecyclePolicyPreview",
                "ecr:ListTagsForResource",
                "ecr:DescribeImageScanFindings",
            ])])
        },
    },
    ManagedPolicy {
        name: "AmazonEKSWorkerNodePolicy",
        fidelity: Fidelity::Exact,
        document: || {
            doc(vec![allow(&[
                "ec2:DescribeInstances",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeRouteTables",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets",
                "ec2:DescribeVolumes",
                "ec2:DescribeVolumesModifications",
                "ec2:DescribeVpcs",
                "eks:DescribeCluster",
                "eks-auth:AssumeRoleForPodIdentity",
            ])])
        },
    },
    ManagedPolicy {
        name: "AmazonEKS_CNI_Policy",
        fidelity: Fidelity::Exact,
        document: || {
            doc(vec![
                allow(&[
                    "ec2:AssignPrivateIpAddresses",
                    "ec2:AttachNetworkInterface",
                    "ec2:CreateNetworkInterface",
                    "ec2:DeleteNetworkInterface",
                    "ec2:DescribeInstances",
                    "ec2:DescribeTags",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeSubnets",
                    "ec2:DetachNetworkInterface",
                    "ec2:ModifyNetworkInterfaceAttribute",
                    "ec2:UnassignPrivateIpAddresses",
                ]),
                json!({"Effect": "Allow", "Action": ["ec2:CreateTags"], "Resource": ["arn:aws:ec2:*:*:network-interface/*"]}),
            ])
        },
    },
    ManagedPolicy {
        name: "AmazonEKSClusterPolicy",
        fidelity: Fidelity::Approximate,
        document: || {
            doc(vec![allow(&[
                "autoscaling:DescribeAutoScalingGroups",
                "autoscaling:UpdateAutoScalingGroup",
                "ec2:AttachVolume",
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:CreateRoute",
                "ec2:CreateSecurityGroup",
                "ec2:CreateTags",
                "ec2:CreateVolume",
                "ec2:DeleteRoute",
                "ec2:DeleteSecurityGroup",
                "ec2:DeleteVolume",
                "ec2:Describe*",
                "ec2:DetachVolume",
                "ec2:ModifyInstanceAttribute",
                "ec2:ModifyVolume",
                "ec2:RevokeSecurityGroupIngress",
                "ec2:CreateNetworkInterface",
                "ec2:DeleteNetworkInterface",
                "elasticloadbalancing:*",
                "kms:DescribeKey",
                "iam:CreateServiceLinkedRole",
            ])])
        },
    },
    ManagedPolicy {
        name: "AmazonEKSVPCResourceController",
        fidelity: Fidelity::Exact,
        document: || {
            doc(vec![
                allow(&["ec2:CreateNetworkInterfacePermission"]),
                allow(&[
                    "ec2:CreateNetworkInterface",
                    "ec2:DetachNetworkInterface",
                    "ec2:ModifyNetworkInterfaceAttribute",
                    "ec2:DeleteNetworkInterface",
                    "ec2:AttachNetworkInterface",
                    "ec2:UnassignPrivateIpAddresses",
                    "ec2:AssignPrivateIpAddresses",
                    "ec2:DescribeInstances",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeSubnets",
                    "ec2:DescribeSecurityGroups",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeTags",
                    "ec2:CreateTags",
                ]),
            ])
        },
    },
    ManagedPolicy {
        name: "AmazonSSMManagedInstanceCore",
        fidelity: Fidelity::Exact,
        document: || {
            doc(vec![allow(&[
                "ssm:DescribeAssociation",
                "ssm:GetDeployablePatchSnapshotForInstance",
                "ssm:GetDocument",
                "ssm:DescribeDocument",
                "ssm:GetManifest",
                "ssm:GetParameter",
                "ssm:GetParameters",
                "ssm:ListAssociations",
                "ssm:ListInstanceAssociations",
                "ssm:PutInventory",
                "ssm:PutComplianceItems",
                "ssm:PutConfigurePackageResult",
                "ssm:UpdateAssociationStatus",
                "ssm:UpdateInstanceAssociationStatus",
                "ssm:UpdateInstanceInformation",
                "ssmmessages:CreateControlChannel",
                "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel",
                "ssmmessages:OpenDataChannel",
                "ec2messages:AcknowledgeMessage",
                "ec2messages:DeleteMessage",
                "ec2messages:FailMessage",
                "ec2messages:GetEndpoint",
                "ec2messages:GetMessages",
                "ec2messages:SendReply",
            ])])
        },
    },
    ManagedPolicy {
        name: "AWSLambdaBasicExecutionRole",
        fidelity: Fidelity::Exact,
        document: || {
            doc(vec![allow(&[
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
            ])])
        },
    },
    ManagedPolicy {
        name: "AWSLambdaVPCAccessExecutionRole",
        fidelity: Fidelity::Exact,
        document: || {
            doc(vec![allow(&[
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "ec2:CreateNetworkInterface",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSubnets",
                "ec2:DeleteNetworkInterface",
                "ec2:AssignPrivateIpAddresses",
                "ec2:UnassignPrivateIpAddresses",
            ])])
        },
    },
    ManagedPolicy {
        name: "AWS_ConfigRole",
        fidelity: Fidelity::Approximate,
        document: || {
            // Read-only configuration metadata of the services palisade
            // models; no data reads (no GetSecretValue, GetObject, Decrypt).
            doc(vec![allow(&[
                "config:Put*",
                "config:Get*",
                "config:Describe*",
                "config:List*",
                "ec2:Describe*",
                "iam:GenerateCredentialReport",
                "iam:Get*",
                "iam:List*",
                "s3:GetAccelerateConfiguration",
                "s3:GetBucket*",
                "s3:GetEncryptionConfiguration",
                "s3:GetLifecycleConfiguration",
                "s3:GetReplicationConfiguration",
                "s3:ListAllMyBuckets",
                "s3:ListBucket",
                "kms:DescribeKey",
                "kms:GetKeyPolicy",
                "kms:GetKeyRotationStatus",
                "kms:ListAliases",
                "kms:ListKeys",
                "kms:ListResourceTags",
                "secretsmanager:DescribeSecret",
                "secretsmanager:GetResourcePolicy",
                "secretsmanager:ListSecrets",
                "secretsmanager:ListSecretVersionIds",
                "rds:Describe*",
                "rds:ListTagsForResource",
                "eks:Describe*",
                "eks:List*",
                "lambda:GetFunction",
                "lambda:GetPolicy",
                "lambda:ListFunctions",
                "sns:GetTopicAttributes",
                "sns:ListTopics",
                "sns:ListSubscriptionsByTopic",
                "ecr:DescribeRepositories",
                "ecr:GetRepositoryPolicy",
                "ecr:GetLifecyclePolicy",
                "logs:DescribeLogGroups",
                "logs:ListTagsForResource",
                "cloudtrail:DescribeTrails",
                "cloudtrail:GetTrailStatus",
                "cloudtrail:GetEventSelectors",
                "guardduty:Get*",
                "guardduty:List*",
                "wafv2:Get*",
                "wafv2:List*",
                "elasticloadbalancing:Describe*",
                "cloudfront:Get*",
                "cloudfront:List*",
            ])])
        },
    },
    ManagedPolicy {
        name: "CloudWatchAgentServerPolicy",
        fidelity: Fidelity::Approximate,
        document: || {
            doc(vec![
                allow(&[
                    "cloudwatch:PutMetricData",
                    "ec2:DescribeVolumes",
                    "ec2:DescribeTags",
                    "logs:PutLogEvents",
                    "logs:PutRetentionPolicy",
                    "logs:DescribeLogStreams",
                    "logs:DescribeLogGroups",
                    "logs:CreateLogStream",
                    "logs:CreateLogGroup",
                ]),
                json!({"Effect": "Allow", "Action": ["ssm:GetParameter"], "Resource": "arn:aws:ssm:*:*:parameter/AmazonCloudWatch-*"}),
            ])
        },
    },
];

/// The table entry for an AWS-managed policy name.
pub fn lookup(name: &str) -> Option<&'static ManagedPolicy> {
    TABLE.iter().find(|p| p.name == name)
}

/// The AWS-managed policy name of an ARN (`arn:aws:iam::aws:policy/service-role/X` → `X`).
pub fn managed_name(arn: &str) -> Option<&str> {
    let rest = arn
        .strip_prefix("arn:aws:iam::aws:policy/")
        .or_else(|| arn.strip_prefix("arn:aws-us-gov:iam::aws:policy/"))
        .or_else(|| arn.strip_prefix("arn:aws-cn:iam::aws:policy/"))?;
    rest.rsplit('/').next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_parses_and_admin_is_star() {
        for p in TABLE {
            let d = (p.document)();
            assert!(
                palisade_iam::Policy::from_json(&d).is_ok(),
                "{} does not parse",
                p.name
            );
        }
        let admin = lookup("AdministratorAccess").map(|p| (p.document)());
        let admin = admin.and_then(|d| palisade_iam::Policy::from_json(&d).ok());
        assert!(admin.is_some_and(|p| p.grants_admin()));
        assert_eq!(
            managed_name("arn:aws:iam::aws:policy/service-role/AWS_ConfigRole"),
            Some("AWS_ConfigRole")
        );
        assert!(lookup("ReadOnlyAccess").is_none());
    }
}
