"""Make moto's Step Functions interpreter run `arn:aws:states:::glue:startJobRun.sync` tasks.

moto 5.2's StateTaskServiceCallback._eval_integration_pattern (parser/asl/component/state/exec/
state_task/service/state_task_service_callback.py) looks up a task-token callback endpoint only
for services that support `.waitForTaskToken`, which Glue does not, so the endpoint stays None;
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
"""

from datetime import UTC, datetime
from typing import Any

from moto.stepfunctions.parser.asl.component.state.exec.state_task.credentials import StateCredentials
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import (
    ResourceCondition,
    ResourceRuntimePart,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_glue import (
    StateTaskServiceGlue,
)
from moto.stepfunctions.parser.asl.eval.environment import Environment

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


def install() -> None:
    StateTaskServiceGlue._eval_integration_pattern = _eval_integration_pattern
