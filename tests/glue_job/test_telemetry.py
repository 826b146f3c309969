"""The Glue job's logs and metrics: JSON lines with the run's fields, counts as CloudWatch metrics."""

from __future__ import annotations

import io
import json
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws
from ndjson_parquet.job import FileOutcome, JobStats
from ndjson_parquet.telemetry import configure_logging, publish_metrics, run_reported

NAMESPACE = "ndjson-intake-dev"
JOB = "ndjson-intake-dev-ndjson-to-parquet"
STATS = JobStats("m-1", "2024-01-15", 2, 36, 3, 2, 1, 1, "s3://o/parquet/m-1", "s3://o/rejects/m-1")


@pytest.fixture
def log_stream():
    """The package logger's JSON lines, read back; the logger's earlier configuration is restored."""
    logger = logging.getLogger("ndjson_parquet")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    stream = io.StringIO()
    configure_logging(JOB, "jr_0123", stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.handlers, logger.level, logger.propagate = saved


@pytest.fixture
def cloudwatch():
    with mock_aws():
        yield boto3.client("cloudwatch", region_name="us-east-1")


def sums(cloudwatch, *names: str) -> dict[str, float]:
    """The sum of each metric over the last hour, with the job's dimensions."""
    dimensions = [{"Name": "pipeline", "Value": "intake"}, {"Name": "job", "Value": JOB}]
    now = datetime.now(UTC)
    response = cloudwatch.get_metric_data(
        MetricDataQueries=[
            {
                "Id": name.lower(),
                "Label": name,
                "MetricStat": {
                    "Metric": {"Namespace": NAMESPACE, "MetricName": name, "Dimensions": dimensions},
                    "Period": 60,
                    "Stat": "Sum",
                },
            }
            for name in names
        ],
        StartTime=now - timedelta(hours=1),
        EndTime=now + timedelta(minutes=1),
    )
    return {result["Label"]: sum(result["Values"]) for result in response["MetricDataResults"]}


def test_each_log_line_is_one_json_object_with_the_run_and_event_fields(log_stream):
    logging.getLogger("ndjson_parquet.job").info(
        "manifest m-1 converted", extra={"event": "manifest_converted", "manifest_id": "m-1"}
    )

    (line,) = log_stream()
    assert {name: line[name] for name in ("pipeline", "job", "run_id", "event", "manifest_id", "level")} == {
        "pipeline": "intake",
        "job": JOB,
        "run_id": "jr_0123",
        "event": "manifest_converted",
        "manifest_id": "m-1",
        "level": "INFO",
    }
    assert line["message"] == "manifest m-1 converted"


def test_an_exception_stays_in_its_log_line(log_stream):
    try:
        raise ValueError("bad manifest")
    except ValueError:
        logging.getLogger("ndjson_parquet").exception("failed", extra={"event": "run_failed"})

    (line,) = log_stream()
    assert "ValueError: bad manifest" in line["exception"]


def test_the_counts_are_metrics_of_the_namespace_with_pipeline_and_job_dimensions(cloudwatch):
    publish_metrics(NAMESPACE, JOB, STATS, cloudwatch)

    listed = cloudwatch.list_metrics(Namespace=NAMESPACE)["Metrics"]
    assert {metric["MetricName"] for metric in listed} == {
        "InputFiles",
        "InputBytes",
        "RecordsRead",
        "RecordsWritten",
        "RecordsRejected",
        "OutputFiles",
        "FilesQuarantined",
    }
    assert all(sorted(d["Name"] for d in metric["Dimensions"]) == ["job", "pipeline"] for metric in listed)
    assert sums(cloudwatch, "RecordsWritten", "RecordsRejected", "InputBytes") == {
        "RecordsWritten": 2.0,
        "RecordsRejected": 1.0,
        "InputBytes": 36.0,
    }


def test_without_a_namespace_no_metric_is_published(cloudwatch):
    publish_metrics("", JOB, STATS, cloudwatch)

    assert cloudwatch.list_metrics()["Metrics"] == []


def test_a_run_that_quarantines_a_file_publishes_the_count_of_quarantined_files(cloudwatch, monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    quarantined = FileOutcome("s3://in/bad.ndjson", 2, 0, 2, "bad_content: 2 of 2 lines rejected")
    stats = replace(STATS, files=[FileOutcome("s3://in/good.ndjson", 1, 1, 0), quarantined])
    arguments = {
        "JOB_NAME": JOB,
        "MANIFEST_PATH": "s3://m/x.json",
        "MANIFEST_BUCKET": "m",
        "OUTPUT_BUCKET": "o",
        "METRICS_NAMESPACE": NAMESPACE,
    }
    run_reported(arguments, lambda options: stats)

    assert sums(cloudwatch, "FilesQuarantined") == {"FilesQuarantined": 1.0}
