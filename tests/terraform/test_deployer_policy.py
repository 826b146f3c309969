"""docs/deployer-policy.json, the policy of the role running `terraform apply`, covers what the plans deploy.

The plans' resource types are read from the inventories (tests/terraform/inventories/*.yaml), which
test_plan_environments.py keeps equal to the real plans. A new resource type fails here until the policy
and REQUIRED_ACTIONS say how it is created, changed and deleted.
"""

import json
from fnmatch import fnmatchcase

import pytest

from local_aws.stack import REPO_ROOT

POLICY = REPO_ROOT / "docs" / "deployer-policy.json"

# What Terraform calls to create, update and delete each resource type (a minimum, not the whole list).
REQUIRED_ACTIONS = {
    "aws_cloudwatch_dashboard": [
        "cloudwatch:PutDashboard",
        "cloudwatch:GetDashboard",
        "cloudwatch:DeleteDashboards",
    ],
    "aws_cloudwatch_event_rule": ["events:PutRule", "events:DescribeRule", "events:DeleteRule"],
    "aws_cloudwatch_event_target": ["events:PutTargets", "events:ListTargetsByRule", "events:RemoveTargets"],
    "aws_cloudwatch_log_group": ["logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:DeleteLogGroup"],
    "aws_cloudwatch_metric_alarm": [
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:DescribeAlarms",
        "cloudwatch:DeleteAlarms",
    ],
    "aws_dynamodb_table": [
        "dynamodb:CreateTable",
        "dynamodb:UpdateContinuousBackups",
        "dynamodb:DeleteTable",
    ],
    "aws_glue_catalog_database": ["glue:CreateDatabase", "glue:GetDatabase", "glue:DeleteDatabase"],
    "aws_glue_catalog_table": ["glue:CreateTable", "glue:GetTable", "glue:UpdateTable", "glue:DeleteTable"],
    "aws_glue_job": ["glue:CreateJob", "glue:UpdateJob", "glue:DeleteJob"],
    "aws_glue_security_configuration": [
        "glue:CreateSecurityConfiguration",
        "glue:DeleteSecurityConfiguration",
    ],
    "aws_iam_role": ["iam:CreateRole", "iam:UpdateAssumeRolePolicy", "iam:DeleteRole", "iam:PassRole"],
    "aws_iam_role_policy": ["iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy"],
    "aws_kms_alias": ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"],
    "aws_kms_key": ["kms:CreateKey", "kms:PutKeyPolicy", "kms:EnableKeyRotation", "kms:ScheduleKeyDeletion"],
    "aws_lambda_event_source_mapping": ["lambda:CreateEventSourceMapping", "lambda:DeleteEventSourceMapping"],
    "aws_lambda_function": ["lambda:CreateFunction", "lambda:UpdateFunctionCode", "lambda:DeleteFunction"],
    "aws_lambda_permission": ["lambda:AddPermission", "lambda:GetPolicy", "lambda:RemovePermission"],
    "aws_s3_bucket": ["s3:CreateBucket", "s3:ListBucket", "s3:DeleteBucket"],
    "aws_s3_bucket_lifecycle_configuration": ["s3:PutLifecycleConfiguration", "s3:GetLifecycleConfiguration"],
    "aws_s3_bucket_logging": ["s3:PutBucketLogging", "s3:GetBucketLogging"],
    "aws_s3_bucket_notification": ["s3:PutBucketNotification", "s3:GetBucketNotification"],
    "aws_s3_bucket_ownership_controls": ["s3:PutBucketOwnershipControls", "s3:GetBucketOwnershipControls"],
    "aws_s3_bucket_policy": ["s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy"],
    "aws_s3_bucket_public_access_block": ["s3:PutBucketPublicAccessBlock", "s3:GetBucketPublicAccessBlock"],
    "aws_s3_bucket_server_side_encryption_configuration": [
        "s3:PutEncryptionConfiguration",
        "s3:GetEncryptionConfiguration",
    ],
    "aws_s3_bucket_versioning": ["s3:PutBucketVersioning", "s3:GetBucketVersioning"],
    "aws_s3_object": ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "kms:GenerateDataKey"],
    "aws_sfn_state_machine": [
        "states:CreateStateMachine",
        "states:UpdateStateMachine",
        "states:DeleteStateMachine",
    ],
    "aws_sns_topic": ["sns:CreateTopic", "sns:GetTopicAttributes", "sns:DeleteTopic"],
    "aws_sns_topic_policy": ["sns:SetTopicAttributes"],
    "aws_sns_topic_subscription": ["sns:Subscribe", "sns:Unsubscribe"],
    "aws_sqs_queue": ["sqs:CreateQueue", "sqs:SetQueueAttributes", "sqs:DeleteQueue"],
    "aws_glue_connection": ["glue:CreateConnection", "glue:UpdateConnection", "glue:DeleteConnection"],
    "aws_db_subnet_group": [
        "rds:CreateDBSubnetGroup",
        "rds:DescribeDBSubnetGroups",
        "rds:DeleteDBSubnetGroup",
    ],
    "aws_rds_cluster": [
        "rds:CreateDBCluster",
        "rds:ModifyDBCluster",
        "rds:DeleteDBCluster",
        "ec2:DescribeSubnets",
    ],
    "aws_rds_cluster_instance": ["rds:CreateDBInstance", "rds:DescribeDBInstances", "rds:DeleteDBInstance"],
    "aws_secretsmanager_secret": [
        "secretsmanager:CreateSecret",
        "secretsmanager:DescribeSecret",
        "secretsmanager:DeleteSecret",
    ],
    "aws_secretsmanager_secret_version": [
        "secretsmanager:PutSecretValue",
        "secretsmanager:GetRandomPassword",
    ],
}


