mod common;

use common::*;
use palisade_adapt::{adapt_terraform, is_unknown_marker, marker_ref, UNKNOWN_MARKER};
use palisade_model::aws::{GrantedPolicy, IamPolicy, S3Bucket};
use palisade_model::raw::RawResource;
use palisade_model::Ref;
use serde_json::{json, Value as Json};

/// The same policy written three ways.
const HEREDOC: &str = r#"
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Read",
      "Effect": "Allow",
      "Action": ["s3:ListBucket", "s3:GetObject"],
      "Resource": "arn:aws:s3:::data/*",
      "Principal": {"AWS": "arn:aws:iam::123456789012:role/app"},
      "Condition": {"Bool": {"aws:SecureTransport": "true"}}
    },
    {
      "Effect": "Deny",
      "NotAction": "s3:*",
      "Resource": ["arn:aws:s3:::data/${aws:username}", "arn:aws:s3:::data"]
    }
  ]
}
"#;

fn jsonencoded() -> String {
    // What `jsonencode` of the equivalent object produces (compact, keys sorted).
    serde_json::to_string(&json!({
        "Statement": [
            {
                "Action": ["s3:ListBucket", "s3:GetObject"],
                "Condition": {"Bool": {"aws:SecureTransport": "true"}},
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:role/app"},
                "Resource": "arn:aws:s3:::data/*",
                "Sid": "Read"
            },
            {
                "Effect": "Deny",
                "NotAction": "s3:*",
                "Resource": ["arn:aws:s3:::data/${aws:username}", "arn:aws:s3:::data"]
            }
        ],
        "Version": "2012-10-17"
    }))
    .unwrap_or_default()
}

fn document() -> RawResource {
    data(
        "aws_iam_policy_document",
        "doc",
        vec![(
            "statement",
            blocks(vec![
                vec![
                    ("sid", s("Read")),
                    ("actions", strs(&["s3:GetObject", "s3:ListBucket"])),
                    ("resources", strs(&["arn:aws:s3:::data/*"])),
                    (
                        "principals",
                        block(vec![
                            ("type", s("AWS")),
                            ("identifiers", strs(&["arn:aws:iam::123456789012:role/app"])),
                        ]),
                    ),
                    (
                        "condition",
                        block(vec![
                            ("test", s("Bool")),
                            ("variable", s("aws:SecureTransport")),
                            ("values", strs(&["true"])),
                        ]),
                    ),
                ],
                vec![
                    ("effect", s("Deny")),
                    ("not_actions", strs(&["s3:*"])),
                    // `&{}` keeps HCL from interpolating IAM variables.
                    (
                        "resources",
                        strs(&["arn:aws:s3:::data", "arn:aws:s3:::data/&{aws:username}"]),
                    ),
                ],
            ]),
        )],
    )
}

fn policy_of(out: &palisade_adapt::Adapted, addr: &str) -> Json {
    out.aws
        .get::<IamPolicy>(&Ref::new(addr))
        .and_then(|p| p.document.get())
        .cloned()
        .unwrap_or(Json::Null)
}

#[test]
fn heredoc_jsonencode_and_policy_document_give_the_same_json() {
    let out = adapt_terraform(&[
        res("aws_iam_policy", "heredoc", vec![("policy", s(HEREDOC))]),
        res(
            "aws_iam_policy",
            "encoded",
            vec![("policy", s(&jsonencoded()))],
        ),
        res(
            "aws_iam_policy",
            "doc",
            vec![("policy", r("data.aws_iam_policy_document.doc", "json"))],
        ),
        document(),
    ]);
    let a = policy_of(&out, "aws_iam_policy.heredoc");
    let b = policy_of(&out, "aws_iam_policy.encoded");
    let c = policy_of(&out, "aws_iam_policy.doc");
    assert!(a.is_object());
    assert_eq!(a, b);
    assert_eq!(a, c);
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    assert!(out.notes.is_empty(), "{:?}", out.notes);
}

