"""DynamoDB requests per file of the manifest builder, at 1,000 and 20,000 files for one date.

Counts every DynamoDB request the builder's client sends (botocore `before-call` events) while N files
arrive for one date in SQS batches and are cut into manifests of 200, against moto in-process, and the items
its Queries read (their ScannedCount). The targets: at most 3 requests per file, the per-file figure at 20,000
files within 10% of the figure at 1,000 (the seeds queried all pending files on each arrival, so their cost
grew with the backlog), and at most 5 items read per file at both sizes (picking a manifest's files by
querying the whole date read about 50 per file at 20,000 files).

Run: `make bench-lambda` (or `.venv/bin/python benchmarks/manifest_builder_requests.py`). Not part of pytest.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import time
from datetime import UTC, datetime
from urllib.parse import quote_plus

import boto3
from manifest_builder.aws import AwsClients
from manifest_builder.config import Config
from manifest_builder.service import ManifestBuilder
from manifest_builder.tracking import table_definition
from moto import mock_aws

from local_aws.bridges import dynamodb as dynamodb_bridge

NOW = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
DATE = NOW.date().isoformat()
TABLE = "bench-tracking"
FILES_PER_MANIFEST = 200
OPERATIONS = ("UpdateItem", "PutItem", "TransactWriteItems", "Query", "GetItem", "DeleteItem", "BatchGetItem")


def notification(n: int) -> dict:
    key = f"incoming/{DATE}/events-{DATE}-{n:06d}.ndjson"
    body = {
        "Records": [
            {
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "bucket": {"name": "bench-input"},
                    "object": {"key": quote_plus(key, safe="/"), "size": 1024, "eTag": f"etag-{n}"},
                },
            }
        ]
    }
    return {"messageId": f"m-{n}", "body": json.dumps(body)}


def create_resources(session: boto3.session.Session) -> str:
    dynamodb = session.client("dynamodb")
    dynamodb.create_table(**table_definition(TABLE))
    session.client("s3").create_bucket(Bucket="bench-manifests")
    return session.client("stepfunctions").create_state_machine(
        name="bench",
        definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}),
        roleArn="arn:aws:iam::123456789012:role/bench",
    )["stateMachineArn"]


def measure(files: int, sqs_batch_size: int) -> dict:
    with mock_aws():
        session = boto3.session.Session(region_name="us-east-1")
        state_machine_arn = create_resources(session)
        config = Config.from_environ(
            {
                "TRACKING_TABLE": TABLE,
                "MANIFEST_BUCKET": "bench-manifests",
                "STEP_FUNCTION_ARN": state_machine_arn,
                "MAX_FILES_PER_MANIFEST": str(FILES_PER_MANIFEST),
            }
        )
        clients = AwsClients.create(session)
        builder = ManifestBuilder(config, clients, now=lambda: NOW)
        requests: collections.Counter = collections.Counter()
        scanned = collections.Counter()

        def count_request(event_name: str, **_: object) -> None:
            requests[event_name.rsplit(".", 1)[-1]] += 1

        def count_scanned(event_name: str, parsed: dict, **_: object) -> None:
            scanned["items"] += parsed.get("ScannedCount", 0)

        clients.dynamodb.meta.events.register("before-call.dynamodb", count_request)
        clients.dynamodb.meta.events.register("after-call.dynamodb.Query", count_scanned)
        records = [notification(n) for n in range(files)]
        started = time.perf_counter()
        for start in range(0, files, sqs_batch_size):
            response = builder.handle_sqs_batch(records[start : start + sqs_batch_size])
            if response["batchItemFailures"]:
                raise RuntimeError(f"unexpected failures: {response['batchItemFailures'][:3]}")
        elapsed = time.perf_counter() - started
        counters = builder.table.counters(DATE)
        manifests = session.client("s3").list_objects_v2(Bucket="bench-manifests").get("KeyCount", 0)
    return {
        "files": files,
        "batch": sqs_batch_size,
        "requests": requests,
        "total": sum(requests.values()),
        "scanned": scanned["items"],
        "manifests": manifests,
        "pending_left": counters.pending_count,
        "seconds": elapsed,
    }


def print_table(rows: list[dict]) -> None:
    header = f"{'files':>7} {'sqs batch':>9} {'requests':>9} {'req/file':>9} " + " ".join(
        f"{op:>18}" for op in OPERATIONS
    )
    header += f" {'items read by Query/file':>25} {'manifests':>9} {'pending':>7} {'seconds':>7}"
    print(header)
    for row in rows:
        per_op = " ".join(f"{row['requests'].get(op, 0):>18}" for op in OPERATIONS)
        per_file = row["total"] / row["files"]
        print(
            f"{row['files']:>7} {row['batch']:>9} {row['total']:>9} {per_file:>9.3f} {per_op}"
            f" {row['scanned'] / row['files']:>25.1f} {row['manifests']:>9} {row['pending_left']:>7}"
            f" {row['seconds']:>7.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 20_000])
    parser.add_argument("--sqs-batch-sizes", type=int, nargs="+", default=[10], help="Lambda's default is 10")
    args = parser.parse_args()
    for name, value in {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}.items():
        os.environ.setdefault(name, value)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    rows = []
    # Makes moto's transactions snapshot items rather than the whole table, which changes wall time only.
    with dynamodb_bridge.item_level_transaction_rollback():
        for batch in args.sqs_batch_sizes:
            for files in args.sizes:
                print(f"measuring {files} files in SQS batches of {batch}...", file=sys.stderr, flush=True)
                rows.append(measure(files, batch))
    print_table(rows)
    print()
    for batch in args.sqs_batch_sizes:
        by_size = {row["files"]: row["total"] / row["files"] for row in rows if row["batch"] == batch}
        smallest, largest = min(by_size), max(by_size)
        ratio = by_size[largest] / by_size[smallest]
        print(
            f"SQS batch {batch}: requests/file {by_size[smallest]:.3f} at {smallest} files, "
            f"{by_size[largest]:.3f} at {largest} files; ratio {ratio:.3f} (target <= 1.10); "
            f"max requests/file {max(by_size.values()):.3f} (target <= 3)"
        )
        read = {row["files"]: row["scanned"] / row["files"] for row in rows if row["batch"] == batch}
        print(
            f"SQS batch {batch}: items read by Query/file "
            + ", ".join(f"{per_file:.2f} at {files} files" for files, per_file in sorted(read.items()))
            + f"; max {max(read.values()):.2f} (target <= 5)"
        )


if __name__ == "__main__":
    main()
