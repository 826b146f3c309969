"""Input bytes per Spark task, so that each task writes one Parquet file of about the target size.

Sizing happens at the read split instead of a ``repartition``/``coalesce`` before the write: there is no
shuffle, and Spark's split planner never makes fewer splits than the cluster has cores
(``maxSplitBytes = min(maxPartitionBytes, max(openCostInBytes, totalBytes / defaultParallelism))``), so the
parse is never funnelled through fewer tasks than cores. A small manifest therefore yields files smaller
than the target: parallelism wins over file size.
"""

from __future__ import annotations

import math

MIB = 1024 * 1024
# What opening a file adds to its bytes when Spark packs files into tasks (spark.sql.files.openCostInBytes).
# Spark's 4 MiB default counts a 32 KiB file as 4 MiB, so a manifest of many small files would be cut into
# many tasks, each writing a Parquet file far below the target and paying a writer and a commit.
FILE_OPEN_COST_BYTES = 8 * 1024


def split_bytes(target_file_size_mb: float, ndjson_bytes_per_parquet_byte: float) -> int:
    """Input bytes per task whose Parquet output is about ``target_file_size_mb``."""
    if target_file_size_mb <= 0:
        raise ValueError("target file size must be positive")
    if ndjson_bytes_per_parquet_byte < 1:
        raise ValueError("NDJSON bytes per Parquet byte must be at least 1")
    return max(1, math.ceil(target_file_size_mb * MIB * ndjson_bytes_per_parquet_byte))
