"""The routing state machine's executions: start one under the object's name, tell running from ended."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

RUNNING = "RUNNING"


class Executions:
    def __init__(self, sfn: Any, state_machine_arn: str) -> None:
        self._sfn = sfn
        self._state_machine_arn = state_machine_arn

    @property
    def enabled(self) -> bool:
        """False while STEP_FUNCTION_ARN is blank (the rollback): decisions are held, nothing starts."""
        return bool(self._state_machine_arn)

    def start(self, name: str, execution_input: str) -> bool:
        """Starts the execution; False when one of that name exists already (a duplicate delivery).

        Step Functions answers a start with the name and input of a running execution with that execution,
        and one with the name of an ended execution (or another input) with ExecutionAlreadyExists: either
        way no second execution runs.
        """
        try:
            self._sfn.start_execution(
                stateMachineArn=self._state_machine_arn, name=name, input=execution_input
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ExecutionAlreadyExists":
                return False
            raise
        return True

    def is_running(self, name: str) -> bool:
        return self.status(name) == RUNNING

    def status(self, name: str) -> str:
        """RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED; NOT_STARTED when no such execution exists."""
        try:
            return self._sfn.describe_execution(executionArn=self.execution_arn(name))["status"]
        except ClientError as error:
            if error.response["Error"]["Code"] == "ExecutionDoesNotExist":
                return "NOT_STARTED"
            raise

    def execution_arn(self, name: str) -> str:
        # arn:aws:states:region:account:stateMachine:NAME -> arn:aws:states:region:account:execution:NAME:name
        prefix, machine = self._state_machine_arn.split(":stateMachine:", 1)
        return f"{prefix}:execution:{machine}:{name}"
