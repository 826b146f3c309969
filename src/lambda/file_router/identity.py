"""Names derived from a landed object's identity, so that a retry or a duplicate delivery of the same upload
gives the same name, and a new upload of the same key a new one.

The identity is the bucket, the key, the version id (or, in an unversioned bucket, the ETag) and the
sequencer S3 gives each write.
"""

from __future__ import annotations

import hashlib
import re

from .events import LandedObject

# Step Functions allows 80 characters; the CloudWatch-safe ones are ASCII letters, digits, - and _.
MAX_EXECUTION_NAME = 80
_DIGEST_HEX = 32  # 128 bits: collisions are out of reach for any number of files
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def object_digest(obj: LandedObject) -> str:
    identity = "\0".join((obj.bucket, obj.key, obj.version_id or obj.etag, obj.sequencer))
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:_DIGEST_HEX]


def execution_name(obj: LandedObject) -> str:
    """`<readable file name>-<digest>`, at most 80 characters of [A-Za-z0-9_-]."""
    digest = object_digest(obj)
    readable = _UNSAFE.sub("-", obj.file_name).strip("-")[: MAX_EXECUTION_NAME - len(digest) - 1]
    return f"{readable}-{digest}" if readable else digest


def run_id(obj: LandedObject, job_id: str) -> str:
    """The datamart run of one job for one object: the same on every retry, distinct per job."""
    return f"router-{object_digest(obj)}-{_UNSAFE.sub('-', job_id)}"
