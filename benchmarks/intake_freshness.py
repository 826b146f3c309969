"""Freshness of the intake: a trickle of one file a minute for 30 minutes, from upload to rows in Parquet.

Applies environments/dev to the local emulator and uploads FILES files of today's date, one every simulated
minute: far too few to fill a manifest of 200, so every file waits for MAX_BATCH_WAIT_SECONDS, which cuts a
partial batch by the next arrival or by the orphan sweep. The real manifest builder runs on the queue's
messages and on the sweep's scheduled event; the state machine runs the real Glue code on local Spark.

Time is compressed by COMPRESSION (default 30, so 30 simulated minutes take one real minute):

- scaled: the interval between uploads (60 s / COMPRESSION), the deployed MAX_BATCH_WAIT_SECONDS (set on the
  function's environment divided by COMPRESSION: Terraform refuses values under 60 s) and the period of the
  deployed orphan sweep schedule (the sweep is invoked here on that period divided by COMPRESSION);
- not scaled: everything from a manifest's cut to its files' rows in Parquet (execution start, the state
  machine, the Glue run on local Spark), the "job time", which is real time and counted as such.

A file's time to Parquet in simulated seconds is therefore (manifest cut - upload) x COMPRESSION + (its
outcome_at, written by the Glue job once its rows are in Parquet, - manifest cut). Printed: p50 and p95 of
that over the files, the job time measured in the same run, and the goal bound MAX_BATCH_WAIT_SECONDS +
sweep period + the longest job time of the run.

Not modelled: the SQS batching window (the queue is drained right after each upload) and Glue's start-up on
AWS (the local SparkSession is started before the trickle).

Usage: python benchmarks/intake_freshness.py [--files 30] [--compression 30] [--lines-per-file 50]
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from local_aws import sample_data
from local_aws.delivery.schedules import rate_seconds
from local_aws.deployment import Deployment, local_deployment

UPLOAD_INTERVAL_SECONDS = 60  # one file a minute, simulated
POLL_SECONDS = 0.25


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=30)
    parser.add_argument("--compression", type=float, default=30.0)
    parser.add_argument("--lines-per-file", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=600, help="real seconds to wait for the last file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    today = datetime.now(UTC).date().isoformat()
    files = sample_data.uniform_files(today, args.files, args.lines_per_file)

    with local_deployment(workspace="bench-freshness", log=_quiet) as deployment:
        max_wait = int(deployment.pipeline.function_environment()["MAX_BATCH_WAIT_SECONDS"])
        sweep_period = _sweep_period(deployment)
        scaled_wait = round(max_wait / args.compression)
        _set_function_environment(deployment, MAX_BATCH_WAIT_SECONDS=str(scaled_wait))
        deployment.glue_runner.session()  # Spark's start-up is no part of a job's time here
        uploads = _trickle(deployment, files, today, args.compression, sweep_period, args.timeout)
        items = _items(deployment, today)
        rows = sum(deployment.parquet_rows_by_date().values())

    latencies, waits, jobs = _latencies(uploads, items, args.compression)
    bound = max_wait + sweep_period + max(jobs.values())
    expected_rows = args.files * args.lines_per_file
    p50, p95 = percentile(list(latencies.values()), 50), percentile(list(latencies.values()), 95)
    print(
        f"freshness, {args.files} files of today, one a simulated minute, "
        f"time compressed {args.compression:g}x "
        "(uploads, MAX_BATCH_WAIT_SECONDS and the sweep period scaled; job time real):"
    )
    print(
        f"  MAX_BATCH_WAIT_SECONDS {max_wait} s (set to {scaled_wait} s), "
        f"sweep every {sweep_period} s (invoked every {sweep_period / args.compression:g} s)"
    )
    print(
        f"  manifests: {len(jobs)}, files in Parquet: {len(latencies)}/{args.files}, "
        f"rows {rows} (expected {expected_rows})"
    )
    print(
        f"  wait for a manifest (simulated s): p50 {percentile(waits, 50):7.1f}  "
        f"p95 {percentile(waits, 95):7.1f}  max {max(waits):7.1f}"
    )
    print(
        f"  job time, cut to rows (real s):    p50 {percentile(list(jobs.values()), 50):7.1f}  "
        f"max {max(jobs.values()):7.1f}"
    )
    print(
        f"  upload to rows in Parquet (simulated s): p50 {p50:7.1f}  p95 {p95:7.1f}  max "
        f"{max(latencies.values()):7.1f}"
    )
    print(
        f"  goal: p95 <= {max_wait} + {sweep_period} + {max(jobs.values()):.1f} = {bound:.1f} s: "
        f"{'met' if p95 <= bound else 'NOT met'}"
    )
    print(
        json.dumps(
            {
                "files": args.files,
                "compression": args.compression,
                "p50_seconds": p50,
                "p95_seconds": p95,
                "max_seconds": max(latencies.values()),
                "manifests": len(jobs),
                "job_seconds_max": max(jobs.values()),
                "bound_seconds": bound,
                "rows": rows,
            }
        )
    )
    complete = len(latencies) == args.files and rows == expected_rows
    return 0 if complete and p95 <= bound else 1


def percentile(values: Sequence[float], pct: float) -> float:
    """The nearest-rank percentile: the smallest value with at least pct % of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def _quiet(message: str) -> None:
    print(f"  .. {message}", flush=True)


