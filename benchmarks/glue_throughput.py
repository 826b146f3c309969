"""Glue job throughput: the real conversion on one Spark core beside pyarrow on the same data, in one run.

Datasets (seeded, generated once under benchmarks/data/): (a) one 256 MiB NDJSON file, (b) 2,000 files of
32 KiB. Each engine converts each dataset ``--repeats`` times, interleaved so that noise from other work on
the machine hits both alike; the best time of each counts. Spark runs ``ndjson_parquet.job.run_job`` (every
guarantee on: reject detection, late-field detection, stats) on ``local[1]`` after one warm-up conversion,
since a JIT-cold JVM is a one-off cost per Glue run. pyarrow runs ``pyarrow.json.read_json`` +
``pyarrow.parquet.write_table`` (snappy) pinned to one thread (the per-core baseline) and, for information,
with its default threads.

Wall time on a machine shared with other work moves by tens of percent between runs, so the CPU time each
engine spent is printed beside it (the Spark JVM's, read from /proc, includes its GC and JIT threads;
pyarrow's is this process's): a ratio of CPU times is what one core would give with nothing else running.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import generate_ndjson
import pyarrow as pa
import pyarrow.json as pa_json
import pyarrow.parquet as pq
from ndjson_parquet.job import JobOptions, run_job
from ndjson_parquet.local import local_session

DATA = Path(__file__).parent / "data"
# Issue 11: each dataset at least half of pyarrow's one-thread throughput, every guarantee on.
GOALS = {"a: 1 x 256 MiB": 0.50, "b: 2,000 x 32 KiB": 0.50}


def _ensure_data(seed: int) -> dict[str, list[Path]]:
    large = sorted((DATA / "large").glob("*.ndjson"))
    small = sorted((DATA / "small").glob("*.ndjson"))
    if len(large) != 1 or len(small) != 2000:
        shutil.rmtree(DATA / "large", ignore_errors=True)
        shutil.rmtree(DATA / "small", ignore_errors=True)
        large = generate_ndjson.generate_large(DATA, 256, seed)
        small = generate_ndjson.generate_small(DATA, 2000, 32, seed + 1)
    return {"a: 1 x 256 MiB": large, "b: 2,000 x 32 KiB": small}


def _manifest(name: str, paths: list[Path]) -> Path:
    path = DATA / "manifests" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "fileLocations": [{"URIPrefixes": [p.resolve().as_uri() for p in paths]}],
        "manifest_id": name,
        "date_prefix": "2024-01-15",
    }
    path.write_text(json.dumps(document))
    return path


def _pyarrow(paths: list[Path], output: Path, threads: bool) -> None:
    tables = [pa_json.read_json(p, read_options=pa_json.ReadOptions(use_threads=threads)) for p in paths]
    table = pa.concat_tables(tables, promote_options="default") if len(tables) > 1 else tables[0]
    pq.write_table(table, output, compression="snappy")


def _jvm_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # utime and stime, the 14th and 15th fields of /proc/<pid>/stat (12th and 13th after the command name).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed(action: Callable[[], object], cpu_seconds: Callable[[], float]) -> tuple[float, float]:
    """Wall and CPU seconds of one run."""
    cpu_started, started = cpu_seconds(), time.perf_counter()
    action()
    return time.perf_counter() - started, cpu_seconds() - cpu_started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20240115)
    parser.add_argument(
        "--dataset", choices=("a", "b"), action="append", help="only this dataset (repeatable; default: both)"
    )
    args = parser.parse_args(argv)

    datasets = _ensure_data(args.seed)
    work = DATA / "output"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    spark = local_session("local[1]", driver_memory="4g")
    spark.sparkContext.setLogLevel("ERROR")
    jvm_pid = spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid()

    def spark_run(name: str, paths: list[Path]):
        options = JobOptions(
            manifest_path=str(_manifest(name, paths)),
            output_root=str(work / "spark"),
            rejects_root=str(work / "spark-rejects"),
        )
        return lambda: run_job(spark, options)

    def arrow_run(paths: list[Path], threads: bool):
        return lambda: _pyarrow(paths, work / "pyarrow.parquet", threads)

    warm_up = spark_run("warm-up", datasets["b: 2,000 x 32 KiB"][:200])
    warm_up()

    print(
        f"{'dataset':<20}{'MB':>8}{'pyarrow 1 thread':>18}{'pyarrow threads':>17}{'Spark local[1]':>16}"
        f"{'ratio':>8}{'goal':>7}{'CPU s pyarrow 1t':>18}{'CPU s Spark':>13}{'CPU ratio':>11}"
    )
    for name, paths in datasets.items():
        if args.dataset and name.split(":")[0] not in args.dataset:
            continue
        megabytes = sum(p.stat().st_size for p in paths) / 1e6
        label = name.split(":")[0]
        runs = {
            "arrow1": arrow_run(paths, threads=False),
            "arrowN": arrow_run(paths, threads=True),
            "spark": spark_run(label, paths),
        }
        cpu_clocks = {
            "arrow1": time.process_time,
            "arrowN": time.process_time,
            "spark": lambda: _jvm_cpu_seconds(jvm_pid),
        }
        wall: dict[str, list[float]] = {key: [] for key in runs}
        cpu: dict[str, list[float]] = {key: [] for key in runs}
        for _ in range(args.repeats):
            for key, run in runs.items():
                seconds, cpu_seconds = _timed(run, cpu_clocks[key])
                wall[key].append(seconds)
                cpu[key].append(cpu_seconds)
        rate = {key: megabytes / min(seconds) for key, seconds in wall.items()}
        ratio = rate["spark"] / rate["arrow1"]
        arrow_cpu, spark_cpu = min(cpu["arrow1"]), min(cpu["spark"])
        print(
            f"{name:<20}{megabytes:>8.1f}{rate['arrow1']:>13.1f} MB/s{rate['arrowN']:>12.1f} MB/s"
            f"{rate['spark']:>11.1f} MB/s{ratio:>7.2f}x{GOALS[name]:>6.2f}x"
            f"{arrow_cpu:>18.2f}{spark_cpu:>13.2f}{arrow_cpu / spark_cpu:>10.2f}x"
        )
    print(
        f"ratio = Spark local[1] MB/s / pyarrow 1-thread MB/s; best of {args.repeats} interleaved runs each;"
        f" CPU ratio = pyarrow 1-thread CPU s / Spark JVM CPU s (best of each); load average"
        f" {os.getloadavg()[0]:.1f}"
    )
    spark.stop()


if __name__ == "__main__":
    main()
