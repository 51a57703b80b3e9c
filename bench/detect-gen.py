#!/usr/bin/env python3
"""Generates realistic CloudTrail files for the `palisade detect` benchmark.

Writes `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<time>_<id>.json`
files (uncompressed, `{"Records":[...]}`, about 1,000 records each) under OUT until
at least SIZE_MB megabytes are written. The mix follows what a busy account's
management-event trail looks like: mostly reads and STS/KMS calls by assumed roles
and AWS services, some writes by people and pipelines, console sign-ins, now and
then something worth an alert. Records carry realistic sessionContext, tlsDetails,
resources and request/response bodies (1-3 KB each).

usage: detect-gen.py OUT SIZE_MB [SEED]
"""

import json
import os
import random
import sys
import uuid
import zlib

ACCOUNTS = ["111122223333", "444455556666"]
REGIONS = ["eu-west-1", "eu-central-1", "us-east-1"]
ROLES = [
    ("eks-node-group-prod", "i-0a1b2c3d4e5f60718"),
    ("app-orders-irsa", "botocore-session-1714557600"),
    ("app-payments-irsa", "botocore-session-1714557601"),
    ("ci-deploy", "GitHubActions"),
    ("AWSReservedSSO_AdministratorAccess_0123456789abcdef", "alice@example.com"),
    ("AWSReservedSSO_ReadOnly_fedcba9876543210", "bob@example.com"),
    ("lambda-log-shipper", "lambda-log-shipper"),
]
USERS = ["legacy-backup", "terraform-bootstrap", "carol"]
AGENTS = [
    "aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21.5 md/GOOS#linux md/GOARCH#amd64 api/sts#1.26.5",
    "Boto3/1.34.11 md/Botocore#1.34.11 ua/2.0 os/linux#5.10.205-195.804.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.11",
    "aws-cli/2.15.8 Python/3.11.6 Linux/6.1.0 exe/x86_64.amzn.2023 prompt/off command/ec2.describe-instances",
    "Terraform/1.6.6 (+https://www.terraform.io) terraform-provider-aws/5.31.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.49.13 (go1.21.5; linux; amd64)",
    "console.amazonaws.com",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
]
SERVICES = ["ec2.amazonaws.com", "lambda.amazonaws.com", "eks.amazonaws.com", "cloudformation.amazonaws.com"]

# (weight, eventSource, eventName, readOnly)
EVENTS = [
    (18, "sts.amazonaws.com", "AssumeRoleWithWebIdentity", True),
    (12, "sts.amazonaws.com", "AssumeRole", True),
    (14, "kms.amazonaws.com", "Decrypt", True),
    (6, "kms.amazonaws.com", "GenerateDataKey", True),
    (10, "ec2.amazonaws.com", "DescribeInstances", True),
    (5, "ec2.amazonaws.com", "DescribeSecurityGroups", True),
    (4, "secretsmanager.amazonaws.com", "GetSecretValue", True),
    (4, "eks.amazonaws.com", "DescribeCluster", True),
    (3, "s3.amazonaws.com", "ListBuckets", True),
    (3, "logs.amazonaws.com", "CreateLogStream", False),
    (3, "ec2.amazonaws.com", "CreateTags", False),
    (2, "ec2.amazonaws.com", "RunInstances", False),
    (2, "ec2.amazonaws.com", "CreateNetworkInterface", False),
    (2, "iam.amazonaws.com", "GetRole", True),
    (2, "rds.amazonaws.com", "DescribeDBInstances", True),
    (1, "signin.amazonaws.com", "ConsoleLogin", False),
    (1, "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", False),
    (1, "iam.amazonaws.com", "CreateAccessKey", False),
    (1, "s3.amazonaws.com", "PutBucketPolicy", False),
    (1, "lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2", False),
    (1, "rds.amazonaws.com", "ModifyDBInstance", False),
]
RARE = [
    ("cloudtrail.amazonaws.com", "StopLogging"),
    ("guardduty.amazonaws.com", "DeleteDetector"),
    ("kms.amazonaws.com", "ScheduleKeyDeletion"),
    ("config.amazonaws.com", "StopConfigurationRecorder"),
    ("ec2.amazonaws.com", "DeleteFlowLogs"),
    ("s3.amazonaws.com", "PutBucketAcl"),
]
# Everyday calls are ten times more common than the rare writes weighted 1.
WEIGHTS = [e[0] * 10 if e[0] > 1 else 1 for e in EVENTS]


