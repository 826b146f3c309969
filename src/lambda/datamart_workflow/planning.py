"""A run's plan, derived from the request and the bundle's version alone: the same input gives the same plan.

The run id too, unless the request names one: `<bundle>-<date>-<version's first 8 hex digits>` for a date,
else `<bundle or "loads">-<16 hex digits of the SHA-256 of the request and the version>`. A new bundle
version therefore plans a new run, and the same request again resumes (or re-checks) the same run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from . import layout
from .bundles import INTAKE_SOURCE, Bundle
from .requests import MANIFEST_ID, Request

LOAD_OPTIONS = ("max_reject_ratio", "on_new_column", "csv")


@dataclass(frozen=True)
class PlannedRun:
    run_id: str
    plan: dict[str, Any]
    plan_uri: str
    bundle: str | None
    bundle_version: str | None
    sources: list[str]
    manifest_ids: list[str]
    request: dict[str, Any]

    def record(self) -> dict[str, Any]:
        """The run record's fields the plan fixes (runs.RunStore adds status, attempts and times)."""
        return {
            "run_id": self.run_id,
            "bundle": self.bundle,
            "bundle_version": self.bundle_version,
            "plan_uri": self.plan_uri,
            "sources": self.sources,
            "manifest_ids": self.manifest_ids,
            "request": self.request,
            "steps": [step["id"] for step in self.plan["steps"]],
        }


def run_id(request: Request, bundle_version: str | None) -> str:
    if request.run_id:
        return request.run_id
    if request.date_prefix:
        return f"{request.bundle}-{request.date_prefix}-{bundle_version[:8]}"
    canonical = json.dumps([request.identity(), bundle_version], sort_keys=True, separators=(",", ":"))
    return f"{request.bundle or 'loads'}-{hashlib.sha256(canonical.encode()).hexdigest()[:16]}"


def intake_sources(request: Request, intake_bucket: str, parquet_prefix: str) -> list[str]:
    """The URIs the bundle's `intake` loads read: the request's sources, or the intake's Parquet."""
    if request.sources:
        return list(request.sources)
    if request.date_prefix:
        return [f"s3://{intake_bucket}/{layout.intake_date_prefix(parquet_prefix, request.date_prefix)}"]
    return [
        f"s3://{intake_bucket}/{layout.intake_manifest_prefix(parquet_prefix, _manifest_date(m), m)}"
        for m in request.manifest_ids
    ]


def _manifest_date(manifest_id: str) -> str:
    return MANIFEST_ID.match(manifest_id)[1]


def plan_bundle_run(
    request: Request, bundle: Bundle, config_bucket: str, intake_bucket: str, parquet_prefix: str
) -> PlannedRun:
    identifier = run_id(request, bundle.version)
    sources = intake_sources(request, intake_bucket, parquet_prefix)

    def snapshot(path: str) -> str:
        return f"s3://{config_bucket}/{layout.run_bundle_key(identifier, path)}"

    steps = []
    for step in bundle.steps:
        if step["type"] == "sql":
            steps.append(
                {
                    "id": step["id"],
                    "type": "sql",
                    "script_uri": snapshot(step["script"]),
                    "mode": step.get("mode", "transform"),
                }
            )
            continue
        steps.append(
            {
                "id": step["id"],
                "type": "load",
                "source_uris": sources if step["source"] == INTAKE_SOURCE else [snapshot(step["source"])],
                "format": step["format"],
                "target_table": step["target_table"],
                "upsert_keys": step["upsert_keys"],
                **{name: step[name] for name in LOAD_OPTIONS if name in step},
            }
        )
    dates = (
        {request.date_prefix} if request.date_prefix else {_manifest_date(m) for m in request.manifest_ids}
    )
    parameters = {"bundle": bundle.name, "bundle_version": bundle.version}
    if len(dates) == 1:
        parameters["date_prefix"] = dates.pop()
    plan = {"run_id": identifier, "parameters": parameters, "steps": steps}
    return PlannedRun(
        run_id=identifier,
        plan=plan,
        plan_uri=f"s3://{config_bucket}/{layout.plan_key(identifier)}",
        bundle=bundle.name,
        bundle_version=bundle.version,
        sources=sources,
        manifest_ids=list(request.manifest_ids),
        request=request.identity(),
    )


def plan_loads_run(request: Request, config_bucket: str) -> PlannedRun:
    """The file router's loads: one load step each, as given; no bundle, so no scripts and no checks."""
    identifier = run_id(request, None)
    steps = [
        {
            "type": "load",
            **{name: load[name] for name in ("id", "source_uris", "format", "target_table", "upsert_keys")},
        }
        for load in request.loads
    ]
    return PlannedRun(
        run_id=identifier,
        plan={"run_id": identifier, "parameters": {}, "steps": steps},
        plan_uri=f"s3://{config_bucket}/{layout.plan_key(identifier)}",
        bundle=None,
        bundle_version=None,
        sources=sorted({uri for load in request.loads for uri in load["source_uris"]}),
        manifest_ids=[],
        request=request.identity(),
    )
