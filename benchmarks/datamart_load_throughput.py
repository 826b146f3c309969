"""Datamart load throughput and driver memory, every figure measured in the same run on one PostgreSQL server.

Data (seeded, generated once under benchmarks/data/datamart/): N rows of 10 mixed columns (bigint key, int,
bigint, double, two strings, boolean, date, timestamptz, numeric(12,2)) in one Parquet file, plus a copy with
10% of the rows changed. The server is ``local_pg`` (PostgreSQL 15 here; test settings: fsync off), the same
for every contender, so the ratios compare the loaders, not the server.

- ceiling: pyarrow batches → psycopg binary ``COPY`` (``write_row`` with the column types set) into an
  UNLOGGED table without indexes, one stream: the raw ceiling the issue names.
- engine: ``datamart_load.engine.run_plan`` into the indexed target (primary key on the key column), driver
  path (one COPY stream): fresh insert into the empty target (the first-load COPY straight into the table), a
  re-load of the same rows (all unchanged), a load with 10% changed rows, the same new rows into a target
  holding one other row (staged and merged like any upsert); with ``--spark``, also the fresh insert staged
  through local Spark's executors.
- awswrangler: ``wr.postgresql.to_sql(mode="upsert")`` into the same indexed target (pg8000), at its default
  chunksize and at its fastest, each timed on a slice of the rows (1M rows at the default take 5 minutes) and
  scaled linearly to N, which the output says.
- Spark JDBC: ``DataFrame.write.jdbc(mode="append")`` on local[2] into an empty indexed target, with the
  driver's ``reWriteBatchedInserts`` and ``batchsize`` 10,000 (the documented fast settings).
- driver memory: peak RSS of a ``datamart-load`` process loading N, 2×N and 4×N rows (fresh insert).

Every contender but the Spark staging path runs ``--repeats`` times, interleaved, and the best time of each
counts (the machine may be shared; Spark JDBC's first run also warms the JVM up).

Needs the bench extra (``pip install -e '.[bench]'``: awswrangler, pg8000) and the PostgreSQL JDBC jar
(``apt-get install libpostgresql-jdbc-java``, or ``--jdbc-jar``); a contender whose package is missing is
reported as not measured.
"""

from __future__ import annotations

import argparse
import decimal
import json
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
from datamart_load.engine import run_plan, spark_for_large_sources
from datamart_load.local import local_spark_session
from datamart_load.plan import parse_plan

from local_pg import LocalPostgres

DATA = Path(__file__).parent / "data" / "datamart"
# awswrangler's default chunksize (200), and 1000, its fastest on this data (5,000 is no faster), each timed
# on a slice of the rows (chunksize 200 runs at ~3,000 rows/s) and scaled linearly to all of them.
WRANGLER_SLICES = {200: 50_000, 1000: 250_000}
JDBC_JARS = (
    Path("/usr/share/java/postgresql.jar"),
    *Path.home().glob(".m2/repository/org/postgresql/postgresql/*/*.jar"),
)
COLUMN_TYPES = {
    "id": "bigint",
    "qty": "integer",
    "views": "bigint",
    "score": "double precision",
    "name": "text",
    "comment": "text",
    "active": "boolean",
    "born": "date",
    "seen": "timestamptz",
    "price": "numeric(12,2)",
}
COLUMNS = ", ".join(f"{name} {type_name}" for name, type_name in COLUMN_TYPES.items())


def generate(rows: int, seed: int, changed_fraction: float = 0.0) -> pa.Table:
    rng = np.random.default_rng(seed)
    names = np.array([f"customer-{i:07d}" for i in range(1000)])
    comments = np.array(["lorem ipsum dolor sit amet " * k for k in range(1, 6)])
    prices = pa.array(
        [decimal.Decimal(int(cents)).scaleb(-2) for cents in rng.integers(0, 10**9, 1000)],
        pa.decimal128(12, 2),
    )
    table = pa.table(
        {
            "id": pa.array(np.arange(rows, dtype=np.int64)),
            "qty": pa.array(rng.integers(0, 1000, rows, dtype=np.int32)),
            "views": pa.array(rng.integers(0, 10**12, rows, dtype=np.int64)),
            "score": pa.array(rng.random(rows)),
            "name": pa.array(names[rng.integers(0, len(names), rows)]),
            "comment": pa.array(comments[rng.integers(0, len(comments), rows)]),
            "active": pa.array(rng.random(rows) < 0.5),
            "born": pa.array(rng.integers(0, 20000, rows).astype("datetime64[D]")),
            "seen": pa.array(
                rng.integers(1.6e15, 1.7e15, rows).astype("datetime64[us]"), pa.timestamp("us", "UTC")
            ),
            "price": prices.take(pa.array(rng.integers(0, len(prices), rows))),
        }
    )
    if changed_fraction:
        changed = rng.random(rows) < changed_fraction
        qty = np.where(changed, table["qty"].to_numpy() + 1, table["qty"].to_numpy()).astype(np.int32)
        table = table.set_column(1, "qty", pa.array(qty))
    return table


