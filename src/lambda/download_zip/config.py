"""Tuning read from environment variables once per container (the CLI takes the same as options)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from platform_common.settings import integer

MIB = 1024**2


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
            part_size=integer(env, "PART_SIZE_MIB", cls.part_size // MIB, minimum=5, maximum=5120) * MIB,
            compression_level=integer(env, "COMPRESSION_LEVEL", cls.compression_level, minimum=0, maximum=9),
        )
