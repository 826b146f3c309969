"""The Glue entry script: argument resolution and job bookkeeping around the run of the manifest's listed
versions (``versions.run_pinned``; awsglue faked by the ``glue_stand_ins`` fixture)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from ndjson_parquet import job as job_module
from ndjson_parquet import versions

ENTRY_POINT = Path(__file__).parents[2] / "src" / "glue" / "ndjson_to_parquet.py"


@pytest.fixture
def glue(glue_stand_ins, monkeypatch):
    # The script configures the package logger for the run: undone afterwards.
    logger = logging.getLogger("ndjson_parquet")
    monkeypatch.setattr(logger, "handlers", logger.handlers[:])
    monkeypatch.setattr(logger, "propagate", logger.propagate)
    monkeypatch.setattr(logger, "level", logger.level)

    def fake_run_pinned(spark, options):
        glue_stand_ins.calls.append(("run_pinned", spark, options))
        return job_module.JobStats("m-1", "2024-01-15", 1, 10, 1, 1, 0, 1, "s3://o/p", "s3://o/r")

    monkeypatch.setattr(versions, "run_pinned", fake_run_pinned)
    return glue_stand_ins


def test_the_entry_point_runs_the_job_with_required_and_passed_optional_arguments(glue):
    glue.run(
        ENTRY_POINT,
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
    [init, (_, spark, options), commit] = glue.calls
    assert (init, commit, spark) == (("init", "ingest"), ("commit",), "glue-spark-session")
    assert (options.manifest_path, options.output_root, options.target_file_size_mb) == (
        "s3://m/x.json",
        "s3://o/parquet",
        64,
    )


def test_the_entry_point_stops_on_a_missing_required_argument(glue):
    with pytest.raises(SystemExit, match="required"):
        glue.run(ENTRY_POINT, "--JOB_NAME", "ingest", "--MANIFEST_PATH", "s3://m/x.json")
    assert glue.calls == []


def test_the_entry_point_logs_json_lines_with_the_run_id_and_publishes_the_counts(glue, monkeypatch, capsys):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        glue.run(
            ENTRY_POINT,
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
