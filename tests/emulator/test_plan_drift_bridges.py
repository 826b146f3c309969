"""Attributes read back as AWS returns them, so a second Terraform plan shows no changes."""

import json

import pytest

pytestmark = pytest.mark.emulator


def test_lambda_function_without_logging_config_reports_the_aws_default(
    local_aws, create_function, unique_name
):
    create_function()

    configuration = local_aws.client("lambda").get_function(FunctionName=unique_name)["Configuration"]

    assert configuration["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{unique_name}"}


def test_lambda_function_reports_the_logging_config_it_was_given_and_updated_with(
    local_aws, create_function, unique_name
):
    create_function(LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "INFO"})
    local_aws.client("lambda").update_function_configuration(
        FunctionName=unique_name, LoggingConfig={"LogGroup": "/custom/manifest-builder"}
    )

    configuration = local_aws.client("lambda").get_function(FunctionName=unique_name)["Configuration"]

    assert configuration["LoggingConfig"] == {
        "LogFormat": "JSON",
        "ApplicationLogLevel": "INFO",
        "LogGroup": "/custom/manifest-builder",
    }


def test_sqs_redrive_policy_reads_back_as_compact_json(local_aws, unique_name):
    sqs = local_aws.client("sqs")
    dead_letter_url = sqs.create_queue(QueueName=f"{unique_name}-dlq")["QueueUrl"]
    dead_letter_arn = sqs.get_queue_attributes(QueueUrl=dead_letter_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    redrive_policy = json.dumps(
        {"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": 5}, separators=(",", ":")
    )
    queue_url = sqs.create_queue(QueueName=unique_name, Attributes={"RedrivePolicy": redrive_policy})[
        "QueueUrl"
    ]

    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["RedrivePolicy"])["Attributes"]

    assert attributes["RedrivePolicy"] == redrive_policy
