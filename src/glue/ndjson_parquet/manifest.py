"""The manifest the manifest builder writes: which files one Glue run converts, for which date."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")


class ManifestError(ValueError):
    """The manifest cannot be used: the message says why."""


@dataclass(frozen=True)
class ListedVersion:
    """The version of a listed file the manifest converts (the builder records it as the file arrived)."""

    version_id: str
    etag: str = ""


@dataclass(frozen=True)
class Manifest:
    manifest_id: str
    date_prefix: str
    uris: tuple[str, ...]
    path: str
    # By URI, for the files whose version the manifest records (`files`); a file without one is read as it is.
    versions: dict[str, ListedVersion] = field(default_factory=dict)


def read_text(uri: str) -> str:
    """Read a small text object from ``s3://`` (boto3; honours AWS_ENDPOINT_URL) or from disk."""
    parsed = urlparse(uri)
    if parsed.scheme == "s3":
        import boto3

        body = boto3.client("s3").get_object(Bucket=parsed.netloc, Key=parsed.path.lstrip("/"))["Body"]
        return body.read().decode("utf-8")
    if parsed.scheme == "file":
        return Path(parsed.path).read_text(encoding="utf-8")
    return Path(uri).read_text(encoding="utf-8")


def _date_prefix(document: dict, path: str, today: datetime | None) -> str:
    declared = document.get("date_prefix")
    if declared:
        if not _DATE.fullmatch(str(declared)):
            raise ManifestError(f"date_prefix {declared!r} is not YYYY-MM-DD")
        return str(declared)
    in_key = _DATE.findall(path)
    if in_key:
        return in_key[-1]
    return (today or datetime.now(UTC)).strftime("%Y-%m-%d")


def _manifest_id(document: dict, path: str) -> str:
    # The id names the output folder, so it must be a single safe path segment.
    manifest_id = str(document.get("manifest_id") or Path(urlparse(path).path).stem)
    if not re.fullmatch(r"[A-Za-z0-9._=-]+", manifest_id):
        raise ManifestError(f"manifest_id {manifest_id!r} must contain only letters, digits and . _ = -")
    return manifest_id


def parse_manifest(text: str, path: str, today: datetime | None = None) -> Manifest:
    """Parse a manifest document; ``path`` supplies the id and date when the document has none."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ManifestError(f"manifest {path} is not JSON: {error}") from error
    if not isinstance(document, dict) or not isinstance(document.get("fileLocations"), list):
        raise ManifestError(f"manifest {path} has no fileLocations list")
    uris: list[str] = []
    for location in document["fileLocations"]:
        prefixes = location.get("URIPrefixes") if isinstance(location, dict) else None
        if not isinstance(prefixes, list) or not all(isinstance(uri, str) and uri for uri in prefixes):
            raise ManifestError(f"manifest {path} has a fileLocations entry without URIPrefixes strings")
        uris.extend(prefixes)
    # A file listed twice would be converted twice: keep the first mention only.
    unique = tuple(dict.fromkeys(uris))
    manifest_id, date_prefix = _manifest_id(document, path), _date_prefix(document, path, today)
    return Manifest(manifest_id, date_prefix, unique, path, _versions(document, path))


def _versions(document: dict, path: str) -> dict[str, ListedVersion]:
    files = document.get("files", [])
    if not isinstance(files, list) or not all(isinstance(e, dict) and e.get("uri") for e in files):
        raise ManifestError(f"manifest {path} has a files entry without a uri")
    return {
        entry["uri"]: ListedVersion(str(entry["version_id"]), str(entry.get("etag") or ""))
        for entry in files
        if entry.get("version_id")
    }


def load_manifest(path: str) -> Manifest:
    """Read and parse the manifest at ``path`` (s3:// URI, file:// URI or local path)."""
    if not path:
        raise ManifestError("MANIFEST_PATH is empty")
    if urlparse(path).scheme not in ("s3", "file", ""):
        raise ManifestError(f"manifest path {path!r} must be s3://, file:// or a local path")
    return parse_manifest(read_text(path), path)
