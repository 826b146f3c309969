"""Per-run staging tables: UNLOGGED, one per (run_id, step_id), filled by COPY from any number of streams.

A retry of the same step drops what a killed attempt left; the step's committing transaction drops it too.
"""

from __future__ import annotations

from collections.abc import Iterable

import psycopg
import pyarrow as pa
from psycopg.copy import QueuedLibpqWriter

from datamart_load.ledger import STAGING_SCHEMA, lock_key
from datamart_load.pgtypes import csv_bytes
from datamart_load.sources import ORDER_COLUMNS, Source
from datamart_load.sql import ident, qualified


def staging_table(run_id: str, step_id: str) -> str:
    # A hash keeps the name a valid identifier for any run and step id; the step's lock makes it exclusive.
    return qualified(STAGING_SCHEMA, f"s_{lock_key(run_id, step_id) & ((1 << 63) - 1):x}")


def create(connection: psycopg.Connection, table: str, source: Source) -> None:
    columns = [
        f"{name} {column.pg_type}" for name, column in zip(source.staging_names, source.columns, strict=True)
    ]
    with connection.transaction():
        connection.execute(f"DROP TABLE IF EXISTS {table}")
        connection.execute(
            f"CREATE UNLOGGED TABLE {table} ({', '.join([*columns, '_dm_file integer', '_dm_row bigint'])})"
        )


def copy_statement(table: str, source: Source) -> str:
    names = ", ".join(ident(name) for name in [*source.staging_names, *ORDER_COLUMNS])
    return f"COPY {table} ({names}) FROM STDIN (FORMAT csv)"


def copy_batches(connection: psycopg.Connection, statement: str, batches: Iterable[pa.RecordBatch]) -> int:
    """Stream the batches through one COPY in one transaction; the number of rows copied.

    CSV, not binary: pyarrow writes a whole batch of CSV in C++, where psycopg's binary COPY takes a Python
    call per row (the benchmark's ceiling is that path). A writer thread sends while the next batch encodes.
    """
    rows = 0
    with (
        connection.transaction(),
        connection.cursor() as cursor,
        cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy,
    ):
        for batch in batches:
            copy.write(csv_bytes(batch))
            rows += batch.num_rows
    return rows


def drop(connection: psycopg.Connection, table: str) -> None:
    connection.execute(f"DROP TABLE IF EXISTS {table}")