def _sweep_period(deployment: Deployment) -> int:
    """The period of the deployed schedule that invokes the manifest builder with the sweep's event."""
    events = deployment.aws.client("events")
    function = deployment.pipeline.function_name
    for rule in events.list_rules()["Rules"]:
        targets = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
        sweep = [t for t in targets if t["Arn"].endswith(f":function:{function}") and "Input" not in t]
        period = rate_seconds(rule.get("ScheduleExpression", ""))
        if sweep and period is not None:
            return period
    raise RuntimeError(f"no rate() schedule invokes {function} with the scheduled event")


def _set_function_environment(deployment: Deployment, **variables: str) -> None:
    """Changes the deployed function's environment (its next invocation is a new container)."""
    current = deployment.pipeline.function_environment()
    deployment.aws.client("lambda").update_function_configuration(
        FunctionName=deployment.pipeline.function_name, Environment={"Variables": {**current, **variables}}
    )


def _trickle(
    deployment: Deployment,
    files: list[sample_data.SampleFile],
    today: str,
    compression: float,
    sweep_period: int,
    timeout: float,
) -> dict[str, datetime]:
    """Uploads the files and sweeps on the scaled clock until every file has its rows; upload time by URI."""
    s3 = deployment.aws.client("s3")
    bucket, prefix = deployment.outputs["input_bucket_name"], deployment.outputs["input_prefix"]
    interval, sweep_every = UPLOAD_INTERVAL_SECONDS / compression, sweep_period / compression
    started = time.monotonic()
    # EventBridge fires a rate() rule one period after it is created: the phase is arbitrary, as on AWS.
    next_sweep = started + sweep_every
    uploads: dict[str, datetime] = {}
    pending = list(files)
    while True:
        now = time.monotonic()
        if pending and now >= started + len(uploads) * interval:
            sample = pending.pop(0)
            key = f"{prefix}{sample.name}"
            uploads[f"s3://{bucket}/{key}"] = datetime.now(UTC)
            s3.put_object(Bucket=bucket, Key=key, Body=sample.body)
            deployment.pipeline.drain_queue()
        if now >= next_sweep:
            deployment.pipeline.sweep()
            next_sweep += sweep_every
        if not pending:
            done = [i for i in _items(deployment, today).values() if i.get("outcome_at")]
            if len([i for i in done if i["file_key"] in uploads]) == len(files):
                deployment.pipeline.wait_for_executions(timeout_seconds=60)
                return uploads
        if now - started > timeout:
            raise TimeoutError(f"files still without rows after {timeout} s")
        time.sleep(POLL_SECONDS)


def _items(deployment: Deployment, date_prefix: str) -> dict[str, dict[str, Any]]:
    """The date's tracking items by file_key."""
    deserializer = TypeDeserializer()
    paginator = deployment.aws.client("dynamodb").get_paginator("query")
    pages = paginator.paginate(
        TableName=deployment.outputs["tracking_table_name"],
        KeyConditionExpression="date_prefix = :d",
        ExpressionAttributeValues={":d": {"S": date_prefix}},
        ConsistentRead=True,
    )
    items = {}
    for page in pages:
        for raw in page["Items"]:
            item = {name: deserializer.deserialize(value) for name, value in raw.items()}
            items[item["file_key"]] = item
    return items


def _latencies(
    uploads: dict[str, datetime], items: dict[str, dict[str, Any]], compression: float
) -> tuple[dict[str, float], list[float], dict[str, float]]:
    """Per file, upload to rows in simulated seconds; the scaled waits; per manifest, its real job time."""
    latencies, waits, jobs = {}, [], {}
    for uri, uploaded in uploads.items():
        item = items[uri]
        if item.get("status") != "completed":
            continue
        cut = _moment(items[f"MANIFEST#{item['manifest_id']}"]["created_at"])
        job = (_moment(item["outcome_at"]) - cut).total_seconds()
        wait = (cut - uploaded).total_seconds() * compression
        jobs[item["manifest_id"]] = max(job, jobs.get(item["manifest_id"], 0.0))
        waits.append(wait)
        latencies[uri] = wait + job
    return latencies, waits, jobs


def _moment(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


if __name__ == "__main__":
    sys.exit(main())
