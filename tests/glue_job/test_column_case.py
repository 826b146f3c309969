"""Fields that differ only in case (`id`, `Id`): Spark, Athena and the Glue catalog fold case, so each keeps
its values in a column of its own, named by a documented rule, and the job's stats say which."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from ndjson_parquet import JobOptions, run_job
from ndjson_parquet.transform import column_names

OUTPUT = Path("parquet") / "date_prefix=2024-01-15" / "manifest_id=m-0001"


@pytest.mark.spark
def test_fields_differing_only_in_case_keep_every_value_in_columns_of_their_own(spark, inputs, tmp_path):
    inputs.file("a.ndjson", '{"id": "lower", "Id": "upper", "ID": "all"}\n{"id": "second"}\n')
    stats = run_job(
        spark,
        JobOptions(
            manifest_path=str(inputs.manifest()),
            output_root=str(tmp_path / "parquet"),
            rejects_root=str(tmp_path / "rejects"),
        ),
    )

    rows = sorted(pq.read_table(tmp_path / OUTPUT).to_pylist(), key=lambda row: row["id__3"])
    assert [(row["ID"], row["Id__2"], row["id__3"]) for row in rows] == [
        ("all", "upper", "lower"),
        (None, None, "second"),
    ]
    assert stats.renamed_columns == {"Id": "Id__2", "id": "id__3"}


def test_the_first_spelling_in_code_point_order_keeps_its_name():
    assert column_names(["id", "Id"]) == {"id": "id__2", "Id": "Id"}


def test_a_suffix_already_taken_by_another_field_is_skipped():
    assert column_names(["a", "A", "a__2"]) == {"a": "a__3", "A": "A", "a__2": "a__2"}


def test_a_case_variant_of_a_column_the_job_adds_is_renamed():
    assert column_names(["_Source_File"]) == {"_Source_File": "_Source_File__2"}


def test_fields_without_case_twins_keep_their_names():
    assert column_names(["b", "a"]) == {"b": "b", "a": "a"}
