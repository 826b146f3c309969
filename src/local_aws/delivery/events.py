"""EventBridge → targets: each event that reached a bus goes to the targets of the bus's matching rules.

The emulator keeps every event that reaches a bus (PutEvents, and the events S3, Glue and Step Functions
emit) in a journal (bridges/events.py); `EventDelivery` reads it (a long poll), matches each event against
the enabled rules of its bus with EventBridge's pattern semantics (`matches`, moto's matcher with arrays of
objects flattened as EventBridge does), and hands it to each target of a matching rule (`Targets`): the
target's Input, InputPath or InputTransformer applied, then Lambda (invoked in this process, asynchronously
as EventBridge invokes it: the function's own failure is the function's), SNS Publish, SQS SendMessage or
Step Functions StartExecution. A delivery that fails is retried per the target's RetryPolicy (waits shortened
locally: `retry_seconds`, doubling) unless the error cannot be retried (the target does not exist); an event
that is given up goes to the target's dead-letter queue with the attributes EventBridge sets.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import re
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError, ConnectionError, EndpointConnectionError
from moto.events.models import EventPattern

from local_aws.bridges.events import JOURNAL_PATH
from local_aws.functions import function_name

logger = logging.getLogger(__name__)

# EventBridge's defaults for a target without a RetryPolicy.
DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 185
DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 86_400
# The longest local wait between two attempts (EventBridge's backoff grows to minutes).
MAX_RETRY_WAIT_SECONDS = 60.0

# Errors that name a target resource that does not exist: EventBridge does not retry them.
_NO_RESOURCE_CODES = {
    "ResourceNotFoundException",
    "NotFound",
    "NotFoundException",
    "AWS.SimpleQueueService.NonExistentQueue",
    "QueueDoesNotExist",
    "StateMachineDoesNotExist",
}
_THROTTLING_CODES = {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded"}


class _Pattern(EventPattern):
    """moto's matcher, with EventBridge's treatment of arrays of objects: a field of the objects of an array
    is matched as the array of its values (`detail.items.name` against [{"name": "a"}, {"name": "b"}])."""

    @staticmethod
    def _flatten_dict(node: Any, prefix: str = "", result: dict[str, Any] | None = None) -> dict[str, Any]:
        result = {} if result is None else result
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else key
            if isinstance(value, dict) and value:
                _Pattern._flatten_dict(value, path, result)
            elif isinstance(value, list) and any(isinstance(item, dict) for item in value):
                for item in value:
                    if isinstance(item, dict):
                        for leaf, leaf_value in _Pattern._flatten_dict(item, path).items():
                            values = leaf_value if isinstance(leaf_value, list) else [leaf_value]
                            result.setdefault(leaf, []).extend(values)
            else:
                result[path] = value
        return result


def matches(pattern: str | dict[str, Any] | None, event: dict[str, Any]) -> bool:
    """Whether an EventBridge event pattern matches the event."""
    raw = pattern if pattern is None or isinstance(pattern, str) else json.dumps(pattern)
    return _Pattern.load(raw).matches_event(event)


_PATH_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]|\['([^']+)'\]")
_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")


def json_path(document: Any, path: str) -> tuple[bool, Any]:
    """(found, value) of a JSONPath of EventBridge's subset ($, .name, [index], ['name']) in a document."""
    if not path.startswith("$"):
        raise ValueError(f"not a JSONPath: {path!r}")
    value, position = document, 1
    while position < len(path):
        step = _PATH_STEP.match(path, position)
        if step is None:
            raise ValueError(f"unsupported JSONPath: {path!r}")
        name, index, quoted = step.groups()
        if index is not None:
            if not isinstance(value, list) or int(index) >= len(value):
                return False, None
            value = value[int(index)]
        else:
            key = name if name is not None else quoted
            if not isinstance(value, dict) or key not in value:
                return False, None
            value = value[key]
        position = step.end()
    return True, value


