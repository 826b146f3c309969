"""`platform-ops intake`: see and repair the intake's state (tracking table, manifests, executions).

Works against AWS with the usual credentials, or against the local emulator when AWS_ENDPOINT_URL is set.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError
from datamart_workflow.runs import RunStore
from manifest_builder.aws import Workflow
from manifest_builder.partitioning import date_in
from manifest_builder.service import ManifestBuilder
from manifest_builder.tracking import (
    COMPLETED,
    FAILED,
    MANIFESTED,
    PENDING,
    PROCESSING,
    QUARANTINED,
    NotReadmittable,
    TrackedFile,
    TrackedManifest,
)

from platform_ops.connection import Connection, ResourceNotFound, group_options, missing_resource
from platform_ops.intake import inventory, repair
from platform_ops.intake.settings import FUNCTION_VARIABLE, Settings, resolve

# The datamart's run records: `file` then shows the runs that loaded the file's manifest (lineage).
DATAMART_RUNS_VARIABLE = "DATAMART_RUNS_TABLE"
STATUS_COLUMNS = (PENDING, MANIFESTED, PROCESSING, COMPLETED, FAILED, QUARANTINED)


def add_group(groups: Any, global_options: argparse.ArgumentParser) -> None:
    """Adds `intake` and its commands to the platform CLI's groups (an argparse subparsers action).

    `global_options`: the CLI's options, which every command accepts too (with SUPPRESS defaults).
    """
    parser = groups.add_parser(
        "intake",
        help="the NDJSON intake: status, manifest, file, replay, flush, readmit, reconcile, reset-stuck",
        description=__doc__.splitlines()[0],
        epilog="Settings: the deployed manifest builder's environment (--function-name or "
        f"{FUNCTION_VARIABLE}), overridden by the same variables in this environment (TRACKING_TABLE, "
        "STEP_FUNCTION_ARN, MANIFEST_BUCKET, ...), overridden by flags. See src/ops/README.md.",
        parents=[global_options, _group_options()],
    )
    parser.set_defaults(run=_run)
    commands = _Commands(parser.add_subparsers(required=True, metavar="COMMAND"), global_options)

    status = commands.add(
        "status", help="files and manifests by status per date, stuck items, oldest pending"
    )
    status.add_argument("--date", type=_date, help="only this date (YYYY-MM-DD)")
    _stuck_after(status)
    status.set_defaults(command=_status)

    manifest = commands.add("manifest", help="one manifest: its files, error, execution, what to run next")
    manifest.add_argument("manifest_id", metavar="ID", help="the manifest id (YYYY-MM-DD-HHMMSS-…)")
    manifest.set_defaults(command=_manifest)

    file = commands.add("file", help="one file's status and history")
    file.add_argument("key", metavar="KEY", help="the file as s3://bucket/key")
    file.set_defaults(command=_file)

    replay = commands.add(
        "replay", help="start executions for manifests left manifested (rollback, failed start) or failed"
    )
    replay.add_argument("--date", type=_date, help="only manifests of this date")
    replay.add_argument("--manifest-id", action="append", help="only this manifest (repeatable)")
    _writing(replay)
    replay.set_defaults(command=_replay)

    flush = commands.add("flush", help="cut the pending files of DATE into manifests now, partial ones too")
    flush.add_argument("date", metavar="DATE", type=_date, help="YYYY-MM-DD")
    _writing(flush)
    flush.set_defaults(command=_flush)

    readmit = commands.add(
        "readmit",
        help="put a file the job quarantined (bad_content), once fixed, back to pending for a later manifest",
    )
    readmit.add_argument("key", metavar="FILE", help="the file as s3://bucket/key")
    readmit.add_argument("--dry-run", action="store_true", help="show what would change, change nothing")
    readmit.set_defaults(command=_readmit)

    reconcile = commands.add(
        "reconcile",
        help="register the objects of the input prefix the tracking table has never seen, from where the "
        "last run stopped",
    )
    reconcile.add_argument(
        "--max-objects", type=int, help="objects to list in this run [RECONCILE_MAX_OBJECTS, 20000]"
    )
    reconcile.add_argument(
        "--dry-run", action="store_true", help="list and show the unseen objects, register nothing"
    )
    reconcile.set_defaults(command=_reconcile)

    reset = commands.add(
        "reset-stuck",
        help="mark failed (for replay) manifests stuck manifested or processing whose execution has ended",
    )
    _stuck_after(reset)
    reset.add_argument("--dry-run", action="store_true", help="show what would change, change nothing")
    reset.set_defaults(command=_reset_stuck)


def _group_options(suppress: bool = False) -> argparse.ArgumentParser:
    return group_options(
        f"deployed manifest builder to read settings from [{FUNCTION_VARIABLE}]",
        "tracking table [TRACKING_TABLE]",
        suppress=suppress,
    )


class _Commands:
    """The group's subparsers, each taking the global and the group's options too."""

    def __init__(self, subparsers: Any, global_options: argparse.ArgumentParser) -> None:
        self._subparsers = subparsers
        self._parents = [global_options, _group_options(suppress=True)]

    def add(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        return self._subparsers.add_parser(name, parents=self._parents, **kwargs)


def _run(args: argparse.Namespace, connection: Connection, now: Callable[[], datetime]) -> int:
    function_name = args.function_name or os.environ.get(FUNCTION_VARIABLE) or None
    settings = None
    try:
        settings = resolve(
            function_name,
            {"TRACKING_TABLE": args.table, "STEP_FUNCTION_ARN": getattr(args, "state_machine_arn", None)},
            session=connection.session(),
        )
        return args.command(args, settings, now)
    except ClientError as error:
        kind = missing_resource(error)
        if kind is None:
            raise
        variables = settings.variables if settings else {}
        name, check = {
            "function": (function_name, f"--function-name or {FUNCTION_VARIABLE}"),
            "table": (variables.get("TRACKING_TABLE"), "--function-name/--table"),
            "bucket": (
                error.response["Error"].get("BucketName") or variables.get("MANIFEST_BUCKET"),
                "MANIFEST_BUCKET (from the function or the environment)",
            ),
            "state machine": (variables.get("STEP_FUNCTION_ARN"), "--state-machine-arn/STEP_FUNCTION_ARN"),
        }[kind]
        raise ResourceNotFound(kind, name, connection, check) from error


def _date(value: str) -> str:
    if date_in(value) != value:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {value!r}")
    return value


def _stuck_after(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stuck-after-minutes",
        type=int,
        default=120,
        help="a manifest unchanged this long while manifested or processing is stuck (default 120)",
    )


def _writing(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--state-machine-arn", help="state machine to start [STEP_FUNCTION_ARN]")
    parser.add_argument("--dry-run", action="store_true", help="show what would happen, change nothing")


def _builder(
    settings: Settings, now: Callable[[], datetime], starts_executions: bool = False
) -> ManifestBuilder:
    return ManifestBuilder(settings.builder_config(starts_executions), settings.clients, now)


def _status(args: argparse.Namespace, settings: Settings, now: Callable[[], datetime]) -> int:
    found = inventory.load_inventory(settings.table, args.date)
    file_counts = found.file_counts()
    manifest_counts = found.manifest_counts()
    print(f"files by status (table {settings.table_name})")
    print(f"  {'date':<10}  " + "  ".join(f"{c:>11}" for c in STATUS_COLUMNS) + "  manifests")
    for date_prefix in sorted(set(file_counts) | set(manifest_counts)):
        counts = file_counts.get(date_prefix, {})
        manifests = ", ".join(f"{n} {s}" for s, n in sorted(manifest_counts.get(date_prefix, {}).items()))
        print(
            f"  {date_prefix:<10}  "
            + "  ".join(f"{counts.get(c, 0):>11}" for c in STATUS_COLUMNS)
            + f"  {manifests}"
        )
    if not file_counts:
        print("  (no files tracked)")
    failed = found.manifests_with_status(FAILED)
    print(f"failed manifests: {len(failed)}")
    for manifest in failed:
        cause = " ".join((manifest.error_cause or "").split())
        print(f"  {manifest.manifest_id}  {manifest.error or '?'}: {cause[:200]}")
    if failed:
        print("  see one with `platform-ops intake manifest ID`; once fixed: `platform-ops intake replay`")
    stuck = found.stuck_manifests(now(), timedelta(minutes=args.stuck_after_minutes))
    print(f"stuck manifests (unchanged for {args.stuck_after_minutes} min): {len(stuck)}")
    for manifest in stuck:
        print(f"  {manifest.manifest_id}  {manifest.status}  since {manifest.updated_at}")
    oldest = found.oldest_pending()
    oldest_text = f"{oldest.file_key} since {oldest.created_at}" if oldest else "none"
    print(f"oldest pending file: {oldest_text}")
    return 0


def _manifest(args: argparse.Namespace, settings: Settings, now: Callable[[], datetime]) -> int:
    report = inventory.manifest_report(settings.table, settings.clients.stepfunctions, args.manifest_id)
    if report is None:
        print(f"manifest {args.manifest_id}: not tracked")
        return 1
    item = report.item
    print(f"manifest {item.manifest_id}: {item.status}")
    _print_attributes(
        item,
        "date_prefix",
        "manifest_path",
        "file_count",
        "total_bytes",
        "records_read",
        "records_written",
        "records_rejected",
        "files_quarantined",
        "glue_job_run_id",
        "error",
        "error_cause",
        "start_error",
    )
    for arn, execution in report.executions.items():
        print(f"  execution {arn}: {execution['status']}")
    print(f"files ({len(report.files)}):")
    for file in report.files:
        rows = ""
        if file.records_written is not None:
            rows = f"  {file.records_written} rows written, {file.records_rejected or 0} rejected"
        reason = f"  {file.quarantine_reason}" if file.quarantine_reason else ""
        moved = "  (readmitted out of it)" if file.manifest_id != item.manifest_id else ""
        print(f"  {file.file_key}: {file.status}{rows}{reason}{moved}")
    print(f"next: {report.next_step()}")
    return 0


def _file(args: argparse.Namespace, settings: Settings, now: Callable[[], datetime]) -> int:
    history = inventory.file_history(settings.table, settings.clients.stepfunctions, args.key, now())
    if not history.items:
        print(f"{args.key}: not tracked")
        return 1
    for item in history.items:
        status = inventory.Inventory(manifests=history.manifests).file_status(item)
        print(f"{item.file_key}: {status}")
        _print_attributes(
            item,
            "date_prefix",
            "size_bytes",
            "etag",
            "manifest_id",
            "manifest_path",
            "quarantine_reason",
            "quarantine_path",
            "records_read",
            "records_written",
            "records_rejected",
            "error",
            "previous_manifest_ids",
        )
    for arn, execution in history.executions.items():
        print(f"  execution {arn}: {execution['status']}")
    _datamart_lineage(settings, [item.manifest_id for item in history.items if item.manifest_id])
    print("history:")
    for moment, event in history.events():
        print(f"  {moment}  {event}")
    return 0


def _print_attributes(record: TrackedFile | TrackedManifest, *names: str) -> None:
    """`name: value` for each of the item's attributes named that it holds, as its item stores it."""
    held = record.as_dict()
    for name in names:
        if name in held:
            print(f"  {name}: {held[name]}")


