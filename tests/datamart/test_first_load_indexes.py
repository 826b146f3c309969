"""A large first load into an empty table builds the table's indexes after its rows, as they were."""

from __future__ import annotations

import psycopg
import pytest

from .conftest import load_step, rows, run

INDEXES = """SELECT c.relname, pg_get_indexdef(c.oid), c.oid
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
             WHERE i.indrelid = 'dm.customer'::regclass ORDER BY 1"""


@pytest.fixture(autouse=True)
def every_source_is_large(monkeypatch):
    from datamart_load import engine

    monkeypatch.setattr(engine, "DEFERRED_INDEXES_FROM_BYTES", 0)


def indexes(db) -> dict[str, tuple[str, int]]:
    return {name: (definition, oid) for name, definition, oid in db.execute(INDEXES).fetchall()}


@pytest.fixture
def customer(db):
    db.execute(
        """CREATE TABLE dm.customer (
               id bigint CONSTRAINT customer_key PRIMARY KEY, email text UNIQUE, name text);
           CREATE INDEX customer_named ON dm.customer (lower(name)) WHERE name IS NOT NULL"""
    )
    return indexes(db)


def test_a_large_first_load_rebuilds_every_index_of_the_table_as_it_was(dsn, db, files, customer):
    source = files.parquet("a.parquet", {"id": [2, 1], "email": ["b@x", "a@x"], "name": ["Bob", None]})
    [step] = run(dsn, [load_step(source)])["steps"]
    after = indexes(db)
    assert {name: definition for name, (definition, _) in after.items()} == {
        name: definition for name, (definition, _) in customer.items()
    }
    assert all(after[name][1] != oid for name, (_, oid) in customer.items()), "built again, not kept"
    assert db.execute(
        "SELECT conname, contype FROM pg_constraint WHERE conrelid = 'dm.customer'::regclass ORDER BY 1"
    ).fetchall() == [("customer_email_key", "u"), ("customer_key", "p")]
    assert rows(db) == [(1, "a@x", None), (2, "b@x", "Bob")]
    assert step["inserted"] == 2


def test_a_large_first_load_breaking_a_rebuilt_unique_index_is_staged_and_keeps_the_indexes(
    dsn, db, files, customer
):
    columns = {"id": [1, 2, 1], "email": ["a@x", "b@x", "c@x"], "name": ["a", "b", "c"]}
    source = files.parquet("a.parquet", columns)
    [step] = run(dsn, [load_step(source)])["steps"]
    assert rows(db) == [(1, "c@x", "c"), (2, "b@x", "b")]
    assert (step["inserted"], step["duplicates"]) == (2, 1)
    assert indexes(db) == customer, "the failed rebuild rolled back with the drop"


def test_a_table_a_foreign_key_references_keeps_its_indexes_through_a_large_first_load(
    dsn, db, files, customer
):
    db.execute("CREATE TABLE dm.orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES dm.customer)")
    source = files.parquet("a.parquet", {"id": [1], "email": ["a@x"], "name": ["a"]})
    run(dsn, [load_step(source)])
    assert rows(db) == [(1, "a@x", "a")]
    assert indexes(db) == customer


def test_a_view_grouping_by_the_key_keeps_the_tables_indexes_and_the_load_succeeds(dsn, db, files, customer):
    # The view relies on the primary key (functional dependency): PostgreSQL refuses to drop it.
    db.execute("CREATE VIEW dm.names AS SELECT id, name FROM dm.customer GROUP BY id")
    run(dsn, [load_step(files.parquet("a.parquet", {"id": [1], "email": ["a@x"], "name": ["a"]}))])
    assert rows(db) == [(1, "a@x", "a")]
    assert indexes(db) == customer


def test_a_reader_holding_the_table_keeps_its_indexes_and_the_load_goes_on(
    dsn, db, files, customer, monkeypatch
):
    from datamart_load import target

    monkeypatch.setattr(target, "DROP_LOCK_TIMEOUT", "100ms")
    with psycopg.connect(dsn) as reader:
        reader.execute("SELECT count(*) FROM dm.customer")  # its transaction stays open, holding the table
        run(dsn, [load_step(files.parquet("a.parquet", {"id": [1], "email": ["a@x"], "name": ["a"]}))])
    assert rows(db) == [(1, "a@x", "a")]
    assert indexes(db) == customer


def test_a_commented_constraint_keeps_the_tables_indexes(dsn, db, files, customer):
    db.execute("COMMENT ON CONSTRAINT customer_key ON dm.customer IS 'the CRM id'")
    run(dsn, [load_step(files.parquet("a.parquet", {"id": [1], "email": ["a@x"], "name": ["a"]}))])
    assert indexes(db) == customer
