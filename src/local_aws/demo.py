"""`make demo`: the whole pipeline on this machine, from upload to Parquet, with a summary at the end.

Starts the emulator, builds and applies environments/dev to it, uploads sample NDJSON, runs the real
manifest builder on the intake queue's messages and on the orphan-sweep schedule, lets the deployed state
machine run the real Glue job code on local Spark, and prints what happened. Everything it started stops
when it ends, also on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import signal
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from local_aws import sample_data
from local_aws.deployment import Deployment, local_deployment
from local_aws.stack import REPO_ROOT

# The manifest builder's JSON log lines and EMF metric documents, as CloudWatch Logs would hold them.
FUNCTION_LOG = REPO_ROOT / ".local" / "demo-manifest-builder.log"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="demo", description=__doc__.splitlines()[0])
    parser.add_argument("--spark-master", default="local[2]", help="Spark master of the Glue runs")
    args = parser.parse_args(argv)
    # Both unwind through the cleanup below; SIGINT is set too because a shell starting the demo in the
    # background leaves it ignored.
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, _interrupt)
    started = time.monotonic()
    try:
        FUNCTION_LOG.parent.mkdir(parents=True, exist_ok=True)
        FUNCTION_LOG.unlink(missing_ok=True)
        with local_deployment(
            workspace="demo", spark_master=args.spark_master, log=_step, function_log=FUNCTION_LOG
        ) as deployment:
            _run(deployment)
    except KeyboardInterrupt:
        print("\ndemo interrupted: emulator, Spark and scratch files stopped and removed", file=sys.stderr)
        return 130
    _step(
        f"done in {time.monotonic() - started:.0f} s; emulator, Spark and scratch files stopped and removed; "
        f"the manifest builder's log lines and metrics are in {FUNCTION_LOG.relative_to(REPO_ROOT)}"
    )
    return 0


def _interrupt(signal_number: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _step(message: str) -> None:
    print(f"[demo {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def _run(deployment: Deployment) -> None:
    outputs = deployment.outputs
    pipeline = deployment.pipeline
    today = datetime.now(UTC).date()
    files = sample_data.demo_files(today)
    sample_data.upload(
        deployment.aws.client("s3"), outputs["input_bucket_name"], outputs["input_prefix"], files
    )
    _step(
        f"uploaded {len(files)} files to s3://{outputs['input_bucket_name']}/{outputs['input_prefix']} "
        f"(dates {files[0].date_prefix} .. {today}; one .csv, one empty file, malformed lines in some)"
    )

    run = pipeline.drain_queue()
    _step(
        f"manifest builder: {run.invocations} invocations for {run.messages} queue messages, "
        f"{len(run.failed_messages)} reported failed"
    )
    swept = pipeline.sweep()
    _step(f"orphan sweep (the schedule's event): {swept}")
    _step(f"today's {today} files wait for a full batch; the operator forces it: `platform-ops intake flush`")
    _intake_ops(deployment, "flush", today.isoformat())
    _step(
        "state machine executions run in the emulator; each Glue job run converts on local Spark, one at a "
        "time (a start that finds the job at its MaxConcurrentRuns is retried after 60 s, as on AWS)"
    )
    pipeline.wait_for_executions()
    _summary(deployment)


def _intake_ops(deployment: Deployment, *arguments: str) -> str:
    """Runs `platform-ops intake` against the deployed stack, echoing its output indented."""
    from platform_ops.cli import main

    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        main(["intake", "--function-name", deployment.outputs["manifest_builder_function_name"], *arguments])
    for line in output.getvalue().splitlines():
        print(f"    {line}")
    return output.getvalue()


def _summary(deployment: Deployment) -> None:
    from manifest_builder.tracking import TrackingTable
    from platform_ops.intake.inventory import load_inventory

    table = TrackingTable(deployment.aws.client("dynamodb"), deployment.outputs["tracking_table_name"])
    found = load_inventory(table)
    executions = {e["name"]: e for e in deployment.pipeline.executions()}
    print("\n================ summary ================")
    print("files by status (platform-ops intake status):")
    _intake_ops(deployment, "status")

    print("manifests and their executions:")
    for manifest in found.manifests_with_status(
        "building", "manifested", "processing", "completed", "failed"
    ):
        execution = executions.get(manifest["manifest_id"], {})
        print(
            f"    {manifest['manifest_id']}  {manifest['file_count']:>2} files  {manifest['status']:<10}"
            f"  execution {execution.get('status', 'none')}"
        )

    print("Parquet rows written per date:")
    for date_prefix, rows in deployment.parquet_rows_by_date().items():
        print(f"    {date_prefix}  {rows:>6} rows")

    print("quarantined files:")
    for item in sorted(found.files, key=lambda item: item["file_key"]):
        if item.get("status") == "quarantined":
            print(f"    {item['file_key']}\n        {item['quarantine_reason']}")

    rejected = deployment.rejected_lines()
    by_file = Counter(line["source_file"] for line in rejected)
    print(f"rejected lines: {len(rejected)} (kept with source file and raw content under the rejects prefix)")
    for source_file, count in sorted(by_file.items()):
        print(f"    {count} in {source_file}")
    if rejected:
        print(f"    e.g. {rejected[0]['raw_line'][:60]!r}: {rejected[0]['reason']}")
    print("=========================================\n")


if __name__ == "__main__":
    sys.exit(main())
