aws_region                     = "us-east-1"
blank_step_function_arn        = false
blank_router_step_function_arn = false
alert_email_addresses          = []

# The prod VPC's private subnets (one per availability zone) and the datamart's security group.
datamart_network = {
  subnet_ids         = ["subnet-0b5f2e8c1d3a47692", "subnet-0d8a3f6b2e1c59743", "subnet-0f1c4a7d9b2e63815"]
  security_group_ids = ["sg-0a9c4e2b7d1f35806"]
  availability_zone  = "us-east-1a"
}
