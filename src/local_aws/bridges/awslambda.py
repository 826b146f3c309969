"""Lambda: what moto 5.2 does unlike AWS with event source mappings and logging configuration.

Event source mappings. moto pushes each message sent to a queue with a Lambda event source mapping to
the function at once (sqs/models.py, Queue.add_message): it receives a batch, invokes the function,
which needs Docker, and, when the invocation fails, makes the batch visible again. Without Docker every
send therefore receives the queue's messages once more, and after maxReceiveCount sends they are in the
dead-letter queue: 7 of 12 messages sent to a queue with maxReceiveCount 5, with nothing consuming them.

Here the mapping is kept where the Lambda API reads it (Terraform sees it as created), but not hooked
to its queue: the messages wait for whatever stands in for Lambda's poller (local_aws.delivery.sqs, in the
live platform and the integration tests). Creation is moto's only place that hooks a mapping to a queue
(UpdateEventSourceMapping, as an apply sends it, only sets fields on the mapping), so the mapping may stay
enabled, as the stack declares it.

Invoke: moto runs a function in Docker. With a function runner set (in the process that started the
emulator: runner_endpoint.py), an invocation is done by `runner(function_name, event)` instead, which
returns the function's result or its error (`{"errorType", "errorMessage"}`, answered as Lambda answers an
unhandled error, with the X-Amz-Function-Error header). A state machine's `lambda:invoke` tasks (the
datamart workflow's) then run the real handlers, in process.

LoggingConfig: moto neither stores nor returns it (awslambda/models.py, LambdaFunction.get_configuration),
so a function with a `logging_config` block is planned for an update forever. AWS always returns it,
defaulting to Text format and /aws/lambda/<name>.
"""

import json
from collections.abc import Callable
from typing import Any

from moto.awslambda.models import EventSourceMapping, LambdaBackend, LambdaFunction
from moto.sqs.models import sqs_backends

moto_create_event_source_mapping = LambdaBackend.create_event_source_mapping
_moto_lambda_init = LambdaFunction.__init__
_moto_lambda_get_configuration = LambdaFunction.get_configuration
_moto_lambda_update_configuration = LambdaFunction.update_configuration
_moto_lambda_invoke = LambdaFunction.invoke

# function name, event -> (result, error): exactly one is not None.
FunctionRunner = Callable[[str, Any], tuple[Any, dict[str, str] | None]]
_runner_lookup: Callable[[], FunctionRunner | None] | None = None


def set_runner_lookup(lookup: Callable[[], FunctionRunner | None] | None) -> None:
    """Where Invoke finds the function runner; None (or a lookup answering None): moto's way."""
    global _runner_lookup
    _runner_lookup = lookup


def _lambda_invoke(self: LambdaFunction, body: str, request_headers: Any, response_headers: Any) -> Any:
    runner = _runner_lookup() if _runner_lookup else None
    if runner is None:
        return _moto_lambda_invoke(self, body, request_headers, response_headers)
    result, error = runner(self.function_name, json.loads(body) if body else {})
    if error is not None:
        response_headers["x-amz-function-error"] = "Unhandled"
        return json.dumps(error).encode()
    return json.dumps(result).encode()


def create_event_source_mapping(self: LambdaBackend, spec: dict[str, Any]) -> EventSourceMapping:
    mapping = moto_create_event_source_mapping(self, spec)
    for queue in sqs_backends[self.account_id][self.region_name].queues.values():
        if queue.queue_arn == mapping.event_source_arn:
            queue.lambda_event_source_mappings.pop(mapping.function_arn, None)
    return mapping


def _lambda_init(
    self: LambdaFunction, account_id: str, spec: dict[str, Any], *args: Any, **kwargs: Any
) -> None:
    _moto_lambda_init(self, account_id, spec, *args, **kwargs)
    self.logging_config = {
        "LogFormat": "Text",
        "LogGroup": f"/aws/lambda/{self.function_name}",
        **spec.get("LoggingConfig", {}),
    }


def _lambda_get_configuration(self: LambdaFunction, *args: Any, **kwargs: Any) -> dict[str, Any]:
    return {**_moto_lambda_get_configuration(self, *args, **kwargs), "LoggingConfig": self.logging_config}


def _lambda_update_configuration(self: LambdaFunction, config_updates: dict[str, Any]) -> dict[str, Any]:
    self.logging_config = {**self.logging_config, **config_updates.get("LoggingConfig", {})}
    return _moto_lambda_update_configuration(self, config_updates)


def install() -> None:
    LambdaBackend.create_event_source_mapping = create_event_source_mapping
    LambdaFunction.__init__ = _lambda_init
    LambdaFunction.get_configuration = _lambda_get_configuration
    LambdaFunction.update_configuration = _lambda_update_configuration
    LambdaFunction.invoke = _lambda_invoke
