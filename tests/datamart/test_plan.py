"""The plan document: what is accepted and the errors that name the step and field."""

from __future__ import annotations

import pytest
from datamart_load.plan import CsvDialect, LoadStep, PlanError, SqlStep, parse_plan


def load(**fields) -> dict:
    return {
        "id": "s1",
        "type": "load",
        "source_uris": ["s3://b/p/"],
        "format": "csv",
        "target_table": "Stg.Customer",
        "upsert_keys": ["ID"],
        **fields,
    }


def test_a_plan_parses_into_steps_with_defaults_and_folded_names():
    plan = parse_plan({"run_id": "r", "steps": [load(), {"id": "s2", "type": "sql", "script_uri": "x.sql"}]})
    assert plan.steps == (
        LoadStep("s1", ("s3://b/p/",), "csv", "stg", "customer", ("id",), 0.01, "add", CsvDialect()),
        SqlStep("s2", "x.sql", "transform"),
    )


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (load(format="xml"), "step 's1': format 'xml' is not one of parquet, csv, ndjson"),
        (load(target_table="customer"), "step 's1': target_table 'customer' must be schema.table"),
        (load(upsert_keys=[]), "step 's1': field 'upsert_keys' must be a non-empty list"),
        (load(max_reject_ratio=2), "step 's1': max_reject_ratio must be a number between 0 and 1"),
        (load(on_new_column="drop"), "step 's1': on_new_column 'drop' is not one of add, fail, ignore"),
        (load(csv={"delimiter": ";;"}), "step 's1': csv delimiter must be one character"),
        (load(csv={"header": False}), "step 's1': unknown csv option(s) ['header']"),
        ({"id": "s1", "type": "sql"}, "step 's1': missing field 'script_uri'"),
        ({"id": "s1", "type": "copy"}, "step 's1': type 'copy' is not 'load' or 'sql'"),
    ],
)
def test_a_bad_step_is_an_error_naming_the_step_and_field(step, message):
    with pytest.raises(PlanError) as error:
        parse_plan({"run_id": "r", "steps": [step]})
    assert str(error.value).startswith(message)


def test_a_step_id_used_twice_is_an_error():
    with pytest.raises(PlanError, match="step 's1': id used twice"):
        parse_plan({"run_id": "r", "steps": [load(), load()]})
