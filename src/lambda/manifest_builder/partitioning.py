"""Assigns a file to its date partition (`date_prefix`, YYYY-MM-DD)."""

from __future__ import annotations

import re
from datetime import date, datetime

_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def date_in(text: str) -> str | None:
    """The first real calendar date written as YYYY-MM-DD in the text."""
    for match in _DATE.finditer(text):
        try:
            return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
        except ValueError:
            continue
    return None


def impossible_date_in(text: str) -> str | None:
    """A YYYY-MM-DD written in the text that is no calendar date (`2025-02-30`), when it has no real one."""
    if date_in(text):
        return None
    match = _DATE.search(text)
    return match[0] if match else None


def date_prefix_for(key: str, now: datetime) -> tuple[str, bool]:
    """(date_prefix, found): the file name's date, else the key's, else today's UTC date (found=False)."""
    name = key.rsplit("/", 1)[-1]
    found = date_in(name) or date_in(key)
    if found:
        return found, True
    return now.date().isoformat(), False


def is_past(date_prefix: str, now: datetime) -> bool:
    return date_prefix < now.date().isoformat()
