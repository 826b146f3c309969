"""The real Glue job code as the emulator's Glue runner: each job run converts its manifest on local Spark.

`SparkGlueRunner` is a `glue_runner` for `LocalAws`: it receives the run's merged job arguments, as Glue
passes them to the script, and hands them to `ndjson_parquet.local.run_glue_arguments`, which stages the
s3:// inputs and outputs through boto3 (so the process environment must point boto3 at the emulator:
`os.environ.update(aws.env)`). A run that raises, e.g. too many rejected lines, fails its job run, and the
state machine sees the failure as it would on AWS.

A run with a `--PLAN_PATH` argument is the datamart load's: its plan runs with the engine against the
database its `--DATAMART_SECRET_ARN` names (the emulator's Secrets Manager, pointing at a local PostgreSQL),
large sources on the same SparkSession, as the Glue entry point does.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

logger = logging.getLogger(__name__)


class SparkGlueRunner:
    """Runs job runs one at a time on one local SparkSession, started at the first run.

    One at a time because a run sets session-wide Spark options (split size) for its own input, and two
    cores gain nothing from two concurrent conversions; a queued run stays RUNNING, as on a busy Glue job.
    """

    def __init__(self, master: str = "local[2]", driver_memory: str = "2g") -> None:
        self.master = master
        self.driver_memory = driver_memory
        self.runs: list[dict[str, Any]] = []
        self._spark = None
        self._lock = threading.Lock()

    def __call__(self, job_name: str, arguments: dict[str, str]) -> None:
        if "--PLAN_PATH" in arguments:
            self._datamart_load(job_name, arguments)
            return
        from ndjson_parquet.local import run_glue_arguments

        manifest_path = arguments.get("--MANIFEST_PATH", "")
        with self._lock:
            logger.info("Glue job %s: converting %s on local Spark", job_name, manifest_path)
            try:
                stats = run_glue_arguments({**arguments, "--JOB_NAME": job_name}, self.session())
            except Exception as error:
                self.runs.append({"job_name": job_name, "manifest_path": manifest_path, "error": str(error)})
                raise
            self.runs.append({"job_name": job_name, "manifest_path": manifest_path, **stats.as_dict()})

    def _datamart_load(self, job_name: str, arguments: dict[str, str]) -> None:
        import boto3
        from datamart_load.engine import run_plan, spark_for_large_sources
        from datamart_load.glue_arguments import dsn_from_secret, spark_min_bytes
        from datamart_load.plan import load_plan

        plan_path = arguments["--PLAN_PATH"]
        with self._lock:
            logger.info("Glue job %s: running %s with the datamart load engine", job_name, plan_path)
            try:
                plan = load_plan(plan_path)
                dsn = dsn_from_secret(boto3.client("secretsmanager"), arguments["--DATAMART_SECRET_ARN"])
                names = {name.lstrip("-"): value for name, value in arguments.items()}
                choose = spark_for_large_sources(self.session, spark_min_bytes(names), reads_s3=False)
                summary = run_plan(plan, dsn, choose)
            except Exception as error:
                self.runs.append({"job_name": job_name, "plan_path": plan_path, "error": str(error)})
                raise
            self.runs.append({"job_name": job_name, "plan_path": plan_path, **summary})

    def session(self):
        """The runner's SparkSession, started at the first call."""
        if self._spark is None:
            from ndjson_parquet.local import local_session

            # Spark's console progress bars would garble the demo's and the tests' output.
            os.environ.setdefault(
                "PYSPARK_SUBMIT_ARGS", "--conf spark.ui.showConsoleProgress=false pyspark-shell"
            )
            self._spark = local_session(self.master, self.driver_memory)
            self._spark.sparkContext.setLogLevel("ERROR")
        return self._spark

    def close(self) -> None:
        """Stops the SparkSession if a run started one; a run still going fails (no waiting on Ctrl-C)."""
        spark, self._spark = self._spark, None
        if spark is not None:
            spark.stop()

    def __enter__(self) -> SparkGlueRunner:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
