"""Atomic, exactly-once steps: a run killed at any moment and rerun with its run_id applies each step once;
concurrent runs on one table serialise; the same run_id started twice never applies a step twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from datamart_load.engine import StepFailed
from datamart_load.staging_names import drop_left_over

from .conftest import load_step, rows, run

STAGING_TABLES = "SELECT count(*) FROM pg_tables WHERE schemaname = 'datamart_staging'"


def start_paused(dsn: str, plan: str, point: str, seconds: float | None = None) -> subprocess.Popen:
    """``datamart-load`` in a subprocess, waiting until it reports the failpoint ``point`` reached."""
    env = {**os.environ, "DATAMART_LOAD_PAUSE": point}
    if seconds is not None:
        env["DATAMART_LOAD_PAUSE_SECONDS"] = str(seconds)
    process = subprocess.Popen(
        [sys.executable, "-m", "datamart_load.local", "--plan", plan, "--dsn", dsn],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in process.stderr:
        if "paused at" in line:
            return process
    raise AssertionError(f"never paused: exit {process.wait()}")


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()


def wait_for_lock_waiter(db) -> None:
    for _ in range(100):
        if db.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted").fetchone()[
            0
        ]:
            return
        time.sleep(0.05)
    raise AssertionError("nobody waited for an advisory lock")


def in_thread(target) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def body():
        try:
            outcome["summary"] = target()
        except Exception as error:  # handed to the test's assertions
            outcome["error"] = error

    thread = threading.Thread(target=body)
    thread.start()
    return thread, outcome


@pytest.mark.parametrize("point", ["staged", "merged"])
def test_a_run_killed_during_a_step_and_rerun_applies_it_exactly_once(dsn, db, files, point):
    db.execute("CREATE TABLE dm.customer (id bigint PRIMARY KEY, name text)")
    db.execute("INSERT INTO dm.customer VALUES (1, 'old')")
    source = files.parquet("a.parquet", {"id": [1, 2, 3], "name": ["new", "b", "c"]})
    first = load_step(files.parquet("x.parquet", {"id": [9]}), table="dm.other", id="first")
    plan = files.plan([first, load_step(source, id="second")])
    kill(start_paused(dsn, plan, f"second:{point}"))

    assert rows(db) == [(1, "old")]
    assert db.execute("SELECT step_id, status FROM datamart_ledger.steps ORDER BY position").fetchall() == [
        ("first", "applied"),
        ("second", "running"),
    ]
    rerun = subprocess.run(
        [sys.executable, "-m", "datamart_load.local", "--plan", plan, "--dsn", dsn],
        capture_output=True,
        text=True,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert rows(db) == [(1, "new"), (2, "b"), (3, "c")]
    assert rows(db, "dm.other") == [(9,)]
    assert db.execute(
        "SELECT step_id, status, attempts, inserted, updated FROM datamart_ledger.steps ORDER BY position"
    ).fetchall() == [("first", "applied", 1, 1, 0), ("second", "applied", 2, 2, 1)]
    assert db.execute(STAGING_TABLES).fetchone() == (0,)


def test_a_first_load_killed_during_its_copy_and_rerun_applies_it_exactly_once(dsn, db, files):
    # An empty table with its key unique takes the rows straight from one COPY in the step's transaction.
    db.execute("CREATE TABLE dm.customer (id bigint PRIMARY KEY, name text)")
    plan = files.plan([load_step(files.parquet("a.parquet", {"id": [1, 2], "name": ["a", "b"]}))])
    process = start_paused(dsn, plan, "load:staged")
    assert db.execute(STAGING_TABLES).fetchone() == (0,)
    assert rows(db) == []
    kill(process)
    rerun = subprocess.run(
        [sys.executable, "-m", "datamart_load.local", "--plan", plan, "--dsn", dsn],
        capture_output=True,
        text=True,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert rows(db) == [(1, "a"), (2, "b")]
    assert db.execute("SELECT status, attempts, inserted FROM datamart_ledger.steps").fetchall() == [
        ("applied", 2, 2)
    ]


def test_what_a_killed_step_left_in_staging_is_dropped_by_the_workflows_cleanup(dsn, db, files):
    plan = files.plan([load_step(files.text("a.csv", "id\n1\n"), fmt="csv")], "run-a")
    kill(start_paused(dsn, plan, "load:staged"))
    assert db.execute(STAGING_TABLES).fetchone() == (2,)
    assert drop_left_over(db, "run-a", ["load"]) == 2
    assert db.execute(STAGING_TABLES).fetchone() == (0,)


def test_a_failed_step_leaves_no_staging_table(dsn, db, files):
    with pytest.raises(StepFailed):
        run(dsn, [load_step(files.parquet("a.parquet", {"id": [1]}), table="dm.customer", keys=("code",))])
    assert db.execute(STAGING_TABLES).fetchone() == (0,)


def test_a_rerun_of_a_finished_run_skips_its_applied_steps(dsn, db, files):
    step = load_step(files.parquet("a.parquet", {"id": [1], "name": ["a"]}))
    run(dsn, [step])
    db.execute("UPDATE dm.customer SET name = 'changed since'")
    summary = run(dsn, [step])
    assert summary["steps"] == [
        {"id": "load", "status": "skipped", "reason": "already applied by this run_id"}
    ]
    assert rows(db) == [(1, "changed since")]


def test_two_runs_loading_one_table_at_once_both_succeed_one_after_the_other(dsn, db, files):
    plan = files.plan([load_step(files.parquet("a.parquet", {"id": [1, 2], "name": ["a", "b"]}))], "run-a")
    holder = start_paused(dsn, plan, "load:merged", seconds=1)
    other = load_step(files.parquet("b.parquet", {"id": [2, 3], "name": ["B", "c"]}))
    thread, outcome = in_thread(lambda: run(dsn, [other], "run-b"))
    wait_for_lock_waiter(db)
    assert holder.wait() == 0
    thread.join()
    assert outcome["summary"]["steps"][0] | {"inserted": 1, "updated": 1} == outcome["summary"]["steps"][0]
    assert rows(db) == [(1, "a"), (2, "B"), (3, "c")]


def test_the_same_run_id_started_twice_applies_each_step_once(dsn, db, files):
    plan = files.plan([load_step(files.parquet("a.parquet", {"id": [1, 2], "name": ["a", "b"]}))], "run-a")
    first = start_paused(dsn, plan, "load:merged", seconds=1)
    thread, outcome = in_thread(lambda: run(dsn, [load_step(str(files.root / "a.parquet"))], "run-a"))
    wait_for_lock_waiter(db)
    assert first.wait() == 0
    thread.join()
    assert outcome["summary"]["steps"][0]["status"] == "skipped"
    assert db.execute("SELECT status, attempts, inserted FROM datamart_ledger.steps").fetchall() == [
        ("applied", 1, 2)
    ]
