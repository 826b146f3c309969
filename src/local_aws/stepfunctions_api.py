"""Step Functions API behaviour moto 5.2 lacks, supplied as AWS behaves.

The AWS provider (5.100.0) calls ValidateStateMachineDefinition before creating or updating an
aws_sfn_state_machine and ListStateMachineVersions when reading one. moto answers both with
"not implemented", which the provider treats as retryable: with its default retries a plan or apply
against moto appears to hang for more than 12 minutes.

In execution mode moto names an execution started without a name "None" (parser/models.py,
StepFunctionsParserBackend.start_execution), so a second unnamed start with the same input returns
the first execution and one with another input fails with ExecutionAlreadyExists. AWS names each
one with a fresh UUID.
"""

import json
import uuid
from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import method_names_from_class
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.models import StepFunctionsParserBackend
from moto.stepfunctions.responses import StepFunctionResponse

# What moto itself serves, taken before install() adds to it: a test notices when moto starts to
# implement a bridged call, so the bridge can go.
MOTO_STEPFUNCTIONS_ACTIONS = frozenset(method_names_from_class(StepFunctionResponse))
_moto_start_execution = StepFunctionsParserBackend.start_execution


def definition_diagnostics(definition: str | None) -> list[dict[str, str]]:
    """ERROR diagnostics for a definition, with the codes AWS documents; empty when it is valid."""
    if not definition or not definition.strip():
        return [_error("MISSING_DESCRIPTION", "The definition is empty.")]
    try:
        document = json.loads(definition)
    except json.JSONDecodeError as error:
        return [_error("INVALID_JSON_DESCRIPTION", f"The definition is not valid JSON: {error}.")]
    if not isinstance(document, dict):
        return [_error("SCHEMA_VALIDATION_FAILED", "The definition must be a JSON object.")]
    diagnostics = _graph_diagnostics(document, location="")
    if diagnostics:
        return diagnostics
    # moto's own ASL parser is the same one its interpreter runs, so a definition it rejects could
    # be deployed but never executed here.
    try:
        AmazonStateLanguageParser.parse(definition)
    except Exception as error:  # the parser raises assorted exception types for bad input
        return [_error("SCHEMA_VALIDATION_FAILED", f"{type(error).__name__}: {error}")]
    return []


def _graph_diagnostics(machine: dict[str, Any], location: str) -> list[dict[str, str]]:
    states = machine.get("States")
    start_at = machine.get("StartAt")
    if not isinstance(states, dict) or not states:
        return [_error("SCHEMA_VALIDATION_FAILED", "States must be a non-empty object.", location or "/")]
    if not isinstance(start_at, str):
        return [_error("SCHEMA_VALIDATION_FAILED", "StartAt must name a state.", location or "/")]
    diagnostics = []
    if start_at not in states:
        diagnostics.append(
            _error(
                "MISSING_TRANSITION_TARGET", f"StartAt '{start_at}' is not a state.", f"{location}/StartAt"
            )
        )
    for name, state in states.items():
        state_location = f"{location}/States/{name}"
        if not isinstance(state, dict):
            diagnostics.append(
                _error("SCHEMA_VALIDATION_FAILED", "A state must be an object.", state_location)
            )
            continue
        for field, target in _transitions(state):
            if target not in states:
                diagnostics.append(
                    _error(
                        "MISSING_TRANSITION_TARGET",
                        f"{field} '{target}' is not a state.",
                        f"{state_location}/{field}",
                    )
                )
        for sub_location, sub_machine in _nested_machines(state):
            diagnostics.extend(_graph_diagnostics(sub_machine, f"{state_location}/{sub_location}"))
    return diagnostics


def _transitions(state: dict[str, Any]) -> list[tuple[str, str]]:
    targets = []
    if "Next" in state:
        targets.append(("Next", state["Next"]))
    if "Default" in state:
        targets.append(("Default", state["Default"]))
    for index, choice in enumerate(state.get("Choices", [])):
        if "Next" in choice:
            targets.append((f"Choices/{index}/Next", choice["Next"]))
    for index, catcher in enumerate(state.get("Catch", [])):
        if "Next" in catcher:
            targets.append((f"Catch/{index}/Next", catcher["Next"]))
    return targets


def _nested_machines(state: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    if state.get("Type") == "Parallel":
        return [(f"Branches/{index}", branch) for index, branch in enumerate(state.get("Branches", []))]
    if state.get("Type") == "Map":
        return [(field, state[field]) for field in ("ItemProcessor", "Iterator") if field in state]
    return []


def _error(code: str, message: str, location: str | None = None) -> dict[str, str]:
    diagnostic = {"severity": "ERROR", "code": code, "message": message}
    if location:
        diagnostic["location"] = location
    return diagnostic


def validate_state_machine_definition(self: StepFunctionResponse) -> ActionResult:
    diagnostics = definition_diagnostics(self._get_param("definition"))
    return ActionResult(
        {"result": "FAIL" if diagnostics else "OK", "diagnostics": diagnostics, "truncated": False}
    )


def list_state_machine_versions(self: StepFunctionResponse) -> ActionResult:
    state_machine = self.stepfunction_backend.describe_state_machine(self._get_param("stateMachineArn"))
    newest_first = sorted(state_machine.versions.values(), key=lambda version: version.version, reverse=True)
    return ActionResult(
        {
            "stateMachineVersions": [
                {"stateMachineVersionArn": version.arn, "creationDate": version.creation_date}
                for version in newest_first
            ]
        }
    )


def start_execution(
    self: StepFunctionsParserBackend, state_machine_arn: str, name: str | None = None, *args: Any
) -> Any:
    return _moto_start_execution(self, state_machine_arn, name or str(uuid.uuid4()), *args)


def install() -> None:
    # moto dispatches each action to the response method of the same name in snake case.
    StepFunctionResponse.validate_state_machine_definition = validate_state_machine_definition
    StepFunctionResponse.list_state_machine_versions = list_state_machine_versions
    StepFunctionsParserBackend.start_execution = start_execution
