"""One Glue run: a manifest's NDJSON files -> Parquet in its date partition, rejects beside, stats."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from urllib.parse import unquote, urlparse

from py4j.protocol import Py4JJavaError
from pyspark.errors import PySparkException
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
    # The intake's tracking table, where each file's outcome is recorded (ndjson_parquet.outcomes); empty:
    # nothing recorded.
    "TRACKING_TABLE": "",
    # The Data Catalog table over the Parquet output (ndjson_parquet.catalog); empty: nothing registered.
    "CATALOG_DATABASE": "",
    "CATALOG_TABLE": "",
}
# Arguments Glue itself passes to every run.
RUN_ARGUMENTS = ("JOB_RUN_ID",)
COMPRESSIONS = ("snappy", "gzip", "zstd", "lz4", "none", "uncompressed")


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


BAD_CONTENT = "bad_content"


@dataclass(frozen=True)
class FileOutcome:
    """What one listed file came to: its rows written, or quarantined with the reason (its rows left out,
    its rejected lines kept with the manifest's rejects)."""

    uri: str  # as the manifest lists it
    records_read: int
    records_written: int
    records_rejected: int
    quarantine_reason: str | None = None

    @property
    def reject_ratio(self) -> float:
        return self.records_rejected / self.records_read if self.records_read else 0.0


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
    # One outcome per listed file, in the manifest's order.
    files: list[FileOutcome] = field(default_factory=list)

    @property
    def reject_ratio(self) -> float:
        return self.records_rejected / self.records_read if self.records_read else 0.0

    @property
    def quarantined(self) -> list[FileOutcome]:
        return [outcome for outcome in self.files if outcome.quarantine_reason]

    @property
    def files_quarantined(self) -> int:
        return len(self.quarantined)

    def as_dict(self) -> dict:
        return {
            **asdict(self),
            "reject_ratio": round(self.reject_ratio, 6),
            "files_quarantined": self.files_quarantined,
        }


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
    return partition_location(root, manifest.date_prefix, manifest.manifest_id)


def partition_location(root: str, date_prefix: str, manifest_id: str) -> str:
    """The folder of one manifest under `root`: its partition (date_prefix, manifest_id) of the table."""
    return f"{root.rstrip('/')}/date_prefix={date_prefix}/manifest_id={manifest_id}"


def spark_file_identity(name: str) -> str:
    """The file a Spark file name (``input_file_name()``: qualified, percent-encoded) stands for, in the form
    ``manifest_file_identity`` gives a listed file."""
    decoded = unquote(name)
    if decoded.startswith("file:"):
        return "/" + decoded[len("file:") :].lstrip("/")
    return decoded


def manifest_file_identity(uri: str) -> str:
    """A listed file as ``spark_file_identity`` names it: S3 keys as they are, file URIs decoded."""
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return unquote(parsed.path)
    return uri


@dataclass(frozen=True)
class _Pass:
    """One conversion of a set of files into the manifest's output folder."""

    files: list[str]
    input_bytes: int
    fields: list[str]
    metrics: transform.PassMetrics | None
    rewrote: bool

    @cached_property
    def _counts(self) -> tuple[dict[str, int], dict[str, int]]:
        if self.metrics is None:
            return {}, {}
        return _by_identity(self.metrics.records_by_file), _by_identity(self.metrics.rejects_by_file)

    def counts(self, uri: str) -> tuple[int, int]:
        """(records, rejected lines) of one listed file."""
        records, rejects = self._counts
        identity = manifest_file_identity(uri)
        return records.get(identity, 0), rejects.get(identity, 0)


def _by_identity(counts: dict[str, int]) -> dict[str, int]:
    return {spark_file_identity(name): count for name, count in counts.items()}


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:300] if text else type(error).__name__


def _unreadable(spark: SparkSession, fs: HadoopFs, uris: list[str]) -> dict[str, str]:
    """The listed files Spark cannot read, with why: those missing first (one status call each), else each
    file read on its own. Only called after a read of the whole list failed."""
    missing = {uri: "not found" for uri in uris if not fs.exists(manifest_file_identity(uri))}
    if missing:
        return missing
    found = {}
    for uri in uris:
        try:
            spark.read.text(literal_path(uri)).count()
        except (PySparkException, Py4JJavaError) as error:
            found[uri] = _first_line(error)
    return found


