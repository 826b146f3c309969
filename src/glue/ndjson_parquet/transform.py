"""The conversion: NDJSON lines -> string-typed records, rejects and blank lines, in one parse.

Each line is parsed once by the JVM line parser (``line_parser``) into the values of the known fields: strings
are their text, every other value its JSON text with numbers as written, so nested objects and arrays keep
their JSON and no number changes. The same parse says whether the line is blank or rejected (and why), and
which of its keys are outside the known fields. There is no schema inference pass.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from py4j.java_gateway import JavaObject
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from . import line_parser

SOURCE_FILE = "_source_file"
PROCESSING_TIMESTAMP = "_processing_timestamp"
RESERVED_COLUMNS = (PROCESSING_TIMESTAMP, SOURCE_FILE)

_LINE = "value"
_PARSED = "_parsed"
_INPUT_FILE = "_input_file"
# A column whose sampled values are mostly distinct is written without Parquet dictionary encoding: the
# dictionary would overflow and fall back to plain encoding after costing a hash insert per value.
_MIN_VALUES_FOR_CARDINALITY = 50
_MOSTLY_UNIQUE = 0.5


@dataclass(frozen=True)
class PassMetrics:
    """What one pass over the lines saw, counted as the write parses them (``line_parser.pass_counts``)."""

    records: int
    rejected: int
    unseen_fields: tuple[str, ...]
    # Per input file, as Spark names it (qualified, percent-encoded URI): records and rejected lines.
    records_by_file: dict[str, int] = field(default_factory=dict)
    rejects_by_file: dict[str, int] = field(default_factory=dict)

    @property
    def reject_files(self) -> tuple[str, ...]:
        return tuple(sorted(self.rejects_by_file))


def _status(value: int) -> Column:
    return F.col(_PARSED)[line_parser.STATUS] == value


def parse_lines(
    lines: DataFrame,
    fields: list[str],
    source_prefix: tuple[str, str] | None = None,
    counts: JavaObject | None = None,
) -> DataFrame:
    """One row per line of ``spark.read.text``: raw text, the parse (``line_parser.result_type``), file.

    ``source_prefix`` = (staged, original) rewrites ``_source_file`` of inputs read from a staged copy (a
    local download, or a copy of a listed version) to the original's URI. ``counts``
    (``line_parser.pass_counts``) counts each file's records and rejects as the lines are parsed.
    """
    parsed = lines.select(
        F.col(_LINE),
        # The parse reads input_file_name(), which is non-deterministic: Spark neither pushes the record
        # filter below it nor copies it into each consumer, either of which would parse (and count) each
        # line twice.
        line_parser.parse(lines.sparkSession, F.col(_LINE), F.input_file_name(), fields, counts).alias(
            _PARSED
        ),
        F.input_file_name().alias(_INPUT_FILE),
    )
    source = F.col(_INPUT_FILE)
    if source_prefix is not None:
        staged, original = source_prefix
        source = F.when(
            source.startswith(staged),
            F.concat(F.lit(original), F.expr(f"substring({_INPUT_FILE}, {len(staged) + 1})")),
        ).otherwise(source)
    return parsed.withColumn(SOURCE_FILE, source)


def read_lines(spark: SparkSession, paths: list[str]) -> DataFrame:
    """``spark.read.text(paths)``, with the list handed to the JVM as one JSON string: pyspark converts a list
    element by element, one py4j round trip each (0.2 s of a 2,000-file manifest's 2.5 s)."""
    jvm = spark.sparkContext._jvm
    java_paths = jvm.com.fasterxml.jackson.databind.ObjectMapper().readValue(
        json.dumps(paths), jvm.java.lang.Class.forName("java.util.ArrayList")
    )
    return DataFrame(
        spark._jsparkSession.read().text(jvm.org.apache.spark.api.python.PythonUtils.toSeq(java_paths)), spark
    )


def input_bytes(lines: DataFrame) -> int:
    """Bytes of the files behind ``spark.read.text``, from the file index Spark built (no extra listing)."""
    return int(lines._jdf.queryExecution().optimizedPlan().stats().sizeInBytes())


@dataclass(frozen=True)
class FieldSample:
    """What the first lines say about the fields: their names, and which look mostly unique."""

    fields: list[str]
    mostly_unique: frozenset[str]


def sample_fields(lines: DataFrame, count: int) -> FieldSample:
    """Fields in the first ``count`` lines, in order of first appearance (a head read, not a pass).

    A heuristic, read on the driver with Python's json: a line it cannot read (single quotes, nesting deep
    enough to exhaust Python's recursion) only leaves its fields to the pass, which reports them as unseen.
    Parsing the head with the line parser instead took two Spark jobs, 0.4 to 1 s a run.
    """
    values: dict[str, list[str]] = {}
    for row in lines.limit(count).collect():
        try:
            record = json.loads(row[_LINE])
        except (ValueError, RecursionError):
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


def column_names(fields: list[str]) -> dict[str, str]:
    """The Parquet column of each field. Spark, Athena and the Glue catalog fold case, so fields that differ
    only in case (`id`, `Id`) cannot be columns side by side: within such a group, in code-point order, the
    first keeps its name and each next one becomes `<name>__2`, `<name>__3`, ... (skipping any name taken);
    a case variant of a column the job adds is renamed the same way.
    """
    taken = {name.casefold() for name in (*RESERVED_COLUMNS, *fields)}
    columns, kept = {}, {name.casefold() for name in RESERVED_COLUMNS}
    for name in sorted(fields):
        if name.casefold() not in kept:
            kept.add(name.casefold())
            columns[name] = name
            continue
        suffix = 2
        while f"{name}__{suffix}".casefold() in taken:
            suffix += 1
        columns[name] = f"{name}__{suffix}"
        taken.add(columns[name].casefold())
    return {name: columns[name] for name in fields}


def write_records(
    lines: DataFrame,
    fields: list[str],
    processed_at: datetime,
    output_uri: str,
    compression: str,
    plain_encoded: frozenset[str] = frozenset(),
    source_prefix: tuple[str, str] | None = None,
) -> PassMetrics:
    """Write the records among ``lines`` (``spark.read.text``) as Parquet, one string column per field (named
    by ``column_names``), and return what the pass saw.

    Columns in ``plain_encoded`` skip dictionary encoding (see ``FieldSample.mostly_unique``). Fields absent
    from ``fields`` are reported in ``unseen_fields`` so the caller can write again with them.
    """
    clashing = sorted(set(fields) & set(RESERVED_COLUMNS))
    if clashing:
        raise ValueError(f"input field(s) {clashing} clash with the columns the job adds")
    counts = line_parser.pass_counts(lines.sparkSession)
    parsed = parse_lines(lines, fields, source_prefix, counts)
    columns = column_names(fields)
    records = parsed.where(_status(line_parser.RECORD)).select(
        *[
            F.col(_PARSED)[line_parser.value_column(index)].alias(columns[name])
            for index, name in enumerate(fields)
        ],
        F.lit(processed_at).cast(T.TimestampType()).alias(PROCESSING_TIMESTAMP),
        F.col(SOURCE_FILE),
    )
    writer = records.write.mode("overwrite").option("compression", compression)
    for name in sorted(plain_encoded & set(fields)):
        writer = writer.option(f"parquet.enable.dictionary#{columns[name]}", "false")
    writer.parquet(output_uri)
    seen = json.loads(counts.value())
    return PassMetrics(
        records=sum(seen["records_by_file"].values()),
        rejected=sum(seen["rejects_by_file"].values()),
        unseen_fields=tuple(sorted(seen["unseen_fields"])),  # code point order, as before (not UTF-16)
        records_by_file=seen["records_by_file"],
        rejects_by_file=seen["rejects_by_file"],
    )


def write_rejects(parsed: DataFrame, manifest_id: str, output_uri: str) -> None:
    """Write each rejected line with its source file and the reason as JSON lines."""
    parsed.where(_status(line_parser.REJECT)).select(
        F.col(SOURCE_FILE).alias("source_file"),
        F.col(_LINE).alias("raw_line"),
        F.col(_PARSED)[line_parser.REASON].alias("reason"),
        F.lit(manifest_id).alias("manifest_id"),
    ).write.mode("overwrite").json(output_uri)
