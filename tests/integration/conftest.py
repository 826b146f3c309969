"""The pipeline end to end: the dev stack applied to the session's emulator, the real manifest builder driven
from the intake queue, executions in the emulator, and the real Glue code on local Spark.

One stack for the whole session, the session's `dev_deployment` (tests/conftest.py), shared with the
Terraform suite: the apply is the costly part. Every scenario uses dates of its own, so its files,
manifests and output never meet another's (the Terraform suite's executions use 2026-01-15).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from local_aws import sample_data
from local_aws.deployment import Deployment


class Scenario:
    """Uploads, runs and reads one scenario's files on the shared deployment."""

    def __init__(self, deployment: Deployment) -> None:
        self.deployment = deployment
        self.outputs = deployment.outputs
        self.s3 = deployment.aws.client("s3")

    def upload(self, files: list[sample_data.SampleFile]) -> list[str]:
        return sample_data.upload(
            self.s3, self.outputs["input_bucket_name"], self.outputs["input_prefix"], files
        )

    def run(self) -> None:
        """What AWS does after uploads: the queue's messages to the handler, the sweep, the executions."""
        run = self.deployment.pipeline.drain_queue()
        assert run.failed_messages == []
        self.deployment.pipeline.sweep()
        self.deployment.pipeline.wait_for_executions(timeout_seconds=240)

    def items(self, date_prefix: str) -> dict[str, dict[str, Any]]:
        """The date's files and manifests (TrackedFile, TrackedManifest) by file key and manifest id."""
        from manifest_builder.tracking import TrackingTable
        from platform_ops.intake.inventory import load_inventory

        table = TrackingTable(self.deployment.aws.client("dynamodb"), self.outputs["tracking_table_name"])
        found = load_inventory(table, date_prefix)
        return {"files": {f.file_key: f for f in found.files}, "manifests": found.manifests}

    def executions_of(self, manifest_ids: list[str]) -> list[dict[str, Any]]:
        return [
            e
            for e in self.deployment.pipeline.executions()
            if any(e["name"].startswith(manifest_id) for manifest_id in manifest_ids)
        ]

    def platform_ops_intake(self, *arguments: str) -> int:
        from platform_ops.cli import main

        return main(["intake", "--function-name", self.outputs["manifest_builder_function_name"], *arguments])

    def alerts_queue(self, name: str) -> Callable[[], list[dict[str, Any]]]:
        """Subscribes a new queue to the alerts topic; returns a reader of the alerts it received since the
        last read."""
        sqs = self.deployment.aws.client("sqs")
        queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self.deployment.aws.client("sns").subscribe(
            TopicArn=self.outputs["alerts_topic_arn"], Protocol="sqs", Endpoint=queue_arn
        )

        def received() -> list[dict[str, Any]]:
            alerts = []
            while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get(
                "Messages", []
            ):
                alerts.extend(json.loads(m["Body"]) for m in messages)
                sqs.delete_message_batch(
                    QueueUrl=queue_url,
                    Entries=[{"Id": m["MessageId"], "ReceiptHandle": m["ReceiptHandle"]} for m in messages],
                )
            return alerts

        return received


@pytest.fixture(scope="module")
def scenario(dev_deployment, local_aws):
    """The module's access to the deployment, with the Spark Glue runner and the emulator's environment
    set meanwhile: the Glue runs' boto3 calls and the operator CLI find it through AWS_ENDPOINT_URL."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in local_aws.env.items():
            patch.setenv(name, value)
        patch.setattr(local_aws, "glue_runner", dev_deployment.glue_runner)
        yield Scenario(dev_deployment)


@pytest.fixture(scope="session")
def datamart_dsn(dev_deployment, postgres) -> str:
    """A database of the session's PostgreSQL, named by the dev stack's datamart secret: the datamart
    workflow (chained after the intake, or started by the router) loads into it."""
    dsn = postgres.create_database()
    dev_deployment.use_datamart_database(dsn)
    return dsn
