"""moto-backed fixtures for the manifest builder: one in-process AWS per test, a controllable clock."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote_plus

import boto3
import pytest
from manifest_builder.aws import AwsClients
from manifest_builder.config import Config
from manifest_builder.service import ManifestBuilder
from manifest_builder.tracking import table_definition
from moto import mock_aws

from local_aws.bridges import dynamodb as dynamodb_bridge

REGION = "us-east-1"
TABLE = "ndjson-intake-tracking"
INPUT_BUCKET = "intake-input"
MANIFEST_BUCKET = "intake-manifests"
QUARANTINE_BUCKET = "intake-quarantine"
TODAY = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
YESTERDAY = "2024-03-09"

_message_ids = itertools.count(1)


@pytest.fixture(autouse=True)
def item_level_transaction_rollback():
    with dynamodb_bridge.item_level_transaction_rollback():
        yield


@pytest.fixture
def atomic_emulator():
    with dynamodb_bridge.atomic_calls():
        yield


class Clock:
    def __init__(self, start: datetime = TODAY) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


def s3_notification(bucket: str, key: str, size: int, etag: str) -> dict[str, Any]:
    """The body S3 sends to SQS: the key URL-encoded the way S3 encodes it."""
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                    "object": {"key": quote_plus(key, safe="/"), "size": size, "eTag": etag},
                },
            }
        ]
    }


def sqs_record(body: dict[str, Any] | str) -> dict[str, Any]:
    return {
        "messageId": f"message-{next(_message_ids)}",
        "eventSource": "aws:sqs",
        "body": body if isinstance(body, str) else json.dumps(body),
    }


class EventFactory:
    """Builds the events Lambda receives; tests get it as the `events` fixture."""

    notification = staticmethod(s3_notification)
    record = staticmethod(sqs_record)

    @staticmethod
    def batch(*records: dict[str, Any]) -> dict[str, Any]:
        return {"Records": list(records)}

    @staticmethod
    def schedule() -> dict[str, Any]:
        return {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}


@pytest.fixture
def events() -> type[EventFactory]:
    return EventFactory


@dataclass
class Stack:
    """The resources the Lambda talks to, and the reads tests use to check their state."""

    clients: AwsClients
    state_machine_arn: str
    topic_arn: str
    notices_queue_url: str
    clock: Clock = field(default_factory=Clock)
    table = TABLE
    input_bucket = INPUT_BUCKET
    manifest_bucket = MANIFEST_BUCKET
    quarantine_bucket = QUARANTINE_BUCKET
    today = TODAY.date().isoformat()
    yesterday = YESTERDAY

    def env(self, **overrides: str) -> dict[str, str]:
        values = {
            "TRACKING_TABLE": TABLE,
            "MANIFEST_BUCKET": MANIFEST_BUCKET,
            "QUARANTINE_BUCKET": QUARANTINE_BUCKET,
            "STEP_FUNCTION_ARN": self.state_machine_arn,
            "SNS_TOPIC_ARN": self.topic_arn,
            "MAX_FILES_PER_MANIFEST": "5",
        }
        values.update(overrides)
        return values

    def builder(self, **overrides: str) -> ManifestBuilder:
        return ManifestBuilder(Config.from_environ(self.env(**overrides)), self.clients, now=self.clock.now)

    def upload(self, key: str, body: bytes = b'{"id": 1}\n', bucket: str = INPUT_BUCKET) -> dict[str, Any]:
        """Writes the object and returns the SQS record S3 would send for it."""
        response = self.clients.s3.put_object(Bucket=bucket, Key=key, Body=body)
        return sqs_record(s3_notification(bucket, key, len(body), response["ETag"].strip('"')))

    def items(self, date_prefix: str) -> dict[str, dict[str, Any]]:
        table = boto3.resource("dynamodb", region_name=REGION).Table(TABLE)
        query = {
            "KeyConditionExpression": "date_prefix = :d",
            "ExpressionAttributeValues": {":d": date_prefix},
            "ConsistentRead": True,
        }
        items: dict[str, dict[str, Any]] = {}
        while True:
            response = table.query(**query)
            items.update((item["file_key"], item) for item in response["Items"])
            if "LastEvaluatedKey" not in response:
                return items
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def files(self, date_prefix: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.items(date_prefix).items() if k.startswith("s3://")}

    def manifest_items(self, date_prefix: str) -> list[dict[str, Any]]:
        return [v for k, v in self.items(date_prefix).items() if k.startswith("MANIFEST#")]

    def manifest_documents(self) -> list[dict[str, Any]]:
        s3 = self.clients.s3
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=MANIFEST_BUCKET)
        keys = [o["Key"] for page in pages for o in page.get("Contents", [])]
        return [json.loads(s3.get_object(Bucket=MANIFEST_BUCKET, Key=key)["Body"].read()) for key in keys]

    def executions(self) -> list[dict[str, Any]]:
        sfn = self.clients.stepfunctions
        pages = sfn.get_paginator("list_executions").paginate(stateMachineArn=self.state_machine_arn)
        return [
            sfn.describe_execution(executionArn=e["executionArn"]) for p in pages for e in p["executions"]
        ]

    def add_state_machine(self, name: str) -> str:
        return create_state_machine(self.clients.stepfunctions, name)

    def notices(self) -> list[dict[str, Any]]:
        sqs = self.clients.sqs
        messages = sqs.receive_message(QueueUrl=self.notices_queue_url, MaxNumberOfMessages=10)
        return [json.loads(json.loads(m["Body"])["Message"]) for m in messages.get("Messages", [])]


@dataclass(frozen=True)
class ObservedClients(AwsClients):
    sqs: Any = None


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Stack:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        session = boto3.session.Session(region_name=REGION)
        base = AwsClients.create(session)
        clients = ObservedClients(base.dynamodb, base.s3, base.stepfunctions, base.sns, session.client("sqs"))
        create_tracking_table(clients.dynamodb)
        for bucket in (INPUT_BUCKET, MANIFEST_BUCKET, QUARANTINE_BUCKET):
            clients.s3.create_bucket(Bucket=bucket)
        topic_arn = clients.sns.create_topic(Name="intake-notices")["TopicArn"]
        queue_url = clients.sqs.create_queue(QueueName="intake-notices-observer")["QueueUrl"]
        queue_arn = clients.sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
        clients.sns.subscribe(
            TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn["Attributes"]["QueueArn"]
        )
        state_machine_arn = create_state_machine(clients.stepfunctions, "intake-pipeline")
        yield Stack(clients, state_machine_arn, topic_arn, queue_url)


def create_tracking_table(dynamodb: Any) -> None:
    dynamodb.create_table(**table_definition(TABLE))
    dynamodb.update_time_to_live(
        TableName=TABLE, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
    )


def create_state_machine(stepfunctions: Any, name: str) -> str:
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
    return stepfunctions.create_state_machine(
        name=name,
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/intake-state-machine",
    )["stateMachineArn"]
