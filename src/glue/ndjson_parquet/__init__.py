"""NDJSON to Parquet for the intake pipeline's Glue job: PySpark and a Java line parser; no awsglue."""

from ndjson_parquet.job import (
    FileOutcome,
    JobOptions,
    JobStats,
    TooManyFields,
    options_from_arguments,
    run_job,
)
from ndjson_parquet.manifest import Manifest, ManifestError, load_manifest

__all__ = [
    "FileOutcome",
    "JobOptions",
    "JobStats",
    "Manifest",
    "ManifestError",
    "TooManyFields",
    "load_manifest",
    "options_from_arguments",
    "run_job",
]