def ensure_data(rows: int, seed: int, kinds: tuple[str, ...] = ("base", "changed")) -> dict[str, Path]:
    paths = {kind: DATA / f"{rows}" / kind / "part-0.parquet" for kind in kinds}
    for kind, path in paths.items():
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(
                generate(rows, seed, 0.1 if kind == "changed" else 0.0), path, row_group_size=128_000
            )
    return paths


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def ceiling(dsn: str, path: Path) -> float:
    def load() -> None:
        with psycopg.connect(dsn) as connection:
            connection.execute(f"DROP TABLE IF EXISTS ceiling; CREATE UNLOGGED TABLE ceiling ({COLUMNS})")
            types = [type_name.split("(")[0] for type_name in COLUMN_TYPES.values()]
            with (
                connection.cursor() as cursor,
                cursor.copy("COPY ceiling FROM STDIN (FORMAT binary)") as copy,
            ):
                copy.set_types(types)
                for batch in pq.ParquetFile(path).iter_batches(batch_size=65_536):
                    for row in zip(*(column.to_pylist() for column in batch.columns), strict=True):
                        copy.write_row(row)

    return timed(load)


def plan_document(run_id: str, path: Path, table: str) -> dict:
    step = {"id": "load", "type": "load", "source_uris": [str(path)], "format": "parquet"}
    return {"run_id": run_id, "steps": [{**step, "target_table": table, "upsert_keys": ["id"]}]}


def engine(dsn: str, path: Path, run_id: str, spark=None) -> tuple[float, dict]:
    plan = parse_plan(plan_document(run_id, path, "bench.target"))
    choose = spark_for_large_sources(lambda: spark, 0, reads_s3=False) if spark else None
    summary: dict = {}
    seconds = timed(lambda: summary.update(run_plan(plan, dsn, choose)))
    return seconds, summary["steps"][0]


def fresh_database(server: LocalPostgres) -> str:
    dsn = server.create_database()
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("CREATE SCHEMA bench")
    return dsn


def wrangler(dsn: str, path: Path, rows: int, chunksize: int) -> float | None:
    try:
        import awswrangler as wr
        import pg8000
    except ImportError:
        return None
    frame = pq.read_table(path).slice(0, rows).to_pandas()
    info = psycopg.conninfo.conninfo_to_dict(dsn)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f"CREATE TABLE bench.wrangler ({COLUMNS}, PRIMARY KEY (id))")
    connection = pg8000.connect(
        user=info["user"], host=info["host"], port=int(info["port"]), database=info["dbname"]
    )
    try:
        return timed(
            lambda: wr.postgresql.to_sql(
                frame,
                connection,
                table="wrangler",
                schema="bench",
                mode="upsert",
                upsert_conflict_columns=["id"],
                use_column_names=True,
                chunksize=chunksize,
            )
        )
    finally:
        connection.close()


def spark_jdbc(spark, dsn: str, path: Path, jar: Path) -> float:
    info = psycopg.conninfo.conninfo_to_dict(dsn)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f"CREATE TABLE bench.jdbc ({COLUMNS}, PRIMARY KEY (id))")
    url = f"jdbc:postgresql://{info['host']}:{info['port']}/{info['dbname']}?reWriteBatchedInserts=true"
    frame = spark.read.parquet(str(path))
    properties = {"user": info["user"], "driver": "org.postgresql.Driver", "batchsize": "10000"}
    return timed(lambda: frame.write.jdbc(url, "bench.jdbc", mode="append", properties=properties))


