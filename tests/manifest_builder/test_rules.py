"""The pure rules: validation, date partitioning and batch cutting."""

from datetime import UTC, datetime

import pytest
from manifest_builder.batching import BatchPolicy, PendingFile
from manifest_builder.config import Config
from manifest_builder.events import ObjectCreated
from manifest_builder.partitioning import date_prefix_for, is_past
from manifest_builder.validation import rejection_reason

CONFIG = Config(tracking_table="t", manifest_bucket="m", max_file_size_bytes=1000)
NOW = datetime(2024, 3, 10, 23, 59, tzinfo=UTC)


def obj(key: str, size: int = 10) -> ObjectCreated:
    return ObjectCreated("input", key, size, "etag")


def test_the_extension_check_ignores_case():
    assert rejection_reason(obj("in/EVENTS.NDJSON"), CONFIG) is None


def test_a_file_with_another_extension_is_rejected_with_the_expected_one():
    assert (
        rejection_reason(obj("in/events.csv"), CONFIG)
        == "invalid_extension: the name does not end with .ndjson"
    )


def test_a_zero_byte_file_is_too_small_by_default():
    assert rejection_reason(obj("in/a.ndjson", size=0), CONFIG).startswith("too_small")


def test_a_name_whose_date_does_not_exist_is_an_invalid_date():
    assert (
        rejection_reason(obj("in/events-2025-02-30.ndjson"), CONFIG)
        == "invalid_date: 2025-02-30 in the name is not a calendar date"
    )


def test_a_name_with_a_real_date_beside_an_impossible_one_is_valid():
    assert rejection_reason(obj("in/events-2025-02-28-batch-9999-99-99.ndjson"), CONFIG) is None


def test_a_file_above_the_maximum_size_is_too_large():
    assert rejection_reason(obj("in/a.ndjson", size=1001), CONFIG).startswith("too_large")


def test_the_date_in_the_file_name_wins_over_one_in_the_path():
    assert date_prefix_for("dt=2024-01-01/events-2024-02-02.ndjson", NOW) == ("2024-02-02", True)


def test_the_date_in_the_path_is_used_when_the_name_has_none():
    assert date_prefix_for("2024/dt=2024-01-01/events.ndjson", NOW) == ("2024-01-01", True)


def test_an_impossible_date_is_not_a_date():
    assert date_prefix_for("in/events-2024-13-45.ndjson", NOW) == ("2024-03-10", False)


def test_a_key_without_a_date_goes_to_the_current_utc_date():
    assert date_prefix_for("in/events.ndjson", NOW) == ("2024-03-10", False)


def test_only_dates_before_today_are_past():
    assert is_past("2024-03-09", NOW)
    assert not is_past("2024-03-10", NOW)


POLICY = BatchPolicy(max_files=3, max_bytes=100, min_files_for_partial=2)


def files(*sizes: int) -> list[PendingFile]:
    return [PendingFile(f"s3://input/{n}.ndjson", size) for n, size in enumerate(sizes)]


def test_a_batch_is_cut_when_the_file_limit_is_reached():
    assert POLICY.select(files(1, 1, 1, 1), partial_allowed=False) == files(1, 1, 1)


def test_a_batch_stops_before_the_file_that_would_pass_the_byte_limit():
    assert POLICY.select(files(60, 30, 20), partial_allowed=False) == files(60, 30)


def test_a_single_file_above_the_byte_limit_forms_its_own_batch():
    assert POLICY.select(files(150, 10), partial_allowed=False) == files(150)


def test_a_partial_batch_waits_in_normal_mode():
    assert POLICY.select(files(1, 1), partial_allowed=False) == []


def test_the_orphan_flush_sends_a_partial_batch_of_at_least_the_minimum():
    assert POLICY.select(files(1, 1), partial_allowed=True) == files(1, 1)
    assert POLICY.select(files(1), partial_allowed=True) == []


@pytest.mark.parametrize(
    "count, size, partial, due",
    [
        (3, 0, False, True),
        (2, 100, False, True),
        (2, 99, False, False),
        (2, 0, True, True),
        (1, 0, True, False),
    ],
)
def test_counters_make_a_partition_due_by_files_bytes_or_orphan_minimum(count, size, partial, due):
    assert POLICY.is_due(count, size, partial) is due
