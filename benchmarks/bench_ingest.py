"""Benchmark the embedded store: event ingest throughput and window sums over many SLOs.

Run: ``.venv/bin/python benchmarks/bench_ingest.py [--rows 5000000] [--slos 1000,10000]``

1. Synthesises N raw events (``timestamp`` epoch seconds with milliseconds, ``status``
   with ~1% 5xx, ``latency_ms`` exponential) over 30 days as CSV, CSV with RFC 3339 text
   timestamps, and Parquet; times ``DuckDBStore.ingest_events`` with two SLOs on the
   stream (availability; latency over non-5xx) and compares it with a bare DuckDB
   ``read_csv`` + per-minute ``GROUP BY`` with the same filters.
2. Bulk-loads dense per-minute buckets for 1,000 and 10,000 SLOs x 30 days with
   ``append_counts_many`` and times ``window_sums`` for 8 spans (5m, 30m, 1h, 2h, 6h,
   1d, 3d, 30d) ending at the same minute.
3. Prints peak RSS (``resource.getrusage``).

Targets (issue 2): ingest >= 5M events/s; window_sums for 10k SLOs well under 1 s.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from headroom.spec.filters import parse_filter
from headroom.spec.model import SLO, EventsSLI, RollingWindow
from headroom.store import DuckDBStore
from headroom.store.ledger import file_sha256

START_S = 1_714_521_600  # 2024-05-01T00:00:00Z
DAYS = 30
MINUTES_PER_DAY = 1440
WINDOWS_MIN = (5, 30, 60, 120, 360, 1440, 4320, 43200)


def slo(name: str, **filters: str) -> SLO:
    return SLO(
        service="bench",
        name=name,
        objective=Decimal("0.999"),
        window=RollingWindow(duration_s=DAYS * 86400),
        sli=EventsSLI(events="http", **{k: parse_filter(v) for k, v in filters.items()}),
    )


SLOS = [
    slo("availability", good="status < 500"),
    slo("latency", total="status < 500", good="latency_ms <= 300"),
]


def synthesise(rows: int, workdir: Path) -> dict[str, Path]:
    rng = np.random.default_rng(7)
    seconds = np.sort(START_S + rng.random(rows) * DAYS * 86400).round(3)
    status = np.where(rng.random(rows) < 0.01, 503, 200).astype(np.int32)
    latency = rng.exponential(120.0, rows).round(1)
    table = pa.table({"timestamp": seconds, "status": status, "latency_ms": latency})
    paths = {"csv": workdir / "events.csv", "csv-rfc3339": workdir / "events_rfc3339.csv"}
    paths["parquet"] = workdir / "events.parquet"
    pacsv.write_csv(table, paths["csv"])
    pq.write_table(table, paths["parquet"])
    instants = pa.array((seconds * 1000).astype(np.int64), pa.timestamp("ms", tz="UTC"))
    pacsv.write_csv(table.set_column(0, "timestamp", instants), paths["csv-rfc3339"])
    return paths


def bare_duckdb_s(path: Path) -> tuple[float, float]:
    """Wall and CPU seconds (all threads) of the plain per-minute aggregation."""
    con = duckdb.connect()
    started, started_cpu = time.perf_counter(), time.process_time()
    con.execute(
        "CREATE TABLE per_minute AS SELECT CAST(floor(epoch_s / 60) AS BIGINT) AS minute, "
        "count(*) AS total_a, count(*) FILTER (WHERE status < 500) AS good_a, "
        "count(*) FILTER (WHERE status < 500) AS total_l, "
        "count(*) FILTER (WHERE status < 500 AND latency_ms <= 300) AS good_l "
        "FROM (SELECT CAST(timestamp AS DOUBLE) AS epoch_s, * FROM read_csv($1)) GROUP BY minute",
        [str(path)],
    )
    elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    con.close()
    return elapsed, cpu


def ingest_s(path: Path, workdir: Path) -> tuple[float, float]:
    """Wall and CPU seconds (all threads) of ``ingest_events`` into a new store."""
    store_path = workdir / f"ingest-{path.stem}.duckdb"
    store_path.unlink(missing_ok=True)
    with DuckDBStore(store_path) as store:
        started, started_cpu = time.perf_counter(), time.process_time()
        report = store.ingest_events(path, "http", SLOS)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    assert report.ingested == tuple(s.id for s in SLOS), report
    return elapsed, cpu


def bench_ingest(rows: int, workdir: Path) -> None:
    paths = synthesise(rows, workdir)
    print(f"ingest of {rows:,} events x 2 SLOs ({DAYS} days)")
    started = time.perf_counter()
    file_sha256(paths["csv"])
    size_mb = paths["csv"].stat().st_size / 1e6
    print(f"  sha256 of the CSV ({size_mb:.0f} MB): {time.perf_counter() - started:.2f} s")
    bare, bare_cpu = bare_duckdb_s(paths["csv"])
    print(
        f"  bare DuckDB read_csv + GROUP BY minute: {bare:.2f} s = {rows / bare / 1e6:.2f} M events/s "
        f"(CPU {bare_cpu:.2f} s)"
    )
    for kind, path in paths.items():
        elapsed, cpu = ingest_s(path, workdir)
        ratio = f", {elapsed / bare:.2f}x the bare query's time" if kind == "csv" else ""
        print(
            f"  ingest_events {kind:12s}: {elapsed:.2f} s = {rows / elapsed / 1e6:.2f} M events/s "
            f"(CPU {cpu:.2f} s){ratio}"
        )


def bench_window_sums(n_slos: int, workdir: Path) -> None:
    store_path = workdir / f"window-{n_slos}.duckdb"
    store_path.unlink(missing_ok=True)
    ids = [f"svc{i // 10}/slo{i}" for i in range(n_slos)]
    rng = np.random.default_rng(11)
    first_minute = START_S // 60
    with DuckDBStore(store_path) as store:
        started = time.perf_counter()
        for day in range(DAYS):
            total = rng.integers(20, 80, size=(n_slos, MINUTES_PER_DAY)).astype(np.float64)
            good = total - (rng.random((n_slos, MINUTES_PER_DAY)) < 0.02)
            store.append_counts_many(ids, first_minute + day * MINUTES_PER_DAY, good, total)
        load = time.perf_counter() - started
        rows = n_slos * DAYS * MINUTES_PER_DAY
        print(f"window_sums, {n_slos:,} SLOs x {DAYS} days per minute ({rows / 1e6:.0f} M buckets)")
        print(f"  bulk load with append_counts_many: {load:.1f} s = {rows / load / 1e6:.1f} M buckets/s")
        end = first_minute + DAYS * MINUTES_PER_DAY - 7  # not on an hour boundary
        spans = [(end - width, end) for width in WINDOWS_MIN]
        timings, cpu = [], []
        for _ in range(7):
            started, started_cpu = time.perf_counter(), time.process_time()
            good_sums, _ = store.window_sums(ids, spans)
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        assert good_sums.shape == (n_slos, len(spans))
        print(
            f"  window_sums, 8 spans: median {statistics.median(timings) * 1000:.0f} ms, "
            f"best {min(timings) * 1000:.0f} ms, first {timings[0] * 1000:.0f} ms "
            f"(CPU, all threads: median {statistics.median(cpu) * 1000:.0f} ms)"
        )
        month = (end - DAYS * MINUTES_PER_DAY, end)
        started = time.perf_counter()
        store.minute_series(ids[0], *month)
        series_s = time.perf_counter() - started
        started = time.perf_counter()
        store.bad_slices(ids[:100], *month, [5] * 100, [0.99] * 100)
        slices_s = time.perf_counter() - started
        print(
            f"  minute_series, 1 SLO x {DAYS} days: {series_s * 1000:.0f} ms; "
            f"bad_slices, 100 SLOs x {DAYS} days of 5-minute slices: {slices_s * 1000:.0f} ms"
        )
    print(f"  store file: {store_path.stat().st_size / 1e9:.2f} GB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000, help="raw events to synthesise")
    parser.add_argument("--slos", default="1000,10000", help="SLO counts for window_sums, comma-separated")
    parser.add_argument(
        "--workdir", type=Path, default=None, help="where to write files (default: a temp dir)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        workdir = Path(tmp)
        if args.rows > 0:
            bench_ingest(args.rows, workdir)
        for n_slos in (int(x) for x in args.slos.split(",") if x):
            bench_window_sums(n_slos, workdir)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
