"""PostgreSQL's binary COPY format, encoded from Arrow batches with numpy and pyarrow, a column at a time.

PostgreSQL ingests binary COPY 2–3x faster than CSV (no text parsing: 1.1 s against 2.4–3.3 s for the
benchmark's million rows), and numpy and pyarrow build it without a Python call per row. Used for the
driver's stream and Spark's tasks when every staging column has an encoder here; otherwise the step streams
CSV (``pgtypes.csv_bytes``).
"""

from __future__ import annotations

import struct

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
TRAILER = struct.pack("!h", -1)
_POSTGRES_EPOCH_DAYS = 10_957  # 2000-01-01 - 1970-01-01
_POSTGRES_EPOCH_MICROS = _POSTGRES_EPOCH_DAYS * 86_400_000_000
_MICROS_PER_UNIT = {"s": 1_000_000, "ms": 1_000, "us": 1}
_FIXED = {  # Arrow type test → big-endian numpy type of the staging column (pgtypes.pg_type's choice)
    pa.types.is_int8: ">i2",
    pa.types.is_int16: ">i2",
    pa.types.is_uint8: ">i2",
    pa.types.is_int32: ">i4",
    pa.types.is_uint16: ">i4",
    pa.types.is_int64: ">i8",
    pa.types.is_uint32: ">i8",
    pa.types.is_float32: ">f4",
    pa.types.is_float64: ">f8",
    pa.types.is_boolean: "u1",
}


