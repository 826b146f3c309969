"""How a router job's file name is compared with a landing file's: exact, glob or template.

Shared by the file router (matching) and the config rules (a pattern that does not compile is refused before
it is ever used). Every comparison is on file names trimmed and case-folded, as our users' router compared
them; a template's strftime directives are kept as written, only its literal text is case-folded.

A template is literal text with tokens: `{name}` captures any non-empty text, `{name:FORMAT}` text that
`datetime.strptime(text, FORMAT)` accepts, given as its ISO form (a date when FORMAT has no time directive).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

EXACT = "exact"
GLOB = "glob"
TEMPLATE = "template"

_TOKEN = re.compile(r"\{([a-z_][a-z0-9_]*)(?::([^{}]+))?\}")
# strftime directives a template may use, with the text each one reads (the fixed-width ones, so that
# adjacent tokens such as %Y%m%d split unambiguously).
_DIRECTIVES = {
    "Y": r"\d{4}",
    "y": r"\d{2}",
    "m": r"\d{2}",
    "d": r"\d{2}",
    "j": r"\d{3}",
    "H": r"\d{2}",
    "M": r"\d{2}",
    "S": r"\d{2}",
    "%": "%",
}
_TIME_DIRECTIVES = set("HMS")


# The load formats the datamart engine reads, by the file name's extension.
FORMATS = {".csv": "csv", ".parquet": "parquet", ".ndjson": "ndjson", ".jsonl": "ndjson", ".json": "ndjson"}


def file_format(name: str) -> str | None:
    """The load format a file name's extension says (trimmed and case-folded), None for another extension."""
    normalized = normalize(name)
    return next((fmt for ext, fmt in FORMATS.items() if normalized.endswith(ext)), None)


class PatternError(ValueError):
    """A glob or template that cannot be compiled; the message says why."""


def normalize(name: str) -> str:
    """A file name as compared: the last key segment, trimmed and case-folded."""
    return name.rsplit("/", 1)[-1].strip().casefold()


@dataclass(frozen=True)
class Matcher:
    """Compares normalized file names with one job's pattern; `match` gives the captured tokens or None."""

    kind: str
    regex: re.Pattern[str]
    formats: Mapping[str, str]

    def match(self, file_name: str) -> dict[str, str] | None:
        found = self.regex.fullmatch(normalize(file_name))
        if not found:
            return None
        tokens = {}
        for name, text in found.groupdict().items():
            fmt = self.formats.get(name)
            if fmt is None:
                tokens[name] = text
                continue
            try:
                moment = datetime.strptime(text, fmt)
            except ValueError:
                return None  # 20261399 has the shape of %Y%m%d but is no date: not this job's file
            has_time = any(f"%{d}" in fmt for d in _TIME_DIRECTIVES)
            tokens[name] = moment.isoformat() if has_time else moment.date().isoformat()
        return tokens


def compile_matcher(kind: str, source_file_name: str, pattern: str | None) -> Matcher:
    if kind == EXACT:
        return Matcher(kind, re.compile(re.escape(normalize(source_file_name))), {})
    if not pattern:
        raise PatternError(f"match {kind} needs a pattern")
    if kind == GLOB:
        return Matcher(kind, _compile(fnmatch.translate(pattern.strip().casefold()), pattern), {})
    if kind == TEMPLATE:
        return _template(pattern)
    raise PatternError(f"unknown match kind {kind!r}")


def _template(pattern: str) -> Matcher:
    parts, formats, seen, position = [], {}, set(), 0
    text = pattern.strip()
    for token in _TOKEN.finditer(text):
        literal = text[position : token.start()]
        if "{" in literal or "}" in literal:
            raise PatternError(f"template {pattern!r} has a brace outside a {{token}}")
        parts.append(re.escape(literal.casefold()))
        name, fmt = token.group(1), token.group(2)
        if name in seen:
            raise PatternError(f"token {{{name}}} appears more than once in {pattern!r}")
        seen.add(name)
        if fmt is None:
            parts.append(f"(?P<{name}>.+?)")
        else:
            formats[name] = fmt
            parts.append(f"(?P<{name}>{_format_regex(fmt, pattern)})")
        position = token.end()
    if not seen:
        raise PatternError(f"template {pattern!r} has no {{token}}")
    parts.append(re.escape(text[position:].casefold()))
    if "{" in text[position:] or "}" in text[position:]:
        raise PatternError(f"template {pattern!r} has a brace outside a {{token}}")
    return Matcher(TEMPLATE, _compile("".join(parts), pattern), formats)


def _format_regex(fmt: str, pattern: str) -> str:
    regex, index = [], 0
    while index < len(fmt):
        char = fmt[index]
        if char != "%":
            regex.append(re.escape(char.casefold()))
            index += 1
            continue
        directive = fmt[index + 1 : index + 2]
        if directive not in _DIRECTIVES:
            allowed = " ".join(f"%{d}" for d in _DIRECTIVES)
            raise PatternError(f"template {pattern!r}: %{directive} is not one of {allowed}")
        regex.append(_DIRECTIVES[directive])
        index += 2
    return "".join(regex)


def _compile(regex: str, pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(regex, re.DOTALL)
    except re.error as error:
        raise PatternError(f"pattern {pattern!r} does not compile: {error}") from None
