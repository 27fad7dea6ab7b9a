"""``GET /metrics``: every SLO's budget as Prometheus gauges, evaluated at scrape time.

Each app gets its own ``CollectorRegistry`` (never the process-global default), built on
the first scrape from the app's dependencies, or passed in as ``create_app(...,
metrics_registry=build_registry(...))``. The collector evaluates ``evaluate_status`` at
``clock()`` on every scrape and exposes, with labels ``service`` and ``slo``:

=============================================  ======================================================
``headroom_slo_objective_ratio``               the objective (0.999)
``headroom_slo_sli_ratio``                     good / total over the SLO window
``headroom_slo_error_budget_remaining_ratio``  budget left (1 full, 0 spent, below 0 overspent)
``headroom_slo_error_budget_remaining_minutes``  budget left as minutes of full outage
``headroom_slo_burn_rate{window}``             burn rate over each lookback (5m .. 3d)
``headroom_slo_time_to_exhaustion_seconds``    at the 1 h burn rate
=============================================  ======================================================

A figure that is ``None`` in the status (no events, not burning) has no sample: absence
is never exported as 0 or NaN. Counts are never labels. Process-level:
``headroom_evaluation_duration_seconds`` (histogram of scrape-time evaluations) and
``headroom_evaluation_success`` (1 when the last one succeeded, 0 when the source failed).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from headroom.api.app import ApiDeps, deps_of
from headroom.budget.status import SLOStatus
from headroom.errors import HeadroomError
from headroom.service.status import evaluate_status
from headroom.sources.base import SLISource
from headroom.spec.model import SLO

__all__ = ["SLOStatusCollector", "build_registry", "router"]

router = APIRouter(tags=["metrics"])

_LABELS = ["service", "slo"]
#: Scrape-time evaluations take milliseconds on the embedded store and up to the source timeout
#: (10 s by default) against Prometheus; the buckets span both.
_DURATION_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def _families() -> dict[str, GaugeMetricFamily]:
    return {
        "objective": GaugeMetricFamily(
            "headroom_slo_objective_ratio", "SLO objective as a ratio (0.999 for 99.9%).", labels=_LABELS
        ),
        "sli": GaugeMetricFamily(
            "headroom_slo_sli_ratio", "Good events / total events over the SLO window.", labels=_LABELS
        ),
        "remaining_ratio": GaugeMetricFamily(
            "headroom_slo_error_budget_remaining_ratio",
            "Error budget left: 1 untouched, 0 spent, below 0 overspent.",
            labels=_LABELS,
        ),
        "remaining_minutes": GaugeMetricFamily(
            "headroom_slo_error_budget_remaining_minutes",
            "Error budget left, as minutes of full outage.",
            labels=_LABELS,
        ),
        "burn_rate": GaugeMetricFamily(
            "headroom_slo_burn_rate",
            "Error ratio over the trailing window / (1 - objective); 1 spends the budget exactly.",
            labels=[*_LABELS, "window"],
        ),
        "tte": GaugeMetricFamily(
            "headroom_slo_time_to_exhaustion_seconds",
            "Seconds until the budget is spent at the 1h burn rate (absent when not burning).",
            labels=_LABELS,
        ),
    }


def _fill(families: dict[str, GaugeMetricFamily], statuses: Sequence[SLOStatus]) -> None:
    def add(key: str, labels: list[str], value: float | None) -> None:
        if value is not None:
            families[key].add_metric(labels, value)

    for s in statuses:
        ids = [s.service, s.slo]
        add("objective", ids, s.objective)
        add("sli", ids, s.sli)
        add("remaining_ratio", ids, s.budget.remaining_ratio)
        add("remaining_minutes", ids, s.budget.remaining_minutes)
        for window, rate in s.burn_rates.items():
            if window != "window":
                add("burn_rate", [*ids, window], rate)
        add("tte", ids, s.time_to_exhaustion_s)


class SLOStatusCollector(Collector):
    """Evaluates every SLO at ``clock()`` on each scrape (module docstring)."""

    def __init__(
        self,
        slos: Sequence[SLO],
        source: SLISource | None,
        clock: Callable[[], datetime],
        duration: Histogram,
    ) -> None:
        self._slos = tuple(slos)
        self._source = source
        self._clock = clock
        self._duration = duration

    def describe(self) -> Iterator[Metric]:
        """The families without samples, so registering does not evaluate anything."""
        yield from _families().values()
        yield GaugeMetricFamily("headroom_evaluation_success", "")

    def collect(self) -> Iterator[Metric]:
        families = _families()
        ok = 1.0
        if self._source is not None and self._slos:
            started = time.perf_counter()
            try:
                statuses = evaluate_status(self._slos, self._source, self._clock())
            except HeadroomError:
                statuses, ok = [], 0.0
            self._duration.observe(time.perf_counter() - started)
            _fill(families, statuses)
        yield from families.values()
        yield GaugeMetricFamily(
            "headroom_evaluation_success",
            "1 when the last scrape-time evaluation succeeded, 0 when the SLI source failed.",
            value=ok,
        )


def build_registry(
    slos: Sequence[SLO], source: SLISource | None, clock: Callable[[], datetime]
) -> CollectorRegistry:
    """A fresh registry holding the SLO collector and the evaluation-duration histogram."""
    registry = CollectorRegistry()
    duration = Histogram(
        "headroom_evaluation_duration_seconds",
        "Wall time of scrape-time status evaluations.",
        buckets=_DURATION_BUCKETS_S,
        registry=None,
    )
    registry.register(SLOStatusCollector(slos, source, clock, duration))
    registry.register(duration)
    return registry


def _registry_of(request: Request, deps: ApiDeps) -> CollectorRegistry:
    """The app's registry: ``metrics_registry`` from ``create_app`` extras, else one built once per app."""
    given = deps.extra.get("metrics_registry")
    if isinstance(given, CollectorRegistry):
        return given
    state = request.app.state
    registry = getattr(state, "metrics_registry", None)
    if not isinstance(registry, CollectorRegistry):
        registry = build_registry(deps.slos, deps.source, deps.clock)
        state.metrics_registry = registry
    return registry


@router.get("/metrics", response_class=Response, include_in_schema=True)
async def metrics(request: Request, deps: ApiDeps = Depends(deps_of)) -> Response:
    """Prometheus text exposition of every SLO's budget, evaluated now."""
    return Response(generate_latest(_registry_of(request, deps)), media_type=CONTENT_TYPE_LATEST)
