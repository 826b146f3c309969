"""Fixtures: a fresh database per test (on the session's server, tests/conftest.py), source/plan writers."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest


def pytest_collection_modifyitems(items):
    # Marked by what they use, so `-m "not postgres"` leaves them out.
    for item in items:
        if "postgres" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture
def dsn(postgres) -> str:
    """A new empty database with a ``dm`` schema (targets need an existing schema)."""
    url = postgres.create_database()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("CREATE SCHEMA dm")
    return url


@pytest.fixture
def db(dsn):
    with psycopg.connect(dsn, autocommit=True) as connection:
        yield connection


class Files:
    """Writes sources, scripts and plans under a test's tmp_path."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, name: str) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def parquet(self, name: str, columns: dict, schema: pa.Schema | None = None) -> str:
        path = self.path(name)
        pq.write_table(pa.table(columns, schema=schema), path)
        return str(path)

    def text(self, name: str, content: str) -> str:
        path = self.path(name)
        path.write_text(content)
        return str(path)

    def ndjson(self, name: str, records: list[dict]) -> str:
        return self.text(name, "".join(json.dumps(record) + "\n" for record in records))

    def plan(self, steps: list[dict], run_id: str = "run-1", **fields) -> str:
        return self.text(f"plans/{run_id}.json", json.dumps({"run_id": run_id, "steps": steps, **fields}))


@pytest.fixture
def files(tmp_path: Path) -> Files:
    return Files(tmp_path)


def run(dsn: str, steps: list[dict], run_id: str = "run-1", **fields) -> dict:
    from datamart_load.engine import run_plan
    from datamart_load.plan import parse_plan

    return run_plan(parse_plan({"run_id": run_id, "steps": steps, **fields}), dsn)


def rows(db, table: str = "dm.customer") -> list[tuple]:
    return db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()


def load_step(
    uris: list[str] | str, table: str = "dm.customer", keys=("id",), fmt="parquet", **fields
) -> dict:
    uris = [uris] if isinstance(uris, str) else uris
    return {
        "id": fields.pop("id", "load"),
        "type": "load",
        "source_uris": uris,
        "format": fmt,
        "target_table": table,
        "upsert_keys": list(keys),
        **fields,
    }