def target_input(target: dict[str, Any], event: dict[str, Any], rule_arn: str, rule_name: str) -> str:
    """What EventBridge sends the target: its Input as is, the part of the event its InputPath selects, its
    InputTransformer's template filled in, or else the whole event."""
    if target.get("Input") is not None:
        return target["Input"]
    if target.get("InputPath"):
        found, value = json_path(event, target["InputPath"])
        return json.dumps(value if found else None)
    transformer = target.get("InputTransformer")
    if transformer:
        return transform(transformer, event, rule_arn, rule_name)
    return json.dumps(event)


def transform(transformer: dict[str, Any], event: dict[str, Any], rule_arn: str, rule_name: str) -> str:
    """An InputTransformer's InputTemplate with its InputPathsMap's values and EventBridge's predefined ones.

    A placeholder inside double quotes takes the value's text (JSON-escaped), one outside quotes its JSON (a
    string with its quotes). A path the event does not hold gives null (an empty text inside quotes).
    """
    values: dict[str, tuple[bool, Any]] = {
        name: json_path(event, path) for name, path in transformer.get("InputPathsMap", {}).items()
    }
    values.update(
        {
            "aws.events.rule-arn": (True, rule_arn),
            "aws.events.rule-name": (True, rule_name),
            "aws.events.event.ingestion-time": (True, event.get("time")),
            "aws.events.event": (True, event),
            "aws.events.event.json": (True, event),
        }
    )
    template = transformer["InputTemplate"]

    def fill(match: re.Match[str]) -> str:
        name = match[1]
        if name not in values:
            return match[0]
        found, value = values[name]
        quoted = _inside_quotes(template, match.start())
        if quoted:
            text = (
                "" if not found or value is None else value if isinstance(value, str) else json.dumps(value)
            )
            # Inside a JSON string the text is escaped as JSON string content.
            return json.dumps(text)[1:-1]
        return json.dumps(value if found else None)

    return _PLACEHOLDER.sub(fill, template)


def _inside_quotes(template: str, position: int) -> bool:
    """Whether `position` lies inside a double-quoted string of the template (escaped quotes skipped)."""
    inside, index = False, 0
    while index < position:
        if template[index] == "\\":
            index += 2
            continue
        if template[index] == '"':
            inside = not inside
        index += 1
    return inside


class DeliveryFailed(Exception):
    """A target could not be given the event: EventBridge's error code, and whether a retry may succeed."""

    def __init__(self, code: str, message: str, retriable: bool) -> None:
        super().__init__(message)
        self.code = code
        self.retriable = retriable


@dataclass(order=True)
class _Attempt:
    due: float
    order: int
    rule_arn: str = field(compare=False)
    rule_name: str = field(compare=False)
    target: dict[str, Any] = field(compare=False)
    event: dict[str, Any] = field(compare=False)
    first_seen: float = field(compare=False)
    retries: int = field(compare=False, default=0)


