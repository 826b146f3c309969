"""The line parser: one JSON object per line, values as strings, numbers as written, reasons for rejects."""

from datetime import UTC, datetime

import pytest
from ndjson_parquet import line_parser
from ndjson_parquet.transform import parse_lines, write_records
from pyspark.sql import DataFrameWriter
from pyspark.sql import functions as F
from pyspark.sql import types as T

pytestmark = pytest.mark.spark

# Numbers Spark's from_json renders differently from their source text: a double in between.
CHANGED_BY_SPARKS_FROM_JSON = [
    "12345678901234567890.123",
    "0.1000000000000000055511151231257827",
    "1e400",
    "1E5",
    "2.50",
    "12345678.5",
    "0.00001",
    "-3.000",
]
KEPT_BY_SPARKS_FROM_JSON = ["425.0", "425.29", "-25.52521", "42", "123456789012345678901234567890"]
NOT_AN_OBJECT = "not a JSON object"
TEXT_AFTER_OBJECT = "text after the JSON object"


def parse(spark, lines: list[str], fields: list[str]) -> list[dict]:
    """Each line's status, reason, unseen fields and field values, as the job's pass sees them."""
    frame = spark.createDataFrame([(line,) for line in lines], ["value"])
    results = parse_lines(frame, fields).select("_parsed").collect()
    return [
        {
            "status": row[line_parser.STATUS],
            "reason": row[line_parser.REASON],
            "unseen": row[line_parser.UNSEEN_FIELDS],
            **{name: row[line_parser.value_column(index)] for index, name in enumerate(fields)},
        }
        for row in (result["_parsed"] for result in results)
    ]


def parse_one(spark, line: str, fields: list[str]) -> dict:
    [result] = parse(spark, [line], fields)
    return result


@pytest.mark.parametrize("number", CHANGED_BY_SPARKS_FROM_JSON + KEPT_BY_SPARKS_FROM_JSON)
def test_a_top_level_number_keeps_the_text_it_was_written_with(spark, number):
    assert parse_one(spark, f'{{"x": {number}}}', ["x"])["x"] == number


def test_numbers_inside_nested_values_keep_their_text(spark):
    result = parse_one(spark, '{"o": {"p": 1.10, "q": [1e5, "s", 12345678901234567890.123]}}', ["o"])
    assert result["o"] == '{"p":1.10,"q":[1e5,"s",12345678901234567890.123]}'


def test_the_numbers_tested_here_are_ones_spark_would_change(spark):
    numbers = CHANGED_BY_SPARKS_FROM_JSON + KEPT_BY_SPARKS_FROM_JSON
    lines = spark.createDataFrame([(f'{{"x": {n}}}',) for n in numbers], ["value"])
    fields = T.MapType(T.StringType(), T.StringType())
    rendered = [row["x"] for row in lines.select(F.from_json("value", fields)["x"].alias("x")).collect()]
    changed = {n for n, text in zip(numbers, rendered, strict=True) if text != n}
    assert changed == set(CHANGED_BY_SPARKS_FROM_JSON)


def test_nested_values_are_compact_json_as_spark_renders_them(spark):
    line = '{"o": {"name": "日本 \\"x\\"\\n",  "tags": ["a", true, null], "n": 7, "e": {}}}'
    fields = T.MapType(T.StringType(), T.StringType())
    frame = spark.createDataFrame([(line,)], ["value"])
    sparks = frame.select(F.from_json("value", fields)["o"].alias("o")).collect()[0]["o"]
    assert parse_one(spark, line, ["o"])["o"] == sparks


def test_a_nested_value_turning_irregular_midway_is_compact_json_all_the_same(spark):
    # Plain tokens first, then an escape, single quotes and spaces.
    line = """{"o": {"a": [1, "x", {"k": 2.50}], "b": "\\u00e9 \\"q\\"", "c": 'single', "d" : [ true ]}}"""
    expected = '{"a":[1,"x",{"k":2.50}],"b":"é \\"q\\"","c":"single","d":[true]}'
    assert parse_one(spark, line, ["o"])["o"] == expected


