"""In Glue, a manifest converts exactly the versions it lists, although Spark reads only a key's current one.

Spark's S3 reader has no version parameter, so a listed file whose key has moved on (uploaded again after the
manifest was cut) is first copied, its listed version, server side to
``s3://<OUTPUT_BUCKET>/_staging/<manifest_id>/<bucket>/<key>`` and read there; ``_source_file`` still names
the original. A file whose key still holds the listed version is read in place. Whether a key moved on is
asked before the run and again after it (HeadObject, in parallel), and a file that moved on during the run is
converted again from its copy, so the bytes read are always the listed ones. The common case costs two
HeadObject requests per file and no copy; copying every file instead would move every byte once more before
the job starts. The copies are deleted when the run ends. Locally, ``staging.S3Staging`` downloads the listed
versions instead.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any
from urllib.parse import urlparse

import boto3
from pyspark.sql import SparkSession

from ndjson_parquet.job import JobOptions, JobStats, run_job
from ndjson_parquet.manifest import Manifest, load_manifest

STAGING_PREFIX = "_staging"
_PARALLEL_REQUESTS = 16


def _bucket_key(uri: str) -> tuple[str, str]:
    parsed = urlparse(uri)
    return parsed.netloc, uri[len(f"s3://{parsed.netloc}/") :]


def staging_root(options: JobOptions, manifest: Manifest) -> str:
    """Where the run's copies go: beside the output, one folder per manifest."""
    bucket = urlparse(options.output_root).netloc
    return f"s3://{bucket}/{STAGING_PREFIX}/{manifest.manifest_id}/"


def moved_on(s3: Any, manifest: Manifest) -> set[str]:
    """The listed files whose key no longer holds the listed version (HeadObject of each)."""

    def moved(uri: str) -> bool:
        bucket, key = _bucket_key(uri)
        try:
            current = s3.head_object(Bucket=bucket, Key=key).get("VersionId")
        except s3.exceptions.ClientError as error:
            if error.response["Error"]["Code"] in ("404", "NoSuchKey"):
                return True  # deleted since: its listed version may still be there to copy
            raise
        return current != manifest.versions[uri].version_id

    listed = [uri for uri in manifest.uris if uri in manifest.versions]
    with ThreadPoolExecutor(_PARALLEL_REQUESTS) as pool:
        return {uri for uri, gone in zip(listed, pool.map(moved, listed), strict=True) if gone}


def pin(s3: Any, manifest: Manifest, root: str, moved: set[str]) -> Manifest:
    """The manifest reading each file in `moved` from a copy of its listed version under `root`."""

    def copy(uri: str) -> str:
        bucket, key = _bucket_key(uri)
        target_bucket, target_prefix = _bucket_key(root)
        target_key = f"{target_prefix}{bucket}/{key}"
        source = {"Bucket": bucket, "Key": key, "VersionId": manifest.versions[uri].version_id}
        try:
            # The managed copy switches to a multipart copy (UploadPartCopy) above 5 GB.
            s3.copy(source, target_bucket, target_key)
        except s3.exceptions.ClientError as error:
            if error.response["Error"]["Code"] not in ("404", "NoSuchKey", "NoSuchVersion"):
                raise
            # The listed version is gone too: the copy stays missing and the job quarantines it as unreadable.
        return f"s3://{target_bucket}/{target_key}"

    ordered = [uri for uri in manifest.uris if uri in moved]
    with ThreadPoolExecutor(_PARALLEL_REQUESTS) as pool:
        copies = dict(zip(ordered, pool.map(copy, ordered), strict=True))
    return replace(manifest, uris=tuple(copies.get(uri, uri) for uri in manifest.uris))


def remove_copies(s3: Any, root: str) -> None:
    bucket, prefix = _bucket_key(root)
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        stale = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if stale:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": stale, "Quiet": True})


def run_pinned(spark: SparkSession, options: JobOptions, s3: Any = None) -> JobStats:
    """Glue's run: the manifest's listed versions, copied where their keys moved on (see the module)."""
    manifest = load_manifest(options.manifest_path)
    if not manifest.versions:
        return run_job(spark, options, manifest)
    s3 = s3 or boto3.client("s3")
    root = staging_root(options, manifest)
    moved = moved_on(s3, manifest)
    try:
        while True:
            stats = run_job(spark, options, pin(s3, manifest, root, moved), source_prefix=(root, "s3://"))
            during = moved_on(s3, manifest) - moved
            if not during:
                break
            moved |= during  # uploaded while Spark read it: converted again from the listed version
    finally:
        remove_copies(s3, root)
    listed = zip(stats.files, manifest.uris, strict=True)
    return replace(stats, files=[replace(outcome, uri=uri) for outcome, uri in listed])
