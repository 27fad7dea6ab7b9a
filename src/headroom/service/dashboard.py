"""Use cases of the HTTP surfaces: the SLO catalogue, the dashboard's overview and detail pages.

The API and the web pages call these, so both show the same figures: ``overview`` is the
statuses plus a coarse burn-down per SLO (the sparklines); ``detail`` is one SLO's status,
its chart series and its alert states. ``parse_instant`` reads the ``?at=`` parameter
with a message that names the parameter and the fix.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from headroom.alerting.state import AlertRecord
from headroom.budget.status import SLOStatus
from headroom.errors import HeadroomError, UsageError
from headroom.service.alerts import evaluate_alerts
from headroom.service.charts import BurndownChart, burndown_charts, profile_for
from headroom.service.status import evaluate_status
from headroom.sources.base import SLISource
from headroom.spec.model import SLO

__all__ = [
    "SPARKLINE_POINTS",
    "BudgetHealth",
    "Detail",
    "Overview",
    "OverviewRow",
    "SLOSummary",
    "budget_health",
    "catalogue",
    "detail",
    "find_slo",
    "overview",
    "parse_instant",
    "require_source",
    "unknown_service_message",
    "unknown_slo_message",
]

#: Instants per overview sparkline: at most 200, so 30 days are drawn every 6 hours (121 points).
SPARKLINE_POINTS = 200

BudgetHealth = Literal["healthy", "watch", "low", "exhausted", "unknown"]


class SLOSummary(BaseModel):
    """One SLO of the loaded specs, as ``GET /api/v1/slos`` lists it."""

    model_config = ConfigDict(frozen=True)

    id: str
    service: str
    slo: str
    description: str
    objective: float
    window: str
    budgeting: str
    alert_profile: str


class OverviewRow(BaseModel):
    """One SLO on the overview: its status, a health word, and its burn-down for a sparkline."""

    model_config = ConfigDict(frozen=True)

    status: SLOStatus
    health: BudgetHealth
    sparkline: list[float | None]


class Overview(BaseModel):
    model_config = ConfigDict(frozen=True)

    at: datetime
    rows: list[OverviewRow]


class Detail(BaseModel):
    """One SLO's page: status, chart series, and alert states (``None`` with a note if unavailable)."""

    model_config = ConfigDict(frozen=True)

    status: SLOStatus
    health: BudgetHealth
    chart: BurndownChart
    alerts: list[AlertRecord] | None
    alerts_note: str | None
    description: str


def parse_instant(text: str | None, clock: Callable[[], datetime], param: str = "at") -> datetime:
    """``?at=``: RFC 3339 with a zone (``2026-11-01T00:00:00Z``) or epoch seconds; absent means now."""
    if text is None or text.strip() in ("", "now"):
        return clock()
    raw = text.strip()
    try:
        return datetime.fromtimestamp(float(raw), tz=UTC)
    except (ValueError, OverflowError, OSError):
        pass
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"{param}={text!r} is not a time; write RFC 3339 like {param}=2026-11-01T00:00:00Z "
            "or epoch seconds"
        ) from None
    if parsed.tzinfo is None:
        raise UsageError(f"{param}={text!r} has no time zone; add Z for UTC, e.g. {param}={raw}Z")
    return parsed.astimezone(UTC)


def require_source(source: SLISource | None) -> SLISource:
    if source is None:
        raise UsageError("this server has no SLI source; start it with a store or --prometheus-url")
    return source


def budget_health(remaining_ratio: float | None, *, low_below: float = 0.25) -> BudgetHealth:
    """A word for the budget left: exhausted (<= 0), low (< 25 %), watch (< 50 %), healthy."""
    if remaining_ratio is None:
        return "unknown"
    if remaining_ratio <= 0:
        return "exhausted"
    if remaining_ratio < low_below:
        return "low"
    if remaining_ratio < 0.5:
        return "watch"
    return "healthy"


def catalogue(slos: Sequence[SLO]) -> list[SLOSummary]:
    """Every loaded SLO, in spec order."""
    return [
        SLOSummary(
            id=s.id,
            service=s.service,
            slo=s.name,
            description=s.description,
            objective=float(s.objective),
            window=s.window.text,
            budgeting=s.budgeting.method,
            alert_profile=s.alerting.profile,
        )
        for s in slos
    ]


def find_slo(slos: Sequence[SLO], service: str, name: str) -> SLO | None:
    return next((s for s in slos if s.service == service and s.name == name), None)


def unknown_slo_message(slos: Sequence[SLO], service: str, name: str) -> str:
    known = ", ".join(s.id for s in slos) or "none (no spec loaded)"
    return f"no SLO {service}/{name} in the loaded specs; known SLOs: {known}"


def unknown_service_message(slos: Sequence[SLO], service: str) -> str:
    known = ", ".join(sorted({s.service for s in slos})) or "none (no spec loaded)"
    return f"no SLOs for service {service!r} in the loaded specs; services: {known}"


def overview(slos: Sequence[SLO], source: SLISource, at: datetime) -> Overview:
    """Every SLO's status and a coarse burn-down (``SPARKLINE_POINTS``) at ``at``."""
    statuses = evaluate_status(slos, source, at)
    charts = burndown_charts(slos, source, at, max_points=SPARKLINE_POINTS)
    rows = [
        OverviewRow(
            status=status,
            health=budget_health(status.budget.remaining_ratio, low_below=_low_below(slo)),
            sparkline=chart.remaining_ratio,
        )
        for slo, status, chart in zip(slos, statuses, charts, strict=True)
    ]
    return Overview(at=at, rows=rows)


def detail(slo: SLO, source: SLISource, at: datetime) -> Detail:
    """One SLO at ``at``: status, chart series, and the stateless alert states of its profile."""
    status = evaluate_status([slo], source, at)[0]
    chart = burndown_charts([slo], source, at)[0]
    alerts: list[AlertRecord] | None
    note: str | None = None
    try:
        alerts = evaluate_alerts([slo], source, at)
    except HeadroomError as error:
        # A custom alert profile lives in a profile file the server did not load: show the rest.
        alerts, note = None, f"alert states unavailable: {error}"
    else:
        if profile_for(slo).name != slo.alerting.profile:
            note = f"alert profile {slo.alerting.profile!r}; chart thresholds use {profile_for(slo).name}"
    return Detail(
        status=status,
        health=budget_health(status.budget.remaining_ratio, low_below=_low_below(slo)),
        chart=chart,
        alerts=alerts,
        alerts_note=note,
        description=slo.description,
    )


def _low_below(slo: SLO) -> float:
    """The policy's caution line when the SLO has one, else 25 %."""
    return slo.policy.caution_below_ratio if slo.policy is not None else 0.25
