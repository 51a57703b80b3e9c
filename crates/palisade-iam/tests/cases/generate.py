#!/usr/bin/env python3
"""Writes the table-driven evaluation cases in this folder.

Every expected answer here was reasoned from the AWS documentation (the page is
named next to each group), never copied from the engine's output. The JSON files
are committed; re-run this script after editing a case:

    python3 crates/palisade-iam/tests/cases/generate.py

Each case is {"name", "request", "expected": {"response", ["decidedBy"]}} or,
for malformed input, {"name", "request", "expectedError": "<substring>"}.
"""

import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

ACCT = "111122223333"
OTHER = "444455556666"
USER = f"arn:aws:iam::{ACCT}:user/alice"
USER_BOB = f"arn:aws:iam::{ACCT}:user/bob"
ROLE = f"arn:aws:iam::{ACCT}:role/app"
SESSION = f"arn:aws:sts::{ACCT}:assumed-role/app/s1"
FED_USER = f"arn:aws:sts::{ACCT}:federated-user/carol"
ROOT = f"arn:aws:iam::{ACCT}:root"
OTHER_USER = f"arn:aws:iam::{OTHER}:user/dave"
OTHER_SESSION = f"arn:aws:sts::{OTHER}:assumed-role/reader/s9"
BUCKET = "arn:aws:s3:::bucket"
OBJ = "arn:aws:s3:::bucket/key.txt"
V12 = "2012-10-17"


def pol(*stmts, version=V12):
    p = {"Statement": list(stmts)}
    if version is not None:
        p = {"Version": version, **p}
    return p


def stmt(effect, action="*", resource="*", sid=None, cond=None, principal=None, not_principal=None,
         not_action=None, not_resource=None, no_resource=False):
    s = {}
    if sid is not None:
        s["Sid"] = sid
    s["Effect"] = effect
    if principal is not None:
        s["Principal"] = principal
    if not_principal is not None:
        s["NotPrincipal"] = not_principal
    if not_action is not None:
        s["NotAction"] = not_action
    else:
        s["Action"] = action
    if not no_resource:
        if not_resource is not None:
            s["NotResource"] = not_resource
        else:
            s["Resource"] = resource
    if cond is not None:
        s["Condition"] = cond
    return s


def allow(action="*", resource="*", **kw):
    return stmt("Allow", action, resource, **kw)


def deny(action="*", resource="*", **kw):
    return stmt("Deny", action, resource, **kw)


def req(principal=USER, action="s3:GetObject", resource=OBJ, account=ACCT, context=None, identity=(),
        resource_policy=None, boundaries=None, scps=None, rcps=None, session=None, endpoints=None):
    r = {"principal": principal, "action": action, "resource": {"resource": resource}}
    if account is not None:
        r["resource"]["accountId"] = account
    if context is not None:
        r["context"] = context
    out = {"request": r, "identityPolicies": list(identity)}
    if resource_policy is not None:
        out["resourcePolicy"] = resource_policy
    if boundaries is not None:
        out["permissionBoundaries"] = boundaries
    if scps is not None:
        out["serviceControlPolicies"] = [{"orgIdentifier": f"ou-{i}", "policies": ps} for i, ps in enumerate(scps)]
    if rcps is not None:
        out["resourceControlPolicies"] = [{"orgIdentifier": f"ou-{i}", "policies": ps} for i, ps in enumerate(rcps)]
    if session is not None:
        out["sessionPolicy"] = session
    if endpoints is not None:
        out["endpointPolicies"] = endpoints
    return out


def d(policy, statement=0, effect="Allow", sid=None):
    return {"policy": policy, "statement": statement, "sid": sid, "effect": effect}


ALLOWED, IMPLICIT, EXPLICIT = "Allowed", "ImplicitlyDenied", "ExplicitlyDenied"
FILES = {}
NAMES = set()


def case(file, name, request, response, decided=None):
    assert name not in NAMES, name
    NAMES.add(name)
    expected = {"response": response}
    if decided is not None:
        expected["decidedBy"] = decided
    FILES.setdefault(file, []).append({"name": name, "request": request, "expected": expected})


def error_case(name, request, substring):
    assert name not in NAMES, name
    NAMES.add(name)
    FILES.setdefault("errors", []).append({"name": name, "request": request, "expectedError": substring})


ALLOW_ALL = pol(allow())

# ---------------------------------------------------------------------------
# Actions (IAM JSON policy elements: Action / NotAction). Action names are
# case-insensitive; * and ? are wildcards.
# ---------------------------------------------------------------------------
F = "actions"
for pattern, action, ok in [
    ("s3:GetObject", "s3:GetObject", True),
    ("s3:getobject", "s3:GetObject", True),
    ("S3:GETOBJECT", "s3:GetObject", True),
    ("s3:GetObject", "S3:getObject", True),
    ("s3:*", "s3:PutObject", True),
    ("s3:Get*", "s3:GetObjectAcl", True),
    ("s3:Get*", "s3:PutObject", False),
    ("s3:*Object", "s3:DeleteObject", True),
    ("s3:*Object", "s3:DeleteObjects", False),
    ("s3:Get?bject", "s3:GetObject", True),
    ("s3:Get?bject", "s3:GetObbject", False),
    ("*", "ec2:RunInstances", True),
    ("*:*", "kms:Decrypt", True),
    ("*:Get*", "s3:GetObject", True),
    ("ec2:*", "s3:GetObject", False),
    ("s3:GetObjec", "s3:GetObject", False),
    ("s3:GetObject", "s3:GetObjectVersion", False),
    ("iam:*AccessKey*", "iam:UpdateAccessKey", True),
    ("s3", "s3:GetObject", False),
    ("sqs:SendMessage", "SQS:SendMessage", True),
]:
    case(F, f"action pattern {pattern} vs {action}", req(action=action, identity=[pol(allow(pattern))]),
         ALLOWED if ok else IMPLICIT)

case(F, "action list: any entry matches", req(action="s3:PutObject",
     identity=[pol(allow(["s3:GetObject", "s3:PutObject"]))]), ALLOWED)
case(F, "action list: no entry matches", req(action="s3:DeleteObject",
     identity=[pol(allow(["s3:GetObject", "s3:PutObject"]))]), IMPLICIT)
case(F, "NotAction allows everything else", req(action="s3:GetObject",
     identity=[pol(allow(not_action="iam:*"))]), ALLOWED)
case(F, "NotAction does not allow the listed action", req(action="iam:CreateUser",
     identity=[pol(allow(not_action="iam:*"))]), IMPLICIT)
case(F, "NotAction list excludes all listed", req(action="ec2:RunInstances",
     identity=[pol(allow(not_action=["iam:*", "ec2:*"]))]), IMPLICIT)
case(F, "NotAction is case-insensitive too", req(action="IAM:CreateUser",
     identity=[pol(allow(not_action="iam:createuser"))]), IMPLICIT)
case(F, "Deny with NotAction denies other actions", req(action="s3:GetObject",
     identity=[ALLOW_ALL, pol(deny(not_action="iam:*"))]), EXPLICIT)
case(F, "Deny with NotAction spares the listed action", req(action="iam:ListUsers",
     identity=[ALLOW_ALL, pol(deny(not_action="iam:*"))]), ALLOWED)
case(F, "doc example: iam:Get* allowed, *Report denied", req(action="iam:GetOrganizationsAccessReport",
     identity=[pol(allow(["iam:Get*", "iam:List*"], sid="AllowGetList"), deny("iam:*Report", sid="DenyReports"))]),
     EXPLICIT, [d("identityPolicies[0]", 1, "Deny", "DenyReports")])
case(F, "doc example: iam:CreatePolicy implicitly denied", req(action="iam:CreatePolicy",
     identity=[pol(allow(["iam:Get*", "iam:List*"], sid="AllowGetList"), deny("iam:*Report", sid="DenyReports"))]),
     IMPLICIT, [])
case(F, "doc example: iam:ListUsers allowed", req(action="iam:ListUsers",
     identity=[pol(allow(["iam:Get*", "iam:List*"], sid="AllowGetList"), deny("iam:*Report", sid="DenyReports"))]),
     ALLOWED, [d("identityPolicies[0]", 0, "Allow", "AllowGetList")])

# ---------------------------------------------------------------------------
# Resources (IAM JSON policy elements: Resource). Case-sensitive; wildcards
# within segments; a * ending a segment may span colons.
# ---------------------------------------------------------------------------
F = "resources"
for pattern, resource, ok in [
    ("*", OBJ, True),
    (OBJ, OBJ, True),
    ("arn:aws:s3:::bucket/*", OBJ, True),
    ("arn:aws:s3:::bucket/*", BUCKET, False),
    ("arn:aws:s3:::bucket*", OBJ, True),
    ("arn:aws:s3:::Bucket/*", OBJ, False),
    ("arn:aws:s3:::bucket/KEY.txt", OBJ, False),
    ("arn:aws:s3:::bucket/key.???", OBJ, True),
    ("arn:aws:s3:::bucket/key.??", OBJ, False),
    ("arn:aws:s3:::*", OBJ, True),
    ("arn:aws:s3:::*/key.txt", OBJ, True),
    ("arn:aws:s3:::other/*", OBJ, False),
    ("arn:aws:sqs:us-east-1:111122223333:queue1", "arn:aws:sqs:us-east-1:111122223333:queue1", True),
    ("arn:aws:sqs:*:111122223333:queue1", "arn:aws:sqs:eu-west-1:111122223333:queue1", True),
    ("arn:aws:sqs:*:111122223333:queue1", "arn:aws:sqs:eu-west-1:444455556666:queue1", False),
    ("arn:aws:sqs:us-east-1:*:*", "arn:aws:sqs:us-east-1:111122223333:q", True),
    ("arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:us-east-1:111122223333:instance/i-0123", True),
    ("arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:us-east-1:111122223333:volume/vol-1", False),
    ("arn:aws:logs:us-east-1:111122223333:log-group:app:*",
     "arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:web", True),
    ("arn:aws:logs:us-east-1:111122223333:log-group:a*p",
     "arn:aws:logs:us-east-1:111122223333:log-group:a:p", False),
    ("arn:aws:logs:us-east-1:111122223333:log-group:a*p",
     "arn:aws:logs:us-east-1:111122223333:log-group:ap", True),
    ("arn:aws:iam::111122223333:user/accounting/*", "arn:aws:iam::111122223333:user/accounting/bob", True),
    ("arn:aws:iam::111122223333:user/accounting/*", "arn:aws:iam::111122223333:user/eng/bob", False),
    ("arn:aws:iam::111122223333:user/Bob", "arn:aws:iam::111122223333:user/bob", False),
    ("arn:aws:dynamodb:us-east-2:111122223333:table/Books", "arn:aws:dynamodb:us-east-2:111122223333:table/books",
     False),
    ("arn:aws:s3:::bucket/a?b", "arn:aws:s3:::bucket/a:b", False),
]:
    case(F, f"resource pattern {pattern} vs {resource}",
         req(action="s3:GetObject", resource=resource, account=None, identity=[pol(allow("s3:GetObject", pattern))]),
         ALLOWED if ok else IMPLICIT)

