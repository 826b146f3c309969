"""bridges/sqs.py: a queue's RedrivePolicy reads back as AWS returns it (no change on a second plan)."""

import json

import pytest

pytestmark = pytest.mark.emulator


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
