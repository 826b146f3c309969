"""The workflow's S3 reads and writes: deployed bundles, run requests, plans and their bundle copies."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError
from platform_common.s3 import get_json, put_json, split_s3_uri

from . import bundles, layout
from .bundles import Bundle
from .planning import PlannedRun


class BundleNotDeployed(LookupError):
    """The config bucket holds no deployed version of the bundle."""


class SourcesMissing(LookupError):
    """A source URI of the plan names no object."""


class WorkflowStore:
    def __init__(self, s3: Any) -> None:
        self._s3 = s3

    def read_json(self, bucket: str, key: str) -> Any:
        return get_json(self._s3, f"s3://{bucket}/{key}")

    def deployed_bundle(self, bucket: str, name: str) -> Bundle:
        """The bundle's current version (Terraform's pointer), validated, its files checked against it."""
        try:
            pointer = self.read_json(bucket, layout.bundle_pointer_key(name))
        except ClientError as error:
            if error.response["Error"]["Code"] in {"NoSuchKey", "404"}:
                raise BundleNotDeployed(
                    f"bundle {name!r} is not deployed: no s3://{bucket}/{layout.bundle_pointer_key(name)}"
                ) from None
            raise
        version = pointer["version"]
        bundle = bundles.parse(name, self._files(bucket, layout.bundle_version_prefix(name, version)))
        if bundle.version != version:
            raise bundles.BundleError(
                name,
                [f"its files under version {version} hash to {bundle.version}: a partial or edited deploy"],
            )
        return bundle

    def run_bundle(self, bucket: str, run_id: str) -> Bundle:
        """The copy of the bundle a run was planned with."""
        files = self._files(bucket, layout.run_bundle_key(run_id, ""))
        manifest = json.loads(files[layout.MANIFEST_NAME])
        return bundles.parse(manifest["bundle"], files)

    def require_sources(self, uris: list[str]) -> None:
        missing = [uri for uri in uris if not self._exists(uri)]
        if missing:
            raise SourcesMissing(f"no object under {', '.join(missing)}")

    def write_run(self, bucket: str, planned: PlannedRun, bundle: Bundle | None) -> None:
        """The bundle's files under the run (its replays need nothing else), then the plan."""
        if bundle is not None:
            for path, body in sorted(bundle.files.items()):
                self._s3.put_object(Bucket=bucket, Key=layout.run_bundle_key(planned.run_id, path), Body=body)
        put_json(self._s3, *split_s3_uri(planned.plan_uri), planned.plan)

    def read_plan(self, uri: str) -> dict[str, Any]:
        return get_json(self._s3, uri)

    def _exists(self, uri: str) -> bool:
        bucket, key = split_s3_uri(uri)
        return bool(self._s3.list_objects_v2(Bucket=bucket, Prefix=key, MaxKeys=1).get("KeyCount"))

    def _files(self, bucket: str, prefix: str) -> dict[str, bytes]:
        files = {}
        for page in self._s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for entry in page.get("Contents", []):
                body = self._s3.get_object(Bucket=bucket, Key=entry["Key"])["Body"].read()
                files[entry["Key"][len(prefix) :]] = body
        return files
