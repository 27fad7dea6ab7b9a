"""Benchmark: `status` from a real Prometheus for 10, 100 and 1,000 SLOs x the 7 alert windows.

Backfills a Prometheus (``promtool``, the integration-test fixture) with 3 days of
minute-sampled counters of known exact counts (10 req/s per service, 0.1 % errors, a
30-minute incident at 20 %), then times ``evaluate_status`` through ``PrometheusSource``
and reports its accuracy against the exact counts (``InMemorySource`` given the same
per-minute events). Also measures how batching (parts per query, concurrency) changes
the time at 100 SLOs.

With ``--slogen-venv`` (a venv holding slo-generator 2.6, e.g. the one the peer harness
``run_peer.sh`` installs in ``$TMPDIR/peer-slogen/venv``) it also runs slo-generator's
``compute()`` for 10 and 100 equivalent good/bad SLOs x 3 windows (1 h, 12 h, 3 d) on the
same Prometheus, and prints both side by side: time, and deviation from exact counts.
slo-generator always evaluates at "now", so the data ends at the last whole minute.

    python benchmarks/bench_prometheus.py [--slos 10,100,1000] [--repeat 5]
        [--slogen-venv /tmp/peer-slogen/venv]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
import numpy as np
from tests.fixtures.prometheus.traffic import Traffic, make_traffic
from tests.integration.prometheus_fixture import start_prometheus

from headroom.budget.status import SLOStatus
from headroom.budget.windows import BURN_RATE_WINDOWS_S
from headroom.service.status import evaluate_status
from headroom.sources.memory import InMemorySource
from headroom.sources.prometheus import PrometheusSource
from headroom.sources.promql_window import promql_duration
from headroom.spec.model import (
    SLO,
    PrometheusHistogramSLI,
    PrometheusRatioSLI,
    RollingWindow,
)

SERVICES = 10
#: Seconds the data's end is put ahead of now: backfill, start and compaction fit in it, and
#: slo-generator (which always evaluates at "now") then runs as the data's last minute ends.
LEAD_S = 240
WINDOW = RollingWindow(duration_s=3 * 86400)
PEER_WINDOWS_S = (3600, 43200, 259200)
PEER_GOAL = 0.999


def make_slos(n: int, *, mixed: bool = True) -> list[SLO]:
    """n SLOs over the services: 8 in 10 error/total with increase, 1 good/total with rate, 1 latency.

    Each SLO's selector differs (``instance!="<i>"`` matches every series here), so no two
    queries are the same text, as in a real fleet. ``mixed=False``: all error/total.
    """
    slos: list[SLO] = []
    for i in range(n):
        svc = f"svc{i % SERVICES:02d}"
        sel = f'service="{svc}",instance!="{i}"'
        kind = i % 10 if mixed else 0
        if kind == 9:
            sli: object = PrometheusHistogramSLI(
                metric="http_request_duration_seconds",
                selector=f'service="lat",instance!="{i}"',
                threshold_s=0.25,
            )
        elif kind == 8:
            sli = PrometheusRatioSLI(
                good_query=f'sum(rate(http_requests_total{{{sel},code="200"}}[{{{{window}}}}]))',
                total_query=f"sum(rate(http_requests_total{{{sel}}}[{{{{window}}}}]))",
            )
        else:
            sli = PrometheusRatioSLI(
                error_query=f'sum(increase(http_requests_total{{{sel},code="500"}}[{{{{window}}}}]))',
                total_query=f"sum(increase(http_requests_total{{{sel}}}[{{{{window}}}}]))",
            )
        objective = "0.99" if kind == 9 else "0.999"
        slos.append(
            SLO.model_validate(
                {
                    "service": svc,
                    "name": f"slo{i}",
                    "objective": Decimal(objective),
                    "window": WINDOW,
                    "sli": sli,
                }
            )
        )
    return slos


def memory_for(traffic: Traffic, slos: Sequence[SLO]) -> InMemorySource:
    source = InMemorySource()
    for i, slo in enumerate(slos):
        if isinstance(slo.sli, PrometheusHistogramSLI):
            row = traffic.services.index("lat")
            good = traffic.buckets["0.25"][row]
        else:
            row = i % SERVICES
            good = traffic.total[row] - traffic.errors[row]
        source.put(slo.id, traffic.start_minute, good, traffic.total[row])
    return source


def deviation(got: Sequence[SLOStatus], want: Sequence[SLOStatus]) -> dict[str, float]:
    worst: dict[str, float] = {}
    for a, b in zip(got, want, strict=True):
        pairs = [(f"burn {k}", a.burn_rates[k], b.burn_rates[k]) for k in BURN_RATE_WINDOWS_S]
        pairs.append(("remaining", a.budget.remaining_ratio, b.budget.remaining_ratio))
        for name, x, y in pairs:
            if x is None or y is None:
                worst[name] = float("inf") if (x is None) != (y is None) else worst.get(name, 0.0)
                continue
            worst[name] = max(worst.get(name, 0.0), abs(x - y) / abs(y) if y else abs(x - y))
    return worst


def time_status(
    url: str, slos: Sequence[SLO], at: datetime, repeat: int, **kw: object
) -> tuple[float, float, int, list[SLOStatus]]:
    """(first run s, median of warm runs s, requests per run, statuses) for one source config."""
    with PrometheusSource(url, **kw) as source:  # type: ignore[arg-type]
        t0 = time.perf_counter()
        statuses = evaluate_status(slos, source, at)
        first = time.perf_counter() - t0
        before = source.requests_sent
        runs = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            evaluate_status(slos, source, at)
            runs.append(time.perf_counter() - t0)
        per_run = (source.requests_sent - before) // max(repeat, 1)
    return first, statistics.median(runs), per_run, statuses


# ---------------------------------------------------------------- slo-generator side by side

_PEER_RUNNER = """
import json, logging, sys, time
logging.disable(logging.CRITICAL)
from slo_generator import utils
from slo_generator.compute import compute
config = utils.load_config(sys.argv[1])
slos = utils.load_configs(sys.argv[2], kind="ServiceLevelObjective")
out, started, started_at = {}, time.perf_counter(), time.time()
for slo in slos:
    out[slo["metadata"]["name"]] = compute(slo, config, timestamp=None, do_export=False)
