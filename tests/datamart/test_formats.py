"""Source formats and locations: Parquet, CSV (header, dialect options), NDJSON; files or folders."""

from __future__ import annotations

import datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datamart_load.engine import StepFailed

from .conftest import load_step, rows, run


def test_a_folder_loads_all_its_files_of_the_format_in_name_order(dsn, db, files):
    files.parquet("in/b.parquet", {"id": [1], "name": ["from b"]})
    files.parquet("in/a.parquet", {"id": [1], "name": ["from a"]})
    files.text("in/notes.txt", "not data")
    files.text("in/_SUCCESS", "")
    [step] = run(dsn, [load_step(str(files.root / "in"))])["steps"]
    assert rows(db) == [(1, "from b")]
    assert step["source_files"] == 2


def test_csv_values_are_text_with_empty_fields_null_and_quoted_empty_strings_empty(dsn, db, files):
    source = files.text("a.csv", 'id,name,note\n1,"a, b",\n2,"",x\n')
    run(dsn, [load_step(source, fmt="csv")])
    assert rows(db) == [("1", "a, b", None), ("2", "", "x")]


def test_csv_dialect_options_set_delimiter_quote_escape_encoding_and_null_markers(dsn, db, files):
    path = files.path("a.csv")
    path.write_bytes("id;name\n1;'caf\\'é'\n2;NULL\n".encode("latin-1"))
    dialect = {
        "delimiter": ";",
        "quote_char": "'",
        "escape_char": "\\",
        "encoding": "latin-1",
        "null_values": ["NULL"],
    }
    run(dsn, [load_step(str(path), fmt="csv", csv=dialect)])
    assert rows(db) == [("1", "caf'é"), ("2", None)]


def test_csv_values_are_cast_to_the_existing_columns_types(dsn, db, files):
    db.execute("CREATE TABLE dm.customer (id integer PRIMARY KEY, amount numeric(8,2), ok boolean)")
    run(dsn, [load_step(files.text("a.csv", "id,amount,ok\n1,12.5,true\n2,-3,f\n"), fmt="csv")])
    assert [(i, str(a), ok) for i, a, ok in rows(db)] == [(1, "12.50", True), (2, "-3.00", False)]


def test_ndjson_keys_become_columns_and_nested_values_json_text(dsn, db, files):
    source = files.ndjson("a.ndjson", [{"id": "1", "n": 2.5}, {"id": "2", "tags": ["x"], "obj": {"a": 1}}])
    run(dsn, [load_step(source, fmt="ndjson")])
    assert rows(db) == [("1", "2.5", None, None), ("2", None, '["x"]', '{"a": 1}')]


def test_a_source_that_does_not_exist_fails_the_step_naming_it(dsn, files):
    with pytest.raises(StepFailed, match="missing.parquet does not exist"):
        run(dsn, [load_step(str(files.root / "missing.parquet"))])


def test_int96_timestamps_as_the_intake_job_writes_them_load_as_timestamps(dsn, db, files):
    path = files.path("in/part-0.parquet")
    stamp = datetime.datetime(2024, 1, 2, 3, 4, 5, 123456)
    table = pa.table({"id": ["a"], "_processing_timestamp": pa.array([stamp], pa.timestamp("ns"))})
    pq.write_table(table, path, use_deprecated_int96_timestamps=True)
    run(dsn, [load_step(str(path.parent))])
    assert rows(db) == [("a", stamp)]
