"""One in-process moto account per test: the landing bucket with its config, the decisions table, the
alerts topic (read through a subscribed queue) and the routing state machine; the handler run in process."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from file_router import handler
from file_router.decisions import table_definition
from moto import mock_aws

REGION = "us-east-1"
BUCKET = "landing"
TABLE = "router-decisions"
LOAD_JOB = "datamart-load"

CONFIG = [
    {
        "job_id": "JOB001",
        "job_name": LOAD_JOB,
        "source_file_name": "customers.csv",
        "target_table": "staging.customers",
        "upsert_keys": ["customer_id"],
        "is_active": True,
    },
    {
        "job_id": "JOB002",
        "source_file_name": "orders.csv",
        "target_table": "staging.orders",
        "upsert_keys": ["order_id"],
        "is_active": True,
    },
    {
        "job_id": "JOB003",
        "source_file_name": "products.csv",
        "target_table": "staging.products",
        "upsert_keys": ["product_id"],
        "is_active": False,
    },
    {
        "job_id": "JOB004",
        "source_file_name": "sales.csv",
        "target_table": "staging.sales",
        "upsert_keys": ["sale_id"],
        "is_active": True,
        "match": "template",
        "pattern": "sales_{date:%Y%m%d}.csv",
    },
]

_sequencers = itertools.count(1)


@dataclass
class Account:
    s3: Any
    dynamodb: Any
    sqs: Any
    sfn: Any
    queue_url: str
    topic_arn: str
    state_machine_arn: str

    def put_config(self, config: Any) -> str:
        body = config if isinstance(config, str) else json.dumps(config)
        return self.s3.put_object(Bucket=BUCKET, Key="config/config.json", Body=body.encode())["ETag"].strip(
            '"'
        )

    def land(self, key: str, body: bytes = b"id\n1\n", **extra: Any) -> dict[str, Any]:
        """Uploads `key` and returns the EventBridge event S3 sends for it."""
        response = self.s3.put_object(Bucket=BUCKET, Key=key, Body=body, **extra)
        return object_created(key, len(body), response["ETag"].strip('"'), response.get("VersionId", ""))

    def notices(self) -> list[dict[str, Any]]:
        """The alerts topic's messages so far: subject and the JSON message."""
        found = []
        while messages := self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get(
            "Messages", []
        ):
            for message in messages:
                envelope = json.loads(message["Body"])
                found.append({"subject": envelope.get("Subject"), **json.loads(envelope["Message"])})
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return found

    def keys(self, prefix: str = "") -> list[str]:
        listing = self.s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def executions(self) -> list[dict[str, Any]]:
        return self.sfn.list_executions(stateMachineArn=self.state_machine_arn)["executions"]

    def execution_input(self, name: str) -> dict[str, Any]:
        arn = self.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{name}"
        return json.loads(self.sfn.describe_execution(executionArn=arn)["input"])

    def settle_request(self, execution: str, failed_jobs: dict[str, tuple[str, str]] | None = None) -> dict:
        """What the routing state machine sends once the loads of `execution` ended: `failed_jobs` maps a
        job id to its (error, cause); every other job succeeded."""
        document = self.execution_input(execution)
        failed_jobs = failed_jobs or {}
        results = []
        for job in document["glue_jobs"]:
            error, cause = failed_jobs.get(job["job_id"], ("", ""))
            results.append(
                {
                    "job_id": job["job_id"],
                    "failed": job["job_id"] in failed_jobs,
                    "error": error,
                    "cause": cause,
                }
            )
        return {"settle": {"file": document["file"], "results": results}}

    def decision(self, key: str) -> dict[str, Any]:
        (item,) = self.dynamodb.query(
            TableName=TABLE,
            KeyConditionExpression="#f = :f",
            ExpressionAttributeNames={"#f": "file"},
            ExpressionAttributeValues={":f": {"S": f"s3://{BUCKET}/{key}"}},
        )["Items"]
        return item


def object_created(
    key: str, size: int, etag: str, version_id: str = "", bucket: str = BUCKET
) -> dict[str, Any]:
    detail_object = {"key": key, "size": size, "etag": etag, "sequencer": f"{next(_sequencers):016X}"}
    if version_id:
        detail_object["version-id"] = version_id
    return {
        "version": "0",
        "detail-type": "Object Created",
        "source": "aws.s3",
        "region": REGION,
        "detail": {
            "version": "0",
            "bucket": {"name": bucket},
            "object": detail_object,
            "reason": "PutObject",
        },
    }


@pytest.fixture
def account(monkeypatch) -> Account:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        session = boto3.session.Session(region_name=REGION)
        s3, sqs, sns = session.client("s3"), session.client("sqs"), session.client("sns")
        dynamodb, sfn, iam = (
            session.client("dynamodb"),
            session.client("stepfunctions"),
            session.client("iam"),
        )
        s3.create_bucket(Bucket=BUCKET)
        dynamodb.create_table(**table_definition(TABLE))
        topic_arn = sns.create_topic(Name="alerts")["TopicArn"]
        queue_url = sqs.create_queue(QueueName="alerts-reader")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
        role = iam.create_role(RoleName="sfn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        definition = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})
        state_machine_arn = sfn.create_state_machine(name="routing", definition=definition, roleArn=role)[
            "stateMachineArn"
        ]
        account = Account(s3, dynamodb, sqs, sfn, queue_url, topic_arn, state_machine_arn)
        account.put_config(CONFIG)
        yield account


@pytest.fixture
def router_environment(account, monkeypatch) -> dict[str, str]:
    environment = {
        "SNS_TOPIC_ARN": account.topic_arn,
        "STEP_FUNCTION_ARN": account.state_machine_arn,
        "DECISIONS_TABLE": TABLE,
        "DEPLOYED_LOAD_JOBS": LOAD_JOB,
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return environment


@pytest.fixture
def invoke(router_environment, lambda_context):
    """Runs the handler as Lambda would, in a fresh container: `invoke(event)`."""
    handler._router.cache_clear()
    yield lambda event: handler.lambda_handler(event, lambda_context())
    handler._router.cache_clear()
