"""`platform-ops datamart`: start, inspect and replay the datamart load workflow's runs.

Settings come from the deployed BuildProcessingPlan function's environment (`--function-name` or
DATAMART_FUNCTION), overridden by the same variables in this environment (CONFIG_BUCKET, RUNS_TABLE,
INTAKE_BUCKET, STATE_MACHINE_ARN, ...). Works against AWS or the emulator (AWS_ENDPOINT_URL).
"""

from __future__ import annotations

import argparse
import json
import os
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from build_processing_plan.service import build
from datamart_workflow.requests import parse_request
from datamart_workflow.runs import RunStore, UnknownRun
from datamart_workflow.runtime import Runtime
from datamart_workflow.settings import Settings
from datamart_workflow.store import BundleNotDeployed, SourcesMissing, WorkflowStore

from platform_ops.connection import Connection, UsageError, group_options

FUNCTION_VARIABLE = "DATAMART_FUNCTION"
SETTINGS_VARIABLES = (
    "CONFIG_BUCKET",
    "RUNS_TABLE",
    "INTAKE_BUCKET",
    "INTAKE_PARQUET_PREFIX",
    "STATE_MACHINE_ARN",
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class NotDone(RuntimeError):
    """The command could not do what it was asked (an unknown run, no sources, no bundle)."""


def add_group(groups: Any, global_options: argparse.ArgumentParser) -> None:
    parser = groups.add_parser(
        "datamart",
        help="the datamart load: run, status, runs, replay",
        description=__doc__.splitlines()[0],
        parents=[global_options, _group_options()],
    )
    parser.set_defaults(run=_run)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    parents = [global_options, _group_options(suppress=True)]

    run = commands.add_parser("run", help="start a bundle's run for a date", parents=parents)
    run.add_argument("--bundle", required=True, help="a deployed bundle (config/bundles/<name>)")
    run.add_argument("--date", required=True, type=_date, help="the date whose intake Parquet to load")
    run.add_argument("--dry-run", action="store_true", help="print the plan it would run, start nothing")
    run.set_defaults(command=_start)

    status = commands.add_parser("status", help="one run's record", parents=parents)
    status.add_argument("run_id", metavar="RUN_ID")
    status.set_defaults(command=_status)

    runs = commands.add_parser("runs", help="the runs, newest first", parents=parents)
    runs.add_argument("--bundle", help="only this bundle's runs")
    runs.set_defaults(command=_runs)

    replay = commands.add_parser("replay", help="run a recorded run again (it resumes)", parents=parents)
    replay.add_argument("run_id", metavar="RUN_ID")
    replay.add_argument("--dry-run", action="store_true", help="show the run it would replay, start nothing")
    replay.set_defaults(command=_replay)


def _group_options(suppress: bool = False) -> argparse.ArgumentParser:
    return group_options(
        f"the deployed BuildProcessingPlan function to read settings from [{FUNCTION_VARIABLE}]",
        suppress=suppress,
    )


def _date(value: str) -> str:
    if not _DATE.match(value):
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {value!r}")
    return value


def _run(args: argparse.Namespace, connection: Connection, now: Callable[[], datetime]) -> int:
    session = connection.session()
    variables = _variables(session, args.function_name or os.environ.get(FUNCTION_VARIABLE))
    runtime = Runtime(
        settings=Settings.from_environ(variables),
        store=WorkflowStore(session.client("s3")),
        runs=RunStore(session.client("dynamodb"), variables.get("RUNS_TABLE", "")),
        sns=None,
        secrets=None,
    )
    try:
        return args.command(args, runtime, variables, session, now)
    except (UnknownRun, BundleNotDeployed, SourcesMissing) as error:
        raise NotDone(str(error)) from error


def _variables(session: Any, function_name: str | None) -> dict[str, str]:
    variables = {}
    if function_name:
        configuration = session.client("lambda").get_function_configuration(FunctionName=function_name)
        variables = dict(configuration.get("Environment", {}).get("Variables", {}))
    variables.update({name: os.environ[name] for name in SETTINGS_VARIABLES if os.environ.get(name)})
    return variables


def _state_machine(variables: dict[str, str]) -> str:
    arn = variables.get("STATE_MACHINE_ARN", "")
    if not arn:
        raise UsageError(
            f"STATE_MACHINE_ARN is unknown: name the deployed function ({FUNCTION_VARIABLE}) or set it"
        )
    return arn


def _start_execution(session: Any, variables: dict[str, str], run_id: str, request: dict, now) -> str:
    name = f"{run_id[:60]}-{now():%Y%m%dT%H%M%S}"
    return session.client("stepfunctions").start_execution(
        stateMachineArn=_state_machine(variables), name=name, input=json.dumps(request)
    )["executionArn"]


def _start(args, runtime: Runtime, variables, session, now) -> int:
    request = {"bundle": args.bundle, "date_prefix": args.date}
    planned = build(parse_request(request), runtime, dry_run=True)
    if args.dry_run:
        print(json.dumps(planned, indent=2))
        return 0
    execution = _start_execution(session, variables, planned["run_id"], request, now)
    print(f"run {planned['run_id']} started: {execution}")
    return 0


def _status(args, runtime: Runtime, variables, session, now) -> int:
    print(json.dumps(runtime.runs.get(args.run_id), indent=2, sort_keys=True))
    return 0


def _runs(args, runtime: Runtime, variables, session, now) -> int:
    records = sorted(runtime.runs.scan(), key=lambda run: run["created_at"], reverse=True)
    shown = [run for run in records if not args.bundle or run.get("bundle") == args.bundle]
    for run in shown:
        failure = f"  {run['failed_state']}: {run['error']}" if run["status"] == "failed" else ""
        print(
            f"{run['run_id']}  {run['status']:<9}  {run['created_at']}  attempts {run['attempts']}{failure}"
        )
    if not shown:
        print("(no runs)")
    return 0


def _replay(args, runtime: Runtime, variables, session, now) -> int:
    record = runtime.runs.get(args.run_id)
    if args.dry_run:
        print(f"would replay run {args.run_id} ({record['status']}, plan {record['plan_uri']})")
        return 0
    execution = _start_execution(session, variables, args.run_id, {"replay": args.run_id}, now)
    print(f"run {args.run_id} replayed: {execution}")
    return 0
