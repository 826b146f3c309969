"""One Glue run: a manifest's NDJSON files -> Parquet in its date partition, rejects beside, stats."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from urllib.parse import unquote, urlparse

from pyspark.sql import SparkSession

from ndjson_parquet import transform
from ndjson_parquet.hadoop_fs import HadoopFs
from ndjson_parquet.manifest import Manifest, load_manifest
from ndjson_parquet.sizing import FILE_OPEN_COST_BYTES, split_bytes

LOG = logging.getLogger("ndjson_parquet")

REQUIRED_ARGUMENTS = ("JOB_NAME", "MANIFEST_PATH", "MANIFEST_BUCKET", "OUTPUT_BUCKET")
# Optional job arguments and their defaults; the Glue job's default_arguments may set any of them.
ARGUMENT_DEFAULTS = {
    "OUTPUT_PREFIX": "parquet/",
    "REJECTS_PREFIX": "rejects/",
    "COMPRESSION_TYPE": "snappy",
    "MAX_REJECT_RATIO": "0.01",
    "TARGET_FILE_SIZE_MB": "128",
    "NDJSON_BYTES_PER_PARQUET_BYTE": "4",
    "SAMPLE_LINES": "1000",
    "MAX_FIELDS": "1000",
    # CloudWatch namespace of the job's metrics (ndjson_parquet.telemetry); empty: none published.
    "METRICS_NAMESPACE": "",
}
# Arguments Glue itself passes to every run.
RUN_ARGUMENTS = ("JOB_RUN_ID",)
COMPRESSIONS = ("snappy", "gzip", "zstd", "lz4", "none", "uncompressed")


class RejectRatioExceeded(RuntimeError):
    """More lines were rejected than MAX_REJECT_RATIO allows; the manifest's Parquet output was removed."""

    def __init__(self, stats: JobStats, max_reject_ratio: float):
        self.stats = stats
        super().__init__(
            f"manifest {stats.manifest_id}: {stats.records_rejected} of {stats.records_read} lines rejected "
            f"(ratio {stats.reject_ratio:.4f} > MAX_REJECT_RATIO {max_reject_ratio}); "
            f"rejected lines are in {stats.rejects_location}"
        )


class TooManyFields(RuntimeError):
    """The records hold more distinct top-level fields than MAX_FIELDS; the run keeps no Parquet output."""

    def __init__(self, manifest_id: str, fields: list[str], max_fields: int):
        self.fields = fields
        super().__init__(
            f"manifest {manifest_id}: {len(fields)} distinct top-level fields, more than MAX_FIELDS "
            f"{max_fields} (the first: {', '.join(fields[:10])}, …). Keys that differ per record, such as "
            "ids used as keys, make a column each: they belong in a nested object. If the data really is "
            "this wide, raise MAX_FIELDS."
        )


@dataclass(frozen=True)
class JobOptions:
    manifest_path: str
    output_root: str
    rejects_root: str
    compression: str = "snappy"
    max_reject_ratio: float = 0.01
    target_file_size_mb: float = 128.0
    ndjson_bytes_per_parquet_byte: float = 4.0
    sample_lines: int = 1000
    max_fields: int = 1000

    def __post_init__(self):
        if self.compression not in COMPRESSIONS:
            raise ValueError(f"COMPRESSION_TYPE {self.compression!r} is not one of {', '.join(COMPRESSIONS)}")
        if not 0 <= self.max_reject_ratio <= 1:
            raise ValueError(f"MAX_REJECT_RATIO {self.max_reject_ratio} must be between 0 and 1")
        if self.sample_lines < 1:
            raise ValueError(f"SAMPLE_LINES {self.sample_lines} must be at least 1")
        if self.max_fields < 1:
            raise ValueError(f"MAX_FIELDS {self.max_fields} must be at least 1")
        # split_bytes validates the two sizing values.
        split_bytes(self.target_file_size_mb, self.ndjson_bytes_per_parquet_byte)


