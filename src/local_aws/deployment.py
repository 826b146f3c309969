"""The whole pipeline on this machine: emulator, the environment's stack applied to it, local Spark for Glue.

`local_deployment()` is shared by the integration tests and the end-to-end benchmark, which drive the
deliveries step by step (`LocalPipeline`); the live platform of `make up` (live.py) runs the same things in
a loop: the committed Terraform, the real manifest builder, the deployed state machine in the emulator's
interpreter, and the real Glue job code on local Spark for each job run.
"""

from __future__ import annotations

import io
import json
import os
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local_aws.glue_runner import SparkGlueRunner
from local_aws.pipeline import LocalPipeline
from local_aws.server import LocalAws
from local_aws.stack import LocalStack


@dataclass
class Deployment:
    aws: LocalAws
    stack: LocalStack
    outputs: dict[str, Any]
    pipeline: LocalPipeline
    glue_runner: SparkGlueRunner

    def apply(self, **variables: Any) -> dict[str, Any]:
        """Applies the stack again with these environment variables (e.g. the rollback switch)."""
        self.outputs = self.stack.apply(**variables)
        self.pipeline.outputs = dict(self.outputs)
        return self.outputs

    def use_datamart_database(self, dsn: str) -> None:
        """Points the datamart's secret (created by local_deployment) at this PostgreSQL database."""
        self.aws.client("secretsmanager").put_secret_value(
            SecretId=self.outputs["datamart_secret_arn"], SecretString=json.dumps(datamart_secret(dsn))
        )

    def parquet_rows_by_date(self) -> dict[str, int]:
        return parquet_rows_by_date(self.aws.client, self.outputs)

    def rejected_lines(self) -> list[dict[str, Any]]:
        return rejected_lines(self.aws.client, self.outputs)


LOCAL_DATAMART_SECRET = "local-datamart-{environment}"


def datamart_secret(dsn: str) -> dict[str, Any]:
    """The RDS-layout secret of a local PostgreSQL database (no TLS on loopback)."""
    from urllib.parse import urlparse

    url = urlparse(dsn)
    return {
        "host": url.hostname,
        "port": url.port,
        "dbname": url.path.lstrip("/"),
        "username": url.username,
        # local_pg trusts loopback connections; the engine requires the field.
        "password": url.password or "unused-by-trust-authentication",
        "sslmode": "disable",
    }


def local_datamart_secret(aws: LocalAws, environment: str) -> str | None:
    """The emulator's secret for an environment that names an existing datamart secret, its ARN; else None.

    The committed ARN names a secret of the environment's account; here the stack gets one of the emulator,
    empty until a database is given (Deployment.use_datamart_database).
    """
    main = (Path(__file__).resolve().parents[2] / "environments" / environment / "main.tf").read_text()
    if "datamart_secret_arn" not in main:
        return None
    secrets = aws.client("secretsmanager")
    name = LOCAL_DATAMART_SECRET.format(environment=environment)
    try:
        return secrets.describe_secret(SecretId=name)["ARN"]
    except secrets.exceptions.ResourceNotFoundException:
        return secrets.create_secret(Name=name, SecretString="{}")["ARN"]


def job_arguments(client: Callable[[str], Any], outputs: Mapping[str, Any]) -> dict[str, str]:
    """The deployed Glue job's default arguments (output bucket and prefixes)."""
    return client("glue").get_job(JobName=outputs["glue_job_name"])["Job"].get("DefaultArguments", {})


def parquet_rows_by_date(client: Callable[[str], Any], outputs: Mapping[str, Any]) -> dict[str, int]:
    """Rows in the stack's Parquet output per date_prefix, read from the files' footers."""
    import pyarrow.parquet as pq

    arguments = job_arguments(client, outputs)
    s3 = client("s3")
    rows: Counter = Counter()
    for key in _keys(s3, arguments["--OUTPUT_BUCKET"], arguments["--OUTPUT_PREFIX"]):
        if key.endswith(".parquet"):
            body = s3.get_object(Bucket=arguments["--OUTPUT_BUCKET"], Key=key)["Body"].read()
            rows[_partition(key, "date_prefix")] += pq.ParquetFile(io.BytesIO(body)).metadata.num_rows
    return dict(sorted(rows.items()))


def rejected_lines(client: Callable[[str], Any], outputs: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every rejected line the stack's Glue runs wrote (source file, raw line, reason, manifest)."""
    arguments = job_arguments(client, outputs)
    s3 = client("s3")
    lines = []
    for key in _keys(s3, arguments["--OUTPUT_BUCKET"], arguments["--REJECTS_PREFIX"]):
        if key.endswith(".json"):
            body = s3.get_object(Bucket=arguments["--OUTPUT_BUCKET"], Key=key)["Body"].read()
            lines.extend(json.loads(line) for line in body.decode("utf-8").splitlines() if line.strip())
    return lines


def _keys(s3: Any, bucket: str, prefix: str) -> Iterator[str]:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            yield item["Key"]


def _partition(key: str, name: str) -> str:
    return next(part.split("=", 1)[1] for part in key.split("/") if part.startswith(f"{name}="))


@contextmanager
def local_deployment(
    aws: LocalAws | None = None,
    environment: str = "dev",
    workspace: str | None = None,
    module_overrides: Mapping[str, Any] | None = None,
    spark_master: str = "local[2]",
    log: Callable[[str], None] = print,
    function_log: Path | None = None,
) -> Iterator[Deployment]:
    """Builds and applies the environment to the emulator with the Spark Glue runner; undoes it all on exit.

    `aws`: a running emulator to use (its Glue runner is replaced meanwhile), else one is started and
    stopped here. The process environment points at the emulator meanwhile (the handler and the Glue
    code's boto3 calls use the standard AWS_ENDPOINT_URL); it is restored afterwards. `function_log`: where
    the manifest builder's log lines and metric documents go (see LocalPipeline).
    """
    runner = SparkGlueRunner(master=spark_master)
    saved_environ = dict(os.environ)
    with ExitStack() as cleanup:
        cleanup.callback(_restore_environ, saved_environ)
        cleanup.callback(runner.close)
        if aws is None:
            aws = cleanup.enter_context(LocalAws(execute_state_machines=True))
            log(f"emulator listening on {aws.endpoint_url}")
        previous_runner = aws.glue_runner
        aws.glue_runner = runner
        cleanup.callback(setattr, aws, "glue_runner", previous_runner)
        os.environ.update(aws.env)
        secret_arn = local_datamart_secret(aws, environment)
        if secret_arn:
            module_overrides = {"datamart_secret_arn": secret_arn, **(module_overrides or {})}
        stack = LocalStack(aws.env, environment, workspace, module_overrides, log)
        cleanup.callback(stack.remove)
        log("building the Lambda and Glue archives (scripts/build.py)")
        stack.build()
        log(f"terraform init: a scratch copy of environments/{environment} in {stack.workdir}")
        stack.prepare()
        log(f"terraform apply environments/{environment} to the emulator (a minute or two)")
        outputs = stack.apply()
        pipeline = LocalPipeline(aws.client, outputs, aws.env, log, function_log)
        cleanup.callback(pipeline.close)
        yield Deployment(aws, stack, outputs, pipeline, runner)


def _restore_environ(saved: dict[str, str]) -> None:
    os.environ.clear()
    os.environ.update(saved)
