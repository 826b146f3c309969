"""What CheckResults verifies: the engine's ledger against the plan, then the bundle's declared checks."""

from __future__ import annotations

from typing import Any

import psycopg
from datamart_load import ledger

# A load step's source rows all go somewhere (the engine's README, "Load semantics").
OUTCOMES = ("inserted", "updated", "unchanged", "duplicates", "rejected")
SHOWN_ROWS = 3


def ledger_problems(plan: dict[str, Any], recorded: dict[str, Any] | None) -> tuple[list[str], list[dict]]:
    """Problems (each naming its step) and each load step's counts, from the run as the ledger has it."""
    if recorded is None:
        return [f"run {plan['run_id']} is not in the ledger: the load never started"], []
    steps = {step["step_id"]: step for step in recorded["steps"]}
    problems, loads = [], []
    for step in plan["steps"]:
        row = steps.get(step["id"])
        if row is None or row["status"] != "applied":
            status = "never run" if row is None else row["status"]
            detail = f": {row['error']}" if row and row.get("error") else ""
            problems.append(f"step {step['id']} is not applied ({status}){detail}")
            continue
        if step["type"] != "load":
            continue
        counts = {name: row[name] or 0 for name in ("source_rows", *OUTCOMES)}
        if counts["source_rows"] != sum(counts[name] for name in OUTCOMES):
            problems.append(
                f"step {step['id']}: {counts['source_rows']} source rows but "
                + " + ".join(f"{counts[name]} {name}" for name in OUTCOMES)
            )
        loads.append({"step": step["id"], "table": step["target_table"], **counts})
    return problems, loads


def read_ledger(connection: psycopg.Connection, run_id: str) -> dict[str, Any] | None:
    """The run as the ledger has it; None when unknown, also before any run created the ledger."""
    installed = connection.execute(
        "SELECT 1 FROM pg_namespace WHERE nspname = %s", (ledger.SCHEMA,)
    ).fetchone()
    return ledger.run_status(connection, run_id) if installed else None


def check_problems(
    connection: psycopg.Connection, checks: list[tuple[dict[str, Any], str]]
) -> tuple[list[str], list[dict]]:
    """Runs each check's query read-only; a check returning rows is a problem naming it and its first rows."""
    problems, results = [], []
    for check, sql in checks:
        where = f"check {check['id']}" + (f" ({check['layer']})" if check.get("layer") else "")
        try:
            with connection.transaction():
                connection.execute("SET TRANSACTION READ ONLY")
                rows = connection.execute(sql).fetchall()
        except psycopg.Error as error:
            problems.append(f"{where} ({check['script']}) could not run: {str(error).strip()}")
            results.append({"id": check["id"], "layer": check.get("layer"), "passed": False})
            continue
        if rows:
            shown = ", ".join(repr(tuple(row)) for row in rows[:SHOWN_ROWS])
            problems.append(f"{where} ({check['script']}) returned {len(rows)} row(s): {shown}")
        results.append(
            {"id": check["id"], "layer": check.get("layer"), "passed": not rows, "rows": len(rows)}
        )
    return problems, results
