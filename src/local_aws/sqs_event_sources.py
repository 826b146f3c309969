"""Leave SQS messages for the project's own poller instead of moto's Docker-bound Lambda invocations.

moto pushes each message sent to a queue with a Lambda event source mapping to the function at once
(sqs/models.py, Queue.add_message): it receives a batch, invokes the function, which needs Docker,
and, when the invocation fails, makes the batch visible again. Without Docker every send therefore
receives the queue's messages once more, and after maxReceiveCount sends they are in the dead-letter
queue: 7 of 12 messages sent to a queue with maxReceiveCount 5, with nothing consuming them.

Here the mapping is kept where the Lambda API reads it (Terraform sees it as created), but not hooked
to its queue: the messages wait for whatever stands in for Lambda's poller (local_aws.pipeline in the
demo and the integration tests). Creation is moto's only place that hooks a mapping to a queue
(UpdateEventSourceMapping, as an apply sends it, only sets fields on the mapping), so the mapping may stay
enabled, as the stack declares it.
"""

from typing import Any

from moto.awslambda.models import EventSourceMapping, LambdaBackend
from moto.sqs.models import sqs_backends

moto_create_event_source_mapping = LambdaBackend.create_event_source_mapping


def create_event_source_mapping(self: LambdaBackend, spec: dict[str, Any]) -> EventSourceMapping:
    mapping = moto_create_event_source_mapping(self, spec)
    for queue in sqs_backends[self.account_id][self.region_name].queues.values():
        if queue.queue_arn == mapping.event_source_arn:
            queue.lambda_event_source_mappings.pop(mapping.function_arn, None)
    return mapping


def install() -> None:
    LambdaBackend.create_event_source_mapping = create_event_source_mapping
