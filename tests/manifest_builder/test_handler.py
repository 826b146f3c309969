"""The Lambda entry point: configuration and clients built once, both triggers dispatched, JSON logs and
EMF metrics out."""

import io
import json
import logging

import pytest
from manifest_builder import handler
from manifest_builder.config import ConfigError


@pytest.fixture
def lambda_env(stack, monkeypatch):
    """The function's environment; afterwards its cached builder and the package loggers' state are undone."""
    for name, value in stack.env().items():
        monkeypatch.setenv(name, value)
    package_loggers = [logging.getLogger(name) for name in ("manifest_builder", "platform_common")]
    saved = [(logger, logger.handlers[:], logger.propagate, logger.level) for logger in package_loggers]
    handler._builder.cache_clear()
    yield
    handler._builder.cache_clear()
    for logger, handlers, propagate, level in saved:
        logger.handlers, logger.propagate, logger.level = handlers, propagate, level


@pytest.fixture
def log_lines(lambda_env):
    """Reads what the function logged, each line parsed as JSON."""
    stream = io.StringIO()
    original = handler.telemetry.logger.registered_handler.setStream(stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    handler.telemetry.logger.registered_handler.setStream(original)


def emf_documents(printed: str) -> list[dict]:
    """The Embedded Metric Format documents among printed lines."""
    documents = (json.loads(line) for line in printed.splitlines() if line.startswith("{"))
    return [document for document in documents if "_aws" in document]


def test_the_handler_returns_the_partial_batch_response_for_an_sqs_event(
    stack, events, lambda_env, lambda_context
):
    context = lambda_context()
    bad = events.record("not an event")

    response = handler.lambda_handler(events.batch(stack.upload("in/e-2024-03-10.ndjson"), bad), context)

    assert response == {"batchItemFailures": [{"itemIdentifier": bad["messageId"]}]}


def test_configuration_and_clients_are_built_once_per_container(
    stack, events, lambda_env, monkeypatch, lambda_context
):
    context = lambda_context()
    handler.lambda_handler(events.batch(), context)
    first = handler._builder()
    monkeypatch.setenv("MAX_FILES_PER_MANIFEST", "not read again")

    handler.lambda_handler(events.batch(), context)

    assert handler._builder() is first


def test_a_scheduled_event_runs_the_sweep(stack, events, lambda_env, lambda_context):
    context = lambda_context()
    assert handler.lambda_handler(events.schedule(), context) == {"swept_dates": [], "manifest_ids": []}


def test_the_reconciliation_schedules_input_runs_the_reconciliation(
    stack, lambda_env, lambda_context, monkeypatch
):
    monkeypatch.setenv("INPUT_BUCKET", stack.input_bucket)
    stack.clients.s3.put_object(Bucket=stack.input_bucket, Key=f"in/lost-{stack.today}.ndjson", Body=b"{}\n")

    result = handler.lambda_handler({"action": "reconcile"}, lambda_context())

    assert result == {"listed": 1, "unseen": 1, "registered": 1, "pass_complete": True}


def test_a_bad_variable_fails_the_cold_start_with_its_name(
    stack, events, lambda_env, monkeypatch, lambda_context
):
    context = lambda_context()
    monkeypatch.setenv("LOCK_TTL_SECONDS", "forever")

    with pytest.raises(ConfigError, match="LOCK_TTL_SECONDS"):
        handler.lambda_handler(events.batch(), context)


def test_a_failing_notices_topic_does_not_fail_the_quarantine(stack):
    missing_topic = stack.topic_arn + "-deleted"

    result = stack.builder(SNS_TOPIC_ARN=missing_topic).handle_sqs_batch(
        [stack.upload("in/r-2024-03-10.csv")]
    )

    assert result == {"batchItemFailures": []}
    (item,) = stack.files(stack.today).values()
    assert item["status"] == "quarantined"


def test_each_log_line_is_one_json_object_with_the_pipeline_event_and_ids(
    stack, events, log_lines, lambda_context
):
    context = lambda_context()
    handler.lambda_handler(events.batch(stack.upload("in/r-2024-03-10.csv")), context)

    (quarantined,) = [line for line in log_lines() if line.get("event") == "file_quarantined"]
    assert quarantined["pipeline"] == "intake"
    assert quarantined["level"] == "WARNING"
    assert quarantined["date_prefix"] == "2024-03-10"
    assert quarantined["file_key"] == f"s3://{stack.input_bucket}/in/r-2024-03-10.csv"
    assert quarantined["function_request_id"] == context.aws_request_id


def test_the_invocation_counts_are_printed_as_embedded_metrics(
    stack, events, lambda_env, capsys, lambda_context
):
    context = lambda_context()
    handler.lambda_handler(
        events.batch(stack.upload("in/a-2024-03-10.ndjson"), stack.upload("in/b-2024-03-10.csv")), context
    )

    (document,) = emf_documents(capsys.readouterr().out)
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "intake"
    assert directive["Dimensions"] == [["pipeline", "function"]]
    assert (document["pipeline"], document["function"]) == ("intake", "manifest_builder")
    counts = {name: sum(document[name]) for name in ("FilesTracked", "FilesQuarantined", "MessagesFailed")}
    assert counts == {"FilesTracked": 1, "FilesQuarantined": 1, "MessagesFailed": 0}
