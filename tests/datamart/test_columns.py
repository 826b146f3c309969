"""Tables and columns: created from the source, widened by new source columns, matched by name, any case."""

from __future__ import annotations

import datetime
import decimal

import pyarrow as pa
import pytest
from datamart_load import sources, target
from datamart_load.engine import StepFailed
from datamart_load.plan import parse_plan

from .conftest import load_step, rows, run

COLUMNS = """SELECT column_name, data_type FROM information_schema.columns
             WHERE table_schema = 'dm' AND table_name = 'customer' ORDER BY ordinal_position"""


def test_a_missing_table_is_created_with_mapped_types_and_a_primary_key_on_the_upsert_keys(dsn, db, files):
    schema = pa.schema(
        [
            ("Id", pa.int64()),
            ("small", pa.int16()),
            ("ratio", pa.float64()),
            ("price", pa.decimal128(10, 2)),
            ("active", pa.bool_()),
            ("born", pa.date32()),
            ("seen", pa.timestamp("us", tz="UTC")),
            ("local", pa.timestamp("ms")),
            ("tags", pa.list_(pa.string())),
            ("blob", pa.binary()),
        ]
    )
    values = [
        [7],
        [3],
        [0.5],
        [decimal.Decimal("12.34")],
        [True],
        [datetime.date(2024, 1, 2)],
        [datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)],
        [datetime.datetime(2024, 1, 2, 3, 4, 5, 6000)],
        [["a", "b"]],
        [b"\x00\xff"],
    ]
    source = files.parquet("a.parquet", dict(zip(schema.names, values, strict=True)), schema)
    run(dsn, [load_step(source, keys=("id",))])
    assert db.execute(COLUMNS).fetchall() == [
        ("id", "bigint"),
        ("small", "smallint"),
        ("ratio", "double precision"),
        ("price", "numeric"),
        ("active", "boolean"),
        ("born", "date"),
        ("seen", "timestamp with time zone"),
        ("local", "timestamp without time zone"),
        ("tags", "jsonb"),
        ("blob", "bytea"),
    ]
    assert rows(db) == [
        (
            7,
            3,
            0.5,
            decimal.Decimal("12.34"),
            True,
            datetime.date(2024, 1, 2),
            datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
            datetime.datetime(2024, 1, 2, 3, 4, 5, 6000),
            ["a", "b"],
            b"\x00\xff",
        )
    ]
    primary_key = db.execute(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = 'dm.customer'::regclass AND contype = 'p'"
    ).fetchone()
    assert primary_key == ("PRIMARY KEY (id)",)


def test_a_new_source_column_is_added_by_default(dsn, db, files):
    run(dsn, [load_step(files.parquet("a.parquet", {"id": [1], "name": ["a"]}))])
    run(dsn, [load_step(files.parquet("b.parquet", {"id": [2], "name": ["b"], "city": ["x"]}))], "run-2")
    assert rows(db) == [(1, "a", None), (2, "b", "x")]


def test_on_new_column_fail_fails_the_step_naming_the_column(dsn, db, files):
    run(dsn, [load_step(files.parquet("a.parquet", {"id": [1]}))])
    with pytest.raises(StepFailed, match=r"\['city'\] are not in the table"):
        run(
            dsn,
            [load_step(files.parquet("b.parquet", {"id": [2], "city": ["x"]}), on_new_column="fail")],
            "r2",
        )
    assert rows(db) == [(1,)]


def test_on_new_column_ignore_loads_the_known_columns_only(dsn, db, files):
    run(dsn, [load_step(files.parquet("a.parquet", {"id": [1]}))])
    run(
        dsn, [load_step(files.parquet("b.parquet", {"id": [2], "city": ["x"]}), on_new_column="ignore")], "r2"
    )
    assert rows(db) == [(1,), (2,)]


def test_a_table_column_the_source_lacks_stays_null_on_insert_and_untouched_on_update(dsn, db, files):
    db.execute("CREATE TABLE dm.customer (id bigint PRIMARY KEY, name text, note text)")
    db.execute("INSERT INTO dm.customer VALUES (1, 'a', 'keep me')")
    run(dsn, [load_step(files.parquet("a.parquet", {"id": [1, 2], "name": ["A", "b"]}))])
    assert rows(db) == [(1, "A", "keep me"), (2, "b", None)]


def test_columns_match_by_name_ignoring_case(dsn, db, files):
    db.execute('CREATE TABLE dm.customer (id bigint PRIMARY KEY, "Name" text)')
    run(dsn, [load_step(files.parquet("a.parquet", {"ID": [1], "NAME": ["a"]}), keys=("id",))])
    assert rows(db) == [(1, "a")]


def test_an_upsert_key_missing_from_the_source_fails_the_step_naming_it(dsn, files):
    with pytest.raises(StepFailed, match=r"upsert key\(s\) \['code'\] are not columns of the source"):
        run(dsn, [load_step(files.parquet("a.parquet", {"id": [1]}), keys=("code",))])


def test_a_missing_target_schema_fails_the_step_naming_it(dsn, files):
    with pytest.raises(StepFailed, match="schema 'nowhere' does not exist"):
        run(dsn, [load_step(files.parquet("a.parquet", {"id": [1]}), table="nowhere.customer")])


def test_a_source_column_of_the_table_columns_type_is_copied_without_a_cast(dsn, db, files):
    db.execute("CREATE TABLE dm.customer (id bigint PRIMARY KEY, seen timestamptz, at time, n numeric(12,2))")
    schema = pa.schema(
        [
            ("id", pa.int64()),
            ("seen", pa.timestamp("us", "UTC")),
            ("at", pa.time64("us")),
            ("n", pa.decimal128(12, 2)),
        ]
    )
    source = sources.open_source(
        parse_plan(
            {
                "run_id": "r",
                "steps": [
                    load_step(
                        files.parquet(
                            "a.parquet", {"id": [1], "seen": [None], "at": [None], "n": [None]}, schema
                        )
                    )
                ],
            }
        ).steps[0]
    )
    plan = target.plan_target(source.step, source, target.existing_columns(db, source.step))
    assert [(column.target, column.needs_cast) for column in plan.columns] == [
        ("id", False),
        ("seen", False),
        ("at", False),
        ("n", False),
    ]
