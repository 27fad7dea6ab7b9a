"""Builders shared by the alerting tests: SLOs, constant-traffic series, instants."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import numpy as np

from headroom.spec.model import SLO, AlertingSpec, CalendarWindow, EventsSLI, RollingWindow, TierOverride

DAY_S = 86400
#: An evaluation instant on a whole minute, far from any period edge.
T0 = datetime(2026, 3, 1, tzinfo=UTC)
T0_MINUTE = int(T0.timestamp()) // 60


def slo(
    name: str = "availability",
    *,
    objective: str = "0.999",
    days: int = 30,
    calendar: str | None = None,
    min_events: int = 0,
    profile: str = "sre-workbook",
    tiers: dict[str, TierOverride] | None = None,
    horizon_s: int | None = None,
    labels: dict[str, str] | None = None,
    runbook_url: str | None = None,
) -> SLO:
    window = CalendarWindow(unit=calendar) if calendar else RollingWindow(duration_s=days * DAY_S)  # type: ignore[arg-type]
    return SLO(
        service="checkout",
        name=name,
        objective=Decimal(objective),
        window=window,
        sli=EventsSLI(events="checkout"),
        labels=labels or {},
        alerting=AlertingSpec(
            profile=profile,
            min_events=min_events,
            tiers=tiers or {},
            exhaustion_horizon_s=horizon_s,
            runbook_url=runbook_url,
        ),
    )


def incident_series(
    clean_minutes: int, bad_minutes: int, error_ratio: float, per_minute: float = 1000.0, after: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Constant traffic: clean minutes, then ``bad_minutes`` at ``error_ratio``, then ``after`` clean."""
    n = clean_minutes + bad_minutes + after
    total = np.full(n, per_minute)
    bad = np.zeros(n)
    bad[clean_minutes : clean_minutes + bad_minutes] = error_ratio * per_minute
    return total - bad, total


def minute_at(minute: int) -> datetime:
    """The instant epoch minute ``minute`` starts (all minutes before it are counted)."""
    return datetime.fromtimestamp(minute * 60, tz=UTC)
