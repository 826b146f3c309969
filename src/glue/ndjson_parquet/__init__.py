"""NDJSON -> Parquet conversion for the intake pipeline's Glue job, in plain PySpark (no awsglue here)."""

from ndjson_parquet.job import JobOptions, JobStats, RejectRatioExceeded, options_from_arguments, run_job
from ndjson_parquet.manifest import Manifest, ManifestError, load_manifest

__all__ = [
    "JobOptions",
    "JobStats",
    "Manifest",
    "ManifestError",
    "RejectRatioExceeded",
    "load_manifest",
    "options_from_arguments",
    "run_job",
]