case(F, "resource list: any entry matches", req(identity=[pol(allow("s3:*", [BUCKET, BUCKET + "/*"]))]), ALLOWED)
case(F, "NotResource allows other resources", req(identity=[pol(allow("s3:*", not_resource="arn:aws:s3:::secret/*"))]),
     ALLOWED)
case(F, "NotResource does not allow the listed resource",
     req(resource="arn:aws:s3:::secret/x", identity=[pol(allow("s3:*", not_resource="arn:aws:s3:::secret/*"))]),
     IMPLICIT)
case(F, "Deny with NotResource denies everything outside",
     req(identity=[ALLOW_ALL, pol(deny("s3:*", not_resource=["arn:aws:s3:::other", "arn:aws:s3:::other/*"]))]),
     EXPLICIT)
case(F, "Deny with NotResource spares listed resources",
     req(resource="arn:aws:s3:::other/x",
         identity=[ALLOW_ALL, pol(deny("s3:*", not_resource=["arn:aws:s3:::other", "arn:aws:s3:::other/*"]))]),
     ALLOWED)
case(F, "statement without Resource applies to the attached resource (trust policy)",
     req(principal=USER, action="sts:AssumeRole", resource=ROLE,
         resource_policy=pol(allow("sts:AssumeRole", principal={"AWS": USER}, no_resource=True))), ALLOWED)

# ---------------------------------------------------------------------------
# Principals in resource-based policies (Principal, NotPrincipal, single-account
# evaluation table, cross-account evaluation).
# ---------------------------------------------------------------------------
F = "principals"


def rp(principal=None, not_principal=None, effect="Allow", action="s3:GetObject", resource="*", cond=None, sid=None):
    return pol(stmt(effect, action, resource, principal=principal, not_principal=not_principal, cond=cond, sid=sid))


