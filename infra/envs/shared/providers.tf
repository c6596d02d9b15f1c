provider "aws" {
  region = var.aws_region

  default_tags {
    tags = merge(var.tags, {
      Project     = var.project
      Environment = local.environment
      ManagedBy   = "terraform"
    })
  }
}
