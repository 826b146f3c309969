"""SQS: the RedrivePolicy moto 5.2 reads back unlike AWS, which would show as a change in every plan.

moto returns `json.dumps(...)` with spaces (sqs/models.py, Queue.attributes); AWS returns compact JSON,
equal to Terraform's jsonencode(), and the provider compares the strings.
"""

import json
from typing import Any

from moto.sqs.models import Queue

_moto_queue_attributes = Queue.attributes


def _queue_attributes(self: Queue) -> dict[str, Any]:
    attributes = _moto_queue_attributes.fget(self)
    if "RedrivePolicy" in attributes:
        attributes["RedrivePolicy"] = json.dumps(self.redrive_policy, separators=(",", ":"))
    return attributes


def install() -> None:
    Queue.attributes = property(_queue_attributes)
