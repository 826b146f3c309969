"""Plans, sources and scripts on S3 (the Glue job's case), read through pyarrow's S3 file system."""

from __future__ import annotations

import io
import json

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datamart_load.local import main

from .conftest import load_step, rows

pytestmark = pytest.mark.emulator


def test_a_plan_on_s3_loads_an_s3_prefix_and_runs_an_s3_script(local_aws_env, dsn, db, capsys):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="datamart-in")
    for name, ids in (("in/day=1/a.parquet", [1, 2]), ("in/day=2/b.parquet", [2, 3])):
        buffer = io.BytesIO()
        pq.write_table(pa.table({"id": ids, "name": [f"{name}:{i}" for i in ids]}), buffer)
        s3.put_object(Bucket="datamart-in", Key=name, Body=buffer.getvalue())
    s3.put_object(
        Bucket="datamart-in",
        Key="sql/count.sql",
        Body=b"CREATE TABLE dm.n AS SELECT count(*) FROM dm.customer;",
    )
    plan = {
        "run_id": "s3-run",
        "steps": [
            load_step("s3://datamart-in/in/"),
            {"id": "count", "type": "sql", "script_uri": "s3://datamart-in/sql/count.sql"},
        ],
    }
    s3.put_object(Bucket="datamart-in", Key="plans/p.json", Body=json.dumps(plan).encode())

    assert main(["--plan", "s3://datamart-in/plans/p.json", "--dsn", dsn]) == 0
    assert rows(db) == [(1, "in/day=1/a.parquet:1"), (2, "in/day=2/b.parquet:2"), (3, "in/day=2/b.parquet:3")]
    assert rows(db, "dm.n") == [(3,)]
    assert json.loads(capsys.readouterr().out)["steps"][0]["source_files"] == 2
