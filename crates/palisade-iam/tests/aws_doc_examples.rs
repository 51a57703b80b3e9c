//! The evaluation examples from the AWS IAM documentation, one test each.
//! The comment above every test names the page and example it reproduces.

use palisade_iam::{evaluate, Request, Response};
use serde_json::{json, Value};

fn run(v: Value) -> Response {
    evaluate(&Request::from_json(&v).expect("valid request")).response
}

fn decide(v: Value) -> Value {
    serde_json::to_value(evaluate(&Request::from_json(&v).expect("valid request")))
        .expect("serialises")
}

fn carlos_policies() -> (Value, Value) {
    let identity = json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AllowS3ListRead", "Effect": "Allow",
             "Action": ["s3:GetBucketLocation", "s3:GetAccountPublicAccessBlock", "s3:ListAccessPoints", "s3:ListAllMyBuckets"],
             "Resource": "arn:aws:s3:::*"},
            {"Sid": "AllowS3Self", "Effect": "Allow", "Action": "s3:*",
             "Resource": ["arn:aws:s3:::carlossalazar/*", "arn:aws:s3:::carlossalazar"]},
            {"Sid": "DenyS3Logs", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::*log*"}
        ]
    });
    let bucket = json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/carlossalazar"},
                       "Action": "s3:*", "Resource": ["arn:aws:s3:::carlossalazar/*", "arn:aws:s3:::carlossalazar"]}]
    });
    (identity, bucket)
}

// Policy evaluation logic, "Example identity-based and resource-based policy evaluation":
// Carlos saving a file to the carlossalazar-logs bucket is denied by DenyS3Logs.
#[test]
fn carlos_logs_bucket_is_explicitly_denied() {
    let (identity, bucket) = carlos_policies();
    let out = decide(json!({
        "request": {"principal": "arn:aws:iam::123456789012:user/carlossalazar", "action": "s3:PutObject",
                    "resource": {"resource": "arn:aws:s3:::carlossalazar-logs/file.txt", "accountId": "123456789012"}},
        "identityPolicies": [identity], "resourcePolicy": bucket
    }));
    assert_eq!(
        out,
        json!({"response": "ExplicitlyDenied", "decidedBy": [
            {"policy": "identityPolicies[0]", "statement": 2, "sid": "DenyS3Logs", "effect": "Deny"}]})
    );
}

// Same example: saving to the carlossalazar bucket is allowed (both policies allow).
#[test]
fn carlos_own_bucket_is_allowed() {
    let (identity, bucket) = carlos_policies();
    let out = decide(json!({
        "request": {"principal": "arn:aws:iam::123456789012:user/carlossalazar", "action": "s3:PutObject",
                    "resource": {"resource": "arn:aws:s3:::carlossalazar/file.txt", "accountId": "123456789012"}},
        "identityPolicies": [identity], "resourcePolicy": bucket
    }));
    assert_eq!(out["response"], "Allowed");
    assert_eq!(out["decidedBy"].as_array().map(Vec::len), Some(2));
}

// Same example, "Important" note: if either the identity-based or the resource-based
// policy in the same account allows, the request is allowed.
#[test]
fn carlos_either_policy_is_enough_in_one_account() {
    let (identity, bucket) = carlos_policies();
    let base = json!({"principal": "arn:aws:iam::123456789012:user/carlossalazar", "action": "s3:GetObject",
                      "resource": {"resource": "arn:aws:s3:::carlossalazar/f", "accountId": "123456789012"}});
    assert_eq!(
        run(json!({"request": base, "identityPolicies": [identity]})),
        Response::Allowed
    );
    assert_eq!(
        run(json!({"request": base, "identityPolicies": [], "resourcePolicy": bucket})),
        Response::Allowed
    );
}

