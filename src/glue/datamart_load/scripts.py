"""SQL steps: a script runs statement by statement in one transaction, with the run's parameters as settings.

Scripts read parameters with ``current_setting('datamart.run_id')`` (also ``datamart.step_id`` and each plan
parameter, e.g. ``datamart.date_prefix``): values are never pasted into SQL text. Schema scripts are applied
once per database, recorded by file name with their SHA-256; a changed checksum is an error (Flyway's rule).
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass

import psycopg

from datamart_load import ledger, storage
from datamart_load.plan import Plan, SqlStep

_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")


class ScriptError(RuntimeError):
    """A script failed or may not run; the message names the script (statement, line, PostgreSQL's text)."""


@dataclass(frozen=True)
class Statement:
    text: str
    line: int  # of its first character in the script, from 1


def split_statements(script: str) -> list[Statement]:
    """The script's statements, split at semicolons outside quotes, dollar quotes and comments."""
    statements, start, i, depth = [], None, 0, 0
    length = len(script)

    def close(end: int) -> None:
        nonlocal start
        if start is not None:
            statements.append(Statement(script[start:end].strip(), script.count("\n", 0, start) + 1))
        start = None

    while i < length:
        char = script[i]
        if script.startswith("--", i):
            newline = script.find("\n", i)
            i = length if newline < 0 else newline + 1
            continue
        if script.startswith("/*", i):
            depth, i = 1, i + 2
            while i < length and depth:
                if script.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif script.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
            continue
        if char.isspace():
            i += 1
            continue
        if char == ";":
            close(i)
            i += 1
            continue
        if start is None:
            start = i
        if char in "'\"":
            # E'…' strings take backslash escapes; '' and "" double the quote everywhere.
            escapes = char == "'" and i > 0 and script[i - 1] in "eE"
            i += 1
            while i < length:
                if escapes and script[i] == "\\":
                    i += 2
                elif script[i] == char:
                    if script.startswith(char * 2, i):
                        i += 2
                    else:
                        break
                else:
                    i += 1
            i += 1
            continue
        tag = _DOLLAR_TAG.match(script, i) if char == "$" else None
        if tag and not (i > 0 and (script[i - 1].isalnum() or script[i - 1] == "_")):
            end = script.find(tag.group(0), tag.end())
            i = length if end < 0 else end + len(tag.group(0))
            continue
        i += 1
    close(length)
    return [statement for statement in statements if statement.text]


def _settings(connection: psycopg.Connection, plan: Plan, step: SqlStep) -> None:
    values = {**plan.parameters, "run_id": plan.run_id, "step_id": step.id}
    for name, value in values.items():
        connection.execute("SELECT set_config(%s, %s, true)", (f"datamart.{name}", value))


def _failure(uri: str, statement: Statement, error: psycopg.Error) -> ScriptError:
    line = statement.line
    position = error.diag.statement_position
    if position:
        line += statement.text.count("\n", 0, int(position) - 1)
    first_line = statement.text.splitlines()[0]
    return ScriptError(
        f"script {uri}: statement at line {line} ({first_line[:80]!r}) failed: "
        f"{error.diag.message_primary or error}"
    )


def run_script(connection: psycopg.Connection, plan: Plan, step: SqlStep) -> dict:
    """Run the step's script and record it applied, all in one transaction; the ledger fields it set."""
    script = storage.read_bytes(step.script_uri)
    checksum = hashlib.sha256(script).hexdigest()
    try:
        statements = split_statements(script.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ScriptError(f"script {step.script_uri}: not UTF-8 ({error})") from error
    name = posixpath.basename(step.script_uri)
    with connection.transaction():
        action = "applied"
        if step.mode == "schema":
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (ledger.lock_key("schema_script", name),))
            recorded = ledger.schema_script_checksum(connection, name)
            if recorded is not None and recorded != checksum:
                raise ScriptError(
                    f"schema script {name} ({step.script_uri}) changed since it was applied: "
                    f"checksum {checksum} is not the recorded {recorded}. Schema scripts are immutable: "
                    "add a new script instead."
                )
            action = "already applied" if recorded else "applied"
        if action == "applied":
            _settings(connection, plan, step)
            for statement in statements:
                try:
                    connection.execute(statement.text)
                except psycopg.Error as error:
                    raise _failure(step.script_uri, statement, error) from error
            if step.mode == "schema":
                ledger.record_schema_script(connection, name, checksum, plan.run_id, step.id)
        fields = {"script_checksum": checksum, "script_action": action}
        ledger.finish_step(connection, plan.run_id, step.id, "applied", **fields)
    return fields
