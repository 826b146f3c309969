"""The name of a step's staging table (no pyarrow here: the workflow's functions import it to clean up)."""

from __future__ import annotations

from datamart_load.ledger import STAGING_SCHEMA, lock_key
from datamart_load.sql import qualified


def staging_table(run_id: str, step_id: str) -> str:
    # A hash keeps the name a valid identifier for any run and step id; the step's lock makes it exclusive.
    return qualified(STAGING_SCHEMA, f"s_{lock_key(run_id, step_id) & ((1 << 63) - 1):x}")


def drop_left_over(connection, run_id: str, step_ids: list[str]) -> int:
    """Drops what a killed attempt of the run left in staging (a finished step drops its own); the count."""
    dropped = 0
    for step_id in step_ids:
        table = staging_table(run_id, step_id)
        if connection.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is not None:
            connection.execute(f"DROP TABLE IF EXISTS {table}")
            dropped += 1
    return dropped
