"""When a date partition's pending files become a manifest: the rules, free of any AWS call."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class PendingFile:
    file_key: str
    size_bytes: int
    created_at: str = ""  # when it was tracked (ISO 8601, UTC): its wait for a manifest
    # The version tracked: the manifest lists it, and the Glue job reads exactly it.
    etag: str = ""
    version_id: str = ""


@dataclass(frozen=True)
class BatchPolicy:
    max_files: int
    max_bytes: int
    min_files_for_partial: int

    def is_due(self, pending_count: int, pending_bytes: int, partial_allowed: bool) -> bool:
        """Whether the partition counters justify taking the lock and looking at the pending files."""
        if partial_allowed:
            return pending_count >= self.min_files_for_partial
        return pending_count >= self.max_files or pending_bytes >= self.max_bytes

    def select(self, pending: Iterable[PendingFile], partial_allowed: bool) -> list[PendingFile]:
        """The next manifest's files, or [] when no batch is due.

        Files are taken in the given order until the file limit, or until the next file would pass the byte
        limit. A single file larger than the byte limit still forms a batch on its own, otherwise it would
        never be processed. Outside the orphan flush only full batches go out.
        """
        batch: list[PendingFile] = []
        total = 0
        full = False
        for candidate in pending:
            if batch and total + candidate.size_bytes > self.max_bytes:
                full = True
                break
            batch.append(candidate)
            total += candidate.size_bytes
            if len(batch) >= self.max_files or total >= self.max_bytes:
                full = True
                break
        if full or (partial_allowed and len(batch) >= self.min_files_for_partial):
            return batch
        return []

    def split(self, pending: list[PendingFile], partial_allowed: bool) -> list[list[PendingFile]]:
        """Every manifest `select` cuts from `pending` in turn, in order."""
        batches = []
        while batch := self.select(pending, partial_allowed):
            batches.append(batch)
            pending = pending[len(batch) :]
        return batches
