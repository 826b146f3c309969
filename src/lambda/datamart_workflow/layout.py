"""Where the workflow's documents live in the config bucket: every key format, defined once.

bundles/<name>/current.json                 the deployed version of a bundle (written by Terraform)
bundles/<name>/<version>/<path>             a version's files, content-addressed (written by Terraform)
datamart/runs/<run_id>/plan.json            a run's plan document (the engine's format)
datamart/runs/<run_id>/bundle/<path>        the bundle files the plan names, copied at planning time, so a
                                            replay needs nothing that a later deploy could remove
"""

from __future__ import annotations

BUNDLES_PREFIX = "bundles/"
RUNS_PREFIX = "datamart/runs/"
MANIFEST_NAME = "bundle.json"


def bundle_pointer_key(bundle: str) -> str:
    return f"{BUNDLES_PREFIX}{bundle}/current.json"


def bundle_version_prefix(bundle: str, version: str) -> str:
    return f"{BUNDLES_PREFIX}{bundle}/{version}/"


def run_prefix(run_id: str) -> str:
    return f"{RUNS_PREFIX}{run_id}/"


def plan_key(run_id: str) -> str:
    return f"{run_prefix(run_id)}plan.json"


def run_bundle_key(run_id: str, path: str) -> str:
    return f"{run_prefix(run_id)}bundle/{path}"


def intake_date_prefix(parquet_prefix: str, date_prefix: str) -> str:
    """The intake's Parquet of one date (ndjson_parquet writes `parquet/date_prefix=…/manifest_id=…/`)."""
    return f"{parquet_prefix}date_prefix={date_prefix}/"


def intake_manifest_prefix(parquet_prefix: str, date_prefix: str, manifest_id: str) -> str:
    return f"{intake_date_prefix(parquet_prefix, date_prefix)}manifest_id={manifest_id}/"