def test_bytes_jackson_decodes_although_not_well_formed_utf8_keep_the_text_jackson_reads(spark, tmp_path):
    # An overlong NUL (C0 80) and an encoded surrogate (ED A0 80): what they were before the parser handed
    # plain strings over as their bytes.
    path = tmp_path / "loose.ndjson"
    path.write_bytes(b'{"a": "x\xc0\x80y", "b": "x\xed\xa0\x80y", "o": ["x\xc0\x80y"]}\n')
    [row] = parse_lines(spark.read.text(str(path)), ["a", "b", "o"]).select("_parsed").collect()
    values = [row["_parsed"][line_parser.value_column(index)] for index in range(3)]
    assert values == ["x\x00y", "x?y", '["x\\u0000y"]']


def test_strings_are_their_text_booleans_their_word_and_null_stays_null(spark):
    result = parse_one(spark, '{"s": "héllo \\"q\\" \\u00e9", "n": null, "b": true}', ["s", "n", "b"])
    assert (result["s"], result["n"], result["b"]) == ('héllo "q" é', None, "true")


def test_a_record_is_a_record_without_reason_or_unseen_fields(spark):
    result = parse_one(spark, '{"a": "1"}', ["a"])
    assert (result["status"], result["reason"], result["unseen"]) == (line_parser.RECORD, None, None)


def test_a_field_the_record_lacks_is_null(spark):
    assert parse_one(spark, '{"a": "1"}', ["a", "b"])["b"] is None


def test_a_repeated_key_keeps_its_last_value(spark):
    assert parse_one(spark, '{"a": "first", "a": "last"}', ["a"])["a"] == "last"


def test_keys_outside_the_fields_are_reported_once_each(spark):
    result = parse_one(spark, '{"a": "1", "new": 2, "other": null, "new": 3}', ["a"])
    assert (result["a"], result["unseen"]) == ("1", ["new", "other"])


@pytest.mark.parametrize("line", ["", "   ", "\t"])
def test_a_blank_line_is_blank(spark, line):
    assert parse_one(spark, line, ["a"])["status"] == line_parser.BLANK


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("[1, 2]", NOT_AN_OBJECT),
        ('"text"', NOT_AN_OBJECT),
        ("null", NOT_AN_OBJECT),
        ("42", NOT_AN_OBJECT),
        ('{"a": 1} trailing', TEXT_AFTER_OBJECT),
        ('{"a": 1}{"b": 2}', TEXT_AFTER_OBJECT),
        ('{"a": 1}  {"b": 2}', TEXT_AFTER_OBJECT),
        ('{"a": 1}\t{"b": 2}', TEXT_AFTER_OBJECT),
    ],
)
def test_a_line_that_is_not_one_json_object_is_rejected_with_its_reason(spark, line, reason):
    result = parse_one(spark, line, ["a"])
    assert (result["status"], result["reason"], result["a"]) == (line_parser.REJECT, reason, None)


@pytest.mark.parametrize("line", ["not json", '{"a": 1', '{"a": 01}', '{"a": "unterminated}'])
def test_malformed_json_is_rejected_with_the_parsers_message(spark, line):
    result = parse_one(spark, line, ["a"])
    assert result["status"] == line_parser.REJECT
    assert result["reason"].startswith("malformed JSON: ")


@pytest.mark.parametrize(
    "line",
    [
        '{"a": 1.}',
        '{"a": .5}',
        '{"a": -}',
        '{"a": +1}',
        '{"a": 1e}',
        '{"a": 1.5.3}',
        '{"a": tru}',
        '{"a": nulls}',
        '{"a": [1, 2,]}',
        '{"a": {"k": 1,}}',
        '{"a": 1,}',
        '{"a": [1}',
        '{"a"\f: 1}',
        '{"a": \u00a01}',
    ],
)
def test_a_line_outside_jsons_grammar_is_rejected(spark, line):
    assert parse_one(spark, line, ["a"])["status"] == line_parser.REJECT


