"""The target table side of a load step, inside the step's transaction: DDL, rejects, duplicates, merge.

Source columns match table columns by name, ignoring case. New tables and columns take the source name in
lower case (PostgreSQL's folding of unquoted names, so SQL scripts need no quotes).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import psycopg

from datamart_load import ledger, pgtypes
from datamart_load.plan import LoadStep
from datamart_load.sources import Source
from datamart_load.sql import ident, literal, qualified
from datamart_load.staging import Stage

LOG = logging.getLogger("datamart_load")


class TargetError(ValueError):
    """The target table and the source do not fit together; the message names the table and column."""


@dataclass(frozen=True)
class Column:
    staging: str  # staging column name (c0…)
    target: str  # target column name
    target_type: str
    needs_cast: bool

    @property
    def value(self) -> str:
        """The staging value as the target column's type."""
        return f"s.{self.staging}::{self.target_type}" if self.needs_cast else f"s.{self.staging}"

    @property
    def comparable(self) -> str:
        # json has no equality operator; its jsonb form compares by value.
        return f"({self.value})::jsonb" if self.target_type == "json" else self.value

    def comparable_target(self) -> str:
        return f"t.{ident(self.target)}::jsonb" if self.target_type == "json" else f"t.{ident(self.target)}"


@dataclass(frozen=True)
class TargetPlan:
    columns: tuple[Column, ...]
    keys: tuple[Column, ...]
    ddl: tuple[str, ...]
    after_load: tuple[str, ...]  # once the rows are in
    checks: tuple[tuple[str, str, str], ...]  # (column name, value as text, reason SQL)


def existing_columns(connection: psycopg.Connection, step: LoadStep) -> dict[str, tuple[str, str]] | None:
    """The table's columns (lower-case name → (name, type)), or None when the table does not exist."""
    if not connection.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (step.schema,)).fetchone():
        raise TargetError(
            f"{step.target_table}: schema {step.schema!r} does not exist (a schema script creates it)"
        )
    rows = connection.execute(
        """SELECT a.attname, format_type(a.atttypid, a.atttypmod)
           FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = %s AND c.relname = %s AND c.relkind IN ('r', 'p') AND a.attnum > 0
             AND NOT a.attisdropped ORDER BY a.attnum""",
        (step.schema, step.table),
    ).fetchall()
    if not rows:
        return None
    columns: dict[str, tuple[str, str]] = {}
    for name, type_name in rows:
        if name.lower() in columns:
            raise TargetError(
                f"{step.target_table}: columns {columns[name.lower()][0]!r} and {name!r} differ only in case"
            )
        columns[name.lower()] = (name, type_name)
    return columns


def plan_target(step: LoadStep, source: Source, existing: dict[str, tuple[str, str]] | None) -> TargetPlan:
    table = qualified(step.schema, step.table)
    by_name = {
        column.name.lower(): (staging, column)
        for staging, column in zip(source.staging_names, source.columns, strict=True)
    }
    missing_keys = [key for key in step.upsert_keys if key not in by_name]
    if missing_keys:
        raise TargetError(f"{step.target_table}: upsert key(s) {missing_keys} are not columns of the source")
    columns, ddl, new, after_load = [], [], [], []
    for folded, (staging, column) in by_name.items():
        if existing is not None and folded in existing:
            name, type_name = existing[folded]
            columns.append(Column(staging, name, type_name, needs_cast=type_name != column.pg_type))
            continue
        if existing is not None and step.on_new_column == "ignore":
            continue
        columns.append(Column(staging, folded, column.pg_type, needs_cast=False))
        new.append((folded, column.pg_type))
    if existing is None:
        keys = ", ".join(ident(key) for key in step.upsert_keys)
        definitions = ", ".join(f"{ident(name)} {type_name}" for name, type_name in new)
        ddl.append(f"CREATE TABLE {table} ({definitions})")
        # Built from the loaded rows at once (a sort) rather than row by row: a first load of the benchmark's
        # million rows into a new table takes 15-25% less time than into an empty indexed one.
        after_load.append(f"ALTER TABLE {table} ADD PRIMARY KEY ({keys})")
    elif new and step.on_new_column == "fail":
        raise TargetError(
            f"{step.target_table}: source column(s) {[name for name, _ in new]} are not in the table "
            "(on_new_column is 'fail')"
        )
    else:
        ddl.extend(f"ALTER TABLE {table} ADD COLUMN {ident(name)} {type_name}" for name, type_name in new)
    key_columns = tuple(next(c for c in columns if c.target.lower() == key) for key in step.upsert_keys)
    checks = [
        (c.target, f"s.{c.staging}::text", f"CASE WHEN s.{c.staging} IS NULL THEN 'null key' END")
        for c in key_columns
    ]
    for c in columns:
        if c.needs_cast:
            reason = pgtypes.fits(f"s.{c.staging}::text", c.target_type)
            if reason:
                checks.append((c.target, f"s.{c.staging}::text", reason))
    return TargetPlan(tuple(columns), key_columns, tuple(ddl), tuple(after_load), tuple(checks))