def run_job(
    spark: SparkSession,
    options: JobOptions,
    manifest: Manifest | None = None,
    source_prefix: tuple[str, str] | None = None,
) -> JobStats:
    """Convert one manifest; log the stats (event `manifest_converted`) and return them.

    A file with more than MAX_REJECT_RATIO of its lines rejected, or one that cannot be read, is quarantined:
    its rows are left out of the output (the other files' rows are written), its rejected lines are kept,
    and its outcome says why (``FileOutcome.quarantine_reason``, ``bad_content: …``). ``source_prefix`` is
    for inputs staged from S3 (see ``staging``).
    """
    manifest = manifest or load_manifest(options.manifest_path)
    processed_at = datetime.now(UTC)
    fs = HadoopFs(spark)
    output = manifest_location(options.output_root, manifest)
    rejects = manifest_location(options.rejects_root, manifest)
    # Replacing, not appending: whatever an earlier run of this manifest wrote goes first.
    fs.delete(output)
    fs.delete(rejects)

    def convert(files: list[str]) -> _Pass:
        try:
            return _convert(spark, fs, options, manifest, files, output, processed_at, source_prefix)
        except (PySparkException, Py4JJavaError):
            unreadable = _unreadable(spark, fs, files)
            if not unreadable:
                raise
            reasons.update({uri: f"{BAD_CONTENT}: unreadable: {why}" for uri, why in unreadable.items()})
            return convert([uri for uri in files if uri not in unreadable])

    reasons: dict[str, str] = {}
    first = convert(list(manifest.uris))
    for uri in first.files:
        records, rejected = first.counts(uri)
        ratio = rejected / (records + rejected) if records + rejected else 0.0
        if ratio > options.max_reject_ratio:
            reasons[uri] = (
                f"{BAD_CONTENT}: {rejected} of {records + rejected} lines rejected (ratio {ratio:.4f} > "
                f"MAX_REJECT_RATIO {options.max_reject_ratio})"
            )
    final = first
    if any(uri in reasons for uri in first.files):
        # Rare: the output is written again without the quarantined files' rows.
        final = convert([uri for uri in first.files if uri not in reasons])
    if first.metrics and first.metrics.rejected:
        transform.write_rejects(
            transform.parse_lines(
                spark.read.text(_decoded(first.metrics.reject_files)), first.fields, source_prefix
            ),
            manifest.manifest_id,
            rejects,
        )
    if not (final.metrics and final.metrics.records):
        fs.delete(output)

    outcomes = []
    for uri in manifest.uris:
        records, rejected = first.counts(uri)
        quarantined = reasons.get(uri)
        written = 0 if quarantined else final.counts(uri)[0]
        outcomes.append(FileOutcome(uri, records + rejected, written, rejected, quarantined))
    fields = final.fields if final.metrics else first.fields
    stats = JobStats(
        manifest_id=manifest.manifest_id,
        date_prefix=manifest.date_prefix,
        input_files=len(manifest.uris),
        input_bytes=first.input_bytes,
        records_read=sum(outcome.records_read for outcome in outcomes),
        records_written=final.metrics.records if final.metrics else 0,
        records_rejected=sum(outcome.records_rejected for outcome in outcomes),
        output_files=len(fs.data_files(output)),
        output_location=output,
        rejects_location=rejects,
        late_fields_rewrite=first.rewrote or final.rewrote,
        fields=fields,
        renamed_columns={
            name: column for name, column in transform.column_names(fields).items() if column != name
        },
        files=outcomes,
    )
    LOG.info(
        "manifest %s: %d of %d lines written, %d rejected, %d file(s) quarantined",
        stats.manifest_id,
        stats.records_written,
        stats.records_read,
        stats.records_rejected,
        stats.files_quarantined,
        extra={"event": "manifest_converted", **stats.as_dict()},
    )
    for outcome in stats.quarantined:
        LOG.warning(
            "quarantined %s: %s",
            outcome.uri,
            outcome.quarantine_reason,
            extra={
                "event": "file_quarantined",
                "manifest_id": manifest.manifest_id,
                "date_prefix": manifest.date_prefix,
                "file_key": outcome.uri,
                "reason": outcome.quarantine_reason,
            },
        )
    return stats


def _convert(
    spark: SparkSession,
    fs: HadoopFs,
    options: JobOptions,
    manifest: Manifest,
    files: list[str],
    output: str,
    processed_at: datetime,
    source_prefix: tuple[str, str] | None,
) -> _Pass:
    """Write ``files`` as the manifest's Parquet output (replacing it); what the pass saw."""
    if not files:
        return _Pass(files, 0, [], None, False)
    spark.conf.set(
        "spark.sql.files.maxPartitionBytes",
        str(split_bytes(options.target_file_size_mb, options.ndjson_bytes_per_parquet_byte)),
    )
    spark.conf.set("spark.sql.files.openCostInBytes", str(FILE_OPEN_COST_BYTES))
    # One file listing serves the byte count, the sample, the pass and a possible second pass.
    lines = transform.read_lines(spark, [literal_path(uri) for uri in files])
    input_bytes = transform.input_bytes(lines)
    sample = transform.sample_fields(lines, options.sample_lines)

    def write_records(fields: list[str]) -> transform.PassMetrics:
        # A column per field: without a bound, keys that differ per record would make a plan with a
        # column per record, which runs out of memory long before it fails with a reason.
        if len(fields) > options.max_fields:
            fs.delete(output)
            raise TooManyFields(manifest.manifest_id, fields, options.max_fields)
        return transform.write_records(
            lines, fields, processed_at, output, options.compression, sample.mostly_unique, source_prefix
        )

    fields = sample.fields
    metrics = write_records(fields)
    rewrote = False
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
    return _Pass(files, input_bytes, fields, metrics, rewrote)
