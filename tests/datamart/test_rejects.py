"""Bad rows are rejected; above max_reject_ratio the step fails, applying nothing."""

from __future__ import annotations

import pytest
from datamart_load import sources
from datamart_load.engine import RejectRatioExceeded

from .conftest import load_step, rows, run

REJECTS = (
    "SELECT source_uri, record_number, column_name, value, reason FROM datamart_ledger.rejects ORDER BY 2, 3"
)


def integer_table(db):
    db.execute("CREATE TABLE dm.customer (id integer PRIMARY KEY, amount integer, seen date)")


def test_a_null_key_rejects_the_row(dsn, db, files):
    source = files.parquet("a.parquet", {"id": [1, None, 3], "name": ["a", "b", "c"]})
    [step] = run(dsn, [load_step(source, max_reject_ratio=0.5)])["steps"]
    assert rows(db) == [(1, "a"), (3, "c")]
    assert step["rejected"] == 1
    assert db.execute(REJECTS).fetchall() == [(source, 2, "id", None, "null key")]


def test_a_value_that_does_not_fit_the_column_type_rejects_the_row_with_postgresqls_reason(dsn, db, files):
    integer_table(db)
    source = files.text(
        "a.csv", "id,amount,seen\n1,10,2024-01-31\n2,ten,2024-02-30\n3,99999999999,2024-01-01\n4,7,\n"
    )
    [step] = run(dsn, [load_step(source, fmt="csv", max_reject_ratio=1)])["steps"]
    assert rows(db) == [(1, 10, __import__("datetime").date(2024, 1, 31)), (4, 7, None)]
    assert step["rejected"] == 2
    assert db.execute(REJECTS).fetchall() == [
        (source, 2, "amount", "ten", 'invalid input syntax for type integer: "ten"'),
        (source, 2, "seen", "2024-02-30", 'date/time field value out of range: "2024-02-30"'),
        (source, 3, "amount", "99999999999", 'value "99999999999" is out of range for type integer'),
    ]


def test_rejects_above_the_ratio_fail_the_step_and_apply_nothing(dsn, db, files):
    integer_table(db)
    db.execute("INSERT INTO dm.customer VALUES (1, 1, NULL)")
    source = files.text("a.csv", "id,amount\n1,2\n2,x\n")
    with pytest.raises(RejectRatioExceeded, match="1 of 2 rows rejected"):
        run(dsn, [load_step(source, fmt="csv", max_reject_ratio=0.4)])
    assert rows(db) == [(1, 1, None)]
    assert db.execute("SELECT status, rejected FROM datamart_ledger.steps").fetchall() == [("failed", 1)]
    assert len(db.execute(REJECTS).fetchall()) == 1


def csv_with_bad_amounts(files, name: str, bad: int, total: int = 100) -> str:
    amounts = ["x"] * bad + [str(i) for i in range(total - bad)]
    return files.text(name, "id,amount\n" + "".join(f"{i},{a}\n" for i, a in enumerate(amounts)))


def test_the_default_ratio_allows_one_percent(dsn, db, files):
    integer_table(db)
    [step] = run(dsn, [load_step(csv_with_bad_amounts(files, "a.csv", bad=1), fmt="csv")])["steps"]
    assert (step["rejected"], step["inserted"]) == (1, 99)


def test_the_default_ratio_fails_above_one_percent(dsn, db, files):
    integer_table(db)
    with pytest.raises(RejectRatioExceeded, match="2 of 100"):
        run(dsn, [load_step(csv_with_bad_amounts(files, "a.csv", bad=2), fmt="csv")])


def test_a_retried_step_keeps_only_its_latest_rejects(dsn, db, files):
    integer_table(db)
    source = files.text("a.csv", "id,amount\n1,x\n")
    for _ in range(2):
        with pytest.raises(RejectRatioExceeded):
            run(dsn, [load_step(source, fmt="csv")])
    assert len(db.execute(REJECTS).fetchall()) == 1