def takes_rows_as_they_come(connection, step: LoadStep, plan: TargetPlan, existing) -> bool:
    """Whether every source row can be inserted as it is: the table is new, or empty with an immediate
    unique index on exactly the keys, which are NOT NULL, and no value needs a cast. A duplicate or null key
    then fails the COPY instead of being rejected or collapsed (the caller stages the step instead)."""
    if any(column.needs_cast for column in plan.columns):
        return False
    if existing is None:
        return True
    table = qualified(step.schema, step.table)
    return connection.execute(
        f"""SELECT NOT EXISTS (SELECT FROM {table}) AND EXISTS (
                SELECT FROM pg_index i
                WHERE i.indrelid = %(table)s::regclass AND i.indisunique AND i.indimmediate
                  AND i.indpred IS NULL AND i.indexprs IS NULL
                  AND (SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_attribute a
                       WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) AND a.attnotnull)
                      = %(keys)s::text[])""",
        {"table": table, "keys": sorted(key.target for key in plan.keys)},
    ).fetchone()[0]


# How long a first load waits for readers of the empty table before it keeps the indexes instead: waiting
# longer would queue every new query of the table behind the drop.
DROP_LOCK_TIMEOUT = "2s"


def defer_index_builds(connection, step: LoadStep) -> tuple[str, ...]:
    """Drop an empty table's indexes for a first load and return the statements that build them again from
    the loaded rows (PostgreSQL's "Populating a Database" advice: one sort instead of a million btree
    insertions, 20-25% of the benchmark's first load). The caller holds the step's transaction, so a failed
    rebuild (a duplicate key) rolls the drop back with the rows, and readers wait for the table (ACCESS
    EXCLUSIVE) rather than seeing it without its indexes.

    Returns () and drops nothing when rebuilding could not restore the table exactly (it is partitioned or a
    partition, a foreign key references it, its replica identity or CLUSTER uses an index, an index or
    constraint has a comment, an index a tablespace or statistics target of its own, or the loader does not
    own it), when a reader holds the table for more than DROP_LOCK_TIMEOUT, or when PostgreSQL refuses a
    drop (an object depends on an index): the load then goes into the indexed table."""
    table = qualified(step.schema, step.table)
    keeps_indexes = connection.execute(
        """SELECT c.relkind = 'p' OR c.relispartition OR c.relreplident = 'i'
                  OR NOT pg_has_role(c.relowner, 'USAGE')
                  OR EXISTS (SELECT FROM pg_constraint f WHERE f.confrelid = c.oid AND f.contype = 'f')
                  OR EXISTS (SELECT FROM pg_constraint k WHERE k.conrelid = c.oid
                             AND obj_description(k.oid, 'pg_constraint') IS NOT NULL)
                  OR EXISTS (SELECT FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                             WHERE i.indrelid = c.oid
                               AND (i.indisclustered OR ic.reltablespace <> 0
                                    OR obj_description(i.indexrelid, 'pg_class') IS NOT NULL
                                    OR EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = i.indexrelid
                                               AND a.attstattarget >= 0)))
           FROM pg_class c WHERE c.oid = %s::regclass""",
        (table,),
    ).fetchone()[0]
    if keeps_indexes:
        return ()
    # Constraint-backed indexes (primary key, unique, exclusion) come back as their constraints, the primary
    # key first (a duplicate key shows before the other builds); the others as their CREATE INDEX.
    # pg_get_*def qualify every name, whatever the search_path.
    indexes = connection.execute(
        """SELECT con.conname, pg_get_constraintdef(con.oid), pg_get_indexdef(i.indexrelid),
                  i.indexrelid::regclass::text
           FROM pg_index i
           LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
                                      AND con.contype IN ('p', 'u', 'x')
           WHERE i.indrelid = %s::regclass
           ORDER BY (con.contype = 'p') IS TRUE DESC, i.indexrelid""",
        (table,),
    ).fetchall()
    timeout = connection.execute("SELECT current_setting('lock_timeout')").fetchone()[0]
    rebuilds = []
    try:
        with connection.transaction():
            connection.execute("SELECT set_config('lock_timeout', %s, true)", (DROP_LOCK_TIMEOUT,))
            for constraint, constraint_def, index_def, index in indexes:
                if constraint is None:
                    connection.execute(f"DROP INDEX {index}")
                    rebuilds.append(index_def)
                else:
                    name = ident(constraint)
                    connection.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
                    rebuilds.append(f"ALTER TABLE {table} ADD CONSTRAINT {name} {constraint_def}")
            connection.execute("SELECT set_config('lock_timeout', %s, true)", (timeout,))
    except (
        psycopg.errors.LockNotAvailable,
        psycopg.errors.DependentObjectsStillExist,
        psycopg.errors.InvalidTableDefinition,
    ) as refused:
        LOG.info("%s keeps its indexes through the load: %s", step.target_table, refused)
        return ()
    return tuple(rebuilds)


