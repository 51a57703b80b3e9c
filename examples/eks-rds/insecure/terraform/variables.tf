variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "name" {
  type    = string
  default = "shop"
}

variable "vpc_cidr" {
  type    = string
  default = "10.10.0.0/16"
}

variable "azs" {
  type    = list(string)
  default = ["eu-west-1a", "eu-west-1b"]
}

variable "account_id" {
  type    = string
  default = "111122223333"
}

variable "infosec_log_bucket" {
  description = "CloudTrail bucket in the separate infosec account"
  type        = string
  default     = "infosec-org-cloudtrail-111122223333"
}

variable "domain_certificate_arn" {
  type    = string
  default = "arn:aws:acm:eu-west-1:111122223333:certificate/0b5b3f0e-1111-2222-3333-444455556666"
}

variable "cloudfront_certificate_arn" {
  type    = string
  default = "arn:aws:acm:us-east-1:111122223333:certificate/9c1d2e3f-1111-2222-3333-444455556666"
}
