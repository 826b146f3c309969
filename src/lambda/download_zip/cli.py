"""`… zip SOURCE_PREFIX DESTINATION`: the Lambda's code on this machine, for prefixes that would not finish
within Lambda's 15 minutes. Prints the result as JSON.

Exit codes: 0 done, 2 bad arguments (argparse's usage errors too), 3 an AWS failure (as
every `platform-ops` group: src/ops/README.md).
"""

from __future__ import annotations

import argparse
import json
import sys

from botocore.exceptions import BotoCoreError, ClientError

from .aws import s3_client
from .config import MIB, Settings
from .request import InvalidRequest, parse_request
from .service import zip_prefix


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="zip", description="Stream an S3 prefix into a ZIP on S3.")
    parser.add_argument("source", metavar="SOURCE_PREFIX", help="s3://bucket/prefix/ to zip")
    parser.add_argument("destination", metavar="DESTINATION", help="s3://bucket/key.zip to write")
    parser.add_argument(
        "--ignore", action="append", default=[], metavar="GLOB", help="skip matching keys (repeatable)"
    )
    parser.add_argument("--part-size-mib", type=int, default=Settings.part_size // MIB)
    parser.add_argument("--compression-level", type=int, default=Settings.compression_level)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        source_bucket, source_prefix = _split(args.source, "SOURCE_PREFIX")
        destination_bucket, destination_key = _split(args.destination, "DESTINATION")
        request = parse_request(
            {
                "source_bucket": source_bucket,
                "source_prefix": source_prefix,
                "destination_bucket": destination_bucket,
                "destination_key": destination_key,
                "ignore_patterns": args.ignore,
            }
        )
        settings = Settings.from_environ(
            {"PART_SIZE_MIB": str(args.part_size_mib), "COMPRESSION_LEVEL": str(args.compression_level)}
        )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        result = zip_prefix(s3_client(), request, settings)
    except InvalidRequest as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (BotoCoreError, ClientError) as error:
        print(f"error: AWS: {error}", file=sys.stderr)
        return 3
    print(json.dumps(result, indent=2))
    return 0


def _split(uri: str, name: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise InvalidRequest(f"{name} must be an s3:// URI: {uri!r}")
    bucket, _, key = uri[len("s3://") :].partition("/")
    return bucket, key
