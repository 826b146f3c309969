"""EventBridge's pattern matching and target input, as the live platform applies them (in process)."""

import json

import pytest

from local_aws.delivery.events import json_path, matches, target_input

RULE_ARN = "arn:aws:events:us-east-1:123456789012:rule/file-router"

OBJECT_CREATED = {
    "version": "0",
    "id": "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "Object Created",
    "source": "aws.s3",
    "account": "123456789012",
    "time": "2026-11-30T10:00:00Z",
    "region": "us-east-1",
    "resources": ["arn:aws:s3:::landing"],
    "detail": {
        "version": "0",
        "bucket": {"name": "landing"},
        "object": {"key": "data/in/orders.csv", "size": 1200, "etag": "abc"},
        "reason": "PutObject",
        "tags": [{"name": "team", "value": "sales"}, {"name": "tier", "value": "gold"}],
    },
}


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"source": ["aws.s3"], "detail": {"object": {"key": [{"prefix": "data/in/"}]}}}, True),
        ({"source": ["aws.s3"], "detail": {"object": {"key": [{"prefix": "data/out/"}]}}}, False),
        ({"detail-type": ["Object Created", "Object Deleted"]}, True),
        ({"detail": {"object": {"key": [{"suffix": ".csv"}]}}}, True),
        ({"detail": {"object": {"size": [{"numeric": [">", 1000, "<=", 2000]}]}}}, True),
        ({"detail": {"object": {"size": [{"numeric": [">", 2000]}]}}}, False),
        ({"detail": {"reason": [{"anything-but": ["CopyObject"]}]}}, True),
        ({"detail": {"object": {"version-id": [{"exists": False}]}}}, True),
        ({"detail": {"object": {"etag": [{"exists": False}]}}}, False),
        ({"resources": ["arn:aws:s3:::landing"]}, True),
        ({"$or": [{"source": ["aws.glue"]}, {"detail": {"bucket": {"name": ["landing"]}}}]}, True),
        ({"detail": {"tags": {"value": ["gold"]}}}, True),
        ({"detail": {"tags": {"value": ["bronze"]}}}, False),
        ({"source": ["aws.s3"], "detail": {"missing": ["anything"]}}, False),
    ],
    ids=[
        "prefix",
        "other-prefix",
        "one-of-values",
        "suffix",
        "numeric-range",
        "numeric-out-of-range",
        "anything-but",
        "exists-false-on-absent",
        "exists-false-on-present",
        "array-field",
        "or",
        "array-of-objects",
        "array-of-objects-no-match",
        "absent-field",
    ],
)
def test_an_event_pattern_matches_as_eventbridge_matches(pattern, expected):
    assert matches(pattern, OBJECT_CREATED) is expected


def test_a_target_without_input_settings_receives_the_whole_event():
    assert json.loads(target_input({"Arn": "arn"}, OBJECT_CREATED, RULE_ARN, "file-router")) == OBJECT_CREATED


def test_a_target_input_is_sent_as_configured_instead_of_the_event():
    target = {"Arn": "arn", "Input": '{"sweep": true}'}

    assert target_input(target, OBJECT_CREATED, RULE_ARN, "file-router") == '{"sweep": true}'


def test_a_target_input_path_sends_the_part_of_the_event_it_selects():
    target = {"Arn": "arn", "InputPath": "$.detail.object"}

    assert json.loads(target_input(target, OBJECT_CREATED, RULE_ARN, "file-router")) == {
        "key": "data/in/orders.csv",
        "size": 1200,
        "etag": "abc",
    }


def test_an_input_transformer_puts_text_inside_quotes_and_json_outside():
    target = {
        "Arn": "arn",
        "InputTransformer": {
            "InputPathsMap": {
                "key": "$.detail.object.key",
                "size": "$.detail.object.size",
                "tag": "$.detail.tags[1]",
            },
            "InputTemplate": '{"file": "s3://landing/<key>", "bytes": <size>, "tag": <tag>, '
            '"rule": "<aws.events.rule-name>"}',
        },
    }

    assert json.loads(target_input(target, OBJECT_CREATED, RULE_ARN, "file-router")) == {
        "file": "s3://landing/data/in/orders.csv",
        "bytes": 1200,
        "tag": {"name": "tier", "value": "gold"},
        "rule": "file-router",
    }


def test_an_input_transformer_gives_a_text_template_its_values_as_text():
    target = {
        "Arn": "arn",
        "InputTransformer": {
            "InputPathsMap": {"key": "$.detail.object.key"},
            "InputTemplate": '"New file <key>"',
        },
    }

    assert target_input(target, OBJECT_CREATED, RULE_ARN, "file-router") == '"New file data/in/orders.csv"'


def test_an_input_transformer_writes_null_for_a_path_the_event_does_not_hold():
    target = {
        "Arn": "arn",
        "InputTransformer": {
            "InputPathsMap": {"run": "$.detail.jobRunId"},
            "InputTemplate": '{"run": <run>}',
        },
    }

    assert json.loads(target_input(target, OBJECT_CREATED, RULE_ARN, "file-router")) == {"run": None}


def test_an_input_transformer_escapes_quotes_of_a_value_written_inside_quotes():
    event = {**OBJECT_CREATED, "detail": {"message": 'job "x" failed'}}
    target = {
        "Arn": "arn",
        "InputTransformer": {"InputPathsMap": {"m": "$.detail.message"}, "InputTemplate": '{"alert": "<m>"}'},
    }

    assert json.loads(target_input(target, event, RULE_ARN, "alerts")) == {"alert": 'job "x" failed'}


def test_a_json_path_outside_eventbridge_s_subset_is_refused():
    with pytest.raises(ValueError, match="unsupported JSONPath"):
        json_path(OBJECT_CREATED, "$.detail..key")
