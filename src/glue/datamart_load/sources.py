"""A load step's source: its files in load order, its columns, its rows as Arrow batches in staging layout.

Load order is the order of ``source_uris``, and inside a folder the files' names; a file named twice loads
once. Each batch has the source columns (``c0``…, the staging table's names), then ``_dm_file`` (the file's
position in load order) and ``_dm_row`` (the record's number in its file, from 1; an NDJSON record's line
number): "last occurrence wins" ranks by these two. Batches are read one at a time (``BATCH_ROWS`` rows).

A record that cannot be read into columns (a CSV row with the wrong number of fields, an NDJSON line that is
not a JSON object) is not a batch row: it goes to the ``reject`` callback as a ``ParseReject`` and reading
goes on, so it is rejected like any bad row.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from datamart_load import storage
from datamart_load.pgtypes import pg_type
from datamart_load.plan import LoadStep

BATCH_ROWS = 16_384
CSV_BLOCK_BYTES = 8 << 20  # pyarrow's CSV reader parses this much at a time
ORDER_COLUMNS = ("_dm_file", "_dm_row")
# A rejected record's text is kept up to this many characters: enough to find and read it, while a broken
# quote that swallows the rest of a file does not land whole in the rejects table.
REJECT_TEXT_CHARS = 2_000


class SourceError(ValueError):
    """A source cannot be read as its step says; the message names the file."""


@dataclass(frozen=True)
class ParseReject:
    """A record that could not be read into columns: its file's position, its number, its text, why."""

    file_index: int
    record_number: int  # as ``_dm_row`` numbers the file's records
    text: str
    reason: str


Reject = Callable[[ParseReject], None]


def reject_text(text: str) -> str:
    text = text.rstrip("\r\n")
    if len(text) <= REJECT_TEXT_CHARS:
        return text
    return f"{text[:REJECT_TEXT_CHARS]}… [{len(text):,} characters]"


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


def _csv_reader(lines: Iterable[str], dialect):
    return csv.reader(
        lines,
        delimiter=dialect.delimiter,
        quotechar=dialect.quote_char,
        escapechar=dialect.escape_char,
        quoting=csv.QUOTE_MINIMAL if dialect.quote_char else csv.QUOTE_NONE,
    )


def _csv_header(uri: str, dialect) -> list[str]:
    with storage.open_input(uri) as stream:
        header = next(_csv_reader(_text_reader(stream, dialect), dialect), [])
    if len(set(header)) != len(header) or any(not name for name in header):
        raise SourceError(f"{uri}: the header row has empty or repeated names: {header}")
    return header


def _csv_fields(files, dialect) -> Iterator[tuple[str, list[tuple[str, pa.DataType]]]]:
    for file in files:
        yield file.uri, [(name, pa.string()) for name in _csv_header(file.uri, dialect)]


def _ndjson_records(uri: str, file_index: int, reject: Reject | None) -> Iterator[tuple[int, dict]]:
    """The file's (line number, object) pairs; other lines go to ``reject`` (or are skipped without it)."""
    with storage.open_input(uri) as stream:
        for number, line in enumerate(io.TextIOWrapper(stream, encoding="utf-8"), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line.rstrip("\r\n"))
            except json.JSONDecodeError as error:
                reason = f"malformed JSON: {error.msg} at column {error.colno}"
            else:
                if isinstance(record, dict):
                    yield number, record
                    continue
                reason = "not a JSON object"
            if reject:
                reject(ParseReject(file_index, number, reject_text(line), reason))


def _ndjson_fields(files) -> Iterator[tuple[str, list[tuple[str, pa.DataType]]]]:
    # NDJSON has no header: the columns are every key of every record (one streaming pass; only names kept).
    for file in files:
        names: dict[str, None] = {}
        for _, record in _ndjson_records(file.uri, 0, None):
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


def _staging_batch(source: Source, columns: dict[str, pa.Array], file_index: int, numbers: np.ndarray):
    """The batch in staging layout; ``numbers`` are its records' numbers in their file."""
    rows = len(numbers)
    arrays = [
        columns.get(column.name.lower(), pa.nulls(rows, column.arrow_type)) for column in source.columns
    ]
    arrays.append(pa.array(np.full(rows, file_index, np.int32)))
    arrays.append(pa.array(numbers.astype(np.int64, copy=False)))
    return pa.RecordBatch.from_arrays(arrays, names=[*source.staging_names, *ORDER_COLUMNS])


def _numbered(first: int, rows: int) -> np.ndarray:
    return np.arange(first, first + rows, dtype=np.int64)


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
            yield _staging_batch(source, columns, file_index, _numbered(row, batch.num_rows))
            row += batch.num_rows


def _csv_options(dialect, header: list[str], invalid_row_handler=None) -> dict:
    return {
        "parse_options": pacsv.ParseOptions(
            delimiter=dialect.delimiter,
            quote_char=dialect.quote_char or False,
            escape_char=dialect.escape_char or False,
            newlines_in_values=True,
            invalid_row_handler=invalid_row_handler,
        ),
        "convert_options": pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header},
            null_values=list(dialect.null_values),
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    }


