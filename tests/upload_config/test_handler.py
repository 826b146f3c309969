"""The Lambda entry point: a thin adapter; refusals raise for Lambda to report."""

import io
import json

import pytest
from upload_config import handler
from upload_config.request import InvalidConfig, InvalidRequest

from .conftest import ROUTER_CONFIG, RUN_FOR_DATE, keys


@pytest.fixture
def fresh_runtime():
    handler._runtime.cache_clear()
    yield
    handler._runtime.cache_clear()


@pytest.fixture
def log_stream(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(handler.logger.registered_handler, "stream", stream)
    return stream


def test_the_handler_uploads_and_logs_a_json_line(s3, fresh_runtime, log_stream, lambda_context):
    result = handler.lambda_handler({"kind": "datamart_run", "payload": RUN_FOR_DATE}, lambda_context())

    assert result["destination"] == "s3://platform-config/config/runs/EDV-2026-11-28.json"
    (line,) = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    assert (line["pipeline"], line["event"], line["version_id"]) == (
        "utilities",
        "config_uploaded",
        result["version_id"],
    )


def test_an_invalid_payload_raises_with_every_violation_and_logs_them(
    s3, fresh_runtime, log_stream, lambda_context
):
    with pytest.raises(InvalidConfig, match="2 violation"):
        handler.lambda_handler(
            {"kind": "router_config", "payload": [dict(ROUTER_CONFIG[0], job_id=1), "job"]}, lambda_context()
        )

    (line,) = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    assert (line["event"], len(line["violations"])) == ("config_refused", 2)
    assert keys(s3) == []


def test_a_bad_event_raises_naming_the_field(s3, fresh_runtime, lambda_context):
    with pytest.raises(InvalidRequest, match="kind must be one of"):
        handler.lambda_handler({"payload": RUN_FOR_DATE}, lambda_context())
