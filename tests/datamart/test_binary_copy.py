"""The driver's binary COPY encoder: every Arrow type it takes arrives in PostgreSQL as the CSV path would."""

from __future__ import annotations

import datetime
import decimal

import pyarrow as pa
import pytest
from datamart_load import pgbinary

UTC = datetime.UTC
COLUMNS = {  # name: (Arrow array, staging type)
    "i2": (pa.array([1, None, -3], pa.int16()), "smallint"),
    "u8": (pa.array([255, 0, None], pa.uint8()), "smallint"),
    "i4": (pa.array([2**31 - 1, None, -5], pa.int32()), "integer"),
    "i8": (pa.array([2**62, -1, None], pa.int64()), "bigint"),
    "f4": (pa.array([1.5, None, -0.25], pa.float32()), "real"),
    "f8": (pa.array([float("inf"), 1e300, None]), "double precision"),
    "b": (pa.array([True, False, None]), "boolean"),
    "d": (pa.array([datetime.date(1969, 12, 31), datetime.date(2024, 2, 29), None]), "date"),
    "ts": (
        pa.array(
            [
                datetime.datetime(1990, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
                None,
                datetime.datetime(2030, 5, 6, tzinfo=UTC),
            ],
            pa.timestamp("us", "UTC"),
        ),
        "timestamp with time zone",
    ),
    "ns": (pa.array([1500, 2500, None], pa.timestamp("ns")), "timestamp without time zone"),
    "t": (pa.array([datetime.time(23, 59, 59, 999999), None, datetime.time(0, 0)], pa.time64("us")), "time"),
    "money": (
        pa.array([decimal.Decimal("-12345.67"), decimal.Decimal("0.00"), None], pa.decimal128(12, 2)),
        "numeric(12,2)",
    ),
    "fine": (
        pa.array(
            [decimal.Decimal("1.23456"), decimal.Decimal("-99999999.99999"), decimal.Decimal("10000")],
            pa.decimal128(13, 5),
        ),
        "numeric(13,5)",
    ),
    "s": (pa.array(["héllo", None, ""]), "text"),
    "tag": (pa.array(["x", "y", "x"]).dictionary_encode(), "text"),
    "nothing": (pa.nulls(3), "text"),
}


def test_every_supported_arrow_type_copies_in_binary_to_its_staging_type(db):
    batch = pa.record_batch({name: array for name, (array, _) in COLUMNS.items()})
    assert all(pgbinary.supports(field.type) for field in batch.schema)
    db.execute(f"CREATE TABLE dm.x ({', '.join(f'{n} {t}' for n, (_, t) in COLUMNS.items())})")
    with db.cursor() as cursor, cursor.copy("COPY dm.x FROM STDIN (FORMAT binary)") as copy:
        for chunk in (pgbinary.HEADER, pgbinary.rows_bytes(batch.slice(1)), pgbinary.TRAILER):
            copy.write(chunk)
    micro = datetime.timedelta(microseconds=1)
    assert db.execute("SELECT * FROM dm.x").fetchall() == [
        (
            None,
            0,
            None,
            -1,
            None,
            1e300,
            False,
            datetime.date(2024, 2, 29),
            None,
            datetime.datetime(1970, 1, 1) + 2 * micro,
            None,
            decimal.Decimal("0.00"),
            decimal.Decimal("-99999999.99999"),
            None,
            "y",
            None,
        ),
        (
            -3,
            None,
            -5,
            None,
            -0.25,
            None,
            None,
            None,
            datetime.datetime(2030, 5, 6, tzinfo=UTC),
            None,
            datetime.time(0, 0),
            None,
            decimal.Decimal("10000.00000"),
            "",
            "x",
            None,
        ),
    ]


@pytest.mark.parametrize(
    "arrow_type", [pa.list_(pa.int64()), pa.binary(), pa.decimal128(18, 1), pa.uint64(), pa.float16()]
)
def test_a_type_without_a_binary_encoder_leaves_the_step_to_csv(arrow_type):
    assert not pgbinary.supports(arrow_type)
