# Remote state in S3 with S3-native locking. The bucket and region are the deploying account's, so
# they are given at init time (partial configuration): copy backend.hcl.example to backend.hcl.
terraform {
  backend "s3" {
    key          = "ndjson-intake/prod/terraform.tfstate"
    encrypt      = true
    use_lockfile = true
  }
}
