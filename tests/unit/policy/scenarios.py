"""A 30-day, 99.9 % SLO with 1,000 events a minute: the budget is 43,200 bad events (1 a minute)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import numpy as np

from headroom.budget.windows import minute_to_datetime
from headroom.sources.memory import InMemorySource
from headroom.spec.model import SLO, ErrorBudgetPolicy, EventsSLI, RollingWindow

WINDOW_MINUTES = 30 * 24 * 60
PER_MINUTE = 1000.0
START_MINUTE = 29_000_000
AT: datetime = minute_to_datetime(START_MINUTE + WINDOW_MINUTES)
BUDGET_EVENTS = 43_200.0


def slo(name: str = "availability", policy: ErrorBudgetPolicy | None = None) -> SLO:
    return SLO(
        service="checkout",
        name=name,
        objective=Decimal("0.999"),
        window=RollingWindow(duration_s=WINDOW_MINUTES * 60),
        sli=EventsSLI(events="checkout"),
        policy=policy,
    )


def source_with(bad_per_minute: np.ndarray, name: str = "availability") -> InMemorySource:
    """A source whose window holds ``bad_per_minute`` bad events out of 1,000 each minute."""
    source = InMemorySource()
    total = np.full(WINDOW_MINUTES, PER_MINUTE)
    source.put(f"checkout/{name}", START_MINUTE, total - bad_per_minute, total)
    return source


def old_spend(budget_ratio: float, *, minutes: int = 1000, first: int = 1000) -> np.ndarray:
    """Spend ``budget_ratio`` of the budget evenly over ``minutes`` minutes long ago."""
    bad = np.zeros(WINDOW_MINUTES)
    bad[first : first + minutes] = budget_ratio * BUDGET_EVENTS / minutes
    return bad
