"""Executions are named from the object's identity: one upload, one name; a new upload, a new one."""

import re

import pytest
from file_router.events import LandedObject
from file_router.identity import execution_name, run_id

VALID_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


def landed(key="data/in/customers.csv", etag="e1", sequencer="0055AED6DCD90281E5", version_id=""):
    return LandedObject("landing", key, 10, etag, sequencer, version_id)


def test_the_name_is_the_same_for_every_delivery_of_one_upload():
    assert execution_name(landed()) == execution_name(landed())


@pytest.mark.parametrize(
    "other",
    [
        landed(sequencer="0055AED6DCD90281E6"),
        landed(etag="e2"),
        landed(key="data/in/x/customers.csv"),
        landed(version_id="v2"),
    ],
)
def test_another_upload_or_key_gets_another_name(other):
    assert execution_name(other) != execution_name(landed())


@pytest.mark.parametrize(
    "key",
    [
        "data/in/customers.csv",
        "data/in/Customer Data (2024).csv",
        "data/in/" + "very_long_file_name_" * 10 + ".csv",
        "data/in/données clients ✓.csv",
        "data/in/....csv",
        "data/in/***",
    ],
)
def test_the_name_is_at_most_80_characters_step_functions_accepts(key):
    name = execution_name(landed(key=key))

    assert VALID_NAME.fullmatch(name), name
    assert name.startswith(re.sub(r"[^A-Za-z0-9_-]+", "-", key.rsplit("/", 1)[1]).strip("-")[:8])


def test_run_ids_are_per_object_and_job():
    assert run_id(landed(), "JOB001") == run_id(landed(), "JOB001")
    assert run_id(landed(), "JOB001") != run_id(landed(), "JOB002")
    assert run_id(landed(), "JOB001") != run_id(landed(sequencer="1"), "JOB001")
