# The roles of one workload: each assumable by one AWS service, with one inline policy made of the
# statements the caller gives. Callers name every action and scope every resource; a statement on
# Resource "*" needs a condition (actions such as cloudwatch:PutMetricData accept no ARN), apart from the
# optional log delivery Step Functions needs (see below).

data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "assume" {
  for_each = var.roles

  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = [each.value.service]
    }
    # Confused-deputy guard: the service may assume the role only on behalf of this account.
    dynamic "condition" {
      for_each = each.value.source_account_condition ? [data.aws_caller_identity.current.account_id] : []

      content {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [condition.value]
      }
    }
  }
}

data "aws_iam_policy_document" "policy" {
  # checkov:skip=CKV_AWS_109: statements on "*" are the optional ExecutionLogDelivery (vended delivery accepts no other resource) and conditioned ones for actions without resource ARNs
  # checkov:skip=CKV_AWS_111: statements on "*" are the optional ExecutionLogDelivery (vended delivery accepts no other resource) and conditioned ones for actions without resource ARNs
  # checkov:skip=CKV_AWS_356: statements on "*" are the optional ExecutionLogDelivery (vended delivery accepts no other resource) and conditioned ones for actions without resource ARNs
  for_each = var.roles

  # A function writes to its own log group only.
  dynamic "statement" {
    for_each = each.value.log_group_arn == null ? [] : [each.value.log_group_arn]

    content {
      sid       = "OwnLogs"
      actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      resources = ["${statement.value}:*"]
    }
  }

  dynamic "statement" {
    for_each = each.value.statements

    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources

      dynamic "condition" {
        for_each = statement.value.conditions

        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }

  # The stack's data is encrypted with one key: a role reads and writes it through data keys only.
  dynamic "statement" {
    for_each = each.value.data_key == null ? [] : [each.value.data_key]

    content {
      sid       = "UseDataKey"
      actions   = concat(["kms:Decrypt", "kms:GenerateDataKey"], statement.value.encrypt ? ["kms:Encrypt"] : [])
      resources = [statement.value.key_arn]
    }
  }

  # Execution logging of a state machine goes through CloudWatch Logs "vended log" delivery, whose
  # calls AWS only authorises on Resource "*" (Step Functions developer guide, "IAM policies for logging").
  dynamic "statement" {
    for_each = each.value.vended_log_delivery ? ["ExecutionLogDelivery"] : []

    content {
      sid = statement.value
      actions = [
        "logs:CreateLogDelivery",
        "logs:DeleteLogDelivery",
        "logs:DescribeLogGroups",
        "logs:DescribeResourcePolicies",
        "logs:GetLogDelivery",
        "logs:ListLogDeliveries",
        "logs:PutResourcePolicy",
        "logs:UpdateLogDelivery",
      ]
      resources = ["*"]
    }
  }
}

resource "aws_iam_role" "this" {
  for_each = var.roles

  name               = "${var.name_prefix}-${each.key}"
  description        = each.value.description
  assume_role_policy = data.aws_iam_policy_document.assume[each.key].json
  tags               = var.tags
}

resource "aws_iam_role_policy" "this" {
  for_each = var.roles

  name   = each.key
  role   = aws_iam_role.this[each.key].id
  policy = data.aws_iam_policy_document.policy[each.key].json
}
