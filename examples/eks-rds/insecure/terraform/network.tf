locals {
  tiers = {
    eks_public  = { offset = 0, public = true }
    eks_private = { offset = 2, public = false }
    rds         = { offset = 4, public = false }
  }
  subnets = merge([
    for tier, t in local.tiers : {
      for i, az in var.azs : "${tier}-${i}" => {
        tier   = tier
        az     = az
        cidr   = cidrsubnet(var.vpc_cidr, 8, t.offset + i)
        public = t.public
      }
    }
  ]...)
}

resource "aws_vpc" "main" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = { Name = var.name }
}

resource "aws_subnet" "this" {
  for_each          = local.subnets
  vpc_id            = aws_vpc.main.id
  cidr_block        = each.value.cidr
  availability_zone = each.value.az
  tags              = { Name = "${var.name}-${each.key}", Tier = each.value.tier }
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id
}

resource "aws_eip" "nat" {
  count  = length(var.azs)
  domain = "vpc"
}

# NAT only for the EKS tier: the RDS subnets never reach the internet.
resource "aws_nat_gateway" "eks" {
  count         = length(var.azs)
  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.this["eks_public-${count.index}"].id
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }
}

resource "aws_route_table" "eks_private" {
  count  = length(var.azs)
  vpc_id = aws_vpc.main.id
  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.eks[count.index].id
  }
}

resource "aws_route_table" "rds" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.eks[0].id
  }
}

resource "aws_route_table_association" "eks_public" {
  count          = length(var.azs)
  subnet_id      = aws_subnet.this["eks_public-${count.index}"].id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table_association" "eks_private" {
  count          = length(var.azs)
  subnet_id      = aws_subnet.this["eks_private-${count.index}"].id
  route_table_id = aws_route_table.eks_private[count.index].id
}

resource "aws_route_table_association" "rds" {
  count          = length(var.azs)
  subnet_id      = aws_subnet.this["rds-${count.index}"].id
  route_table_id = aws_route_table.rds.id
}

# S3 over the AWS network, never the internet.
resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.main.id
  service_name      = "com.amazonaws.${var.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = concat(aws_route_table.eks_private[*].id, [aws_route_table.rds.id])
}


# One NACL per pair of subnets (tier), stateless, with return traffic.
resource "aws_network_acl" "eks_public" {
  vpc_id     = aws_vpc.main.id
  subnet_ids = [for k, s in aws_subnet.this : s.id if local.subnets[k].tier == "eks_public"]

  ingress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "0.0.0.0/0"
    from_port  = 443
    to_port    = 443
  }
  ingress {
    rule_no    = 110
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "0.0.0.0/0"
    from_port  = 1024
    to_port    = 65535
  }
  egress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "0.0.0.0/0"
    from_port  = 443
    to_port    = 443
  }
  egress {
    rule_no    = 110
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "0.0.0.0/0"
    from_port  = 1024
    to_port    = 65535
  }
  egress {
    rule_no    = 120
    action     = "allow"
    protocol   = "tcp"
    cidr_block = var.vpc_cidr
    from_port  = 8443
    to_port    = 8443
  }
}

resource "aws_network_acl" "eks_private" {
  vpc_id     = aws_vpc.main.id
  subnet_ids = [for k, s in aws_subnet.this : s.id if local.subnets[k].tier == "eks_private"]

  ingress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    cidr_block = var.vpc_cidr
    from_port  = 0
    to_port    = 65535
  }
  ingress {
    rule_no    = 110
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "0.0.0.0/0"
    from_port  = 1024
    to_port    = 65535
  }
  ingress {
    rule_no    = 120
    action     = "allow"
    protocol   = "udp"
    cidr_block = var.vpc_cidr
    from_port  = 53
    to_port    = 53
  }
  egress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "0.0.0.0/0"
    from_port  = 443
    to_port    = 443
  }
  egress {
    rule_no    = 110
    action     = "allow"
    protocol   = "tcp"
    cidr_block = var.vpc_cidr
    from_port  = 0
    to_port    = 65535
  }
  egress {
    rule_no    = 120
    action     = "allow"
    protocol   = "udp"
    cidr_block = var.vpc_cidr
    from_port  = 53
    to_port    = 53
  }
}

resource "aws_network_acl" "rds" {
  vpc_id     = aws_vpc.main.id
  subnet_ids = [for k, s in aws_subnet.this : s.id if local.subnets[k].tier == "rds"]

  dynamic "ingress" {
    for_each = { for i, az in var.azs : i => cidrsubnet(var.vpc_cidr, 8, 2 + i) }
    content {
      rule_no    = 100 + ingress.key
      action     = "allow"
      protocol   = "tcp"
      cidr_block = ingress.value
      from_port  = 5432
      to_port    = 5432
    }
  }
  dynamic "egress" {
    for_each = { for i, az in var.azs : i => cidrsubnet(var.vpc_cidr, 8, 2 + i) }
    content {
      rule_no    = 100 + egress.key
      action     = "allow"
      protocol   = "tcp"
      cidr_block = egress.value
      from_port  = 1024
      to_port    = 65535
    }
  }
}

resource "aws_default_security_group" "default" {
  vpc_id = aws_vpc.main.id
  ingress {
    protocol  = "-1"
    self      = true
    from_port = 0
    to_port   = 0
  }
}
