"""The live local platform (`local-aws up`, `make up`): the emulator, an environment applied to it, and
event delivery as on AWS, running until SIGTERM or SIGINT.

One process holds it all: it starts the emulator (`LocalAws`, in a child process that stops with this
one), applies the environment with `LocalStack`, serves the Glue runner (each job run converts on local
Spark in this process), and runs the delivery loop: one thread per event source kind (delivery/), each
reading its sources back from the emulator every pass, so a stack applied again (`make apply ENV=dev
LOCAL=1` against this emulator) is delivered as it now declares. Step Functions executions run in the
emulator's interpreter. The datamart's PostgreSQL is a local server (local_pg) started with the platform,
its `datamart` database named by the emulator's datamart secret; it stops, and its data goes, with the
platform. The pidfile is written once all of this runs, so its existence means "up".
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from local_aws.delivery.events import EventDelivery, Targets
from local_aws.delivery.schedules import Schedules
from local_aws.delivery.sqs import QueuePoller
from local_aws.deployment import datamart_secret, local_datamart_secret
from local_aws.functions import LocalFunctions
from local_aws.glue_runner import SparkGlueRunner
from local_aws.server import LocalAws
from local_aws.stack import LocalStack
from local_pg import LocalPostgres

logger = logging.getLogger(__name__)

# How long one SQS receive waits for messages (a long poll, as Lambda's poller does): it bounds how late
# a mapping created by a new apply is first polled.
QUEUE_WAIT_SECONDS = 2
# How long one read of the buses' events waits for one (a long poll): it bounds how late a retry is made.
EVENT_WAIT_SECONDS = 1.0
# The pause after a pass that delivered nothing: how often schedules are checked, finer than any period a
# speed-up leaves.
IDLE_SECONDS = 1.0


class LivePlatform:
    def __init__(
        self,
        port: int,
        environment: str = "dev",
        workspace: str | None = None,
        schedule_speedup: float = 1.0,
        event_retry_seconds: float = 1.0,
        spark_master: str = "local[2]",
        function_log: Path | None = None,
        log: Callable[[str], None] = print,
    ) -> None:
        self.port = port
        self.environment = environment
        self.workspace = workspace or environment
        self.schedule_speedup = schedule_speedup
        self.event_retry_seconds = event_retry_seconds
        self.spark_master = spark_master
        self.function_log = function_log
        self._log = log
        self._stop = threading.Event()
        self.datamart_dsn: str | None = None

    def run(self, pidfile: Path | None = None) -> int:
        """Starts everything, writes the pidfile, delivers until SIGTERM or SIGINT, then stops it all."""
        # Both unwind through the cleanups below, also during the apply; SIGINT is set too because a shell
        # starting this in the background (`make up`) leaves it ignored.
        for signal_number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signal_number, _interrupt)
        runner = SparkGlueRunner(master=self.spark_master)
        try:
            with (
                LocalAws(port=self.port, glue_runner=runner) as aws,
                contextlib.closing(runner),
                LocalPostgres() as postgres,
            ):
                # The Glue job code and the functions build their boto3 clients from the environment.
                os.environ.update(aws.env)
                outputs = self._apply(aws)
                self._use_database(aws, outputs, postgres)
                self._deliver(aws, outputs, pidfile)
        except KeyboardInterrupt:
            pass
        finally:
            if pidfile is not None:
                pidfile.unlink(missing_ok=True)
        self._log("local-aws: platform stopped")
        return 0

    def _deliver(self, aws: LocalAws, outputs: dict[str, Any], pidfile: Path | None) -> None:
        functions = LocalFunctions(aws.client, aws.env, self.function_log)
        # Schedules and buses give their events to the same targets; the buses' thread does the retries.
        targets = Targets(aws.client, functions, self.event_retry_seconds)
        events = EventDelivery(aws.client, targets)
        # One thread per kind of event source, each a pass that returns what it delivered (falsy: nothing).
        sources = {
            "sqs": QueuePoller(aws.client, functions, QUEUE_WAIT_SECONDS).poll,
            "schedules": Schedules(aws.client, targets, self.schedule_speedup).deliver_due,
            "events": lambda: events.deliver(EVENT_WAIT_SECONDS),
        }
        threads = [
            threading.Thread(target=self._loop, args=(name, delivery), name=name)
            for name, delivery in sources.items()
        ]
        for thread in threads:
            thread.start()
        try:
            # The message first: whoever waits for the pidfile (`make up`) prints it.
            self._log(ready_message(aws.endpoint_url, outputs, self.datamart_dsn))
            if pidfile is not None:
                pidfile.write_text(f"{os.getpid()}\n")
            self._stop.wait()
        finally:
            self._stop.set()
            for thread in threads:
                thread.join()
            functions.close()

    def _loop(self, name: str, delivery: Callable[[], Any]) -> None:
        """Runs `delivery` until stopped, pausing after a pass that delivered nothing."""
        while not self._stop.is_set():
            try:
                if not delivery():
                    self._stop.wait(IDLE_SECONDS)
            except Exception:
                # A failing function or a stack being applied again: logged, and delivery goes on, as on AWS.
                logger.exception("%s delivery failed; retrying", name)
                self._stop.wait(IDLE_SECONDS)

    def _use_database(self, aws: LocalAws, outputs: dict[str, Any], postgres: LocalPostgres) -> None:
        secret_arn = outputs.get("datamart_secret_arn")
        if secret_arn:
            dsn = postgres.create_database("datamart")
            secret = json.dumps(datamart_secret(dsn))
            aws.client("secretsmanager").put_secret_value(SecretId=secret_arn, SecretString=secret)
            self.datamart_dsn = dsn

    def _apply(self, aws: LocalAws) -> dict[str, Any]:
        secret_arn = local_datamart_secret(aws, self.environment)
        overrides = {"datamart_secret_arn": secret_arn} if secret_arn else None
        stack = LocalStack(aws.env, self.environment, self.workspace, overrides, log=self._log)
        self._log("building the Lambda and Glue archives (scripts/build.py)")
        stack.build()
        # The emulator starts empty, so the state of an earlier run goes; the initialised copy stays, which
        # makes the init fast.
        for path in stack.workdir.glob("terraform.tfstate*"):
            path.unlink()
        stack.prepare(keep_state=True)
        self._log(f"terraform apply environments/{self.environment} to {aws.endpoint_url}")
        return stack.apply()


def _interrupt(signal_number: int, frame: Any) -> None:
    raise KeyboardInterrupt


def ready_message(endpoint_url: str, outputs: dict[str, Any], datamart_dsn: str | None = None) -> str:
    """What `make up` prints: where to upload, and how to watch."""
    port = endpoint_url.rsplit(":", 1)[1]
    lines = [
        f"local-aws: platform up on {endpoint_url}",
        f'  env:     eval "$(.venv/bin/local-aws env --port {port})"  # endpoint, dummy credentials, region',
        f"  upload:  aws s3 cp FILE.ndjson s3://{outputs['input_bucket_name']}/{outputs['input_prefix']}"
        f"YYYY-MM-DD/FILE.ndjson --endpoint-url {endpoint_url}",
        f"  watch:   platform-ops intake --function-name {outputs['manifest_builder_function_name']} status",
        f"  Parquet: s3://{outputs['bucket_names']['output']}/",
    ]
    if outputs.get("router_function_name"):
        lines += [
            f"  route:   aws s3 cp orders.csv s3://{outputs['input_bucket_name']}/data/in/orders.csv "
            f"--endpoint-url {endpoint_url}",
            f"           platform-ops router --function-name {outputs['router_function_name']} status",
        ]
    if datamart_dsn:
        lines.append(f"  datamart: psql {datamart_dsn}")
    lines.append("  stop:    make down")
    return "\n".join(lines)
