"""Messages sent to a queue with a Lambda event source mapping wait in the queue for the project's poller."""

import json

import pytest

from local_aws.bridges import awslambda

pytestmark = pytest.mark.emulator


def _queue_with_dead_letter_queue(sqs, name: str) -> tuple[str, str, str]:
    """(queue URL, queue ARN, dead-letter queue URL); messages move after 5 receives."""
    dead_letter_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dead_letter_arn = _arn(sqs, dead_letter_url)
    redrive_policy = json.dumps({"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": 5})
    queue_url = sqs.create_queue(QueueName=name, Attributes={"RedrivePolicy": redrive_policy})["QueueUrl"]
    return queue_url, _arn(sqs, queue_url), dead_letter_url


def _arn(sqs, queue_url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _message_count(sqs, queue_url: str) -> int:
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def test_messages_stay_in_a_queue_with_an_event_source_mapping(local_aws, create_function, unique_name):
    sqs = local_aws.client("sqs")
    queue_url, queue_arn, dead_letter_url = _queue_with_dead_letter_queue(sqs, unique_name)
    create_function()
    local_aws.client("lambda").create_event_source_mapping(
        EventSourceArn=queue_arn, FunctionName=unique_name, BatchSize=10
    )

    for number in range(8):
        sqs.send_message(QueueUrl=queue_url, MessageBody=f"s3 notification {number}")

    assert (_message_count(sqs, queue_url), _message_count(sqs, dead_letter_url)) == (8, 0)


def test_the_mapping_reads_back_through_the_lambda_api(local_aws, create_function, unique_name):
    sqs = local_aws.client("sqs")
    _, queue_arn, _ = _queue_with_dead_letter_queue(sqs, unique_name)
    create_function()
    lambda_client = local_aws.client("lambda")
    mapping_uuid = lambda_client.create_event_source_mapping(
        EventSourceArn=queue_arn, FunctionName=unique_name
    )["UUID"]

    mapping = lambda_client.get_event_source_mapping(UUID=mapping_uuid)

    assert (mapping["EventSourceArn"], mapping["State"]) == (queue_arn, "Enabled")


def test_moto_alone_moves_unconsumed_messages_to_the_dead_letter_queue(in_process_moto, monkeypatch):
    monkeypatch.setattr(
        awslambda.LambdaBackend,
        "create_event_source_mapping",
        awslambda.moto_create_event_source_mapping,
    )
    sqs, lambda_client = in_process_moto("sqs"), in_process_moto("lambda")
    queue_url, queue_arn, dead_letter_url = _queue_with_dead_letter_queue(sqs, "intake")
    role_arn = in_process_moto("iam").create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    lambda_client.create_function(
        FunctionName="fn", Runtime="python3.12", Role=role_arn, Handler="h.handler", Code={"ZipFile": b"PK"}
    )
    lambda_client.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName="fn", BatchSize=10)

    for number in range(8):
        sqs.send_message(QueueUrl=queue_url, MessageBody=f"s3 notification {number}")

    assert _message_count(sqs, dead_letter_url) > 0


def test_messages_stay_in_the_queue_after_an_apply_updates_the_mapping(
    local_aws, create_function, unique_name
):
    sqs = local_aws.client("sqs")
    queue_url, queue_arn, dead_letter_url = _queue_with_dead_letter_queue(sqs, unique_name)
    create_function()
    lambda_client = local_aws.client("lambda")
    mapping_uuid = lambda_client.create_event_source_mapping(
        EventSourceArn=queue_arn, FunctionName=unique_name, BatchSize=10
    )["UUID"]
    # What a Terraform apply sends when the mapping drifted from the stack's declaration.
    lambda_client.update_event_source_mapping(UUID=mapping_uuid, Enabled=False)
    lambda_client.update_event_source_mapping(UUID=mapping_uuid, Enabled=True, BatchSize=5)

    for number in range(8):
        sqs.send_message(QueueUrl=queue_url, MessageBody=f"s3 notification {number}")

    assert (_message_count(sqs, queue_url), _message_count(sqs, dead_letter_url)) == (8, 0)
