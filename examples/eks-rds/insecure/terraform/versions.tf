# The insecure twin of ../../secure: the same system with the classic
# mistakes the seeds warn about. `palisade scan` must find each of them.

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