// "The difference between explicit and implicit denies": AllowGetList / DenyReports.
#[test]
fn explicit_and_implicit_denies() {
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "AllowGetList", "Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"},
        {"Sid": "DenyReports", "Effect": "Deny", "Action": "iam:*Report", "Resource": "*"}]});
    let ask = |action: &str| {
        run(
            json!({"request": {"principal": "arn:aws:iam::123456789012:user/a", "action": action,
                               "resource": {"resource": "*"}}, "identityPolicies": [policy.clone()]}),
        )
    };
    assert_eq!(ask("iam:GetUser"), Response::Allowed);
    assert_eq!(ask("iam:CreatePolicy"), Response::ImplicitlyDenied);
    assert_eq!(
        ask("iam:GetOrganizationsAccessReport"),
        Response::ExplicitlyDenied
    );
    // Adding a policy that allows report generation does not help.
    let more = json!({"Statement": {"Effect": "Allow", "Action": "iam:GenerateCredentialReport", "Resource": "*"}});
    assert_eq!(
        run(
            json!({"request": {"principal": "arn:aws:iam::123456789012:user/a", "action": "iam:GenerateCredentialReport",
                               "resource": {"resource": "*"}}, "identityPolicies": [policy, more]})
        ),
        Response::ExplicitlyDenied
    );
}

// Permissions boundaries for IAM entities: ShirleyRodriguez may only manage S3,
// CloudWatch and EC2; an identity policy allowing iam:CreateUser has no effect.
#[test]
fn shirley_permissions_boundary() {
    let boundary = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:*", "cloudwatch:*", "ec2:*"], "Resource": "*"}]});
    let identity = json!({"Version": "2012-10-17", "Statement": {
        "Effect": "Allow", "Action": "iam:CreateUser", "Resource": "*"}});
    let ask = |action: &str| {
        run(
            json!({"request": {"principal": "arn:aws:iam::123456789012:user/ShirleyRodriguez", "action": action,
                               "resource": {"resource": "*"}},
                   "identityPolicies": [identity.clone()], "permissionBoundaries": [boundary.clone()]}),
        )
    };
    assert_eq!(ask("iam:CreateUser"), Response::ImplicitlyDenied);
    // The boundary alone grants nothing either.
    assert_eq!(ask("s3:ListAllMyBuckets"), Response::ImplicitlyDenied);
}

// AWS JSON policy elements: NotPrincipal, "IAM user in the same or a different account":
// all principals except Bob (and his account) are denied.
#[test]
fn not_principal_user_bob() {
    let bucket = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny",
         "NotPrincipal": {"AWS": ["arn:aws:iam::444455556666:user/Bob", "arn:aws:iam::444455556666:root"]},
         "Action": "s3:*", "Resource": ["arn:aws:s3:::BUCKETNAME", "arn:aws:s3:::BUCKETNAME/*"]},
        {"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "s3:*",
         "Resource": ["arn:aws:s3:::BUCKETNAME", "arn:aws:s3:::BUCKETNAME/*"]}]});
    let allow_all = json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}});
    let ask = |principal: &str| {
        run(
            json!({"request": {"principal": principal, "action": "s3:GetObject",
                               "resource": {"resource": "arn:aws:s3:::BUCKETNAME/x", "accountId": "111122223333"}},
                   "identityPolicies": [allow_all.clone()], "resourcePolicy": bucket.clone()}),
        )
    };
    assert_eq!(ask("arn:aws:iam::444455556666:user/Bob"), Response::Allowed);
    assert_eq!(
        ask("arn:aws:iam::444455556666:user/Alice"),
        Response::ExplicitlyDenied
    );
}