def reject_rows(connection, plan: TargetPlan, stage: Stage, source: Source, run_id: str, step_id: str) -> int:
    """Record the records that could not be read and every failed check of every staged row in the rejects
    table, delete those rows from staging.

    Returns the number of records rejected (a row failing two checks has two reject records, and counts once).
    """
    values = ", ".join(f"({literal(name)}, {value}, {reason})" for name, value, reason in plan.checks)
    connection.execute(
        f"""CREATE TEMP TABLE dm_rejected AS
            SELECT s._dm_file, s._dm_row, e.column_name, e.value, e.reason
            FROM {stage.rows} s CROSS JOIN LATERAL (VALUES {values}) AS e(column_name, value, reason)
            WHERE e.reason IS NOT NULL"""
    )
    ledger.clear_rejects(connection, run_id, step_id)
    uris = [file.uri for file in source.files]
    connection.execute(
        f"""{ledger.rejects_insert_sql()}
            SELECT %s, %s, (%s::text[])[r._dm_file + 1], r._dm_row, r.column_name, r.value, r.reason
            FROM dm_rejected r""",
        (run_id, step_id, uris),
    )
    unreadable = connection.execute(
        f"""{ledger.rejects_insert_sql()}
            SELECT %s, %s, (%s::text[])[r._dm_file + 1], r._dm_row, %s, r.value, r.reason
            FROM {stage.rejects} r""",
        (run_id, step_id, uris, ledger.WHOLE_RECORD),
    ).rowcount
    rejected = connection.execute(
        "SELECT count(*) FROM (SELECT DISTINCT _dm_file, _dm_row FROM dm_rejected) r"
    ).fetchone()[0]
    if rejected:
        connection.execute(
            f"DELETE FROM {stage.rows} s USING dm_rejected r "
            "WHERE s._dm_file = r._dm_file AND s._dm_row = r._dm_row"
        )
    connection.execute("DROP TABLE dm_rejected")
    return rejected + unreadable


def collapse_duplicates(connection, plan: TargetPlan, stage: str) -> int:
    """Keep the last occurrence of each key (file order, then record order); the number of rows dropped."""
    keys = ", ".join(key.value for key in plan.keys)
    # count(DISTINCT) sorts, which is cheap on the usual key-ordered sources (3.5x a GROUP BY's hashing on
    # the benchmark); rejected rows, the only ones with a null key, are already gone.
    [duplicates] = connection.execute(f"SELECT count(*) - count(DISTINCT ({keys})) FROM {stage} s").fetchone()
    if duplicates:
        connection.execute(
            f"""DELETE FROM {stage} WHERE ctid IN (
                    SELECT ctid FROM (
                        SELECT s.ctid, row_number() OVER (
                            PARTITION BY {keys} ORDER BY s._dm_file DESC, s._dm_row DESC) AS n
                        FROM {stage} s) ranked
                    WHERE n > 1)"""
        )
    return int(duplicates)


def merge(connection, step: LoadStep, plan: TargetPlan, stage: str) -> tuple[int, int]:
    """Update changed rows and insert new ones set-wise; (inserted, updated)."""
    table = qualified(step.schema, step.table)
    match = " AND ".join(f"t.{ident(key.target)} = {key.value}" for key in plan.keys)
    others = [column for column in plan.columns if column not in plan.keys]
    updated = 0
    if others:
        assignments = ", ".join(f"{ident(c.target)} = {c.value}" for c in others)
        changed = " OR ".join(f"{c.comparable_target()} IS DISTINCT FROM {c.comparable}" for c in others)
        updated = connection.execute(
            f"UPDATE {table} t SET {assignments} FROM {stage} s WHERE {match} AND ({changed})"
        ).rowcount
    names = ", ".join(ident(c.target) for c in plan.columns)
    values = ", ".join(c.value for c in plan.columns)
    inserted = connection.execute(
        f"INSERT INTO {table} ({names}) SELECT {values} FROM {stage} s "
        f"WHERE NOT EXISTS (SELECT FROM {table} t WHERE {match})"
    ).rowcount
    return inserted, updated