WRITERS = {
    "CreateLogStream": "lambda-log-shipper",
    "CreateNetworkInterface": "eks-node-group-prod",
}


def role_identity(rng, acct, role, session):
    return {
        "type": "AssumedRole",
        "principalId": f"AROA{rng.randrange(10**15, 10**16)}EXAMPLE:{session}",
        "arn": f"arn:aws:sts::{acct}:assumed-role/{role}/{session}",
        "accountId": acct,
        "accessKeyId": f"ASIA{rng.randrange(10**15, 10**16)}",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": f"AROA{zlib.crc32(role.encode()) * 7919 % 10**16:016d}",
                "arn": f"arn:aws:iam::{acct}:role/{role}",
                "accountId": acct,
                "userName": role,
            },
            "webIdFederationData": {},
            "attributes": {"creationDate": "2024-05-01T08:00:00Z", "mfaAuthenticated": "false"},
        },
    }


def identity(rng, acct, name=None, read_only=True):
    # Infrastructure changes come from the pipeline and the platform's own roles,
    # now and then from a person (what PAL-D001 is for).
    if not read_only and name != "ConsoleLogin":
        r = rng.random()
        if r < 0.9:
            role = WRITERS.get(name, "ci-deploy")
            session = dict(ROLES)[role]
            return role_identity(rng, acct, role, session)
        if r < 0.97:
            return {"type": "AWSService", "invokedBy": rng.choice(SERVICES)}
    r = rng.random()
    if r < 0.72:
        role, session = rng.choice(ROLES)
        return {
            "type": "AssumedRole",
            "principalId": f"AROA{rng.randrange(10**15, 10**16)}EXAMPLE:{session}",
            "arn": f"arn:aws:sts::{acct}:assumed-role/{role}/{session}",
            "accountId": acct,
            "accessKeyId": f"ASIA{rng.randrange(10**15, 10**16)}",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": f"AROA{zlib.crc32(role.encode()) * 7919 % 10**16:016d}",
                    "arn": f"arn:aws:iam::{acct}:role/{role}",
                    "accountId": acct,
                    "userName": role,
                },
                "webIdFederationData": {},
                "attributes": {"creationDate": "2024-05-01T08:00:00Z", "mfaAuthenticated": "false"},
            },
        }
    if r < 0.85:
        return {"type": "AWSService", "invokedBy": rng.choice(SERVICES)}
    if r < 0.9999:
        user = rng.choice(USERS)
        return {
            "type": "IAMUser",
            "principalId": f"AIDA{zlib.crc32(user.encode()) * 7919 % 10**16:016d}",
            "arn": f"arn:aws:iam::{acct}:user/{user}",
            "accountId": acct,
            "accessKeyId": f"AKIA{zlib.crc32(user.encode()) * 7919 % 10**16:016d}",
            "userName": user,
        }
    return {"type": "Root", "principalId": acct, "arn": f"arn:aws:iam::{acct}:root", "accountId": acct}


