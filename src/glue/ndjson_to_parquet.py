"""Glue 5.0 entry point: resolve the job arguments, run the PySpark conversion, commit the job.

The only module that imports ``awsglue``; the work lives in the ``ndjson_parquet`` package (--extra-py-files).
"""

import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from ndjson_parquet import telemetry
from ndjson_parquet.job import ARGUMENT_DEFAULTS, REQUIRED_ARGUMENTS, RUN_ARGUMENTS
from ndjson_parquet.versions import run_pinned
from pyspark.context import SparkContext

# getResolvedOptions fails on an absent name, so optional arguments are resolved only when passed.
present = [name for name in (*ARGUMENT_DEFAULTS, *RUN_ARGUMENTS) if f"--{name}" in sys.argv]
arguments = getResolvedOptions(sys.argv, [*REQUIRED_ARGUMENTS, *present])

telemetry.configure_logging(arguments["JOB_NAME"], arguments.get("JOB_RUN_ID", ""))
glue_context = GlueContext(SparkContext.getOrCreate())
job = Job(glue_context)
job.init(arguments["JOB_NAME"], arguments)
telemetry.run_reported(arguments, lambda options: run_pinned(glue_context.spark_session, options))
job.commit()