def _datamart_lineage(settings: Settings, manifest_ids: list[str]) -> None:
    """The datamart runs that loaded the file's manifests, with their rows, when the runs table is known."""
    table = os.environ.get(DATAMART_RUNS_VARIABLE, "").strip()
    if not table or not manifest_ids:
        return
    runs = RunStore(settings.clients.dynamodb, table)
    for manifest_id in dict.fromkeys(manifest_ids):
        for run in runs.runs_of_manifest(manifest_id):
            bundle = f"{run['bundle']} {run['bundle_version']}"
            print(f"  datamart run {run['run_id']}: {run['status']} (bundle {bundle})")
            for load in run.get("summary", {}).get("loads", []):
                counts = ", ".join(
                    f"{load[name]} {name}" for name in ("source_rows", "inserted", "updated", "rejected")
                )
                print(f"    {load['table']}: {counts}")


def _replay(args: argparse.Namespace, settings: Settings, now: Callable[[], datetime]) -> int:
    found = inventory.load_inventory(settings.table, args.date)
    plan = repair.replay_plan(found, set(args.manifest_id or ()))
    for item in plan:
        print(
            f"{'would start' if args.dry_run else 'starting'} {item.execution_name} "
            f"({item.previous_status}, {item.date_prefix})"
        )
    if not plan:
        print("nothing to replay")
    if args.dry_run or not plan:
        return 0
    builder = _builder(settings, now, starts_executions=True)
    started = repair.replay(builder, Workflow(settings.clients.stepfunctions), plan, now())
    print(f"started {len(started)} execution(s)")
    return 0


