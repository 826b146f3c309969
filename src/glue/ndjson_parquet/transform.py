"""The plain-PySpark conversion: NDJSON lines -> string-typed records, rejects and blank lines, in one parse.

Each line is parsed once with ``from_json`` into a ``map<string,string>``: Spark's JSON reader renders every
non-string value as its JSON text, so nested objects and arrays keep their JSON and integers beyond 64 bits
keep their digits, with no schema inference pass. A line whose parse is null is blank (skipped) or a reject;
so is a line with text after its object (see ``parse_lines``). Integers keep their digits but fractions pass
through a double, so lines holding a number that would change are left out of the main write and appended
with their exact text by ``write_exact_records``, from the files that held them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import reduce

from pyspark.sql import Column, DataFrame, Observation
from pyspark.sql import functions as F
from pyspark.sql import types as T

from .exact_numbers import AT_RISK_NUMBER, parse_exact

SOURCE_FILE = "_source_file"
PROCESSING_TIMESTAMP = "_processing_timestamp"
RESERVED_COLUMNS = (PROCESSING_TIMESTAMP, SOURCE_FILE)
REJECT_REASON = "malformed JSON or not a JSON object"

_LINE = "value"
_PARSED = "_parsed"
_INPUT_FILE = "_input_file"
_INEXACT = "_inexact"
_FIELDS = T.MapType(T.StringType(), T.StringType())
_BLANK_LINE = r"^\s*$"
# A column whose sampled values are mostly distinct is written without Parquet dictionary encoding: the
# dictionary would overflow and fall back to plain encoding after costing a hash insert per value.
_MIN_VALUES_FOR_CARDINALITY = 50
_MOSTLY_UNIQUE = 0.5


@dataclass(frozen=True)
class PassMetrics:
    """What one pass over the lines saw, gathered by the write itself (``DataFrame.observe``)."""

    lines: int
    records: int
    rejected: int
    reject_files: tuple[str, ...]  # as Spark names them (qualified, percent-encoded URIs)
    unseen_fields: tuple[str, ...]
    inexact_records: int  # records left out for write_exact_records (a number from_json may re-render)
    inexact_files: tuple[str, ...]  # where they are, named as reject_files are


def _rejected() -> Column:
    return F.col(_PARSED).isNull() & ~F.col(_LINE).rlike(_BLANK_LINE)


def parse_lines(lines: DataFrame, source_prefix: tuple[str, str] | None = None) -> DataFrame:
    """One row per line of ``spark.read.text``: raw text, parsed fields (null when rejected or blank), file.

    ``source_prefix`` = (local, remote) rewrites ``_source_file`` for inputs staged from S3 to local disk.
    Lines holding a number that from_json may re-render are flagged (see ``write_exact_records``).
    """
    return _with_source(_parse_with_spark(lines, F.col(_LINE).rlike(AT_RISK_NUMBER)), source_prefix)


def _parse_with_spark(lines: DataFrame, inexact: Column) -> DataFrame:
    line = F.col(_LINE)
    # from_json reads the first JSON value and ignores what follows it, so `{"a":1} x` or `{"a":1}{"b":2}`
    # would lose data. Lines that may hold such a tail get an exact check (wrapped in [ ], the line must be an
    # array of exactly one value); the byte searches that pick them are cheap, the exact check is not.
    # A line with trailing whitespace is a suspect too: rare, and cheaper to check than trimming every line.
    suspect = ~line.endswith("}") | line.contains("}{") | line.contains("} {")
    one_value = F.json_array_length(F.concat(F.lit("["), line, F.lit("]"))) == 1
    return lines.select(
        line,
        F.when(~suspect | one_value, F.from_json(line, _FIELDS)).alias(_PARSED),
        # input_file_name() is non-deterministic, so Spark keeps the record filter above this projection
        # instead of pushing it below, which would run from_json twice per line.
        F.input_file_name().alias(_INPUT_FILE),
        inexact.alias(_INEXACT),
    )


def _with_source(parsed: DataFrame, source_prefix: tuple[str, str] | None) -> DataFrame:
    source = F.col(_INPUT_FILE)
    if source_prefix is not None:
        local, remote = source_prefix
        source = F.concat(F.lit(remote), F.expr(f"substring({_INPUT_FILE}, {len(local) + 1})"))
    return parsed.withColumn(SOURCE_FILE, source)


def input_bytes(lines: DataFrame) -> int:
    """Bytes of the files behind ``spark.read.text``, from the file index Spark built (no extra listing)."""
    return int(lines._jdf.queryExecution().optimizedPlan().stats().sizeInBytes())


@dataclass(frozen=True)
class FieldSample:
    """What the first lines say about the fields: their names, and which look mostly unique."""

    fields: list[str]
    mostly_unique: frozenset[str]


def sample_fields(lines: DataFrame, count: int) -> FieldSample:
    """Fields in the first ``count`` lines, in order of first appearance (a head read, not a pass)."""
    values: dict[str, list[str]] = {}
    for row in lines.limit(count).collect():
        try:
            record = json.loads(row[_LINE])
        except ValueError:
            continue
        if isinstance(record, dict):
            for name, value in record.items():
                values.setdefault(name, [])
                if value is not None:
                    values[name].append(json.dumps(value))
    mostly_unique = frozenset(
        name
        for name, seen in values.items()
        if len(seen) >= _MIN_VALUES_FOR_CARDINALITY and len(set(seen)) > len(seen) * _MOSTLY_UNIQUE
    )
    return FieldSample(list(values), mostly_unique)


def _unseen_fields(fields: list[str]) -> Column:
    """The record's keys outside ``fields`` (null when there are none, or for a line that is no record)."""
    # A cheap screen spares most records the exact set difference: each non-null sampled value is a distinct
    # key of the record, so a record with no more keys than non-null sampled values has no unseen key. The
    # value lookups are the ones the record columns make, which Spark evaluates once for both.
    non_null = reduce(
        lambda total, name: total + F.col(_PARSED)[name].isNotNull().cast("int"), fields, F.lit(0)
    )
    return F.when(
        F.size(_PARSED) > non_null,
        F.array_except(F.map_keys(_PARSED), F.array(*[F.lit(name) for name in fields])),
    )


