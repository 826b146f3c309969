terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

# One code path for AWS and the local emulator: with use_local_emulator (TF_VAR_use_local_emulator
# set by `make ... LOCAL=1` and the tests) the provider skips what a local endpoint cannot answer and
# gives up quickly, because a call the emulator lacks otherwise looks like a hang of many minutes.
# max_retries counts attempts (1 = no retry): 3 rides out a transient loopback error, seen once on KMS.
# The endpoint itself comes from the standard AWS_ENDPOINT_URL environment variable.
provider "aws" {
  region                      = var.aws_region
  skip_credentials_validation = var.use_local_emulator
  skip_metadata_api_check     = var.use_local_emulator
  s3_use_path_style           = var.use_local_emulator
  max_retries                 = var.use_local_emulator ? 3 : null

  default_tags {
    tags = {
      ManagedBy = "terraform"
      Stack     = "ndjson-intake"
    }
  }
}
