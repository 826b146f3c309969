"""The ledger schema ``datamart_ledger``: every read and write of runs, steps, rejects and schema scripts.

A step's ledger row turns ``applied`` in the same transaction as its data changes, so a run killed at any
moment leaves both or neither, and a rerun with the same ``run_id`` skips exactly the applied steps.
"""

from __future__ import annotations

import hashlib

import psycopg
from psycopg.rows import dict_row

SCHEMA = "datamart_ledger"
STAGING_SCHEMA = "datamart_staging"
# Bumped with every change of _DDL: a database whose ledger has this version needs no DDL (which would
# otherwise queue behind running steps' locks, e.g. CREATE INDEX IF NOT EXISTS on rejects).
VERSION = "datamart_load ledger 1"
# The rejects' column_name of a record that could not be read into columns (its value: the record's text).
WHOLE_RECORD = "*"
COUNTS = ("source_files", "source_rows", "inserted", "updated", "unchanged", "duplicates", "rejected")

_DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE SCHEMA IF NOT EXISTS {STAGING_SCHEMA};
CREATE TABLE IF NOT EXISTS {SCHEMA}.runs (
    run_id text PRIMARY KEY,
    status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    attempts integer NOT NULL DEFAULT 1,
    started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at timestamptz,
    error text
);
CREATE TABLE IF NOT EXISTS {SCHEMA}.steps (
    run_id text NOT NULL REFERENCES {SCHEMA}.runs,
    step_id text NOT NULL,
    position integer NOT NULL,
    type text NOT NULL,
    target text NOT NULL,
    status text NOT NULL CHECK (status IN ('running', 'applied', 'failed')),
    attempts integer NOT NULL DEFAULT 1,
    started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at timestamptz,
    source_files bigint,
    source_rows bigint,
    inserted bigint,
    updated bigint,
    unchanged bigint,
    duplicates bigint,
    rejected bigint,
    script_checksum text,
    script_action text,
    error text,
    PRIMARY KEY (run_id, step_id)
);
CREATE TABLE IF NOT EXISTS {SCHEMA}.rejects (
    run_id text NOT NULL,
    step_id text NOT NULL,
    source_uri text NOT NULL,
    record_number bigint NOT NULL,
    column_name text NOT NULL,
    value text,
    reason text NOT NULL,
    FOREIGN KEY (run_id, step_id) REFERENCES {SCHEMA}.steps
);
CREATE INDEX IF NOT EXISTS rejects_step ON {SCHEMA}.rejects (run_id, step_id);
CREATE TABLE IF NOT EXISTS {SCHEMA}.schema_scripts (
    script_name text PRIMARY KEY,
    checksum text NOT NULL,
    run_id text NOT NULL,
    step_id text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- PostgreSQL 15 has no pg_input_is_valid: a value's cast error (or NULL) through an exception block. Only
-- values no regular expression vouches for reach it (pgtypes.fits).
CREATE OR REPLACE FUNCTION {SCHEMA}.cast_error(value text, type_name text) RETURNS text
LANGUAGE plpgsql STABLE COST 1000 AS $$
BEGIN
    EXECUTE format('SELECT %L::%s', value, type_name);
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLERRM;
END
$$;
COMMENT ON SCHEMA {SCHEMA} IS '{VERSION}';
"""


def lock_key(*parts: str) -> int:
    """A signed 64-bit advisory lock key for the given names (stable across processes and versions)."""
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _installed(connection: psycopg.Connection) -> bool:
    row = connection.execute(
        "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = %s", (SCHEMA,)
    ).fetchone()
    return bool(row) and row[0] == VERSION


def install(connection: psycopg.Connection) -> None:
    """Create or update the ledger schema (serialised: concurrent first runs would race on CREATE)."""
    if _installed(connection):
        return
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key("datamart_load", "ledger"),))
        if not _installed(connection):
            connection.execute(_DDL)


def start_run(connection: psycopg.Connection, run_id: str) -> None:
    with connection.transaction():
        connection.execute(
            f"""INSERT INTO {SCHEMA}.runs (run_id, status) VALUES (%s, 'running')
                ON CONFLICT (run_id) DO UPDATE SET status = 'running', attempts = runs.attempts + 1,
                    started_at = clock_timestamp(), finished_at = NULL, error = NULL""",
            (run_id,),
        )


def finish_run(connection: psycopg.Connection, run_id: str, error: str | None) -> None:
    with connection.transaction():
        connection.execute(
            f"UPDATE {SCHEMA}.runs SET status = %s, finished_at = clock_timestamp(), error = %s "
            "WHERE run_id = %s",
            ("failed" if error else "succeeded", error, run_id),
        )


def step_applied(connection: psycopg.Connection, run_id: str, step_id: str) -> bool:
    row = connection.execute(
        f"SELECT status FROM {SCHEMA}.steps WHERE run_id = %s AND step_id = %s", (run_id, step_id)
    ).fetchone()
    return bool(row) and row[0] == "applied"


def start_step(
    connection: psycopg.Connection, run_id: str, step_id: str, position: int, kind: str, target: str
) -> None:
    """Mark an attempt of the step as running (committed: the ledger shows what a killed run was doing)."""
    with connection.transaction():
        connection.execute(
            f"""INSERT INTO {SCHEMA}.steps (run_id, step_id, position, type, target, status)
                VALUES (%s, %s, %s, %s, %s, 'running')
                ON CONFLICT (run_id, step_id) DO UPDATE SET status = 'running', attempts = steps.attempts + 1,
                    started_at = clock_timestamp(), finished_at = NULL, error = NULL""",
            (run_id, step_id, position, kind, target),
        )


def finish_step(
    connection: psycopg.Connection,
    run_id: str,
    step_id: str,
    status: str,
    counts: dict | None = None,
    error: str | None = None,
    script_checksum: str | None = None,
    script_action: str | None = None,
) -> None:
    """Record the step's outcome; call inside the transaction that applies (or refuses) its changes."""
    counts = counts or {}
    connection.execute(
        f"""UPDATE {SCHEMA}.steps SET status = %s, finished_at = clock_timestamp(), error = %s,
                script_checksum = %s, script_action = %s, {", ".join(f"{name} = %s" for name in COUNTS)}
            WHERE run_id = %s AND step_id = %s""",
        (
            status,
            error,
            script_checksum,
            script_action,
            *(counts.get(name) for name in COUNTS),
            run_id,
            step_id,
        ),
    )


def clear_rejects(connection: psycopg.Connection, run_id: str, step_id: str) -> None:
    connection.execute(f"DELETE FROM {SCHEMA}.rejects WHERE run_id = %s AND step_id = %s", (run_id, step_id))


def rejects_insert_sql() -> str:
    return (
        f"INSERT INTO {SCHEMA}.rejects "
        "(run_id, step_id, source_uri, record_number, column_name, value, reason)"
    )


def schema_script_checksum(connection: psycopg.Connection, script_name: str) -> str | None:
    """The recorded checksum of an applied schema script, locking its row until the transaction ends."""
    row = connection.execute(
        f"SELECT checksum FROM {SCHEMA}.schema_scripts WHERE script_name = %s FOR UPDATE", (script_name,)
    ).fetchone()
    return row[0] if row else None


def record_schema_script(
    connection: psycopg.Connection, script_name: str, checksum: str, run_id: str, step_id: str
) -> None:
    connection.execute(
        f"INSERT INTO {SCHEMA}.schema_scripts (script_name, checksum, run_id, step_id) "
        "VALUES (%s, %s, %s, %s)",
        (script_name, checksum, run_id, step_id),
    )


def run_status(connection: psycopg.Connection, run_id: str) -> dict | None:
    """The run and its steps as recorded, or None for an unknown run."""
    with connection.cursor(row_factory=dict_row) as cursor:
        run = cursor.execute(f"SELECT * FROM {SCHEMA}.runs WHERE run_id = %s", (run_id,)).fetchone()
        if run is None:
            return None
        steps = cursor.execute(
            f"SELECT * FROM {SCHEMA}.steps WHERE run_id = %s ORDER BY position", (run_id,)
        ).fetchall()
    return {**run, "steps": steps}
