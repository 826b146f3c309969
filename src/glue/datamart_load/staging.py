"""Per-run staging tables: UNLOGGED, one per (run_id, step_id), filled by COPY from any number of streams.

A retry of the same step drops what a killed attempt left; the step's committing transaction drops it too.
"""

from __future__ import annotations

import threading
from collections.abc import Generator, Iterable, Iterator
from queue import Queue

import psycopg
import pyarrow as pa

from datamart_load import pgbinary
from datamart_load.pgtypes import csv_bytes
from datamart_load.sources import ORDER_COLUMNS, Source
from datamart_load.sql import ident
from datamart_load.staging_names import staging_table  # noqa: F401 (the engine's name for it)


def create(connection: psycopg.Connection, table: str, source: Source) -> None:
    columns = [
        f"{name} {column.pg_type}" for name, column in zip(source.staging_names, source.columns, strict=True)
    ]
    with connection.transaction():
        connection.execute(f"DROP TABLE IF EXISTS {table}")
        connection.execute(
            f"CREATE UNLOGGED TABLE {table} ({', '.join([*columns, '_dm_file integer', '_dm_row bigint'])})"
        )


def copy_statement(table: str, source: Source, binary: bool) -> str:
    names = ", ".join(ident(name) for name in [*source.staging_names, *ORDER_COLUMNS])
    return f"COPY {table} ({names}) FROM STDIN (FORMAT {'binary' if binary else 'csv'})"


def _read_ahead(chunks: Generator[bytes, None, None], depth: int = 1) -> Iterator[bytes]:
    """The chunks, made by a thread at most ``depth`` ahead: reading and encoding (pyarrow, which releases the
    GIL) overlap the COPY's sending, with bounded memory (psycopg's queued writer holds up to 128 MiB)."""
    queue: Queue = Queue(maxsize=depth)
    done, stopped = object(), threading.Event()
    failure: list[BaseException] = []

    def produce() -> None:
        try:
            for chunk in chunks:
                if stopped.is_set():
                    return
                queue.put(chunk)
        except BaseException as error:  # handed to the consumer, which raises it
            failure.append(error)
        finally:
            chunks.close()  # the source's files, now rather than at garbage collection
            queue.put(done)

    threading.Thread(target=produce, daemon=True).start()
    try:
        while (chunk := queue.get()) is not done:
            yield chunk
    finally:
        # A consumer that stops early (its COPY failed) releases a producer blocked on a full queue.
        stopped.set()
        while not queue.empty():
            queue.get_nowait()
    if failure:
        raise failure[0]


def copy_batches(
    connection: psycopg.Connection, statement: str, batches: Iterable[pa.RecordBatch], binary: bool
) -> int:
    """Stream the batches through one COPY (the format ``copy_statement`` chose) in one transaction; the
    number of rows copied.

    Binary where ``pgbinary`` encodes every column (PostgreSQL parses no text), else CSV from pyarrow's C++
    writer; either way whole batches are encoded at once, where psycopg's own binary COPY takes a Python call
    per row (the benchmark's ceiling is that path).
    """
    rows = 0

    def encoded() -> Generator[bytes, None, None]:
        nonlocal rows
        if binary:
            yield pgbinary.HEADER
        for batch in batches:
            rows += batch.num_rows
            yield pgbinary.rows_bytes(batch) if binary else csv_bytes(batch)
        if binary:
            yield pgbinary.TRAILER

    with connection.transaction(), connection.cursor() as cursor, cursor.copy(statement) as copy:
        for chunk in _read_ahead(encoded()):
            copy.write(chunk)
    return rows


def binary_encodable(source: Source) -> bool:
    return all(pgbinary.supports(column.arrow_type) for column in source.columns)


def drop(connection: psycopg.Connection, table: str) -> None:
    connection.execute(f"DROP TABLE IF EXISTS {table}")