wall = time.perf_counter() - started
json.dump({"wall_s": wall, "started_at": started_at, "reports": out}, open(sys.argv[3], "w"), default=str)
"""


def run_slogen(venv: Path, url: str, n: int, workdir: Path) -> dict[str, object]:
    """slo-generator compute() for n good/bad SLOs x 3 windows in its own venv; its JSON reports."""
    slo_dir = workdir / f"slos{n}"
    slo_dir.mkdir(parents=True, exist_ok=True)
    steps = "".join(
        f"    - name: w{w}\n      window: {w}\n      burn_rate_threshold: 9\n      alert: true\n"
        "      message_alert: page\n      message_ok: ok\n"
        for w in PEER_WINDOWS_S
    )
    config = workdir / "config.yaml"
    config.write_text(
        f"backends:\n  prometheus:\n    url: {url}\nexporters: {{}}\n"
        f"error_budget_policies:\n  default:\n    steps:\n{steps}"
    )
    for i in range(n):
        svc = f"svc{i % SERVICES:02d}"
        sel = f'service="{svc}",instance!="{i}"'
        (slo_dir / f"slo{i}.yaml").write_text(
            "apiVersion: sre.google.com/v2\nkind: ServiceLevelObjective\n"
            f"metadata:\n  name: slo{i}\n  labels: {{service_name: {svc}, feature_name: f, slo_name: s{i}}}\n"
            f"spec:\n  description: d\n  backend: prometheus\n  method: good_bad_ratio\n  goal: {PEER_GOAL}\n"
            "  service_level_indicator:\n"
            f'    filter_good: http_requests_total{{{sel},code="200"}}\n'
            f'    filter_bad: http_requests_total{{{sel},code="500"}}\n'
        )
    out = workdir / f"reports{n}.json"
    runner = workdir / "runner.py"
    runner.write_text(_PEER_RUNNER)
    started = time.perf_counter()
    subprocess.run(
        [str(venv / "bin" / "python"), str(runner), str(config), str(slo_dir), str(out)],
        check=True,
        capture_output=True,
    )
    process_s = time.perf_counter() - started
    data: dict[str, object] = json.loads(out.read_text())
    data["process_s"] = process_s
    return data


def slogen_accuracy(data: dict[str, object], traffic: Traffic, end_minute: int) -> tuple[float, float, int]:
    """(max relative BR deviation as reported, the same from its counts, invalid reports) vs exact at END."""
    worst_reported = worst_counts = 0.0
    invalid = 0
    reports = data["reports"]
    assert isinstance(reports, dict)
    for name, steps in reports.items():
        row = int(name.removeprefix("slo")) % SERVICES
        for report in steps:
            if not report.get("valid", False):
                invalid += 1
                continue
            w = int(report["window"])
            lo, hi = end_minute - w // 60 - traffic.start_minute, end_minute - traffic.start_minute
            bad, total = traffic.errors[row, lo:hi].sum(), traffic.total[row, lo:hi].sum()
            exact = bad / total / (1 - PEER_GOAL)
            br_counts = report["bad_events_count"] / report["events_count"] / (1 - PEER_GOAL)
            worst_reported = max(worst_reported, abs(report["error_budget_burn_rate"] - exact) / exact)
            worst_counts = max(worst_counts, abs(br_counts - exact) / exact)
    return worst_reported, worst_counts, invalid


# ---------------------------------------------------------------- main


def settle(url: str, data_dir: Path, quiet_s: float = 70.0, limit_s: float = 300.0) -> float:
    """Wait until Prometheus stops compacting the backfilled 2-hour blocks; seconds waited.

    Compaction runs in the background right after start and would compete with the
    queries being timed; the block count is stable once it is done.
    """
    started = time.monotonic()
    last, since = -1, time.monotonic()
    with httpx.Client(timeout=5) as client:
        while time.monotonic() - started < limit_s:
            client.get(f"{url}/-/ready")
            blocks = sum(1 for p in data_dir.iterdir() if p.is_dir() and len(p.name) == 26)
            if blocks != last:
                last, since = blocks, time.monotonic()
            elif time.monotonic() - since >= quiet_s:
                break
            time.sleep(1.0)
    return time.monotonic() - started


def exact_burn(traffic: Traffic, row: int, end_minute: int, window_s: int, goal: float) -> float:
    lo, hi = end_minute - window_s // 60 - traffic.start_minute, end_minute - traffic.start_minute
    return float(traffic.errors[row, lo:hi].sum() / traffic.total[row, lo:hi].sum() / (1 - goal))


def time_lookbacks(
    url: str, slos: Sequence[SLO], at: datetime, windows_s: Sequence[int], repeat: int, traffic: Traffic
) -> tuple[float, float]:
    """(median s, max relative burn-rate deviation vs exact) of lookback_counts for ``windows_s``."""
    end_minute = int(at.timestamp() // 60)
    with PrometheusSource(url) as source:
        runs = []
        for _ in range(repeat + 1):
            t0 = time.perf_counter()
            counts = source.lookback_counts(slos, at, windows_s)
            runs.append(time.perf_counter() - t0)
    worst = 0.0
    for i in range(len(slos)):
        for j, w in enumerate(windows_s):
            burn = (counts.total[i, j] - counts.good[i, j]) / counts.total[i, j] / (1 - PEER_GOAL)
            exact = exact_burn(traffic, i % SERVICES, end_minute, w, PEER_GOAL)
            worst = max(worst, abs(burn - exact) / exact)
    return statistics.median(runs[1:]), worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--slos", default="10,100,1000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--slogen-venv", type=Path, default=None)
    args = parser.parse_args()
    sizes = [int(x) for x in args.slos.split(",")]

    now = time.time()
    # slo-generator evaluates at "now": put the data's end ahead and start it when now reaches it.
    end_minute = int((now + LEAD_S) // 60) if args.slogen_venv else int(now // 60) - 1
    at = datetime.fromtimestamp(end_minute * 60, tz=UTC)
    traffic = make_traffic([*(f"svc{i:02d}" for i in range(SERVICES)), "lat"], end_minute, days=3.05)
    text = traffic.openmetrics()
    with tempfile.TemporaryDirectory(prefix="bench-prom-") as tmp:
        server = start_prometheus(Path(tmp), text)
        try:
            waited = settle(server.url, server.data_dir)
            print(
                f"Prometheus {server.url}: {len(traffic.services)} services, "
                f"{text.count(chr(10)):,} samples over "
                f"{traffic.minutes / 1440:.2f} days at 60 s; backfill {server.backfill_s:.1f} s, "
                f"compaction settled after {waited:.0f} s"
            )
            peer: dict[int, dict[str, object]] = {}
            if args.slogen_venv is not None:
                time.sleep(max(0.0, end_minute * 60 + 1 - time.time()))
                for n in (10, 100):
                    peer[n] = run_slogen(args.slogen_venv, server.url, n, Path(tmp))

            print(
                f"\nheadroom status via PrometheusSource (7 burn-rate windows; the 3 d SLO window is the 3 d "
                f"lookback), median of {args.repeat} warm runs"
            )
            print(
                f"{'SLOs':>6} {'requests':>9} {'first s':>9} {'median s':>9} {'ms/SLO':>8}  "
                "max relative deviation vs exact counts"
            )
            status_s: dict[int, float] = {}
            for n in sizes:
                slos = make_slos(n)
                first, median, requests, got = time_status(server.url, slos, at, args.repeat)
                dev = deviation(got, evaluate_status(slos, memory_for(traffic, slos), at))
                status_s[n] = median
                print(
                    f"{n:>6} {requests:>9} {first:>9.3f} {median:>9.3f} {1000 * median / n:>8.2f}  "
                    f"burn {max(v for k, v in dev.items() if k.startswith('burn')):.1e}, "
                    f"remaining {dev['remaining']:.1e}"
                )

            n = 100 if 100 in sizes else sizes[0]
            slos = make_slos(n)
            print(f"\nbatching at {n} SLOs (2 tagged parts per SLO x window; 7 windows = 14 parts per SLO)")
            print(f"{'parts/query':>12} {'concurrency':>12} {'requests':>9} {'median s':>9}")
            for parts, conc in ((2, 1), (2, 2), (14, 2), (64, 1), (64, 2), (200, 2), (1400, 1)):
                _first, median, requests, _ = time_status(
                    server.url, slos, at, args.repeat, max_parts_per_query=parts, concurrency=conc
                )
                print(f"{parts:>12} {conc:>12} {requests:>9} {median:>9.3f}")

            if peer:
                print_side_by_side(peer, server.url, traffic, at, status_s, args.repeat)
        finally:
            server.stop()


def print_side_by_side(
    peer: dict[int, dict[str, object]],
    url: str,
    traffic: Traffic,
    at: datetime,
    status_s: dict[int, float],
    repeat: int,
) -> None:
    end_minute = int(at.timestamp() // 60)
    windows = "/".join(promql_duration(w) for w in PEER_WINDOWS_S)
    print(f"\nside by side with slo-generator 2.6 on the same Prometheus and data: good/bad SLOs x {windows}")
    print(
        f"{'tool':<34} {'SLOs':>5} {'queries':>8} {'wall s':>8} {'ms/SLO':>8}  "
        "max relative burn-rate deviation"
    )
    for n, data in peer.items():
        reported, from_counts, invalid = slogen_accuracy(data, traffic, end_minute)
        wall = float(data["wall_s"])  # type: ignore[arg-type]
        late = float(data["started_at"]) - end_minute * 60  # type: ignore[arg-type]
        print(
            f"{'slo-generator compute()':<34} {n:>5} {2 * 3 * n:>8} {wall:>8.3f} {1000 * wall / n:>8.2f}  "
            f"{reported:.1e} as reported (BR rounded to 0.1), {from_counts:.1e} from its counts; "
            f"{invalid} invalid; "
            f"started {late:.1f} s after the data's end"
        )
        median, worst = time_lookbacks(url, make_slos(n, mixed=False), at, PEER_WINDOWS_S, repeat, traffic)
        print(
            f"{'headroom lookback_counts, same 3':<34} {n:>5} {'':>8} {median:>8.3f} "
            f"{1000 * median / n:>8.2f}  "
            f"{worst:.1e}; {wall / median:.1f}x faster"
        )
        if n in status_s:
            print(
                f"{'headroom full status, 7 windows':<34} {n:>5} {'':>8} {status_s[n]:>8.3f} "
                f"{1000 * status_s[n] / n:>8.2f}  (above); {wall / status_s[n]:.1f}x faster"
            )


if __name__ == "__main__":
    os.environ.setdefault("GOMAXPROCS", "2")
    np.seterr(all="ignore")
    main()
