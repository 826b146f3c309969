"""Matching a file to jobs: exact names trimmed and case-folded; globs and templates where a job opts in."""

import pytest
from platform_common.file_patterns import compile_matcher

from .conftest import CONFIG


@pytest.mark.parametrize(
    "key", ["data/in/customers.csv", "data/in/x/Customers.CSV", "data/in/ customers.csv "]
)
def test_exact_names_match_trimmed_and_case_folded_on_the_last_segment(account, invoke, key):
    result = invoke(account.land(key))

    assert account.execution_input(result["execution"])["glue_jobs"][0]["job_id"] == "JOB001"


@pytest.mark.parametrize("name", ["customer.csv", "customers.csv.bak", "old_customers.csv"])
def test_other_names_do_not_match_an_exact_job(name):
    assert compile_matcher("exact", "customers.csv", None).match(name) is None


def test_a_glob_job_matches_names_of_its_pattern_only(account, invoke):
    account.put_config(
        [dict(CONFIG[0], job_id="RET", source_file_name="returns.csv", match="glob", pattern="returns_*.csv")]
    )

    assert invoke(account.land("data/in/Returns_2026_11.csv"))["status"] == "triggered"
    assert invoke(account.land("data/in/returns.csv"))["status"] == "not_configured"


def test_a_template_captures_its_tokens_into_the_execution_input(account, invoke):
    result = invoke(account.land("data/in/sales_20261128.csv"))

    (job,) = account.execution_input(result["execution"])["glue_jobs"]
    assert (job["job_id"], job["tokens"]) == ("JOB004", {"date": "2026-11-28"})


def test_a_template_token_that_is_no_real_date_does_not_match(account, invoke):
    assert invoke(account.land("data/in/sales_20261399.csv"))["status"] == "not_configured"


@pytest.mark.parametrize(
    ("pattern", "name", "tokens"),
    [
        (
            "{region}_sales_{date:%Y-%m-%d}.csv",
            "EU_sales_2026-11-28.csv",
            {"region": "eu", "date": "2026-11-28"},
        ),
        ("sales_{at:%Y%m%d%H%M}.parquet", "sales_202611281530.parquet", {"at": "2026-11-28T15:30:00"}),
        ("sales_{date:%Y%m%d}.csv", "sales_2026112.csv", None),
    ],
)
def test_template_tokens(pattern, name, tokens):
    assert compile_matcher("template", "x.csv", pattern).match(name) == tokens


def test_the_load_format_comes_from_the_file_extension(account, invoke):
    account.put_config([CONFIG[0], dict(CONFIG[0], job_id="PQ", source_file_name="customers.parquet")])
    csv = invoke(account.land("data/in/customers.csv"))
    parquet = invoke(account.land("data/in/customers.parquet"))

    assert account.execution_input(csv["execution"])["glue_jobs"][0]["format"] == "csv"
    assert account.execution_input(parquet["execution"])["glue_jobs"][0]["format"] == "parquet"
