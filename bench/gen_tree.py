#!/usr/bin/env python3
"""Generates a large, realistic tree for the scan benchmark: N Terraform roots
(one main.tf each, a mix of network, data and IAM resources, half of them with
mistakes) and N Kubernetes manifests. Deterministic for a given N."""
import os
import sys

def tf_root(i: int) -> str:
    bad = i % 2 == 1
    cidr = "0.0.0.0/0" if bad else "10.0.0.0/8"
    return f'''
variable "name" {{
  type    = string
  default = "svc{i}"
}}

locals {{
  azs = ["eu-west-1a", "eu-west-1b"]
}}

resource "aws_vpc" "main" {{
  cidr_block = "10.{i % 250}.0.0/16"
}}

resource "aws_subnet" "private" {{
  count             = length(local.azs)
  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet(aws_vpc.main.cidr_block, 8, count.index)
  availability_zone = local.azs[count.index]
}}

resource "aws_security_group" "db" {{
  name   = "${{var.name}}-db"
  vpc_id = aws_vpc.main.id
  ingress {{
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["{cidr}"]
  }}
}}

resource "aws_db_subnet_group" "db" {{
  subnet_ids = aws_subnet.private[*].id
}}

resource "aws_db_instance" "db" {{
  identifier             = "${{var.name}}-db"
  engine                 = "postgres"
  instance_class         = "db.t4g.micro"
  db_subnet_group_name   = aws_db_subnet_group.db.name
  vpc_security_group_ids = [aws_security_group.db.id]
  storage_encrypted      = {"false" if bad else "true"}
  publicly_accessible    = {"true" if bad else "false"}
  multi_az               = true
  deletion_protection    = true
  backup_retention_period = 7
}}

resource "aws_s3_bucket" "data" {{
  bucket = "${{var.name}}-data"
}}

resource "aws_kms_key" "data" {{
  enable_key_rotation = {"false" if bad else "true"}
}}

resource "aws_iam_role" "app" {{
  name = "${{var.name}}-app"
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = "ec2.amazonaws.com" }} }}]
  }})
}}

resource "aws_iam_role_policy" "app" {{
  role = aws_iam_role.app.id
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = ["{"*" if bad else "s3:GetObject"}"], Resource = ["*"] }}]
  }})
}}
'''

def manifest(i: int) -> str:
    bad = i % 2 == 1
    ns = f"team{i % 200}"
    image = "nginx:latest" if bad else "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:" + "a" * 64
    return f'''apiVersion: apps/v1
kind: Deployment
metadata:
  name: app{i}
  namespace: {ns}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: app{i}
  template:
    metadata:
      labels:
        app: app{i}
    spec:
      automountServiceAccountToken: false
      serviceAccountName: app{i}
      securityContext:
        runAsNonRoot: true
      containers:
        - name: app
          image: {image}
          ports:
            - containerPort: 8080
          securityContext:
            privileged: {"true" if bad else "false"}
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: app{i}
  namespace: {ns}
spec:
  podSelector:
    matchLabels:
      app: app{i}
  policyTypes: [Ingress, Egress]
  ingress:
    - from:
        - podSelector:
            matchLabels:
              role: frontend
      ports:
        - port: 8080
'''

def main() -> None:
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    for i in range(n):
        d = os.path.join(out, "terraform", f"svc{i:04d}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "main.tf"), "w") as f:
            f.write(tf_root(i))
    kd = os.path.join(out, "k8s")
    os.makedirs(kd, exist_ok=True)
    for i in range(n):
        with open(os.path.join(kd, f"app{i:04d}.yaml"), "w") as f:
            f.write(manifest(i))

if __name__ == "__main__":
    main()
