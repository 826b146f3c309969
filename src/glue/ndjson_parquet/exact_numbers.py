"""Exact text of JSON numbers, for the lines Spark's JSON parser would re-render.

Spark renders a non-string JSON value as text by re-serialising its tokens through Jackson, which reads every
fractional number as a double: ``12345678901234567890.123`` becomes ``1.2345678901234567E19``, ``1e400``
becomes ``"Infinity"``, ``2.50`` becomes ``2.5`` and ``12345678.5`` becomes ``1.23456785E7``. Integers are
copied exactly. A line holding a number that may not survive the double (``AT_RISK_NUMBER``) is parsed here
instead, keeping every number as written, nested ones included.
"""

from __future__ import annotations

import json
from typing import Any

# A fractional or exponent number that Java's Double.toString may not give back as written: a trailing zero
# after another fraction digit (`2.50`; `5.0` comes back as written), an exponent, 8+ integer digits or below
# 1e-3 (Java switches to E notation), or more than 15 significant digits (beyond what a double round-trips).
# A number with at most 7 integer and 8 fraction digits and none of these comes back unchanged. The pattern
# does not know JSON strings, so it may flag a line for digits inside a string: that costs speed on that
# line, never correctness.
# Every branch starts with a literal `.` or `e`/`E` and looks behind only once that matched: Spark runs this
# regex on every line, and a leading `[0-9]` made Java try each branch at each character.
AT_RISK_NUMBER = r"\.(?:[0-9]+0(?![0-9])|[0-9]{9}|000|(?<=[0-9]{8}\.)[0-9])|[eE](?<=[0-9][eE])[-+]?[0-9]"


class _Number(str):
    """A JSON number kept as its source text."""


def _render(value: Any) -> str:
    """JSON text of a parsed value, compact, as Spark renders nested values."""
    if isinstance(value, _Number):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ",".join(_render(item) for item in value) + "]"
    members = (f"{json.dumps(name, ensure_ascii=False)}:{_render(item)}" for name, item in value.items())
    return "{" + ",".join(members) + "}"


def parse_exact(line: str | None) -> dict[str, str | None] | None:
    """The fields of one NDJSON line as strings, numbers as written; None unless the line is one JSON object.

    Top-level strings are their text, other values their JSON text, null stays null: the same shape as Spark's
    ``from_json(line, map<string,string>)``.
    """
    if line is None:
        return None
    try:
        record = json.loads(line, parse_int=_Number, parse_float=_Number, parse_constant=_Number)
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    return {
        name: None if value is None else value if type(value) is str else _render(value)
        for name, value in record.items()
    }