def test_trailing_whitespace_after_the_object_is_fine(spark):
    assert parse_one(spark, '{"a": 1}   \t', ["a"])["status"] == line_parser.RECORD


def test_invalid_utf8_is_rejected_rather_than_replaced(spark, tmp_path):
    path = tmp_path / "bad.ndjson"
    path.write_bytes(b'{"a": "caf\xe9"}\n{"a": "caf\xc3\xa9"}\n')
    rows = parse_lines(spark.read.text(str(path)), ["a"]).select("_parsed").collect()
    results = [
        (row["_parsed"][line_parser.STATUS], row["_parsed"][line_parser.value_column(0)]) for row in rows
    ]
    assert results == [(line_parser.REJECT, None), (line_parser.RECORD, "café")]


def test_a_line_jackson_takes_for_utf16_is_judged_on_its_own_bytes(spark, tmp_path):
    # Leading zero bytes make Jackson decode the line as UTF-16 or UTF-32; Spark reuses one buffer for the
    # lines it reads, so what an earlier, longer line left there must not reach the parse.
    reasons = []
    for index, earlier in enumerate([b'{"x": "11111111111111111111"}', b'{"y": "22222222222222222222"}']):
        path = tmp_path / f"zero-{index}.ndjson"
        path.write_bytes(earlier + b"\n\x00\t{}\n")
        rows = parse_lines(spark.read.text(str(path)), ["a"]).select("_parsed").collect()
        reasons.append((rows[1]["_parsed"][line_parser.STATUS], rows[1]["_parsed"][line_parser.REASON]))
    assert reasons[0] == reasons[1]
    assert reasons[0][0] == line_parser.REJECT


def test_json_extensions_sparks_reader_accepts_stay_accepted(spark):
    result = parse_one(spark, "{'a': 'single', 'b': NaN}", ["a", "b"])
    assert (result["status"], result["a"], result["b"]) == (line_parser.RECORD, "single", "NaN")


def test_a_parser_class_missing_from_the_classpath_is_a_clear_error(spark, monkeypatch):
    monkeypatch.setattr(line_parser, "CLASS_NAME", "ndjsonparquet.NoSuchParser")
    with pytest.raises(line_parser.LineParserUnavailable, match="--extra-jars"):
        line_parser.parse(spark, F.col("value"), F.input_file_name(), ["a"])


def test_the_write_parses_each_line_once(spark, tmp_path, monkeypatch):
    path = tmp_path / "a.ndjson"
    path.write_text('{"a": "1"}\n')
    plans = []
    write_parquet = DataFrameWriter.parquet

    def record_plan(writer, *args, **kwargs):
        plans.append(writer._df._jdf.queryExecution().executedPlan().toString())
        return write_parquet(writer, *args, **kwargs)

    monkeypatch.setattr(DataFrameWriter, "parquet", record_plan)
    lines = spark.read.text(str(path))
    write_records(lines, ["a"], datetime.now(UTC), str(tmp_path / "out"), "snappy")
    [plan] = plans
    assert plan.count("parse_ndjson_line(") == 1


def test_a_string_longer_than_jacksons_default_limit_is_kept(spark):
    text = "x" * 20_000_001
    assert parse_one(spark, f'{{"blob": "{text}"}}', ["blob"])["blob"] == text


def test_a_number_longer_than_jacksons_default_limit_is_kept(spark):
    digits = "7" * 1_500
    assert parse_one(spark, f'{{"n": {digits}}}', ["n"])["n"] == digits


def test_nesting_deeper_than_a_thousand_levels_is_rejected_with_the_reason(spark):
    result = parse_one(spark, '{"d": ' + "[" * 1_000 + "]" * 1_000 + "}", ["d"])
    assert result["status"] == line_parser.REJECT
    assert "nesting depth" in result["reason"]


def test_a_byte_order_mark_before_the_object_is_ignored(spark):
    result = parse_one(spark, '\ufeff{"a": "1"}', ["a"])
    assert (result["status"], result["a"]) == (line_parser.RECORD, "1")
