"""Use case: the series behind the burn-down and burn-rate charts (``/api/v1/slos/.../burndown``).

One ``minute_series`` call per batch covers every SLO's window plus one day before it (so
the 1 d burn rate is whole from the window's first instant); the math is
``budget/burndown.py``'s. The last burn-down point equals the status' ``remaining_ratio``.

Threshold lines are the tiers of the SLO's alert profile (the SRE Workbook's by default:
14.4 / 6 / 3 / 1 over 30 days), their factors recomputed for the SLO's period with
``spec.profiles.burn_rate_factor`` (28 days: 13.44 / 5.6 / 2.8 / 0.93).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np
from pydantic import BaseModel, ConfigDict

from headroom.budget.burndown import (
    burndown_remaining_ratios,
    sample_offsets,
    sampled_burn_rates,
    step_minutes_for,
    timeslice_consumption,
)
from headroom.budget.series import FloatArray
from headroom.budget.windows import WindowSpan, minute_to_datetime, window_span
from headroom.sources.base import SLISource
from headroom.spec.durations import format_duration
from headroom.spec.model import SLO, Timeslices
from headroom.spec.profiles import BUILTIN_PROFILES, AlertProfile, burn_rate_factor

__all__ = [
    "CHART_BURN_RATE_WINDOWS_MINUTES",
    "BurndownChart",
    "Threshold",
    "burndown_charts",
    "profile_for",
]

#: The burn-rate lines drawn: the long windows of the Workbook's first three tiers (table 5-8).
CHART_BURN_RATE_WINDOWS_MINUTES: dict[str, int] = {"1h": 60, "6h": 360, "1d": 1440}
_LEAD_MINUTES = max(CHART_BURN_RATE_WINDOWS_MINUTES.values())
_DEFAULT_PROFILE = "sre-workbook"


class Threshold(BaseModel):
    """One alert tier as a line on the burn-rate chart: its factor for this SLO's period."""

    model_config = ConfigDict(frozen=True)

    tier: str
    severity: str
    long_window: str
    factor: float


class BurndownChart(BaseModel):
    """Chart series of one SLO at ``at``, as columns over the instants ``times``.

    ``remaining_ratio`` is the budget left at each instant (1.0 at the window start);
    ``burn_rates[w]`` the burn rate over the trailing ``w`` at each instant (``None``
    where that window holds no events). ``period_end`` is where the window's budget must
    last until: ``at`` for a rolling window, the period's end for a calendar one.
    """

    model_config = ConfigDict(frozen=True)

    service: str
    slo: str
    objective: float
    window: str
    budgeting: str
    at: datetime
    window_start: datetime
    window_end: datetime
    period_end: datetime
    step_minutes: int
    times: list[datetime]
    remaining_ratio: list[float | None]
    burn_rates: dict[str, list[float | None]]
    profile: str
    thresholds: list[Threshold]


def profile_for(slo: SLO) -> AlertProfile:
    """The SLO's alert profile when it is a built-in one, else the SRE Workbook's."""
    return BUILTIN_PROFILES.get(slo.alerting.profile, BUILTIN_PROFILES[_DEFAULT_PROFILE])


def _thresholds(slo: SLO, period_s: int) -> tuple[str, list[Threshold]]:
    profile = profile_for(slo)
    return profile.name, [
        Threshold(
            tier=t.name,
            severity=t.severity,
            long_window=format_duration(t.long_window_s),
            factor=burn_rate_factor(t.budget_percent, period_s, t.long_window_s),
        )
        for t in profile.tiers
    ]


def _nullable(values: FloatArray) -> list[float | None]:
    return [None if math.isnan(v) else float(v) for v in values.tolist()]


def _chart(
    slo: SLO, span: WindowSpan, at: datetime, good: FloatArray, total: FloatArray, max_points: int
) -> BurndownChart:
    """``good``/``total``: per minute from ``_LEAD_MINUTES`` before the window start to its end."""
    span_minutes = span.end_minute - span.start_minute
    step = step_minutes_for(span_minutes, max_points)
    offsets = sample_offsets(span_minutes, step)
    in_good, in_total = good[_LEAD_MINUTES:], total[_LEAD_MINUTES:]
    ebr = slo.error_budget_ratio
    if isinstance(slo.budgeting, Timeslices):
        consumed = timeslice_consumption(
            in_good, in_total, max(slo.budgeting.slice_s // 60, 1), float(slo.budgeting.slice_target)
        )
        budget = ebr * (span.period_s / 60.0)
    else:
        consumed = in_total - in_good
        budget = ebr * float(in_total.sum())
    remaining = burndown_remaining_ratios(consumed, budget, offsets)
    rates = {
        name: _nullable(sampled_burn_rates(total - good, total, offsets + _LEAD_MINUTES, width, ebr))
        for name, width in CHART_BURN_RATE_WINDOWS_MINUTES.items()
    }
    profile, thresholds = _thresholds(slo, span.period_s)
    return BurndownChart(
        service=slo.service,
        slo=slo.name,
        objective=float(slo.objective),
        window=slo.window.text,
        budgeting=slo.budgeting.method,
        at=at,
        window_start=span.start,
        window_end=span.end,
        period_end=span.start + timedelta(seconds=span.period_s),
        step_minutes=step,
        times=[minute_to_datetime(span.start_minute + int(o)) for o in offsets.tolist()],
        remaining_ratio=_nullable(remaining),
        burn_rates=rates,
        profile=profile,
        thresholds=thresholds,
    )


def burndown_charts(
    slos: Sequence[SLO], source: SLISource, at: datetime, *, max_points: int = 800
) -> list[BurndownChart]:
    """Chart series of each SLO at ``at``, at most ``max_points`` instants each (module docstring).

    30 days at ``max_points=800`` are hourly: 721 instants.
    """
    if not slos:
        return []
    spans = [window_span(slo.window, at) for slo in slos]
    first = min(s.start_minute for s in spans) - _LEAD_MINUTES
    end = spans[0].end_minute
    counts = source.minute_series(slos, first, end)
    charts: list[BurndownChart] = []
    for i, (slo, span) in enumerate(zip(slos, spans, strict=True)):
        lo = span.start_minute - _LEAD_MINUTES - first
        good = np.asarray(counts.good[i, lo:], dtype=np.float64)
        total = np.asarray(counts.total[i, lo:], dtype=np.float64)
        charts.append(_chart(slo, span, at, good, total, max_points))
    return charts
