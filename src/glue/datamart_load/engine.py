"""One run of a plan, exactly once per step.

Per step: a session advisory lock on (run_id, step_id) makes a second start of the same run wait and then
skip what the first applied. A load step stages its rows (COPY into an UNLOGGED per-run table, from the driver
or from Spark's executors), then in one transaction takes the target's advisory lock, rejects bad rows,
creates or widens the table, collapses duplicate keys, merges, drops the staging table and marks the step
applied: readers see all of it or none, and a kill at any moment leaves the step applied or not at all.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable

import psycopg

from datamart_load import ledger, scripts, sources, staging, target
from datamart_load.plan import LoadStep, Plan, SqlStep
from datamart_load.sources import Source
from datamart_load.sql import ident, qualified

LOG = logging.getLogger("datamart_load")
# Test-only failpoint: "<step_id>:<point>" pauses the run there (points: staged, after the COPY; merged,
# before the step's commit) until it is killed, or for DATAMART_LOAD_PAUSE_SECONDS when that is set.
PAUSE_VARIABLE = "DATAMART_LOAD_PAUSE"
PAUSE_SECONDS_VARIABLE = "DATAMART_LOAD_PAUSE_SECONDS"
# Chooses the Spark session that stages a source, or None to stream it through the driver.
SparkChooser = Callable[[Source], object | None]


class StepFailed(RuntimeError):
    """A step failed; the run stopped there and the ledger says why."""


class RejectRatioExceeded(StepFailed):
    pass


# From this size a first load into an empty table drops its indexes and builds them after the rows (20-25%
# faster); the table is then locked to readers until the step commits. Smaller loads gain too little for that.
DEFERRED_INDEXES_FROM_BYTES = 8 * 2**20


def spark_for_large_sources(session: Callable[[], object], min_bytes: int, reads_s3: bool) -> SparkChooser:
    """Spark for sources of at least ``min_bytes``; smaller ones stream through the driver, no executor work.

    ``reads_s3`` is False for local Spark, which has no S3 connector: S3 sources then go through the driver.
    """

    def choose(source: Source):
        if source.total_bytes < min_bytes:
            return None
        if not reads_s3 and any(file.uri.startswith("s3://") for file in source.files):
            return None
        return session()

    return choose


def _pause(step_id: str, point: str) -> None:
    if os.environ.get(PAUSE_VARIABLE) == f"{step_id}:{point}":
        print(f"datamart-load: paused at {step_id}:{point}", file=sys.stderr, flush=True)
        seconds = os.environ.get(PAUSE_SECONDS_VARIABLE)
        while seconds is None:
            time.sleep(3600)
        time.sleep(float(seconds))


def _stage(
    connection, plan: Plan, step: LoadStep, source: Source, dsn: str, spark
) -> tuple[staging.Stage, int, list[int] | None]:
    """Stage the source: (the stage, the source's records, the Spark task attempts whose rows count)."""
    stage = staging.Stage.of_step(plan.run_id, step.id)
    staging.create(connection, stage, source, tasks=spark is not None)
    # No ANALYZE (0.3-0.5 s per million rows): the planner sizes a never-analyzed table by its pages, which
    # is all the merge's hash joins need.
    if spark is None:
        rows, unreadable = staging.copy_source(connection, stage, source)
        return stage, rows + unreadable, None
    from datamart_load.spark_copy import copy_with_spark

    copied = copy_with_spark(spark, source, stage, dsn)
    return stage, copied.records, copied.tasks


def _not_read(record) -> None:
    raise AssertionError(f"a Parquet source has no unreadable records: {record}")


def _load_directly(connection, plan: Plan, step: LoadStep, source: Source) -> dict | None:
    """A Parquet source into a new or empty table: one COPY straight into the table inside the step's
    transaction, no staging and no merge, the table's indexes built once the rows are in (a first load at
    COPY speed). None, with nothing done, when the
    table cannot take the rows as they come or a row breaks one of its constraints (a duplicate or null key):
    the step is then staged, which rejects and collapses such rows."""
    if step.format != "parquet" or not staging.binary_encodable(source):
        return None
    try:
        with connection.transaction():
            connection.execute(
                "SELECT pg_advisory_xact_lock(%s)", (ledger.lock_key("target", step.target_table),)
            )
            existing = target.existing_columns(connection, step)
            target_plan = target.plan_target(step, source, existing)
            if not target.takes_rows_as_they_come(connection, step, target_plan, existing):
                return None
            for statement in target_plan.ddl:
                connection.execute(statement)
            rebuilds = ()
            if existing is not None and source.total_bytes >= DEFERRED_INDEXES_FROM_BYTES:
                rebuilds = target.defer_index_builds(connection, step)
            names = ", ".join(ident(column.target) for column in target_plan.columns)
            copy = f"COPY {qualified(step.schema, step.table)} ({names}) FROM STDIN (FORMAT binary)"
            picked = [column.staging for column in target_plan.columns]
            batches = (batch.select(picked) for batch in sources.batches(source, _not_read))
            rows = staging.copy_batches(connection, copy, batches, binary=True)
            for statement in (*target_plan.after_load, *rebuilds):
                connection.execute(statement)
            _pause(step.id, "staged")
            counts = {"source_files": len(source.files), "source_rows": rows, "inserted": rows}
            counts |= dict.fromkeys(("updated", "unchanged", "duplicates", "rejected"), 0)
            ledger.clear_rejects(connection, plan.run_id, step.id)
            ledger.finish_step(connection, plan.run_id, step.id, "applied", counts)
            staging.drop(connection, staging.Stage.of_step(plan.run_id, step.id))
            _pause(step.id, "merged")
    except psycopg.errors.IntegrityError as error:
        LOG.info("step %s: staging it, the table refused a row as it came: %s", step.id, error)
        return None
    return counts


def _load(connection, plan: Plan, step: LoadStep, dsn: str, choose_spark) -> dict:
    source = sources.open_source(step)
    spark = choose_spark(source) if choose_spark else None
    if spark is None:
        direct = _load_directly(connection, plan, step, source)
        if direct is not None:
            return direct
    stage, records, tasks = _stage(connection, plan, step, source, dsn, spark)
    _pause(step.id, "staged")
    counts = {"source_files": len(source.files), "source_rows": records}
    with connection.transaction():
        # Enough memory for the merge's hash joins and the duplicate check to stay off disk.
        connection.execute("SET LOCAL work_mem = '256MB'")
        connection.execute(
            "SELECT pg_advisory_xact_lock(%s)", (ledger.lock_key("target", step.target_table),)
        )
        if tasks is not None:
            staging.keep_tasks(connection, stage, tasks)
        target_plan = target.plan_target(step, source, target.existing_columns(connection, step))
        counts["rejected"] = target.reject_rows(connection, target_plan, stage, source, plan.run_id, step.id)
        if records and counts["rejected"] / records > step.max_reject_ratio:
            failure = RejectRatioExceeded(
                f"step {step.id}: {counts['rejected']} of {records} rows rejected, more than "
                f"max_reject_ratio {step.max_reject_ratio}; nothing applied. Reasons: "
                f"{ledger.SCHEMA}.rejects (run_id {plan.run_id!r}, step_id {step.id!r})"
            )
            ledger.finish_step(connection, plan.run_id, step.id, "failed", counts, error=str(failure))
            staging.drop(connection, stage)
        else:
            failure = None
            for statement in target_plan.ddl:
                connection.execute(statement)
            counts["duplicates"] = target.collapse_duplicates(connection, target_plan, stage.rows)
            counts["inserted"], counts["updated"] = target.merge(connection, step, target_plan, stage.rows)
            for statement in target_plan.after_load:
                connection.execute(statement)
            counts["unchanged"] = (
                records - counts["rejected"] - counts["duplicates"] - counts["inserted"] - counts["updated"]
            )
            ledger.finish_step(connection, plan.run_id, step.id, "applied", counts)
            staging.drop(connection, stage)
            _pause(step.id, "merged")
    if failure:
        raise failure
    return counts


def _run_step(connection, plan: Plan, position: int, step, dsn: str, choose_spark) -> dict:
    step_lock = ledger.lock_key("step", plan.run_id, step.id)
    connection.execute("SELECT pg_advisory_lock(%s)", (step_lock,))
    try:
        if ledger.step_applied(connection, plan.run_id, step.id):
            return {"id": step.id, "status": "skipped", "reason": "already applied by this run_id"}
        target_name = step.target_table if isinstance(step, LoadStep) else step.script_uri
        ledger.start_step(connection, plan.run_id, step.id, position, step.type, target_name)
        started = time.monotonic()
        try:
            if isinstance(step, SqlStep):
                outcome = scripts.run_script(connection, plan, step)
            else:
                outcome = _load(connection, plan, step, dsn, choose_spark)
        except RejectRatioExceeded:
            raise
        except Exception as error:
            with connection.transaction():
                ledger.finish_step(connection, plan.run_id, step.id, "failed", error=str(error))
                staging.drop(connection, staging.Stage.of_step(plan.run_id, step.id))
            raise StepFailed(f"step {step.id}: {error}") from error
        result = {
            "id": step.id,
            "status": "applied",
            "seconds": round(time.monotonic() - started, 3),
            **outcome,
        }
        LOG.info("step applied: %s", result)
        return result
    finally:
        connection.execute("SELECT pg_advisory_unlock(%s)", (step_lock,))


def run_plan(plan: Plan, dsn: str, choose_spark: SparkChooser | None = None) -> dict:
    """Run the plan's steps in order, skipping those this run_id applied before; the run's summary.

    Raises StepFailed at the first failing step (later steps do not run); the ledger records the failure.
    """
    with psycopg.connect(dsn, autocommit=True) as connection:
        ledger.install(connection)
        ledger.start_run(connection, plan.run_id)
        results = []
        try:
            for position, step in enumerate(plan.steps):
                results.append(_run_step(connection, plan, position, step, dsn, choose_spark))
        except StepFailed as error:
            ledger.finish_run(connection, plan.run_id, str(error))
            raise
        ledger.finish_run(connection, plan.run_id, None)
    return {"run_id": plan.run_id, "status": "succeeded", "steps": results}


def run_status(dsn: str, run_id: str) -> dict | None:
    with psycopg.connect(dsn, autocommit=True) as connection:
        if not connection.execute(
            "SELECT 1 FROM pg_namespace WHERE nspname = %s", (ledger.SCHEMA,)
        ).fetchone():
            return None
        return ledger.run_status(connection, run_id)