def request(rng, source, name, acct, region):
    if name == "RunInstances":
        return (
            {
                "instancesSet": {"items": [{"imageId": "ami-0abcdef1234567890", "minCount": 1, "maxCount": 1}]},
                "instanceType": "m6i.large",
                "blockDeviceMapping": {},
                "monitoring": {"enabled": False},
                "disableApiTermination": False,
                "subnetId": "subnet-0a1b2c3d4e5f67890",
                "tagSpecificationSet": {"items": [{"resourceType": "instance", "tags": [{"key": "eks:cluster-name", "value": "prod"}, {"key": "eks:nodegroup-name", "value": "general"}]}]},
                "launchTemplate": {"launchTemplateId": "lt-0123456789abcdef0", "version": "7"},
            },
            {
                "requestId": str(uuid.UUID(int=rng.getrandbits(128))),
                "reservationId": f"r-{rng.getrandbits(60):015x}",
                "ownerId": acct,
                "groupSet": {},
                "instancesSet": {"items": [{"instanceId": f"i-{rng.getrandbits(68):017x}", "imageId": "ami-0abcdef1234567890", "instanceState": {"code": 0, "name": "pending"}, "privateDnsName": f"ip-10-0-{rng.randrange(256)}-{rng.randrange(256)}.{region}.compute.internal", "amiLaunchIndex": 0, "productCodes": {}, "instanceType": "m6i.large", "launchTime": 1714557600000, "placement": {"availabilityZone": f"{region}a", "tenancy": "default"}, "monitoring": {"state": "disabled"}, "subnetId": "subnet-0a1b2c3d4e5f67890", "vpcId": "vpc-0123456789abcdef0", "privateIpAddress": f"10.0.{rng.randrange(256)}.{rng.randrange(256)}", "stateReason": {"code": "pending", "message": "pending"}, "architecture": "x86_64", "rootDeviceType": "ebs", "rootDeviceName": "/dev/xvda", "blockDeviceMapping": {}, "virtualizationType": "hvm", "hypervisor": "xen", "tagSet": {"items": [{"key": "eks:cluster-name", "value": "prod"}]}, "groupSet": {"items": [{"groupId": "sg-0123456789abcdef0", "groupName": "eks-cluster-sg-prod"}]}, "sourceDestCheck": True, "networkInterfaceSet": {"items": [{"networkInterfaceId": f"eni-{rng.getrandbits(68):017x}", "subnetId": "subnet-0a1b2c3d4e5f67890", "vpcId": "vpc-0123456789abcdef0", "ownerId": acct, "status": "in-use", "privateIpAddress": "10.0.1.23"}]}, "ebsOptimized": True, "enaSupport": True, "cpuOptions": {"coreCount": 1, "threadsPerCore": 2}, "capacityReservationSpecification": {"capacityReservationPreference": "open"}, "enclaveOptions": {"enabled": False}, "metadataOptions": {"state": "pending", "httpTokens": "required", "httpPutResponseHopLimit": 2, "httpEndpoint": "enabled"}}]},
            },
        )
    if name == "AuthorizeSecurityGroupIngress":
        cidr = "0.0.0.0/0" if rng.random() < 0.2 else "10.0.0.0/16"
        return (
            {"groupId": "sg-0123456789abcdef0", "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432, "groups": {}, "ipRanges": {"items": [{"cidrIp": cidr}]}, "ipv6Ranges": {}, "prefixListIds": {}}]}},
            {"requestId": str(uuid.UUID(int=rng.getrandbits(128))), "_return": True, "securityGroupRuleSet": {"items": [{"groupOwnerId": acct, "groupId": "sg-0123456789abcdef0", "securityGroupRuleId": f"sgr-{rng.getrandbits(68):017x}", "isEgress": False, "ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrIpv4": cidr}]}},
        )
    if name in ("AssumeRole", "AssumeRoleWithWebIdentity"):
        role = rng.choice(ROLES)[0]
        return (
            {"roleArn": f"arn:aws:iam::{acct}:role/{role}", "roleSessionName": f"botocore-session-{rng.randrange(10**9)}", "durationSeconds": 3600},
            {"credentials": {"accessKeyId": f"ASIA{rng.randrange(10**15, 10**16)}", "sessionToken": "IQoJb3JpZ2luX2VjEXAMPLETOKEN" + "x" * 200, "expiration": "May 1, 2024, 11:00:00 AM"}, "assumedRoleUser": {"assumedRoleId": f"AROA{rng.randrange(10**15, 10**16)}:session", "arn": f"arn:aws:sts::{acct}:assumed-role/{role}/session"}, "provider": f"arn:aws:iam::{acct}:oidc-provider/oidc.eks.{region}.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE", "audience": "sts.amazonaws.com"},
        )
    if name in ("Decrypt", "GenerateDataKey"):
        return (
            {"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "keyId": f"arn:aws:kms:{region}:{acct}:key/{uuid.UUID(int=rng.getrandbits(128))}", "encryptionContext": {"aws:secretsmanager:arn": f"arn:aws:secretsmanager:{region}:{acct}:secret:prod/orders/db-AbCdEf"}},
            None,
        )
    if name == "DescribeInstances":
        return ({"instancesSet": {}, "filterSet": {"items": [{"name": "tag:eks:cluster-name", "valueSet": {"items": [{"value": "prod"}]}}]}}, None)
    if name == "ConsoleLogin":
        return (None, {"ConsoleLogin": "Success" if rng.random() < 0.95 else "Failure"})
    if name == "PutBucketPolicy":
        stmt = {"Sid": "AllowVpce", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::prod-assets/*"}
        if rng.random() < 0.8:
            stmt["Condition"] = {"StringEquals": {"aws:SourceVpce": "vpce-0123456789abcdef0"}}
        return ({"bucketName": "prod-assets", "bucketPolicy": {"Version": "2012-10-17", "Statement": [stmt]}, "Host": "prod-assets.s3.amazonaws.com", "policy": ""}, None)
    if name == "CreateAccessKey":
        return ({"userName": rng.choice(USERS)}, {"accessKey": {"userName": rng.choice(USERS), "accessKeyId": f"AKIA{rng.randrange(10**15, 10**16)}", "status": "Active", "createDate": "May 1, 2024 10:00:00 AM"}})
    if name == "ModifyDBInstance":
        return ({"dBInstanceIdentifier": "prod-orders", "applyImmediately": True, "masterUserPassword": "HIDDEN_DUE_TO_SECURITY_REASONS"}, {"dBInstanceIdentifier": "prod-orders", "pendingModifiedValues": {"masterUserPassword": "****"}, "publiclyAccessible": False})
    return ({"resourcesSet": {"items": [{"resourceId": f"i-{rng.getrandbits(68):017x}"}]}, "maxResults": 1000}, None)


def record(rng, acct, region, ts):
    if rng.random() < 0.0005:
        source, name = rng.choice(RARE)
        read_only = False
    else:
        _, source, name, read_only = rng.choices(EVENTS, weights=WEIGHTS)[0]
    ident = identity(rng, acct, name, read_only)
    req, resp = request(rng, source, name, acct, region)
    # Each principal calls from a few NAT/office addresses with one tool; rarely from elsewhere.
    who = zlib.crc32(ident.get("arn", "").split("/")[1 if ident["type"] == "AssumedRole" else 0].encode()) if "arn" in ident else 0
    ip = (
        rng.choice(SERVICES)
        if ident["type"] == "AWSService"
        else (f"203.0.113.{who % 16 + rng.randrange(3)}" if rng.random() < 0.999 else f"198.51.100.{rng.randrange(1, 255)}")
    )
    rec = {
        "eventVersion": "1.09",
        "userIdentity": ident,
        "eventTime": ts,
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": ip,
        "userAgent": AGENTS[who % len(AGENTS)] if ident["type"] != "AWSService" else ip,
        "requestParameters": req,
        "responseElements": resp,
        "requestID": str(uuid.UUID(int=rng.getrandbits(128))),
        "eventID": str(uuid.UUID(int=rng.getrandbits(128))),
        "readOnly": read_only,
        "eventType": "AwsConsoleSignIn" if name == "ConsoleLogin" else "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": acct,
        "eventCategory": "Management",
    }
    if name == "ConsoleLogin":
        rec["additionalEventData"] = {"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": "Yes" if rng.random() < 0.9 else "No"}
    if rng.random() < 0.03:
        rec["errorCode"] = "AccessDenied"
        rec["errorMessage"] = f"User: {ident.get('arn', 'unknown')} is not authorized to perform: {source.split('.')[0]}:{name} because no identity-based policy allows the action"
        rec["responseElements"] = None
    if ident["type"] != "AWSService":
        rec["tlsDetails"] = {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": f"{source.split('.')[0]}.{region}.amazonaws.com"}
    if name in ("Decrypt", "GenerateDataKey", "AssumeRole", "AssumeRoleWithWebIdentity"):
        rec["resources"] = [{"accountId": acct, "type": "AWS::KMS::Key" if source.startswith("kms") else "AWS::IAM::Role", "ARN": f"arn:aws:kms:{region}:{acct}:key/{uuid.UUID(int=rng.getrandbits(128))}"}]
        rec["sharedEventID"] = str(uuid.UUID(int=rng.getrandbits(128)))
    return rec


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out, size_mb = sys.argv[1], int(sys.argv[2])
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 42)
    target = size_mb * 1024 * 1024
    written = records = files = 0
    t = 1714521600  # 2024-05-01T00:00:00Z
    while written < target:
        acct = ACCOUNTS[files % len(ACCOUNTS)]
        region = REGIONS[files % len(REGIONS)]
        day = 1 + (t - 1714521600) // 86400 % 28
        minute = (t // 60) % 1440
        d = os.path.join(out, "AWSLogs", acct, "CloudTrail", region, "2024", "05", f"{day:02d}")
        os.makedirs(d, exist_ok=True)
        recs = []
        for _ in range(1000):
            t += 1 if rng.random() < 0.3 else 0
            s = t % 86400
            ts = f"2024-05-{day:02d}T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z"
            recs.append(record(rng, acct, region, ts))
        name = f"{acct}_CloudTrail_{region}_202405{day:02d}T{minute // 60:02d}{minute % 60:02d}Z_{rng.getrandbits(64):016x}.json"
        data = json.dumps({"Records": recs}, separators=(",", ":")).encode()
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
        written += len(data)
        records += len(recs)
        files += 1
    print(json.dumps({"files": files, "records": records, "bytes": written}))


if __name__ == "__main__":
    main()
