"""Config bundles: a manifest (bundle.json), SQL scripts in layer folders, reference data, checks.

A bundle is validated as a whole, every problem reported with what it names: its manifest against
schemas/datamart_bundle.schema.json, then the rules a schema cannot express (a missing script or source
file, a step id used twice, a table reference the bundle does not declare). Its version is the hash of its
files, so a changed file gives a new version and the same files give the same one wherever it is computed
(Terraform computes it with the same formula when it deploys the bundle: see `version`).
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platform_common import schemas

from . import layout

INTAKE_SOURCE = "intake"
# A schema-qualified name in SQL, once comments and string literals are blanked out.
_QUALIFIED = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)\b")
_COMMENTS_AND_STRINGS = re.compile(r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'|\$\$.*?\$\$", re.DOTALL)


class BundleError(ValueError):
    """The bundle is not valid: every problem, each naming the file, step, check or table concerned."""

    def __init__(self, bundle: str, problems: list[str]) -> None:
        super().__init__(f"bundle {bundle}: " + "; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Bundle:
    name: str
    version: str
    manifest: dict[str, Any]
    files: Mapping[str, bytes]

    @property
    def steps(self) -> list[dict[str, Any]]:
        return self.manifest["steps"]

    @property
    def checks(self) -> list[dict[str, Any]]:
        return self.manifest.get("checks", [])

    def text(self, path: str) -> str:
        return self.files[path].decode("utf-8")


def version(files: Mapping[str, bytes]) -> str:
    """The first 16 hex digits of the SHA-256 of `<path> <sha256 of its bytes>` lines in path order.

    terraform/datamart.tf: substr(sha256(join("\\n", [for f in sort(fileset(dir, "**")) :
    "${f} ${filesha256("${dir}/${f}")}"])), 0, 16).
    """
    lines = [f"{path} {hashlib.sha256(files[path]).hexdigest()}" for path in sorted(files)]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:16]


def parse(name: str, files: Mapping[str, bytes]) -> Bundle:
    """The bundle named `name` made of `files` (path relative to its folder → bytes), or BundleError."""
    manifest, found = _manifest(files)
    if manifest is not None:
        found += schemas.violations("datamart_bundle", manifest)
        if not found:
            found += _rules(name, manifest, files)
    if found:
        raise BundleError(name, found)
    return Bundle(name=name, version=version(files), manifest=manifest, files=dict(files))


def read_folder(folder: Path) -> dict[str, bytes]:
    """The files of a bundle's folder, keyed by their path relative to it (with `/`)."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _manifest(files: Mapping[str, bytes]) -> tuple[dict[str, Any] | None, list[str]]:
    if layout.MANIFEST_NAME not in files:
        return None, [f"{layout.MANIFEST_NAME} is missing"]
    try:
        return json.loads(files[layout.MANIFEST_NAME]), []
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, [f"{layout.MANIFEST_NAME} is not JSON: {error}"]


def _rules(name: str, manifest: dict[str, Any], files: Mapping[str, bytes]) -> list[str]:
    problems = []
    if manifest["bundle"] != name:
        problems.append(f"{layout.MANIFEST_NAME} names bundle {manifest['bundle']!r}, its folder is {name!r}")
    tables = {table.lower() for table in manifest["tables"]}
    table_schemas = {table.split(".")[0] for table in tables}
    seen: set[str] = set()
    schema_scripts: dict[str, str] = {}
    entries = [("step", step) for step in manifest["steps"]] + [
        ("check", check) for check in manifest.get("checks", [])
    ]
    for kind, entry in entries:
        where = f"{kind} {entry['id']!r}"
        if entry["id"] in seen:
            problems.append(f"{where}: id used twice")
        seen.add(entry["id"])
        if entry.get("type") == "load":
            problems += _load_rules(where, entry, files, tables)
            continue
        script = entry["script"]
        if script not in files:
            problems.append(f"{where}: script {script} is missing")
            continue
        if entry.get("mode") == "schema":
            # The engine records a schema script by its file name, once per database.
            base = posixpath.basename(script)
            if base in schema_scripts:
                problems.append(f"{where}: schema script name {base} is also {schema_scripts[base]}")
            schema_scripts[base] = script
        problems += [
            f"{where}: script {script} references unknown table {table}"
            for table in referenced_tables(files[script].decode("utf-8", "replace"), table_schemas)
            if table not in tables
        ]
    return problems


def _load_rules(where: str, step: dict[str, Any], files: Mapping[str, bytes], tables: set[str]) -> list[str]:
    problems = []
    if step["target_table"].lower() not in tables:
        problems.append(f"{where}: target_table references unknown table {step['target_table'].lower()}")
    if step["source"] == INTAKE_SOURCE:
        if step["format"] != "parquet":
            problems.append(f"{where}: the intake's source is Parquet, format is {step['format']!r}")
    elif step["source"] not in files:
        problems.append(f"{where}: source {step['source']} is missing")
    if "csv" in step and step["format"] != "csv":
        problems.append(f"{where}: csv options given for format {step['format']!r}")
    return problems


def referenced_tables(sql: str, table_schemas: set[str]) -> list[str]:
    """The `schema.name` references of `sql` in the given schemas, in order of appearance, once each."""
    code = _COMMENTS_AND_STRINGS.sub(" ", sql)
    found = dict.fromkeys(
        f"{schema.lower()}.{table.lower()}"
        for schema, table in _QUALIFIED.findall(code)
        if schema.lower() in table_schemas
    )
    return list(found)
