"""The conversion on local Spark: what lands in Parquet, what goes to rejects, what the stats say."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from ndjson_parquet import FileOutcome, JobOptions, TooManyFields, run_job

pytestmark = pytest.mark.spark

DATE_FOLDER = Path("date_prefix=2024-01-15") / "manifest_id=m-0001"


def options(root: Path, manifest: Path, **overrides) -> JobOptions:
    return JobOptions(
        manifest_path=str(manifest),
        output_root=str(root / "parquet"),
        rejects_root=str(root / "rejects"),
        **overrides,
    )


def read_rows(root: Path) -> list[dict]:
    table = pq.read_table(root / "parquet" / DATE_FOLDER)
    return sorted(table.to_pylist(), key=lambda row: json.dumps(row, default=str, sort_keys=True))


def read_rejects(root: Path) -> list[dict]:
    folder = root / "rejects" / DATE_FOLDER
    return [
        json.loads(line) for path in sorted(folder.glob("part-*")) for line in path.read_text().splitlines()
    ]


def test_nested_objects_and_arrays_keep_their_json_text(spark, inputs, tmp_path):
    inputs.file(
        "a.ndjson", '{"id": "1", "geo": {"lat": 1.5, "tags": ["x", "y"]}, "list": [1, {"k": null}]}\n'
    )
    run_job(spark, options(tmp_path, inputs.manifest()))
    [row] = read_rows(tmp_path)
    assert json.loads(row["geo"]) == {"lat": 1.5, "tags": ["x", "y"]}
    assert json.loads(row["list"]) == [1, {"k": None}]


def test_every_data_column_is_a_string_and_metadata_columns_are_added(spark, inputs, tmp_path):
    inputs.file("a.ndjson", '{"n": 7, "ok": true, "price": 2.5, "name": "x", "none": null}\n')
    run_job(spark, options(tmp_path, inputs.manifest()))
    schema = pq.read_schema(next((tmp_path / "parquet" / DATE_FOLDER).glob("part-*.parquet")))
    types = {name: str(schema.field(name).type) for name in schema.names}
    # Spark's default INT96 timestamp, which every Athena engine version reads.
    assert types.pop("_processing_timestamp") == "timestamp[ns]"
    assert types == {
        "n": "string",
        "ok": "string",
        "price": "string",
        "name": "string",
        "none": "string",
        "_source_file": "string",
    }
    [row] = read_rows(tmp_path)
    assert (row["n"], row["ok"], row["price"], row["none"]) == ("7", "true", "2.5", None)
    assert row["_source_file"] == inputs.paths[0].as_uri()


def test_unicode_text_is_preserved(spark, inputs, tmp_path):
    inputs.file("u.ndjson", '{"name": "Zoë 日本 🚀", "ключ": "значение"}\n')
    run_job(spark, options(tmp_path, inputs.manifest()))
    [row] = read_rows(tmp_path)
    assert (row["name"], row["ключ"]) == ("Zoë 日本 🚀", "значение")


def test_integers_beyond_64_bits_keep_their_digits(spark, inputs, tmp_path):
    inputs.file("big.ndjson", '{"big": 123456789012345678901234567890, "neg": -18446744073709551617}\n')
    run_job(spark, options(tmp_path, inputs.manifest()))
    [row] = read_rows(tmp_path)
    assert (row["big"], row["neg"]) == ("123456789012345678901234567890", "-18446744073709551617")


def test_malformed_lines_go_to_rejects_with_source_file_and_raw_text(spark, inputs, tmp_path):
    good = [json.dumps({"id": str(i)}) for i in range(8)]
    bad = ['{"id": "broken"', "not json", '{"id": "9"} trailing', '{"id": "10"}{"id": "11"}', "[1, 2]", "42"]
    path = inputs.file("mixed.ndjson", "\n".join(good[:4] + bad + good[4:]) + "\n")
    stats = run_job(spark, options(tmp_path, inputs.manifest(), max_reject_ratio=0.5))
    rows = read_rows(tmp_path)
    assert sorted(row["id"] for row in rows) == [str(i) for i in range(8)]
    rejects = read_rejects(tmp_path)
    assert sorted(reject["raw_line"] for reject in rejects) == sorted(bad)
    assert {reject["source_file"] for reject in rejects} == {path.as_uri()}
    assert {reject["manifest_id"] for reject in rejects} == {"m-0001"}
    assert (stats.records_read, stats.records_written, stats.records_rejected) == (14, 8, 6)


def test_braces_inside_strings_and_trailing_tabs_are_not_rejects(spark, inputs, tmp_path):
    inputs.file("a.ndjson", '{"template": "}{ and } {"}\n{"id": "2"}\t\n')
    stats = run_job(spark, options(tmp_path, inputs.manifest()))
    assert stats.records_rejected == 0
    assert {row["template"] for row in read_rows(tmp_path)} == {"}{ and } {", None}


def test_blank_lines_whitespace_lines_and_crlf_endings_are_not_rejects(spark, inputs, tmp_path):
    inputs.file("crlf.ndjson", b'{"id": "1"}\r\n\r\n   \r\n\t\n{"id": "2"}\r\n\n')
    stats = run_job(spark, options(tmp_path, inputs.manifest()))
    assert sorted(row["id"] for row in read_rows(tmp_path)) == ["1", "2"]
    assert (stats.records_read, stats.records_rejected) == (2, 0)
    assert not (tmp_path / "rejects" / DATE_FOLDER).exists()


def test_an_empty_file_is_skipped(spark, inputs, tmp_path):
    inputs.file("a.ndjson", '{"id": "1"}\n')
    inputs.file("empty.ndjson", b"")
    stats = run_job(spark, options(tmp_path, inputs.manifest()))
    assert [row["id"] for row in read_rows(tmp_path)] == ["1"]
    assert (stats.input_files, stats.input_bytes, stats.records_written) == (2, 12, 1)


def test_an_all_empty_manifest_succeeds_without_output(spark, inputs, tmp_path):
    inputs.file("empty-1.ndjson", b"")
    inputs.file("blank-lines.ndjson", b"\n\n  \n")
    stats = run_job(spark, options(tmp_path, inputs.manifest()))
    assert (stats.records_read, stats.records_written, stats.output_files) == (0, 0, 0)
    assert not (tmp_path / "parquet" / DATE_FOLDER).exists()


def test_a_field_first_seen_in_a_later_file_is_kept(spark, inputs, tmp_path):
    inputs.file("1-early.ndjson", "".join(json.dumps({"id": str(i)}) + "\n" for i in range(5)))
    inputs.file("2-late.ndjson", '{"id": "5", "late_field": "kept"}\n')
    stats = run_job(spark, options(tmp_path, inputs.manifest(), sample_lines=2))
    rows = {row["id"]: row for row in read_rows(tmp_path)}
    assert rows["5"]["late_field"] == "kept"
    assert rows["0"]["late_field"] is None
    assert stats.late_fields_rewrite
    assert stats.fields == ["id", "late_field"]


def test_a_late_field_on_a_line_lacking_sampled_fields_is_kept(spark, inputs, tmp_path):
    inputs.file("1-early.ndjson", "".join(json.dumps({"id": str(i), "kind": "a"}) + "\n" for i in range(5)))
    inputs.file("2-late.ndjson", '{"late_field": "kept"}\n{"id": "6", "kind": null, "other": "kept too"}\n')
    stats = run_job(spark, options(tmp_path, inputs.manifest(), sample_lines=2))
    rows = read_rows(tmp_path)
    assert {row["late_field"] for row in rows} == {"kept", None}
    assert {row["other"] for row in rows} == {"kept too", None}
    assert stats.fields == ["id", "kind", "late_field", "other"]


def test_sampled_fields_holding_null_do_not_trigger_a_second_write(spark, inputs, tmp_path):
    inputs.file("a.ndjson", '{"id": "1", "kind": "a"}\n{"id": null, "kind": null}\n{"kind": null}\n')
    stats = run_job(spark, options(tmp_path, inputs.manifest(), sample_lines=1))
    assert not stats.late_fields_rewrite
    assert stats.records_written == 3


def test_decimals_beyond_double_precision_keep_every_digit(spark, inputs, tmp_path):
    inputs.file(
        "a.ndjson",
        '{"id": "1", "amount": 12345678901234567890.123, "price": 2.50, "o": {"x": 1e400}}\n'
        '{"id": "2", "amount": 425.29, "price": 3.5, "o": {"x": 7}}\n',
    )
    stats = run_job(spark, options(tmp_path, inputs.manifest()))
    rows = {row["id"]: row for row in read_rows(tmp_path)}
    assert (rows["1"]["amount"], rows["1"]["price"], rows["1"]["o"]) == (
        "12345678901234567890.123",
        "2.50",
        '{"x":1e400}',
    )
    assert (rows["2"]["amount"], rows["2"]["price"], rows["2"]["o"]) == ("425.29", "3.5", '{"x":7}')
    assert stats.records_written == 2


def test_single_quoted_json_which_sparks_reader_accepts_is_converted(spark, inputs, tmp_path):
    inputs.file("a.ndjson", "{'id': '1', 'price': 2.50}\n")
    stats = run_job(spark, options(tmp_path, inputs.manifest()))
    [row] = read_rows(tmp_path)
    assert (row["id"], row["price"]) == ("1", "2.50")
    assert stats.records_written == 1


def test_a_reject_says_why_the_line_was_rejected(spark, inputs, tmp_path):
    inputs.file("a.ndjson", '{"id": "1"}\n[1, 2]\n{"id": "2"} {"id": "3"}\n{"id": "4"\n')
    stats = run_job(spark, options(tmp_path, inputs.manifest(), max_reject_ratio=0.9))
    assert (stats.records_written, stats.records_rejected) == (1, 3)
    reasons = {reject["raw_line"]: reject["reason"] for reject in read_rejects(tmp_path)}
    assert reasons["[1, 2]"] == "not a JSON object"
    assert reasons['{"id": "2"} {"id": "3"}'] == "text after the JSON object"
    assert reasons['{"id": "4"'].startswith("malformed JSON: ")


def test_running_the_same_manifest_twice_replaces_its_output(spark, inputs, tmp_path):
    inputs.file("a.ndjson", "".join(json.dumps({"id": str(i)}) + "\n" for i in range(10)))
    manifest = inputs.manifest()
    run_job(spark, options(tmp_path, manifest))
    stats = run_job(spark, options(tmp_path, manifest))
    assert len(read_rows(tmp_path)) == 10
    assert stats.records_written == 10


def test_a_file_over_the_reject_ratio_is_quarantined_and_the_other_files_rows_are_written(
    spark, inputs, tmp_path
):
    good = inputs.file("good.ndjson", '{"id": "1"}\n{"id": "2"}\n')
    bad = inputs.file("bad.ndjson", '{"id": "3"}\n{broken\n{"id": "4"}\n{also broken\n')
    stats = run_job(spark, options(tmp_path, inputs.manifest(), max_reject_ratio=0.25))
    assert [row["id"] for row in read_rows(tmp_path)] == ["1", "2"]
    good_outcome, bad_outcome = stats.files
    assert good_outcome == FileOutcome(good.as_uri(), 2, 2, 0, None)
    assert bad_outcome.uri == bad.as_uri()
    assert (bad_outcome.records_read, bad_outcome.records_written, bad_outcome.records_rejected) == (4, 0, 2)
    assert bad_outcome.quarantine_reason == (
        "bad_content: 2 of 4 lines rejected (ratio 0.5000 > MAX_REJECT_RATIO 0.25)"
    )
    assert (stats.records_read, stats.records_written, stats.records_rejected) == (6, 2, 2)


def test_a_quarantined_files_rejected_lines_are_kept(spark, inputs, tmp_path):
    inputs.file("good.ndjson", '{"id": "1"}\n')
    inputs.file("bad.ndjson", "{broken\n{also broken\n")
    run_job(spark, options(tmp_path, inputs.manifest(), max_reject_ratio=0.25))
    assert sorted(reject["raw_line"] for reject in read_rejects(tmp_path)) == ["{also broken", "{broken"]


def test_a_file_within_the_reject_ratio_is_written_with_its_counts(spark, inputs, tmp_path):
    path = inputs.file("a.ndjson", '{"id": "1"}\n{"id": "2"}\n{"id": "3"}\n{broken\n')
    stats = run_job(spark, options(tmp_path, inputs.manifest(), max_reject_ratio=0.25))
    assert stats.files == [FileOutcome(path.as_uri(), 4, 3, 1, None)]
    assert len(read_rows(tmp_path)) == 3


def test_when_every_file_is_quarantined_the_run_succeeds_without_parquet_output(spark, inputs, tmp_path):
    inputs.file("bad.ndjson", "{broken\n")
    stats = run_job(spark, options(tmp_path, inputs.manifest()))
    assert stats.files_quarantined == 1
    assert stats.records_written == 0
    assert not (tmp_path / "parquet" / DATE_FOLDER).exists()
    assert len(read_rejects(tmp_path)) == 1


def test_a_listed_file_that_is_missing_is_quarantined_as_unreadable(spark, inputs, tmp_path):
    inputs.file("a.ndjson", '{"id": "1"}\n')
    gone = inputs.file("gone.ndjson", '{"id": "2"}\n')
    manifest = inputs.manifest()
    gone.unlink()
    stats = run_job(spark, options(tmp_path, manifest))
    assert [row["id"] for row in read_rows(tmp_path)] == ["1"]
    assert stats.files[1].uri == gone.as_uri()
    assert stats.files[1].quarantine_reason == "bad_content: unreadable: not found"


def test_a_file_spark_cannot_decompress_is_quarantined_as_unreadable(spark, inputs, tmp_path):
    inputs.file("a.ndjson", '{"id": "1"}\n')
    inputs.file("b.ndjson.gz", b"\x1f\x8b\x08\x00 not really gzip")
    stats = run_job(spark, options(tmp_path, inputs.manifest()))
    assert [row["id"] for row in read_rows(tmp_path)] == ["1"]
    assert stats.files[1].quarantine_reason.startswith("bad_content: unreadable: ")


def test_output_is_split_into_files_of_about_the_target_size(spark, inputs, tmp_path):
    line = json.dumps({"id": "x" * 10, "payload": "y" * 200}) + "\n"
    inputs.file("a.ndjson", line * 4000)  # about 0.9 MiB
    stats = run_job(
        spark, options(tmp_path, inputs.manifest(), target_file_size_mb=0.05, ndjson_bytes_per_parquet_byte=4)
    )
    files = sorted((tmp_path / "parquet" / DATE_FOLDER).glob("part-*.parquet"))
    assert stats.output_files == len(files) == 5  # ceil(0.9 MiB / (0.05 MiB * 4))
    assert sum(pq.read_metadata(path).num_rows for path in files) == 4000


def test_many_small_files_are_packed_into_tasks_by_their_bytes(spark, inputs, tmp_path):
    line = json.dumps({"id": "x" * 10, "payload": "y" * 200}) + "\n"
    for index in range(40):
        inputs.file(f"small-{index:02d}.ndjson", line * 20)  # about 4.7 KiB each
    stats = run_job(
        spark, options(tmp_path, inputs.manifest(), target_file_size_mb=0.05, ndjson_bytes_per_parquet_byte=4)
    )
    # Tasks of 200 KiB, each file counting its bytes + 8 KiB: 3 tasks. Spark's default open cost (4 MiB)
    # would have made one task, and one tiny Parquet file, per input file.
    assert stats.output_files == 3
    assert stats.records_written == 800


def test_stats_are_returned_and_logged_as_the_fields_of_a_manifest_converted_event(
    spark, inputs, tmp_path, caplog
):
    inputs.file("a.ndjson", '{"id": "1"}\n{"id": "2"}\n')
    inputs.file("b.ndjson", '{"id": "3"}\n')
    with caplog.at_level(logging.INFO, logger="ndjson_parquet"):
        stats = run_job(spark, options(tmp_path, inputs.manifest()))
    [logged] = [record for record in caplog.records if getattr(record, "event", "") == "manifest_converted"]
    assert {name: getattr(logged, name) for name in stats.as_dict()} == stats.as_dict()
    assert (stats.input_files, stats.input_bytes) == (2, 36)
    assert (stats.records_read, stats.records_written, stats.records_rejected) == (3, 3, 0)
    assert stats.output_files >= 1


def test_an_input_field_named_like_an_added_column_is_a_clear_error(spark, inputs, tmp_path):
    inputs.file("a.ndjson", '{"_source_file": "mine"}\n')
    with pytest.raises(ValueError, match="clash with the columns the job adds"):
        run_job(spark, options(tmp_path, inputs.manifest()))


def test_mostly_unique_columns_skip_dictionary_encoding_and_repetitive_ones_keep_it(spark, inputs, tmp_path):
    inputs.file(
        "a.ndjson", "".join(json.dumps({"id": f"id-{i}", "kind": "click"}) + "\n" for i in range(200))
    )
    run_job(spark, options(tmp_path, inputs.manifest()))
    [path] = (tmp_path / "parquet" / DATE_FOLDER).glob("part-*.parquet")
    row_group = pq.read_metadata(path).row_group(0)
    encodings = {row_group.column(i).path_in_schema: row_group.column(i).encodings for i in range(2)}
    assert "PLAIN_DICTIONARY" not in encodings["id"]
    assert "PLAIN_DICTIONARY" in encodings["kind"]


def test_a_deeply_nested_line_in_the_sample_is_rejected_not_fatal(spark, inputs, tmp_path):
    inputs.file("a.ndjson", '{"d": ' + "[" * 1_200 + "]" * 1_200 + '}\n{"id": "1"}\n')
    stats = run_job(spark, options(tmp_path, inputs.manifest(), max_reject_ratio=0.9))
    assert (stats.records_written, stats.records_rejected, stats.fields) == (1, 1, ["id"])


def test_more_fields_than_max_fields_in_the_sample_fail_the_run_before_writing(spark, inputs, tmp_path):
    inputs.file("a.ndjson", "".join(json.dumps({f"user-{i}": i}) + "\n" for i in range(6)))
    with pytest.raises(TooManyFields, match="6 distinct top-level fields, more than MAX_FIELDS 5"):
        run_job(spark, options(tmp_path, inputs.manifest(), max_fields=5))
    assert not (tmp_path / "parquet").exists()


def test_more_fields_than_max_fields_after_the_sample_fail_the_run_and_keep_no_output(
    spark, inputs, tmp_path
):
    inputs.file("a.ndjson", "".join(json.dumps({"id": str(i), f"user-{i}": i}) + "\n" for i in range(8)))
    with pytest.raises(TooManyFields, match="9 distinct top-level fields, more than MAX_FIELDS 5"):
        run_job(spark, options(tmp_path, inputs.manifest(), max_fields=5, sample_lines=1))
    assert not list((tmp_path / "parquet").rglob("*.parquet"))