@dataclass(frozen=True)
class JobStats:
    manifest_id: str
    date_prefix: str
    input_files: int
    input_bytes: int
    records_read: int
    records_written: int
    records_rejected: int
    output_files: int
    output_location: str
    rejects_location: str
    late_fields_rewrite: bool = False
    fields: list[str] = field(default_factory=list)
    # Fields written under another column name: they differ from another field only in case.
    renamed_columns: dict[str, str] = field(default_factory=dict)

    @property
    def reject_ratio(self) -> float:
        return self.records_rejected / self.records_read if self.records_read else 0.0

    def as_dict(self) -> dict:
        return {**asdict(self), "reject_ratio": round(self.reject_ratio, 6)}


def _number(arguments: Mapping[str, str], name: str, kind: type) -> float | int:
    value = arguments.get(name) or ARGUMENT_DEFAULTS[name]
    try:
        return kind(value)
    except ValueError as error:
        raise ValueError(f"job argument --{name} must be a {kind.__name__}, got {value!r}") from error


def _s3_uri(bucket: str, prefix: str) -> str:
    return f"s3://{bucket}/{prefix.strip('/')}" if prefix.strip("/") else f"s3://{bucket}"


def options_from_arguments(arguments: Mapping[str, str]) -> JobOptions:
    """JobOptions from Glue job arguments (names without the leading ``--``)."""
    missing = [name for name in REQUIRED_ARGUMENTS if not arguments.get(name)]
    if missing:
        raise ValueError(f"missing job argument(s): {', '.join('--' + name for name in missing)}")
    manifest_path = arguments["MANIFEST_PATH"]
    if not urlparse(manifest_path).scheme:
        # A bare key is relative to the manifest bucket.
        manifest_path = _s3_uri(arguments["MANIFEST_BUCKET"], manifest_path)
    bucket = arguments["OUTPUT_BUCKET"]
    return JobOptions(
        manifest_path=manifest_path,
        output_root=_s3_uri(bucket, arguments.get("OUTPUT_PREFIX") or ARGUMENT_DEFAULTS["OUTPUT_PREFIX"]),
        rejects_root=_s3_uri(bucket, arguments.get("REJECTS_PREFIX") or ARGUMENT_DEFAULTS["REJECTS_PREFIX"]),
        compression=(arguments.get("COMPRESSION_TYPE") or ARGUMENT_DEFAULTS["COMPRESSION_TYPE"]).lower(),
        max_reject_ratio=_number(arguments, "MAX_REJECT_RATIO", float),
        target_file_size_mb=_number(arguments, "TARGET_FILE_SIZE_MB", float),
        ndjson_bytes_per_parquet_byte=_number(arguments, "NDJSON_BYTES_PER_PARQUET_BYTE", float),
        sample_lines=_number(arguments, "SAMPLE_LINES", int),
        max_fields=_number(arguments, "MAX_FIELDS", int),
    )


# Hadoop expands these in any path it is given; escaped, each stands for itself.
_GLOB_CHARACTERS = re.compile(r"([\\*?\[\]{}])")


def literal_path(uri: str) -> str:
    """The path Spark reads as exactly this one file: glob characters escaped, file URIs decoded.

    A key such as `day-a?.ndjson` would otherwise also match `day-ab.ndjson`, and `x[1].ndjson` nothing at
    all. Manifests list S3 keys as they are (`s3://bucket/key`); a `file:` URI is percent-encoded.
    """
    parsed = urlparse(uri)
    path = unquote(parsed.path) if parsed.scheme == "file" else uri
    return _GLOB_CHARACTERS.sub(r"\\\1", path)


def _decoded(spark_file_names: tuple[str, ...]) -> list[str]:
    # Spark names files by percent-encoded URI; the decoded form, escaped, is the path to read again.
    return [_GLOB_CHARACTERS.sub(r"\\\1", unquote(name)) for name in spark_file_names]


def manifest_location(root: str, manifest: Manifest) -> str:
    """The one folder a manifest's output lives in: a re-run replaces exactly this folder."""
    return f"{root.rstrip('/')}/date_prefix={manifest.date_prefix}/manifest_id={manifest.manifest_id}"


