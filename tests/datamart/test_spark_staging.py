"""Large sources stage through Spark's executors (parallel COPY streams) with the driver path's results."""

from __future__ import annotations

import pytest
from datamart_load.engine import run_plan, spark_for_large_sources
from datamart_load.local import local_spark_session
from datamart_load.plan import parse_plan
from ndjson_parquet.line_parser import local_jar

from .conftest import load_step, rows

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark():
    # The first session of the test process starts the JVM, whose driver classpath later sessions keep:
    # it carries the NDJSON job's line parser, which the glue_job suite needs in this same process.
    session = local_spark_session("local[2]", jars=[local_jar()])
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