// NotPrincipal, "IAM role in the same or different account": the session, the role
// and the account must all be listed for the assumed-role user to be spared.
#[test]
fn not_principal_assumed_role() {
    let listed = |entries: Value| {
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "NotPrincipal": {"AWS": entries}, "Action": "s3:*",
             "Resource": ["arn:aws:s3:::Bucket_AccountAudit", "arn:aws:s3:::Bucket_AccountAudit/*"]},
            {"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "s3:*",
             "Resource": "arn:aws:s3:::Bucket_AccountAudit/*"}]})
    };
    let ask = |bucket: Value| {
        run(
            json!({"request": {"principal": "arn:aws:sts::444455556666:assumed-role/cross-account-read-only-role/cross-account-audit-app",
                               "action": "s3:GetObject",
                               "resource": {"resource": "arn:aws:s3:::Bucket_AccountAudit/x", "accountId": "111122223333"}},
                   "identityPolicies": [{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}],
                   "resourcePolicy": bucket}),
        )
    };
    let all = json!([
        "arn:aws:sts::444455556666:assumed-role/cross-account-read-only-role/cross-account-audit-app",
        "arn:aws:iam::444455556666:role/cross-account-read-only-role",
        "arn:aws:iam::444455556666:root"]);
    assert_eq!(ask(listed(all)), Response::Allowed);
    let without_role = json!([
        "arn:aws:sts::444455556666:assumed-role/cross-account-read-only-role/cross-account-audit-app",
        "arn:aws:iam::444455556666:root"]);
    assert_eq!(ask(listed(without_role)), Response::ExplicitlyDenied);
}

// Permissions boundaries, "Important" box: a Deny with NotPrincipal always denies
// IAM principals that have a permissions boundary, whatever NotPrincipal lists.
#[test]
fn not_principal_deny_with_boundary() {
    let bucket = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:user/Bob", "arn:aws:iam::111122223333:root"]},
         "Action": "s3:*", "Resource": "*"}]});
    let base = json!({"request": {"principal": "arn:aws:iam::111122223333:user/Bob", "action": "s3:GetObject",
                                  "resource": {"resource": "arn:aws:s3:::b/x", "accountId": "111122223333"}},
                      "identityPolicies": [{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}],
                      "resourcePolicy": bucket});
    assert_eq!(run(base.clone()), Response::Allowed);
    let mut bounded = base;
    bounded["permissionBoundaries"] =
        json!([{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}]);
    assert_eq!(run(bounded), Response::ExplicitlyDenied);
}

// Multivalued context keys / "Evaluation logic for condition set operators":
// ForAllValues:StringLike on dynamodb:requestedAttributes.
#[test]
fn for_all_values_dynamodb_attributes() {
    let policy = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "dynamodb:GetItem",
        "Resource": "arn:aws:dynamodb:us-east-1:111122223333:table/Thread",
        "Condition": {"ForAllValues:StringLike": {"dynamodb:requestedAttributes": ["PostDateTime", "Message", "Tags"]}}}]});
    let ask = |attrs: Value| {
        run(
            json!({"request": {"principal": "arn:aws:iam::111122223333:user/u", "action": "dynamodb:GetItem",
                               "resource": {"resource": "arn:aws:dynamodb:us-east-1:111122223333:table/Thread"},
                               "context": {"dynamodb:requestedAttributes": attrs}},
                   "identityPolicies": [policy.clone()]}),
        )
    };
    assert_eq!(ask(json!(["PostDateTime", "Message"])), Response::Allowed);
    assert_eq!(
        ask(json!(["PostDateTime", "UserName"])),
        Response::ImplicitlyDenied
    );
    // Empty data set: ForAllValues is true.
    assert_eq!(ask(json!([])), Response::Allowed);
}

// Same page: Deny with ForAnyValue:StringLike for PutItem on ID/PostDateTime.
#[test]
fn for_any_value_deny_put_item() {
    let deny = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Action": "dynamodb:PutItem",
        "Resource": "arn:aws:dynamodb:us-east-1:111122223333:table/Thread",
        "Condition": {"ForAnyValue:StringLike": {"dynamodb:requestedAttributes": ["ID", "PostDateTime"]}}}]});
    let allow = json!({"Statement": {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}});
    let ask = |attrs: Value| {
        run(
            json!({"request": {"principal": "arn:aws:iam::111122223333:user/u", "action": "dynamodb:PutItem",
                               "resource": {"resource": "arn:aws:dynamodb:us-east-1:111122223333:table/Thread"},
                               "context": {"dynamodb:requestedAttributes": attrs}},
                   "identityPolicies": [allow.clone(), deny.clone()]}),
        )
    };
    assert_eq!(
        ask(json!(["UserName", "Message", "PostDateTime"])),
        Response::ExplicitlyDenied
    );
    assert_eq!(ask(json!(["UserName"])), Response::Allowed);
}

