"""Large sources stage through Spark's executors (parallel COPY streams) with the driver path's results, once
per task whatever its failed attempts left."""

from __future__ import annotations

import pytest
from datamart_load.engine import run_plan, spark_for_large_sources
from datamart_load.local import local_spark_session
from datamart_load.plan import parse_plan
from datamart_load.spark_copy import FAIL_VARIABLE
from ndjson_parquet.line_parser import local_jar

from .conftest import load_step, rows
from .test_rejects import REJECTS

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark():
    # The first session of the test process starts the JVM, whose driver classpath later sessions keep:
    # it carries the NDJSON job's line parser, which the glue_job suite needs in this same process.
    # local[2,2]: a failed task runs again, as on Glue.
    session = local_spark_session("local[2,2]", jars=[local_jar()])
    yield session
    session.stop()


def run_with_spark(dsn, steps, run_id="run-1"):
    return run_plan(
        parse_plan({"run_id": run_id, "steps": steps}),
        dsn,
        spark_for_large_sources(local_spark_session, 0, reads_s3=False),
    )


def test_parquet_files_stage_through_spark_with_last_occurrence_winning(spark, dsn, db, files):
    files.parquet("in/1.parquet", {"id": [1, 2, 1], "name": ["a1", "b1", "a2"]})
    files.parquet("in/2 two.parquet", {"id": [2, 3], "name": ["b2", "c"]})
    [step] = run_with_spark(dsn, [load_step(str(files.root / "in"))])["steps"]
    assert rows(db) == [(1, "a2"), (2, "b2"), (3, "c")]
    assert (step["source_rows"], step["duplicates"], step["inserted"]) == (5, 2, 3)


def test_csv_and_ndjson_stage_through_spark_as_text(spark, dsn, db, files):
    db.execute("CREATE TABLE dm.customer (id integer PRIMARY KEY, name text, tags text)")
    csv = files.text("a.csv", 'id,name\n1,"x, y"\n2,\n')
    ndjson = files.ndjson("b.ndjson", [{"id": 3, "name": "z", "tags": ["t"]}, {"id": "bad"}])
    run_with_spark(dsn, [load_step(csv, fmt="csv", id="csv")])
    [step] = run_with_spark(dsn, [load_step(ndjson, fmt="ndjson", id="json", max_reject_ratio=0.5)], "r2")[
        "steps"
    ]
    assert rows(db) == [(1, "x, y", None), (2, None, None), (3, "z", '["t"]')]
    assert step["rejected"] == 1


def test_records_spark_cannot_read_are_rejected_with_their_text_and_number(spark, dsn, db, files):
    csv = files.text("a.csv", "id,name\n1,a\n2,b,extra\n3,c\n")
    ndjson = files.text("b.ndjson", '{"id": "4"}\n[4]\n')
    [step] = run_with_spark(dsn, [load_step(csv, fmt="csv", id="csv", max_reject_ratio=0.5)])["steps"]
    run_with_spark(dsn, [load_step(ndjson, fmt="ndjson", id="json", max_reject_ratio=0.5)], "r2")
    assert rows(db) == [("1", "a"), ("3", "c"), ("4", None)]
    assert db.execute(REJECTS + ", 1").fetchall() == [
        (csv, 2, "*", "2,b,extra", "3 fields where the header has 2 (line 3)"),
        (ndjson, 2, "*", "[4]", "not a JSON object"),
    ]
    assert (step["source_rows"], step["rejected"]) == (3, 1)


@pytest.mark.parametrize("point", ["copying", "copied"])
def test_a_task_killed_on_its_first_attempt_counts_its_rows_once(spark, dsn, db, files, monkeypatch, point):
    # The first task is killed on its first attempt, before or after its COPY commits, and runs again.
    files.parquet("in/a.parquet", {"id": [1, 2], "name": ["a1", "b1"]})
    files.parquet("in/b.parquet", {"id": [1], "name": ["a2"]})
    files.parquet("in/c.parquet", {"id": [3, 4, 5], "name": ["c", "d", "e"]})
    monkeypatch.setenv(FAIL_VARIABLE, f"load:{point}")
    [step] = run_with_spark(dsn, [load_step(str(files.root / "in"))])["steps"]
    assert rows(db) == [(1, "a2"), (2, "b1"), (3, "c"), (4, "d"), (5, "e")]
    assert (step["source_rows"], step["duplicates"], step["inserted"]) == (6, 1, 5)
