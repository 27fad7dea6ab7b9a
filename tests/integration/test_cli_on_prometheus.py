"""``headroom status``, ``alerts``, ``gate`` and ``backtest`` agree on a Prometheus source and the store.

One spec, two services at 99.9 % over 30 days, 1,000 requests a minute each for the 3.05 days
(4,392 minutes) before END; the same
per-minute counts are backfilled into a real Prometheus (counters sampled on the minute)
and ingested into a DuckDB store with ``headroom ingest --counts``. Every command runs
twice, ``--prometheus-url URL`` and ``--store FILE``, at a fixed past ``--at`` on the
minute, and the two outputs are compared.

``burning``  one error every 2 minutes (0.05 %), and 20 % errors for 30 minutes ending an
    hour before END: 6,000 + 2,181 bad of the 4,392 the 4,392,000 requests allow, so the
    budget is spent (remaining ratio 1 - 8,181 / 4,392 = -0.863); at END the page pairs
    are quiet again (the 1 h and 30 m windows hold no incident minute) and both ticket
    pairs fire (1d 0.47 % > 0.3 %, 2h 5 %; 3d 0.19 % > 0.1 %, 6h 1.7 %).
``healthy``  one error every 10 minutes (0.01 %): 439 of 4,392 allowed, 90 % left.

Why exact agreement is expected. The samples sit on minute boundaries and the commands
evaluate on the minute, so every ``increase()`` range starts and ends on a sample and
Prometheus has nothing to extrapolate (Prometheus 2.x ranges are closed at both ends,
``tests/integration/test_prometheus_source.py``). Burn rates and budgets agree to 1e-6,
and the backtest's per-minute series are equal, so its firing spans are equal to the
minute (no +-1 minute allowance is needed, and none is made).
"""

from __future__ import annotations

import gc
import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from headroom.budget.windows import epoch_minute
from headroom.cli.main import app
from tests.fixtures.prometheus.jobs import Job, counts_csv, openmetrics, spec_yaml
from tests.integration.prometheus_fixture import PrometheusProcess, start_prometheus

pytestmark = pytest.mark.integration

END = datetime(2026, 6, 4, 9, 17, tzinfo=UTC)
AT = "2026-06-04T09:17:00Z"
PER_MINUTE = 1000
MINUTES = int(3.05 * 1440)
INCIDENT = (-90, -60)  # minutes relative to END: [first, last + 1)


def _jobs() -> list[Job]:
    end = epoch_minute(END)
    start = end - MINUTES
    epoch = np.arange(start, end)
    total = np.full(MINUTES, float(PER_MINUTE))
    burning = np.where(epoch % 2 == 0, 1.0, 0.0)
    burning[(epoch >= end + INCIDENT[0]) & (epoch < end + INCIDENT[1])] = 0.2 * PER_MINUTE
    return [
        Job("burning", start, total, burning),
        Job("healthy", start, total, np.where(epoch % 10 == 0, 1.0, 0.0)),
    ]


@dataclass
class Setup:
    spec: Path
    store: Path
    prometheus: PrometheusProcess

    def run(self, *args: str, source: str) -> tuple[int, str]:
        """One command on the Prometheus (``source="prometheus"``) or the embedded store."""
        if source == "prometheus":
            # An empty store of its own: whatever agrees came from Prometheus.
            empty = self.store.with_suffix(".empty.duckdb")
            where = ["--prometheus-url", self.prometheus.url, "--store", str(empty)]
        else:
            where = ["--store", str(self.store)]
        result = CliRunner().invoke(app, [*args, *where])
        crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
        code, stdout, output = result.exit_code, result.stdout, result.output
        assert not crashed, output
        return code, stdout

    def json(self, *args: str, source: str) -> tuple[int, Any]:
        code, out = self.run(*args, "--output", "json", source=source)
        return code, json.loads(out)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    tmp = Path(tmp_path_factory.mktemp("cli-prom"))
    jobs = _jobs()
    spec = tmp / "spec.yaml"
    spec.write_text("---\n".join(spec_yaml(j.name) for j in jobs))
    (tmp / "counts.csv").write_text(counts_csv(jobs))
    store = tmp / "store.duckdb"
    ingested = CliRunner().invoke(
        app, ["ingest", str(spec), str(tmp / "counts.csv"), "--counts", "--store", str(store)]
    )
    assert ingested.exit_code == 0, ingested.output
    server = start_prometheus(tmp, openmetrics(jobs))
    try:
        yield Setup(spec, store, server)
    finally:
        server.stop()


