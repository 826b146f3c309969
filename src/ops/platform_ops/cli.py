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

from platform_ops.intake import commands as intake

PROG = "platform-ops"

# The utilities bring their own command lines (the code their Lambdas run): these groups hand over to them.
UTILITIES = {
    "config": (upload_config.cli, "validate and upload configs: config upload|validate FILE --kind KIND"),
    "zip": (download_zip.cli, "stream an S3 prefix into a ZIP on S3: zip SOURCE_PREFIX DESTINATION"),
}


def utc_now() -> datetime:
    return datetime.now(UTC)


def main(argv: list[str] | None = None, now: Callable[[], datetime] = utc_now) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    groups = parser.add_subparsers(required=True, metavar="PIPELINE")
    intake.add_group(groups)
    for name, (_, help_) in UTILITIES.items():
        groups.add_parser(name, help=help_, add_help=False)
    arguments = sys.argv[1:] if argv is None else argv
    if arguments and arguments[0] in UTILITIES:
        return UTILITIES[arguments[0]][0].main(arguments[1:])
    args = parser.parse_args(argv)
    try:
        return args.run(args, now)
    except (ValueError, RuntimeError, BotoCoreError, ClientError) as error:
        # Settings errors (ConfigError is a ValueError) and AWS refusals: one line, no traceback.
        print(f"{PROG}: {error}", file=sys.stderr)
        return 2


def intake_ops(argv: list[str] | None = None) -> int:
    """The `intake-ops` command of earlier releases: `platform-ops intake` under its old name."""
    return main(["intake", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