def run_job(
    spark: SparkSession,
    options: JobOptions,
    manifest: Manifest | None = None,
    source_prefix: tuple[str, str] | None = None,
) -> JobStats:
    """Convert one manifest; log the stats (event `manifest_converted`) and return them.

    Raises RejectRatioExceeded (after writing the rejects and removing the Parquet output) when too many lines
    are malformed. ``source_prefix`` is for inputs staged from S3 (see ``staging``).
    """
    manifest = manifest or load_manifest(options.manifest_path)
    processed_at = datetime.now(UTC)
    fs = HadoopFs(spark)
    output = manifest_location(options.output_root, manifest)
    rejects = manifest_location(options.rejects_root, manifest)
    # Replacing, not appending: whatever an earlier run of this manifest wrote goes first.
    fs.delete(output)
    fs.delete(rejects)

    metrics = None
    fields: list[str] = []
    rewrote = False
    input_bytes = 0
    if manifest.uris:
        spark.conf.set(
            "spark.sql.files.maxPartitionBytes",
            str(split_bytes(options.target_file_size_mb, options.ndjson_bytes_per_parquet_byte)),
        )
        spark.conf.set("spark.sql.files.openCostInBytes", str(FILE_OPEN_COST_BYTES))
        # One file listing serves the byte count, the sample, the pass and a possible second pass.
        lines = spark.read.text([literal_path(uri) for uri in manifest.uris])
        input_bytes = transform.input_bytes(lines)
        sample = transform.sample_fields(lines, options.sample_lines)

        def write_records(fields: list[str]) -> transform.PassMetrics:
            # A column per field: without a bound, keys that differ per record would make a plan with a
            # column per record, which runs out of memory long before it fails with a reason.
            if len(fields) > options.max_fields:
                fs.delete(output)
                raise TooManyFields(manifest.manifest_id, fields, options.max_fields)
            return transform.write_records(
                transform.parse_lines(lines, fields, source_prefix),
                fields,
                processed_at,
                output,
                options.compression,
                sample.mostly_unique,
            )

        fields = sample.fields
        metrics = write_records(fields)
        if metrics.unseen_fields:
            # The head sample missed fields that appear later: write again with every field the pass saw.
            LOG.warning(
                "fields absent from the sample, writing again with them: %s",
                list(metrics.unseen_fields),
                extra={
                    "event": "late_fields_rewrite",
                    "manifest_id": manifest.manifest_id,
                    "date_prefix": manifest.date_prefix,
                },
            )
            fields = fields + list(metrics.unseen_fields)
            metrics = write_records(fields)
            rewrote = True
        if metrics.rejected:
            transform.write_rejects(
                transform.parse_lines(spark.read.text(_decoded(metrics.reject_files)), fields, source_prefix),
                manifest.manifest_id,
                rejects,
            )
        if not metrics.records:
            fs.delete(output)

    records_read = (metrics.records + metrics.rejected) if metrics else 0
    stats = JobStats(
        manifest_id=manifest.manifest_id,
        date_prefix=manifest.date_prefix,
        input_files=len(manifest.uris),
        input_bytes=input_bytes,
        records_read=records_read,
        records_written=metrics.records if metrics else 0,
        records_rejected=metrics.rejected if metrics else 0,
        output_files=len(fs.data_files(output)),
        output_location=output,
        rejects_location=rejects,
        late_fields_rewrite=rewrote,
        fields=fields,
        renamed_columns={
            name: column for name, column in transform.column_names(fields).items() if column != name
        },
    )
    LOG.info(
        "manifest %s: %d of %d lines written, %d rejected",
        stats.manifest_id,
        stats.records_written,
        stats.records_read,
        stats.records_rejected,
        extra={"event": "manifest_converted", **stats.as_dict()},
    )
    if stats.reject_ratio > options.max_reject_ratio:
        fs.delete(output)
        raise RejectRatioExceeded(stats, options.max_reject_ratio)
    return stats
