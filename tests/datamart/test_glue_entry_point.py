"""The datamart load's Glue entry script: arguments, the secret turned into a DSN in memory, job bookkeeping.

awsglue exists only inside Glue: the awsglue calls the script makes are replaced by fakes that behave like
Glue's (getResolvedOptions fails on a requested name that was not passed), boto3's Secrets Manager by a fake.
"""

from __future__ import annotations

import json
import runpy
import sys
import types
from pathlib import Path

import boto3
import pytest
from datamart_load import engine, plan
from psycopg.conninfo import conninfo_to_dict

ENTRY_POINT = Path(__file__).parents[2] / "src" / "glue" / "datamart_load_job.py"
SECRET = {
    "host": "db.example",
    "port": 5432,
    "dbname": "dm",
    "username": "loader",
    "password": "s3cr3t-value",
}


def get_resolved_options(argv: list[str], names: list[str]) -> dict[str, str]:
    passed = dict(zip(argv[1::2], argv[2::2], strict=False))
    missing = [name for name in names if f"--{name}" not in passed]
    if missing:
        raise SystemExit(f"the following arguments are required: {missing}")
    return {name: passed[f"--{name}"] for name in names}


class FakeSecrets:
    def __init__(self, secret: dict):
        self.secret = secret

    def get_secret_value(self, SecretId: str) -> dict:  # noqa: N803 (boto3's spelling)
        return {"SecretString": json.dumps(self.secret)}


@pytest.fixture
def glue(monkeypatch):
    calls: list[tuple] = []

    class GlueContext:
        def __init__(self, spark_context):
            self.spark_session = "glue-spark-session"

    class Job:
        def __init__(self, context):
            pass

        def init(self, name, arguments):
            calls.append(("init", name))

        def commit(self):
            calls.append(("commit",))

    modules = {
        "awsglue": types.ModuleType("awsglue"),
        "awsglue.context": types.SimpleNamespace(GlueContext=GlueContext),
        "awsglue.job": types.SimpleNamespace(Job=Job),
        "awsglue.utils": types.SimpleNamespace(getResolvedOptions=get_resolved_options),
        "pyspark.context": types.SimpleNamespace(
            SparkContext=types.SimpleNamespace(getOrCreate=lambda: None)
        ),
    }
    for name, module in modules.items():
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setattr(
        boto3, "client", lambda service: calls.append(("client", service)) or FakeSecrets(SECRET)
    )
    monkeypatch.setattr(plan, "load_plan", lambda uri: calls.append(("load_plan", uri)) or f"plan from {uri}")

    def fake_run_plan(the_plan, dsn, choose_spark):
        calls.append(("run_plan", the_plan, dsn, choose_spark))
        return {"run_id": "r", "status": "succeeded", "steps": []}

    monkeypatch.setattr(engine, "run_plan", fake_run_plan)
    return calls


def run_entry_point(monkeypatch, *arguments: str) -> None:
    monkeypatch.setattr(sys, "argv", [str(ENTRY_POINT), *arguments])
    runpy.run_path(str(ENTRY_POINT), run_name="__main__")


def test_the_entry_point_runs_the_plan_with_a_dsn_built_from_the_secret(glue, monkeypatch, capsys):
    run_entry_point(
        monkeypatch,
        "--JOB_NAME",
        "dm",
        "--PLAN_PATH",
        "s3://p/plan.json",
        "--DATAMART_SECRET_ARN",
        "arn:secret",
    )
    init, load, client, (_, the_plan, dsn, _), commit = glue
    assert (init, load, client, the_plan, commit) == (
        ("init", "dm"),
        ("load_plan", "s3://p/plan.json"),
        ("client", "secretsmanager"),
        "plan from s3://p/plan.json",
        ("commit",),
    )
    assert conninfo_to_dict(dsn) | {"application_name": None} == {
        "host": "db.example",
        "port": "5432",
        "dbname": "dm",
        "user": "loader",
        "password": "s3cr3t-value",
        "sslmode": "require",
        "application_name": None,
    }
    assert "s3cr3t-value" not in capsys.readouterr().out


def test_the_entry_point_stops_on_a_missing_secret_argument(glue, monkeypatch):
    with pytest.raises(SystemExit, match="required"):
        run_entry_point(monkeypatch, "--JOB_NAME", "dm", "--PLAN_PATH", "s3://p/plan.json")
    assert glue == []


def test_a_secret_lacking_a_field_is_an_error_naming_the_field_not_the_values(glue, monkeypatch):
    monkeypatch.setattr(boto3, "client", lambda service: FakeSecrets({**SECRET, "host": ""}))
    with pytest.raises(ValueError, match="lacks field\\(s\\) host") as error:
        run_entry_point(
            monkeypatch, "--JOB_NAME", "dm", "--PLAN_PATH", "p.json", "--DATAMART_SECRET_ARN", "arn:s"
        )
    assert "s3cr3t-value" not in str(error.value)