def _flush(args: argparse.Namespace, settings: Settings, now: Callable[[], datetime]) -> int:
    builder = _builder(settings, now)
    # The flush first finishes and starts what an interrupted run left (the next step `intake manifest ID`
    # gives for a manifest left building), so such a date has work even with no pending file.
    left = builder.table.open_manifests(args.date)
    for manifest in left:
        verb = "would finish" if args.dry_run else "finishing"
        print(f"{verb} manifest {manifest.manifest_id} ({manifest.status}, not started)")
    batches = repair.flush_plan(builder, args.date)
    for batch in batches:
        verb = "would cut" if args.dry_run else "cutting"
        print(f"{verb} a manifest of {len(batch)} file(s), {sum(f.size_bytes for f in batch)} bytes")
    if not batches and not left:
        print(f"no pending files on {args.date}")
    if args.dry_run or not (batches or left):
        return 0
    result = repair.flush(builder, args.date)
    if result.lock_busy:
        print(
            f"the batching lock of {args.date} is busy: the Lambda holding it cuts the batch", file=sys.stderr
        )
        return 1
    started = builder.config.step_function_arn
    for manifest_id in dict.fromkeys([*(manifest.manifest_id for manifest in left), *result.manifest_ids]):
        state = "started" if started and manifest_id not in result.start_failures else "not started"
        print(f"manifest {manifest_id}: {state}")
    if not started:
        print("STEP_FUNCTION_ARN is blank: the manifests stay manifested until `replay`")
    return 1 if result.start_failures else 0