#[test]
fn policy_document_renders_like_the_provider() {
    let d = data(
        "aws_iam_policy_document",
        "trust",
        vec![
            ("policy_id", s("trust")),
            (
                "statement",
                blocks(vec![
                    vec![
                        ("actions", strs(&["sts:AssumeRole"])),
                        (
                            "principals",
                            block(vec![("type", s("*")), ("identifiers", strs(&["*"]))]),
                        ),
                    ],
                    vec![
                        ("actions", strs(&["sts:AssumeRoleWithWebIdentity"])),
                        (
                            "principals",
                            blocks(vec![
                                vec![("type", s("Federated")), ("identifiers", strs(&["arn:a"]))],
                                vec![("type", s("Federated")), ("identifiers", strs(&["arn:b"]))],
                            ]),
                        ),
                        (
                            "condition",
                            blocks(vec![
                                vec![
                                    ("test", s("StringEquals")),
                                    ("variable", s("oidc:sub")),
                                    (
                                        "values",
                                        strs(&[
                                            "system:serviceaccount:a:b",
                                            "system:serviceaccount:a:c",
                                        ]),
                                    ),
                                ],
                                vec![
                                    ("test", s("StringEquals")),
                                    ("variable", s("oidc:aud")),
                                    ("values", strs(&["sts.amazonaws.com"])),
                                ],
                            ]),
                        ),
                    ],
                ]),
            ),
        ],
    );
    let role = res(
        "aws_iam_role",
        "r",
        vec![
            ("name", s("r")),
            (
                "assume_role_policy",
                r("data.aws_iam_policy_document.trust", "json"),
            ),
        ],
    );
    let out = adapt_terraform(&[d, role]);
    let doc = out.aws.iam_roles[0]
        .trust_policy
        .get()
        .cloned()
        .unwrap_or(Json::Null);
    assert_eq!(
        doc,
        json!({
            "Version": "2012-10-17",
            "Id": "trust",
            "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "*"},
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Principal": {"Federated": ["arn:a", "arn:b"]},
                    "Condition": {"StringEquals": {
                        "oidc:sub": ["system:serviceaccount:a:b", "system:serviceaccount:a:c"],
                        "oidc:aud": "sts.amazonaws.com"
                    }}
                }
            ]
        })
    );
}

