"""The names of a step's staging tables (no pyarrow here: the workflow's functions import it to clean up)."""

from __future__ import annotations

from datamart_load.ledger import STAGING_SCHEMA, lock_key
from datamart_load.sql import qualified


def _base_name(run_id: str, step_id: str) -> str:
    # A hash keeps the name a valid identifier for any run and step id; the step's lock makes it exclusive.
    return f"s_{lock_key(run_id, step_id) & ((1 << 63) - 1):x}"


def staging_table(run_id: str, step_id: str) -> str:
    """The table of the step's staged records."""
    return qualified(STAGING_SCHEMA, _base_name(run_id, step_id))


def rejects_table(run_id: str, step_id: str) -> str:
    """The table of the step's records that could not be read into columns."""
    return qualified(STAGING_SCHEMA, f"{_base_name(run_id, step_id)}_rejects")


def drop_left_over(connection, run_id: str, step_ids: list[str]) -> int:
    """Drops what a killed attempt of the run left in staging (a finished step drops its own); the number of
    tables dropped."""
    dropped = 0
    for step_id in step_ids:
        for table in (staging_table(run_id, step_id), rejects_table(run_id, step_id)):
            if connection.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is not None:
                connection.execute(f"DROP TABLE IF EXISTS {table}")
                dropped += 1
    return dropped