def _csv_batches(source: Source, file_index: int, uri: str, reject: Reject) -> Iterator[pa.RecordBatch]:
    """pyarrow's C++ reader while every row has the header's number of fields; from the block holding the
    first that does not, Python's reader takes the rest of the file record by record (``_csv_checked``)."""
    dialect = source.step.csv
    header = _csv_header(uri, dialect)
    wrong_width: list[object] = []

    def invalid_row(row) -> str:
        # The row's number is unknown with newlines_in_values: stop here, the checked reader numbers it.
        wrong_width.append(row)
        return "error"

    row = 1
    with storage.open_input(uri) as stream:
        try:
            reader = pacsv.open_csv(
                stream,
                read_options=pacsv.ReadOptions(encoding=dialect.encoding, block_size=CSV_BLOCK_BYTES),
                **_csv_options(dialect, header, invalid_row),
            )
            for batch in reader:
                columns = {name.lower(): batch.column(name) for name in batch.schema.names}
                yield _staging_batch(source, columns, file_index, _numbered(row, batch.num_rows))
                row += batch.num_rows
            return
        except pa.ArrowInvalid as error:
            if not wrong_width:
                raise SourceError(f"{uri}: {error}") from error
    yield from _csv_checked(source, file_index, uri, header, row - 1, reject)


def _csv_records(uri: str, dialect) -> Iterator[tuple[int, str, list[str]]]:
    """Each record after the header: (its first line's number, its text, its fields); blank lines skipped."""
    with storage.open_input(uri) as stream:
        consumed: list[str] = []
        line_number = 0

        def lines() -> Iterator[str]:
            nonlocal line_number
            for line in _text_reader(stream, dialect):
                line_number += 1
                consumed.append(line)
                yield line

        reader = _csv_reader(lines(), dialect)
        next(reader, None)
        consumed.clear()
        try:
            for fields in reader:
                # The reader reads no further than the record's last line: consumed holds exactly its lines.
                text, first_line = "".join(consumed), line_number - len(consumed) + 1
                consumed.clear()
                if fields:
                    yield first_line, text, fields
        except csv.Error as error:
            raise SourceError(f"{uri} line {line_number}: {error}") from error


def _csv_checked(
    source: Source, file_index: int, uri: str, header: list[str], skip: int, reject: Reject
) -> Iterator[pa.RecordBatch]:
    """The file's records after the first ``skip``: a record with the header's number of fields is parsed by
    pyarrow from its own text (the same dialect, null markers and quoting rules as the fast path), one with
    another number is rejected with its text and line."""
    dialect = source.step.csv
    options = _csv_options(dialect, header)
    texts: list[str] = []
    numbers: list[int] = []

    def parsed() -> pa.RecordBatch:
        disagree = f"{uri}: records {numbers[0]}-{numbers[-1]}: Python's and pyarrow's CSV readers disagree"
        try:
            table = pacsv.read_csv(
                io.BytesIO("".join(texts).encode()),
                read_options=pacsv.ReadOptions(column_names=header, use_threads=False),
                **options,
            )
        except pa.ArrowInvalid as error:
            raise SourceError(f"{disagree} ({error})") from error
        if table.num_rows != len(numbers):
            raise SourceError(f"{disagree} on where they end")
        columns = {name.lower(): table.column(name).combine_chunks() for name in table.column_names}
        return _staging_batch(source, columns, file_index, np.array(numbers, np.int64))

    for number, (line, text, fields) in enumerate(_csv_records(uri, dialect), start=1):
        if number <= skip:
            continue
        if len(fields) != len(header):
            reason = f"{len(fields)} fields where the header has {len(header)} (line {line})"
            reject(ParseReject(file_index, number, reject_text(text), reason))
            continue
        texts.append(text if text.endswith(("\n", "\r")) else text + "\n")
        numbers.append(number)
        if len(numbers) == BATCH_ROWS:
            yield parsed()
            texts, numbers = [], []
    if numbers:
        yield parsed()


def _text(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)


def _ndjson_batches(source: Source, file_index: int, uri: str, reject: Reject) -> Iterator[pa.RecordBatch]:
    names = [column.name.lower() for column in source.columns]
    pending: list[tuple[int, dict]] = []

    def flush() -> pa.RecordBatch:
        records = [{key.lower(): value for key, value in record.items()} for _, record in pending]
        columns = {
            name: pa.array([_text(record.get(name)) for record in records], pa.string()) for name in names
        }
        # Records keep their line numbers (blank lines are skipped, not counted).
        return _staging_batch(source, columns, file_index, np.array([n for n, _ in pending], np.int64))

    for numbered in _ndjson_records(uri, file_index, reject):
        pending.append(numbered)
        if len(pending) == BATCH_ROWS:
            yield flush()
            pending = []
    if pending:
        yield flush()


def batches(
    source: Source, reject: Reject, file_indexes: Iterable[int] | None = None
) -> Iterator[pa.RecordBatch]:
    """The rows of the source's files (or of those at ``file_indexes``), records that cannot be read going to
    ``reject``."""
    indexes = range(len(source.files)) if file_indexes is None else file_indexes
    for file_index in indexes:
        file = source.files[file_index]
        if not file.size:
            continue
        if source.step.format == "parquet":
            yield from _parquet_batches(source, file_index, file.uri)
        elif source.step.format == "csv":
            yield from _csv_batches(source, file_index, file.uri, reject)
        else:
            yield from _ndjson_batches(source, file_index, file.uri, reject)
