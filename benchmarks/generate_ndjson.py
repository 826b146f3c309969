"""Seeded NDJSON generator for the Glue throughput benchmark.

The records look like application events: flat strings and numbers, a nested object, an array, unicode text
and the occasional optional field, so that parsing cost resembles real intake data. The same seed always
produces the same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

_WORDS = ["alpha", "bravo", "charlie", "delta", "écho", "foxtrot", "golf", "hôtel", "india", "日本", "kilo"]
_COUNTRIES = ["FR", "DE", "US", "JP", "BR", "IN", "ZA", "CA"]


def _record(rng: random.Random, sequence: int) -> dict:
    record = {
        "event_id": f"evt-{sequence:012d}",
        "user_id": rng.randrange(1, 5_000_000),
        "event_type": rng.choice(["click", "view", "purchase", "signup", "logout"]),
        "ts": f"2024-01-15T{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}Z",
        "amount": round(rng.uniform(0, 1000), 2),
        "active": rng.random() < 0.5,
        "description": " ".join(rng.choice(_WORDS) for _ in range(rng.randrange(3, 12))),
        "geo": {"country": rng.choice(_COUNTRIES), "lat": round(rng.uniform(-90, 90), 5)},
        "tags": [rng.choice(_WORDS) for _ in range(rng.randrange(0, 4))],
    }
    if rng.random() < 0.1:
        record["referrer"] = f"https://example.com/{rng.choice(_WORDS)}"
    return record


def write_file(path: Path, target_bytes: int, rng: random.Random, first_sequence: int = 0) -> int:
    """Write whole records to ``path`` until it holds at least ``target_bytes``; return the record count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        while written < target_bytes:
            line = json.dumps(_record(rng, first_sequence + count), ensure_ascii=False) + "\n"
            handle.write(line)
            written += len(line.encode("utf-8"))
            count += 1
    return count


def generate_large(directory: Path, size_mb: int, seed: int) -> list[Path]:
    """One NDJSON file of about ``size_mb`` MiB."""
    path = directory / "large" / "events-2024-01-15.ndjson"
    write_file(path, size_mb * 1024 * 1024, random.Random(seed))
    return [path]


def generate_small(directory: Path, file_count: int, file_kb: int, seed: int) -> list[Path]:
    """``file_count`` NDJSON files of about ``file_kb`` KiB each."""
    rng = random.Random(seed)
    paths = []
    sequence = 0
    for index in range(file_count):
        path = directory / "small" / f"events-2024-01-15-{index:05d}.ndjson"
        sequence += write_file(path, file_kb * 1024, rng, sequence)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--directory", type=Path, default=Path(__file__).parent / "data")
    parser.add_argument("--seed", type=int, default=20240115)
    parser.add_argument("--large-mb", type=int, default=256)
    parser.add_argument("--small-files", type=int, default=2000)
    parser.add_argument("--small-kb", type=int, default=32)
    args = parser.parse_args(argv)
    generate_large(args.directory, args.large_mb, args.seed)
    generate_small(args.directory, args.small_files, args.small_kb, args.seed + 1)


if __name__ == "__main__":
    main()
