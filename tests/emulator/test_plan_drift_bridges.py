"""Attributes read back as AWS returns them, so a second Terraform plan shows no changes."""

import io
import json
import zipfile

import pytest

pytestmark = pytest.mark.emulator

TRUST_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


def _zip_with_handler() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as package:
        package.writestr("handler.py", "def lambda_handler(event, context):\n    return None\n")
    return archive.getvalue()


@pytest.fixture
def create_function(local_aws, unique_name):
    role_arn = local_aws.client("iam").create_role(
        RoleName=unique_name, AssumeRolePolicyDocument=TRUST_POLICY
    )["Role"]["Arn"]

    def create(**settings):
        return local_aws.client("lambda").create_function(
            FunctionName=unique_name,
            Runtime="python3.12",
            Role=role_arn,
            Handler="handler.lambda_handler",
            Code={"ZipFile": _zip_with_handler()},
            **settings,
        )

    return create


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
