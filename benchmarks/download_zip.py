"""DownloadZip over the local emulator: throughput and peak memory, against a plain download-then-upload copy.

Two datasets of NDJSON-like objects, 0.25 GiB in 250 objects and 1 GiB in 1,000, are put in the emulator
(LocalAws: moto server in its own process on loopback). Each measured run is a child process of its own, so
its peak RSS (`ru_maxrss`) is the run's alone, and the emulator's memory is not counted:

- zip: `download_zip.service.zip_prefix` with the Lambda's default settings (16 MiB parts, deflate level 1);
- copy (the baseline, same run, same bytes): every object downloaded to a temporary folder, then every file
  uploaded to another prefix, with boto3's managed transfers.

Goals: zip throughput at least 0.5x the copy's; the zip's peak RSS the same at both sizes and at most
256 MiB. Then the largest prefix one Lambda invocation can zip in 15 minutes, from the measured rate.

Usage: python benchmarks/download_zip.py [--runs 1] [--compression-level 1] [--scale 1]   (`make bench-zip`)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

GIB = 1024**3
MIB = 1024**2
SOURCE = "bench-zip-source"
DESTINATION = "bench-zip-destination"
DATASETS = ((250, GIB // 4), (1000, GIB))
# Lambda's limit, and the CPU share a 1,024 MB function gets (1,769 MB is one vCPU).
LAMBDA_SECONDS = 900
LAMBDA_1GB_VCPU = 1024 / 1769
DISTINCT_BLOCKS = 16


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="runs of each measurement; the fastest is kept")
    parser.add_argument("--compression-level", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0, help="dataset sizes times this, for a quick look")
    parser.add_argument("--child", choices=("zip", "copy"), help=argparse.SUPPRESS)
    parser.add_argument("--prefix", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child, args.prefix, args.compression_level)))
        return 0
    return _benchmark(args.runs, args.compression_level, args.scale)


def _benchmark(runs: int, compression_level: int, scale: float) -> int:
    from local_aws import LocalAws

    rows = []
    with LocalAws(execute_state_machines=False) as aws:
        s3 = aws.client("s3")
        s3.create_bucket(Bucket=SOURCE)
        s3.create_bucket(Bucket=DESTINATION)
        for count, total in ((round(c * scale), round(t * scale)) for c, t in DATASETS):
            prefix = f"n{count}/"
            _put_dataset(s3, prefix, count, total)
            measured: dict[str, dict[str, Any]] = {}
            for _ in range(runs):
                # Interleaved, so a slower minute of the shared machine hits both alike.
                for mode in ("copy", "zip"):
                    figures = _run_child(aws.env, mode, prefix, compression_level)
                    if mode not in measured or figures["seconds"] < measured[mode]["seconds"]:
                        measured[mode] = figures
            rows.append((count, total, measured))
    _print(rows, compression_level)
    zips = [measured["zip"] for _, _, measured in rows]
    ratios = [
        m["zip"]["bytes_in"] / m["zip"]["seconds"] / (m["copy"]["bytes"] / m["copy"]["seconds"])
        for *_, m in rows
    ]
    memory_flat = max(z["max_rss"] for z in zips) <= 1.15 * min(z["max_rss"] for z in zips)
    within = all(z["max_rss"] <= 256 * MIB for z in zips)
    return 0 if memory_flat and within and min(ratios) >= 0.5 else 1


def _put_dataset(s3: Any, prefix: str, count: int, total: int) -> None:
    """`count` objects of total/count bytes of NDJSON-like text (about 4x compressible, like the
    platform's landing files); a few distinct blocks, each object starting with its own line."""
    size = total // count
    rng = random.Random(count)
    blocks = [_ndjson_block(rng, size) for _ in range(DISTINCT_BLOCKS)]
    for n in range(count):
        head = f'{{"object": {n}}}\n'.encode()
        s3.put_object(
            Bucket=SOURCE,
            Key=f"{prefix}part-{n:05d}.ndjson",
            Body=head + blocks[n % DISTINCT_BLOCKS][len(head) :],
        )


def _ndjson_block(rng: random.Random, size: int) -> bytes:
    lines = []
    length = 0
    while length < size:
        line = (
            json.dumps(
                {
                    "order_id": rng.randrange(10**9),
                    "customer": f"C{rng.randrange(10**6):06d}",
                    "amount": round(rng.uniform(0, 5000), 2),
                    "status": rng.choice(("new", "paid", "shipped", "returned")),
                    "note": "".join(rng.choices("abcdefghijklmnopqrstuvwxyz ", k=rng.randrange(0, 40))),
                }
            ).encode()
            + b"\n"
        )
        lines.append(line)
        length += len(line)
    return b"".join(lines)[:size]


def _run_child(env: dict[str, str], mode: str, prefix: str, compression_level: int) -> dict[str, Any]:
    # -P: without this script's folder first on sys.path, `download_zip` is the package, not this file.
    command = [
        sys.executable,
        "-P",
        __file__,
        "--child",
        mode,
        "--prefix",
        prefix,
        "--compression-level",
        str(compression_level),
    ]
    done = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{mode} run failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def _child(mode: str, prefix: str, compression_level: int) -> dict[str, Any]:
    import boto3

    s3 = boto3.client("s3")
    started, cpu_started = time.perf_counter(), time.process_time()
    figures = _zip(s3, prefix, compression_level) if mode == "zip" else _copy(s3, prefix)
    figures["seconds"] = time.perf_counter() - started
    figures["cpu_seconds"] = time.process_time() - cpu_started
    figures["max_rss"] = _peak_rss()
    return figures


def _peak_rss() -> int:
    """This process's peak resident set (VmHWM). Not getrusage's ru_maxrss: Linux carries the parent's
    peak into a child across exec, so every child would report at least the parent's."""
    status = Path("/proc/self/status").read_text()
    (line,) = [line for line in status.splitlines() if line.startswith("VmHWM:")]
    return int(line.split()[1]) * 1024


def _zip(s3: Any, prefix: str, compression_level: int) -> dict[str, Any]:
    from download_zip.aws import s3_client
    from download_zip.config import Settings
    from download_zip.request import parse_request
    from download_zip.service import zip_prefix

    request = parse_request(
        {
            "source_bucket": SOURCE,
            "source_prefix": prefix,
            "destination_bucket": DESTINATION,
            "destination_key": f"zips/{prefix.rstrip('/')}.zip",
        }
    )
    result = zip_prefix(s3_client(), request, Settings(compression_level=compression_level))
    return {"bytes_in": result["bytes_in"], "bytes_out": result["bytes_out"], "files": result["files"]}


def _copy(s3: Any, prefix: str) -> dict[str, Any]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=SOURCE, Prefix=prefix)
    keys = [item["Key"] for page in pages for item in page.get("Contents", [])]
    with tempfile.TemporaryDirectory() as folder:
        paths = [Path(folder) / key.replace("/", "_") for key in keys]
        for key, path in zip(keys, paths, strict=True):
            s3.download_file(SOURCE, key, str(path))
        for key, path in zip(keys, paths, strict=True):
            s3.upload_file(str(path), DESTINATION, f"copy/{key}")
        copied = sum(path.stat().st_size for path in paths)
    return {"bytes": copied, "files": len(keys)}


