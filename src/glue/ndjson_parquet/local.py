"""``ndjson-to-parquet``: run the Glue job's conversion on local Spark, for the demo, the benchmark and tests.

Manifests may list local paths, ``file://`` URIs or ``s3://`` URIs; output may be a folder or an ``s3://``
URI. Anything on S3 goes through ``staging.S3Staging`` because local Spark has no S3 connector.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from pyspark.sql import SparkSession

from ndjson_parquet import telemetry
from ndjson_parquet.job import (
    JobOptions,
    JobStats,
    TooManyFields,
    manifest_location,
    run_job,
)
from ndjson_parquet.line_parser import local_jar
from ndjson_parquet.manifest import Manifest, load_manifest
from ndjson_parquet.staging import S3Staging, is_s3


def local_session(master: str = "local[*]", driver_memory: str = "4g") -> SparkSession:
    """A local SparkSession tuned for one-machine conversion (reuses the active session if there is one)."""
    return (
        SparkSession.builder.master(master)
        .appName("ndjson-to-parquet")
        .config("spark.driver.memory", driver_memory)
        # The job's line parser is a Java UDF; Glue gets the same jar with --extra-jars.
        .config("spark.jars", str(local_jar()))
        # The parallel collector suits this batch workload better than G1 (measured in the benchmark).
        .config("spark.driver.extraJavaOptions", "-XX:+UseParallelGC")
        .config("spark.sql.shuffle.partitions", "4")
        # Listing local files on the driver is faster than Spark's one-task-per-path listing job, which it
        # otherwise starts for more than 32 paths.
        .config("spark.sql.sources.parallelPartitionDiscovery.threshold", "100000")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )


def convert(
    options: JobOptions, spark: SparkSession, s3_client=None, manifest: Manifest | None = None
) -> JobStats:
    """Run the job for ``options`` (or ``manifest`` when given), staging through boto3 what lives on S3."""
    manifest = manifest or load_manifest(options.manifest_path)
    remote_output = is_s3(options.output_root) or is_s3(options.rejects_root)
    if not remote_output and not any(is_s3(uri) for uri in manifest.uris):
        return run_job(spark, options, manifest)
    if s3_client is None:
        import boto3

        s3_client = boto3.client("s3")
    with tempfile.TemporaryDirectory(prefix="ndjson-staging-") as workdir:
        staging = S3Staging(s3_client, Path(workdir))
        local = replace(options, output_root=f"{workdir}/output", rejects_root=f"{workdir}/rejects")
        try:
            stats = run_job(spark, local, staging.stage_inputs(manifest), staging.source_prefix)
            # Outcomes name the files as the manifest lists them, not their staged copies.
            listed = zip(stats.files, manifest.uris, strict=True)
            return replace(stats, files=[replace(outcome, uri=uri) for outcome, uri in listed])
        finally:
            # Published also when the job fails, so S3 shows what the run left: rejects, and no partial data.
            for local_root, remote_root in (
                (local.output_root, options.output_root),
                (local.rejects_root, options.rejects_root),
            ):
                if is_s3(remote_root):
                    staging.publish(
                        Path(manifest_location(local_root, manifest)),
                        manifest_location(remote_root, manifest),
                    )


def run_glue_arguments(arguments: Mapping[str, str], spark: SparkSession | None = None) -> JobStats:
    """Run with Glue job arguments (``{"--MANIFEST_PATH": ...}``, dashes optional): the emulator's runner."""
    plain = {name.lstrip("-"): value for name, value in arguments.items()}
    plain.setdefault("JOB_NAME", "ndjson-to-parquet-local")
    return telemetry.run_reported(plain, lambda options: convert(options, spark or local_session()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ndjson-to-parquet", description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--manifest", help="manifest: local path, file:// or s3:// URI")
    source.add_argument("--input", nargs="+", metavar="FILE", help="NDJSON files (paths or s3:// URIs)")
    parser.add_argument("--date", help="date_prefix of --input files (default: today, UTC)")
    parser.add_argument("--output", required=True, help="Parquet root: folder or s3:// URI")
    parser.add_argument("--rejects", help="rejects root (default: <output>/_rejects)")
    parser.add_argument("--master", default="local[*]", help="Spark master, e.g. local[1] (default local[*])")
    parser.add_argument("--driver-memory", default="4g")
    parser.add_argument("--compression", default="snappy")
    parser.add_argument("--max-reject-ratio", type=float, default=0.01)
    parser.add_argument("--target-file-size-mb", type=float, default=128.0)
    parser.add_argument("--ndjson-bytes-per-parquet-byte", type=float, default=4.0)
    parser.add_argument("--max-fields", type=int, default=1000)
    args = parser.parse_args(argv)
    telemetry.configure_logging("ndjson-to-parquet-local", run_id="", stream=sys.stderr)
    manifest = None
    if args.input:
        date_prefix = args.date or datetime.now(UTC).strftime("%Y-%m-%d")
        manifest = Manifest(f"local-{date_prefix}", date_prefix, tuple(args.input), "--input")
    options = JobOptions(
        manifest_path=args.manifest or "--input",
        output_root=args.output,
        rejects_root=args.rejects or f"{args.output.rstrip('/')}/_rejects",
        compression=args.compression,
        max_reject_ratio=args.max_reject_ratio,
        target_file_size_mb=args.target_file_size_mb,
        ndjson_bytes_per_parquet_byte=args.ndjson_bytes_per_parquet_byte,
        max_fields=args.max_fields,
    )
    spark = local_session(args.master, args.driver_memory)
    try:
        stats = convert(options, spark, manifest=manifest)
    except TooManyFields as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        spark.stop()
    print(json.dumps(stats.as_dict()))
    # A quarantined file is an expected outcome of bad data, not a crash: one line each saying why.
    for outcome in stats.quarantined:
        print(f"error: {outcome.uri} quarantined: {outcome.quarantine_reason}", file=sys.stderr)
    return 1 if stats.quarantined else 0


if __name__ == "__main__":
    sys.exit(main())
