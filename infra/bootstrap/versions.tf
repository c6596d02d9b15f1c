terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # Local state on purpose: this configuration creates the bucket that holds
  # every other configuration's state. Keep its terraform.tfstate safe (it
  # holds no secrets), or import the bucket again if it is lost.
}