class Targets:
    """Gives events to rule targets, retrying and dead-lettering as EventBridge does.

    `functions`: what invokes Lambda functions in this process (local_aws.functions.LocalFunctions).
    `clock`: seconds, for the retry waits and the event's age. Thread-safe: the schedules and the bus
    delivery share one.
    """

    def __init__(
        self,
        client: Callable[[str], Any],
        functions: Any,
        retry_seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sns = client("sns")
        self._sqs = client("sqs")
        self._stepfunctions = client("stepfunctions")
        self._functions = functions
        self._retry_seconds = retry_seconds
        self._clock = clock
        self._retries: list[_Attempt] = []
        self._order = itertools.count()
        self._lock = threading.Lock()

    def deliver(self, rule: dict[str, Any], targets: list[dict[str, Any]], event: dict[str, Any]) -> int:
        """Gives the event to each of the rule's targets; returns the number of targets."""
        now = self._clock()
        for target in targets:
            self._attempt(_Attempt(now, next(self._order), rule["Arn"], rule["Name"], target, event, now))
        return len(targets)

    def retry_due(self) -> int:
        """Attempts again every failed delivery whose wait is over; returns how many were attempted."""
        now = self._clock()
        due = []
        with self._lock:
            while self._retries and self._retries[0].due <= now:
                due.append(heapq.heappop(self._retries))
        for attempt in due:
            self._attempt(attempt)
        return len(due)

    @property
    def pending_retries(self) -> int:
        with self._lock:
            return len(self._retries)

    def _attempt(self, attempt: _Attempt) -> None:
        try:
            self._send(attempt)
        except DeliveryFailed as failure:
            self._failed(attempt, failure)
        except Exception as error:  # anything else is EventBridge's INTERNAL_ERROR: retried
            self._failed(attempt, DeliveryFailed("INTERNAL_ERROR", f"{type(error).__name__}: {error}", True))

    def _failed(self, attempt: _Attempt, failure: DeliveryFailed) -> None:
        policy = attempt.target.get("RetryPolicy", {})
        max_retries = policy.get("MaximumRetryAttempts", DEFAULT_MAXIMUM_RETRY_ATTEMPTS)
        max_age = policy.get("MaximumEventAgeInSeconds", DEFAULT_MAXIMUM_EVENT_AGE_SECONDS)
        wait = min(self._retry_seconds * 2**attempt.retries, MAX_RETRY_WAIT_SECONDS)
        due = self._clock() + wait
        exhausted = None
        if attempt.retries >= max_retries:
            exhausted = "MaximumRetryAttempts"
        elif due - attempt.first_seen > max_age:
            exhausted = "MaximumEventAgeInSeconds"
        if failure.retriable and exhausted is None:
            logger.info(
                "rule %s: delivery to %s failed (%s), retry %d in %.1f s",
                attempt.rule_name, attempt.target["Arn"], failure, attempt.retries + 1, wait,
            )  # fmt: skip
            attempt.due, attempt.order, attempt.retries = due, next(self._order), attempt.retries + 1
            with self._lock:
                heapq.heappush(self._retries, attempt)
            return
        self._dead_letter(attempt, failure, exhausted if failure.retriable else None)

    def _dead_letter(self, attempt: _Attempt, failure: DeliveryFailed, exhausted: str | None) -> None:
        queue_arn = attempt.target.get("DeadLetterConfig", {}).get("Arn")
        logger.warning(
            "rule %s: event %s not delivered to %s (%s: %s)%s",
            attempt.rule_name, attempt.event.get("id"), attempt.target["Arn"], failure.code, failure,
            f"; sent to {queue_arn}" if queue_arn else "; dropped (no dead-letter queue)",
        )  # fmt: skip
        if not queue_arn:
            return
        attributes = {
            "RULE_ARN": attempt.rule_arn,
            "TARGET_ARN": attempt.target["Arn"],
            "ERROR_CODE": failure.code,
            "ERROR_MESSAGE": str(failure),
            "RETRY_ATTEMPTS": str(attempt.retries),
        }
        if exhausted:
            attributes["EXHAUSTED_RETRY_CONDITION"] = exhausted
        try:
            self._sqs.send_message(
                QueueUrl=self._queue_url(queue_arn),
                MessageBody=json.dumps(attempt.event),
                MessageAttributes={
                    name: {"DataType": "String", "StringValue": value} for name, value in attributes.items()
                },
            )
        except Exception:
            logger.exception(
                "rule %s: the event could not be sent to its dead-letter queue", attempt.rule_name
            )

    def _send(self, attempt: _Attempt) -> None:
        target, arn = attempt.target, attempt.target["Arn"]
        text = target_input(target, attempt.event, attempt.rule_arn, attempt.rule_name)
        service = arn.split(":")[2]
        try:
            if service == "lambda":
                self._invoke(arn, _json_input(text))
            elif service == "sns":
                self._sns.publish(TopicArn=arn, Message=text)
            elif service == "sqs":
                group = target.get("SqsParameters", {}).get("MessageGroupId")
                self._sqs.send_message(
                    QueueUrl=self._queue_url(arn),
                    MessageBody=text,
                    **({"MessageGroupId": group} if group else {}),
                )
            elif service == "states":
                self._stepfunctions.start_execution(stateMachineArn=arn, input=json.dumps(_json_input(text)))
            else:
                raise DeliveryFailed(
                    "INVALID_PARAMETER", f"targets of {service} are not delivered locally", False
                )
        except ClientError as error:
            raise _client_failure(error) from error
        except (EndpointConnectionError, ConnectionError) as error:
            raise DeliveryFailed("CONNECTION_FAILURE", str(error), True) from error

    def _invoke(self, arn: str, payload: Any) -> None:
        name = function_name(arn)
        # Lambda accepts the asynchronous invocation once it finds the function.
        self._functions.configuration(name)
        try:
            self._functions.invoke(name, payload)
        except Exception:
            # An asynchronous invocation: the function's error is Lambda's to handle, not EventBridge's.
            logger.exception("function %s failed on an event", name)

    def _queue_url(self, queue_arn: str) -> str:
        _, _, _, _, account, name = queue_arn.split(":", 5)
        return self._sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]