def _print(rows: list[tuple[int, int, dict[str, dict[str, Any]]]], compression_level: int) -> None:
    print(
        f"DownloadZip over the local emulator (deflate level {compression_level}; 16 MiB parts; best of runs)"
    )
    print(
        "| dataset | copy MB/s | zip MB/s | ratio (goal 0.5x) | zip peak RSS | copy peak RSS "
        "| zip CPU s/GiB | archive/input |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    slowest = None
    for count, total, measured in rows:
        zip_, copy = measured["zip"], measured["copy"]
        zip_rate = zip_["bytes_in"] / zip_["seconds"] / 1e6
        copy_rate = copy["bytes"] / copy["seconds"] / 1e6
        cpu_per_gib = zip_["cpu_seconds"] / (zip_["bytes_in"] / GIB)
        print(
            f"| {total / GIB:.2f} GiB in {count:,} objects | {copy_rate:.1f} | {zip_rate:.1f} | "
            f"**{zip_rate / copy_rate:.2f}x** | {zip_['max_rss'] / MIB:.0f} MiB | "
            f"{copy['max_rss'] / MIB:.0f} MiB | "
            f"{cpu_per_gib:.1f} | {zip_['bytes_out'] / zip_['bytes_in']:.3f} |"
        )
        seconds_per_gib = max(zip_["seconds"] / (zip_["bytes_in"] / GIB), cpu_per_gib / LAMBDA_1GB_VCPU)
        slowest = max(slowest or 0.0, seconds_per_gib)
    print(
        f"15-minute Lambda limit (1,024 MB function, {LAMBDA_1GB_VCPU:.2f} vCPU): about "
        f"{LAMBDA_SECONDS / slowest:.0f} GiB, at the slower of the measured wall rate and the measured CPU "
        "time scaled to that vCPU share; assumes S3 in-region serves at least the emulator's loopback rate."
    )
    print(json.dumps([{"objects": count, "bytes": total, **measured} for count, total, measured in rows]))


if __name__ == "__main__":
    sys.exit(main())
