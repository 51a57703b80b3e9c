# The reference architecture of the seed documents: EKS workloads in front of
# an RDS PostgreSQL database, secured in depth. `palisade scan` reports
# nothing here; ../../insecure is its twin with the classic mistakes.

terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.60"
    }
  }
}

provider "aws" {
  region = var.region
}
