aws_region                     = "us-east-1"
blank_step_function_arn        = false
blank_router_step_function_arn = false
alert_email_addresses          = []

# The dev VPC's private subnets and the datamart's security group, and the secret of its PostgreSQL.
datamart_network = {
  subnet_ids         = ["subnet-0a4e1c9d2b7f63815", "subnet-0c6b2d8e3a9f41726"]
  security_group_ids = ["sg-0e7d3b5a1c9f24860"]
  availability_zone  = "us-east-1a"
}
datamart_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ndjson-intake-dev-datamart-Xy12Ab"
