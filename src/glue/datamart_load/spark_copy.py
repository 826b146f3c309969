"""Large sources: Spark's tasks read the files and COPY them into the staging tables, one stream per task.

The files are dealt to as many tasks as Spark has cores (largest first, each to the task with the fewest bytes
so far; a file is never split). A task reads its files with the driver's readers (``sources``: the same
columns, record numbers and parse rejects) and COPYs them in one transaction on its own connection, binary
where the driver would. Every row carries the task attempt that wrote it (``TaskContext.taskAttemptId``,
unique in the application): the driver knows the attempts whose results Spark returned, one per task, and the
step deletes the rows of any other (``staging.keep_tasks``), so a task that failed after its COPY committed
and ran again counts once.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

from pyspark.sql import SparkSession

from datamart_load import staging
from datamart_load.sources import Source

# Test-only failpoint: "<step_id>:<point>" kills the first attempt of the step's first task (points: copying,
# once its first file is in the COPY stream, before the commit; copied, right after the commit).
FAIL_VARIABLE = "DATAMART_LOAD_FAIL_TASK"


@dataclass(frozen=True)
class Copied:
    records: int  # the source's records, rows and parse rejects, as the counted attempts read them
    tasks: list[int]  # the counted attempts


def deal(source: Source, tasks: int) -> list[list[int]]:
    """The non-empty files' indexes in ``tasks`` groups of about equal bytes, each in load order."""
    indexes = sorted(
        (index for index, file in enumerate(source.files) if file.size), key=lambda i: -source.files[i].size
    )
    groups: list[list[int]] = [[] for _ in range(min(tasks, len(indexes)))]
    loads = [0] * len(groups)
    for index in indexes:
        lightest = loads.index(min(loads))
        groups[lightest].append(index)
        loads[lightest] += source.files[index].size
    return [sorted(group) for group in groups]


def _killed_at(point: str, failpoint: str, step_id: str, context) -> bool:
    return failpoint == f"{step_id}:{point}" and context.partitionId() == 0 and context.attemptNumber() == 0


def copy_with_spark(spark: SparkSession, source: Source, stage: staging.Stage, dsn: str) -> Copied:
    """COPY the source into the stage from Spark's tasks; what the counted attempts copied."""
    failpoint, step_id = os.environ.get(FAIL_VARIABLE, ""), source.step.id

    def copy_files(groups: Iterator[list[int]]) -> Iterator[tuple[int, int]]:
        import psycopg
        from pyspark import TaskContext

        context = TaskContext.get()
        indexes = [index for group in groups for index in group]
        if _killed_at("copying", failpoint, step_id, context):
            indexes = _die_after_first(indexes)
        with psycopg.connect(dsn, autocommit=True) as connection:
            rows, unreadable = staging.copy_source(
                connection, stage, source, indexes, task=context.taskAttemptId()
            )
        if _killed_at("copied", failpoint, step_id, context):
            os._exit(1)
        yield context.taskAttemptId(), rows + unreadable

    groups = deal(source, spark.sparkContext.defaultParallelism)
    if not groups:
        return Copied(0, [])
    results = spark.sparkContext.parallelize(groups, len(groups)).mapPartitions(copy_files).collect()
    return Copied(sum(records for _, records in results), [task for task, _ in results])


def _die_after_first(indexes: list[int]) -> Iterator[int]:
    yield indexes[0]
    os._exit(1)
