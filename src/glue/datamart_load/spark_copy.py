"""Large sources: Spark's executors read the files and COPY them into the staging table, one stream per task.

Each file is read whole by one task (no splits), so ``monotonically_increasing_id`` increases with the
record order inside a file and ``_dm_row`` ranks records as the driver's reader does, though its values are
not record numbers. Each task's COPY is one transaction: a failed task attempt leaves no rows behind. CSV
files read by Spark must share one header (Spark takes the columns from the first file).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from datamart_load.sources import ORDER_COLUMNS, Source
from datamart_load.staging import copy_batches

# Larger than any one source file, so Spark never splits a file across tasks.
NO_SPLIT_BYTES = 1 << 40


def _spark_file_name(uri: str) -> str:
    """The name ``input_file_name()`` gives the file: a percent-encoded URI."""
    if uri.startswith("s3://"):
        return "s3://" + quote(uri.removeprefix("s3://"), safe="/")
    return Path(uri).as_uri()


def _read(spark: SparkSession, source: Source) -> DataFrame:
    paths = [file.uri for file in source.files if file.size]
    step = source.step
    if step.format == "parquet":
        return spark.read.option("mergeSchema", True).parquet(*paths)
    if step.format == "csv":
        dialect = step.csv
        reader = spark.read.options(
            header=True,
            inferSchema=False,
            multiLine=True,
            sep=dialect.delimiter,
            quote=dialect.quote_char,
            encoding=dialect.encoding,
            mode="FAILFAST",
        )
        if dialect.escape_char:
            reader = reader.option("escape", dialect.escape_char)
        return reader.csv(paths)
    return spark.read.option("primitivesAsString", True).option("mode", "FAILFAST").json(paths)


def _staging_frame(spark: SparkSession, source: Source) -> DataFrame:
    frame = _read(spark, source)
    by_name = {name.lower(): name for name in frame.columns}
    index = F.create_map(
        *[
            item
            for i, file in enumerate(source.files)
            for item in (F.lit(_spark_file_name(file.uri)), F.lit(i))
        ]
    )
    columns = []
    for staging, column in zip(source.staging_names, source.columns, strict=True):
        spark_name = by_name.get(column.name.lower())
        value = F.col(f"`{spark_name}`") if spark_name else F.lit(None)
        if source.step.format != "parquet" and spark_name:
            # Nested NDJSON values arrive as structs/arrays: their JSON text, as the driver's reader gives.
            data_type = frame.schema[spark_name].dataType.typeName()
            value = F.to_json(value) if data_type in ("struct", "array", "map") else value.cast("string")
        columns.append(value.alias(staging))
    return frame.select(
        *columns,
        index[F.input_file_name()].cast("int").alias(ORDER_COLUMNS[0]),
        F.monotonically_increasing_id().alias(ORDER_COLUMNS[1]),
    )


def copy_with_spark(spark: SparkSession, source: Source, statement: str, dsn: str) -> int:
    """COPY the source into the staging table from the executors; the number of rows copied."""

    def copy_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import psycopg

        with psycopg.connect(dsn, autocommit=True) as connection:
            rows = copy_batches(connection, statement, batches, binary=False)
        yield pa.RecordBatch.from_pydict({"rows": [rows]})

    previous = spark.conf.get("spark.sql.files.maxPartitionBytes")
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(NO_SPLIT_BYTES))
    try:
        counts = _staging_frame(spark, source).mapInArrow(copy_partition, "rows long").collect()
    finally:
        spark.conf.set("spark.sql.files.maxPartitionBytes", previous)
    return sum(row.rows for row in counts)