// IAM policy elements: Variables and tags, "Resource element": each user gets a
// home directory arn:aws:s3:::mybucket/${aws:username}/*.
#[test]
fn username_home_directory() {
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Action": ["s3:ListBucket"], "Effect": "Allow", "Resource": ["arn:aws:s3:::mybucket"],
         "Condition": {"StringLike": {"s3:prefix": ["${aws:username}/*"]}}},
        {"Action": ["s3:GetObject", "s3:PutObject"], "Effect": "Allow",
         "Resource": ["arn:aws:s3:::mybucket/${aws:username}/*"]}]});
    let ask = |user: &str, action: &str, resource: &str, prefix: Option<&str>| {
        let mut r = json!({"principal": format!("arn:aws:iam::111122223333:user/{user}"), "action": action,
                           "resource": {"resource": resource}});
        if let Some(p) = prefix {
            r["context"] = json!({"s3:prefix": p});
        }
        run(json!({"request": r, "identityPolicies": [policy.clone()]}))
    };
    assert_eq!(
        ask(
            "Adele",
            "s3:GetObject",
            "arn:aws:s3:::mybucket/Adele/a.txt",
            None
        ),
        Response::Allowed
    );
    assert_eq!(
        ask(
            "David",
            "s3:GetObject",
            "arn:aws:s3:::mybucket/Adele/a.txt",
            None
        ),
        Response::ImplicitlyDenied
    );
    assert_eq!(
        ask(
            "David",
            "s3:ListBucket",
            "arn:aws:s3:::mybucket",
            Some("David/docs")
        ),
        Response::Allowed
    );
    assert_eq!(
        ask(
            "David",
            "s3:ListBucket",
            "arn:aws:s3:::mybucket",
            Some("Adele/")
        ),
        Response::ImplicitlyDenied
    );
}

