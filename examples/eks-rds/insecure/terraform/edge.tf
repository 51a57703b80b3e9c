# Internet → CloudFront (+WAF) → ALB (+WAF, CloudFront-only SG) → pods over HTTPS.

resource "aws_lb" "app" {
  name                       = "${var.name}-app"
  load_balancer_type         = "application"
  internal                   = false
  subnets                    = [for k, s in aws_subnet.this : s.id if local.subnets[k].tier == "eks_public"]
  security_groups            = [aws_security_group.alb.id]
  enable_deletion_protection = true
}

resource "aws_lb_target_group" "app" {
  name        = "${var.name}-app"
  port        = 8080
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = aws_vpc.main.id

  health_check {
    protocol = "HTTPS"
    path     = "/healthz"
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.app.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-2016-08"
  certificate_arn   = var.domain_certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.app.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}

resource "aws_wafv2_ip_set" "blocked" {
  name               = "${var.name}-blocked"
  scope              = "REGIONAL"
  ip_address_version = "IPV4"
  addresses          = []
}

resource "aws_wafv2_ip_set" "blocked_edge" {
  provider           = aws
  name               = "${var.name}-blocked-edge"
  scope              = "CLOUDFRONT"
  ip_address_version = "IPV4"
  addresses          = []
}

locals {
  waf_acls = {
    regional   = { scope = "REGIONAL", ip_set = aws_wafv2_ip_set.blocked.arn }
    cloudfront = { scope = "CLOUDFRONT", ip_set = aws_wafv2_ip_set.blocked_edge.arn }
  }
  managed_rule_groups = ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"]
}

resource "aws_wafv2_web_acl" "this" {
  for_each = local.waf_acls
  name     = "${var.name}-${each.key}"
  scope    = each.value.scope

  default_action {
    allow {}
  }

  rule {
    name     = "blocked-ips"
    priority = 0
    action {
      block {}
    }
    statement {
      ip_set_reference_statement {
        arn = each.value.ip_set
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "blocked-ips"
      sampled_requests_enabled   = true
    }
  }

  dynamic "rule" {
    for_each = { for i, name in local.managed_rule_groups : name => i + 1 }
    content {
      name     = rule.key
      priority = rule.value
      override_action {
        none {}
      }
      statement {
        managed_rule_group_statement {
          vendor_name = "AWS"
          name        = rule.key
        }
      }
      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = rule.key
        sampled_requests_enabled   = true
      }
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "${var.name}-${each.key}"
    sampled_requests_enabled   = true
  }
}


resource "aws_cloudfront_distribution" "app" {
  enabled = true
  aliases    = ["shop.example.com"]

  origin {
    domain_name = aws_lb.app.dns_name
    origin_id   = "alb"
    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "http-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }

  default_cache_behavior {
    target_origin_id       = "alb"
    viewer_protocol_policy = "allow-all"
    allowed_methods        = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
    cached_methods         = ["GET", "HEAD"]
    cache_policy_id        = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
  }

  viewer_certificate {
    acm_certificate_arn      = var.cloudfront_certificate_arn
    ssl_support_method       = "sni-only"
    minimum_protocol_version = "TLSv1"
  }

  logging_config {
    bucket = "${var.infosec_log_bucket}.s3.amazonaws.com"
    prefix = "cloudfront/${var.name}"
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }
}
