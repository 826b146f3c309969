"""Per-run staging tables: UNLOGGED, a pair per (run_id, step_id), filled by COPY from any number of streams.

``Stage.rows`` holds the source's records (its columns ``c0``…, ``_dm_file``, ``_dm_row``), ``Stage.rejects``
the records that could not be read into columns (``sources.ParseReject``). Tables staged by Spark's tasks also
carry ``_dm_task``, the task attempt that wrote the row, so the rows of failed attempts can be told from the
rows of the attempts Spark counted. A retry of the same step drops what a killed attempt left; the step's
committing transaction drops them too.
"""

from __future__ import annotations

import csv
import tempfile
import threading
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from queue import Queue

import numpy as np
import psycopg
import pyarrow as pa

from datamart_load import pgbinary, sources
from datamart_load.pgtypes import csv_bytes
from datamart_load.sources import ORDER_COLUMNS, ParseReject, Source
from datamart_load.sql import ident
from datamart_load.staging_names import rejects_table, staging_table

TASK_COLUMN = "_dm_task"
# Parse rejects wait in memory up to this size, then on disk, until the records' COPY is done.
_SPOOL_BYTES = 1 << 20


@dataclass(frozen=True)
class Stage:
    rows: str
    rejects: str

    @classmethod
    def of_step(cls, run_id: str, step_id: str) -> Stage:
        return cls(staging_table(run_id, step_id), rejects_table(run_id, step_id))


def create(connection: psycopg.Connection, stage: Stage, source: Source, tasks: bool = False) -> None:
    """Create the stage's tables afresh; ``tasks``: with the ``_dm_task`` column (staging by Spark)."""
    columns = [
        f"{name} {column.pg_type}" for name, column in zip(source.staging_names, source.columns, strict=True)
    ]
    order = ["_dm_file integer", "_dm_row bigint"]
    task = [f"{TASK_COLUMN} bigint"]
    with connection.transaction():
        drop(connection, stage)
        connection.execute(
            f"CREATE UNLOGGED TABLE {stage.rows} ({', '.join([*columns, *order, *(task if tasks else [])])})"
        )
        rejects = [*order, *task, "value text", "reason text"]
        connection.execute(f"CREATE UNLOGGED TABLE {stage.rejects} ({', '.join(rejects)})")


def copy_statement(table: str, source: Source, binary: bool, task: int | None = None) -> str:
    names = [*source.staging_names, *ORDER_COLUMNS, *([TASK_COLUMN] if task is not None else [])]
    copy_format = "binary" if binary else "csv"
    return f"COPY {table} ({', '.join(map(ident, names))}) FROM STDIN (FORMAT {copy_format})"


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


def copy_source(
    connection: psycopg.Connection,
    stage: Stage,
    source: Source,
    file_indexes: Iterable[int] | None = None,
    task: int | None = None,
) -> tuple[int, int]:
    """COPY the source's records (of the files at ``file_indexes``, else all) into the stage, and the records
    that could not be read into its rejects table, in one transaction; (rows, parse rejects) copied.

    ``task``: the Spark task attempt copying, recorded in every row it writes.
    """
    binary = binary_encodable(source)
    rejected = 0
    with tempfile.SpooledTemporaryFile(_SPOOL_BYTES, mode="w+", newline="") as spool:
        writer = csv.writer(spool)

        def reject(record: ParseReject) -> None:
            nonlocal rejected
            rejected += 1
            writer.writerow([record.file_index, record.record_number, task, record.text, record.reason])

        batches = sources.batches(source, reject, file_indexes)
        if task is not None:
            batches = (_with_task(batch, task) for batch in batches)
        with connection.transaction():
            rows = copy_batches(connection, copy_statement(stage.rows, source, binary, task), batches, binary)
            if rejected:
                spool.seek(0)
                names = ", ".join([*ORDER_COLUMNS, TASK_COLUMN, "value", "reason"])
                with (
                    connection.cursor() as cursor,
                    cursor.copy(f"COPY {stage.rejects} ({names}) FROM STDIN (FORMAT csv)") as copy,
                ):
                    while chunk := spool.read(1 << 16):
                        copy.write(chunk)
    return rows, rejected


def _with_task(batch: pa.RecordBatch, task: int) -> pa.RecordBatch:
    return batch.append_column(TASK_COLUMN, pa.array(np.full(batch.num_rows, task, np.int64)))


def keep_tasks(connection: psycopg.Connection, stage: Stage, tasks: list[int]) -> None:
    """Delete the rows of every task attempt but ``tasks`` (the attempts Spark counted), inside the step's
    transaction: the lock waits out any attempt still writing, and keeps late ones out until the commit drops
    the tables."""
    for table in (stage.rows, stage.rejects):
        connection.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        connection.execute(f"DELETE FROM {table} WHERE NOT ({TASK_COLUMN} = ANY(%s))", (tasks,))


def drop(connection: psycopg.Connection, stage: Stage) -> None:
    connection.execute(f"DROP TABLE IF EXISTS {stage.rows}, {stage.rejects}")
