"""Benchmark: backtest 90 days of per-minute history for 1,000 SLOs with the 4 Workbook pairs.

Target: <= 5 s for the replay (firing masks, spans, significant events, detection and
reset times). Prints wall and CPU time for 1 and 2 worker threads, and the load average:
on a shared machine the CPU time of the single-threaded run is the figure to compare.
Run with ``.venv/bin/python benchmarks/bench_backtest.py``.
"""

from __future__ import annotations

import os
import time

import numpy as np

from headroom.alerting.backtest import TierSpec, backtest

SLOS = 1_000
MINUTES = 90 * 1440
TARGET_S = 5.0


def _history(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    total = rng.poisson(200, size=(SLOS, MINUTES)).astype(np.float64)
    bad = rng.binomial(total.astype(np.int64), 0.0003).astype(np.float64)
    # One incident per SLO: 20 minutes at 5 % errors somewhere in the 90 days.
    starts = rng.integers(4 * 1440, MINUTES - 60, size=SLOS)
    for i, s in enumerate(starts):
        bad[i, s : s + 20] = np.round(total[i, s : s + 20] * 0.05)
    return total - bad, total


def main() -> None:
    rng = np.random.default_rng(7)
    good, total = _history(rng)
    thr = np.full(SLOS, 0.001)
    tiers = [
        TierSpec("page-fast", "page", 60, 5, 14.4 * thr),
        TierSpec("page-slow", "page", 360, 30, 6 * thr),
        TierSpec("ticket-fast", "ticket", 1440, 120, 3 * thr),
        TierSpec("ticket-slow", "ticket", 4320, 360, 1 * thr),
    ]
    period = np.full(SLOS, 43200.0)
    for workers in (1, 2):
        t0, c0 = time.perf_counter(), time.process_time()
        res = backtest(good, total, tiers, error_budget_ratio=thr, period_minutes=period, workers=workers)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"  workers={workers}: elapsed {elapsed:.2f} s, CPU {cpu:.2f} s")
    cells = SLOS * MINUTES
    rate = cells / elapsed / 1e6
    spans = ", ".join(f"{t.name}={t.spans.row.size}" for t in res.tiers)
    print(f"backtest: {SLOS} SLOs x {MINUTES} minutes x {len(tiers)} pairs = {cells / 1e6:.0f} M SLO-minutes")
    print(f"  machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"  last run: {elapsed:.2f} s (target <= {TARGET_S:.0f} s): {rate:.0f} M SLO-minutes/s")
    print(f"  significant events {res.events.row.size}; spans per tier {spans}")
    recall_fast, recall_any = res.tiers[0].recall(res.events), res.tiers[-1].recall(res.events)
    print(f"  recall page-fast {recall_fast:.3f}, any {recall_any:.3f}")


if __name__ == "__main__":
    main()
