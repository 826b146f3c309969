# One table tracks files, manifests and the batch lock (see the manifest builder's README for the
# item kinds); all of them live under the date partition they belong to.
resource "aws_dynamodb_table" "tracking" {
  name                        = var.table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "date_prefix"
  range_key                   = "file_key"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "date_prefix"
    type = "S"
  }

  attribute {
    name = "file_key"
    type = "S"
  }

  # Lock items carry an expiry so a crashed holder cannot block batching for ever.
  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  tags = var.tags
}
