"""Step Functions: the API calls and the Glue task integration moto 5.2 lacks, supplied as AWS behaves.

The AWS provider (5.100.0) calls ValidateStateMachineDefinition before creating or updating an
aws_sfn_state_machine and ListStateMachineVersions when reading one. moto answers both with
"not implemented", which the provider treats as retryable: with its default retries a plan or apply
against moto appears to hang for more than 12 minutes.

In execution mode moto names an execution started without a name "None" (parser/models.py,
StepFunctionsParserBackend.start_execution), so a second unnamed start with the same input returns
the first execution and one with another input fails with ExecutionAlreadyExists. AWS names each
one with a fresh UUID.

Glue `.sync` tasks: moto 5.2's StateTaskServiceCallback._eval_integration_pattern
(parser/asl/component/state/exec/state_task/service/state_task_service_callback.py) looks up a
task-token callback endpoint only for services that support `.waitForTaskToken`, which Glue does not,
so the endpoint stays None;
its `finally:` block then calls `callback_endpoint.interrupt_all()` unconditionally. Every Glue
`.sync` task therefore dies with "'NoneType' object has no attribute 'interrupt_all'" (an
AttributeError the state machine sees as States.Runtime), whatever the job run did.

The replacement keeps moto's own polling (`_sync_to_start_job_run` polls GetJobRun every 0.5 s
until the run is terminal; FAILED, ERROR and TIMEOUT fail the task with States.TaskFailed and the
job run as the cause, as AWS does) and only leaves out the callback endpoint Glue never has.
HeartbeatSeconds is not enforced on these tasks; TimeoutSeconds is, by the state itself.

moto also hands the GetJobRun response to the state as boto3 parsed it, with datetime values that
the execution's output cannot be serialised with (DescribeExecution then answers HTTP 500). AWS
gives these timestamps as epoch milliseconds, and so does the bridge.

Nested executions (`states:startExecution`, `.sync`, `.sync:2`): moto 5.2 passes the state's parameters
to boto3 as written (StateMachineArn, Input, Name), but its base class's `_normalise_parameters`
(parser/asl/component/state/exec/state_task/service/state_task_service.py) does nothing, so they never
become the Step Functions API's camelCase members (stateMachineArn, input, name): botocore's serialiser
fails with KeyError 'StateMachineArn' and every such task with States.Runtime. Its `_normalise_response`
does nothing either, so the responses keep boto3's member names (executionArn) where the task reads AWS's
(ExecutionArn: KeyError again), and DescribeExecution's dates stay datetimes. The bridge maps the
parameters onto the API's input shape and the responses onto the names AWS gives the state (ExecutionArn,
Output, Status, ...), with dates as epoch milliseconds.

Step Functions sends `Step Functions Execution Status Change` to EventBridge when an execution of a standard
workflow ends; moto's interpreter sends nothing. Here each such execution that ends (SUCCEEDED, FAILED,
TIMED_OUT, ABORTED) puts the event on the default bus (bridges/events.py), detail as AWS shapes it:
executionArn, stateMachineArn, name, status, startDate and stopDate in epoch milliseconds, input and output
as JSON text, error and cause.
"""

