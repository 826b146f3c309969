"""SQS → Lambda: Lambda's poller for each event source mapping on a queue.

moto's own delivery is cut by bridges/awslambda.py (it would need Docker, and fails every message into the
dead-letter queue), so the messages wait here: a batch of at most the mapping's BatchSize is received, the
mapping's function is invoked with the records Lambda builds, and the messages the function did not report
in `batchItemFailures` are deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from local_aws.functions import LocalFunctions, function_name

REGION = "us-east-1"


@dataclass
class QueueRun:
    """What the deliveries of one mapping did."""

    invocations: int = 0
    messages: int = 0
    failed_messages: list[str] = field(default_factory=list)


def queue_mappings(client: Callable[[str], Any], function: str | None = None) -> list[dict[str, Any]]:
    """The enabled event source mappings whose source is an SQS queue (of one function, if named)."""
    # Filtered here: moto's ListEventSourceMappings compares FunctionName with what the mapping was created
    # with (Terraform gives the ARN), not with the function it resolves to, as AWS does.
    pages = client("lambda").get_paginator("list_event_source_mappings").paginate()
    return [
        mapping
        for page in pages
        for mapping in page["EventSourceMappings"]
        if mapping["EventSourceArn"].startswith("arn:aws:sqs:")
        and mapping.get("State") == "Enabled"
        and function in (None, function_name(mapping["FunctionArn"]))
    ]


class QueueDelivery:
    """Delivers one mapping's queue to its function."""

    def __init__(
        self, client: Callable[[str], Any], functions: LocalFunctions, mapping: dict[str, Any]
    ) -> None:
        self._sqs = client("sqs")
        self._functions = functions
        self.queue_arn = mapping["EventSourceArn"]
        self.function_name = function_name(mapping["FunctionArn"])
        self.batch_size = mapping["BatchSize"]
        self.queue_url = self._sqs.get_queue_url(QueueName=self.queue_arn.rsplit(":", 1)[1])["QueueUrl"]
        self.run = QueueRun()

    def deliver(self, wait_seconds: int = 0, retry_failed_at_once: bool = False) -> int:
        """Receives one batch (waiting up to `wait_seconds` for one) and invokes the function with it.

        Returns the number of messages received. Messages reported failed become visible again after the
        queue's visibility timeout, as on AWS, or at once with `retry_failed_at_once` (a test that drains
        the queue does not wait); the redrive policy moves one that keeps failing to the dead-letter queue.
        """
        # One receive, of at most 10 messages (SQS's limit): Lambda's poller would gather larger batches
        # over the mapping's batching window, which no local volume needs.
        messages = self._sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=min(self.batch_size, 10),
            AttributeNames=["All"],
            WaitTimeSeconds=wait_seconds,
        ).get("Messages", [])
        if not messages:
            return 0
        response = self._functions.invoke(
            self.function_name, {"Records": [_sqs_record(m, self.queue_arn) for m in messages]}
        )
        failed = {item["itemIdentifier"] for item in (response or {}).get("batchItemFailures", [])}
        self.run.invocations += 1
        self.run.messages += len(messages)
        self.run.failed_messages.extend(sorted(failed))
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self._sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
            )
        if retry_failed_at_once:
            for message in messages:
                if message["MessageId"] in failed:
                    self._sqs.change_message_visibility(
                        QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                    )
        return len(messages)


class QueuePoller:
    """Delivers every enabled SQS mapping, as the emulator lists them now: an apply may change them."""

    def __init__(self, client: Callable[[str], Any], functions: LocalFunctions, wait_seconds: int) -> None:
        self._client = client
        self._functions = functions
        self._wait_seconds = wait_seconds
        self._deliveries: dict[tuple[str, str, int], QueueDelivery] = {}

    def poll(self) -> int:
        """One long poll of each mapping's queue, each batch delivered; returns the messages delivered.

        With several mappings each waits its turn; a message is never later than the others' waits.
        """
        # Keyed by what an update of a mapping may change: a changed mapping is delivered as it is now set.
        mappings = {(m["UUID"], m["FunctionArn"], m["BatchSize"]): m for m in queue_mappings(self._client)}
        self._deliveries = {
            key: self._deliveries.get(key) or QueueDelivery(self._client, self._functions, mapping)
            for key, mapping in mappings.items()
        }
        return sum(delivery.deliver(self._wait_seconds) for delivery in self._deliveries.values())


def _sqs_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    """The record Lambda's SQS event source builds from a received message."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }
