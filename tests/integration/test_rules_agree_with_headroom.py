"""A real Prometheus running headroom's generated rules fires what headroom predicts.

Four services at 99.9 % over 30 days, 1,000 requests a minute each, counters backfilled
for the last 3.05 days up to the current minute (Prometheus evaluates rules at its own
"now", so the data must end there):

``fast``     0.01 % errors, then 20 % for the last 15 minutes
    5m 20 %, 1h 5.0 % (burn 50), 30m 10 % and 6h 0.84 % (burn 8.4): both page pairs
    (14.4, 6) fire; 2h burn 25 but 1d 0.22 % (burn 2.2 < 3), and 3d 0.079 % (burn
    0.79 < 1): no ticket.
``slow``     0.4 % errors all along: burn 4 on every window. Below both page factors
    (14.4, 6), above both ticket factors (3, 1): ticket only.
``healthy``  0.01 % errors (one error every 10 minutes): burn <= 0.2 on every window.
``slow-for``  the slow burn again, alerting with the ``four-tier`` profile, whose tiers
    have ``for`` durations (factors 14, 7, 2, 1): both warning tiers (2, 1) hold, and
    both stay pending, in Prometheus because the server started less than their ``for``
    (1 h, 3 h) ago, in headroom because a stateless evaluation cannot prove a ``for``.

Why the two sides agree robustly. Prometheus evaluates each rule at its own instant
``t`` (a few seconds to a minute after the data ends), with ``rate()`` over ``(t - W, t]``:
it extrapolates a range that is not covered to the range's edges, and a series whose last
sample is older than 5 minutes goes stale. headroom evaluates on the minute. Every
condition compares an error *ratio*, and the 200 and 500 counters of a job share their
sample times, so extrapolation scales numerator and denominator alike; the ratios move
only because the window slides by the lag (at most a minute or two of 3 days, 1 day, 6 h,
1 h). Every burn rate above is at least 20 % away from its threshold (the closest:
3d 0.79 vs 1, 1d 2.2 vs 3, 6h 8.4 vs 6), far beyond what a minute's slide can change,
and the fast burn lasts 15 minutes, so the 5-minute windows hold only incident minutes
whatever the lag (as long as Prometheus evaluates within 5 minutes of the data's end,
which the timeout guards).

headroom's budget tiers (``exhausted``, ``exhaustion``) have no Prometheus rule; the
comparison is over the burn-rate tiers, by (SLO, severity, state), as the rule file
groups the pairs of a ``sre-workbook`` severity into one alert (``tier: page-fast,page-slow``);
``four-tier`` alerts are one per tier and are compared by tier too.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from headroom.alerting.state import AlertRecord
from headroom.budget.windows import epoch_minute
from headroom.service.alerts import evaluate_alerts
from headroom.service.rules import write_rules
from headroom.sources.memory import InMemorySource
from headroom.sources.prometheus import PrometheusSource
from headroom.spec.load import load_specs
from headroom.spec.model import SLO
from tests.fixtures.prometheus.jobs import Job, openmetrics, spec_yaml
from tests.integration.prometheus_fixture import PrometheusProcess, start_prometheus

pytestmark = pytest.mark.integration

PER_MINUTE = 1000
DAYS = 3.05
INCIDENT_MINUTES = 15
#: How long to wait for the alerting rules' first evaluation over recorded SLIs.
RULES_TIMEOUT_S = 60.0

#: (SLO id, severity, state) of every alert that is firing or pending.
AlertSet = set[tuple[str, str, str]]


def _jobs(end_minute: int) -> list[Job]:
    minutes = int(DAYS * 1440)
    start = end_minute - minutes
    epoch = np.arange(start, end_minute)
    total = np.full(minutes, float(PER_MINUTE))
    sparse = np.where(epoch % 10 == 0, 1.0, 0.0)  # 1 of 10,000: 0.01 %
    fast = sparse.copy()
    fast[-INCIDENT_MINUTES:] = 0.2 * PER_MINUTE
    return [
        Job("fast", start, total, fast),
        Job("slow", start, total, np.full(minutes, 0.004 * PER_MINUTE)),
        Job("healthy", start, total, sparse),
        Job("slow-for", start, total, np.full(minutes, 0.004 * PER_MINUTE)),
    ]


@dataclass
class Evaluated:
    """What Prometheus fired and what headroom predicts, at one moment."""

    prometheus: AlertSet
    prometheus_tiers: set[tuple[str, str, str]]  # (SLO id, tier label, state)
    from_prometheus: list[AlertRecord]
    from_memory: list[AlertRecord]
    at: datetime


def _groups(client: httpx.Client, url: str) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = client.get(f"{url}/api/v1/rules").json()["data"]["groups"]
    return groups


def _evaluated_after(group: dict[str, Any], instant: datetime) -> bool:
    """``lastEvaluation`` (Go's RFC 3339 with nanoseconds; year 1 when never) after ``instant``."""
    found = re.fullmatch(r"(.{19})(?:\.(\d+))?(Z|[+-]\d\d:\d\d)", str(group.get("lastEvaluation", "")))
    if found is None or found[1].startswith("0001-"):
        return False
    micros = (found[2] or "0")[:6].ljust(6, "0")
    zone = "+00:00" if found[3] == "Z" else found[3]
    return datetime.fromisoformat(f"{found[1]}.{micros}{zone}") > instant


def _wait_for_alert_rules(server: PrometheusProcess) -> None:
    """Until every alerting group has been evaluated after every recording group had been once.

    Groups run independently; an alerting group evaluated before the recording groups'
    first run sees no SLI series and fires nothing, so that evaluation does not count.
    """
    deadline = time.monotonic() + RULES_TIMEOUT_S
    recorded_at: datetime | None = None
    with httpx.Client(timeout=5) as client:
        while time.monotonic() < deadline:
            groups = _groups(client, server.url)
            alerting = [g for g in groups if any(r["type"] == "alerting" for r in g["rules"])]
            recording = [g for g in groups if g not in alerting]
            if groups and recorded_at is None:
                epoch = datetime.fromtimestamp(0, tz=UTC)
                if all(_evaluated_after(g, epoch) for g in recording):
                    recorded_at = datetime.now(UTC)
            done = recorded_at is not None and all(_evaluated_after(g, recorded_at) for g in alerting)
            if alerting and done:
                return
            time.sleep(0.2)
    raise AssertionError(f"Prometheus did not evaluate the alerting rules in {RULES_TIMEOUT_S:g} s")


def _alerts_in_prometheus(server: PrometheusProcess) -> tuple[AlertSet, set[tuple[str, str, str]]]:
    with httpx.Client(timeout=5) as client:
        alerts = client.get(f"{server.url}/api/v1/alerts").json()["data"]["alerts"]
    by_severity: AlertSet = set()
    by_tier: set[tuple[str, str, str]] = set()
    for alert in alerts:
        labels = alert["labels"]
        by_severity.add((labels["headroom_slo"], labels["sloth_severity"], alert["state"]))
        by_tier.add((labels["headroom_slo"], labels["tier"], alert["state"]))
    return by_severity, by_tier


def _active(records: list[AlertRecord]) -> AlertSet:
    """(SLO, severity, state) of the burn-rate tiers that fire or are pending a ``for``."""
    return {
        (r.slo_id, r.severity, r.state)
        for r in records
        if r.kind == "burn_rate" and r.state in ("firing", "pending")
    }


def _memory(jobs: list[Job]) -> InMemorySource:
    source = InMemorySource()
    for job in jobs:
        source.put(job.slo_id, job.start_minute, job.good, job.total)
    return source


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Evaluated]:
    tmp = Path(tmp_path_factory.mktemp("rules-agree"))
    specs = []
    for job in ("fast", "slow", "healthy", "slow-for"):
        path = tmp / f"{job}.yaml"
        profile = "four-tier" if job == "slow-for" else None
        path.write_text(spec_yaml(job, function="rate", profile=profile))
        specs.append(path)
    rules = write_rules(specs, tmp / "slo-rules.yaml")
    assert rules.notes == ()
    slos: list[SLO] = list(load_specs(specs).slos)
    jobs = _jobs(epoch_minute(datetime.now(UTC)))
    server = start_prometheus(tmp, openmetrics(jobs), [tmp / "slo-rules.yaml"], evaluation_interval_s=1)
    try:
        _wait_for_alert_rules(server)
        by_severity, by_tier = _alerts_in_prometheus(server)
        at = datetime.now(UTC)
        with PrometheusSource(server.url) as source:
            from_prometheus = evaluate_alerts(slos, source, at)
        from_memory = evaluate_alerts(slos, _memory(jobs), at)
        yield Evaluated(by_severity, by_tier, from_prometheus, from_memory, at)
    finally:
        server.stop()


EXPECTED: AlertSet = {
    ("fast/availability", "page", "firing"),
    ("slow/availability", "ticket", "firing"),
    ("slow-for/availability", "warning", "pending"),
}


def test_the_fast_burn_pages_the_slow_burn_tickets_a_for_tier_waits_and_the_healthy_stays_quiet(
    evaluated: Evaluated,
) -> None:
    assert evaluated.prometheus == EXPECTED


def test_prometheus_fires_exactly_what_headroom_predicts_from_prometheus(evaluated: Evaluated) -> None:
    assert _active(evaluated.from_prometheus) == evaluated.prometheus


def test_prometheus_fires_exactly_what_headroom_predicts_from_the_exact_counts(evaluated: Evaluated) -> None:
    assert _active(evaluated.from_memory) == evaluated.prometheus


def test_tiers_with_a_for_are_pending_tier_by_tier_on_both_sides(evaluated: Evaluated) -> None:
    in_prometheus = {key for key in evaluated.prometheus_tiers if key[0] == "slow-for/availability"}
    in_headroom = {
        (r.slo_id, r.tier, r.state)
        for r in evaluated.from_memory
        if r.slo_id == "slow-for/availability" and r.kind == "burn_rate" and r.state != "inactive"
    }
    assert (
        in_prometheus
        == in_headroom
        == {
            ("slow-for/availability", "warning-1d", "pending"),
            ("slow-for/availability", "warning-4d", "pending"),
        }
    )


