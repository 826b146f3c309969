"""`make demo`: sample data through the live local platform (`make up`), from upload to Parquet and into the
datamart, summarised.

Uploads sample NDJSON to the platform's input bucket, watches the tracking table (what `platform-ops intake
status` reads) while the platform delivers the intake queue to the manifest builder, the state machine runs
and the Glue job converts on local Spark, and forces today's partial batch with `platform-ops intake flush`.
Each completed manifest is then loaded into the datamart by the chained workflow, and CSV files landed under
`data/in/` are routed (demo_loads.py). It prints what happened, with the rows per table per layer read from
PostgreSQL. The platform stays up for more uploads; `make down` stops it.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from local_aws import demo_loads, sample_data
from local_aws.deployment import parquet_rows_by_date, rejected_lines
from local_aws.functions import environment
from local_aws.server import EmulatorClients, emulator_env
from local_aws.stack import LocalStack

# A final status: the file will not change unless an operator replays it.
FINAL = ("completed", "failed", "quarantined")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="demo", description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint-url", default="http://127.0.0.1:4566", help="the live platform (make up)")
    parser.add_argument("--workspace", default="dev", help="the platform's Terraform copy under .local/")
    parser.add_argument("--function-log", type=Path, help="where the platform sends the functions' log lines")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for every file")
    args = parser.parse_args(argv)
    started = time.monotonic()
    env = emulator_env(args.endpoint_url, int(args.endpoint_url.rsplit(":", 1)[1]))
    client = EmulatorClients(args.endpoint_url)
    outputs = LocalStack(env, workspace=args.workspace, log=_step).outputs()
    # The operator CLI finds the emulator as any AWS SDK would: through the environment.
    with environment(env):
        _run(client, outputs, args.timeout)
        dsn = _loads(client, outputs, args.timeout)
        _summary(client, outputs, dsn)
    _step(f"done in {time.monotonic() - started:.0f} s; the platform stays up (make down stops it)")
    if args.function_log:
        _step(f"the manifest builder's log lines and metrics are in {args.function_log}")
    return 0


def _step(message: str) -> None:
    print(f"[demo {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def _run(client: Callable[[str], Any], outputs: dict[str, Any], timeout: float) -> None:
    today = datetime.now(UTC).date()
    files = sample_data.demo_files(today)
    uris = sample_data.upload(client("s3"), outputs["input_bucket_name"], outputs["input_prefix"], files)
    _step(
        f"uploaded {len(files)} files to s3://{outputs['input_bucket_name']}/{outputs['input_prefix']} "
        f"(dates {files[0].date_prefix} .. {today}; one .csv, one empty file, malformed lines in some)"
    )
    _step("the platform delivers the intake queue to the manifest builder; past dates are cut at once")
    deadline = time.monotonic() + timeout
    _watch(client, outputs, uris, deadline, until=lambda status: status != "unknown")
    _step(f"today's {today} files wait for a full batch; the operator forces it: `platform-ops intake flush`")
    _intake_ops(outputs, "flush", today.isoformat())
    _step(
        "state machine executions run in the emulator; each Glue job run converts on local Spark, one at a "
        "time (a start that finds the job at its MaxConcurrentRuns is retried after 60 s, as on AWS)"
    )
    _watch(client, outputs, uris, deadline, until=lambda status: status in FINAL)


def _loads(client: Callable[[str], Any], outputs: dict[str, Any], timeout: float) -> str:
    """The datamart's runs after the intake, then the router's files; returns the datamart's DSN."""
    from manifest_builder.tracking import TrackingTable
    from platform_ops.intake.inventory import load_inventory

    deadline = time.monotonic() + timeout
    found = load_inventory(TrackingTable(client("dynamodb"), outputs["tracking_table_name"]))
    completed = len(found.manifests_with_status("completed"))
    _step("each completed manifest's Parquet is loaded by the datamart workflow (bundle `events`)")
    demo_loads.wait_for_datamart_runs(client, outputs, completed, deadline, _step)
    dsn = demo_loads.datamart_dsn(client, outputs)
    _step("CSV files land under data/in/: the file router decides each with config/config.json")
    demo_loads.route_files(client, outputs, dsn, deadline, _step)
    return dsn