#[test]
fn source_and_override_documents_merge_by_sid() {
    let base = data(
        "aws_iam_policy_document",
        "base",
        vec![(
            "statement",
            blocks(vec![
                vec![
                    ("sid", s("A")),
                    ("actions", strs(&["s3:GetObject"])),
                    ("resources", strs(&["*"])),
                ],
                vec![
                    ("sid", s("B")),
                    ("actions", strs(&["s3:PutObject"])),
                    ("resources", strs(&["*"])),
                ],
            ]),
        )],
    );
    let over = r#"{"Statement":[{"Sid":"C","Effect":"Deny","Action":"*","Resource":"*"},{"Sid":"A","Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#;
    let merged = data(
        "aws_iam_policy_document",
        "merged",
        vec![
            (
                "source_policy_documents",
                list(vec![r("data.aws_iam_policy_document.base", "json")]),
            ),
            ("override_policy_documents", list(vec![s(over)])),
            (
                "statement",
                blocks(vec![
                    vec![
                        ("sid", s("B")),
                        ("actions", strs(&["kms:Decrypt"])),
                        ("resources", strs(&["*"])),
                    ],
                    vec![
                        ("actions", strs(&["sqs:SendMessage"])),
                        ("resources", strs(&["*"])),
                    ],
                ]),
            ),
        ],
    );
    let p = res(
        "aws_iam_policy",
        "p",
        vec![("policy", r("data.aws_iam_policy_document.merged", "json"))],
    );
    let out = adapt_terraform(&[base, merged, p]);
    let doc = policy_of(&out, "aws_iam_policy.p");
    let actions: Vec<_> = doc["Statement"]
        .as_array()
        .map(|a| a.iter().map(|s| s["Action"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(
        actions,
        [
            json!("s3:ListBucket"),
            json!("kms:Decrypt"),
            json!("sqs:SendMessage"),
            json!("*")
        ]
    );
}

#[test]
fn unknown_parts_become_markers_and_are_reported() {
    let d = data(
        "aws_iam_policy_document",
        "kms",
        vec![(
            "statement",
            blocks(vec![
                vec![
                    ("actions", strs(&["kms:Decrypt"])),
                    ("resources", strs(&["*"])),
                    (
                        "principals",
                        block(vec![
                            ("type", s("AWS")),
                            ("identifiers", list(vec![r("aws_iam_role.app", "arn")])),
                        ]),
                    ),
                ],
                vec![
                    ("effect", unk("`var.effect` has no value")),
                    ("actions", strs(&["*"])),
                    ("resources", strs(&["*"])),
                ],
            ]),
        )],
    );
    let key = res(
        "aws_kms_key",
        "k",
        vec![("policy", r("data.aws_iam_policy_document.kms", "json"))],
    );
    let out = adapt_terraform(&[d, key]);
    let doc = out.aws.kms_keys[0]
        .policy
        .some()
        .cloned()
        .unwrap_or(Json::Null);
    let principal = doc["Statement"][0]["Principal"]["AWS"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(is_unknown_marker(&principal));
    assert_eq!(marker_ref(&principal), Some("aws_iam_role.app.arn"));
    assert_eq!(doc["Statement"][1]["Effect"], json!(UNKNOWN_MARKER));
    // The wildcard of the second statement is still there, but its effect is unknown.
    assert_eq!(doc["Statement"][1]["Action"], json!("*"));
    let u = out
        .unknowns
        .iter()
        .find(|u| u.resource == "aws_kms_key.k" && u.attribute == "policy")
        .expect("reported");
    assert!(u.reason.contains("2 part(s)"), "{}", u.reason);
}

#[test]
fn unknown_statements_and_documents() {
    let d = data(
        "aws_iam_policy_document",
        "dyn",
        vec![
            ("statement", unk("`var.statements` has no value")),
            (
                "source_policy_documents",
                list(vec![unk("`var.extra` has no value")]),
            ),
        ],
    );
    let p = res(
        "aws_iam_policy",
        "p",
        vec![("policy", r("data.aws_iam_policy_document.dyn", "json"))],
    );
    let q = res(
        "aws_iam_policy",
        "q",
        vec![("policy", unk("`var.policy` has no value"))],
    );
    let out = adapt_terraform(&[d, p, q]);
    let doc = policy_of(&out, "aws_iam_policy.p");
    let sts = doc["Statement"].as_array().cloned().unwrap_or_default();
    assert_eq!(sts.len(), 2);
    for st in &sts {
        assert_eq!(st["Effect"], json!(UNKNOWN_MARKER));
    }
    let q = out
        .aws
        .get::<IamPolicy>(&Ref::new("aws_iam_policy.q"))
        .expect("q");
    assert_eq!(
        q.document.unknown_reason(),
        Some("`var.policy` has no value")
    );
}

#[test]
fn object_trees_and_referenced_policies() {
    // A loader may keep a `jsonencode` argument with unknown parts as a tree.
    let tree = map(vec![
        ("Version", s("2012-10-17")),
        (
            "Statement",
            list(vec![map(vec![
                ("Effect", s("Allow")),
                ("Action", s("s3:GetObject")),
                ("Resource", r("aws_s3_bucket.b", "arn")),
            ])]),
        ),
    ]);
    let a = res("aws_iam_policy", "a", vec![("policy", tree)]);
    // A policy attribute read from another resource.
    let b = res(
        "aws_iam_role_policy",
        "b",
        vec![
            ("role", s("app")),
            ("policy", r("aws_iam_policy.a", "policy")),
        ],
    );
    let out = adapt_terraform(&[a, b]);
    let doc = policy_of(&out, "aws_iam_policy.a");
    assert_eq!(
        doc["Statement"][0]["Resource"],
        json!(format!("{UNKNOWN_MARKER}aws_s3_bucket.b.arn"))
    );
    let g = &out.aws.iam_grants[0];
    match &g.policy {
        GrantedPolicy::Inline(d) => assert_eq!(d.get(), Some(&doc)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn invalid_json_is_noted_not_guessed() {
    let out = adapt_terraform(&[res(
        "aws_iam_policy",
        "bad",
        vec![("policy", s("{ not json"))],
    )]);
    assert!(out.aws.iam_policies[0].document.is_unknown());
    assert_eq!(out.notes.len(), 1);
}

#[test]
fn bucket_policy_from_document_data_source() {
    let d = data(
        "aws_iam_policy_document",
        "tls",
        vec![(
            "statement",
            block(vec![
                ("effect", s("Deny")),
                ("actions", strs(&["s3:*"])),
                (
                    "resources",
                    list(vec![r("aws_s3_bucket.b", "arn"), s("arn:aws:s3:::b/*")]),
                ),
                (
                    "principals",
                    block(vec![("type", s("*")), ("identifiers", strs(&["*"]))]),
                ),
                (
                    "condition",
                    block(vec![
                        ("test", s("Bool")),
                        ("variable", s("aws:SecureTransport")),
                        ("values", list(vec![b(false)])),
                    ]),
                ),
            ]),
        )],
    );
    let bucket = res("aws_s3_bucket", "b", vec![("bucket", s("b"))]);
    let pol = res(
        "aws_s3_bucket_policy",
        "p",
        vec![
            ("bucket", r("aws_s3_bucket.b", "id")),
            ("policy", r("data.aws_iam_policy_document.tls", "json")),
        ],
    );
    let out = adapt_terraform(&[d, bucket, pol]);
    let b = out
        .aws
        .get::<S3Bucket>(&Ref::new("b"))
        .expect("bucket by name");
    let doc = b.policy.some().cloned().unwrap_or(Json::Null);
    assert_eq!(
        doc["Statement"][0]["Condition"]["Bool"]["aws:SecureTransport"],
        json!("false")
    );
    assert_eq!(doc["Statement"][0]["Principal"], json!("*"));
    // Reverse-sorted, markers included.
    assert_eq!(
        doc["Statement"][0]["Resource"],
        json!([
            "arn:aws:s3:::b/*",
            format!("{UNKNOWN_MARKER}aws_s3_bucket.b.arn")
        ])
    );
    assert!(out.aws.iam_roles.is_empty());
}