def test_headroom_fires_the_tiers_the_worked_numbers_say(evaluated: Evaluated) -> None:
    firing = {
        (r.slo_id, r.tier) for r in evaluated.from_memory if r.kind == "burn_rate" and r.state == "firing"
    }
    assert firing == {
        ("fast/availability", "page-fast"),
        ("fast/availability", "page-slow"),
        ("slow/availability", "ticket-fast"),
        ("slow/availability", "ticket-slow"),
    }
    ratios = {
        (r.slo_id, r.tier): (r.long_error_ratio, r.short_error_ratio)
        for r in evaluated.from_prometheus
        if r.kind == "burn_rate"
    }
    # slow: 4 of 1,000 on every window, whatever Prometheus extrapolates.
    slow_long, slow_short = ratios[("slow/availability", "ticket-slow")]
    assert slow_long == pytest.approx(0.004)
    assert slow_short == pytest.approx(0.004)
    # fast: 1d holds 15 x 200 incident errors + 144 sparse ones of 1.44 M (within a slide of a minute or two).
    long_1d, _ = ratios[("fast/availability", "ticket-fast")]
    assert long_1d == pytest.approx(3144 / 1_440_000, rel=0.01)


def test_headroom_reads_the_same_ratios_from_prometheus_as_from_the_exact_counts(
    evaluated: Evaluated,
) -> None:
    """Samples on the minute and evaluation on the minute: increase() has nothing to extrapolate."""
    for got, want in zip(evaluated.from_prometheus, evaluated.from_memory, strict=True):
        assert (got.slo_id, got.tier, got.state) == (want.slo_id, want.tier, want.state)
        if want.kind == "burn_rate":
            assert got.long_error_ratio == pytest.approx(want.long_error_ratio, rel=1e-9)
            assert got.short_error_ratio == pytest.approx(want.short_error_ratio, rel=1e-9)
