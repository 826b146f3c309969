"""The run records (DynamoDB table RUNS_TABLE, key `run_id`): the one module that reads and writes them.

A run is recorded `planned` by BuildProcessingPlan, `checked` by CheckResults, then `succeeded` by
FinalizePipeline or `failed` by HandleFailure (with the failed state, error and cause). Planning a run again
(a replay, or the same request sent twice) counts an attempt and sets it `planned` again; the plan, the
bundle version and the sources it pinned stay as first planned.

Runs of one bundle go one at a time: a bundle's checks read its whole tables, so a run checked while
another run of the bundle is half-way (its staging loaded, its vault not yet) would fail them. The run
holding the bundle has a lock item (`LOCK#bundle#<name>`) in the same table; BuildProcessingPlan takes it
(BundleBusy while another run holds it: the state machine retries with backoff), FinalizePipeline and
HandleFailure give it back, and a lock left by a run that never ended lapses after BUNDLE_LOCK_SECONDS.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

PLANNED = "planned"
CHECKED = "checked"
SUCCEEDED = "succeeded"
FAILED = "failed"
STATUSES = (PLANNED, CHECKED, SUCCEEDED, FAILED)

LOCK_PREFIX = "LOCK#bundle#"
# Longer than any run takes (the Glue job's timeout, 2 hours by default, plus checks and finalizing).
BUNDLE_LOCK_SECONDS = 4 * 3600

_serializer, _deserializer = TypeSerializer(), TypeDeserializer()


class UnknownRun(LookupError):
    """No run has this id."""


class BundleBusy(RuntimeError):
    """Another run of the bundle is under way; this one waits (the state machine retries it)."""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _plain(value: Any) -> Any:
    # DynamoDB numbers come back as Decimal; the records hold counts and seconds only.
    return json.loads(json.dumps(value, default=lambda number: float(number) if number % 1 else int(number)))


def _storable(value: Any) -> Any:
    # DynamoDB takes numbers as Decimal only (seconds, ratios).
    return json.loads(json.dumps(value), parse_float=Decimal)


class RunStore:
    def __init__(self, dynamodb: Any, table: str) -> None:
        self._dynamodb = dynamodb
        self._table = table

    def record_planned(self, run: dict[str, Any]) -> dict[str, Any]:
        """Records the run `planned` (a first attempt, or the next one); the record as stored."""
        stamp = now()
        first = {**run, "status": PLANNED, "attempts": 1, "created_at": stamp, "updated_at": stamp}
        try:
            self._dynamodb.put_item(
                TableName=self._table,
                Item=self._item(first),
                ConditionExpression="attribute_not_exists(run_id)",
            )
            return first
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
        return self._update(
            run["run_id"],
            "SET #status = :status, attempts = attempts + :one, updated_at = :now "
            "REMOVE failed_state, #error, cause",
            {":status": PLANNED, ":one": 1, ":now": stamp},
        )

    def mark_checked(self, run_id: str, checks: dict[str, Any]) -> dict[str, Any]:
        return self._update(
            run_id,
            "SET #status = :status, checks = :checks, updated_at = :now",
            {":status": CHECKED, ":checks": checks, ":now": now()},
        )

    def mark_succeeded(self, run_id: str, summary: dict[str, Any]) -> dict[str, Any]:
        stamp = now()
        return self._update(
            run_id,
            "SET #status = :status, summary = :summary, finished_at = :now, updated_at = :now",
            {":status": SUCCEEDED, ":summary": summary, ":now": stamp},
        )

    def mark_failed(self, run_id: str, failed_state: str, error: str, cause: str) -> dict[str, Any]:
        stamp = now()
        return self._update(
            run_id,
            "SET #status = :status, failed_state = :state, #error = :error, cause = :cause, "
            "finished_at = :now, updated_at = :now",
            {":status": FAILED, ":state": failed_state, ":error": error, ":cause": cause, ":now": stamp},
        )

    def acquire_bundle(self, bundle: str, run_id: str, at: float | None = None) -> None:
        """Takes the bundle for `run_id` (again, if it holds it already); BundleBusy if another run does."""
        at = time.time() if at is None else at
        try:
            self._dynamodb.put_item(
                TableName=self._table,
                Item={
                    "run_id": {"S": LOCK_PREFIX + bundle},
                    "holder": {"S": run_id},
                    "expires_at": {"N": str(int(at + BUNDLE_LOCK_SECONDS))},
                },
                ConditionExpression="attribute_not_exists(run_id) OR holder = :me OR expires_at < :now",
                ExpressionAttributeValues={":me": {"S": run_id}, ":now": {"N": str(int(at))}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            holder = self._dynamodb.get_item(
                TableName=self._table, Key={"run_id": {"S": LOCK_PREFIX + bundle}}, ConsistentRead=True
            ).get("Item", {})
            raise BundleBusy(
                f"bundle {bundle} is being run by {holder.get('holder', {}).get('S', 'another run')}; "
                f"run {run_id} waits for it"
            ) from None

    def release_bundle(self, bundle: str, run_id: str) -> None:
        """Gives the bundle back if `run_id` holds it (a lock that lapsed and was taken stays the taker's)."""
        try:
            self._dynamodb.delete_item(
                TableName=self._table,
                Key={"run_id": {"S": LOCK_PREFIX + bundle}},
                ConditionExpression="holder = :me",
                ExpressionAttributeValues={":me": {"S": run_id}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def get(self, run_id: str) -> dict[str, Any]:
        item = self._dynamodb.get_item(
            TableName=self._table, Key={"run_id": {"S": run_id}}, ConsistentRead=True
        )
        if "Item" not in item:
            raise UnknownRun(f"no datamart run {run_id!r}")
        return self._record(item["Item"])

    def scan(self) -> Iterator[dict[str, Any]]:
        """Every run record, in no particular order."""
        for page in self._dynamodb.get_paginator("scan").paginate(TableName=self._table):
            for item in page["Items"]:
                if not item["run_id"]["S"].startswith(LOCK_PREFIX):
                    yield self._record(item)

    def runs_of_manifest(self, manifest_id: str) -> list[dict[str, Any]]:
        """The runs that loaded the intake manifest `manifest_id` (lineage), oldest first."""
        runs = []
        paginator = self._dynamodb.get_paginator("scan")
        for page in paginator.paginate(
            TableName=self._table,
            FilterExpression="contains(manifest_ids, :id)",
            ExpressionAttributeValues={":id": {"S": manifest_id}},
        ):
            runs += [self._record(item) for item in page["Items"]]
        return sorted(runs, key=lambda run: run["created_at"])

    def _update(self, run_id: str, expression: str, values: dict[str, Any]) -> dict[str, Any]:
        names = {"#status": "status"}
        if "#error" in expression:
            names["#error"] = "error"
        try:
            response = self._dynamodb.update_item(
                TableName=self._table,
                Key={"run_id": {"S": run_id}},
                UpdateExpression=expression,
                ConditionExpression="attribute_exists(run_id)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={
                    name: _serializer.serialize(_storable(value)) for name, value in values.items()
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise UnknownRun(f"no datamart run {run_id!r}") from None
            raise
        return self._record(response["Attributes"])

    @staticmethod
    def _item(record: dict[str, Any]) -> dict[str, Any]:
        return {
            name: _serializer.serialize(_storable(value))
            for name, value in record.items()
            if value is not None
        }

    @staticmethod
    def _record(item: dict[str, Any]) -> dict[str, Any]:
        return _plain({name: _deserializer.deserialize(value) for name, value in item.items()})
