"""DynamoDB: two adjustments that make in-process moto (`mock_aws`) behave, and perform, like DynamoDB.

Context managers for the manifest builder's tests and benchmark, not installed in the emulator's server.
Neither changes what an API call does: same conditions, same results, same errors.
"""

from __future__ import annotations

import contextlib
import copy
import threading
from collections.abc import Iterator
from typing import Any

import moto.dynamodb.models as dynamodb_models
from moto.core.botocore_stubber import BotocoreStubber
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table


@contextlib.contextmanager
def atomic_calls() -> Iterator[None]:
    """Serialises moto's request dispatch so each emulated API call is atomic, as it is in AWS.

    moto evaluates a conditional write and applies it in separate Python steps without a lock, so two threads
    can both pass the same condition. DynamoDB never allows that; with this lock, a file in two manifests is a
    bug in the manifest builder, not an artefact of the emulator.
    """
    dispatch = BotocoreStubber.__call__
    one_call_at_a_time = threading.Lock()

    def atomic_call(self: BotocoreStubber, *args: Any, **kwargs: Any) -> Any:
        with one_call_at_a_time:
            return dispatch(self, *args, **kwargs)

    BotocoreStubber.__call__ = atomic_call
    try:
        yield
    finally:
        BotocoreStubber.__call__ = dispatch


class _CopyKeepingTables:
    """Stands in for the `copy` module inside moto's TransactWriteItems: tables are not copied."""

    @staticmethod
    def deepcopy(value: Any) -> Any:
        return value if isinstance(value, Table) else copy.deepcopy(value)


@contextlib.contextmanager
def item_level_transaction_rollback() -> Iterator[None]:
    """Makes moto's TransactWriteItems snapshot the items it touches instead of the whole table.

    moto deep-copies the entire table once per action of a transaction so that it can roll back, which costs
    O(actions x table size): moving 200 files in a 20,000-item table takes hours. This snapshot restores the
    touched items when the transaction is cancelled, which is all a rollback has to do.
    """
    transact = DynamoDBBackend.transact_write_items

    def transact_with_item_snapshots(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        snapshots = []
        for action in transact_items:
            operation = next(iter(action.values()))
            table = self.tables.get(operation.get("TableName"))
            if table is None:
                continue
            key = operation.get("Key") or operation.get("Item", {})
            hash_key = DynamoType(key[table.hash_key_attr])
            range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
            snapshots.append((table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))))
        dynamodb_models.copy = _CopyKeepingTables
        try:
            return transact(self, transact_items)
        except Exception:
            for table, hash_key, range_key, item in reversed(snapshots):
                table.delete_item(hash_key, range_key)
                if item is not None and range_key is None:
                    table.items[hash_key] = item
                elif item is not None:
                    table.items[hash_key][range_key] = item
            raise
        finally:
            dynamodb_models.copy = copy

    DynamoDBBackend.transact_write_items = transact_with_item_snapshots
    try:
        yield
    finally:
        DynamoDBBackend.transact_write_items = transact
