aws_region                     = "us-east-1"
blank_step_function_arn        = false
blank_router_step_function_arn = false
alert_email_addresses          = []
