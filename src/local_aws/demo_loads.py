"""`make demo`, after the intake: the datamart loads of the live platform, summarised from PostgreSQL.

- The datamart workflow: the dev stack chains it after the intake (its `dm-after-intake` rule), so each
  completed manifest is loaded by the `events` bundle (staging, data vault, mart); the demo waits for those
  runs and prints the rows per table per layer.
- The file router: CSV files landed under `data/in/` (a new table's rows, an updated copy, an unknown file,
  a file of an inactive job), each outcome as the router decided it, and the table's rows.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import psycopg

# The router's config (config/config.json) loads customers.csv into staging.customers and has products.csv's
# job inactive; mystery.csv matches no job.
ROUTED = (
    ("customers.csv", b"customer_id,name,city\n1,Ada,London\n2,Grace,New York\n3,Hedy,Vienna\n"),
    ("customers.csv", b"customer_id,name,city\n2,Grace,Arlington\n3,Hedy,Vienna\n4,Barbara,Boston\n"),
    ("mystery.csv", b"id\n1\n"),
    ("products.csv", b"product_id\n1\n"),
)
FOLDER = "data/in/demo"
SETTLED = ("archived", "failed", "not_configured", "inactive")
LAYERS = {"stg": "staging", "edv": "data vault", "dm": "mart", "staging": "router loads"}


def datamart_dsn(client: Callable[[str], Any], outputs: dict[str, Any]) -> str:
    """The datamart's database, from the secret its job and functions connect with."""
    secret = json.loads(
        client("secretsmanager").get_secret_value(SecretId=outputs["datamart_secret_arn"])["SecretString"]
    )
    return (
        f"postgresql://{secret['username']}@{secret['host']}:{secret['port']}/{secret['dbname']}"
        f"?sslmode={secret.get('sslmode', 'require')}"
    )


def wait_for_datamart_runs(
    client: Callable[[str], Any], outputs: dict[str, Any], manifests: int, deadline: float, step: Callable
) -> list[dict[str, Any]]:
    """Waits until the workflow has run once per completed intake manifest; returns the executions."""
    sfn = client("stepfunctions")
    last = None
    while True:
        executions = [
            execution
            for page in sfn.get_paginator("list_executions").paginate(
                stateMachineArn=outputs["datamart_state_machine_arn"]
            )
            for execution in page["executions"]
        ]
        done = [e for e in executions if e["status"] != "RUNNING"]
        report = (
            f"datamart runs: {len(done)} ended of {len(executions)} started, {manifests} manifests completed"
        )
        if report != last:
            step(report)
            last = report
        if len(done) >= manifests and len(done) == len(executions):
            return executions
        if time.monotonic() > deadline:
            raise TimeoutError(f"{report}; see .local/platform.log")
        time.sleep(2)


def route_files(
    client: Callable[[str], Any], outputs: dict[str, Any], dsn: str, deadline: float, step: Callable
) -> None:
    """Lands the demo's CSV files one at a time and prints how the router decided each."""
    from file_router.decisions import DecisionTable

    with psycopg.connect(dsn, autocommit=True) as connection:
        # The datamart's schemas are its owner's to create; the engine creates tables, never schemas.
        connection.execute("CREATE SCHEMA IF NOT EXISTS staging")
    step("the datamart's owner creates the router's target schema: CREATE SCHEMA staging")
    bucket = outputs["input_bucket_name"]
    decisions = DecisionTable(client("dynamodb"), outputs["router_decisions_table_name"])
    for number, (name, body) in enumerate(ROUTED, start=1):
        key = f"{FOLDER}/{name}"
        client("s3").put_object(Bucket=bucket, Key=key, Body=body)
        while not (history := decisions.history(f"s3://{bucket}/{key}")) or len(history) < _uploads(
            name, number
        ):
            _wait(deadline, f"no decision about {key}")
        while (decision := decisions.history(f"s3://{bucket}/{key}")[-1]).status not in SETTLED:
            _wait(deadline, f"{key} still {decision.status}")
        where = f" -> {decision.moved_to}" if decision.moved_to else ""
        jobs = f" (jobs {', '.join(decision.jobs)})" if decision.jobs else ""
        step(f"routed s3://{bucket}/{key}: {decision.status}{jobs}{where}")
    with psycopg.connect(dsn) as connection:
        rows = connection.execute(
            "SELECT customer_id, name, city FROM staging.customers ORDER BY 1"
        ).fetchall()
    step(f"staging.customers after the first file and its updated copy: {len(rows)} rows")
    for row in rows:
        print(f"    {row}")


def _uploads(name: str, number: int) -> int:
    """How many uploads of this name the demo has made so far (the updated copy is the second)."""
    return sum(1 for routed, _ in ROUTED[:number] if routed == name)


def _wait(deadline: float, what: str) -> None:
    if time.monotonic() > deadline:
        raise TimeoutError(f"{what}; see .local/platform.log")
    time.sleep(1)


def print_layers(dsn: str) -> None:
    """Rows per table of each layer, read from PostgreSQL."""
    with psycopg.connect(dsn) as connection:
        tables = connection.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema = ANY(%s) AND table_type = 'BASE TABLE' ORDER BY 1, 2",
            (list(LAYERS),),
        ).fetchall()
        print("datamart rows per table (PostgreSQL):")
        for schema, table in tables:
            (count,) = connection.execute(f'SELECT count(*) FROM "{schema}"."{table}"').fetchone()
            print(f"    {LAYERS[schema]:<13} {schema}.{table:<28} {count:>6} rows")