@pytest.fixture(scope="module")
def allowed_actions() -> list[str]:
    statements = json.loads(POLICY.read_text())["Statement"]
    return [
        action for statement in statements if statement["Effect"] == "Allow" for action in statement["Action"]
    ]


def planned_resource_types(plan_tools) -> set[str]:
    return {
        resource_type
        for name in ("dev.yaml", "prod.yaml")
        for resource_type in plan_tools.load_inventory(name)["counts"]
    }


def test_every_planned_resource_type_has_its_required_actions_listed(plan_tools):
    assert planned_resource_types(plan_tools) - REQUIRED_ACTIONS.keys() == set()


@pytest.mark.parametrize("resource_type", sorted(REQUIRED_ACTIONS))
def test_deployer_policy_allows_what_terraform_calls_for(allowed_actions, resource_type):
    missing = [
        action
        for action in REQUIRED_ACTIONS[resource_type]
        if not any(fnmatchcase(action, pattern) for pattern in allowed_actions)
    ]
    assert missing == []


def test_deployer_policy_scopes_every_resource_to_the_stack_names_but_account_wide_actions():
    statements = json.loads(POLICY.read_text())["Statement"]
    wildcard = [statement["Sid"] for statement in statements if "*" in statement["Resource"]]
    assert wildcard == ["ActionsAwsAuthorisesOnlyOnAnyResource"]
    for statement in statements:
        if statement["Resource"] != ["*"]:
            assert all(_scoped(arn) for arn in statement["Resource"])


def _scoped(arn: str) -> bool:
    # Data Catalog names take underscores, not hyphens; Glue authorises a table's and a connection's calls on
    # the account's one catalog too, beside the database, the table and the connection.
    return "ndjson-intake-*" in arn or "ndjson_intake_*" in arn or arn.endswith((":key/*", ":catalog"))


def test_passed_roles_go_only_to_the_services_that_assume_them():
    statements = json.loads(POLICY.read_text())["Statement"]
    (passing,) = [statement for statement in statements if "iam:PassRole" in statement["Action"]]
    assert passing["Condition"]["StringEquals"]["iam:PassedToService"] == [
        "events.amazonaws.com",
        "glue.amazonaws.com",
        "lambda.amazonaws.com",
        "states.amazonaws.com",
    ]