def _decimal_groups(arrow_type: pa.DataType) -> int | None:
    """Base-10000 digit groups of a decimal column, or None when its unscaled values may not fit int64."""
    if not pa.types.is_decimal128(arrow_type):
        return None
    pad = -arrow_type.scale % 4
    return None if arrow_type.precision + pad > 18 else -(-(arrow_type.precision + pad) // 4)


def supports(arrow_type: pa.DataType) -> bool:
    if pa.types.is_dictionary(arrow_type):
        return supports(arrow_type.value_type)
    return (
        any(test(arrow_type) for test in _FIXED)
        or pa.types.is_date32(arrow_type)
        or pa.types.is_timestamp(arrow_type)
        or pa.types.is_time(arrow_type)
        or pa.types.is_string(arrow_type)
        or pa.types.is_large_string(arrow_type)
        or pa.types.is_null(arrow_type)
        or _decimal_groups(arrow_type) is not None
    )


def _micros(array: pa.Array, unit: str) -> np.ndarray:
    values = array.cast(pa.int64()).fill_null(0).to_numpy()
    if unit != "ns":
        return values * _MICROS_PER_UNIT[unit]
    # Nanoseconds round half to even, as PostgreSQL rounds the fractional seconds of text input.
    quotient, remainder = np.divmod(values, 1000)
    return quotient + ((remainder > 500) | ((remainder == 500) & (quotient % 2 == 1)))


def _decimal(array: pa.Array, groups: int) -> np.ndarray:
    """numeric's binary form per row: ndigits, weight, sign, dscale, then ``groups`` base-10000 digits."""
    scale, pad = array.type.scale, -array.type.scale % 4
    # Decimal128 values are 16-byte little-endian two's complement; precision <= 18 fits the low 8 bytes.
    low = np.frombuffer(array.buffers()[1], dtype="<i8")[
        2 * array.offset : 2 * (array.offset + len(array)) : 2
    ]
    magnitude = np.abs(low) * 10**pad
    fields = np.empty((len(array), 4 + groups), dtype=np.int64)
    fields[:, 0] = groups
    fields[:, 1] = groups - 1 - (scale + pad) // 4
    fields[:, 2] = np.where(low < 0, 0x4000, 0)
    fields[:, 3] = scale
    for group in range(groups):
        fields[:, 3 + groups - group] = magnitude // 10_000**group % 10_000
    return fields.astype(">i2")


def _field(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """One column's binary fields: (length per row, -1 for null; the non-null payload bytes, in row order)."""
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    rows = len(array)
    valid = ~array.is_null().to_numpy(zero_copy_only=False)
    if pa.types.is_null(array.type):
        return np.full(rows, -1, np.int32), np.empty(0, np.uint8)
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        filled = pc.fill_null(array, "")
        offsets_type = np.int64 if pa.types.is_large_string(array.type) else np.int32
        offsets = np.frombuffer(filled.buffers()[1], offsets_type)[filled.offset : filled.offset + rows + 1]
        payload = np.frombuffer(filled.buffers()[2], np.uint8)[offsets[0] : offsets[-1]]
        return np.where(valid, np.diff(offsets), -1).astype(np.int32), payload
    if pa.types.is_date32(array.type):
        matrix = (array.cast(pa.int32()).fill_null(0).to_numpy() - _POSTGRES_EPOCH_DAYS).astype(">i4")
    elif pa.types.is_timestamp(array.type):
        matrix = (_micros(array, array.type.unit) - _POSTGRES_EPOCH_MICROS).astype(">i8")
    elif pa.types.is_time(array.type):
        matrix = _micros(array, array.type.unit).astype(">i8")
    elif pa.types.is_decimal(array.type):
        matrix = _decimal(array, _decimal_groups(array.type))
    else:
        dtype = next(dtype for test, dtype in _FIXED.items() if test(array.type))
        matrix = array.fill_null(False if dtype == "u1" else 0).to_numpy(zero_copy_only=False).astype(dtype)
    matrix = matrix.reshape(rows, -1).view(np.uint8)
    return np.where(valid, matrix.shape[1], -1).astype(np.int32), matrix[valid].ravel()


def _binary(matrix: np.ndarray) -> pa.Array:
    """Each row of a 2-D uint8 matrix as one binary value."""
    rows, width = matrix.shape
    fixed = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(width), rows, [None, pa.py_buffer(np.ascontiguousarray(matrix))]
    )
    return fixed.cast(pa.binary())


def _prefixes(lengths: np.ndarray) -> np.ndarray:
    return lengths.astype(">i4").reshape(-1, 1).view(np.uint8)


def rows_bytes(batch: pa.RecordBatch) -> bytes:
    """The batch's rows in binary COPY format (without the stream's header and trailer).

    Each row is its field count, then per field its length (-1: null) and its bytes. Runs of fixed-width
    columns without nulls are laid out as one matrix (every row the same width); variable-width and nullable
    columns become binary arrays of their per-row fields; pyarrow's ``binary_join_element_wise`` then
    concatenates the pieces row by row in C++, which leaves the rows back to back in one buffer.
    """
    rows = batch.num_rows
    if not rows:
        return b""
    pieces: list[pa.Array] = []
    fixed = [np.full((rows, 1), batch.num_columns, ">i2").view(np.uint8)]
    for column in batch.columns:
        lengths, payload = _field(column)
        valid = lengths >= 0
        text = pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
        if not text and valid.all():
            fixed += [_prefixes(lengths), payload.reshape(rows, -1)]
            continue
        if fixed:
            pieces.append(_binary(np.concatenate(fixed, axis=1)))
            fixed = []
        if text:
            offsets = np.concatenate([[0], np.cumsum(np.maximum(lengths, 0))]).astype(np.int64)
            body = pa.LargeBinaryArray.from_buffers(
                pa.large_binary(), rows, [None, pa.py_buffer(offsets), pa.py_buffer(payload)]
            ).cast(pa.binary())
        else:
            width = payload.size // max(int(valid.sum()), 1)
            values = np.zeros((rows, width), np.uint8)
            if payload.size:
                values[valid] = payload.reshape(-1, width)
            # A null field has no bytes after its length.
            body = pc.if_else(pa.array(valid), _binary(values), pa.scalar(b"", pa.binary()))
        pieces.append(pc.binary_join_element_wise(_binary(_prefixes(lengths)), body, b""))
    if fixed:
        pieces.append(_binary(np.concatenate(fixed, axis=1)))
    joined = pieces[0] if len(pieces) == 1 else pc.binary_join_element_wise(*pieces, b"")
    offsets = np.frombuffer(joined.buffers()[1], np.int32)[joined.offset : joined.offset + rows + 1]
    return joined.buffers()[2][offsets[0] : offsets[-1]].to_pybytes()
