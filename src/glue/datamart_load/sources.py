"""A load step's source: its files in load order, its columns, its rows as Arrow batches in staging layout.

Load order is the order of ``source_uris``, and inside a folder the files' names; a file named twice loads
once. Each batch has the source columns (``c0``…, the staging table's names), then ``_dm_file`` (the file's
position in load order) and ``_dm_row`` (the record's number in its file, from 1): "last occurrence wins"
ranks by these two. Batches are read one at a time (``BATCH_ROWS`` rows).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from datamart_load import storage
from datamart_load.pgtypes import pg_type
from datamart_load.plan import LoadStep

BATCH_ROWS = 16_384
ORDER_COLUMNS = ("_dm_file", "_dm_row")


class SourceError(ValueError):
    """A source cannot be read as its step says; the message names the file."""


@dataclass(frozen=True)
class SourceColumn:
    name: str  # as the source spells it
    arrow_type: pa.DataType
    pg_type: str  # the staging column's type, and a new target column's


@dataclass(frozen=True)
class Source:
    step: LoadStep
    files: tuple[storage.SourceFile, ...]
    columns: tuple[SourceColumn, ...]

    @property
    def total_bytes(self) -> int:
        return sum(file.size for file in self.files)

    @property
    def staging_names(self) -> list[str]:
        return [f"c{i}" for i in range(len(self.columns))]


def _files(step: LoadStep) -> tuple[storage.SourceFile, ...]:
    files: dict[str, storage.SourceFile] = {}
    for uri in step.source_uris:
        for file in storage.list_files(uri, step.format):
            files.setdefault(file.uri, file)
    return tuple(files.values())


def _union(
    step: LoadStep, per_file: Iterator[tuple[str, list[tuple[str, pa.DataType]]]]
) -> list[SourceColumn]:
    """Columns of all files by name (case-insensitive), in order of first appearance; types must agree."""
    columns: dict[str, SourceColumn] = {}
    for uri, fields in per_file:
        seen_in_file: dict[str, str] = {}
        for name, arrow_type in fields:
            folded = name.lower()
            if folded in seen_in_file:
                raise SourceError(f"{uri}: columns {seen_in_file[folded]!r} and {name!r} differ only in case")
            seen_in_file[folded] = name
            known = columns.get(folded)
            if known is None:
                columns[folded] = SourceColumn(name, arrow_type, pg_type(name, arrow_type))
            elif known.arrow_type != arrow_type and not pa.types.is_null(arrow_type):
                if pa.types.is_null(known.arrow_type):
                    columns[folded] = SourceColumn(name, arrow_type, pg_type(name, arrow_type))
                else:
                    raise SourceError(
                        f"{uri}: column {name!r} is {arrow_type} here, {known.arrow_type} in an earlier file"
                    )
    return list(columns.values())


def _parquet_fields(files) -> Iterator[tuple[str, list[tuple[str, pa.DataType]]]]:
    for file in files:
        with storage.open_random_access(file.uri) as handle:
            schema = pq.read_schema(handle)
        yield file.uri, [(field.name, field.type) for field in schema]


def _text_reader(stream, dialect):
    return io.TextIOWrapper(stream, encoding=dialect.encoding, newline="")


def _csv_header(uri: str, dialect) -> list[str]:
    with storage.open_input(uri) as stream:
        reader = csv.reader(
            _text_reader(stream, dialect),
            delimiter=dialect.delimiter,
            quotechar=dialect.quote_char,
            escapechar=dialect.escape_char,
        )
        header = next(reader, [])
    if len(set(header)) != len(header) or any(not name for name in header):
        raise SourceError(f"{uri}: the header row has empty or repeated names: {header}")
    return header


def _csv_fields(files, dialect) -> Iterator[tuple[str, list[tuple[str, pa.DataType]]]]:
    for file in files:
        yield file.uri, [(name, pa.string()) for name in _csv_header(file.uri, dialect)]


def _ndjson_records(uri: str) -> Iterator[tuple[int, dict]]:
    with storage.open_input(uri) as stream:
        for number, line in enumerate(io.TextIOWrapper(stream, encoding="utf-8"), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise SourceError(f"{uri} line {number}: not JSON ({error})") from error
            if not isinstance(record, dict):
                raise SourceError(f"{uri} line {number}: not a JSON object")
            yield number, record


def _ndjson_fields(files) -> Iterator[tuple[str, list[tuple[str, pa.DataType]]]]:
    # NDJSON has no header: the columns are every key of every record (one streaming pass; only names kept).
    for file in files:
        names: dict[str, None] = {}
        for _, record in _ndjson_records(file.uri):
            names.update(dict.fromkeys(record))
        yield file.uri, [(name, pa.string()) for name in names]


def open_source(step: LoadStep) -> Source:
    files = _files(step)
    if step.format == "parquet":
        fields = _parquet_fields(files)
    elif step.format == "csv":
        codecs.lookup(step.csv.encoding)
        fields = _csv_fields(files, step.csv)
    else:
        fields = _ndjson_fields(files)
    return Source(step, files, tuple(_union(step, fields)))


def _staging_batch(source: Source, columns: dict[str, pa.Array], rows: int, file_index: int, first_row: int):
    arrays = [
        columns.get(column.name.lower(), pa.nulls(rows, column.arrow_type)) for column in source.columns
    ]
    arrays.append(pa.array([file_index] * rows, pa.int32()))
    arrays.append(pa.array(range(first_row, first_row + rows), pa.int64()))
    return pa.RecordBatch.from_arrays(arrays, names=[*source.staging_names, *ORDER_COLUMNS])


def _parquet_batches(source: Source, file_index: int, uri: str) -> Iterator[pa.RecordBatch]:
    wanted = {column.name.lower() for column in source.columns}
    with storage.open_random_access(uri) as handle:
        # pre_buffer (pyarrow's default) reads ahead every row group the iteration will need: memory grew with
        # the file (1M rows 300 MiB, 4M rows 440 MiB); without it the driver stays flat.
        parquet = pq.ParquetFile(handle, pre_buffer=False)
        names = [name for name in parquet.schema_arrow.names if name.lower() in wanted]
        row = 1
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=names):
            columns = {name.lower(): batch.column(name) for name in batch.schema.names}
            yield _staging_batch(source, columns, batch.num_rows, file_index, row)
            row += batch.num_rows


def _csv_batches(source: Source, file_index: int, uri: str) -> Iterator[pa.RecordBatch]:
    dialect = source.step.csv
    header = _csv_header(uri, dialect)
    with storage.open_input(uri) as stream:
        try:
            reader = pacsv.open_csv(
                stream,
                read_options=pacsv.ReadOptions(encoding=dialect.encoding, block_size=8 << 20),
                parse_options=pacsv.ParseOptions(
                    delimiter=dialect.delimiter,
                    quote_char=dialect.quote_char or False,
                    escape_char=dialect.escape_char or False,
                    newlines_in_values=True,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={name: pa.string() for name in header},
                    null_values=list(dialect.null_values),
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=False,
                ),
            )
            row = 1
            for batch in reader:
                columns = {name.lower(): batch.column(name) for name in batch.schema.names}
                yield _staging_batch(source, columns, batch.num_rows, file_index, row)
                row += batch.num_rows
        except pa.ArrowInvalid as error:
            raise SourceError(f"{uri}: {error}") from error


def _text(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)


def _ndjson_batches(source: Source, file_index: int, uri: str) -> Iterator[pa.RecordBatch]:
    names = [column.name.lower() for column in source.columns]
    pending: list[tuple[int, dict]] = []

    def flush() -> pa.RecordBatch:
        records = [{key.lower(): value for key, value in record.items()} for _, record in pending]
        columns = {
            name: pa.array([_text(record.get(name)) for record in records], pa.string()) for name in names
        }
        batch = _staging_batch(source, columns, len(pending), file_index, 0)
        # Records keep their line numbers (blank lines are skipped, not counted).
        lines = pa.array([number for number, _ in pending], pa.int64())
        return batch.set_column(batch.num_columns - 1, ORDER_COLUMNS[1], lines)

    for numbered in _ndjson_records(uri):
        pending.append(numbered)
        if len(pending) == BATCH_ROWS:
            yield flush()
            pending = []
    if pending:
        yield flush()


def batches(source: Source) -> Iterator[pa.RecordBatch]:
    read = {"parquet": _parquet_batches, "csv": _csv_batches, "ndjson": _ndjson_batches}[source.step.format]
    for file_index, file in enumerate(source.files):
        if file.size:
            yield from read(source, file_index, file.uri)