// Variables and tags, "Specifying default values": ${aws:userid, 'anonymous'}.
#[test]
fn variable_default_value() {
    let policy = json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::bucket/${aws:userid, 'anonymous'}/*"}});
    let ask = |ctx: Value, key: &str| {
        run(
            json!({"request": {"principal": "arn:aws:sts::111122223333:assumed-role/r/s", "action": "s3:GetObject",
                               "resource": {"resource": format!("arn:aws:s3:::bucket/{key}/x")}, "context": ctx},
                   "identityPolicies": [policy.clone()]}),
        )
    };
    assert_eq!(ask(json!({}), "anonymous"), Response::Allowed);
    assert_eq!(
        ask(json!({"aws:userid": "AROAEXAMPLE:s"}), "AROAEXAMPLE:s"),
        Response::Allowed
    );
    assert_eq!(
        ask(json!({"aws:userid": "AROAEXAMPLE:s"}), "anonymous"),
        Response::ImplicitlyDenied
    );
}

// Variables and tags, "Special characters": ${*} stands for a literal asterisk.
#[test]
fn special_character_variables() {
    let policy = json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::bucket/${*}${?}${$}"}});
    let ask = |key: &str| {
        run(
            json!({"request": {"principal": "arn:aws:iam::111122223333:user/u", "action": "s3:GetObject",
                               "resource": {"resource": format!("arn:aws:s3:::bucket/{key}")}},
                   "identityPolicies": [policy.clone()]}),
        )
    };
    assert_eq!(ask("*?$"), Response::Allowed);
    assert_eq!(ask("ab$"), Response::ImplicitlyDenied);
}

// Condition operators, "...IfExists condition operators": THISPOLICYDOESNOTWORK
// fails for resources without ec2:InstanceType; StringLikeIfExists fixes it.
#[test]
fn if_exists_run_instances() {
    let broken = json!({"Version": "2012-10-17", "Statement": {"Sid": "THISPOLICYDOESNOTWORK", "Effect": "Allow",
        "Action": "ec2:RunInstances", "Resource": "*",
        "Condition": {"StringLike": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}}}});
    let fixed = json!({"Version": "2012-10-17", "Statement": [{"Sid": "RunInstance", "Effect": "Allow",
        "Action": "ec2:RunInstances", "Resource": "*",
        "Condition": {"StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}}}]});
    let ask = |policy: &Value, resource: &str, ctx: Value| {
        run(
            json!({"request": {"principal": "arn:aws:iam::111122223333:user/u", "action": "ec2:RunInstances",
                               "resource": {"resource": resource}, "context": ctx},
                   "identityPolicies": [policy.clone()]}),
        )
    };
    let image = "arn:aws:ec2:us-east-1::image/ami-1234";
    let instance = "arn:aws:ec2:us-east-1:111122223333:instance/*";
    assert_eq!(ask(&broken, image, json!({})), Response::ImplicitlyDenied);
    assert_eq!(ask(&fixed, image, json!({})), Response::Allowed);
    assert_eq!(
        ask(&fixed, instance, json!({"ec2:InstanceType": "t2.micro"})),
        Response::Allowed
    );
    assert_eq!(
        ask(&fixed, instance, json!({"ec2:InstanceType": "m5.large"})),
        Response::ImplicitlyDenied
    );
}

// Condition operators, "Condition operator to check existence of condition keys":
// Null aws:TokenIssueTime = true allows only long-term credentials.
#[test]
fn null_token_issue_time() {
    let policy = json!({"Version": "2012-10-17", "Statement": {"Action": "ec2:*", "Effect": "Allow", "Resource": "*",
        "Condition": {"Null": {"aws:TokenIssueTime": "true"}}}});
    let ask = |ctx: Value| {
        run(
            json!({"request": {"principal": "arn:aws:iam::111122223333:user/u", "action": "ec2:DescribeInstances",
                               "resource": {"resource": "*"}, "context": ctx}, "identityPolicies": [policy.clone()]}),
        )
    };
    assert_eq!(ask(json!({})), Response::Allowed);
    assert_eq!(
        ask(json!({"aws:TokenIssueTime": "2024-05-01T10:00:00Z"})),
        Response::ImplicitlyDenied
    );
}

// Condition operators, "Boolean condition operators": deny S3 without TLS.
#[test]
fn bool_secure_transport_deny() {
    let deny = json!({"Version": "2012-10-17", "Statement": [{"Sid": "BooleanExample", "Action": "s3:*", "Effect": "Deny",
        "Resource": ["arn:aws:s3:::DOC-EXAMPLE-BUCKET", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]});
    let allow = json!({"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}});
    let ask = |tls: &str| {
        run(
            json!({"request": {"principal": "arn:aws:iam::111122223333:user/u", "action": "s3:GetObject",
                               "resource": {"resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/k"},
                               "context": {"aws:SecureTransport": tls}},
                   "identityPolicies": [allow.clone(), deny.clone()]}),
        )
    };
    assert_eq!(ask("false"), Response::ExplicitlyDenied);
    assert_eq!(ask("true"), Response::Allowed);
}

// Condition operators, "IP address condition operators": 203.0.113.0/24 and the
// mixed IPv4/IPv6 example.
#[test]
fn ip_address_ranges() {
    let policy = json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "someservice:*",
        "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]}}}});
    let ask = |ip: Option<&str>| {
        let mut r = json!({"principal": "arn:aws:iam::111122223333:user/u", "action": "someservice:Do",
                           "resource": {"resource": "*"}});
        if let Some(ip) = ip {
            r["context"] = json!({"aws:SourceIp": ip});
        }
        run(json!({"request": r, "identityPolicies": [policy.clone()]}))
    };
    assert_eq!(ask(Some("203.0.113.200")), Response::Allowed);
    assert_eq!(ask(Some("2001:db8:1234:5678:abcd::1")), Response::Allowed);
    assert_eq!(ask(Some("198.51.100.1")), Response::ImplicitlyDenied);
    // Through a VPC endpoint aws:SourceIp is absent: the condition is false.
    assert_eq!(ask(None), Response::ImplicitlyDenied);
}

// Condition operators, "Amazon Resource Name (ARN) condition operators": SQS queue
// policy letting SNS send messages only on behalf of one topic.
#[test]
fn arn_equals_source_arn() {
    let queue = json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "SQS:SendMessage", "Resource": "arn:aws:sqs:us-east-2:123456789012:QUEUE-ID",
        "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-2:123456789012:TOPIC-ID"}}}});
    let ask = |ctx: Value| {
        run(
            json!({"request": {"principal": "sns.amazonaws.com", "action": "sqs:SendMessage",
                               "resource": {"resource": "arn:aws:sqs:us-east-2:123456789012:QUEUE-ID"}, "context": ctx},
                   "identityPolicies": [], "resourcePolicy": queue.clone()}),
        )
    };
    assert_eq!(
        ask(json!({"aws:SourceArn": "arn:aws:sns:us-east-2:123456789012:TOPIC-ID"})),
        Response::Allowed
    );
    assert_eq!(
        ask(json!({"aws:SourceArn": "arn:aws:sns:us-east-2:123456789012:OTHER"})),
        Response::ImplicitlyDenied
    );
    // Called directly (no source ARN): the condition is false.
    assert_eq!(ask(json!({})), Response::ImplicitlyDenied);
}

// Condition operators, "Date condition operators": DateGreaterThan on aws:TokenIssueTime.
#[test]
fn date_token_issue_time() {
    let policy = json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "iam:*AccessKey*",
        "Resource": "arn:aws:iam::111122223333:user/*",
        "Condition": {"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}}}});
    let ask = |ctx: Value| {
        run(
            json!({"request": {"principal": "arn:aws:sts::111122223333:assumed-role/r/s", "action": "iam:ListAccessKeys",
                               "resource": {"resource": "arn:aws:iam::111122223333:user/bob"}, "context": ctx},
                   "identityPolicies": [policy.clone()]}),
        )
    };
    assert_eq!(
        ask(json!({"aws:TokenIssueTime": "2020-06-01T00:00:00Z"})),
        Response::Allowed
    );
    assert_eq!(
        ask(json!({"aws:TokenIssueTime": "2019-12-31T23:59:59Z"})),
        Response::ImplicitlyDenied
    );
    // Long-term access keys: the key is absent, so the request is denied.
    assert_eq!(ask(json!({})), Response::ImplicitlyDenied);
}

// Condition operators, "Numeric condition operators": list up to 10 objects.
#[test]
fn numeric_max_keys() {
    let policy = json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:ListBucket",
        "Resource": "arn:aws:s3:::example_bucket", "Condition": {"NumericLessThanEquals": {"s3:max-keys": "10"}}}});
    let ask = |n: &str| {
        run(
            json!({"request": {"principal": "arn:aws:iam::111122223333:user/u", "action": "s3:ListBucket",
                               "resource": {"resource": "arn:aws:s3:::example_bucket"}, "context": {"s3:max-keys": n}},
                   "identityPolicies": [policy.clone()]}),
        )
    };
    assert_eq!(ask("10"), Response::Allowed);
    assert_eq!(ask("1000"), Response::ImplicitlyDenied);
}

// Cross-account policy evaluation logic: the identity policy in the trusted account
// and the resource policy in the trusting account must both allow.
#[test]
fn cross_account_needs_both_sides() {
    let bucket = json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}});
    let identity = json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::shared/*"}});
    let req = json!({"principal": "arn:aws:iam::444455556666:user/dev", "action": "s3:GetObject",
                     "resource": {"resource": "arn:aws:s3:::shared/report.csv", "accountId": "111122223333"}});
    assert_eq!(
        run(
            json!({"request": req, "identityPolicies": [identity.clone()], "resourcePolicy": bucket})
        ),
        Response::Allowed
    );
    assert_eq!(
        run(json!({"request": req, "identityPolicies": [identity]})),
        Response::ImplicitlyDenied
    );
    assert_eq!(
        run(json!({"request": req, "identityPolicies": [],
                   "resourcePolicy": {"Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:user/dev"},
                                                    "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}}})),
        Response::ImplicitlyDenied
    );
}

// Policy evaluation logic, "Resource-based policies": KMS key policies must allow;
// the default key policy delegates to the account, which then needs an IAM policy.
#[test]
fn kms_default_key_policy_delegation() {
    let key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let key_policy = json!({"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions",
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]});
    let identity = json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key}});
    let req = json!({"principal": "arn:aws:iam::111122223333:user/u", "action": "kms:Decrypt",
                     "resource": {"resource": key, "accountId": "111122223333"}});
    assert_eq!(
        run(
            json!({"request": req, "identityPolicies": [identity.clone()], "resourcePolicy": key_policy})
        ),
        Response::Allowed
    );
    assert_eq!(
        run(json!({"request": req, "identityPolicies": [identity]})),
        Response::ImplicitlyDenied
    );
}

// Policy evaluation logic, single-account table: resource policies granting to a role
// ARN are limited by the role's boundary; granting to the session ARN is not.
#[test]
fn role_versus_session_grants_with_boundary() {
    let grant = |principal: &str| {
        json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": principal},
                                                      "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}})
    };
    let ask = |rp: Value| {
        run(
            json!({"request": {"principal": "arn:aws:sts::111122223333:assumed-role/examplerole/examplerolesessionname",
                               "action": "s3:GetObject", "resource": {"resource": "arn:aws:s3:::b/k", "accountId": "111122223333"}},
                   "identityPolicies": [],
                   "permissionBoundaries": [{"Statement": {"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}}],
                   "resourcePolicy": rp}),
        )
    };
    assert_eq!(
        ask(grant("arn:aws:iam::111122223333:role/examplerole")),
        Response::ImplicitlyDenied
    );
    assert_eq!(
        ask(grant(
            "arn:aws:sts::111122223333:assumed-role/examplerole/examplerolesessionname"
        )),
        Response::Allowed
    );
}

// Policy evaluation logic, "Session policies" step: a federated user session needs a
// session policy, a role session does not.
#[test]
fn session_policy_step() {
    let identity = json!({"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}});
    let ask = |principal: &str, session: Option<Value>| {
        let mut r = json!({"request": {"principal": principal, "action": "s3:GetObject",
                                       "resource": {"resource": "arn:aws:s3:::b/k"}},
                           "identityPolicies": [identity.clone()]});
        if let Some(s) = session {
            r["sessionPolicy"] = s;
        }
        run(r)
    };
    let fed = "arn:aws:sts::111122223333:federated-user/exampleuser";
    let role = "arn:aws:sts::111122223333:assumed-role/examplerole/s";
    assert_eq!(ask(role, None), Response::Allowed);
    assert_eq!(ask(fed, None), Response::ImplicitlyDenied);
    let session =
        json!({"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}});
    assert_eq!(ask(fed, Some(session.clone())), Response::Allowed);
    let narrow =
        json!({"Statement": {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}});
    assert_eq!(ask(role, Some(narrow)), Response::ImplicitlyDenied);
}

// SCP evaluation: an action must be allowed by an SCP at every level from the root
// to the account.
#[test]
fn scp_every_level_must_allow() {
    let full = json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}});
    let s3_only = json!({"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}});
    let ask = |action: &str| {
        run(
            json!({"request": {"principal": "arn:aws:iam::111122223333:user/u", "action": action,
                               "resource": {"resource": "*"}},
                   "identityPolicies": [full.clone()],
                   "serviceControlPolicies": [
                       {"orgIdentifier": "r-root", "policies": [full.clone()]},
                       {"orgIdentifier": "ou-prod", "policies": [s3_only.clone()]},
                       {"orgIdentifier": "111122223333", "policies": [full.clone()]}]}),
        )
    };
    assert_eq!(ask("s3:GetObject"), Response::Allowed);
    assert_eq!(ask("ec2:RunInstances"), Response::ImplicitlyDenied);
}
