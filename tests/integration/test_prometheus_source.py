"""PrometheusSource against a real Prometheus with backfilled counters of known exact counts.

The traffic (``tests/fixtures/prometheus/traffic.py``): 10 req/s, 0.1 % errors, an incident
of 20 % errors for 30 minutes ending 20 minutes before END, latency buckets spelled
``0.1``/``0.25``/``1.0``/``+Inf``, counters sampled every 60 s on minute boundaries.

Tolerance. For a counter sampled every ``s`` seconds, ``increase(v[W])`` sees the samples
inside the range and extrapolates the ends by at most about one interval, so it is exact
up to ~``s / W`` relative when traffic is even and the series covers the window (20 % for
5 m, 1.7 % for 1 h, 0.02 % for 3 d at s = 60); with uneven traffic, up to one interval's
events (``_count_bound``). headroom evaluates on the minute boundary and Prometheus 2.x
ranges are closed, so with minute-aligned samples there is nothing to extrapolate and the
counts are exact; samples 30 s off the minute show the extrapolation. The tests print the
deviations actually measured (the docs quote them).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import numpy as np
import pytest

from headroom.budget.status import SLOStatus
from headroom.budget.windows import BURN_RATE_WINDOWS_S, epoch_minute, window_span
from headroom.service.status import evaluate_status
from headroom.sources.memory import InMemorySource
from headroom.sources.prometheus import PrometheusSource
from headroom.spec.model import (
    SLO,
    CalendarWindow,
    PrometheusHistogramSLI,
    PrometheusRatioSLI,
    PrometheusRawSLI,
    RollingWindow,
    Timeslices,
)
from tests.fixtures.prometheus.traffic import Traffic, make_traffic
from tests.integration.prometheus_fixture import (
    PrometheusProcess,
    openmetrics_counter_lines,
    prometheus_server,  # noqa: F401 (a fixture)
    start_prometheus,
)

pytestmark = pytest.mark.integration

END = datetime(2026, 6, 4, 9, 17, tzinfo=UTC)
STEP_S = 60
SELECT = 'service="api"'
ERRORS = f'sum(increase(http_requests_total{{{SELECT},code="500"}}[{{{{window}}}}]))'
TOTAL = f"sum(increase(http_requests_total{{{SELECT}}}[{{{{window}}}}]))"
GOOD_RATE = f'sum(rate(http_requests_total{{{SELECT},code="200"}}[{{{{window}}}}]))'
TOTAL_RATE = f"sum(rate(http_requests_total{{{SELECT}}}[{{{{window}}}}]))"
THREE_DAYS = RollingWindow(duration_s=3 * 86400)


def _slo(name: str, sli: object, objective: str = "0.999", **kw: object) -> SLO:
    base: dict[str, object] = {
        "service": "api",
        "name": name,
        "objective": Decimal(objective),
        "window": THREE_DAYS,
        "sli": sli,
    }
    base.update(kw)
    return SLO.model_validate(base)


SLOS = [
    _slo("errors-increase", PrometheusRatioSLI(error_query=ERRORS, total_query=TOTAL)),
    _slo("good-rate", PrometheusRatioSLI(good_query=GOOD_RATE, total_query=TOTAL_RATE)),
    _slo(
        "latency-250ms",
        PrometheusHistogramSLI(metric="http_request_duration_seconds", selector=SELECT, threshold_s=0.250),
        "0.99",
    ),
    _slo(
        "latency-1s",
        PrometheusHistogramSLI(metric="http_request_duration_seconds", selector=SELECT, threshold_s=1),
        "0.99",
    ),
    _slo("raw-ratio", PrometheusRawSLI(error_ratio_query=f"{ERRORS} / {TOTAL}")),
    _slo(
        "slices",
        PrometheusRatioSLI(error_query=ERRORS, total_query=TOTAL),
        "0.99",
        budgeting=Timeslices(slice_s=60, slice_target=Decimal("0.95")),
    ),
    _slo(
        "monthly",
        PrometheusRatioSLI(error_query=ERRORS, total_query=TOTAL),
        window=CalendarWindow(unit="month"),
    ),
]


def _memory(traffic: Traffic, slos: list[SLO]) -> InMemorySource:
    """The same per-minute events the counters were built from, per SLO."""
    source = InMemorySource()
    for slo in slos:
        good = traffic.total[0] - traffic.errors[0]
        if isinstance(slo.sli, PrometheusHistogramSLI):
            good = traffic.buckets["0.25" if slo.sli.threshold_s == 0.25 else "1.0"][0]
        source.put(slo.id, traffic.start_minute, good, traffic.total[0])
    return source


@pytest.fixture(scope="module")
def traffic() -> Traffic:
    return make_traffic(["api", "offset"], epoch_minute(END), days=3.05, sample_offsets_s=(0, 30))


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory, traffic: Traffic) -> Iterator[PrometheusProcess]:
    server = start_prometheus(Path(tmp_path_factory.mktemp("prom")), traffic.openmetrics())
    yield server
    server.stop()


def _relative(a: float | None, b: float | None) -> float:
    assert a is not None
    assert b is not None
    return abs(a - b) / abs(b) if b else abs(a - b)


def _count_bound(exact: float, per_minute: np.ndarray, window_s: int) -> float:
    """How far ``increase(v[W])`` may be from the exact count (module docstring).

    It sees whole sample intervals covering at least ``W - s`` and scales them to ``W``; the
    part it misses holds at most one interval of events. So
    ``|increase - exact| <= max(exact x s / (W - s), events in one interval)``; for even
    traffic the two cancel and the error is ~``s / W`` relative or less.
    """
    return max(exact * STEP_S / (window_s - STEP_S), float(per_minute.max(initial=0.0))) + 1e-6


def _check_counts(source: PrometheusSource, slo: SLO, traffic: Traffic, service: int, at: datetime) -> None:
    """Good and total of every burn-rate window within the extrapolation bound of the exact counts."""
    end = epoch_minute(at)
    counts = source.lookback_counts([slo], at, list(BURN_RATE_WINDOWS_S.values()))
    for j, window_s in enumerate(BURN_RATE_WINDOWS_S.values()):
        lo, hi = max(end - window_s // 60 - traffic.start_minute, 0), end - traffic.start_minute
        total = traffic.total[service, lo:hi]
        bad = traffic.errors[service, lo:hi]
        got_bad = counts.total[0, j] - counts.good[0, j]
        assert abs(counts.total[0, j] - total.sum()) <= _count_bound(total.sum(), total, window_s)
        assert abs(got_bad - bad.sum()) <= _count_bound(bad.sum(), bad, window_s), (
            window_s,
            got_bad,
            bad.sum(),
        )


def _compare(got: list[SLOStatus], want: list[SLOStatus]) -> dict[str, float]:
    """Max relative deviation of each burn rate and of the budget remaining, over the SLOs."""
    worst: dict[str, float] = {}
    for a, b in zip(got, want, strict=True):
        assert a.null_reasons.keys() - {"events"} == b.null_reasons.keys()
        for name in BURN_RATE_WINDOWS_S:
            worst[name] = max(worst.get(name, 0.0), _relative(a.burn_rates[name], b.burn_rates[name]))
        dev = _relative(a.budget.remaining_ratio, b.budget.remaining_ratio)
        worst["remaining_ratio"] = max(worst.get("remaining_ratio", 0.0), dev)
    return worst


def test_status_from_prometheus_agrees_with_the_exact_counts(
    prometheus: PrometheusProcess, traffic: Traffic
) -> None:
    with PrometheusSource(prometheus.url) as source:
        got = evaluate_status(SLOS, source, END)
        _check_counts(source, SLOS[0], traffic, 0, END)
    want = evaluate_status(SLOS, _memory(traffic, SLOS), END)
    worst = _compare(got, want)
    print(f"\nmax relative deviation vs exact per-minute events at END: {worst}")
    # Minute-aligned samples, evaluation on the minute, Prometheus 2.x closed ranges: exact.
    assert max(worst.values()) < 1e-9
    by_name = {s.slo: s for s in got}
    # Worked numbers: a 1 h window holding the 30-minute incident, 20 % errors then 0.1 %.
    # bad = 30 x 120 + (3 + 3 + 3 + 3 + 3 + 3) x 1 = 3618 of 36000 -> error ratio 0.1005, burn 100.5.
    assert by_name["errors-increase"].burn_rates["1h"] == pytest.approx(100.5, rel=1e-12)
    assert by_name["good-rate"].burn_rates["1h"] == pytest.approx(100.5, rel=1e-12)
    assert by_name["raw-ratio"].burn_rates["1h"] == pytest.approx(100.5, rel=1e-12)
    # 1 s is exposed as le="1.0": found by number, so the latency SLI is real, not 0.
    assert by_name["latency-1s"].sli == pytest.approx(
        1 - (20 * 30 + 1 * (4320 - 30)) / (600 * 4320), rel=1e-12
    )
    assert by_name["raw-ratio"].events.total is None
    assert by_name["slices"].budget.unit == "minutes"


def test_a_past_instant_reads_the_past_not_now(prometheus: PrometheusProcess, traffic: Traffic) -> None:
    earlier = END - timedelta(hours=3)
    with PrometheusSource(prometheus.url) as source:
        got = evaluate_status(SLOS[:1], source, earlier)
        _check_counts(source, SLOS[0], traffic, 0, earlier)
    want = evaluate_status(SLOS[:1], _memory(traffic, SLOS[:1]), earlier)
    assert max(_compare(got, want).values()) < 1e-9
    assert got[0].burn_rates["1h"] == pytest.approx(1.0, rel=1e-12)  # before the incident: on budget


def test_an_instant_inside_a_minute_is_evaluated_at_that_minutes_start(prometheus: PrometheusProcess) -> None:
    with PrometheusSource(prometheus.url) as source:
        aligned = evaluate_status(SLOS[:2], source, END)
        inside = evaluate_status(SLOS[:2], source, END + timedelta(seconds=42.5))
    assert [s.burn_rates for s in inside] == [s.burn_rates for s in aligned]


def test_minute_series_equals_the_events_minute_by_minute(
    prometheus: PrometheusProcess, traffic: Traffic
) -> None:
    end = epoch_minute(END)
    slos = SLOS[:3]
    with PrometheusSource(prometheus.url) as source:
        got = source.minute_series(slos, end - 180, end)
    want = _memory(traffic, slos).minute_series(slos, end - 180, end)
    assert np.array_equal(got.good, want.good)
    assert np.array_equal(got.total, want.total)
    assert got.missing == {}


def test_ratio_timeslices_equals_event_weighting_when_traffic_is_even(
    prometheus: PrometheusProcess, traffic: Traffic
) -> None:
    slo = SLOS[0]
    span = window_span(slo.window, END)
    with (
        PrometheusSource(prometheus.url) as events,
        PrometheusSource(prometheus.url, period_mode="ratio-timeslices") as ratio,
    ):
        by_events = events.window_counts([slo], [span])
        by_ratio = ratio.window_counts([slo], [span])
    # 600 requests every minute: each 5-minute slice weighs the same, so the two agree.
    assert by_ratio.good[0, 0] == pytest.approx(by_events.good[0, 0] / by_events.total[0, 0], rel=1e-9)
    assert not by_ratio.counts_known[0]


def test_a_bucket_that_does_not_exist_is_no_data_with_the_buckets_listed(
    prometheus: PrometheusProcess,
) -> None:
    slo = _slo(
        "latency-300ms",
        PrometheusHistogramSLI(metric="http_request_duration_seconds", selector=SELECT, threshold_s=0.3),
    )
    with PrometheusSource(prometheus.url) as source:
        (status,) = evaluate_status([slo], source, END)
        counts = source.lookback_counts([slo], END, [3600])
    assert status.sli is None
    assert "its buckets are 0.1, 0.25, 1.0, +Inf" in counts.missing[0]


def test_a_stopped_prometheus_is_a_source_error_with_the_fix(tmp_path: Path) -> None:
    from headroom.errors import SourceError
    from tests.integration.prometheus_fixture import free_port

    url = f"http://127.0.0.1:{free_port()}"
    with (
        PrometheusSource(url, retries=1, backoff_s=0.0, timeout_s=2) as source,
        pytest.raises(SourceError) as caught,
    ):
        evaluate_status(SLOS[:1], source, END)
    assert f"Prometheus at {url}/api/v1/query could not be reached" in str(caught.value)
    assert "fix: check that the URL is right" in str(caught.value)


def test_samples_off_the_minute_are_extrapolated_within_one_interval_over_the_window(
    prometheus: PrometheusProcess, traffic: Traffic
) -> None:
    """Samples 30 s after each minute: increase() sees W - 60 s of increments and scales them up."""
    select = 'service="offset"'
    sli = PrometheusRatioSLI(
        error_query=f'sum(increase(http_requests_total{{{select},code="500"}}[{{{{window}}}}]))',
        total_query=f"sum(increase(http_requests_total{{{select}}}[{{{{window}}}}]))",
    )
    slo = SLO(service="offset", name="availability", objective=Decimal("0.999"), window=THREE_DAYS, sli=sli)
    memory = InMemorySource()
    memory.put(slo.id, traffic.start_minute, traffic.total[1] - traffic.errors[1], traffic.total[1])
    with PrometheusSource(prometheus.url) as source:
        got = evaluate_status([slo], source, END)
        _check_counts(source, slo, traffic, 1, END)
    want = evaluate_status([slo], memory, END)
    worst = _compare(got, want)
    print(f"\nmax relative deviation with samples 30 s off the minute: {worst}")
    assert worst["1h"] > 1e-6  # this case really extrapolates
    assert worst["3d"] < 0.001


def test_the_fixture_serves_rule_files_and_stops_its_server(
    prometheus_server: Callable[..., PrometheusProcess],  # noqa: F811 (the imported fixture)
    tmp_path: Path,
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "groups:\n- name: fixture\n  rules:\n  - record: fixture:requests:sum\n"
        "    expr: sum(http_requests_total)\n"
    )
    text = "\n".join(
        ["# TYPE http_requests counter", *openmetrics_counter_lines("http_requests_total", {}, 0, 60, [1, 2])]
    )
    server = prometheus_server(text, rule_files=[rules], evaluation_interval_s=1)
    with httpx.Client(timeout=5) as client:
        deadline = time.monotonic() + 30
        groups: list[dict[str, object]] = []
        while time.monotonic() < deadline and not groups:
            groups = client.get(f"{server.url}/api/v1/rules").json()["data"]["groups"]
            time.sleep(0.2)
    assert [g["name"] for g in groups] == ["fixture"]
    server.stop()
    assert server.process.poll() is not None
