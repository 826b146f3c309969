"""Every key S3 allows is read as exactly that one object: Hadoop would expand glob characters in a path."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from ndjson_parquet import JobOptions, run_job
from ndjson_parquet.job import literal_path

pytestmark = pytest.mark.spark

OUTPUT = Path("parquet") / "date_prefix=2024-01-15" / "manifest_id=m-0001"
SPECIAL = ["?", "*", "[", "]", "{", "}", "\\", ",", ";", "#", "%", "+", " ", "é", "日本"]


def convert(spark, inputs, root: Path, listed: list[str], present: list[str]) -> list[dict]:
    """Writes `present` (one line each, naming its file), lists only `listed` in the manifest, converts."""
    for name in present:
        inputs.file(name, json.dumps({"file": name}) + "\n")
    inputs.paths = [inputs.root / "input" / name for name in listed]
    manifest = inputs.manifest()
    run_job(
        spark,
        JobOptions(
            manifest_path=str(manifest), output_root=str(root / "parquet"), rejects_root=str(root / "rejects")
        ),
    )
    return pq.read_table(root / OUTPUT).to_pylist()


def test_a_key_with_a_question_mark_does_not_also_read_its_sibling(spark, inputs, tmp_path):
    rows = convert(
        spark,
        inputs,
        tmp_path,
        listed=["day-2024-01-15-a?.ndjson", "day-2024-01-15-ab.ndjson"],
        present=["day-2024-01-15-a?.ndjson", "day-2024-01-15-ab.ndjson"],
    )
    assert sorted(row["file"] for row in rows) == ["day-2024-01-15-a?.ndjson", "day-2024-01-15-ab.ndjson"]


def test_a_listed_key_with_glob_characters_reads_only_itself(spark, inputs, tmp_path):
    rows = convert(
        spark, inputs, tmp_path, listed=["x[1]{a,b}*.ndjson"], present=["x[1]{a,b}*.ndjson", "x1a.ndjson"]
    )
    assert [row["file"] for row in rows] == ["x[1]{a,b}*.ndjson"]


def test_every_special_character_s3_allows_in_a_key_is_read_once(spark, inputs, tmp_path):
    names = [f"k{index}-{character}-.ndjson" for index, character in enumerate(SPECIAL)]
    rows = convert(spark, inputs, tmp_path, listed=names, present=names)
    assert sorted(row["file"] for row in rows) == sorted(names)


@pytest.mark.parametrize(
    ("uri", "path"),
    [
        ("s3://bucket/day-a?.ndjson", "s3://bucket/day-a\\?.ndjson"),
        ("s3://bucket/x[1]{2}*\\.ndjson", "s3://bucket/x\\[1\\]\\{2\\}\\*\\\\.ndjson"),
        ("s3://bucket/a b%20+#.ndjson", "s3://bucket/a b%20+#.ndjson"),
        ("file:///tmp/a%3F%20b.ndjson", "/tmp/a\\? b.ndjson"),
    ],
)
def test_literal_path_escapes_glob_characters_and_decodes_file_uris(uri, path):
    assert literal_path(uri) == path
