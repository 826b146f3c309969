"""Every violation of a payload: its kind's schema, then the rules JSON Schema cannot express."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from jsonschema import ValidationError

from .file_patterns import EXACT, FORMATS, PatternError, compile_matcher, file_format
from .schemas import load_schema, validator

# For combinators the library's message quotes the whole instance; the schema says it better where it can.
_COMBINATORS = {"not", "oneOf", "anyOf"}

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class Violation:
    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def violations(kind: str, payload: Any, deployed_jobs: Sequence[str] | None = None) -> list[Violation]:
    """Sorted by path; `deployed_jobs` None skips the job_name check (no list of deployed jobs given)."""
    found = [_from_schema(error) for error in validator(kind).iter_errors(payload)]
    if kind == "router_config" and isinstance(payload, list):
        in_code = _duplicate_job_ids(payload) + _uncompilable_patterns(payload) + _unknown_formats(payload)
        if deployed_jobs is not None:
            in_code += _undeployed_jobs(payload, deployed_jobs)
        # A value the schema refused already is not described a second time.
        refused = {location for location, _ in found}
        found += [(location, message) for location, message in in_code if location not in refused]
    found.sort(key=lambda item: (_sort_key(item[0]), item[1]))
    return [Violation(json_path(location), message) for location, message in found]


def json_path(location: Iterable[str | int]) -> str:
    return "$" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in location)


def _from_schema(error: ValidationError) -> tuple[Location, str]:
    message = error.message
    if error.validator in _COMBINATORS:
        message = error.schema.get("x-violation", message)
    return tuple(error.absolute_path), message


def _jobs_with(payload: list[Any], field: str) -> Iterable[tuple[int, str]]:
    for index, job in enumerate(payload):
        if isinstance(job, dict) and isinstance(job.get(field), str):
            yield index, job[field]


def _duplicate_job_ids(payload: list[Any]) -> list[tuple[Location, str]]:
    first_seen: dict[str, int] = {}
    found = []
    for index, job_id in _jobs_with(payload, "job_id"):
        if job_id in first_seen:
            found.append(
                (
                    (index, "job_id"),
                    f"duplicate job_id {job_id!r}, first at {json_path([first_seen[job_id]])}",
                )
            )
        else:
            first_seen[job_id] = index
    return found


def default_job_name() -> str:
    """The load job of a router job without job_name: the schema's default (the datamart engine's job)."""
    return load_schema("router_config")["$defs"]["job"]["properties"]["job_name"]["default"]


def _undeployed_jobs(payload: list[Any], deployed_jobs: Sequence[str]) -> list[tuple[Location, str]]:
    listing = ", ".join(sorted(deployed_jobs)) or "none"
    found = []
    for index, job in enumerate(payload):
        if not isinstance(job, dict):
            continue
        name = job.get("job_name", default_job_name())
        if isinstance(name, str) and name not in deployed_jobs:
            what = repr(name) if "job_name" in job else f"{name!r} (job_name's default)"
            found.append(((index, "job_name"), f"{what} is not a deployed load job (deployed: {listing})"))
    return found


def _uncompilable_patterns(payload: list[Any]) -> list[tuple[Location, str]]:
    found = []
    for index, pattern in _jobs_with(payload, "pattern"):
        kind = payload[index].get("match", EXACT)
        if kind == EXACT or not isinstance(kind, str):
            continue  # the schema reports a pattern without match
        try:
            compile_matcher(kind, "", pattern)
        except PatternError as error:
            found.append(((index, "pattern"), str(error)))
    return found


def _sort_key(location: Location) -> tuple[tuple[int, Any], ...]:
    """Orders [2] before [10] and an index before a name at the same depth."""
    return tuple((0, part) if isinstance(part, int) else (1, part) for part in location)


def _unknown_formats(payload: list[Any]) -> list[tuple[Location, str]]:
    """A job's files must end in an extension that says their load format (a glob or template's too)."""
    found = []
    extensions = ", ".join(FORMATS)
    for index, job in enumerate(payload):
        if not isinstance(job, dict):
            continue
        field = "source_file_name" if job.get("match", EXACT) == EXACT else "pattern"
        name = job.get(field)
        if isinstance(name, str) and file_format(name) is None:
            found.append(
                ((index, field), f"{name!r} must end in one of {extensions}: the load reads its format")
            )
    return found
