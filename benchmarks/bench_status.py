"""Benchmark: `status` for 1, 1,000 and 10,000 SLOs x 30 days of per-minute data.

Synthesises N SLOs with 30 days of per-minute good/total counts in an embedded store
(kept in benchmarks/out/ so later runs are warm), then times the status use case —
budget plus all eight burn-rate windows for every SLO — from a warm process, and prints
the figures against the targets of issue 2: 10,000 SLOs <= 1 s, 1 SLO <= 5 ms, peak
memory <= 2 GB.

    python benchmarks/bench_status.py [--slos 1,1000,10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np

from headroom.budget.windows import epoch_minute
from headroom.service.status import evaluate_status
from headroom.sources.embedded import EmbeddedSource
from headroom.spec.filters import parse_filter
from headroom.spec.model import SLO, EventsSLI, RollingWindow
from headroom.store.duckdb_store import DuckDBStore

OUT = Path(__file__).parent / "out"
AT = datetime(2026, 11, 1, tzinfo=UTC)
DAYS = 30
BATCH = 50


def make_slos(n: int) -> list[SLO]:
    good = parse_filter("status < 500")
    window = RollingWindow(duration_s=DAYS * 86400)
    return [
        SLO(
            service=f"svc{i // 10:04d}",
            name=f"slo{i % 10}",
            objective=Decimal("0.999"),
            window=window,
            sli=EventsSLI(events="requests", good=good),
        )
        for i in range(n)
    ]


def build_store(path: Path, slos: list[SLO]) -> float:
    """Fill a store with 30 days of per-minute counts per SLO; returns seconds taken."""
    rng = np.random.default_rng(1)
    minutes = DAYS * 1440
    start = epoch_minute(AT) - minutes
    t0 = time.perf_counter()
    with DuckDBStore(path) as store:
        for lo in range(0, len(slos), BATCH):
            ids = [s.id for s in slos[lo : lo + BATCH]]
            total = rng.poisson(100.0, size=(len(ids), minutes)).astype(np.float64)
            bad = rng.binomial(total.astype(np.int64), 0.0008).astype(np.float64)
            store.append_counts_many(ids, start, total - bad, total)
    return time.perf_counter() - t0


def time_status(store: DuckDBStore, slos: list[SLO], repeat: int) -> list[float]:
    source = EmbeddedSource(store)
    evaluate_status(slos, source, AT)  # warm the process: imports, caches, DuckDB buffers
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        statuses = evaluate_status(slos, source, AT)
        times.append(time.perf_counter() - t0)
    assert len(statuses) == len(slos)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--slos", default="1,1000,10000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    sizes = [int(x) for x in args.slos.split(",")]
    largest = max(sizes)
    all_slos = make_slos(largest)
    path = OUT / f"status-{largest}slos-{DAYS}d.duckdb"
    if args.build_only:
        seconds = build_store(path, all_slos)
        rows = largest * DAYS * 1440
        print(f"built {path.name}: {rows:,} minute buckets in {seconds:.1f} s ({rows / seconds:,.0f} rows/s)")
        return
    if not path.exists():
        # Build in a child process, so that the peak memory below is the evaluating process's own.
        subprocess.run([sys.executable, __file__, "--slos", str(largest), "--build-only"], check=True)
    print(f"store file: {path.stat().st_size / 2**20:,.0f} MiB")
    targets = {1: 0.005, 10000: 1.0}
    with DuckDBStore(path) as store:
        for n in sizes:
            times = time_status(store, all_slos[:n], args.repeat)
            best, median = min(times), statistics.median(times)
            target = targets.get(n)
            verdict = (
                f"  target {target * 1000:.0f} ms: {'met' if median <= target else 'MISSED'}"
                if target
                else ""
            )
            print(
                f"status for {n:>6,} SLOs x 8 windows: median {median * 1000:8.1f} ms, "
                f"best {best * 1000:8.1f} ms, {n / median:,.0f} SLOs/s{verdict}"
            )
    # One SLO in a store of its own: the per-evaluation floor (DuckDB query + budget math).
    with tempfile.TemporaryDirectory() as tmp:
        one = make_slos(1)
        build_store(Path(tmp) / "one.duckdb", one)
        with DuckDBStore(Path(tmp) / "one.duckdb") as store:
            median = statistics.median(time_status(store, one, max(args.repeat, 20)))
        verdict = "met" if median <= targets[1] else "MISSED"
        print(f"status for 1 SLO alone in its store: median {median * 1000:.1f} ms  target 5 ms: {verdict}")
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak_mib:,.0f} MiB (target <= 2048 MiB)")


if __name__ == "__main__":
    main()