def _watch(
    client: Callable[[str], Any],
    outputs: dict[str, Any],
    uris: list[str],
    deadline: float,
    until: Callable[[str], bool],
) -> None:
    """Polls the tracking table until every uploaded file's status satisfies `until`, printing changes."""
    last = None
    while True:
        statuses = _statuses(client, outputs, uris)
        counts = ", ".join(f"{n} {s}" for s, n in sorted(Counter(statuses.values()).items()))
        if counts != last:
            _step(f"files: {counts}")
            last = counts
        if all(until(status) for status in statuses.values()):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"files not done in time: {counts}; see .local/platform.log")
        time.sleep(2)


def _statuses(client: Callable[[str], Any], outputs: dict[str, Any], uris: list[str]) -> dict[str, str]:
    """Each uploaded file's final status ("unknown" while untracked), as `platform-ops intake file` says."""
    from manifest_builder.tracking import TrackingTable
    from platform_ops.intake.inventory import load_inventory

    found = load_inventory(TrackingTable(client("dynamodb"), outputs["tracking_table_name"]))
    tracked = {item.file_key: item for item in found.files}
    return {uri: found.file_status(tracked[uri]) if uri in tracked else "unknown" for uri in uris}


def _intake_ops(outputs: dict[str, Any], *arguments: str) -> str:
    """Runs `platform-ops intake` against the platform, echoing its output indented."""
    return _platform_ops(["intake", "--function-name", outputs["manifest_builder_function_name"], *arguments])


def _platform_ops(arguments: list[str]) -> str:
    """Runs `platform-ops` against the platform, echoing its output indented."""
    from platform_ops.cli import main

    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        main(arguments)
    for line in output.getvalue().splitlines():
        print(f"    {line}")
    return output.getvalue()


def _summary(client: Callable[[str], Any], outputs: dict[str, Any], dsn: str) -> None:
    from manifest_builder.tracking import TrackingTable
    from platform_ops.intake.inventory import load_inventory

    found = load_inventory(TrackingTable(client("dynamodb"), outputs["tracking_table_name"]))
    paginator = client("stepfunctions").get_paginator("list_executions")
    executions = {
        e["name"]: e
        for page in paginator.paginate(stateMachineArn=outputs["state_machine_arn"])
        for e in page["executions"]
    }
    print("\n================ summary ================")
    print("files by status (platform-ops intake status):")
    _intake_ops(outputs, "status")

    print("manifests and their executions:")
    for manifest in found.manifests_with_status(
        "building", "manifested", "processing", "completed", "failed"
    ):
        execution = executions.get(manifest.manifest_id, {})
        print(
            f"    {manifest.manifest_id}  {manifest.file_count:>2} files  {manifest.status:<10}"
            f"  execution {execution.get('status', 'none')}"
        )

    print("Parquet rows written per date:")
    for date_prefix, rows in parquet_rows_by_date(client, outputs).items():
        print(f"    {date_prefix}  {rows:>6} rows")

    print("quarantined files:")
    for item in sorted(found.files, key=lambda item: item.file_key):
        if item.status == "quarantined":
            print(f"    {item.file_key}\n        {item.quarantine_reason}")

    rejected = rejected_lines(client, outputs)
    by_file = Counter(line["source_file"] for line in rejected)
    print(f"rejected lines: {len(rejected)} (kept with source file and raw content under the rejects prefix)")
    for source_file, count in sorted(by_file.items()):
        print(f"    {count} in {source_file}")
    if rejected:
        print(f"    e.g. {rejected[0]['raw_line'][:60]!r}: {rejected[0]['reason']}")
    print("datamart runs (platform-ops datamart runs):")
    _platform_ops(
        ["datamart", "--function-name", outputs["datamart_function_names"]["build-processing-plan"], "runs"]
    )
    demo_loads.print_layers(dsn)
    print("=========================================\n")


if __name__ == "__main__":
    sys.exit(main())
