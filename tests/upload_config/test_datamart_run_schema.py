"""A datamart run request: a bundle and a date, or a bundle and its sources."""

import pytest
from platform_common.config_validation import violations


def messages(payload) -> list[str]:
    return [str(v) for v in violations("datamart_run", payload)]


@pytest.mark.parametrize(
    "payload",
    [
        {"bundle": "EDV", "run_date": "2026-11-28"},
        {"bundle": "CAR_DM", "sources": ["s3://landing-bucket/in/a.parquet"], "requested_by": "ci/nightly"},
    ],
)
def test_a_bundle_with_a_date_or_with_sources_is_valid(payload):
    assert messages(payload) == []


@pytest.mark.parametrize(
    "payload",
    [{"bundle": "EDV"}, {"bundle": "EDV", "run_date": "2026-11-28", "sources": ["s3://landing-bucket/a"]}],
)
def test_exactly_one_of_run_date_and_sources_is_required(payload):
    assert messages(payload) == [
        "$: a run request names either run_date or sources, not both and not neither"
    ]


@pytest.mark.parametrize("run_date", ["2026-02-30", "28/11/2026", "2026-1-5", "20261128"])
def test_run_date_is_a_real_calendar_date(run_date):
    found = violations("datamart_run", {"bundle": "EDV", "run_date": run_date})

    assert {v.path for v in found} == {"$.run_date"}


def test_every_violation_is_listed():
    assert messages({"bundle": "E DV", "sources": ["https://x/y", "s3://landing-bucket/a"], "extra": 1}) == [
        "$: Additional properties are not allowed ('extra' was unexpected)",
        "$.bundle: 'E DV' does not match '^[A-Za-z][A-Za-z0-9_-]{0,63}$'",
        "$.sources[0]: 'https://x/y' does not match '^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^\\\\s].*$'",
    ]
