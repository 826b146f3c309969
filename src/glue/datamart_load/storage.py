"""Files on S3 or disk through pyarrow's file systems: one code path for Glue and local runs.

pyarrow's S3 file system honours ``AWS_ENDPOINT_URL``, so the local AWS emulator works too.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyarrow import fs

SUFFIXES = {
    "parquet": (".parquet", ".parq"),
    "csv": (".csv", ".csv.gz"),
    "ndjson": (".ndjson", ".jsonl", ".json"),
}


@dataclass(frozen=True)
class SourceFile:
    uri: str
    size: int


def _resolve(uri: str) -> tuple[fs.FileSystem, str]:
    if "://" not in uri:
        return fs.LocalFileSystem(), uri
    return fs.FileSystem.from_uri(uri)


def _uri(uri: str, path: str) -> str:
    return f"s3://{path}" if uri.startswith("s3://") else path


def list_files(uri: str, data_format: str) -> list[SourceFile]:
    """The files ``uri`` names: itself, or every file of ``data_format`` under it as a folder/prefix, by name.

    Hidden files and Spark's markers (``.…``, ``_…``) are skipped in folders. A URI naming nothing is an
    error.
    """
    filesystem, path = _resolve(uri)
    info = filesystem.get_file_info(path)
    if info.type == fs.FileType.File:
        return [SourceFile(_uri(uri, info.path), info.size)]
    if info.type != fs.FileType.Directory:
        raise FileNotFoundError(f"source {uri} does not exist")
    found = [
        SourceFile(_uri(uri, entry.path), entry.size)
        for entry in filesystem.get_file_info(fs.FileSelector(path, recursive=True))
        if entry.type == fs.FileType.File
        and entry.base_name.lower().endswith(SUFFIXES[data_format])
        and not entry.base_name.startswith((".", "_"))
    ]
    return sorted(found, key=lambda source: source.uri)


def open_input(uri: str):
    """A binary input stream (closes with ``with``)."""
    filesystem, path = _resolve(uri)
    return filesystem.open_input_stream(path)


def open_random_access(uri: str):
    filesystem, path = _resolve(uri)
    return filesystem.open_input_file(path)


def read_bytes(uri: str) -> bytes:
    with open_input(uri) as stream:
        return stream.read()
