"""platform-ops: the data platform's operator CLI, one command group per pipeline.

`intake-ops ARGS` is kept for this release as an alias of `platform-ops intake ARGS`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime

import download_zip.cli
import upload_config.cli
from botocore.exceptions import BotoCoreError, ClientError

from platform_ops.connection import EXIT_AWS, EXIT_NOT_DONE, EXIT_USAGE, Connection, ResourceNotFound
from platform_ops.datamart import commands as datamart
from platform_ops.intake import commands as intake
from platform_ops.router import commands as router

PROG = "platform-ops"

# The utilities bring their own command lines (the code their Lambdas run): these groups hand over to them.
UTILITIES = {
    "config": (upload_config.cli, "validate and upload configs: config upload|validate FILE --kind KIND"),
    "zip": (download_zip.cli, "stream an S3 prefix into a ZIP on S3: zip SOURCE_PREFIX DESTINATION"),
}


def utc_now() -> datetime:
    return datetime.now(UTC)


def global_options(suppress: bool = False) -> argparse.ArgumentParser:
    """The options of every command, accepted before or after the group and command names.

    Every parser below the top one takes them with SUPPRESS defaults, so that a value given earlier on the
    line is not overwritten by a default when a subparser fills the namespace.
    """
    parser = argparse.ArgumentParser(add_help=False)
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--region", default=default, help="AWS region [AWS_REGION, then AWS_DEFAULT_REGION]")
    parser.add_argument(
        "--endpoint-url", default=default, help="AWS endpoint, e.g. the local emulator's [AWS_ENDPOINT_URL]"
    )
    return parser


def main(argv: list[str] | None = None, now: Callable[[], datetime] = utc_now) -> int:
    parser = argparse.ArgumentParser(
        prog=PROG, description=__doc__.splitlines()[0], parents=[global_options()]
    )
    groups = parser.add_subparsers(required=True, metavar="PIPELINE")
    intake.add_group(groups, global_options(suppress=True))
    router.add_group(groups, global_options(suppress=True))
    datamart.add_group(groups, global_options(suppress=True))
    for name, (_, help_) in UTILITIES.items():
        groups.add_parser(name, help=help_, add_help=False)
    arguments = sys.argv[1:] if argv is None else argv
    if arguments and arguments[0] in UTILITIES:
        return UTILITIES[arguments[0]][0].main(arguments[1:])
    args = parser.parse_args(argv)
    try:
        return args.run(args, Connection.resolve(args.region, args.endpoint_url), now)
    # One line each, no traceback. Settings: ConfigError and UsageError are ValueErrors.
    except ValueError as error:
        return _fail(error, EXIT_USAGE)
    except (ResourceNotFound, BotoCoreError, ClientError) as error:
        return _fail(error, EXIT_AWS)
    except RuntimeError as error:
        return _fail(error, EXIT_NOT_DONE)


def _fail(error: Exception, code: int) -> int:
    print(f"{PROG}: {error}", file=sys.stderr)
    return code


def intake_ops(argv: list[str] | None = None) -> int:
    """The `intake-ops` command of earlier releases: `platform-ops intake` under its old name."""
    return main(["intake", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
