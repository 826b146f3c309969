"""Upsert: new keys inserted, changed rows updated, unchanged rows not written, the last duplicate wins."""

from __future__ import annotations

from .conftest import load_step, rows, run


def test_a_first_load_creates_the_table_and_inserts_every_row(dsn, db, files):
    source = files.parquet("a.parquet", {"id": [1, 2], "name": ["ann", "bob"]})
    summary = run(dsn, [load_step(source)])
    assert rows(db) == [(1, "ann"), (2, "bob")]
    [step] = summary["steps"]
    assert (step["source_rows"], step["inserted"], step["updated"], step["unchanged"]) == (2, 2, 0, 0)


def test_existing_keys_are_updated_and_new_keys_inserted(dsn, db, files):
    run(dsn, [load_step(files.parquet("a.parquet", {"id": [1, 2], "name": ["ann", "bob"]}))], "run-1")
    second = files.parquet("b.parquet", {"id": [2, 3], "name": ["bobby", "cy"]})
    [step] = run(dsn, [load_step(second)], "run-2")["steps"]
    assert rows(db) == [(1, "ann"), (2, "bobby"), (3, "cy")]
    assert (step["inserted"], step["updated"], step["unchanged"]) == (1, 1, 0)


def test_an_update_that_changes_nothing_is_not_written_and_counts_as_unchanged(dsn, db, files):
    source = files.parquet("a.parquet", {"id": [1, 2], "name": ["ann", None]})
    run(dsn, [load_step(source)], "run-1")
    before = db.execute("SELECT xmin::text FROM dm.customer ORDER BY id").fetchall()
    [step] = run(dsn, [load_step(source)], "run-2")["steps"]
    assert (step["inserted"], step["updated"], step["unchanged"]) == (0, 0, 2)
    assert db.execute("SELECT xmin::text FROM dm.customer ORDER BY id").fetchall() == before


def test_the_last_occurrence_of_a_repeated_key_wins_by_file_then_row_order(dsn, db, files):
    first = files.parquet("in/1.parquet", {"id": [1, 1, 2], "name": ["a1", "a2", "b1"]})
    files.parquet("in/2.parquet", {"id": [2, 1], "name": ["b2", "a3"]})
    [step] = run(dsn, [load_step([first, str(files.root / "in")])])["steps"]
    assert rows(db) == [(1, "a3"), (2, "b2")]
    assert (step["source_rows"], step["duplicates"], step["inserted"]) == (5, 3, 2)


def test_a_composite_key_matches_on_all_its_columns(dsn, db, files):
    run(
        dsn,
        [
            load_step(
                files.parquet("a.parquet", {"k1": [1, 1], "k2": ["x", "y"], "v": [1, 2]}), keys=("k1", "k2")
            )
        ],
    )
    second = files.parquet("b.parquet", {"k1": [1], "k2": ["y"], "v": [20]})
    [step] = run(dsn, [load_step(second, keys=("k1", "k2"))], "run-2")["steps"]
    assert rows(db) == [(1, "x", 1), (1, "y", 20)]
    assert step["updated"] == 1


def test_a_first_load_with_a_repeated_key_is_staged_and_the_last_occurrence_wins(dsn, db, files):
    db.execute("CREATE TABLE dm.customer (id bigint PRIMARY KEY, name text)")
    source = files.parquet("a.parquet", {"id": [1, 2, 1], "name": ["a1", "b", "a2"]})
    [step] = run(dsn, [load_step(source)])["steps"]
    assert rows(db) == [(1, "a2"), (2, "b")]
    assert (step["inserted"], step["duplicates"]) == (2, 1)


def test_an_empty_table_without_a_unique_index_on_the_keys_still_gets_one_row_per_key(dsn, db, files):
    db.execute("CREATE TABLE dm.customer (id bigint, name text)")
    run(dsn, [load_step(files.parquet("a.parquet", {"id": [1, 1], "name": ["a1", "a2"]}))])
    assert rows(db) == [(1, "a2")]