import functools
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import botocore.session
from moto.core.responses import ActionResult
from moto.core.utils import method_names_from_class
from moto.stepfunctions.parser.api import StateMachineType
from moto.stepfunctions.parser.asl.component.state.exec.state_task.credentials import StateCredentials
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import (
    ResourceCondition,
    ResourceRuntimePart,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_glue import (
    StateTaskServiceGlue,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sfn import (
    StateTaskServiceSfn,
)
from moto.stepfunctions.parser.asl.eval.environment import Environment
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication
from moto.stepfunctions.parser.models import StepFunctionsParserBackend
from moto.stepfunctions.responses import StepFunctionResponse

from local_aws.bridges import events

# What moto itself serves, taken before install() adds to it: a test notices when moto starts to
# implement a bridged call, so the bridge can go.
MOTO_STEPFUNCTIONS_ACTIONS = frozenset(method_names_from_class(StepFunctionResponse))
_moto_start_execution = StepFunctionsParserBackend.start_execution
_moto_terminated = BaseExecutionWorkerCommunication.terminated


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


_moto_eval_integration_pattern = StateTaskServiceGlue._eval_integration_pattern


def _eval_integration_pattern(
    self: StateTaskServiceGlue,
    env: Environment,
    resource_runtime_part: ResourceRuntimePart,
    normalised_parameters: dict,
    state_credentials: StateCredentials,
) -> None:
    if self.resource.condition != ResourceCondition.Sync:
        _moto_eval_integration_pattern(
            self, env, resource_runtime_part, normalised_parameters, state_credentials
        )
        return
    # The StartJobRun output on top of env.stack is what the resolver builder consumes.
    sync_resolver = self._build_sync_resolver(
        env=env,
        resource_runtime_part=resource_runtime_part,
        normalised_parameters=normalised_parameters,
        state_credentials=state_credentials,
    )
    job_run = self._eval_sync(
        env=env,
        sync_resolver=sync_resolver,
        timeout_seconds=None,
        callback_endpoint=None,
        heartbeat_endpoint=None,
    )
    env.stack.append(_with_epoch_millis(job_run))


def _with_epoch_millis(job_run: dict[str, Any] | None) -> dict[str, Any] | None:
    if job_run is None:  # the execution stopped or timed out while the run was going on
        return None
    return {
        key: _epoch_millis(value) if isinstance(value, datetime) else value for key, value in job_run.items()
    }


def _epoch_millis(moment: datetime) -> int:
    # moto serialises naive UTC datetimes; boto3 parses them back as aware ones.
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return int(aware.timestamp() * 1000)


_moto_sfn_normalise_parameters = StateTaskServiceSfn._normalise_parameters


@functools.cache
def _stepfunctions_operation(action: str) -> Any:
    """The API operation of `startExecution` or `describe_execution`, as the interpreter names them."""
    name = "".join(part[:1].upper() + part[1:] for part in action.split("_"))
    return botocore.session.get_session().get_service_model("stepfunctions").operation_model(name)


def _sfn_normalise_parameters(
    self: StateTaskServiceSfn,
    parameters: dict,
    boto_service_name: str | None = None,
    service_action_name: str | None = None,
) -> None:
    _moto_sfn_normalise_parameters(self, parameters, boto_service_name, service_action_name)
    if service_action_name is None:  # the state's own call, not moto's DescribeExecution polling
        self._to_boto_request(parameters, _stepfunctions_operation(self.resource.api_action).input_shape)


def _sfn_normalise_response(
    self: StateTaskServiceSfn,
    response: Any,
    boto_service_name: str | None = None,
    service_action_name: str | None = None,
) -> None:
    if not isinstance(response, dict):
        return
    operation = _stepfunctions_operation(service_action_name or self.resource.api_action)
    self._from_boto_response(response, operation.output_shape)
    for key, value in response.items():
        if isinstance(value, datetime):
            response[key] = _epoch_millis(value)


def _terminated(self: BaseExecutionWorkerCommunication) -> None:
    _moto_terminated(self)
    # Express workflows send no status change events.
    if self.execution.sm_type == StateMachineType.STANDARD:
        events.put_event(execution_status_event(self.execution))


def execution_status_event(execution: Any) -> dict[str, Any]:
    """The event Step Functions sends when an execution has ended."""
    status = execution.exec_status.value
    detail = {
        "executionArn": execution.exec_arn,
        "stateMachineArn": execution.state_machine.arn,
        "name": execution.name,
        "status": status,
        "startDate": _epoch_millis(execution.start_date),
        "stopDate": _epoch_millis(execution.stop_date),
        "input": json.dumps(execution.input_data, separators=(",", ":")),
        "output": json.dumps(execution.output, separators=(",", ":")) if status == "SUCCEEDED" else None,
        "inputDetails": {"included": True},
        "outputDetails": {"included": True} if status == "SUCCEEDED" else None,
        "error": execution.error,
        "cause": execution.cause,
    }
    return events.service_event(
        execution.account_id,
        execution.region_name,
        "aws.states",
        "Step Functions Execution Status Change",
        detail,
        [execution.exec_arn],
    )


def install() -> None:
    # moto dispatches each action to the response method of the same name in snake case.
    StepFunctionResponse.validate_state_machine_definition = validate_state_machine_definition
    StepFunctionResponse.list_state_machine_versions = list_state_machine_versions
    StepFunctionsParserBackend.start_execution = start_execution
    StateTaskServiceGlue._eval_integration_pattern = _eval_integration_pattern
    StateTaskServiceSfn._normalise_parameters = _sfn_normalise_parameters
    StateTaskServiceSfn._normalise_response = _sfn_normalise_response
    BaseExecutionWorkerCommunication.terminated = _terminated
