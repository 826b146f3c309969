"""Decides whether an object may enter a manifest; a refusal carries the reason stored with the file."""

from __future__ import annotations

from .config import Config
from .events import ObjectCreated


def rejection_reason(obj: ObjectCreated, config: Config) -> str | None:
    """None when the object is valid, else a short machine-readable reason with its detail."""
    name = obj.key.rsplit("/", 1)[-1].lower()
    if not name.endswith(config.allowed_extensions):
        return f"invalid_extension: the name does not end with {' or '.join(config.allowed_extensions)}"
    if obj.size_bytes < config.min_file_size_bytes:
        return f"too_small: {obj.size_bytes} bytes < MIN_FILE_SIZE_BYTES {config.min_file_size_bytes}"
    if obj.size_bytes > config.max_file_size_bytes:
        return f"too_large: {obj.size_bytes} bytes > MAX_FILE_SIZE_BYTES {config.max_file_size_bytes}"
    return None
