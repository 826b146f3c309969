"""End to end on this machine: 1,000 NDJSON files from upload to Parquet through the deployed pipeline.

Applies environments/dev to the local emulator, uploads FILES files of today's date (so manifests are cut
as full batches of 200, the production path), runs the real manifest builder on the queue's messages and
lets the state machine run the real Glue code on local Spark. Prints the time of each phase, files per
second end to end, and, as the baseline measured in the same run, the same files converted directly by the
Glue code on the same Spark session (one manifest of local files, no AWS calls): their ratio is what the
pipeline around the conversion costs here.

The stack's Glue job is allowed 5 concurrent runs instead of dev's 2: locally the runs queue in one Spark
session anyway, and a start refused at the cap waits the state machine's 60 s retry, which would measure
that wait rather than the pipeline.

Usage: python benchmarks/end_to_end.py [--files 1000] [--lines-per-file 50]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from ndjson_parquet.job import JobOptions, run_job

from local_aws import sample_data
from local_aws.deployment import local_deployment


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--lines-per-file", type=int, default=50)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    today = datetime.now(UTC).date().isoformat()
    files = sample_data.uniform_files(today, args.files, args.lines_per_file)
    megabytes = sum(len(f.body) for f in files) / 1e6
    figures: dict[str, float] = {}

    with local_deployment(
        workspace="bench-end-to-end", module_overrides={"glue_max_concurrent_runs": 5}, log=_quiet
    ) as deployment:
        outputs = deployment.outputs
        started = time.monotonic()
        sample_data.upload(
            deployment.aws.client("s3"), outputs["input_bucket_name"], outputs["input_prefix"], files
        )
        figures["upload"] = time.monotonic() - started
        phase = time.monotonic()
        run = deployment.pipeline.drain_queue()
        figures["manifest builder"] = time.monotonic() - phase
        phase = time.monotonic()
        executions = deployment.pipeline.wait_for_executions(timeout_seconds=1800)
        figures["executions after the last message"] = time.monotonic() - phase
        figures["end to end"] = time.monotonic() - started
        rows = sum(deployment.parquet_rows_by_date().values())
        baseline = _direct_conversion(deployment.glue_runner.session(), files)

    expected = args.files * args.lines_per_file
    print(
        f"end to end, {args.files} files ({megabytes:.1f} MB, {expected} lines) of one date, local emulator:"
    )
    print(f"  manifest builder invocations: {run.invocations}, executions: {len(executions)}")
    for name, seconds in figures.items():
        print(f"  {name:<36} {seconds:8.1f} s")
    print(f"  {'direct conversion (baseline)':<36} {baseline:8.1f} s")
    print(f"  files per second end to end: {args.files / figures['end to end']:.1f}")
    print(f"  end to end / direct conversion: {figures['end to end'] / baseline:.1f}x")
    print(f"  Parquet rows: {rows} (expected {expected})")
    print(json.dumps({"files": args.files, "rows": rows, **figures, "direct_conversion": baseline}))
    return 0 if rows == expected and all(e["status"] == "SUCCEEDED" for e in executions) else 1


def _quiet(message: str) -> None:
    print(f"  .. {message}", flush=True)


def _direct_conversion(spark, files: list[sample_data.SampleFile]) -> float:
    """Seconds for the Glue code to convert the same files from local disk, as one manifest."""
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as workdir:
        root = Path(workdir)
        uris = []
        for sample in files:
            path = root / "input" / sample.name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(sample.body)
            uris.append(str(path))
        manifest = root / "manifest.json"
        manifest.write_text(json.dumps({"fileLocations": [{"URIPrefixes": uris}], "manifest_id": "baseline"}))
        options = JobOptions(str(manifest), str(root / "output"), str(root / "rejects"))
        started = time.monotonic()
        run_job(spark, options)
        return time.monotonic() - started


if __name__ == "__main__":
    sys.exit(main())