def _json_input(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as error:
        raise DeliveryFailed("INVALID_JSON", f"the target input is not JSON: {error}", False) from error


def _client_failure(error: ClientError) -> DeliveryFailed:
    code = error.response.get("Error", {}).get("Code", "")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    message = error.response.get("Error", {}).get("Message", str(error))
    if code in _NO_RESOURCE_CODES or status == 404:
        return DeliveryFailed("NO_RESOURCE", message, False)
    if code in _THROTTLING_CODES or status == 429:
        return DeliveryFailed("THROTTLING", message, True)
    if status >= 500:
        return DeliveryFailed("INTERNAL_ERROR", message, True)
    return DeliveryFailed("SDK_CLIENT_ERROR", f"{code}: {message}", False)


class EventDelivery:
    """Delivers the events that reach the emulator's buses, from the moment it is created."""

    def __init__(self, client: Callable[[str], Any], targets: Targets) -> None:
        self._events = client("events")
        self._journal_url = self._events.meta.endpoint_url.rstrip("/") + JOURNAL_PATH
        self.targets = targets
        self._position = self._read(None, 0)["last"]

    def deliver(self, wait_seconds: float = 0.0) -> int:
        """Delivers the events that arrived (waiting up to `wait_seconds` for one when nothing is due) and
        the retries now due; returns the number of target deliveries attempted."""
        wait = 0.0 if self.targets.pending_retries else wait_seconds
        answer = self._read(self._position, wait)
        attempted = 0
        for entry in answer["events"]:
            self._position = entry["seq"]
            try:
                attempted += self._deliver_event(entry["bus"], entry["event"])
            except Exception:
                # Reading the bus's rules failed (the bus is gone, or a stack is being applied again): this
                # event is lost, as EventBridge loses an event it cannot ingest; the next ones go on.
                logger.exception("event %s on bus %s not delivered", entry["event"].get("id"), entry["bus"])
        return attempted + self.targets.retry_due()

    def drain(self, timeout_seconds: float = 30.0) -> int:
        """Delivers until no event is waiting and no retry pending; returns the deliveries attempted."""
        deadline = time.monotonic() + timeout_seconds
        attempted = 0
        while True:
            done = self.deliver()
            attempted += done
            if not done and not self.targets.pending_retries:
                return attempted
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{self.targets.pending_retries} deliveries still retried after {timeout_seconds} s"
                )
            if not done:
                time.sleep(0.05)

    def _deliver_event(self, bus: str, event: dict[str, Any]) -> int:
        attempted = 0
        for rule in self._rules(bus):
            if rule.get("State") != "ENABLED" or not rule.get("EventPattern"):
                continue
            if not matches(rule["EventPattern"], event):
                continue
            targets = self._events.list_targets_by_rule(Rule=rule["Name"], EventBusName=bus)["Targets"]
            logger.info("rule %s: event %s to %d target(s)", rule["Name"], event.get("id"), len(targets))
            attempted += self.targets.deliver(rule, targets, event)
        return attempted

    def _rules(self, bus: str) -> list[dict[str, Any]]:
        pages = self._events.get_paginator("list_rules").paginate(EventBusName=bus)
        return [rule for page in pages for rule in page["Rules"]]

    def _read(self, after: int | None, wait_seconds: float) -> dict[str, Any]:
        query = f"?wait={wait_seconds}" + (f"&after={after}" if after is not None else "")
        with urllib.request.urlopen(self._journal_url + query, timeout=wait_seconds + 30) as response:
            return json.load(response)