def write_records(
    parsed: DataFrame,
    fields: list[str],
    processed_at: datetime,
    output_uri: str,
    compression: str,
    plain_encoded: frozenset[str] = frozenset(),
) -> PassMetrics:
    """Write the records as Parquet (one string column per field) and return what the pass saw.

    Columns in ``plain_encoded`` skip dictionary encoding (see ``FieldSample.mostly_unique``).

    Fields absent from ``fields`` are reported in ``unseen_fields`` so the caller can write again with them.
    Records holding a number from_json may have re-rendered are left out and reported, for
    ``write_exact_records``.
    """
    clashing = sorted(set(fields) & set(RESERVED_COLUMNS))
    if clashing:
        raise ValueError(f"input field(s) {clashing} clash with the columns the job adds")
    observation = Observation("ndjson_pass")
    is_record, is_reject, reject_file, unseen = "_is_record", "_is_reject", "_reject_file", "_unseen_fields"
    inexact = "_inexact_record"
    # The record columns are projected before the metrics operator, which cannot join Spark's generated code:
    # rows then reach it as plain strings and flags instead of the parsed map, which would be copied per row.
    projected = parsed.select(
        *[F.col(_PARSED)[name].alias(name) for name in fields],
        F.lit(processed_at).cast(T.TimestampType()).alias(PROCESSING_TIMESTAMP),
        F.col(SOURCE_FILE),
        F.col(_PARSED).isNotNull().alias(is_record),
        _rejected().alias(is_reject),
        F.when(_rejected(), F.col(_INPUT_FILE)).alias(reject_file),
        _unseen_fields(fields).alias(unseen),
        (F.col(_PARSED).isNotNull() & F.col(_INEXACT)).alias(inexact),
        F.col(_INPUT_FILE),
    )
    observed = projected.observe(
        observation,
        F.count(F.lit(1)).alias("lines"),
        F.count_if(is_record).alias("records"),
        F.count_if(is_reject).alias("rejected"),
        F.to_json(F.collect_set(reject_file)).alias("reject_files"),
        F.to_json(F.collect_set(F.when(F.col(inexact), F.col(_INPUT_FILE)))).alias("inexact_files"),
        F.to_json(F.array_distinct(F.flatten(F.collect_set(unseen)))).alias("unseen_fields"),
        F.count_if(inexact).alias("inexact_records"),
    )
    records = observed.where(F.col(is_record) & ~F.col(inexact)).drop(
        is_record, is_reject, reject_file, unseen, inexact, _INPUT_FILE
    )
    writer = records.write.mode("overwrite").option("compression", compression)
    for name in sorted(plain_encoded & set(fields)):
        writer = writer.option(f"parquet.enable.dictionary#{name}", "false")
    writer.parquet(output_uri)
    seen = observation.get
    return PassMetrics(
        lines=seen["lines"],
        records=seen["records"],
        rejected=seen["rejected"],
        reject_files=tuple(sorted(json.loads(seen["reject_files"]))),
        unseen_fields=tuple(sorted(json.loads(seen["unseen_fields"]))),
        inexact_records=seen["inexact_records"],
        inexact_files=tuple(sorted(json.loads(seen["inexact_files"]))),
    )


# A Python UDF runs for every row of the projection it is in, whatever a surrounding when() says: it is only
# applied above a filter to the at-risk records.
_PARSE_EXACT = F.udf(parse_exact, _FIELDS)


def write_exact_records(
    lines: DataFrame,
    source_prefix: tuple[str, str] | None,
    fields: list[str],
    processed_at: datetime,
    output_uri: str,
    compression: str,
) -> int:
    """Append the records ``write_records`` left out, their numbers as written; returns how many.

    ``lines`` is ``spark.read.text`` of the files that held them: the pattern picks their lines before any
    parse. A record the exact parser refuses where from_json accepted it (JSON extensions Spark allows, such
    as single quotes) keeps Spark's rendering: never dropped.
    """
    flagged = _with_source(
        _parse_with_spark(lines.where(F.col(_LINE).rlike(AT_RISK_NUMBER)), F.lit(True)), source_prefix
    )
    observation = Observation("ndjson_exact")
    at_risk = flagged.where(F.col(_PARSED).isNotNull()).select(
        F.coalesce(_PARSE_EXACT(F.col(_LINE)), F.col(_PARSED)).alias(_PARSED), F.col(SOURCE_FILE)
    )
    records = at_risk.select(
        *[F.col(_PARSED)[name].alias(name) for name in fields],
        F.lit(processed_at).cast(T.TimestampType()).alias(PROCESSING_TIMESTAMP),
        F.col(SOURCE_FILE),
    ).observe(observation, F.count(F.lit(1)).alias("records"))
    records.write.mode("append").option("compression", compression).parquet(output_uri)
    return observation.get["records"]


def write_rejects(parsed: DataFrame, manifest_id: str, output_uri: str) -> None:
    """Write each rejected line with its source file and reason as JSON lines."""
    parsed.where(_rejected()).select(
        F.col(SOURCE_FILE).alias("source_file"),
        F.col(_LINE).alias("raw_line"),
        F.lit(REJECT_REASON).alias("reason"),
        F.lit(manifest_id).alias("manifest_id"),
    ).write.mode("overwrite").json(output_uri)
