terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # Remote state in S3 with S3-native locking (no DynamoDB lock table).
  # The values are supplied at init time, never committed:
  #
  #   cp backend.hcl.example backend.hcl   # then edit it
  #   terraform init -backend-config=backend.hcl
  #
  # backend.hcl sets: bucket, key, region (see backend.hcl.example).
  backend "s3" {
    use_lockfile = true
    encrypt      = true
  }
}
