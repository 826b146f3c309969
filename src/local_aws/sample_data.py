"""Seeded sample NDJSON for the demo, the integration tests and the end-to-end benchmark.

`demo_files` gives what a newcomer should see the pipeline handle: valid files for past dates (flushed
as partial batches at once) and for today (waiting for a full batch), nested objects, arrays and unicode,
a few malformed lines (kept under the Glue job's default 1 % reject ratio), a file with a wrong
extension, a zero-byte file.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

MALFORMED_LINE = '{"event_id": "broken", "payload": {"unterminated": '


@dataclass(frozen=True)
class SampleFile:
    """One object to upload: its name under the input prefix and its bytes."""

    name: str
    body: bytes
    valid_lines: int
    malformed_lines: int = 0
    date_prefix: str = ""


def ndjson_lines(rng: random.Random, day: str, count: int) -> list[str]:
    cities = ["Zürich", "São Paulo", "東京", "Kraków", "Reykjavík"]
    return [
        json.dumps(
            {
                "event_id": f"{day}-{rng.getrandbits(48):012x}",
                "user": {"id": rng.randint(1, 10_000), "city": rng.choice(cities)},
                "tags": rng.sample(["new", "mobile", "web", "beta", "pro"], k=rng.randint(0, 3)),
                "amount": round(rng.uniform(0, 500), 2),
                "ts": f"{day}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z",
            },
            ensure_ascii=False,
        )
        for _ in range(count)
    ]


def events_file(
    rng: random.Random, day: str, index: int, lines: int, malformed: int = 0, suffix: str = ".ndjson"
) -> SampleFile:
    body = ndjson_lines(rng, day, lines)
    for position in sorted(rng.sample(range(1, lines), k=malformed)):
        body.insert(position, MALFORMED_LINE)
    return SampleFile(
        name=f"{day}/events-{day}-{index:04d}{suffix}",
        body=("\n".join(body) + "\n").encode("utf-8"),
        valid_lines=lines,
        malformed_lines=malformed,
        date_prefix=day,
    )


def demo_files(today: date, seed: int = 7) -> list[SampleFile]:
    """About forty files over today and the three days before it."""
    rng = random.Random(seed)
    files = []
    for days_back in (3, 2, 1, 0):
        day = (today - timedelta(days=days_back)).isoformat()
        for index in range(1, 9):
            # One malformed line in every fourth file: ~0.4 % of a date's lines, under the 1 % limit.
            files.append(
                events_file(rng, day, index, lines=rng.randint(120, 300), malformed=int(index % 4 == 0))
            )
    yesterday = (today - timedelta(days=1)).isoformat()
    files.append(
        SampleFile(f"{yesterday}/export-{yesterday}.csv", b"event_id,amount\n1,2\n", 0, date_prefix=yesterday)
    )
    files.append(SampleFile(f"{yesterday}/events-{yesterday}-empty.ndjson", b"", 0, date_prefix=yesterday))
    return files


def uniform_files(day: str, count: int, lines_per_file: int, seed: int = 11) -> list[SampleFile]:
    """`count` valid files of one date, for the benchmark and the tests."""
    rng = random.Random(seed)
    return [events_file(rng, day, index, lines_per_file) for index in range(count)]


def upload(s3: Any, bucket: str, prefix: str, files: list[SampleFile]) -> list[str]:
    """Puts every file under `prefix`; returns their s3:// URIs in upload order."""
    uris = []
    for sample in files:
        key = f"{prefix}{sample.name}"
        s3.put_object(Bucket=bucket, Key=key, Body=sample.body)
        uris.append(f"s3://{bucket}/{key}")
    return uris