def driver_peak_rss_mib(dsn: str, path: Path, run_id: str) -> float:
    """Peak RSS of a datamart-load process loading ``path`` (its own process: a clean high-water mark)."""
    plan = DATA / f"{run_id}.json"
    plan.write_text(json.dumps(plan_document(run_id, path, "bench.memory")))
    # VmHWM, not ru_maxrss: ru_maxrss survives exec, so a child forked from this (large) process reports ours.
    code = (
        "import re, sys; from datamart_load.local import main; code = main(sys.argv[1:]); "
        "status = open('/proc/self/status').read(); "
        "print(re.search(r'VmHWM:\\s+(\\d+) kB', status).group(1), file=sys.stderr); sys.exit(code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "--plan", str(plan), "--dsn", dsn],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(result.stderr.strip().splitlines()[-1]) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jdbc-jar", type=Path, default=next((j for j in JDBC_JARS if j.exists()), None))
    parser.add_argument("--spark", action="store_true", help="also the engine's Spark staging path")
    parser.add_argument("--repeats", type=int, default=3, help="best of this many interleaved runs")
    args = parser.parse_args()
    data = ensure_data(args.rows, args.seed)
    memory_sizes = (args.rows, args.rows * 2, args.rows * 4)
    memory_data = {rows: ensure_data(rows, args.seed, ("base",))["base"] for rows in memory_sizes}
    figures: dict[str, list[float]] = defaultdict(list)
    with LocalPostgres() as server:
        spark = local_spark_session("local[2]", jars=[args.jdbc_jar] if args.jdbc_jar else [])
        # Interleaved repeats, best of each: other work on the machine then hits every contender alike.
        for _ in range(args.repeats):
            figures["ceiling"].append(ceiling(fresh_database(server), data["base"]))
            dsn = fresh_database(server)
            with psycopg.connect(dsn, autocommit=True) as connection:
                connection.execute(f"CREATE TABLE bench.target ({COLUMNS}, PRIMARY KEY (id))")
            steps = {}
            for name, kind in (("fresh", "base"), ("reload", "base"), ("changed", "changed")):
                seconds, steps[name] = engine(dsn, data[kind], name)
                figures[name].append(seconds)
            assert (steps["fresh"]["inserted"], steps["reload"]["unchanged"]) == (args.rows, args.rows), steps
            dsn = fresh_database(server)
            with psycopg.connect(dsn, autocommit=True) as connection:
                connection.execute(f"CREATE TABLE bench.target ({COLUMNS}, PRIMARY KEY (id))")
                connection.execute("INSERT INTO bench.target (id) VALUES (-1)")
            seconds, steps["staged"] = engine(dsn, data["base"], "staged")
            assert steps["staged"]["inserted"] == args.rows, steps
            figures["staged"].append(seconds)
            if args.jdbc_jar:
                figures["jdbc"].append(spark_jdbc(spark, fresh_database(server), data["base"], args.jdbc_jar))
            for chunksize, slice_rows in WRANGLER_SLICES.items():
                seconds = wrangler(fresh_database(server), data["base"], slice_rows, chunksize)
                if seconds:
                    figures[f"wrangler {chunksize}"].append(seconds * args.rows / slice_rows)
        if args.spark:
            figures["spark_fresh"].append(engine(fresh_database(server), data["base"], "spark", spark)[0])
        spark.stop()
        memory = {
            rows: driver_peak_rss_mib(fresh_database(server), path, f"memory-{rows}")
            for rows, path in memory_data.items()
        }
    best = {name: min(values) for name, values in figures.items()}
    print_figures(args, best, steps["changed"], memory)
    return 0


def print_figures(args, figures: dict, changed_step: dict, memory: dict) -> None:
    rows, ceiling_seconds = args.rows, figures["ceiling"]
    print(f"best of {args.repeats} interleaved runs (the Spark staging path: one run)")

    def line(label: str, seconds: float | None, goal: str = "", note: str = "") -> None:
        if seconds is None:
            print(f"{label:<44} {'not measured':>10}   {note}")
            return
        print(
            f"{label:<44} {seconds:>8.2f} s {rows / seconds:>11,.0f} rows/s "
            f"{ceiling_seconds / seconds:>6.2f}x {goal:>8} {note}"
        )

    print(f"{rows:,} rows x 10 columns, Parquet; ratio = ceiling time / time (higher is faster)")
    line("ceiling: pyarrow -> binary COPY, UNLOGGED", ceiling_seconds)
    line("engine: fresh insert (indexed target)", figures["fresh"], ">=0.5x")
    line("engine: new rows, target not empty (staged)", figures["staged"])
    line("engine: re-load, all unchanged", figures["reload"], ">=0.5x")
    line(
        "engine: 10% changed",
        figures["changed"],
        "",
        f"updated {changed_step['updated']:,}, unchanged {changed_step['unchanged']:,}",
    )
    if "spark_fresh" in figures:
        line("engine: fresh insert, Spark staging local[2]", figures["spark_fresh"])
    for chunksize, slice_rows in WRANGLER_SLICES.items():
        seconds = figures.get(f"wrangler {chunksize}")
        note = f"timed on {slice_rows:,} rows, scaled x{rows / slice_rows:g}"
        line(
            f"awswrangler upsert, chunksize {chunksize}",
            seconds,
            "",
            note if seconds else "pip install -e '.[bench]'",
        )
    line(
        "Spark JDBC write (append), local[2]",
        figures.get("jdbc"),
        "",
        "" if "jdbc" in figures else "no JDBC jar",
    )
    for name, goal in (*((f"wrangler {chunksize}", 10) for chunksize in WRANGLER_SLICES), ("jdbc", 3)):
        if name in figures:
            print(
                f"engine fresh insert vs {name}: {figures[name] / figures['fresh']:.1f}x faster "
                f"(goal >= {goal}x)"
            )
    print(
        "driver peak RSS (datamart-load process): "
        + ", ".join(f"{n:,} rows {mib:.0f} MiB" for n, mib in memory.items())
    )


if __name__ == "__main__":
    sys.exit(main())