def test_a_csv_row_with_the_wrong_number_of_fields_is_rejected_with_its_text_and_line(dsn, db, files):
    source = files.text("a.csv", 'id,name\n1,a\n2,b,extra\n3,"c\nd"\n4\n5,e\n')
    [step] = run(dsn, [load_step(source, fmt="csv", max_reject_ratio=0.5)])["steps"]
    assert rows(db) == [("1", "a"), ("3", "c\nd"), ("5", "e")]
    assert db.execute(REJECTS).fetchall() == [
        (source, 2, "*", "2,b,extra", "3 fields where the header has 2 (line 3)"),
        (source, 4, "*", "4", "1 fields where the header has 2 (line 6)"),
    ]
    assert (step["source_rows"], step["inserted"], step["rejected"]) == (5, 3, 2)


def test_csv_records_after_a_rejected_row_keep_their_numbers_nulls_and_quoting(dsn, db, files, monkeypatch):
    # Small blocks: pyarrow's reader loads the blocks before the bad row, Python's reader the rest.
    monkeypatch.setattr(sources, "CSV_BLOCK_BYTES", 256)
    integer_table(db)
    lines = [f"{i},{i}," for i in range(1, 101)]
    lines[59] = "60,60,,too many"
    lines[79] = '80,"x",'
    lines[89] = '90,,""'
    source = files.text("a.csv", "id,amount,seen\n" + "\n".join(lines) + "\n")
    [step] = run(dsn, [load_step(source, fmt="csv", max_reject_ratio=0.1)])["steps"]
    assert db.execute(REJECTS).fetchall() == [
        (source, 60, "*", "60,60,,too many", "4 fields where the header has 3 (line 61)"),
        (source, 80, "amount", "x", 'invalid input syntax for type integer: "x"'),
        (source, 90, "seen", "", 'invalid input syntax for type date: ""'),
    ]
    assert db.execute("SELECT count(*), max(id) FROM dm.customer").fetchone() == (97, 100)
    assert db.execute("SELECT amount FROM dm.customer WHERE id = 91").fetchone() == (91,)
    assert (step["source_rows"], step["rejected"]) == (100, 3)


def test_ndjson_lines_that_are_not_json_objects_are_rejected_with_their_line(dsn, db, files):
    source = files.text("a.ndjson", '{"id": "1"}\n{"id": \n\n[1, 2]\n{"id": "5"}\n')
    [step] = run(dsn, [load_step(source, fmt="ndjson", max_reject_ratio=0.5)])["steps"]
    assert rows(db) == [("1",), ("5",)]
    assert db.execute(REJECTS).fetchall() == [
        (source, 2, "*", '{"id": ', "malformed JSON: Expecting value at column 8"),
        (source, 4, "*", "[1, 2]", "not a JSON object"),
    ]
    assert (step["source_rows"], step["rejected"]) == (4, 2)


def test_unreadable_records_count_in_the_ratio_and_above_it_nothing_is_applied(dsn, db, files):
    source = files.text("a.ndjson", '{"id": "1"}\nnot json\n')
    with pytest.raises(RejectRatioExceeded, match="1 of 2 rows rejected"):
        run(dsn, [load_step(source, fmt="ndjson")])
    assert db.execute("SELECT to_regclass('dm.customer')").fetchone() == (None,)
    assert [reject[2:] for reject in db.execute(REJECTS).fetchall()] == [
        ("*", "not json", "malformed JSON: Expecting value at column 1")
    ]


def test_a_long_rejected_record_keeps_its_beginning_and_says_its_length(dsn, db, files):
    line = '{"id": "' + "x" * 5000
    source = files.text("a.ndjson", '{"id": "1"}\n' * 9 + line + "\n")
    run(dsn, [load_step(source, fmt="ndjson", max_reject_ratio=0.5)])
    [(value,)] = db.execute("SELECT value FROM datamart_ledger.rejects").fetchall()
    assert value == line[: sources.REJECT_TEXT_CHARS] + "… [5,008 characters]"
