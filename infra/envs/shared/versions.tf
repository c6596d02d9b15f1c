terraform {
  # 1.10: the S3 backend's native lock file (use_lockfile).
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # Remote state in S3 with S3-native locking (no DynamoDB lock table),
  # encrypted with the state bucket's KMS key (infra/bootstrap), named by its
  # alias: without kms_key_id, encrypt = true would ask S3 for SSE-S3, which
  # the state bucket refuses. The other values are supplied at init time,
  # never committed:
  #
  #   cp backend.hcl.example backend.hcl   # then edit it
  #   terraform init -backend-config=backend.hcl
  #
  # backend.hcl sets: bucket, key, region (see backend.hcl.example), and
  # kms_key_id if the state key has another alias than the bootstrap's default.
  backend "s3" {
    use_lockfile = true
    encrypt      = true
    kms_key_id   = "alias/medallion-terraform-state"
  }
}
