"""The Lambda entry point: a thin adapter over the request, the settings and the run."""

import io
import json

import pytest
from download_zip import handler
from download_zip.request import InvalidRequest
from download_zip.service import OutOfTime
from platform_common.settings import ConfigError

from .conftest import event, keys, members, put, read_zip


@pytest.fixture
def fresh_runtime():
    handler._runtime.cache_clear()
    yield
    handler._runtime.cache_clear()


def test_the_handler_zips_the_prefix_and_returns_the_result(s3, fresh_runtime, lambda_context):
    put(s3, {"data/a.csv": b"a"})

    result = handler.lambda_handler(event(), lambda_context())

    assert (result["destination"], result["files"]) == ("s3://zip-destination/out/data.zip", 1)
    assert members(read_zip(s3)) == {"a.csv": b"a"}


def test_a_bad_event_raises_invalid_request_naming_the_field(s3, fresh_runtime, lambda_context):
    with pytest.raises(InvalidRequest, match="destination_key is required"):
        handler.lambda_handler({k: v for k, v in event().items() if k != "destination_key"}, lambda_context())

    assert keys(s3) == []


def test_a_run_that_would_outlast_the_invocation_stops_in_time_and_leaves_nothing(
    s3, fresh_runtime, lambda_context
):
    put(s3, {"data/a.csv": b"a"})

    with pytest.raises(OutOfTime, match="0 of 1 objects archived.*CLI"):
        handler.lambda_handler(event(), lambda_context(remaining_seconds=handler.SAFETY_SECONDS - 1))

    assert keys(s3) == []
    assert s3.list_multipart_uploads(Bucket="zip-destination").get("Uploads", []) == []


def test_a_bad_variable_fails_with_its_name(s3, fresh_runtime, monkeypatch, lambda_context):
    monkeypatch.setenv("PART_SIZE_MIB", "4")

    with pytest.raises(ConfigError, match="PART_SIZE_MIB must be between 5 and 5120: 4"):
        handler.lambda_handler(event(), lambda_context())


def test_the_handler_logs_json_lines_of_the_utilities_pipeline(
    s3, fresh_runtime, monkeypatch, lambda_context
):
    put(s3, {"data/a.csv": b"a"})
    stream = io.StringIO()
    monkeypatch.setattr(handler.logger.registered_handler, "stream", stream)

    handler.lambda_handler(event(), lambda_context())

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(line["pipeline"], line["event"]) for line in lines] == [
        ("utilities", "zip_started"),
        ("utilities", "zip_finished"),
    ]
    assert lines[1]["files"] == 1