# Same account, no identity policy: only a direct grant suffices.
for label, principal_el, caller, ok in [
    ("user ARN names the caller", {"AWS": USER}, USER, True),
    ("user ARN names another user", {"AWS": USER_BOB}, USER, False),
    ("user ARN in a list", {"AWS": [USER_BOB, USER]}, USER, True),
    ("wildcard string", "*", USER, True),
    ("AWS wildcard", {"AWS": "*"}, USER, True),
    ("account ID delegates (needs identity allow)", {"AWS": ACCT}, USER, False),
    ("account root ARN delegates (needs identity allow)", {"AWS": ROOT}, USER, False),
    ("role ARN grants to its session (no boundary)", {"AWS": ROLE}, SESSION, True),
    ("role ARN with a path grants to its session", {"AWS": f"arn:aws:iam::{ACCT}:role/team/app"}, SESSION, True),
    ("role ARN of another role", {"AWS": f"arn:aws:iam::{ACCT}:role/other"}, SESSION, False),
    ("exact session ARN", {"AWS": SESSION}, SESSION, True),
    ("other session of the same role", {"AWS": f"arn:aws:sts::{ACCT}:assumed-role/app/s2"}, SESSION, False),
    ("session ARN does not match the bare role", {"AWS": SESSION}, ROLE, False),
    ("federated user ARN", {"AWS": FED_USER}, FED_USER, True),
    ("service principal", {"Service": "ec2.amazonaws.com"}, "ec2.amazonaws.com", True),
    ("other service principal", {"Service": "lambda.amazonaws.com"}, "ec2.amazonaws.com", False),
    ("service principal list", {"Service": ["lambda.amazonaws.com", "ec2.amazonaws.com"]}, "ec2.amazonaws.com", True),
    ("user ARN does not match a service", {"AWS": USER}, "ec2.amazonaws.com", False),
    ("wildcard matches a service", "*", "ec2.amazonaws.com", True),
    ("canonical user", {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
     "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be", True),
    ("canonical user mismatch", {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
     "0000", False),
    ("mixed map: service entry matches", {"AWS": USER_BOB, "Service": "ec2.amazonaws.com"}, "ec2.amazonaws.com", True),
]:
    case(F, f"same account, no identity policy: {label}",
         req(principal=caller, resource_policy=rp(principal_el)), ALLOWED if ok else IMPLICIT)

case(F, "account delegation plus identity allow", req(identity=[pol(allow("s3:GetObject"))],
     resource_policy=rp({"AWS": ACCT})), ALLOWED,
     [d("identityPolicies[0]"), d("resourcePolicy")])
case(F, "resource grant to user reported in decidedBy", req(resource_policy=rp({"AWS": USER}, sid="Grant")), ALLOWED,
     [d("resourcePolicy", sid="Grant")])
case(F, "identity allow alone is enough in the same account", req(identity=[pol(allow("s3:GetObject"))],
     resource_policy=rp({"AWS": USER_BOB})), ALLOWED, [d("identityPolicies[0]")])
case(F, "resource policy without Principal grants nothing",
     req(resource_policy=pol(allow("s3:GetObject"))), IMPLICIT)
case(F, "the root user needs no identity policy in its own account",
     req(principal=ROOT, identity=[]), ALLOWED, [])
case(F, "a bare account ID principal is the root user", req(principal=ACCT, identity=[]), ALLOWED)
case(F, "resource Deny naming the user", req(identity=[ALLOW_ALL], resource_policy=rp({"AWS": USER}, effect="Deny")),
     EXPLICIT, [d("resourcePolicy", effect="Deny")])
case(F, "resource Deny naming another user does not apply",
     req(identity=[ALLOW_ALL], resource_policy=rp({"AWS": USER_BOB}, effect="Deny")), ALLOWED)
case(F, "resource Deny naming the account applies to its users",
     req(identity=[ALLOW_ALL], resource_policy=rp({"AWS": ACCT}, effect="Deny")), EXPLICIT)
case(F, "resource Deny naming the role applies to its sessions",
     req(principal=SESSION, identity=[ALLOW_ALL], resource_policy=rp({"AWS": ROLE}, effect="Deny")), EXPLICIT)
case(F, "resource Deny with * applies to everyone",
     req(identity=[ALLOW_ALL], resource_policy=rp("*", effect="Deny")), EXPLICIT)

# NotPrincipal (AWS JSON policy elements: NotPrincipal).
NP_BOB = {"AWS": [f"arn:aws:iam::{OTHER}:user/Bob", f"arn:aws:iam::{OTHER}:root"]}
BOB = f"arn:aws:iam::{OTHER}:user/Bob"
case(F, "NotPrincipal Deny: listed user with account is spared",
     req(principal=BOB, account=ACCT, identity=[ALLOW_ALL],
         resource_policy=pol(deny("s3:*", not_principal=NP_BOB), allow("s3:*", principal={"AWS": BOB}))), ALLOWED)
case(F, "NotPrincipal Deny: user listed without account is denied",
     req(principal=BOB, account=ACCT, identity=[ALLOW_ALL],
         resource_policy=pol(deny("s3:*", not_principal={"AWS": BOB}), allow("s3:*", principal={"AWS": BOB}))),
     EXPLICIT)
case(F, "NotPrincipal Deny: unlisted user is denied",
     req(principal=OTHER_USER, account=ACCT, identity=[ALLOW_ALL],
         resource_policy=pol(deny("s3:*", not_principal=NP_BOB), allow("s3:*", principal="*"))), EXPLICIT)
NP_ROLE = {"AWS": [OTHER_SESSION, f"arn:aws:iam::{OTHER}:role/reader", f"arn:aws:iam::{OTHER}:root"]}
case(F, "NotPrincipal Deny: session, role and account listed spares the session",
     req(principal=OTHER_SESSION, account=ACCT, identity=[ALLOW_ALL],
         resource_policy=pol(deny("s3:*", not_principal=NP_ROLE), allow("s3:*", principal={"AWS": OTHER}))), ALLOWED)
case(F, "NotPrincipal Deny: session listed without its role is denied",
     req(principal=OTHER_SESSION, account=ACCT, identity=[ALLOW_ALL],
         resource_policy=pol(deny("s3:*", not_principal={"AWS": [OTHER_SESSION, f"arn:aws:iam::{OTHER}:root"]}),
                             allow("s3:*", principal={"AWS": OTHER}))), EXPLICIT)
case(F, "NotPrincipal Deny: another session of the listed role is denied",
     req(principal=f"arn:aws:sts::{OTHER}:assumed-role/reader/other", account=ACCT, identity=[ALLOW_ALL],
         resource_policy=pol(deny("s3:*", not_principal=NP_ROLE), allow("s3:*", principal={"AWS": OTHER}))), EXPLICIT)
case(F, "NotPrincipal Deny always applies to principals with a permissions boundary",
     req(principal=BOB, account=ACCT, identity=[ALLOW_ALL], boundaries=[ALLOW_ALL],
         resource_policy=pol(deny("s3:*", not_principal=NP_BOB), allow("s3:*", principal={"AWS": BOB}))), EXPLICIT)
case(F, "NotPrincipal Deny: service principal listed is spared",
     req(principal="cloudtrail.amazonaws.com",
         resource_policy=pol(deny("s3:*", not_principal={"Service": "cloudtrail.amazonaws.com"}),
                             allow("s3:*", principal={"Service": "cloudtrail.amazonaws.com"}))), ALLOWED)
case(F, "NotPrincipal Allow grants to everyone not listed",
     req(principal=USER, resource_policy=pol(allow("s3:GetObject", not_principal={"AWS": USER_BOB}))), ALLOWED)
case(F, "NotPrincipal Allow does not grant to the listed principal chain",
     req(principal=USER, resource_policy=pol(allow("s3:GetObject", not_principal={"AWS": [USER, ROOT]}))), IMPLICIT)

# Cross-account: both sides must allow.
XREQ = dict(principal=OTHER_USER, account=ACCT)
case(F, "cross-account: identity and resource (account) allow", req(**XREQ, identity=[pol(allow("s3:GetObject"))],
     resource_policy=rp({"AWS": OTHER})), ALLOWED, [d("identityPolicies[0]"), d("resourcePolicy")])
case(F, "cross-account: identity and resource (user ARN) allow", req(**XREQ, identity=[pol(allow("s3:GetObject"))],
     resource_policy=rp({"AWS": OTHER_USER})), ALLOWED)
case(F, "cross-account: resource allow only", req(**XREQ, resource_policy=rp({"AWS": OTHER_USER})), IMPLICIT)
case(F, "cross-account: identity allow only", req(**XREQ, identity=[pol(allow("s3:GetObject"))]), IMPLICIT)
case(F, "cross-account: resource policy names a different account",
     req(**XREQ, identity=[pol(allow("s3:GetObject"))], resource_policy=rp({"AWS": "999988887777"})), IMPLICIT)
case(F, "cross-account: resource policy with * and identity allow",
     req(**XREQ, identity=[pol(allow("s3:GetObject"))], resource_policy=rp("*")), ALLOWED)
case(F, "cross-account: role session via role ARN",
     req(principal=OTHER_SESSION, account=ACCT, identity=[pol(allow("s3:GetObject"))],
         resource_policy=rp({"AWS": f"arn:aws:iam::{OTHER}:role/reader"})), ALLOWED)
case(F, "cross-account: boundary blocks identity side",
     req(**XREQ, identity=[pol(allow("s3:GetObject"))], boundaries=[pol(allow("ec2:*"))],
         resource_policy=rp({"AWS": OTHER_USER})), IMPLICIT)
case(F, "cross-account: account taken from the resource ARN",
     req(principal=OTHER_USER, action="sqs:SendMessage", resource=f"arn:aws:sqs:us-east-1:{ACCT}:q", account=None,
         identity=[pol(allow("sqs:SendMessage"))]), IMPLICIT)
case(F, "same account taken from the resource ARN",
     req(principal=USER, action="sqs:SendMessage", resource=f"arn:aws:sqs:us-east-1:{ACCT}:q", account=None,
         identity=[pol(allow("sqs:SendMessage"))]), ALLOWED)
case(F, "bucket ARN without account: treated as the caller's account",
     req(principal=OTHER_USER, account=None, identity=[pol(allow("s3:GetObject"))]), ALLOWED)
case(F, "cross-account: root of the other account via account grant",
     req(principal=f"arn:aws:iam::{OTHER}:root", account=ACCT, resource_policy=rp({"AWS": OTHER})), ALLOWED)
case(F, "cross-account: explicit deny in the resource policy",
     req(**XREQ, identity=[ALLOW_ALL], resource_policy=pol(allow("s3:*", principal={"AWS": OTHER}),
                                                           deny("s3:GetObject", principal="*"))), EXPLICIT)

# ---------------------------------------------------------------------------
# Conditions (IAM JSON policy elements: Condition operators; multivalued
# context keys; Condition element logic).
# ---------------------------------------------------------------------------
F = "conditions"


def cond_case(name, op, key, values, ctx, ok, file=F, version=V12):
    cond = {op: {key: values}}
    case(file, name, req(context=ctx, identity=[pol(allow("s3:GetObject", cond=cond), version=version)]),
         ALLOWED if ok else IMPLICIT)


K = "test:key"
C = [
    # String operators.
    ("StringEquals exact", "StringEquals", K, "abc", {K: "abc"}, True),
    ("StringEquals is case-sensitive", "StringEquals", K, "abc", {K: "ABC"}, False),
    ("StringEquals no wildcards", "StringEquals", K, "a*", {K: "abc"}, False),
    ("StringEquals literal star", "StringEquals", K, "a*", {K: "a*"}, True),
    ("StringEquals any of several values", "StringEquals", K, ["x", "abc"], {K: "abc"}, True),
    ("StringEquals none of several values", "StringEquals", K, ["x", "y"], {K: "abc"}, False),
    ("StringEquals missing key", "StringEquals", K, "abc", {}, False),
    ("StringEquals key name case-insensitive", "StringEquals", "TEST:Key", "abc", {"test:KEY": "abc"}, True),
    ("StringEquals empty string value", "StringEquals", K, "", {K: ""}, True),
    ("StringNotEquals different", "StringNotEquals", K, "abc", {K: "xyz"}, True),
    ("StringNotEquals same", "StringNotEquals", K, "abc", {K: "abc"}, False),
    ("StringNotEquals case differs", "StringNotEquals", K, "abc", {K: "ABC"}, True),
    ("StringNotEquals neither of two", "StringNotEquals", K, ["a", "b"], {K: "c"}, True),
    ("StringNotEquals one of two", "StringNotEquals", K, ["a", "b"], {K: "b"}, False),
    ("StringNotEquals missing key is true", "StringNotEquals", K, "abc", {}, True),
    ("StringEqualsIgnoreCase", "StringEqualsIgnoreCase", K, "AbC", {K: "aBc"}, True),
    ("StringEqualsIgnoreCase mismatch", "StringEqualsIgnoreCase", K, "abc", {K: "abd"}, False),
    ("StringEqualsIgnoreCase missing key", "StringEqualsIgnoreCase", K, "abc", {}, False),
    ("StringNotEqualsIgnoreCase same modulo case", "StringNotEqualsIgnoreCase", K, "ABC", {K: "abc"}, False),
    ("StringNotEqualsIgnoreCase different", "StringNotEqualsIgnoreCase", K, "ABC", {K: "abd"}, True),
    ("StringNotEqualsIgnoreCase missing key is true", "StringNotEqualsIgnoreCase", K, "ABC", {}, True),
    ("StringLike prefix", "StringLike", K, "home/*", {K: "home/alice/x"}, True),
    ("StringLike is case-sensitive", "StringLike", K, "home/*", {K: "Home/alice"}, False),
    ("StringLike single char", "StringLike", K, "t?.micro", {K: "t2.micro"}, True),
    ("StringLike single char needs one", "StringLike", K, "t?.micro", {K: "t.micro"}, False),
    ("StringLike star matches empty", "StringLike", K, "abc*", {K: "abc"}, True),
    ("StringLike star crosses colons", "StringLike", K, "arn:aws:*:finance/*",
     {K: "arn:aws:svc:us-east-2:999999999999:store/abc:finance/doc"}, True),
    ("StringLike without wildcard is exact", "StringLike", K, "abc", {K: "abcd"}, False),
    ("StringLike any of several", "StringLike", K, ["t1.*", "t2.*", "m3.*"], {K: "m3.large"}, True),
    ("StringLike none of several", "StringLike", K, ["t1.*", "t2.*", "m3.*"], {K: "m5.large"}, False),
    ("StringLike missing key", "StringLike", K, "*", {}, False),
    ("StringLike empty pattern matches empty", "StringLike", K, "", {K: ""}, True),
    ("StringNotLike mismatch", "StringNotLike", K, "admin-*", {K: "dev-1"}, True),
    ("StringNotLike match", "StringNotLike", K, "admin-*", {K: "admin-1"}, False),
    ("StringNotLike missing key is true", "StringNotLike", K, "admin-*", {}, True),
    # Numeric operators.
    ("NumericEquals", "NumericEquals", K, "10", {K: "10"}, True),
    ("NumericEquals integer vs decimal", "NumericEquals", K, "10", {K: "10.0"}, True),
    ("NumericEquals policy number literal", "NumericEquals", K, 10, {K: "10"}, True),
    ("NumericEquals differs", "NumericEquals", K, "10", {K: "11"}, False),
    ("NumericEquals non-numeric context", "NumericEquals", K, "10", {K: "ten"}, False),
    ("NumericEquals missing key", "NumericEquals", K, "10", {}, False),
    ("NumericNotEquals differs", "NumericNotEquals", K, "10", {K: "11"}, True),
    ("NumericNotEquals equal", "NumericNotEquals", K, "10", {K: "10"}, False),
    ("NumericNotEquals missing key is true", "NumericNotEquals", K, "10", {}, True),
    ("NumericLessThan below", "NumericLessThan", K, "10", {K: "9"}, True),
    ("NumericLessThan equal", "NumericLessThan", K, "10", {K: "10"}, False),
    ("NumericLessThan negative", "NumericLessThan", K, "0", {K: "-1.5"}, True),
    ("NumericLessThan missing key", "NumericLessThan", K, "10", {}, False),
    ("NumericLessThanEquals equal (s3:max-keys doc example)", "NumericLessThanEquals", "s3:max-keys", "10",
     {"s3:max-keys": "10"}, True),
    ("NumericLessThanEquals above", "NumericLessThanEquals", "s3:max-keys", "10", {"s3:max-keys": "11"}, False),
    ("NumericGreaterThan above", "NumericGreaterThan", K, "10", {K: "10.5"}, True),
    ("NumericGreaterThan equal", "NumericGreaterThan", K, "10", {K: "10"}, False),
    ("NumericGreaterThanEquals equal", "NumericGreaterThanEquals", K, "10", {K: "10"}, True),
    ("NumericGreaterThanEquals below", "NumericGreaterThanEquals", K, "10", {K: "9"}, False),
    ("NumericGreaterThan numeric not lexical", "NumericGreaterThan", K, "9", {K: "10"}, True),
    ("NumericEquals any of several", "NumericEquals", K, ["1", "2", "3"], {K: "2"}, True),
    ("NumericLessThan context number literal", "NumericLessThan", K, "3600", {K: 60}, True),
    # Date operators.
    ("DateEquals same instant different formats", "DateEquals", "aws:CurrentTime", "2020-01-01T00:00:00Z",
     {"aws:CurrentTime": "1577836800"}, True),
    ("DateEquals with offset", "DateEquals", "aws:CurrentTime", "2020-01-01T01:00:00+01:00",
     {"aws:CurrentTime": "2020-01-01T00:00:00Z"}, True),
    ("DateEquals different instants", "DateEquals", "aws:CurrentTime", "2020-01-01",
     {"aws:CurrentTime": "2020-01-01T10:00:00Z"}, False),
    ("DateNotEquals different", "DateNotEquals", "aws:CurrentTime", "2020-01-01",
     {"aws:CurrentTime": "2020-01-02"}, True),
    ("DateNotEquals same", "DateNotEquals", "aws:CurrentTime", "2020-01-01", {"aws:CurrentTime": "2020-01-01"}, False),
    ("DateNotEquals missing key is true", "DateNotEquals", "aws:CurrentTime", "2020-01-01", {}, True),
    ("DateLessThan before", "DateLessThan", "aws:CurrentTime", "2020-06-30T00:00:00Z",
     {"aws:CurrentTime": "2020-06-29T23:59:59Z"}, True),
    ("DateLessThan at", "DateLessThan", "aws:CurrentTime", "2020-06-30T00:00:00Z",
     {"aws:CurrentTime": "2020-06-30T00:00:00Z"}, False),
    ("DateLessThanEquals at", "DateLessThanEquals", "aws:CurrentTime", "2020-06-30T00:00:00Z",
     {"aws:CurrentTime": "2020-06-30T00:00:00Z"}, True),
    ("DateLessThanEquals after", "DateLessThanEquals", "aws:CurrentTime", "2020-06-30T00:00:00Z",
     {"aws:CurrentTime": "2020-06-30T00:00:01Z"}, False),
    ("DateGreaterThan TokenIssueTime (doc example)", "DateGreaterThan", "aws:TokenIssueTime", "2020-01-01T00:00:01Z",
     {"aws:TokenIssueTime": "2020-03-04T12:00:00Z"}, True),
    ("DateGreaterThan TokenIssueTime missing (long-term keys)", "DateGreaterThan", "aws:TokenIssueTime",
     "2020-01-01T00:00:01Z", {}, False),
    ("DateGreaterThan earlier", "DateGreaterThan", "aws:CurrentTime", "2020-01-01T00:00:01Z",
     {"aws:CurrentTime": "2019-12-31T23:00:00Z"}, False),
    ("DateGreaterThanEquals at", "DateGreaterThanEquals", "aws:CurrentTime", "2020-01-01",
     {"aws:CurrentTime": "2020-01-01T00:00:00Z"}, True),
    ("DateGreaterThan epoch policy value", "DateGreaterThan", "aws:EpochTime", "1577836800",
     {"aws:EpochTime": "1577836801"}, True),
    ("DateLessThan fractional seconds", "DateLessThan", "aws:CurrentTime", "2020-01-01T00:00:00.500Z",
     {"aws:CurrentTime": "2020-01-01T00:00:00.250Z"}, True),
    ("Date unparsable context value", "DateLessThan", "aws:CurrentTime", "2030-01-01", {"aws:CurrentTime": "soon"},
     False),
    ("Date unparsable policy value", "DateLessThan", "aws:CurrentTime", "next year",
     {"aws:CurrentTime": "2020-01-01"}, False),
    # Bool.
    ("Bool true", "Bool", "aws:SecureTransport", "true", {"aws:SecureTransport": "true"}, True),
    ("Bool false vs true", "Bool", "aws:SecureTransport", "false", {"aws:SecureTransport": "true"}, False),
    ("Bool JSON boolean in policy", "Bool", "aws:SecureTransport", True, {"aws:SecureTransport": "true"}, True),
    ("Bool JSON boolean in context", "Bool", "aws:MultiFactorAuthPresent", "true",
     {"aws:MultiFactorAuthPresent": True}, True),
    ("Bool case-insensitive values", "Bool", "aws:SecureTransport", "TRUE", {"aws:SecureTransport": "True"}, True),
    ("Bool missing key", "Bool", "aws:MultiFactorAuthPresent", "false", {}, False),
    ("Bool non-boolean context value", "Bool", "aws:SecureTransport", "true", {"aws:SecureTransport": "yes"}, False),
    # Binary.
    ("BinaryEquals same", "BinaryEquals", K, "QmluYXJ5VmFsdWVJbkJhc2U2NA==", {K: "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}, True),
    ("BinaryEquals different", "BinaryEquals", K, "QmluYXJ5VmFsdWVJbkJhc2U2NA==", {K: "QmluYXJ5"}, False),
    ("BinaryEquals missing", "BinaryEquals", K, "QmluYXJ5", {}, False),
    # IP address.
    ("IpAddress in range (doc example)", "IpAddress", "aws:SourceIp", "203.0.113.0/24",
     {"aws:SourceIp": "203.0.113.77"}, True),
    ("IpAddress out of range", "IpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "203.0.114.1"}, False),
    ("IpAddress bare address is /32", "IpAddress", "aws:SourceIp", "203.0.113.5", {"aws:SourceIp": "203.0.113.5"},
     True),
    ("IpAddress bare address excludes neighbours", "IpAddress", "aws:SourceIp", "203.0.113.5",
     {"aws:SourceIp": "203.0.113.6"}, False),
    ("IpAddress IPv6 range (doc example)", "IpAddress", "aws:SourceIp", ["203.0.113.0/24", "2001:DB8:1234:5678::/64"],
     {"aws:SourceIp": "2001:db8:1234:5678::42"}, True),
    ("IpAddress IPv6 outside", "IpAddress", "aws:SourceIp", "2001:DB8:1234:5678::/64",
     {"aws:SourceIp": "2001:db8:1234:5679::1"}, False),
    ("IpAddress IPv4 range vs IPv6 caller", "IpAddress", "aws:SourceIp", "0.0.0.0/0", {"aws:SourceIp": "::1"}, False),
    ("IpAddress missing key (VPC endpoint request)", "IpAddress", "aws:SourceIp", "203.0.113.0/24", {}, False),
    ("IpAddress invalid context", "IpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "localhost"},
     False),
    ("IpAddress /0 matches all IPv4", "IpAddress", "aws:SourceIp", "0.0.0.0/0", {"aws:SourceIp": "198.51.100.1"},
     True),
    ("NotIpAddress outside", "NotIpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "198.51.100.1"},
     True),
    ("NotIpAddress inside", "NotIpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "203.0.113.1"},
     False),
    ("NotIpAddress missing key is true", "NotIpAddress", "aws:SourceIp", "203.0.113.0/24", {}, True),
    ("NotIpAddress in one of two ranges", "NotIpAddress", "aws:SourceIp", ["10.0.0.0/8", "192.0.2.0/24"],
     {"aws:SourceIp": "192.0.2.9"}, False),
    # ARN operators.
    ("ArnEquals exact", "ArnEquals", "aws:SourceArn", "arn:aws:sns:us-east-2:123456789012:topic",
     {"aws:SourceArn": "arn:aws:sns:us-east-2:123456789012:topic"}, True),
    ("ArnEquals allows wildcards like ArnLike", "ArnEquals", "aws:SourceArn", "arn:aws:sns:*:123456789012:*",
     {"aws:SourceArn": "arn:aws:sns:us-east-2:123456789012:topic"}, True),
    ("ArnLike component wildcard", "ArnLike", "aws:SourceArn", "arn:aws:s3:::bucket-*",
     {"aws:SourceArn": "arn:aws:s3:::bucket-logs"}, True),
    ("ArnLike case-sensitive", "ArnLike", "aws:SourceArn", "arn:aws:s3:::Bucket-*",
     {"aws:SourceArn": "arn:aws:s3:::bucket-logs"}, False),
    ("ArnLike doc counter-example (components checked separately)", "ArnLike", "aws:SourceArn",
     "arn:aws:someservice:*:111122223333:finance/*",
     {"aws:SourceArn": "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"},
     False),
    ("StringLike doc counter-example matches", "StringLike", "aws:SourceArn",
     "arn:aws:someservice:*:111122223333:finance/*",
     {"aws:SourceArn": "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"},
     True),
    ("ArnLike value that is not an ARN", "ArnLike", "aws:SourceArn", "*", {"aws:SourceArn": "bucket"}, False),
    ("ArnLike * matches any ARN", "ArnLike", "aws:SourceArn", "*", {"aws:SourceArn": "arn:aws:s3:::b"}, True),
    ("ArnLike resource part keeps colons", "ArnLike", "aws:SourceArn", "arn:aws:logs:*:*:log-group:*",
     {"aws:SourceArn": "arn:aws:logs:eu-west-1:1:log-group:g:log-stream:x"}, True),
    ("ArnLike missing key", "ArnLike", "aws:SourceArn", "*", {}, False),
    ("ArnNotEquals different", "ArnNotEquals", "aws:PrincipalArn", "arn:aws:iam::111122223333:role/Admin",
     {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/Dev"}, True),
    ("ArnNotEquals same", "ArnNotEquals", "aws:PrincipalArn", "arn:aws:iam::111122223333:role/Admin",
     {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/Admin"}, False),
    ("ArnNotLike missing key is true", "ArnNotLike", "aws:SourceArn", "arn:aws:sns:*:*:*", {}, True),
    ("ArnNotLike match", "ArnNotLike", "aws:SourceArn", "arn:aws:sns:*:*:*",
     {"aws:SourceArn": "arn:aws:sns:us-east-1:1:t"}, False),
    # Null.
    ("Null true on missing key", "Null", "aws:TokenIssueTime", "true", {}, True),
    ("Null true on present key", "Null", "aws:TokenIssueTime", "true", {"aws:TokenIssueTime": "2020-01-01"}, False),
    ("Null false on present key", "Null", "aws:TokenIssueTime", "false", {"aws:TokenIssueTime": "2020-01-01"}, True),
    ("Null false on missing key", "Null", "aws:TokenIssueTime", "false", {}, False),
    ("Null JSON boolean", "Null", "aws:TokenIssueTime", True, {}, True),
    ("Null empty list counts as absent", "Null", "aws:TagKeys", "true", {"aws:TagKeys": []}, True),
    ("Null present with empty string value", "Null", K, "false", {K: ""}, True),
    # IfExists.
    ("StringLikeIfExists missing key is true", "StringLikeIfExists", "ec2:InstanceType", ["t1.*", "t2.*", "m3.*"],
     {}, True),
    ("StringLikeIfExists present and matching", "StringLikeIfExists", "ec2:InstanceType", ["t1.*", "t2.*", "m3.*"],
     {"ec2:InstanceType": "t2.micro"}, True),
    ("StringLikeIfExists present and not matching", "StringLikeIfExists", "ec2:InstanceType", ["t1.*", "t2.*"],
     {"ec2:InstanceType": "m5.large"}, False),
    ("StringEqualsIfExists missing key", "StringEqualsIfExists", K, "a", {}, True),
    ("StringNotEqualsIfExists missing key", "StringNotEqualsIfExists", K, "a", {}, True),
    ("StringNotEqualsIfExists present equal", "StringNotEqualsIfExists", K, "a", {K: "a"}, False),
    ("NumericLessThanIfExists missing", "NumericLessThanIfExists", K, "5", {}, True),
    ("NumericLessThanIfExists present fails", "NumericLessThanIfExists", K, "5", {K: "6"}, False),
    ("DateGreaterThanIfExists missing", "DateGreaterThanIfExists", "aws:TokenIssueTime", "2020-01-01", {}, True),
    ("BoolIfExists missing", "BoolIfExists", "aws:MultiFactorAuthPresent", "true", {}, True),
    ("BoolIfExists present false", "BoolIfExists", "aws:MultiFactorAuthPresent", "true",
     {"aws:MultiFactorAuthPresent": "false"}, False),
    ("IpAddressIfExists missing", "IpAddressIfExists", "aws:SourceIp", "10.0.0.0/8", {}, True),
    ("IpAddressIfExists present outside", "IpAddressIfExists", "aws:SourceIp", "10.0.0.0/8",
     {"aws:SourceIp": "192.0.2.1"}, False),
    ("ArnLikeIfExists missing", "ArnLikeIfExists", "aws:SourceArn", "arn:aws:sns:*:*:t", {}, True),
    ("BinaryEqualsIfExists missing", "BinaryEqualsIfExists", K, "QQ==", {}, True),
    ("operator names are matched case-insensitively", "stringequals", K, "a", {K: "a"}, True),
    # Multivalued keys: ForAllValues / ForAnyValue.
    ("ForAllValues all requested in policy list (doc example)", "ForAllValues:StringLike",
     "dynamodb:requestedAttributes", ["PostDateTime", "Message", "Tags"],
     {"dynamodb:requestedAttributes": ["PostDateTime", "Message"]}, True),
    ("ForAllValues one requested not in list (doc example)", "ForAllValues:StringLike",
     "dynamodb:requestedAttributes", ["PostDateTime", "Message", "Tags"],
     {"dynamodb:requestedAttributes": ["PostDateTime", "UserName"]}, False),
    ("ForAllValues missing key is true", "ForAllValues:StringEquals", "aws:TagKeys", ["a", "b"], {}, True),
    ("ForAllValues empty list is true", "ForAllValues:StringEquals", "aws:TagKeys", ["a", "b"], {"aws:TagKeys": []},
     True),
    ("ForAllValues empty string is an empty set", "ForAllValues:StringEquals", "aws:TagKeys", ["a"],
     {"aws:TagKeys": ""}, True),
    ("ForAllValues single value in list", "ForAllValues:StringEquals", "aws:TagKeys", ["a", "b"],
     {"aws:TagKeys": "a"}, True),
    ("ForAllValues wildcard patterns", "ForAllValues:StringLike", "aws:TagKeys", ["env*", "team"],
     {"aws:TagKeys": ["environment", "team"]}, True),
    ("ForAnyValue one matches", "ForAnyValue:StringEquals", "aws:TagKeys", ["a", "z"], {"aws:TagKeys": ["b", "a"]},
     True),
    ("ForAnyValue none match", "ForAnyValue:StringEquals", "aws:TagKeys", ["x", "z"], {"aws:TagKeys": ["b", "a"]},
     False),
    ("ForAnyValue missing key is false", "ForAnyValue:StringEquals", "aws:TagKeys", ["a"], {}, False),
    ("ForAnyValue empty list is false", "ForAnyValue:StringEquals", "aws:TagKeys", ["a"], {"aws:TagKeys": []}, False),
    ("ForAnyValue empty string is false", "ForAnyValue:StringEquals", "aws:TagKeys", [""], {"aws:TagKeys": ""},
     False),
    ("ForAnyValue IfExists missing key is true", "ForAnyValue:StringEqualsIfExists", "aws:TagKeys", ["a"], {}, True),
    ("ForAllValues StringNotEquals none in list", "ForAllValues:StringNotEquals", "aws:TagKeys", ["secret"],
     {"aws:TagKeys": ["a", "b"]}, True),
    ("ForAllValues StringNotEquals one in list", "ForAllValues:StringNotEquals", "aws:TagKeys", ["secret"],
     {"aws:TagKeys": ["a", "secret"]}, False),
    ("ForAnyValue StringNotEquals one outside list", "ForAnyValue:StringNotEquals", "aws:TagKeys", ["a"],
     {"aws:TagKeys": ["a", "b"]}, True),
    ("ForAnyValue StringNotEquals all in list", "ForAnyValue:StringNotEquals", "aws:TagKeys", ["a", "b"],
     {"aws:TagKeys": ["a", "b"]}, False),
    ("ForAnyValue StringNotEquals missing key is false", "ForAnyValue:StringNotEquals", "aws:TagKeys", ["a"], {},
     False),
    ("ForAllValues StringNotLike missing key is true", "ForAllValues:StringNotLike", "aws:TagKeys", ["a*"], {}, True),
    ("ForAnyValue NumericGreaterThan", "ForAnyValue:NumericGreaterThan", K, "10", {K: ["1", "20"]}, True),
    ("ForAllValues NumericGreaterThan", "ForAllValues:NumericGreaterThan", K, "10", {K: ["1", "20"]}, False),
    ("ForAnyValue IpAddress", "ForAnyValue:IpAddress", K, "10.0.0.0/8", {K: ["192.0.2.1", "10.1.1.1"]}, True),
    ("ForAllValues ArnLike", "ForAllValues:ArnLike", K, "arn:aws:iam::*:role/*",
     {K: ["arn:aws:iam::1:role/a", "arn:aws:iam::2:role/b"]}, True),
    ("ForAnyValue StringEqualsIgnoreCase", "ForAnyValue:StringEqualsIgnoreCase", K, "ADMIN", {K: ["dev", "admin"]},
     True),
    ("ForAllValues case of prefix ignored", "forallvalues:StringEquals", K, ["a"], {K: ["a"]}, True),
    # Multivalued context without set operator: any value matches.
    ("StringEquals on list context: any value", "StringEquals", K, "b", {K: ["a", "b"]}, True),
    ("StringEquals on list context: none", "StringEquals", K, "c", {K: ["a", "b"]}, False),
    ("StringNotEquals on list context containing the value", "StringNotEquals", K, "b", {K: ["a", "b"]}, False),
    ("StringNotEquals on empty list context is true", "StringNotEquals", K, "b", {K: []}, True),
    ("StringEquals on empty list context is false", "StringEquals", K, "b", {K: []}, False),
]
for name, op, key, values, ctx, ok in C:
    cond_case(name, op, key, values, ctx, ok)

# Several keys / operators: AND.
case(F, "two keys under one operator: both must match", req(context={"a:k": "1", "b:k": "2"},
     identity=[pol(allow("s3:GetObject", cond={"StringEquals": {"a:k": "1", "b:k": "2"}}))]), ALLOWED)
case(F, "two keys under one operator: one fails", req(context={"a:k": "1", "b:k": "3"},
     identity=[pol(allow("s3:GetObject", cond={"StringEquals": {"a:k": "1", "b:k": "2"}}))]), IMPLICIT)
case(F, "two operators: both must hold", req(context={"aws:SourceIp": "10.0.0.1", "aws:SecureTransport": "true"},
     identity=[pol(allow("s3:GetObject", cond={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
                                               "Bool": {"aws:SecureTransport": "true"}}))]), ALLOWED)
case(F, "two operators: one fails", req(context={"aws:SourceIp": "10.0.0.1", "aws:SecureTransport": "false"},
     identity=[pol(allow("s3:GetObject", cond={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
                                               "Bool": {"aws:SecureTransport": "true"}}))]), IMPLICIT)
case(F, "Deny with Bool SecureTransport false (doc example)", req(context={"aws:SecureTransport": "false"},
     identity=[ALLOW_ALL, pol(deny("s3:*", [BUCKET, BUCKET + "/*"], sid="BooleanExample",
                                   cond={"Bool": {"aws:SecureTransport": "false"}}))]), EXPLICIT,
     [d("identityPolicies[1]", 0, "Deny", "BooleanExample")])
case(F, "Deny with Bool SecureTransport false does not apply over TLS", req(context={"aws:SecureTransport": "true"},
     identity=[ALLOW_ALL, pol(deny("s3:*", [BUCKET, BUCKET + "/*"], cond={"Bool": {"aws:SecureTransport": "false"}}))]),
     ALLOWED)
case(F, "Deny with negated IfExists still denies when the key is missing (doc)", req(context={},
     identity=[ALLOW_ALL, pol(deny("s3:*", cond={"StringNotEqualsIfExists": {"aws:PrincipalTag/team": "red"}}))]),
     EXPLICIT)
case(F, "Deny with NotIpAddress denies a missing source IP", req(context={},
     identity=[ALLOW_ALL, pol(deny(cond={"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}))]), EXPLICIT)
case(F, "Deny with NotIpAddress spares the office range", req(context={"aws:SourceIp": "192.0.2.10"},
     identity=[ALLOW_ALL, pol(deny(cond={"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}))]), ALLOWED)
case(F, "Deny ForAnyValue requested attribute (doc example)",
     req(action="dynamodb:PutItem", resource="arn:aws:dynamodb:us-east-1:111122223333:table/Thread",
         context={"dynamodb:requestedAttributes": ["UserName", "Message", "PostDateTime"]},
         identity=[ALLOW_ALL, pol(deny("dynamodb:PutItem", "arn:aws:dynamodb:*:*:table/Thread",
                                       cond={"ForAnyValue:StringLike": {"dynamodb:requestedAttributes":
                                                                        ["ID", "PostDateTime"]}}))]), EXPLICIT)
case(F, "Deny ForAnyValue requested attribute not hit (doc example)",
     req(action="dynamodb:PutItem", resource="arn:aws:dynamodb:us-east-1:111122223333:table/Thread",
         context={"dynamodb:requestedAttributes": ["UserName"]},
         identity=[ALLOW_ALL, pol(deny("dynamodb:PutItem", "arn:aws:dynamodb:*:*:table/Thread",
                                       cond={"ForAnyValue:StringLike": {"dynamodb:requestedAttributes":
                                                                        ["ID", "PostDateTime"]}}))]), ALLOWED)
case(F, "derived aws:PrincipalArn for a user", req(principal=USER,
     identity=[pol(allow(cond={"ArnEquals": {"aws:PrincipalArn": USER}}))]), ALLOWED)
case(F, "derived aws:PrincipalArn for a session is the role ARN", req(principal=SESSION,
     identity=[pol(allow(cond={"ArnEquals": {"aws:PrincipalArn": ROLE}}))]), ALLOWED)
case(F, "derived aws:PrincipalAccount", req(principal=SESSION,
     identity=[pol(allow(cond={"StringEquals": {"aws:PrincipalAccount": ACCT}}))]), ALLOWED)
case(F, "derived aws:PrincipalType for a session", req(principal=SESSION,
     identity=[pol(allow(cond={"StringEquals": {"aws:PrincipalType": "AssumedRole"}}))]), ALLOWED)
case(F, "derived aws:ResourceAccount", req(resource_policy=rp(
     "*", cond={"StringEquals": {"aws:ResourceAccount": ACCT}})), ALLOWED)
case(F, "explicit context overrides derived aws:PrincipalArn",
     req(principal=SESSION, context={"aws:PrincipalArn": f"arn:aws:iam::{ACCT}:role/path/app"},
         identity=[pol(allow(cond={"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{ACCT}:role/path/app"}}))]),
     ALLOWED)
case(F, "derived aws:username is absent for a role session", req(principal=SESSION,
     identity=[pol(allow(cond={"Null": {"aws:username": "true"}}))]), ALLOWED)

# ---------------------------------------------------------------------------
# Policy variables (IAM policy elements: Variables and tags).
# ---------------------------------------------------------------------------
F = "variables"
HOME = pol(allow("s3:*", [f"{BUCKET}/home/${{aws:username}}", f"{BUCKET}/home/${{aws:username}}/*"]))
case(F, "username variable in Resource matches own home", req(resource=f"{BUCKET}/home/alice/notes.txt",
     identity=[HOME]), ALLOWED)
case(F, "username variable in Resource does not match another home", req(resource=f"{BUCKET}/home/bob/notes.txt",
     identity=[HOME]), IMPLICIT)
case(F, "username variable unresolved for a role session", req(principal=SESSION,
     resource=f"{BUCKET}/home/app/notes.txt", identity=[HOME]), IMPLICIT)
case(F, "explicit aws:username in context", req(principal=SESSION, context={"aws:username": "app"},
     resource=f"{BUCKET}/home/app/notes.txt", identity=[HOME]), ALLOWED)
case(F, "variables are literal in 2008-10-17 policies", req(resource=f"{BUCKET}/home/alice/notes.txt",
     identity=[pol(allow("s3:*", f"{BUCKET}/home/${{aws:username}}/*"), version="2008-10-17")]), IMPLICIT)
case(F, "variables are literal without Version", req(resource=f"{BUCKET}/home/${{aws:username}}/x",
     identity=[pol(allow("s3:*", f"{BUCKET}/home/${{aws:username}}/*"), version=None)]), ALLOWED)
case(F, "PrincipalTag variable in Resource", req(resource=f"{BUCKET}/red/x", context={"aws:PrincipalTag/team": "red"},
     identity=[pol(allow("s3:*", f"{BUCKET}/${{aws:PrincipalTag/team}}/*"))]), ALLOWED)
case(F, "PrincipalTag variable key case-insensitive", req(resource=f"{BUCKET}/red/x",
     context={"aws:principaltag/TEAM": "red"},
     identity=[pol(allow("s3:*", f"{BUCKET}/${{aws:PrincipalTag/team}}/*"))]), ALLOWED)
case(F, "missing tag variable matches nothing", req(resource=f"{BUCKET}/red/x",
     identity=[pol(allow("s3:*", f"{BUCKET}/${{aws:PrincipalTag/team}}/*"))]), IMPLICIT)
case(F, "multivalued key cannot be a variable", req(resource=f"{BUCKET}/a/x", context={"aws:TagKeys": ["a", "b"]},
     identity=[pol(allow("s3:*", f"{BUCKET}/${{aws:TagKeys}}/*"))]), IMPLICIT)
case(F, "default value used when key missing", req(resource=f"{BUCKET}/anonymous/x",
     identity=[pol(allow("s3:*", f"{BUCKET}/${{aws:userid, 'anonymous'}}/*"))]), ALLOWED)
case(F, "default value ignored when key present", req(resource=f"{BUCKET}/AIDAEXAMPLE/x",
     context={"aws:userid": "AIDAEXAMPLE"},
     identity=[pol(allow("s3:*", f"{BUCKET}/${{aws:userid, 'anonymous'}}/*"))]), ALLOWED)
case(F, "${*} is a literal asterisk, not a wildcard", req(resource=f"{BUCKET}/star*",
     identity=[pol(allow("s3:*", f"{BUCKET}/star${{*}}"))]), ALLOWED)
case(F, "${*} does not match other characters", req(resource=f"{BUCKET}/starX",
     identity=[pol(allow("s3:*", f"{BUCKET}/star${{*}}"))]), IMPLICIT)
case(F, "${?} is a literal question mark", req(resource=f"{BUCKET}/q?",
     identity=[pol(allow("s3:*", f"{BUCKET}/q${{?}}"))]), ALLOWED)
case(F, "${?} does not match other characters", req(resource=f"{BUCKET}/qX",
     identity=[pol(allow("s3:*", f"{BUCKET}/q${{?}}"))]), IMPLICIT)
case(F, "${$} is a literal dollar", req(resource=f"{BUCKET}/cost$",
     identity=[pol(allow("s3:*", f"{BUCKET}/cost${{$}}"))]), ALLOWED)
case(F, "variable value with * is literal", req(resource=f"{BUCKET}/home/anything/x",
     context={"aws:username": "*"}, principal=SESSION,
     identity=[pol(allow("s3:*", f"{BUCKET}/home/${{aws:username}}/*"))]), IMPLICIT)
case(F, "variable in StringLike condition (s3:prefix doc example)", req(action="s3:ListBucket", resource=BUCKET,
     context={"s3:prefix": "home/alice/"},
     identity=[pol(allow("s3:ListBucket", BUCKET, cond={"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/"]}}))]),
     ALLOWED)
case(F, "variable in StringLike condition: other prefix", req(action="s3:ListBucket", resource=BUCKET,
     context={"s3:prefix": "home/bob/"},
     identity=[pol(allow("s3:ListBucket", BUCKET, cond={"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/"]}}))]),
     IMPLICIT)
case(F, "variable in StringEquals: tag must equal principal tag",
     req(context={"aws:PrincipalTag/team": "red", "s3:ExistingObjectTag/team": "red"},
         identity=[pol(allow(cond={"StringEquals": {"s3:ExistingObjectTag/team": "${aws:PrincipalTag/team}"}}))]),
     ALLOWED)
case(F, "variable in StringEquals: tags differ",
     req(context={"aws:PrincipalTag/team": "red", "s3:ExistingObjectTag/team": "blue"},
         identity=[pol(allow(cond={"StringEquals": {"s3:ExistingObjectTag/team": "${aws:PrincipalTag/team}"}}))]),
     IMPLICIT)
case(F, "unresolved variable in StringEquals does not match",
     req(context={"s3:ExistingObjectTag/team": "red"},
         identity=[pol(allow(cond={"StringEquals": {"s3:ExistingObjectTag/team": "${aws:PrincipalTag/team}"}}))]),
     IMPLICIT)
case(F, "unresolved variable in a Deny StringNotEquals makes it apply",
     req(context={"s3:ExistingObjectTag/team": "red"},
         identity=[ALLOW_ALL, pol(deny(cond={"StringNotEquals": {"s3:ExistingObjectTag/team": "${aws:PrincipalTag/team}"}}))]),
     EXPLICIT)
case(F, "variable in ArnLike condition", req(principal=SESSION, context={"aws:SourceArn": f"arn:aws:sns:us-east-1:{ACCT}:t"},
     identity=[pol(allow(cond={"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:${aws:PrincipalAccount}:*"}}))]), ALLOWED)
case(F, "variable not substituted in Numeric operators", req(context={"k:n": "5", "k:limit": "10"},
     identity=[pol(allow(cond={"NumericLessThan": {"k:n": "${k:limit}"}}))]), IMPLICIT)
case(F, "variable before the fifth colon of a Resource is not substituted",
     req(action="sqs:SendMessage", resource=f"arn:aws:sqs:us-east-1:{ACCT}:q",
         identity=[pol(allow("sqs:*", "arn:aws:sqs:${aws:RequestedRegion}:*:q"))],
         context={"aws:RequestedRegion": "us-east-1"}), IMPLICIT)
case(F, "variable in SNS topic policy condition (doc example)",
     req(principal=USER, action="sns:Subscribe", resource=f"arn:aws:sns:us-east-1:{ACCT}:topic",
         context={"sns:endpoint": "https://example.com/alice/", "sns:Protocol": "https"},
         identity=[pol(allow("sns:*"))],
         resource_policy=pol(allow("sns:*", no_resource=True, principal={"AWS": ACCT},
                                   cond={"StringLike": {"sns:endpoint": "https://example.com/${aws:username}/"},
                                         "StringEquals": {"sns:Protocol": "https"}}))),
     ALLOWED)

# ---------------------------------------------------------------------------
# Evaluation flow (policy evaluation logic; SCP/RCP evaluation; boundaries;
# session policies; VPC endpoint policies; trust and KMS key policies).
# ---------------------------------------------------------------------------
F = "evaluation"
S3_READ = pol(allow("s3:GetObject", sid="Read"))
case(F, "no policies: implicit deny", req(), IMPLICIT, [])
case(F, "identity allow", req(identity=[S3_READ]), ALLOWED, [d("identityPolicies[0]", sid="Read")])
case(F, "second identity policy allows", req(identity=[pol(allow("ec2:*")), S3_READ]), ALLOWED,
     [d("identityPolicies[1]", sid="Read")])
case(F, "identity deny beats identity allow", req(identity=[S3_READ, pol(deny("s3:*", sid="No"))]), EXPLICIT,
     [d("identityPolicies[1]", effect="Deny", sid="No")])
case(F, "all applicable denies are reported", req(identity=[pol(deny("s3:*", sid="A"), deny("*", sid="B"))],
     resource_policy=rp("*", effect="Deny", action="s3:*", sid="C")), EXPLICIT,
     [d("identityPolicies[0]", 0, "Deny", "A"), d("identityPolicies[0]", 1, "Deny", "B"),
      d("resourcePolicy", 0, "Deny", "C")])
case(F, "resource deny beats identity allow", req(identity=[S3_READ], resource_policy=rp("*", effect="Deny")),
     EXPLICIT)
case(F, "boundary deny beats everything", req(identity=[S3_READ], boundaries=[pol(allow(), deny("s3:GetObject"))]),
     EXPLICIT, [d("permissionBoundaries[0]", 1, "Deny")])
case(F, "SCP deny beats everything", req(identity=[S3_READ], scps=[[ALLOW_ALL, pol(deny("s3:*"))]]), EXPLICIT,
     [d("serviceControlPolicies[0].policies[1]", 0, "Deny")])
case(F, "RCP deny beats everything", req(identity=[S3_READ], rcps=[[pol(allow(principal="*")),
                                                                   pol(deny("s3:*", principal="*"))]]), EXPLICIT,
     [d("resourceControlPolicies[0].policies[1]", 0, "Deny")])
case(F, "session policy deny", req(principal=SESSION, identity=[S3_READ], session=pol(allow(), deny("s3:*"))),
     EXPLICIT)
case(F, "endpoint policy deny", req(identity=[S3_READ], endpoints=[pol(allow(principal="*"), deny("s3:*", principal="*"))]),
     EXPLICIT)
case(F, "deny in a non-matching statement is ignored", req(identity=[S3_READ, pol(deny("s3:PutObject"))]), ALLOWED)

# SCPs per level.
case(F, "SCP FullAWSAccess at every level", req(identity=[S3_READ], scps=[[ALLOW_ALL], [ALLOW_ALL], [ALLOW_ALL]]),
     ALLOWED, [d("identityPolicies[0]", sid="Read"), d("serviceControlPolicies[0].policies[0]"),
               d("serviceControlPolicies[1].policies[0]"), d("serviceControlPolicies[2].policies[0]")])
case(F, "SCP level without allow", req(identity=[S3_READ], scps=[[ALLOW_ALL], [pol(allow("ec2:*"))]]), IMPLICIT, [])
case(F, "SCP level with an allow among several policies", req(identity=[S3_READ],
     scps=[[ALLOW_ALL], [pol(allow("ec2:*")), pol(allow("s3:*"))]]), ALLOWED)
case(F, "SCP level with no policies allows nothing", req(identity=[S3_READ], scps=[[ALLOW_ALL], []]), IMPLICIT)
case(F, "SCP allow does not grant", req(identity=[], scps=[[ALLOW_ALL]]), IMPLICIT)
case(F, "SCP limits the root user", req(principal=ROOT, scps=[[pol(allow("ec2:*"))]]), IMPLICIT)
case(F, "SCP allows the root user", req(principal=ROOT, scps=[[ALLOW_ALL]]), ALLOWED)
case(F, "SCP limits resource-policy grants too", req(resource_policy=rp({"AWS": USER}),
     scps=[[pol(allow("ec2:*"))]]), IMPLICIT)
case(F, "SCP allow list with NotAction", req(identity=[S3_READ], scps=[[pol(allow(not_action="iam:*"))]]), ALLOWED)
case(F, "SCP deny with condition on region", req(identity=[S3_READ], context={"aws:RequestedRegion": "ap-south-1"},
     scps=[[ALLOW_ALL, pol(deny(cond={"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}))]]),
     EXPLICIT)
case(F, "SCP deny with condition on region: allowed region", req(identity=[S3_READ],
     context={"aws:RequestedRegion": "eu-west-1"},
     scps=[[ALLOW_ALL, pol(deny(cond={"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}))]]),
     ALLOWED)
case(F, "SCP statement Principal is ignored", req(identity=[S3_READ],
     scps=[[pol(allow(principal={"AWS": "999988887777"}))]]), ALLOWED)

# RCPs.
RCP_FULL = pol(allow(principal="*"))
case(F, "RCPFullAWSAccess at every level", req(identity=[S3_READ], rcps=[[RCP_FULL], [RCP_FULL]]), ALLOWED)
case(F, "RCP level without allow", req(identity=[S3_READ], rcps=[[RCP_FULL], [pol(allow("sqs:*", principal="*"))]]),
     IMPLICIT)
case(F, "RCP allow does not grant", req(rcps=[[RCP_FULL]]), IMPLICIT)
case(F, "RCP deny for principals outside the org",
     req(principal=OTHER_USER, identity=[S3_READ], resource_policy=rp("*"),
         context={"aws:PrincipalOrgID": "o-other"},
         rcps=[[RCP_FULL, pol(deny("s3:*", principal="*",
                                   cond={"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-mine"}}))]]), EXPLICIT)
case(F, "RCP deny spares principals inside the org",
     req(principal=OTHER_USER, identity=[S3_READ], resource_policy=rp("*"),
         context={"aws:PrincipalOrgID": "o-mine"},
         rcps=[[RCP_FULL, pol(deny("s3:*", principal="*",
                                   cond={"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-mine"}}))]]), ALLOWED)
case(F, "RCP deny requiring TLS", req(identity=[S3_READ], context={"aws:SecureTransport": "false"},
     rcps=[[RCP_FULL, pol(deny("s3:*", principal="*", cond={"BoolIfExists": {"aws:SecureTransport": "false"}}))]]),
     EXPLICIT)
case(F, "RCP statement with a non-matching Principal does not allow",
     req(identity=[S3_READ], rcps=[[pol(allow(principal={"AWS": "999988887777"}))]]), IMPLICIT)
case(F, "RCP and SCP both required", req(identity=[S3_READ], rcps=[[RCP_FULL]], scps=[[pol(allow("ec2:*"))]]),
     IMPLICIT)

# Permissions boundaries (Permissions boundaries for IAM entities).
SHIRLEY_BOUNDARY = pol(allow(["s3:*", "cloudwatch:*", "ec2:*"]))
SHIRLEY_IDENTITY = pol(allow("iam:CreateUser", "*", sid="CreateUser"))
case(F, "boundary doc example: CreateUser allowed by identity but not boundary",
     req(action="iam:CreateUser", resource=f"arn:aws:iam::{ACCT}:user/new", identity=[SHIRLEY_IDENTITY],
         boundaries=[SHIRLEY_BOUNDARY]), IMPLICIT)
case(F, "boundary doc example: s3 allowed by boundary but not identity",
     req(identity=[SHIRLEY_IDENTITY], boundaries=[SHIRLEY_BOUNDARY]), IMPLICIT)
case(F, "boundary and identity both allow", req(identity=[S3_READ], boundaries=[SHIRLEY_BOUNDARY]), ALLOWED,
     [d("identityPolicies[0]", sid="Read"), d("permissionBoundaries[0]")])
case(F, "each listed boundary must allow", req(identity=[S3_READ], boundaries=[SHIRLEY_BOUNDARY, pol(allow("ec2:*"))]),
     IMPLICIT)
case(F, "boundary does not limit a resource grant to the user ARN",
     req(resource_policy=rp({"AWS": USER}), boundaries=[pol(allow("ec2:*"))]), ALLOWED, [d("resourcePolicy")])
case(F, "boundary does not limit a resource grant to the session ARN",
     req(principal=SESSION, resource_policy=rp({"AWS": SESSION}), boundaries=[pol(allow("ec2:*"))]), ALLOWED)
case(F, "boundary limits a resource grant to the role ARN",
     req(principal=SESSION, resource_policy=rp({"AWS": ROLE}), boundaries=[pol(allow("ec2:*"))]), IMPLICIT)
case(F, "boundary allowing lets a resource grant to the role ARN through",
     req(principal=SESSION, resource_policy=rp({"AWS": ROLE}), boundaries=[pol(allow("s3:*"))]), ALLOWED,
     [d("resourcePolicy"), d("permissionBoundaries[0]")])
case(F, "role ARN grant needs no identity policy",
     req(principal=SESSION, identity=[pol(allow("ec2:*"))], resource_policy=rp({"AWS": ROLE})), ALLOWED,
     [d("resourcePolicy")])
case(F, "boundary limits an account-delegated resource grant",
     req(identity=[S3_READ], resource_policy=rp({"AWS": ACCT}), boundaries=[pol(allow("ec2:*"))]), IMPLICIT)

# Session policies.
case(F, "session policy intersects identity policy",
     req(principal=SESSION, identity=[S3_READ], session=pol(allow("s3:*"))), ALLOWED,
     [d("identityPolicies[0]", sid="Read"), d("sessionPolicy")])
case(F, "session policy does not allow", req(principal=SESSION, identity=[S3_READ], session=pol(allow("ec2:*"))),
     IMPLICIT)
case(F, "session policy cannot grant beyond identity", req(principal=SESSION, identity=[], session=ALLOW_ALL),
     IMPLICIT)
case(F, "role session without session policy", req(principal=SESSION, identity=[S3_READ]), ALLOWED)
case(F, "federated user without session policy has no identity permissions",
     req(principal=FED_USER, identity=[S3_READ]), IMPLICIT)
case(F, "federated user with session policy", req(principal=FED_USER, identity=[S3_READ], session=pol(allow("s3:*"))),
     ALLOWED)
case(F, "session policy does not limit a grant to the session ARN",
     req(principal=SESSION, resource_policy=rp({"AWS": SESSION}), session=pol(allow("ec2:*"))), ALLOWED)
case(F, "session policy limits a grant to the role ARN",
     req(principal=SESSION, resource_policy=rp({"AWS": ROLE}), session=pol(allow("ec2:*"))), IMPLICIT)
case(F, "federated user: grant to the federated user ARN needs no session policy",
     req(principal=FED_USER, resource_policy=rp({"AWS": FED_USER})), ALLOWED)

# VPC endpoint policies.
case(F, "endpoint policy allows", req(identity=[S3_READ], endpoints=[pol(allow("s3:GetObject", principal="*"))]),
     ALLOWED)
case(F, "endpoint policy does not allow the action", req(identity=[S3_READ],
     endpoints=[pol(allow("s3:PutObject", principal="*"))]), IMPLICIT)
case(F, "endpoint policy does not grant", req(endpoints=[pol(allow(principal="*"))]), IMPLICIT)
case(F, "endpoint policy restricted to a bucket", req(identity=[S3_READ],
     endpoints=[pol(allow("s3:*", [BUCKET, BUCKET + "/*"], principal="*"))]), ALLOWED)
case(F, "endpoint policy restricted to another bucket", req(identity=[S3_READ],
     endpoints=[pol(allow("s3:*", ["arn:aws:s3:::other", "arn:aws:s3:::other/*"], principal="*"))]), IMPLICIT)
case(F, "endpoint policy naming another principal", req(identity=[S3_READ],
     endpoints=[pol(allow("s3:*", principal={"AWS": USER_BOB}))]), IMPLICIT)
case(F, "endpoint policy naming the caller's account", req(identity=[S3_READ],
     endpoints=[pol(allow("s3:*", principal={"AWS": ACCT}))]), ALLOWED)
case(F, "every endpoint policy must allow", req(identity=[S3_READ],
     endpoints=[pol(allow(principal="*")), pol(allow("ec2:*", principal="*"))]), IMPLICIT)
case(F, "endpoint policy limits resource grants", req(resource_policy=rp({"AWS": USER}),
     endpoints=[pol(allow("ec2:*", principal="*"))]), IMPLICIT)

# Role trust policies.
TRUST_USER = pol(allow("sts:AssumeRole", principal={"AWS": USER}, no_resource=True, sid="Trust"))
TRUST_ACCT = pol(allow("sts:AssumeRole", principal={"AWS": ROOT}, no_resource=True))
ASSUME = dict(action="sts:AssumeRole", resource=ROLE)
case(F, "trust policy names the user", req(**ASSUME, resource_policy=TRUST_USER), ALLOWED, [d("resourcePolicy", sid="Trust")])
case(F, "trust policy missing: identity allow is not enough", req(**ASSUME, identity=[pol(allow("sts:AssumeRole"))]),
     IMPLICIT)
case(F, "trust policy names another user: identity allow is not enough",
     req(**ASSUME, identity=[pol(allow("sts:AssumeRole"))],
         resource_policy=pol(allow("sts:AssumeRole", principal={"AWS": USER_BOB}, no_resource=True))), IMPLICIT)
case(F, "trust policy names the account: identity must allow", req(**ASSUME, resource_policy=TRUST_ACCT), IMPLICIT)
case(F, "trust policy names the account and identity allows",
     req(**ASSUME, identity=[pol(allow("sts:AssumeRole", ROLE))], resource_policy=TRUST_ACCT), ALLOWED)
case(F, "cross-account trust: both sides",
     req(principal=OTHER_USER, **ASSUME, identity=[pol(allow("sts:AssumeRole", ROLE))],
         resource_policy=pol(allow("sts:AssumeRole", principal={"AWS": OTHER}, no_resource=True))), ALLOWED)
case(F, "cross-account trust: trust only",
     req(principal=OTHER_USER, **ASSUME,
         resource_policy=pol(allow("sts:AssumeRole", principal={"AWS": OTHER_USER}, no_resource=True))), IMPLICIT)
case(F, "trust policy for a service principal",
     req(principal="ec2.amazonaws.com", **ASSUME,
         resource_policy=pol(allow("sts:AssumeRole", principal={"Service": "ec2.amazonaws.com"}, no_resource=True))),
     ALLOWED)
case(F, "trust policy for EKS Pod Identity with TagSession",
     req(principal="pods.eks.amazonaws.com", action="sts:TagSession", resource=ROLE,
         resource_policy=pol(allow(["sts:AssumeRole", "sts:TagSession"],
                                   principal={"Service": "pods.eks.amazonaws.com"}, no_resource=True))), ALLOWED)
OIDC = f"arn:aws:iam::{ACCT}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"
IRSA = pol(allow("sts:AssumeRoleWithWebIdentity", principal={"Federated": OIDC}, no_resource=True,
                 cond={"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:ns:sa",
                                        "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com"}}))
case(F, "IRSA trust: matching service account",
     req(principal=OIDC, action="sts:AssumeRoleWithWebIdentity", resource=ROLE, resource_policy=IRSA,
         context={"oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:ns:sa",
                  "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com"}), ALLOWED)
case(F, "IRSA trust: other service account",
     req(principal=OIDC, action="sts:AssumeRoleWithWebIdentity", resource=ROLE, resource_policy=IRSA,
         context={"oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:ns:other",
                  "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com"}), IMPLICIT)
case(F, "IRSA trust: missing sub claim",
     req(principal=OIDC, action="sts:AssumeRoleWithWebIdentity", resource=ROLE, resource_policy=IRSA,
         context={"oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com"}), IMPLICIT)
case(F, "IRSA trust: wrong provider",
     req(principal=f"arn:aws:iam::{ACCT}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/XYZ",
         action="sts:AssumeRoleWithWebIdentity", resource=ROLE, resource_policy=IRSA,
         context={"oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:ns:sa",
                  "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com"}), IMPLICIT)
case(F, "non-sts action on a role is not a trust evaluation",
     req(action="iam:GetRole", resource=ROLE, identity=[pol(allow("iam:GetRole"))]), ALLOWED)
case(F, "trust policy deny with condition",
     req(**ASSUME, context={"aws:MultiFactorAuthPresent": "false"},
         resource_policy=pol(allow("sts:AssumeRole", principal={"AWS": USER}, no_resource=True),
                             deny("sts:AssumeRole", principal="*", no_resource=True,
                                  cond={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}))), EXPLICIT)

# KMS key policies.
KEY = f"arn:aws:kms:us-east-1:{ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KMS = dict(action="kms:Decrypt", resource=KEY)
DEFAULT_KEY_POLICY = pol(allow("kms:*", "*", principal={"AWS": ROOT}, sid="Enable IAM User Permissions"))
case(F, "KMS default key policy delegates to IAM: identity allows",
     req(**KMS, identity=[pol(allow("kms:Decrypt", KEY))], resource_policy=DEFAULT_KEY_POLICY), ALLOWED,
     [d("identityPolicies[0]"), d("resourcePolicy", sid="Enable IAM User Permissions")])
case(F, "KMS default key policy: no identity allow", req(**KMS, resource_policy=DEFAULT_KEY_POLICY), IMPLICIT)
case(F, "KMS without key policy: identity allow is not enough",
     req(**KMS, identity=[pol(allow("kms:Decrypt", KEY))]), IMPLICIT)
case(F, "KMS key policy not delegating: identity allow is not enough",
     req(**KMS, identity=[pol(allow("kms:Decrypt", KEY))],
         resource_policy=pol(allow("kms:*", principal={"AWS": USER_BOB}))), IMPLICIT)
case(F, "KMS key policy names the user directly", req(**KMS, resource_policy=pol(allow("kms:Decrypt", principal={"AWS": USER}))),
     ALLOWED)
case(F, "KMS key policy names the role: session allowed without identity policy",
     req(principal=SESSION, **KMS, resource_policy=pol(allow("kms:Decrypt", principal={"AWS": ROLE}))), ALLOWED)
case(F, "KMS key policy names the role: boundary limits",
     req(principal=SESSION, **KMS, boundaries=[pol(allow("s3:*"))],
         resource_policy=pol(allow("kms:Decrypt", principal={"AWS": ROLE}))), IMPLICIT)
case(F, "KMS cross-account: key policy and identity",
     req(principal=OTHER_USER, **KMS, identity=[pol(allow("kms:Decrypt", KEY))],
         resource_policy=pol(allow("kms:Decrypt", principal={"AWS": f"arn:aws:iam::{OTHER}:root"}))), ALLOWED)
case(F, "KMS cross-account: key policy only",
     req(principal=OTHER_USER, **KMS,
         resource_policy=pol(allow("kms:Decrypt", principal={"AWS": f"arn:aws:iam::{OTHER}:root"}))), IMPLICIT)
case(F, "KMS root user with default key policy", req(principal=ROOT, **KMS, resource_policy=DEFAULT_KEY_POLICY),
     ALLOWED)
case(F, "KMS root user without key policy", req(principal=ROOT, **KMS), IMPLICIT)
case(F, "KMS key policy with kms:ViaService condition",
     req(**KMS, context={"kms:ViaService": "s3.us-east-1.amazonaws.com"},
         resource_policy=pol(allow("kms:Decrypt", principal={"AWS": USER},
                                   cond={"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}))), ALLOWED)

# Carlos example (Example identity-based and resource-based policy evaluation).
CARLOS = f"arn:aws:iam::{ACCT}:user/carlossalazar"
CARLOS_ID = pol(
    allow(["s3:GetBucketLocation", "s3:GetAccountPublicAccessBlock", "s3:ListAccessPoints", "s3:ListAllMyBuckets"],
          "arn:aws:s3:::*", sid="AllowS3ListRead"),
    allow("s3:*", ["arn:aws:s3:::carlossalazar/*", "arn:aws:s3:::carlossalazar"], sid="AllowS3Self"),
    deny("s3:*", "arn:aws:s3:::*log*", sid="DenyS3Logs"))
CARLOS_RP = pol(allow("s3:*", ["arn:aws:s3:::carlossalazar/*", "arn:aws:s3:::carlossalazar"],
                      principal={"AWS": CARLOS}))
case(F, "Carlos: PutObject to the logs bucket is denied",
     req(principal=CARLOS, action="s3:PutObject", resource="arn:aws:s3:::carlossalazar-logs/f", identity=[CARLOS_ID],
         resource_policy=CARLOS_RP), EXPLICIT, [d("identityPolicies[0]", 2, "Deny", "DenyS3Logs")])
case(F, "Carlos: PutObject to his bucket is allowed by both",
     req(principal=CARLOS, action="s3:PutObject", resource="arn:aws:s3:::carlossalazar/f", identity=[CARLOS_ID],
         resource_policy=CARLOS_RP), ALLOWED, [d("identityPolicies[0]", 1, "Allow", "AllowS3Self"), d("resourcePolicy")])
case(F, "Carlos: bucket policy alone is enough",
     req(principal=CARLOS, action="s3:PutObject", resource="arn:aws:s3:::carlossalazar/f", resource_policy=CARLOS_RP),
     ALLOWED)
case(F, "Carlos: ListAllMyBuckets", req(principal=CARLOS, action="s3:ListAllMyBuckets", resource="arn:aws:s3:::x",
     identity=[CARLOS_ID]), ALLOWED)

# Statement ordering and decidedBy details.
case(F, "decidedBy lists every matching allow in order",
     req(identity=[pol(allow("s3:*", sid="A"), allow("ec2:*", sid="B"), allow("s3:Get*", sid="C"))]), ALLOWED,
     [d("identityPolicies[0]", 0, sid="A"), d("identityPolicies[0]", 2, sid="C")])
case(F, "single-object Statement has index 0",
     req(identity=[{"Version": V12, "Statement": allow("s3:GetObject", sid="Only")}]), ALLOWED,
     [d("identityPolicies[0]", 0, sid="Only")])
case(F, "statement with unmet condition is not reported",
     req(identity=[pol(allow("s3:*", sid="A", cond={"Bool": {"aws:SecureTransport": "true"}}), allow("s3:*", sid="B"))]),
     ALLOWED, [d("identityPolicies[0]", 1, sid="B")])
case(F, "empty Statement array allows nothing", req(identity=[{"Version": V12, "Statement": []}]), IMPLICIT)
case(F, "null resourcePolicy is absent", {**req(identity=[S3_READ]), "resourcePolicy": None}, ALLOWED)
case(F, "service principal without resource policy", req(principal="ec2.amazonaws.com", identity=[ALLOW_ALL]),
     IMPLICIT)
case(F, "anonymous caller with public bucket policy", req(principal="anonymous", resource_policy=rp("*")), ALLOWED)
case(F, "anonymous caller without bucket policy", req(principal="anonymous"), IMPLICIT)
case(F, "context value given as a number", req(context={"s3:max-keys": 5},
     identity=[pol(allow(cond={"NumericLessThanEquals": {"s3:max-keys": 10}}))]), ALLOWED)

# ---------------------------------------------------------------------------
# Malformed input: errors, never panics.
# ---------------------------------------------------------------------------
error_case("missing request", {"identityPolicies": []}, "request")
error_case("missing identityPolicies", {"request": req()["request"]}, "identityPolicies")
error_case("unknown top-level key", {**req(), "permissionsBoundaries": []}, "permissionsBoundaries")
error_case("principal not a string", {**req(), "request": {**req()["request"], "principal": 5}}, "principal")
error_case("bad Effect", req(identity=[pol({"Effect": "allow", "Action": "*", "Resource": "*"})]),
           "identityPolicies[0].Statement[0].Effect")
error_case("missing Effect", req(identity=[pol({"Action": "*", "Resource": "*"})]), "Effect")
error_case("Action and NotAction", req(identity=[pol({"Effect": "Allow", "Action": "*", "NotAction": "*"})]),
           "NotAction")
error_case("no Action", req(identity=[pol({"Effect": "Allow", "Resource": "*"})]), "Action")
error_case("unknown statement element", req(identity=[pol({"Effect": "Allow", "Action": "*", "Resources": "*"})]),
           "Resources")
error_case("unknown condition operator", req(identity=[pol(allow(cond={"StringEqualsX": {"a": "b"}}))]),
           "StringEqualsX")
error_case("NullIfExists is not an operator", req(identity=[pol(allow(cond={"NullIfExists": {"a": "true"}}))]),
           "Null")
error_case("Null with a non-boolean value", req(identity=[pol(allow(cond={"Null": {"a": "maybe"}}))]), "Null")
error_case("bad Version", req(identity=[pol(allow(), version="2024-01-01")]), "Version")
error_case("Statement is a string", req(identity=[{"Statement": "nope"}]), "Statement")
error_case("principal string other than *", req(resource_policy=pol(allow(principal=USER))), "resourcePolicy")
error_case("unknown principal type", req(resource_policy=pol(allow(principal={"IAM": USER}))), "IAM")
error_case("condition value is an object", req(identity=[pol(allow(cond={"StringEquals": {"a": {"b": 1}}}))]),
           "StringEquals")
error_case("resource accountId as a number", {**req(), "request": {**req()["request"],
                                                                    "resource": {"resource": OBJ, "accountId": 1}}},
           "accountId")
error_case("context value nested object", req(context={"a": {"b": "c"}}), "context")
error_case("SCP level without policies key", {**req(), "serviceControlPolicies": [{"orgIdentifier": "r"}]},
           "serviceControlPolicies[0].policies")
error_case("empty Action array", req(identity=[pol({"Effect": "Allow", "Action": [], "Resource": "*"})]), "Action")
error_case("policy is an array", req(identity=[[allow()]]), "identityPolicies[0]")


def main():
    total = 0
    for name, cases in sorted(FILES.items()):
        path = os.path.join(HERE, f"{name}.json")
        with open(path, "w") as f:
            json.dump(cases, f, indent=1, sort_keys=False)
            f.write("\n")
        total += len(cases)
        print(f"{path}: {len(cases)} cases")
    print(f"total: {total}")


if __name__ == "__main__":
    main()
