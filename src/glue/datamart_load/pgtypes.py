"""Arrow → PostgreSQL types, the text the COPY stream carries, and set-wise checks that a text fits a type.

CSV and NDJSON carry no types: their values are text. Parquet columns keep their type (table in the README).
"""

from __future__ import annotations

import io
import json
import re

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from datamart_load.sql import literal


class UnsupportedType(ValueError):
    pass


def _is_binary(arrow_type: pa.DataType) -> bool:
    return (
        pa.types.is_binary(arrow_type)
        or pa.types.is_large_binary(arrow_type)
        or (pa.types.is_fixed_size_binary(arrow_type))
    )


# (Arrow type tests, PostgreSQL type) in the order tried; decimals, timestamps and dictionaries are special.
_TYPES = (
    ((pa.types.is_boolean,), "boolean"),
    ((pa.types.is_int8, pa.types.is_int16, pa.types.is_uint8), "smallint"),
    ((pa.types.is_int32, pa.types.is_uint16), "integer"),
    ((pa.types.is_int64, pa.types.is_uint32), "bigint"),
    ((pa.types.is_uint64,), "numeric(20,0)"),
    ((pa.types.is_float16, pa.types.is_float32), "real"),
    ((pa.types.is_float64,), "double precision"),
    ((pa.types.is_string, pa.types.is_large_string, pa.types.is_null), "text"),
    ((_is_binary,), "bytea"),
    ((pa.types.is_date,), "date"),
    ((pa.types.is_time,), "time without time zone"),
    ((pa.types.is_nested,), "jsonb"),
)


def pg_type(column: str, arrow_type: pa.DataType) -> str:
    """The PostgreSQL type a new column of this Arrow type gets, spelled as ``format_type`` spells it (so a
    column of the same type in an existing table needs no cast)."""
    if pa.types.is_dictionary(arrow_type):
        return pg_type(column, arrow_type.value_type)
    if pa.types.is_decimal(arrow_type):
        return f"numeric({arrow_type.precision},{arrow_type.scale})"
    if pa.types.is_timestamp(arrow_type):
        return "timestamp with time zone" if arrow_type.tz else "timestamp without time zone"
    for tests, type_name in _TYPES:
        if any(test(arrow_type) for test in tests):
            return type_name
    raise UnsupportedType(f"column {column!r} has Arrow type {arrow_type}, which has no PostgreSQL mapping")


def _texts(array: pa.Array, text) -> pa.Array:
    return pa.array([None if value is None else text(value) for value in array.to_pylist()], pa.string())


def _as_copy_text(array: pa.Array) -> pa.Array:
    """Arrays pyarrow's CSV writer cannot write, as the text PostgreSQL reads for their type."""
    if pa.types.is_dictionary(array.type):
        return _as_copy_text(array.dictionary_decode())
    if pa.types.is_null(array.type):
        return pa.nulls(len(array), pa.string())
    if _is_binary(array.type):
        return _texts(array, lambda value: "\\x" + value.hex())
    if pa.types.is_nested(array.type):
        return _texts(array, lambda value: json.dumps(value, default=str))
    if pa.types.is_float16(array.type):
        return pc.cast(array, pa.float32())
    return array


def csv_bytes(batch: pa.RecordBatch) -> bytes:
    """One batch as COPY's CSV: no header, null as an empty field, an empty string as ``""``."""
    columns = [_as_copy_text(column) for column in batch.columns]
    table = pa.Table.from_arrays(columns, names=[f"c{i}" for i in range(len(columns))])
    buffer = io.BytesIO()
    pacsv.write_csv(table, buffer, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
    return buffer.getvalue()


# Text forms that always cast to the type: checked set-wise by a regular expression, so only the rest pay for
# the per-value safe cast (a PL/pgSQL exception block, datamart_ledger.cast_error).
_DATE = r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])"
_TIME = r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?"
_ZONE = r"(Z|[+-]\d{2}(:?\d{2})?)?"
ALWAYS_CASTS = {
    "smallint": r"^\s*[+-]?\d{1,4}\s*$",
    "integer": r"^\s*[+-]?\d{1,9}\s*$",
    "bigint": r"^\s*[+-]?\d{1,18}\s*$",
    "numeric": r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?\s*$",
    "double precision": r"^\s*[+-]?(\d{1,300}\.?\d*|\.\d+)([eE][+-]?\d{1,2})?\s*$",
    "real": r"^\s*[+-]?(\d{1,30}\.?\d*|\.\d+)\s*$",
    "boolean": r"^\s*(t|f|true|false|y|n|yes|no|on|off|1|0)\s*$",
    "date": rf"^{_DATE}$",
    "timestamp without time zone": rf"^{_DATE}[ T]{_TIME}$",
    "timestamp with time zone": rf"^{_DATE}[ T]{_TIME}{_ZONE}$",
    "uuid": r"^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$",
}
_NUMERIC_BOUND = re.compile(r"^numeric\((\d+),(\d+)\)$")
_LENGTH_BOUND = re.compile(r"^(character varying|character|varchar|char|bpchar)\((\d+)\)$")
TEXT_TYPES = ("text", "character varying", "varchar", "name", "citext")


def fits(value_sql: str, target_type: str) -> str | None:
    """SQL giving NULL where the text ``value_sql`` fits ``target_type``, else the reason; None: all fit."""
    if target_type in TEXT_TYPES:
        return None
    bound = _LENGTH_BOUND.match(target_type)
    if bound:
        limit = int(bound.group(2))
        return (
            f"CASE WHEN char_length({value_sql}) > {limit} "
            f"THEN {literal(f'value too long for type {target_type}')} END"
        )
    fast = ALWAYS_CASTS.get(target_type)
    numeric = _NUMERIC_BOUND.match(target_type)
    if numeric and int(numeric.group(1)) - int(numeric.group(2)) > 1:
        # One integer digit less than the type allows: rounding to the scale can never overflow.
        fast = rf"^\s*[+-]?\d{{1,{int(numeric.group(1)) - int(numeric.group(2)) - 1}}}(\.\d*)?\s*$"
    operator = "~*" if target_type == "boolean" else "~"
    safe_cast = f"datamart_ledger.cast_error({value_sql}, {literal(target_type)})"
    if fast is None:
        return f"CASE WHEN {value_sql} IS NULL THEN NULL ELSE {safe_cast} END"
    vouched = f"{value_sql} IS NULL OR {value_sql} {operator} {literal(fast)}"
    return f"CASE WHEN {vouched} THEN NULL ELSE {safe_cast} END"
