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

Notifications to EventBridge: moto stores a bucket's EventBridgeConfiguration (s3/models.py,
NotificationConfiguration.event_bridge) but GetBucketNotificationConfiguration (s3/responses.py,
get_bucket_notification) leaves it out, so a bucket notification with `eventbridge = true` is planned for
an update forever. Here the answer includes it, as AWS's does.

EventBridge notifications (a bucket whose notification configuration has EventBridge enabled): moto 5.2
(s3/notifications.py, `_send_event_bridge_message`) sends its event to every rule of every bus, whatever
their pattern's bus, with a numeric `time`, a fixed `id` and `sequencer`, `eTag` for AWS's `etag`, and the
notification type (`ObjectCreated`) as `reason` where AWS names the API call (`PutObject`); a delete that
leaves a delete marker in a versioned bucket sends nothing. Here S3 puts on the default bus what AWS sends:
`Object Created` for PutObject, POST, CopyObject and CompleteMultipartUpload, `Object Deleted` for
DeleteObject(s) with its `deletion-type`, the detail as documented (`version`, `bucket.name`,
`object.{key, size, etag, version-id, sequencer}` with no size for a deletion, `request-id`, `requester`,
`source-ip-address`, `reason`). Other S3 event types (tags, ACLs, restores) are not sent.

CompleteMultipartUpload: moto stores the object through PutObject without disabling its notification, so
every destination (queue, topic, function, EventBridge) is notified twice, `ObjectCreated:Put` then
`ObjectCreated:CompleteMultipartUpload`; S3 sends the second only, and so does the bridge.
"""

import itertools
import json
import secrets
import threading
import time
from typing import Any

from moto.core.responses import ActionResult
from moto.iam.access_control import IAMPolicy, PermissionResult
from moto.s3 import notifications
from moto.s3.models import FakeBucket, FakeDeleteMarker, S3Backend
from moto.s3.responses import S3Response

from local_aws.bridges import events

moto_get_permission = FakeBucket.get_permission
moto_get_bucket_notification = S3Response.get_bucket_notification
_moto_set_delete_marker = S3Backend._set_delete_marker
_moto_complete_multipart_upload = S3Backend.complete_multipart_upload
_moto_send_event = notifications.send_event
moto_send_event_bridge_message = notifications._send_event_bridge_message
_completing = threading.local()

EMPTY_ETAG = "d41d8cd98f00b204e9800998ecf8427e"
_EVENT = notifications.S3NotificationEvent
_REASONS = {
    _EVENT.OBJECT_CREATED_PUT_EVENT: "PutObject",
    _EVENT.OBJECT_CREATED_POST_EVENT: "POST Object",
    _EVENT.OBJECT_CREATED_COPY_EVENT: "CopyObject",
    _EVENT.OBJECT_CREATED_COMPLETE_MULTIPART_UPLOAD_EVENT: "CompleteMultipartUpload",
    _EVENT.OBJECT_REMOVED_DELETE_EVENT: "DeleteObject",
}
# S3's sequencer orders the events of one key: a hexadecimal value that grows with each event.
_sequence = itertools.count(time.time_ns())

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
    configuration = self.backend.get_bucket_notification_configuration(self.bucket_name)
    if configuration is None or configuration.event_bridge is None:
        return moto_get_bucket_notification(self)
    result = {
        "TopicConfigurations": [_target(topic, "TopicArn") for topic in configuration.topic],
        "QueueConfigurations": [_target(queue, "QueueArn") for queue in configuration.queue],
        "LambdaFunctionConfigurations": [
            _target(function, "LambdaFunctionArn") for function in configuration.cloud_function
        ],
        "EventBridgeConfiguration": {},
    }
    self.data["Action"] = "GetBucketNotificationConfiguration"
    return self.serialized(ActionResult(result))


def _target(notification: Any, arn_key: str) -> dict[str, Any]:
    """One topic, queue or function of the configuration, as moto's own answer gives it."""
    target: dict[str, Any] = {"Id": notification.id, arn_key: notification.arn, "Events": notification.events}
    if notification.filters:
        target["Filter"] = {"Key": {"FilterRules": notification.filters["S3Key"]["FilterRule"]}}
    return target


def object_event(
    account_id: str, bucket: FakeBucket, key: Any, reason: str, deletion_type: str | None = None
) -> dict[str, Any]:
    """The event S3 sends to EventBridge for one object."""
    obj: dict[str, Any] = {"key": key.name}
    if deletion_type is None:
        obj["size"] = key.size
    # A delete marker has no content: its ETag is the MD5 of nothing.
    obj["etag"] = EMPTY_ETAG if isinstance(key, FakeDeleteMarker) else key.etag.strip('"')
    # An object of a bucket that never had versioning has no version id (moto says "null").
    if key.version_id not in (None, "null"):
        obj["version-id"] = key.version_id
    obj["sequencer"] = f"{next(_sequence):016X}"
    detail = {
        "version": "0",
        "bucket": {"name": bucket.name},
        "object": obj,
        "request-id": secrets.token_hex(8).upper(),
        "requester": account_id,
        "source-ip-address": "127.0.0.1",
        "reason": reason,
    }
    if deletion_type is not None:
        detail["deletion-type"] = deletion_type
    detail_type = "Object Created" if deletion_type is None else "Object Deleted"
    return events.service_event(account_id, bucket.region_name, "aws.s3", detail_type, detail, [bucket.arn])


def _send_event_bridge_message(account_id: str, bucket: FakeBucket, event_name: str, key: Any) -> None:
    reason = _REASONS.get(event_name)
    if reason is None:
        return
    deletion_type = "Permanently Deleted" if reason == "DeleteObject" else None
    events.put_event(object_event(account_id, bucket, key, reason, deletion_type))


def _set_delete_marker(self: S3Backend, bucket_name: str, key_name: str) -> FakeDeleteMarker:
    marker = _moto_set_delete_marker(self, bucket_name, key_name)
    bucket = self.get_bucket(bucket_name)
    configuration = bucket.notification_configuration
    if configuration is not None and configuration.event_bridge is not None:
        events.put_event(
            object_event(self.account_id, bucket, marker, "DeleteObject", "Delete Marker Created")
        )
    return marker


def _complete_multipart_upload(self: S3Backend, *args: Any, **kwargs: Any) -> Any:
    _completing.upload = True
    try:
        return _moto_complete_multipart_upload(self, *args, **kwargs)
    finally:
        _completing.upload = False


def _send_event(account_id: str, event_name: str, bucket: Any, key: Any) -> None:
    if event_name == _EVENT.OBJECT_CREATED_PUT_EVENT and getattr(_completing, "upload", False):
        return  # the object stored by a multipart upload's completion: its own event follows
    _moto_send_event(account_id, event_name, bucket, key)


def install() -> None:
    FakeBucket.get_permission = get_permission
    S3Response.get_bucket_notification = get_bucket_notification
    S3Backend.complete_multipart_upload = _complete_multipart_upload
    notifications.send_event = _send_event
    notifications._send_event_bridge_message = _send_event_bridge_message
    S3Backend._set_delete_marker = _set_delete_marker
