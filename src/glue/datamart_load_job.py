"""Glue 5.0 entry point of the datamart load: resolve the arguments, read the database secret, run the plan.

The only module that imports ``awsglue``; the work lives in the ``datamart_load`` package (--extra-py-files),
psycopg comes with --additional-python-modules. The secret's values never reach a log or a job argument.
"""

import json
import logging
import sys

import boto3
from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from datamart_load.engine import run_plan, spark_for_large_sources
from datamart_load.glue_arguments import (
    ARGUMENT_DEFAULTS,
    REQUIRED_ARGUMENTS,
    dsn_from_secret,
    spark_min_bytes,
)
from datamart_load.plan import load_plan
from pyspark.context import SparkContext

# getResolvedOptions fails on an absent name, so optional arguments are resolved only when passed.
present = [name for name in ARGUMENT_DEFAULTS if f"--{name}" in sys.argv]
arguments = getResolvedOptions(sys.argv, [*REQUIRED_ARGUMENTS, *present])

logging.basicConfig(level=logging.INFO, format="%(message)s")
glue_context = GlueContext(SparkContext.getOrCreate())
job = Job(glue_context)
job.init(arguments["JOB_NAME"], arguments)
plan = load_plan(arguments["PLAN_PATH"])
dsn = dsn_from_secret(boto3.client("secretsmanager"), arguments["DATAMART_SECRET_ARN"])
choose_spark = spark_for_large_sources(
    lambda: glue_context.spark_session, spark_min_bytes(arguments), reads_s3=True
)
summary = run_plan(plan, dsn, choose_spark)
print(json.dumps({"event": "datamart_load_done", **summary}))
job.commit()
