"""`platform-ops router`: the file router's decisions (status), one file's (file KEY), and replays.

Works against AWS with the usual credentials, or against the local emulator when AWS_ENDPOINT_URL is set.
"""

from __future__ import annotations

import argparse
import os
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError
from file_router.decisions import FAILED, HELD, STATUSES, TRIGGERED

from platform_ops.connection import Connection, ResourceNotFound, UsageError, group_options, missing_resource
from platform_ops.router import replay
from platform_ops.router.settings import FUNCTION_VARIABLE, Settings, resolve

# Shown by `file` for each decision, in this order, when set.
DECISION_FIELDS = (
    "version",
    "decided_at",
    "jobs",
    "execution",
    "moved_to",
    "config_etag",
    "settled_at",
    "error",
)


def add_group(groups: Any, global_options: argparse.ArgumentParser) -> None:
    parser = groups.add_parser(
        "router",
        help="the file router: status, file, replay",
        description=__doc__.splitlines()[0],
        epilog="Settings: the deployed router's environment (--function-name or "
        f"{FUNCTION_VARIABLE}), overridden by the same variables in this environment (DECISIONS_TABLE, "
        "STEP_FUNCTION_ARN), overridden by flags. See src/ops/README.md.",
        parents=[global_options, _group_options()],
    )
    parser.set_defaults(run=_run)
    parents = [global_options, _group_options(suppress=True)]
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    status = commands.add_parser("status", parents=parents, help="decisions by status; held and failed files")
    status.set_defaults(command=_status)

    file = commands.add_parser("file", parents=parents, help="every decision about one landed key")
    file.add_argument("key", metavar="KEY", help="the landed file as s3://bucket/key")
    file.set_defaults(command=_file)

    again = commands.add_parser(
        "replay",
        parents=parents,
        help="start held decisions' executions; put failed files back under the input prefix",
    )
    again.add_argument("--file", action="append", metavar="URI", help="only this landed file (repeatable)")
    again.add_argument("--status", choices=(HELD, FAILED), help="only decisions of this status")
    again.add_argument("--state-machine-arn", help="routing state machine to start [STEP_FUNCTION_ARN]")
    again.add_argument("--dry-run", action="store_true", help="show what would happen, change nothing")
    again.set_defaults(command=_replay)


def _group_options(suppress: bool = False) -> argparse.ArgumentParser:
    return group_options(
        f"deployed router to read settings from [{FUNCTION_VARIABLE}]",
        "decisions table [DECISIONS_TABLE]",
        suppress=suppress,
    )


def _run(args: argparse.Namespace, connection: Connection, now: Callable[[], datetime]) -> int:
    function_name = args.function_name or os.environ.get(FUNCTION_VARIABLE) or None
    settings = None
    try:
        settings = resolve(
            function_name,
            {"DECISIONS_TABLE": args.table, "STEP_FUNCTION_ARN": getattr(args, "state_machine_arn", None)},
            session=connection.session(),
        )
        return args.command(args, settings)
    except ClientError as error:
        kind = missing_resource(error)
        if kind is None:
            raise
        variables = settings.variables if settings else {}
        name, check = {
            "function": (function_name, f"--function-name or {FUNCTION_VARIABLE}"),
            "table": (variables.get("DECISIONS_TABLE"), "--function-name/--table"),
            "bucket": (error.response["Error"].get("BucketName"), "the file's URI"),
            "state machine": (variables.get("STEP_FUNCTION_ARN"), "--state-machine-arn/STEP_FUNCTION_ARN"),
        }[kind]
        raise ResourceNotFound(kind, name, connection, check) from error


def _status(args: argparse.Namespace, settings: Settings) -> int:
    decisions = list(settings.table.all())
    counts = Counter(decision.status for decision in decisions)
    print(f"decisions by status ({len(decisions)} files)")
    for status in STATUSES:
        print(f"  {status:<15} {counts.get(status, 0):>8}")
    waiting = sorted(
        (d for d in decisions if d.status in (HELD, FAILED)), key=lambda decision: decision.decided_at
    )
    print(f"to replay (held or failed): {len(waiting)}")
    for decision in waiting:
        reason = f"  {decision.error}" if decision.error else ""
        print(f"  {decision.status:<7} {decision.file}  {decision.decided_at}{reason}")
    running = counts.get(TRIGGERED, 0)
    print(f"routing now or not settled: {running}")
    return 0


def _file(args: argparse.Namespace, settings: Settings) -> int:
    if not args.key.startswith("s3://") or "/" not in args.key[5:]:
        raise UsageError(f"KEY must be s3://bucket/key: {args.key!r}")
    history = settings.table.history(args.key)
    if not history:
        print(f"{args.key}: no decision recorded")
        return 1
    executions = settings.executions(required=False)
    for decision in history:
        print(f"{decision.file}: {decision.status}")
        for name in DECISION_FIELDS:
            value = getattr(decision, name)
            if value:
                print(f"  {name}: {', '.join(value) if isinstance(value, list) else value}")
        if decision.execution and executions.enabled and decision.status != HELD:
            print(f"  execution status: {executions.status(decision.execution)}")
    return 0


def _replay(args: argparse.Namespace, settings: Settings) -> int:
    statuses = (args.status,) if args.status else (HELD, FAILED)
    replays = replay.plan(settings.table, set(args.file or ()), statuses)
    for item in replays:
        print(
            f"{'would ' if args.dry_run else ''}{item.action}  ({item.decision.status}: {item.decision.file})"
        )
    if not replays:
        print("nothing to replay")
    if args.dry_run or not replays:
        return 0
    needs_executions = any(item.decision.status == HELD for item in replays)
    done = replay.run(settings.table, settings.executions(required=needs_executions), settings.s3(), replays)
    for line in done:
        print(line)
    return 0
