"""What a run leaves behind that the workflow removes: staging tables of an attempt killed mid-step."""

from __future__ import annotations

import psycopg
from datamart_load.staging_names import drop_left_over


def drop_staging(dsn: str, run_id: str, step_ids: list[str]) -> int:
    with psycopg.connect(dsn, autocommit=True) as connection:
        return drop_left_over(connection, run_id, step_ids)
