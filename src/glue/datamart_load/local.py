"""``datamart-load``: run a plan against a PostgreSQL server (the Glue job's code), or show a run's ledger.

    datamart-load --plan FILE|s3://… --dsn postgresql://…     one JSON summary line on stdout
    datamart-load --status RUN_ID --dsn postgresql://…        the run and its steps from the ledger

Exit status 0 on success, 1 on a failed run or bad input (the message on stderr), 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys

import psycopg

from datamart_load.engine import StepFailed, run_plan, run_status, spark_for_large_sources
from datamart_load.glue_arguments import ARGUMENT_DEFAULTS
from datamart_load.plan import PlanError, load_plan

DEFAULT_SPARK_MIN_BYTES = int(ARGUMENT_DEFAULTS["SPARK_MIN_BYTES"])


def local_spark_session(master: str = "local[*]", jars: list | None = None):
    from pyspark.sql import SparkSession

    # The executors' Python workers need this environment's packages (psycopg, pyarrow, datamart_load);
    # a SparkContext started from Python takes the workers' interpreter from this variable only.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    return (
        SparkSession.builder.master(master)
        .appName("datamart-load")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.jars", ",".join(str(jar) for jar in jars or []))
        .getOrCreate()
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="datamart-load",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--plan", help="plan document: local path, file:// or s3:// URI")
    action.add_argument("--status", metavar="RUN_ID", help="print the ledger of this run")
    parser.add_argument("--dsn", required=True, help="PostgreSQL connection URL or key=value string")
    parser.add_argument(
        "--spark-min-bytes",
        type=int,
        default=DEFAULT_SPARK_MIN_BYTES,
        help=f"sources this large stage through local Spark (default {DEFAULT_SPARK_MIN_BYTES})",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        if args.status:
            status = run_status(args.dsn, args.status)
            if status is None:
                print(f"datamart-load: no run {args.status!r} in the ledger", file=sys.stderr)
                return 1
            print(json.dumps(status, default=str))
            return 0
        choose_spark = spark_for_large_sources(local_spark_session, args.spark_min_bytes, reads_s3=False)
        summary = run_plan(load_plan(args.plan), args.dsn, choose_spark)
    except (PlanError, StepFailed, OSError, psycopg.Error) as error:
        print(f"datamart-load: {error}", file=sys.stderr)
        return 1
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
