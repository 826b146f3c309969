"""A function's settings from its environment variables: one error type, messages naming the variable."""

from __future__ import annotations

from collections.abc import Mapping


class ConfigError(ValueError):
    """A configuration variable is missing or malformed; the message names it."""


def integer(env: Mapping[str, str], name: str, default: int, minimum: int, maximum: int | None = None) -> int:
    """The integer in `name`, `default` when unset or blank; outside [minimum, maximum] is an error."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer: {raw!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"at least {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise ConfigError(f"{name} must be {bounds}: {value}")
    return value
