"""Attributes moto 5.2 reads back unlike AWS, which would show as changes in every Terraform plan.

- Lambda LoggingConfig: moto neither stores nor returns it (awslambda/models.py,
  LambdaFunction.get_configuration), so a function with a `logging_config` block is planned for an
  update forever. AWS always returns it, defaulting to Text format and /aws/lambda/<name>.
- SQS RedrivePolicy: moto returns `json.dumps(...)` with spaces (sqs/models.py, Queue.attributes);
  AWS returns compact JSON, equal to Terraform's jsonencode(), and the provider compares the strings.
"""

import json
from typing import Any

from moto.awslambda.models import LambdaFunction
from moto.sqs.models import Queue

_moto_lambda_init = LambdaFunction.__init__
_moto_lambda_get_configuration = LambdaFunction.get_configuration
_moto_lambda_update_configuration = LambdaFunction.update_configuration
_moto_queue_attributes = Queue.attributes


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


def _queue_attributes(self: Queue) -> dict[str, Any]:
    attributes = _moto_queue_attributes.fget(self)
    if "RedrivePolicy" in attributes:
        attributes["RedrivePolicy"] = json.dumps(self.redrive_policy, separators=(",", ":"))
    return attributes


def install() -> None:
    LambdaFunction.__init__ = _lambda_init
    LambdaFunction.get_configuration = _lambda_get_configuration
    LambdaFunction.update_configuration = _lambda_update_configuration
    Queue.attributes = property(_queue_attributes)
