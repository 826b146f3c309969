"""AWS requests per routed file of the file router, config reads at steady state, decisions per second.

N files land under data/in/ (by default 1,000: 80% of active jobs, 10% unknown, 10% of an inactive job), one
EventBridge event each, handled by the router's real handler in this process against moto, one file every
0.1 s of a simulated clock (config revalidated every 60 s, the default). Every request the router's clients
send is counted (botocore `before-call` events), by service and operation.

Baseline, in the same run: the same files with CONFIG_REFRESH_SECONDS=0, so the config is checked at every
file, as our users' router read it once per file. Target: config reads per file at most 0.05.

Run: `make bench-router` (or `.venv/bin/python benchmarks/router_requests.py [--files N]`); not in pytest.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import io
import json
import os
import sys
import time
from typing import Any

import boto3
from file_router import handler
from file_router.decisions import table_definition
from moto import mock_aws

REGION = "us-east-1"
BUCKET = "bench-landing"
TABLE = "bench-decisions"
CONFIG = [
    {
        "job_id": f"JOB{n:03d}",
        "source_file_name": f"table_{n:03d}.csv",
        "target_table": f"staging.table_{n:03d}",
        "upsert_keys": ["id"],
        "is_active": n != 0,
    }
    for n in range(40)
] + [
    {
        "job_id": "SALES",
        "source_file_name": "sales.csv",
        "target_table": "staging.sales",
        "upsert_keys": ["sale_id"],
        "is_active": True,
        "match": "template",
        "pattern": "sales_{date:%Y%m%d}.csv",
    }
]
SECONDS_BETWEEN_FILES = 0.1


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class LambdaContext:
    function_name = "bench-router"
    memory_limit_in_mb = 512
    invoked_function_arn = f"arn:aws:lambda:{REGION}:123456789012:function:bench-router"
    aws_request_id = "bench"


def file_name(n: int) -> str:
    kind = n % 10
    if kind == 0:
        return f"unknown_{n}.csv"
    if kind == 1:
        return "table_000.csv"  # the inactive job
    if kind == 2:
        return f"sales_202611{n % 28 + 1:02d}.csv"
    return f"table_{n % 39 + 1:03d}.csv"


def event(s3: Any, n: int) -> dict:
    key = f"data/in/batch_{n // 100:03d}/{file_name(n)}"
    body = f"id\n{n}\n".encode()
    etag = s3.put_object(Bucket=BUCKET, Key=key, Body=body)["ETag"].strip('"')
    detail = {"key": key, "size": len(body), "etag": etag, "sequencer": f"{n:016X}"}
    return {
        "detail-type": "Object Created",
        "source": "aws.s3",
        "detail": {"bucket": {"name": BUCKET}, "object": detail},
    }


def run(files: int, refresh_seconds: int) -> dict[str, Any]:
    with mock_aws():
        session = boto3.session.Session(region_name=REGION)
        s3 = session.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_object(Bucket=BUCKET, Key="config/config.json", Body=json.dumps(CONFIG).encode())
        session.client("dynamodb").create_table(**table_definition(TABLE))
        topic = session.client("sns").create_topic(Name="bench-alerts")["TopicArn"]
        role = session.client("iam").create_role(RoleName="bench", AssumeRolePolicyDocument="{}")["Role"][
            "Arn"
        ]
        machine = session.client("stepfunctions").create_state_machine(
            name="bench-routing",
            definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}),
            roleArn=role,
        )["stateMachineArn"]
        os.environ.update(
            SNS_TOPIC_ARN=topic,
            STEP_FUNCTION_ARN=machine,
            DECISIONS_TABLE=TABLE,
            DEPLOYED_LOAD_JOBS="datamart-load",
            CONFIG_REFRESH_SECONDS=str(refresh_seconds),
        )
        handler._router.cache_clear()
        router = handler._router()
        clock = Clock()
        router.configs._clock = clock
        requests: collections.Counter[str] = collections.Counter()
        config_reads = [0]

        def count(service: str):
            def hook(model, params, **_):
                requests[f"{service}:{model.name}"] += 1
                if (
                    service == "s3"
                    and model.name == "GetObject"
                    and params.get("Key") == "config/config.json"
                ):
                    config_reads[0] += 1

            return hook

        clients = {
            "s3": router.s3,
            "dynamodb": router.table._dynamodb,
            "stepfunctions": router.executions._sfn,
            "sns": router.notifier._sns,
        }
        for service, client in clients.items():
            client.meta.events.register("before-call", count(service))
        events = [event(s3, n) for n in range(files)]
        outcomes: collections.Counter[str] = collections.Counter()
        # What the handler prints (JSON logs, EMF metrics) is Lambda's business, not the benchmark's.
        with contextlib.redirect_stdout(io.StringIO()):
            started = time.perf_counter()
            for landed in events:
                outcomes[handler.lambda_handler(landed, LambdaContext())["status"]] += 1
                clock.now += SECONDS_BETWEEN_FILES
            elapsed = time.perf_counter() - started
        handler._router.cache_clear()
    by_service = collections.Counter()
    for name, value in requests.items():
        by_service[name.split(":")[0]] += value
    return {
        "files": files,
        "config_refresh_seconds": refresh_seconds,
        "outcomes": dict(outcomes),
        "requests_per_file": {
            service: round(value / files, 3) for service, value in sorted(by_service.items())
        },
        "requests_by_operation": dict(sorted(requests.items())),
        # The router's only GetObject is the config's (a move reads objects with HEAD).
        "config_reads_per_file": round(requests["s3:GetObject"] / files, 4),
        "decisions_per_second": round(files / elapsed, 1),
        "seconds": round(elapsed, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args(argv)
    for name in ("AWS_ENDPOINT_URL",):
        os.environ.pop(name, None)
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION)
    router = run(args.files, refresh_seconds=60)
    baseline = run(args.files, refresh_seconds=0)
    print(json.dumps({"router": router, "config_checked_at_every_file": baseline}, indent=2))
    ok = router["config_reads_per_file"] <= 0.05
    verdict = "ok" if ok else "MISSED"
    print(f"config reads per file: {router['config_reads_per_file']} (target <= 0.05): {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
