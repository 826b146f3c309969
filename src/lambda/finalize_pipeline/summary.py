"""The run's summary: rows per table of the bundle (by layer), the loads' counts and rejects, the duration."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql


def table_rows(connection: psycopg.Connection, tables: list[str]) -> dict[str, int]:
    """Exact row counts: the bundle's tables are data-mart sized (use pg_class.reltuples past that)."""
    counts = {}
    for table in tables:
        schema, name = table.split(".")
        counts[table] = connection.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, name))
        ).fetchone()[0]
    return counts


def summarize(
    run: dict[str, Any], checked: dict[str, Any], rows: dict[str, int], started_at: str, finished_at: datetime
) -> dict[str, Any]:
    started = datetime.fromisoformat(started_at.replace("Z", "+00:00"))
    layers: dict[str, dict[str, int]] = {}
    for table, count in rows.items():
        layers.setdefault(table.split(".")[0], {})[table] = count
    return {
        "run_id": run["run_id"],
        "bundle": run.get("bundle"),
        "bundle_version": run.get("bundle_version"),
        "rows": layers,
        "loads": checked.get("loads", []),
        "rejected": sum(load["rejected"] for load in checked.get("loads", [])),
        "checks_passed": sum(1 for check in checked.get("checks", []) if check["passed"]),
        "seconds": round((finished_at - started).total_seconds(), 3),
    }
