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

Invoke: moto runs a function in a Docker container (awslambda/models.py, LambdaFunction._invoke_lambda),
and without Docker every invocation fails, so does a state machine's `lambda:invoke` task. Here a function
whose handler's package is importable in the emulator's process (the packages of src/lambda/ are installed
with the project) runs in this process, with its environment variables plus the emulator's endpoint and
dummy credentials, one invocation at a time (os.environ is process-wide), in a fresh container whenever its
configuration changed. The result is what Lambda returns: the handler's JSON, or, when it raises, the error
document `{"errorType", "errorMessage"}` with the FunctionError header set. A handler that cannot be
imported here goes to moto's own path.

LoggingConfig: moto neither stores nor returns it (awslambda/models.py, LambdaFunction.get_configuration),
so a function with a `logging_config` block is planned for an update forever. AWS always returns it,
defaulting to Text format and /aws/lambda/<name>.
"""

import contextlib
import importlib
import io
import json
import os
import threading
import traceback
from typing import Any

from moto.awslambda.models import EventSourceMapping, LambdaBackend, LambdaFunction
from moto.sqs.models import sqs_backends

from local_aws.functions import InvocationContext, _new_container, environment

moto_create_event_source_mapping = LambdaBackend.create_event_source_mapping
_moto_lambda_init = LambdaFunction.__init__
_moto_lambda_get_configuration = LambdaFunction.get_configuration
_moto_lambda_update_configuration = LambdaFunction.update_configuration
_moto_invoke_lambda = LambdaFunction._invoke_lambda
_invocations = threading.Lock()
_containers: dict[str, dict[str, str]] = {}


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


def _invoke_lambda(self: LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
    module_name, handler_name = self.handler.rsplit(".", 1)
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return _moto_invoke_lambda(self, event)
    port = os.environ["MOTO_PORT"]
    variables = {
        **(self.environment_vars or {}),
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": self.region,
        "AWS_REGION": self.region,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    context = InvocationContext(self.function_name, self.function_arn, int(self.memory_size))
    logs = io.StringIO()
    with _invocations, environment(variables), _output_to(logs, module):
        if _containers.get(module_name) != variables:
            _new_container(module)
            _containers[module_name] = variables
        try:
            result = getattr(module, handler_name)(event if event is not None else {}, context)
        except Exception as error:
            print(traceback.format_exc())
            document = {"errorType": type(error).__name__, "errorMessage": str(error)}
            return json.dumps(document), True, logs.getvalue()
    return json.dumps(result), False, logs.getvalue()


@contextlib.contextmanager
def _output_to(stream: io.StringIO, module: Any) -> Any:
    """What the function prints (its JSON logs, EMF metrics) becomes the invocation's log, as in Lambda."""
    with contextlib.ExitStack() as stack:
        telemetry = getattr(module, "telemetry", None)
        if telemetry is not None:
            logs = telemetry.logger.registered_handler
            stack.callback(logs.setStream, logs.setStream(stream))
        stack.enter_context(contextlib.redirect_stdout(stream))
        yield


def install() -> None:
    LambdaBackend.create_event_source_mapping = create_event_source_mapping
    LambdaFunction.__init__ = _lambda_init
    LambdaFunction.get_configuration = _lambda_get_configuration
    LambdaFunction.update_configuration = _lambda_update_configuration
    LambdaFunction._invoke_lambda = _invoke_lambda
