"""A bucket's notifications to EventBridge are read back, as AWS returns them (Terraform sees no drift)."""

import pytest
from moto.s3.responses import S3Response

from local_aws.bridges import s3 as s3_bridge

pytestmark = pytest.mark.emulator


def _notify(s3, bucket: str, queue_arn: str) -> dict:
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "Id": "intake",
                    "QueueArn": queue_arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "incoming/"}]}},
                }
            ],
            "EventBridgeConfiguration": {},
        },
    )
    answer = s3.get_bucket_notification_configuration(Bucket=bucket)
    answer.pop("ResponseMetadata")
    return answer


def _queue_arn(sqs, name: str) -> str:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def test_the_eventbridge_configuration_is_returned_beside_the_queues(local_aws, unique_name):
    local_aws.client("s3").create_bucket(Bucket=unique_name)
    queue_arn = _queue_arn(local_aws.client("sqs"), unique_name)

    assert _notify(local_aws.client("s3"), unique_name, queue_arn) == {
        "QueueConfigurations": [
            {
                "Id": "intake",
                "QueueArn": queue_arn,
                "Events": ["s3:ObjectCreated:*"],
                "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "incoming/"}]}},
            }
        ],
        "EventBridgeConfiguration": {},
    }


def test_moto_alone_leaves_the_eventbridge_configuration_out(in_process_moto, monkeypatch):
    monkeypatch.setattr(S3Response, "get_bucket_notification", s3_bridge.moto_get_bucket_notification)
    in_process_moto("s3").create_bucket(Bucket="landing-unbridged")

    answer = _notify(in_process_moto("s3"), "landing-unbridged", _queue_arn(in_process_moto("sqs"), "q"))

    assert "EventBridgeConfiguration" not in answer
