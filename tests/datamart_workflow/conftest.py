"""The workflow's steps against the session's emulator (S3, DynamoDB, SNS, Secrets Manager) and PostgreSQL.

Each test gets its own buckets, runs table, topics and database, the sample bundle deployed as Terraform
deploys it (bundles/<name>/<version>/… and bundles/<name>/current.json), and a day of the intake's Parquet.
"""

from __future__ import annotations

import io
import json
import random
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import boto3
import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datamart_workflow import bundles, layout
from datamart_workflow.runs import RunStore
from datamart_workflow.runtime import Runtime
from datamart_workflow.settings import Settings
from datamart_workflow.store import WorkflowStore

from local_aws.sample_data import ndjson_lines

REPO = Path(__file__).resolve().parents[2]
SAMPLE_BUNDLE = REPO / "config" / "bundles" / "events"
DAY = "2026-11-27"
MANIFEST = f"{DAY}-101500-0123456789ab"


def pytest_collection_modifyitems(items):
    for item in items:
        if "postgres" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)
        if "local_aws" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.emulator)


def deploy_bundle(s3, bucket: str, folder: Path, files: dict[str, bytes] | None = None) -> str:
    """The bundle's files under its version and the pointer to it, as terraform/datamart.tf writes them."""
    files = files if files is not None else bundles.read_folder(folder)
    version = bundles.version(files)
    for path, body in files.items():
        s3.put_object(Bucket=bucket, Key=layout.bundle_version_prefix(folder.name, version) + path, Body=body)
    pointer = {"bundle": folder.name, "version": version}
    s3.put_object(
        Bucket=bucket, Key=layout.bundle_pointer_key(folder.name), Body=json.dumps(pointer).encode()
    )
    return version


def intake_parquet(events: int, day: str = DAY, seed: int = 3) -> bytes:
    """A manifest's Parquet as the intake writes it: every column text, plus its two added columns."""
    records = [json.loads(line) for line in ndjson_lines(random.Random(seed), day, events)]
    columns = {
        name: [value if isinstance(value, str) else json.dumps(value, ensure_ascii=False) for value in values]
        for name, values in (
            (n, [r[n] for r in records]) for n in ("event_id", "user", "tags", "amount", "ts")
        )
    }
    columns["_source_file"] = [f"s3://in/incoming/{day}/events.ndjson"] * events
    buffer = io.BytesIO()
    table = pa.table(columns).append_column(
        "_processing_timestamp", pa.array([None] * events, pa.timestamp("us"))
    )
    pq.write_table(table, buffer)
    return buffer.getvalue()


@dataclass
class Workflow:
    runtime: Runtime
    s3: object
    sqs: object
    dsn: str
    alerts_queue: str
    notices_queue: str

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    def put_manifest_parquet(self, manifest_id: str = MANIFEST, events: int = 40, seed: int = 3) -> None:
        day = manifest_id[:10]
        key = (
            layout.intake_manifest_prefix(self.settings.intake_parquet_prefix, day, manifest_id)
            + "part-0.parquet"
        )
        self.s3.put_object(
            Bucket=self.settings.intake_bucket, Key=key, Body=intake_parquet(events, day, seed)
        )

    def messages(self, queue_url: str) -> list[dict]:
        received = self.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        return [json.loads(json.loads(message["Body"])["Message"]) for message in received]

    def rows(self, sql: str) -> list[tuple]:
        with psycopg.connect(self.dsn, autocommit=True) as connection:
            return connection.execute(sql).fetchall()

    def execute(self, sql: str) -> None:
        with psycopg.connect(self.dsn, autocommit=True) as connection:
            connection.execute(sql)


def _topic_with_queue(sns, sqs, name: str) -> tuple[str, str]:
    topic = sns.create_topic(Name=name)["TopicArn"]
    queue = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    return topic, queue


@pytest.fixture
def database(postgres) -> str:
    return postgres.create_database()


@pytest.fixture
def workflow(local_aws_env, database) -> Workflow:
    name = f"dmw-{uuid.uuid4().hex[:10]}"
    s3, dynamodb, sns, sqs, secrets = (
        boto3.client(service) for service in ("s3", "dynamodb", "sns", "sqs", "secretsmanager")
    )
    config_bucket, intake_bucket = f"{name}-config", f"{name}-intake"
    for bucket in (config_bucket, intake_bucket):
        s3.create_bucket(Bucket=bucket)
    dynamodb.create_table(
        TableName=f"{name}-runs",
        AttributeDefinitions=[{"AttributeName": "run_id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "run_id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    url = urlparse(database)
    secret = secrets.create_secret(
        Name=f"{name}-db",
        SecretString=json.dumps(
            {
                "host": url.hostname,
                "port": url.port,
                "dbname": url.path.lstrip("/"),
                "username": url.username,
                "password": "unused-by-trust-authentication",
                "sslmode": "disable",
            }
        ),
    )["ARN"]
    alerts, alerts_queue = _topic_with_queue(sns, sqs, f"{name}-alerts")
    notices, notices_queue = _topic_with_queue(sns, sqs, f"{name}-notices")
    settings = Settings(
        config_bucket=config_bucket,
        runs_table=f"{name}-runs",
        intake_bucket=intake_bucket,
        datamart_secret_arn=secret,
        notify_topic_arn=notices,
        alerts_topic_arn=alerts,
    )
    runtime = Runtime(
        settings=settings,
        store=WorkflowStore(s3),
        runs=RunStore(dynamodb, settings.runs_table),
        sns=sns,
        secrets=secrets,
    )
    deploy_bundle(s3, config_bucket, SAMPLE_BUNDLE)
    return Workflow(runtime, s3, sqs, database, alerts_queue, notices_queue)