def _reset_stuck(args: argparse.Namespace, settings: Settings, now: Callable[[], datetime]) -> int:
    found = inventory.load_inventory(settings.table)
    plan = repair.reset_plan(
        found, settings.clients.stepfunctions, now(), timedelta(minutes=args.stuck_after_minutes)
    )
    for stuck in plan:
        print(
            f"{stuck.manifest_id}  {stuck.status} since {stuck.updated_at}, "
            f"execution {stuck.execution_status}: "
            f"{'would be ' if args.dry_run and stuck.resettable else ''}{stuck.action}"
        )
    if not plan:
        print("no stuck manifests")
    if args.dry_run:
        return 0
    reset_ids = repair.reset(settings.table, plan, now())
    print(f"reset {len(reset_ids)} manifest(s) to failed; `platform-ops intake replay` runs them again")
    return 0


def _readmit(args: argparse.Namespace, settings: Settings, now: Callable[[], datetime]) -> int:
    try:
        plan = repair.readmit_plan(settings.table, settings.clients.s3, args.key, now())
        print(
            f"{'would readmit' if args.dry_run else 'readmitting'} {args.key} "
            f"(quarantined in manifest {plan.item.manifest_id}: {plan.item.quarantine_reason}), "
            f"now {plan.current.size_bytes} bytes, etag {plan.current.etag}"
        )
        if args.dry_run:
            return 0
        repair.readmit(settings.table, plan, now())
    except NotReadmittable as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(
        f"{args.key} is pending on {plan.date_prefix}: the next manifest of that date takes it (the sweep "
        f"cuts it once due; `platform-ops intake flush {plan.date_prefix}` cuts it now)"
    )
    return 0


def _reconcile(args: argparse.Namespace, settings: Settings, now: Callable[[], datetime]) -> int:
    builder = _builder(settings, now)
    result = builder.reconciler.run(args.max_objects, dry_run=args.dry_run)
    for uri in result.unseen:
        print(f"{'never seen' if args.dry_run else 'registered'}: {uri}")
    where = "reached the end of the prefix" if result.pass_complete else "the next run resumes there"
    print(
        f"{result.listed} object(s) listed, {len(result.unseen)} never seen, {result.registered} registered; "
        f"{where}"
    )
    return 0
