"""The datamart load's Glue entry script: arguments, the secret turned into a DSN in memory, job bookkeeping
(awsglue faked by the ``glue_stand_ins`` fixture, boto3's Secrets Manager by a fake here)."""

from __future__ import annotations

import json
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
ARGUMENTS = ("--JOB_NAME", "dm", "--PLAN_PATH", "s3://p/plan.json", "--DATAMART_SECRET_ARN", "arn:secret")


class FakeSecrets:
    def __init__(self, secret: dict):
        self.secret = secret

    def get_secret_value(self, SecretId: str) -> dict:  # noqa: N803 (boto3's spelling)
        return {"SecretString": json.dumps(self.secret)}


@pytest.fixture
def glue(glue_stand_ins, monkeypatch):
    calls = glue_stand_ins.calls
    monkeypatch.setattr(
        boto3, "client", lambda service: calls.append(("client", service)) or FakeSecrets(SECRET)
    )
    monkeypatch.setattr(plan, "load_plan", lambda uri: calls.append(("load_plan", uri)) or f"plan from {uri}")

    def fake_run_plan(the_plan, dsn, choose_spark):
        calls.append(("run_plan", the_plan, dsn, choose_spark))
        return {"run_id": "r", "status": "succeeded", "steps": []}

    monkeypatch.setattr(engine, "run_plan", fake_run_plan)
    return glue_stand_ins


def test_the_entry_point_runs_the_plan_with_a_dsn_built_from_the_secret(glue, capsys):
    glue.run(ENTRY_POINT, *ARGUMENTS)
    init, load, client, (_, the_plan, dsn, _), commit = glue.calls
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


def test_the_entry_point_stops_on_a_missing_secret_argument(glue):
    with pytest.raises(SystemExit, match="required"):
        glue.run(ENTRY_POINT, *ARGUMENTS[:4])
    assert glue.calls == []


def test_a_secret_lacking_a_field_is_an_error_naming_the_field_not_the_values(glue, monkeypatch):
    monkeypatch.setattr(boto3, "client", lambda service: FakeSecrets({**SECRET, "host": ""}))
    with pytest.raises(ValueError, match="lacks field\\(s\\) host") as error:
        glue.run(ENTRY_POINT, *ARGUMENTS)
    assert "s3cr3t-value" not in str(error.value)