def _rfc3339(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _by_slo(statuses: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f"{s['service']}/{s['slo']}": s for s in statuses}


def test_status_reads_the_same_budget_and_burn_rates_from_prometheus_as_from_the_store(setup: Setup) -> None:
    code, from_prometheus = setup.json("status", str(setup.spec), "--at", AT, source="prometheus")
    assert code == 0
    _, from_store = setup.json("status", str(setup.spec), "--at", AT, source="store")
    got, want = _by_slo(from_prometheus), _by_slo(from_store)
    assert got.keys() == want.keys() == {"burning/availability", "healthy/availability"}
    for slo, status in got.items():
        assert status["budget"]["remaining_ratio"] == pytest.approx(
            want[slo]["budget"]["remaining_ratio"], rel=1e-6, abs=1e-6
        )
        assert status["burn_rates"].keys() == want[slo]["burn_rates"].keys()
        for window, burn in status["burn_rates"].items():
            assert burn == pytest.approx(want[slo]["burn_rates"][window], rel=1e-6, abs=1e-6), (slo, window)
    # Worked numbers (module docstring).
    burning = got["burning/availability"]
    assert burning["budget"]["remaining_ratio"] == pytest.approx(1 - 8181 / 4392, rel=1e-9)
    assert got["healthy/availability"]["budget"]["remaining_ratio"] == pytest.approx(1 - 439 / 4392, rel=1e-9)
    # The 2 h window holds the whole incident: (6,000 + 45) / 120,000 = 5.0375 %, burn 50.375.
    assert got["burning/availability"]["burn_rates"]["2h"] == pytest.approx(50.375, rel=1e-9)


def _alert_states(records: list[dict[str, Any]]) -> dict[tuple[str, str, str], str]:
    return {(r["service"], r["slo"], r["tier"]): r["state"] for r in records}


def test_alerts_fire_the_same_tiers_on_prometheus_as_on_the_store_and_exit_1(setup: Setup) -> None:
    code, from_prometheus = setup.json("alerts", str(setup.spec), "--at", AT, source="prometheus")
    store_code, from_store = setup.json("alerts", str(setup.spec), "--at", AT, source="store")
    assert (code, store_code) == (1, 1)
    got = _alert_states(from_prometheus)
    assert got == _alert_states(from_store)
    firing = {key for key, state in got.items() if state == "firing"}
    assert firing == {
        ("burning", "availability", "ticket-fast"),
        ("burning", "availability", "ticket-slow"),
        ("burning", "availability", "exhausted"),
    }
    ratios = {(r["service"], r["tier"]): (r["long_error_ratio"], r["short_error_ratio"]) for r in from_store}
    for r in from_prometheus:
        for got_ratio, want_ratio in zip(
            (r["long_error_ratio"], r["short_error_ratio"]), ratios[(r["service"], r["tier"])], strict=True
        ):
            assert got_ratio == (None if want_ratio is None else pytest.approx(want_ratio, rel=1e-6))


def test_alerts_on_a_healthy_service_exit_0_on_prometheus_as_on_the_store(setup: Setup) -> None:
    args = ("alerts", str(setup.spec), "--service", "healthy", "--at", AT)
    assert setup.run(*args, source="prometheus")[0] == 0
    assert setup.run(*args, source="store")[0] == 0


@pytest.mark.parametrize(
    ("service", "exit_code", "decision"), [("burning", 1, "freeze"), ("healthy", 0, "go")]
)
def test_gate_decides_the_same_on_prometheus_as_on_the_store(
    setup: Setup, service: str, exit_code: int, decision: str
) -> None:
    args = ("gate", str(setup.spec), "--service", service, "--at", AT)
    code, from_prometheus = setup.json(*args, source="prometheus")
    store_code, from_store = setup.json(*args, source="store")
    assert (code, store_code) == (exit_code, exit_code)
    assert from_prometheus["decision"] == from_store["decision"] == decision
    assert from_prometheus["reasons"] == from_store["reasons"]
    for got, want in zip(from_prometheus["slos"], from_store["slos"], strict=True):
        assert got["decision"] == want["decision"]
        assert got["firing_alerts"] == want["firing_alerts"]
        assert got["remaining_ratio"] == pytest.approx(want["remaining_ratio"], rel=1e-6, abs=1e-6)


def test_backtest_finds_the_same_firing_spans_on_prometheus_as_on_the_store(setup: Setup) -> None:
    frm = _rfc3339(END - timedelta(hours=12))
    args = ("backtest", str(setup.spec), "--from", frm, "--to", AT)
    code, from_prometheus = setup.json(*args, source="prometheus")
    store_code, from_store = setup.json(*args, source="store")
    assert (code, store_code) == (0, 0)
    spans = {
        (slo["service"], tier["tier"]): tier["spans"]
        for profile in from_prometheus["profiles"]
        for slo in profile["slos"]
        for tier in slo["tiers"]
    }
    want = {
        (slo["service"], tier["tier"]): tier["spans"]
        for profile in from_store["profiles"]
        for slo in profile["slos"]
        for tier in slo["tiers"]
    }
    assert spans == want
    # The 1 h @ 14.4 page needs 1.44 % over the hour: 20 % errors get there after
    # 0.001 / 0.2 x 3,600 s x 14.4 = 259.2 s, so the minute 5 evaluation fires; it resets
    # when the 5 m window is past the incident. The healthy service never fires.
    fires = END + timedelta(minutes=INCIDENT[0] + 5)
    resets = END + timedelta(minutes=INCIDENT[1] + 5)
    assert spans[("burning", "page-fast")] == [{"start": _rfc3339(fires), "end": _rfc3339(resets)}]
    assert spans[("burning", "ticket-fast")][-1]["end"] is None  # still firing at END
    assert not any(s for (service, _), s in spans.items() if service == "healthy")
    assert from_prometheus["profiles"] == from_store["profiles"]


def test_a_command_on_prometheus_closes_its_connections(setup: Setup) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        result = CliRunner().invoke(
            app,
            [
                *("status", str(setup.spec), "--at", AT),
                *("--prometheus-url", setup.prometheus.url, "--store", str(setup.store)),
            ],
        )
        code, output = result.exit_code, result.output
        del result
        gc.collect()
    assert code == 0, output
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []
