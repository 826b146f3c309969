"""Every violation of a payload: its kind's schema, then the rules JSON Schema cannot express."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from jsonschema import ValidationError

from .schemas import validator

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
        found += _duplicate_job_ids(payload)
        if deployed_jobs is not None:
            found += _undeployed_jobs(payload, deployed_jobs)
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


def _undeployed_jobs(payload: list[Any], deployed_jobs: Sequence[str]) -> list[tuple[Location, str]]:
    listing = ", ".join(sorted(deployed_jobs)) or "none"
    return [
        ((index, "job_name"), f"{name!r} is not a deployed load job (deployed: {listing})")
        for index, name in _jobs_with(payload, "job_name")
        if name not in deployed_jobs
    ]


def _sort_key(location: Location) -> tuple[tuple[int, Any], ...]:
    """Orders [2] before [10] and an index before a name at the same depth."""
    return tuple((0, part) if isinstance(part, int) else (1, part) for part in location)
