"""Numbers keep the text they were written with: what Spark's double rendering would change is caught."""

import re

import pytest
from ndjson_parquet.exact_numbers import AT_RISK_NUMBER, parse_exact
from pyspark.sql import functions as F
from pyspark.sql import types as T

# Numbers Spark's from_json renders differently from their source text (checked against Spark in
# test_every_number_spark_would_change_is_flagged).
CHANGED_BY_SPARK = [
    "12345678901234567890.123",
    "0.1000000000000000055511151231257827",
    "1e400",
    "1E5",
    "2.50",
    "1.10",
    "12345678.5",
    "0.00001",
    "-3.000",
    "1700000000.5",
    "0.0009",
]
KEPT_BY_SPARK = [
    "425.0",
    "5.0",
    "425.29",
    "-25.52521",
    "0.001",
    "1234567.12345678",
    "42",
    "123456789012345678901234567890",
]


def test_a_high_precision_decimal_keeps_every_digit():
    assert parse_exact('{"amount": 12345678901234567890.123}') == {"amount": "12345678901234567890.123"}


def test_an_exponent_beyond_double_range_is_kept_as_written():
    assert parse_exact('{"x": 1e400}') == {"x": "1e400"}


def test_trailing_zeros_are_kept():
    assert parse_exact('{"price": 2.50}') == {"price": "2.50"}


def test_numbers_inside_nested_values_keep_their_text():
    assert parse_exact('{"o": {"p": 1.10, "q": [1e5, "s"]}}') == {"o": '{"p":1.10,"q":[1e5,"s"]}'}


def test_strings_are_their_text_and_null_stays_null():
    assert parse_exact('{"s": "héllo \\"q\\"", "n": null, "b": true}') == {
        "s": 'héllo "q"',
        "n": None,
        "b": "true",
    }


@pytest.mark.parametrize("line", ["not json", "[1, 2]", '"text"', '{"a": 1} trailing', ""])
def test_a_line_that_is_not_one_json_object_gives_none(line):
    assert parse_exact(line) is None


@pytest.mark.parametrize("number", CHANGED_BY_SPARK)
def test_numbers_spark_would_change_are_flagged(number):
    assert re.search(AT_RISK_NUMBER, f'{{"x": {number}}}')


@pytest.mark.parametrize("number", KEPT_BY_SPARK)
def test_numbers_spark_keeps_are_not_flagged(number):
    assert not re.search(AT_RISK_NUMBER, f'{{"x": {number}}}')


@pytest.mark.spark
def test_the_flagged_set_matches_what_spark_really_changes(spark):
    numbers = CHANGED_BY_SPARK + KEPT_BY_SPARK
    lines = spark.createDataFrame([(f'{{"x": {n}}}',) for n in numbers], ["value"])
    rendered = [
        row["x"]
        for row in lines.select(
            F.from_json("value", T.MapType(T.StringType(), T.StringType()))["x"].alias("x")
        ).collect()
    ]
    changed = {n for n, text in zip(numbers, rendered, strict=True) if text != n}
    assert changed == set(CHANGED_BY_SPARK)


@pytest.mark.spark
def test_nested_text_is_rendered_as_spark_renders_it(spark):
    line = '{"o": {"name": "日本 \\"x\\"\\n", "tags": ["a", true, null], "n": 7}}'
    sparks = (
        spark.createDataFrame([(line,)], ["value"])
        .select(F.from_json("value", T.MapType(T.StringType(), T.StringType()))["o"].alias("o"))
        .collect()[0]["o"]
    )
    assert parse_exact(line)["o"] == sparks
