"""`… config upload FILE --kind KIND [--dry-run] [--bucket B]` and `… config validate FILE --kind KIND`.

`upload` runs the Lambda's code from this machine with the caller's credentials (bucket from --bucket or
CONFIG_BUCKET); `validate` needs no AWS at all: the deploy pipeline and `make validate-configs` use it.
Exit codes: 0 accepted, 2 bad arguments or an invalid config (every violation printed), 3 an AWS failure (as
every `platform-ops` group: src/ops/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError
from platform_common.config_validation import violations
from platform_common.schemas import KINDS

from .config import ConfigError, Settings, job_list
from .request import InvalidConfig, InvalidRequest, parse_request
from .service import upload
from .store import ConfigStore, s3_client


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        payload = json.loads(Path(args.file).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"error: cannot read {args.file} as JSON: {error}", file=sys.stderr)
        return 2
    if args.command == "validate":
        return _validate(args.file, args.kind, payload, job_list(args.deployed_jobs))
    return _upload(args, payload)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="config", description="Validate and upload configs.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_ in (
        ("upload", "validate FILE, then write it as a new version"),
        ("validate", "check FILE"),
    ):
        command = commands.add_parser(name, help=help_)
        command.add_argument("file", metavar="FILE")
        command.add_argument("--kind", required=True, choices=KINDS)
        command.add_argument(
            "--deployed-jobs", metavar="A,B", help="load jobs job_name must be among (default: not checked)"
        )
        if name == "upload":
            command.add_argument("--dry-run", action="store_true", help="validate and report; write nothing")
            command.add_argument("--bucket", help="config bucket (default: $CONFIG_BUCKET)")
    return parser


def _validate(file: str, kind: str, payload: object, deployed: tuple[str, ...] | None) -> int:
    found = violations(kind, payload, deployed)
    for violation in found:
        print(f"{file}: {violation}", file=sys.stderr)
    if found:
        return 2
    print(f"{file}: valid {kind}")
    return 0


def _upload(args: argparse.Namespace, payload: object) -> int:
    overrides = {"CONFIG_BUCKET": args.bucket, "DEPLOYED_LOAD_JOBS": args.deployed_jobs}
    environ = {**os.environ, **{name: value for name, value in overrides.items() if value}}
    try:
        settings = Settings.from_environ(environ)
        request = parse_request({"kind": args.kind, "payload": payload, "dry_run": args.dry_run})
        result = upload(ConfigStore(s3_client()), settings, request)
    except InvalidConfig as error:
        for violation in error.violations:
            print(f"{args.file}: {violation}", file=sys.stderr)
        return 2
    except (InvalidRequest, ConfigError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (BotoCoreError, ClientError) as error:
        print(f"error: AWS: {error}", file=sys.stderr)
        return 3
    print(json.dumps(result, indent=2))
    if result["violations"]:
        for violation in result["violations"]:
            print(f"{args.file}: {violation['path']}: {violation['message']}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
