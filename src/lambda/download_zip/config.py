"""Tuning read from environment variables once per container (the CLI takes the same as options)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

MIB = 1024**2


class ConfigError(ValueError):
    """A configuration variable is malformed; the message names it."""


@dataclass(frozen=True)
class Settings:
    # 16 MiB parts: S3's 5 MiB floor with room, and few enough requests for a 10 GB archive (about 640).
    part_size: int = 16 * MIB
    # Level 1 deflate: most of the size saving on text at a fraction of level 6's CPU (see README.md).
    compression_level: int = 1

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            part_size=_integer(env, "PART_SIZE_MIB", cls.part_size // MIB, minimum=5, maximum=5120) * MIB,
            compression_level=_integer(env, "COMPRESSION_LEVEL", cls.compression_level, minimum=0, maximum=9),
        )


def _integer(env: Mapping[str, str], name: str, default: int, minimum: int, maximum: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer: {raw!r}") from None
    if not minimum <= value <= maximum:
        raise ConfigError(f"{name} must be between {minimum} and {maximum}: {value}")
    return value
