"""The Glue entry script: argument resolution and job bookkeeping around run_job.

awsglue exists only inside Glue, so the three awsglue calls the script makes are replaced by small fakes that
behave like Glue's (getResolvedOptions fails on a requested name that was not passed).
"""

from __future__ import annotations

import json
import logging
import runpy
import sys
import types
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from ndjson_parquet import job as job_module

ENTRY_POINT = Path(__file__).parents[2] / "src" / "glue" / "ndjson_to_parquet.py"


def get_resolved_options(argv: list[str], names: list[str]) -> dict[str, str]:
    passed = dict(zip(argv[1::2], argv[2::2], strict=False))
    missing = [name for name in names if f"--{name}" not in passed]
    if missing:
        raise SystemExit(f"the following arguments are required: {missing}")
    return {name: passed[f"--{name}"] for name in names}


@pytest.fixture
def glue(monkeypatch):
    calls: list[tuple] = []
    # The script configures the package logger for the run: undone afterwards.
    logger = logging.getLogger("ndjson_parquet")
    monkeypatch.setattr(logger, "handlers", logger.handlers[:])
    monkeypatch.setattr(logger, "propagate", logger.propagate)
    monkeypatch.setattr(logger, "level", logger.level)

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

    def fake_run_job(spark, options):
        calls.append(("run_job", spark, options))
        return job_module.JobStats("m-1", "2024-01-15", 1, 10, 1, 1, 0, 1, "s3://o/p", "s3://o/r")

    monkeypatch.setattr(job_module, "run_job", fake_run_job)
    return calls


def run_entry_point(monkeypatch, *arguments: str) -> None:
    monkeypatch.setattr(sys, "argv", [str(ENTRY_POINT), *arguments])
    runpy.run_path(str(ENTRY_POINT), run_name="__main__")


def test_the_entry_point_runs_the_job_with_required_and_passed_optional_arguments(glue, monkeypatch):
    run_entry_point(
        monkeypatch,
        "--JOB_NAME",
        "ingest",
        "--MANIFEST_PATH",
        "s3://m/x.json",
        "--MANIFEST_BUCKET",
        "m",
        "--OUTPUT_BUCKET",
        "o",
        "--TARGET_FILE_SIZE_MB",
        "64",
    )
    [init, (_, spark, options), commit] = glue
    assert (init, commit, spark) == (("init", "ingest"), ("commit",), "glue-spark-session")
    assert (options.manifest_path, options.output_root, options.target_file_size_mb) == (
        "s3://m/x.json",
        "s3://o/parquet",
        64,
    )


def test_the_entry_point_stops_on_a_missing_required_argument(glue, monkeypatch):
    with pytest.raises(SystemExit, match="required"):
        run_entry_point(monkeypatch, "--JOB_NAME", "ingest", "--MANIFEST_PATH", "s3://m/x.json")
    assert glue == []


def test_the_entry_point_logs_json_lines_with_the_run_id_and_publishes_the_counts(glue, monkeypatch, capsys):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        run_entry_point(
            monkeypatch,
            *("--JOB_NAME", "ingest", "--MANIFEST_PATH", "s3://m/x.json", "--MANIFEST_BUCKET", "m"),
            *("--OUTPUT_BUCKET", "o", "--JOB_RUN_ID", "jr_1", "--METRICS_NAMESPACE", "ndjson-intake-dev"),
        )
        logging.getLogger("ndjson_parquet.job").info("converted", extra={"event": "manifest_converted"})
        metrics = boto3.client("cloudwatch").list_metrics(Namespace="ndjson-intake-dev")["Metrics"]

    (line,) = [json.loads(text) for text in capsys.readouterr().err.splitlines()]
    assert (line["pipeline"], line["job"], line["run_id"], line["event"]) == (
        "intake",
        "ingest",
        "jr_1",
        "manifest_converted",
    )
    assert {metric["MetricName"] for metric in metrics} >= {
        "RecordsRead",
        "RecordsWritten",
        "RecordsRejected",
    }
