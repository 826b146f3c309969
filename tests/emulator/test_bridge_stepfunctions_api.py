"""ValidateStateMachineDefinition and ListStateMachineVersions, which moto 5.2 lacks, answer like AWS."""

import json

import pytest

from local_aws.bridges import stepfunctions

pytestmark = pytest.mark.emulator

ROLE_ARN = "arn:aws:iam::123456789012:role/state-machine"


def _definition(states: dict, start_at: str = "First") -> str:
    return json.dumps({"StartAt": start_at, "States": states})


def _validate(local_aws, definition: str) -> dict:
    return local_aws.client("stepfunctions").validate_state_machine_definition(definition=definition)


def test_moto_itself_still_lacks_both_calls():
    assert "validate_state_machine_definition" not in stepfunctions.MOTO_STEPFUNCTIONS_ACTIONS
    assert "list_state_machine_versions" not in stepfunctions.MOTO_STEPFUNCTIONS_ACTIONS
    assert "create_state_machine" in stepfunctions.MOTO_STEPFUNCTIONS_ACTIONS


def test_validate_accepts_a_valid_definition(local_aws):
    response = _validate(local_aws, _definition({"First": {"Type": "Pass", "End": True}}))

    assert (response["result"], response["diagnostics"]) == ("OK", [])


def test_validate_fails_a_definition_that_is_not_json(local_aws):
    response = _validate(local_aws, '{"StartAt": "First",')

    assert response["result"] == "FAIL"
    assert [diagnostic["code"] for diagnostic in response["diagnostics"]] == ["INVALID_JSON_DESCRIPTION"]


def test_validate_fails_a_definition_without_states(local_aws):
    response = _validate(local_aws, json.dumps({"StartAt": "First"}))

    assert response["result"] == "FAIL"
    assert response["diagnostics"][0]["code"] == "SCHEMA_VALIDATION_FAILED"
    assert "States" in response["diagnostics"][0]["message"]


def test_validate_fails_a_definition_without_start_at(local_aws):
    response = _validate(local_aws, json.dumps({"States": {"First": {"Type": "Pass", "End": True}}}))

    assert response["result"] == "FAIL"
    assert "StartAt" in response["diagnostics"][0]["message"]


def test_validate_fails_a_catch_that_targets_a_missing_state(local_aws):
    definition = _definition(
        {
            "First": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:alerts", "Message": "m"},
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "MarkFailed"}],
                "End": True,
            }
        }
    )

    response = _validate(local_aws, definition)

    assert response["result"] == "FAIL"
    assert response["diagnostics"] == [
        {
            "severity": "ERROR",
            "code": "MISSING_TRANSITION_TARGET",
            "message": "Catch/0/Next 'MarkFailed' is not a state.",
            "location": "/States/First/Catch/0/Next",
        }
    ]


def test_validate_fails_a_state_type_the_interpreter_cannot_parse(local_aws):
    response = _validate(local_aws, _definition({"First": {"Type": "Pause", "End": True}}))

    assert response["result"] == "FAIL"
    assert response["diagnostics"][0]["code"] == "SCHEMA_VALIDATION_FAILED"
    assert "Pause" in response["diagnostics"][0]["message"]


def test_list_versions_of_an_unpublished_state_machine_is_empty(local_aws):
    sfn = local_aws.client("stepfunctions")
    arn = sfn.create_state_machine(
        name="unpublished-machine",
        definition=_definition({"First": {"Type": "Pass", "End": True}}),
        roleArn=ROLE_ARN,
    )["stateMachineArn"]

    assert sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"] == []


def test_list_versions_returns_published_versions_newest_first(local_aws):
    sfn = local_aws.client("stepfunctions")
    arn = sfn.create_state_machine(
        name="published-machine",
        definition=_definition({"First": {"Type": "Pass", "End": True}}),
        roleArn=ROLE_ARN,
        publish=True,
    )["stateMachineArn"]
    sfn.update_state_machine(
        stateMachineArn=arn, definition=_definition({"First": {"Type": "Succeed"}}), publish=True
    )

    versions = sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]

    assert [version["stateMachineVersionArn"] for version in versions] == [f"{arn}:2", f"{arn}:1"]


def test_executions_started_without_a_name_get_distinct_uuid_names(local_aws, unique_name):
    sfn = local_aws.client("stepfunctions")
    arn = sfn.create_state_machine(
        name=unique_name,
        definition=_definition({"First": {"Type": "Pass", "End": True}}),
        roleArn=ROLE_ARN,
    )["stateMachineArn"]

    first = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    second = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]

    assert first != second
    assert len(first.rsplit(":", 1)[1]) == 36


def test_validate_fails_a_state_that_is_not_an_object(local_aws):
    response = _validate(local_aws, _definition({"First": "Pass"}))

    assert response["result"] == "FAIL"
    assert response["diagnostics"][0]["location"] == "/States/First"
