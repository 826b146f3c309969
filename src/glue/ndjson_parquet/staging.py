"""Stands in for Glue's S3 connector when local Spark has none (no s3a jars offline).

Inputs listed as ``s3://`` are downloaded with boto3 (honouring AWS_ENDPOINT_URL, so the local emulator works)
into ``<workdir>/inputs/<bucket>/<key>``; the job runs on local disk; each output folder then replaces the
matching S3 prefix. ``_source_file`` is rewritten back to the ``s3://`` URI.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import urlparse

from botocore.exceptions import ClientError

from ndjson_parquet.manifest import Manifest


def is_s3(uri: str) -> bool:
    return urlparse(uri).scheme == "s3"


def _bucket_key(uri: str) -> tuple[str, str]:
    parsed = urlparse(uri)
    return parsed.netloc, parsed.path.lstrip("/")


class S3Staging:
    def __init__(self, s3_client, workdir: Path):
        self._s3 = s3_client
        self._inputs = workdir / "inputs"

    @property
    def source_prefix(self) -> tuple[str, str]:
        """(local, remote) prefixes that turn a staged file's Spark name back into its s3:// URI."""
        return f"file://{self._inputs}/", "s3://"

    def stage_inputs(self, manifest: Manifest) -> Manifest:
        """Download the manifest's s3:// files; return the manifest pointing at the local copies, in the
        same order (a missing object's copy is missing too)."""
        local_uris = []
        for uri in manifest.uris:
            if not is_s3(uri):
                local_uris.append(uri)
                continue
            bucket, key = _bucket_key(uri)
            target = self._inputs / bucket / key
            target.parent.mkdir(parents=True, exist_ok=True)
            listed = manifest.versions.get(uri)
            # The listed version, whatever was uploaded under the key since the manifest was cut.
            extra = {"VersionId": listed.version_id} if listed else None
            try:
                self._s3.download_file(bucket, key, str(target), ExtraArgs=extra)
            except ClientError as error:
                # A missing object stays missing locally: the job quarantines it as unreadable.
                if error.response["Error"]["Code"] not in ("404", "NoSuchKey"):
                    raise
            local_uris.append(str(target))
        return replace(manifest, uris=tuple(local_uris))

    def publish(self, local_folder: Path, remote_uri: str) -> None:
        """Make the S3 prefix ``remote_uri`` hold exactly the data files of ``local_folder``."""
        bucket, prefix = _bucket_key(remote_uri.rstrip("/") + "/")
        paginator = self._s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            stale = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if stale:
                self._s3.delete_objects(Bucket=bucket, Delete={"Objects": stale, "Quiet": True})
        if not local_folder.is_dir():
            return
        for path in sorted(local_folder.iterdir()):
            if path.is_file() and not path.name.startswith(("_", ".")):
                self._s3.upload_file(str(path), bucket, prefix + path.name)
