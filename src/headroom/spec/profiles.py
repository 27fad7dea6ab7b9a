"""Alert profiles: multi-window multi-burn-rate catalogs as data.

Pure. A profile is a list of tiers ``{name, severity, budget_percent, long_window,
short_window, for}``. A tier fires when the error ratio over both windows exceeds
``factor x (1 - objective)`` (SRE Workbook ch. 5, "Multiwindow, multi-burn-rate alerts").

The factor is recomputed for the SLO's period, as Sloth does
(``internal/alert/window.go`` ``getBurnRateFactor``)::

    factor = budget_percent / 100 x period_hours / long_window_hours

so the Workbook's 30-day page tier (2 % in 1 h) gives 14.4, and over 28 days 13.44. The
expression is evaluated in that exact order in binary floating point, so that rendered
factors match Sloth's to the last digit (28 d, 5 % in 6 h: 5.6000000000000005).

Shipped profiles:

``sre-workbook`` (SRE Workbook table 5-8, 30 d)
    page 2 % in 1 h / 5 m (14.4), page 5 % in 6 h / 30 m (6),
    ticket 10 % in 1 d / 2 h (3), ticket 10 % in 3 d / 6 h (1).
``four-tier``
    one alert per tier with ``for`` durations, for teams that route tiers separately:
    factors 14 / 7 / 2 / 1 over 30 d (Pyrra's table: 1h/5m, 6h/30m, 1d/2h, 4d/6h).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["BUILTIN_PROFILES", "AlertProfile", "AlertTier", "burn_rate_factor"]

_HOUR_S = 3600


class AlertTier(BaseModel):
    """One burn-rate pair: ``budget_percent`` of the period budget spent over ``long_window_s``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    severity: str
    budget_percent: float = Field(gt=0, le=100)
    long_window_s: int = Field(gt=0)
    short_window_s: int = Field(gt=0)
    for_s: int = Field(default=0, ge=0)


class AlertProfile(BaseModel):
    """A named catalog of tiers, stated for a reference period (the factors scale to any period)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    description: str = ""
    tiers: tuple[AlertTier, ...]


def burn_rate_factor(budget_percent: float, period_s: int, long_window_s: int) -> float:
    """``budget_percent / 100 x period_hours / long_window_hours``, in Sloth's float order.

    Sloth computes ``(pct * periodHours) / 100 / longHours``; we keep that order so that
    ``repr`` gives 14.4, 13.44, 5.6000000000000005 and 0.9333333333333333.
    """
    period_h = period_s / _HOUR_S
    long_h = long_window_s / _HOUR_S
    return budget_percent * period_h / 100 / long_h


_H = _HOUR_S
_D = 24 * _H

BUILTIN_PROFILES: dict[str, AlertProfile] = {
    "sre-workbook": AlertProfile(
        name="sre-workbook",
        description="Google SRE Workbook table 5-8: two page pairs and two ticket pairs.",
        tiers=(
            AlertTier(
                name="page-fast", severity="page", budget_percent=2, long_window_s=_H, short_window_s=300
            ),
            AlertTier(
                name="page-slow", severity="page", budget_percent=5, long_window_s=6 * _H, short_window_s=1800
            ),
            AlertTier(
                name="ticket-fast",
                severity="ticket",
                budget_percent=10,
                long_window_s=_D,
                short_window_s=2 * _H,
            ),
            AlertTier(
                name="ticket-slow",
                severity="ticket",
                budget_percent=10,
                long_window_s=3 * _D,
                short_window_s=6 * _H,
            ),
        ),
    ),
    "four-tier": AlertProfile(
        name="four-tier",
        description="Four separately routed tiers with 'for' durations (factors 14/7/2/1 over 30 d).",
        tiers=(
            # budget_percent = factor x long_h / period_h x 100, so the 30 d factors are 14, 7, 2, 1.
            AlertTier(
                name="critical-1h",
                severity="critical",
                budget_percent=14 * 1 / 720 * 100,
                long_window_s=_H,
                short_window_s=300,
                for_s=120,
            ),
            AlertTier(
                name="critical-6h",
                severity="critical",
                budget_percent=7 * 6 / 720 * 100,
                long_window_s=6 * _H,
                short_window_s=1800,
                for_s=900,
            ),
            AlertTier(
                name="warning-1d",
                severity="warning",
                budget_percent=2 * 24 / 720 * 100,
                long_window_s=_D,
                short_window_s=2 * _H,
                for_s=3600,
            ),
            AlertTier(
                name="warning-4d",
                severity="warning",
                budget_percent=1 * 96 / 720 * 100,
                long_window_s=4 * _D,
                short_window_s=6 * _H,
                for_s=3 * _H,
            ),
        ),
    ),
}
