"""The Glue job's logs and metrics: one JSON object per log line, its counts as CloudWatch metrics.

The log lines carry the same stable fields as the platform's Lambda functions: `pipeline`, `event` and the
ids an event concerns (`manifest_id`, `date_prefix`), with the job's `job` name and `run_id`. Glue does not
extract Embedded Metric Format from its log streams, so the counts go out with PutMetricData, into the
namespace the job argument --METRICS_NAMESPACE names (absent or empty: no metrics), with the dimensions
`pipeline` and `job`. Powertools, which the Lambda functions use for both, is not bundled here: its Metrics
only print EMF, and its Logger would add a dependency to the job's zip for what this formatter does.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import IO, Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from ndjson_parquet import catalog, outcomes
from ndjson_parquet.job import JobOptions, JobStats, options_from_arguments, partition_location
from ndjson_parquet.manifest import ManifestError, load_manifest

PIPELINE = "intake"
LOGGER = "ndjson_parquet"

# Metric name -> (JobStats attribute, CloudWatch unit).
METRICS = {
    "InputFiles": ("input_files", "Count"),
    "InputBytes": ("input_bytes", "Bytes"),
    "RecordsRead": ("records_read", "Count"),
    "RecordsWritten": ("records_written", "Count"),
    "RecordsRejected": ("records_rejected", "Count"),
    "OutputFiles": ("output_files", "Count"),
    "FilesQuarantined": ("files_quarantined", "Count"),
}

# What every LogRecord has; anything else on a record came from the call's `extra` and is a field.
_RECORD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonLines(logging.Formatter):
    """Formats a record as one JSON object: time, level, logger, message, the run's fields, its extras."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        super().__init__()
        self._fields = dict(fields)

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "name": record.name,
            "message": record.getMessage(),
            **self._fields,
            **{name: value for name, value in vars(record).items() if name not in _RECORD_ATTRIBUTES},
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure_logging(job_name: str, run_id: str, stream: IO[str] | None = None) -> None:
    """The job's package logs as JSON lines (to stderr, Glue's error log stream, unless `stream` is given)."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLines({"pipeline": PIPELINE, "job": job_name, "run_id": run_id}))
    logger = logging.getLogger(LOGGER)
    logger.handlers = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False


def run_reported(arguments: Mapping[str, str], run: Callable[[JobOptions], JobStats]) -> JobStats:
    """`run` on the options of the job arguments, then its outcome recorded in the tracking table
    (``outcomes``; a run that fails marks its files failed), its partition and columns in the Data Catalog
    (``catalog``) and its counts published (Glue's script runs
    `run_job`, the local runner `local.convert`)."""
    namespace, job_name = arguments.get("METRICS_NAMESPACE", ""), arguments["JOB_NAME"]
    table_name = arguments.get("TRACKING_TABLE", "")
    options = options_from_arguments(arguments)
    try:
        stats = run(options)
    except Exception as error:
        _record_failure(table_name, options, error)
        raise
    outcomes.record(table_name, stats)
    database, table = arguments.get("CATALOG_DATABASE", ""), arguments.get("CATALOG_TABLE", "")
    if database and table:
        location = partition_location(options.output_root, stats.date_prefix, stats.manifest_id)
        catalog.register(boto3.client("glue"), database, table, stats, location)
    publish_metrics(namespace, job_name, stats)
    return stats


def _record_failure(table_name: str, options: JobOptions, error: Exception) -> None:
    if not table_name:
        return
    try:
        manifest = load_manifest(options.manifest_path)
    except (ManifestError, OSError, BotoCoreError, ClientError):
        return  # no files to mark: the run's own error is raised, the state machine records it
    outcomes.record_failure(table_name, manifest, error)


def publish_metrics(namespace: str, job_name: str, stats: JobStats, cloudwatch: Any = None) -> None:
    """Sends the run's counts to CloudWatch; nothing when `namespace` is empty."""
    if not namespace:
        return
    dimensions = [{"Name": "pipeline", "Value": PIPELINE}, {"Name": "job", "Value": job_name}]
    (cloudwatch or boto3.client("cloudwatch")).put_metric_data(
        Namespace=namespace,
        MetricData=[
            {
                "MetricName": name,
                "Dimensions": dimensions,
                "Value": float(getattr(stats, attribute)),
                "Unit": unit,
            }
            for name, (attribute, unit) in METRICS.items()
        ],
    )
