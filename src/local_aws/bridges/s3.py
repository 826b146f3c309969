"""Evaluate the conditions of S3 bucket policies instead of treating them as always true.

moto 5.2 checks bucket policies on object requests (s3/responses.py `_key_response` and
DeleteObjects, through FakeBucket.get_permission), but its condition support
(iam/policy_conditions.py) knows only StringEquals and, for any other operator, "ignores condition
evaluation", i.e. counts the condition as met. A conditional Deny therefore denies everything: the
usual TLS-only statement (Deny s3:* when Bool aws:SecureTransport is "false") makes every object of
the bucket answer 403 to every request, so a stack with AWS's recommended bucket policies cannot
even be refreshed by Terraform.

Here a request carries the one condition key the emulator can state: aws:SecureTransport is "true",
because the emulator stands in for AWS endpoints, which clients reach over TLS. A statement applies
only when all its conditions hold for that context; a condition on any other key cannot be shown to
hold, so its statement does not apply (as AWS treats a condition on a key absent from the request).

GetBucketNotificationConfiguration: moto stores a bucket's EventBridge switch (and sends the events) but
leaves `EventBridgeConfiguration` out of the answer, so Terraform plans to turn it on again at every plan.
"""

import json
from typing import Any

from moto.iam.access_control import IAMPolicy, PermissionResult
from moto.s3.models import FakeBucket
from moto.s3.responses import S3Response

moto_get_permission = FakeBucket.get_permission
_moto_get_bucket_notification = S3Response.get_bucket_notification
_EVENTBRIDGE = b"<EventBridgeConfiguration></EventBridgeConfiguration>"

REQUEST_CONTEXT = {"aws:securetransport": "true"}

_OPERATORS = {
    "Bool": lambda actual, expected: actual == expected.lower(),
    "StringEquals": lambda actual, expected: actual == expected,
    "StringNotEquals": lambda actual, expected: actual != expected,
}


def condition_holds(condition: dict[str, dict[str, Any]]) -> bool:
    """Whether a policy statement's Condition block is met by a request to the emulator."""
    for operator, tests in condition.items():
        compare = _OPERATORS.get(operator)
        for key, expected in tests.items():
            actual = REQUEST_CONTEXT.get(key.lower())
            if compare is None or actual is None:
                return False
            expected_values = expected if isinstance(expected, list) else [expected]
            # Several values of one key are alternatives, except for negated operators.
            matches = [compare(actual, str(value)) for value in expected_values]
            if not (all(matches) if operator.startswith("StringNot") else any(matches)):
                return False
    return True


def get_permission(self: FakeBucket, action: str, resource: str) -> PermissionResult:
    if self.policy is None:
        return PermissionResult.NEUTRAL
    statements = json.loads(self.policy)["Statement"]
    if isinstance(statements, dict):
        statements = [statements]
    applicable = [
        {name: value for name, value in statement.items() if name != "Condition"}
        for statement in statements
        if condition_holds(statement.get("Condition", {}))
    ]
    # moto's own matching of actions, resources and principals decides among the statements that apply.
    return IAMPolicy(json.dumps({"Statement": applicable})).is_action_permitted(action, resource)


def get_bucket_notification(self: S3Response) -> Any:
    answer = _moto_get_bucket_notification(self)
    configuration = self.backend.get_bucket_notification_configuration(self.bucket_name)
    if configuration is None or configuration.event_bridge is None:
        return answer
    status, headers, body = answer if isinstance(answer, tuple) else (200, {}, answer)
    text = body.encode() if isinstance(body, str) else body
    if b"</NotificationConfiguration>" in text:
        text = text.replace(b"</NotificationConfiguration>", _EVENTBRIDGE + b"</NotificationConfiguration>")
    else:
        # moto answers an empty configuration with no element at all.
        text = b'<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' + _EVENTBRIDGE
        text += b"</NotificationConfiguration>"
    return status, {name: value for name, value in headers.items() if name.lower() != "content-length"}, text


def install() -> None:
    FakeBucket.get_permission = get_permission
    S3Response.get_bucket_notification = get_bucket_notification
