"""Decides whether an object may enter a manifest; a refusal carries the reason stored with the file."""

from __future__ import annotations

from .config import Config
from .events import ObjectCreated
from .partitioning import impossible_date_in


def rejection_reason(obj: ObjectCreated, config: Config) -> str | None:
    """None when the object is valid, else a short machine-readable reason with its detail."""
    name = obj.key.rsplit("/", 1)[-1].lower()
    if not name.endswith(config.allowed_extensions):
        return f"invalid_extension: the name does not end with {' or '.join(config.allowed_extensions)}"
    impossible = impossible_date_in(name)
    if impossible:
        # Its rows would otherwise land in today's partition, or a neighbouring day's.
        return f"invalid_date: {impossible} in the name is not a calendar date"
    if obj.size_bytes < config.min_file_size_bytes:
        return f"too_small: {obj.size_bytes} bytes < MIN_FILE_SIZE_BYTES {config.min_file_size_bytes}"
    if obj.size_bytes > config.max_file_size_bytes:
        return f"too_large: {obj.size_bytes} bytes > MAX_FILE_SIZE_BYTES {config.max_file_size_bytes}"
    return None
