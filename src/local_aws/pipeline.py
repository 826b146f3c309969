"""Stand in for what AWS runs around the deployed manifest builder, for a stack applied to the emulator.

The emulator stores the Lambda function but does not run it (that would need Docker). `LocalPipeline` does
what Lambda's SQS event source mapping and the EventBridge schedule do: it receives the intake queue's
messages, invokes the real `manifest_builder.handler.lambda_handler` in this process with the environment
read back from the deployed function's configuration, deletes the messages the handler did not report as
failed, and sends the scheduled sweep event. Executions then run in the emulator's Step Functions
interpreter (with the Glue runner doing each job run). What the function prints (its JSON log lines and EMF
metric documents, which Lambda sends to CloudWatch Logs) goes to `function_log`, or nowhere.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from manifest_builder import handler

REGION = "us-east-1"
TERMINAL = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


@dataclass(frozen=True)
class InvocationContext:
    """The attributes of Lambda's context object that the handler reads (Powertools' logger)."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass
class QueueRun:
    """What one drain of the intake queue did."""

    invocations: int = 0
    messages: int = 0
    failed_messages: list[str] = field(default_factory=list)


class LocalPipeline:
    def __init__(
        self,
        client: Callable[[str], Any],
        outputs: Mapping[str, Any],
        emulator_env: Mapping[str, str],
        log: Callable[[str], None] = print,
        function_log: Path | None = None,
    ) -> None:
        """`client`: a boto3 client factory bound to the emulator; `outputs`: the stack's outputs."""
        self._client = client
        self.outputs = dict(outputs)
        self._emulator_env = dict(emulator_env)
        self._log = log
        self._function_log = function_log
        self._loaded_environment: dict[str, str] | None = None

    # The Lambda function ----------------------------------------------------------------------------

    def function_configuration(self) -> dict[str, Any]:
        return self._client("lambda").get_function_configuration(
            FunctionName=self.outputs["manifest_builder_function_name"]
        )

    def function_environment(self) -> dict[str, str]:
        """The deployed function's environment variables, as Lambda would give them to the handler."""
        return self.function_configuration().get("Environment", {}).get("Variables", {})

    def invoke(self, event: dict[str, Any]) -> Any:
        """One invocation of the deployed handler; a changed function configuration means a new container."""
        configuration = self.function_configuration()
        variables = {**configuration.get("Environment", {}).get("Variables", {}), **self._emulator_env}
        context = InvocationContext(
            configuration["FunctionName"], configuration["FunctionArn"], configuration["MemorySize"]
        )
        with _environment(variables), self._function_output():
            if variables != self._loaded_environment:
                # A configuration change starts new containers: the handler's cached settings go.
                handler._builder.cache_clear()
                self._loaded_environment = variables
            return handler.lambda_handler(event, context)

    @contextmanager
    def _function_output(self) -> Iterator[None]:
        """Sends what the function prints to the function log: its logger's stream, and print (EMF)."""
        with contextlib.ExitStack() as stack:
            if self._function_log is None:
                output = stack.enter_context(open(os.devnull, "w"))
            else:
                output = stack.enter_context(self._function_log.open("a", encoding="utf-8"))
            logs = handler.telemetry.logger.registered_handler
            stack.callback(logs.setStream, logs.setStream(output))
            stack.enter_context(contextlib.redirect_stdout(output))
            yield

    def close(self) -> None:
        """Forgets the handler's cached settings and clients (they point at this emulator)."""
        handler._builder.cache_clear()
        self._loaded_environment = None

    # Event sources ----------------------------------------------------------------------------------

    def drain_queue(self, batch_size: int = 10, max_invocations: int = 10_000) -> QueueRun:
        """Invokes the handler with batches of the intake queue's messages until the queue is empty.

        Messages the handler reports in batchItemFailures become visible again at once (Lambda would wait
        for the visibility timeout) and are retried; the queue's redrive policy moves a message that keeps
        failing to the dead-letter queue, as on AWS.
        """
        sqs = self._client("sqs")
        queue_url = self.outputs["intake_queue_url"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        run = QueueRun()
        while run.invocations < max_invocations:
            messages = sqs.receive_message(
                QueueUrl=queue_url,
                MaxNumberOfMessages=batch_size,
                AttributeNames=["All"],
                WaitTimeSeconds=0,
            ).get("Messages", [])
            if not messages:
                return run
            response = self.invoke({"Records": [_sqs_record(m, queue_arn) for m in messages]})
            failed = {item["itemIdentifier"] for item in response.get("batchItemFailures", [])}
            run.invocations += 1
            run.messages += len(messages)
            run.failed_messages.extend(sorted(failed))
            done = [m for m in messages if m["MessageId"] not in failed]
            for start in range(0, len(done), 10):
                sqs.delete_message_batch(
                    QueueUrl=queue_url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                        for i, m in enumerate(done[start : start + 10])
                    ],
                )
            for message in messages:
                if message["MessageId"] in failed:
                    sqs.change_message_visibility(
                        QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                    )
        raise RuntimeError(f"the intake queue was still not empty after {max_invocations} invocations")

    def sweep(self) -> dict[str, Any]:
        """The orphan sweep, invoked with the event the EventBridge schedule sends."""
        return self.invoke(
            {
                "version": "0",
                "id": str(uuid.uuid4()),
                "detail-type": "Scheduled Event",
                "source": "aws.events",
                "account": "123456789012",
                "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "region": REGION,
                "resources": [],
                "detail": {},
            }
        )

    # Executions -------------------------------------------------------------------------------------

    def executions(self) -> list[dict[str, Any]]:
        paginator = self._client("stepfunctions").get_paginator("list_executions")
        return [
            execution
            for page in paginator.paginate(stateMachineArn=self.outputs["state_machine_arn"])
            for execution in page["executions"]
        ]

    def wait_for_executions(self, timeout_seconds: float = 600, poll_seconds: float = 0.5) -> list[dict]:
        """Waits until every execution of the state machine has ended; returns them all."""
        deadline = time.monotonic() + timeout_seconds
        last_report = None
        while True:
            executions = self.executions()
            running = [e for e in executions if e["status"] not in TERMINAL]
            report = (len(executions) - len(running), len(executions))
            if report != last_report:
                self._log(f"executions finished: {report[0]}/{report[1]}")
                last_report = report
            if not running:
                return executions
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(running)} execution(s) still running after {timeout_seconds} s")
            time.sleep(poll_seconds)


@contextmanager
def _environment(variables: Mapping[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


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
