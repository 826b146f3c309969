"""Quoting for the SQL text the engine builds (identifiers it validated, literals it owns)."""

from __future__ import annotations


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str, table: str) -> str:
    return f"{ident(schema)}.{ident(table)}"


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
