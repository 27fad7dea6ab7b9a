"""Budget totals, consumption and what remains, for both budgeting methods.

Pure, vectorised over SLOs.

Occurrences (SRE Workbook ch. 2; OpenSLO ``Occurrences``)::

    allowed bad events = (1 - objective) x total events in the window
    consumed           = bad events in the window
    remaining          = allowed - consumed           (negative when overspent: never clamped)
    remaining_ratio    = remaining / allowed = 1 - error ratio / (1 - objective)

The same budget is also stated in time: ``total_minutes = (1 - objective) x window minutes``
(99.9 % over 30 days = 43.2 minutes) and ``remaining_minutes = total_minutes x remaining_ratio``.

Timeslices (OpenSLO ``Timeslices``)::

    budget minutes  = (1 - objective) x period minutes
    consumed        = bad slices x slice minutes
    remaining_ratio = 1 - consumed / budget minutes
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from headroom.budget.series import FloatArray

__all__ = ["BudgetFigures", "budget_minutes", "occurrences_budget", "timeslices_budget"]


@dataclass(frozen=True)
class BudgetFigures:
    """Budget figures for a batch of SLOs (each field one value per SLO).

    ``total``/``consumed``/``remaining`` are in ``unit`` (events or minutes). ``consumed_ratio``
    is consumed / total budget. NaN where the window holds no events (occurrences).
    """

    unit: str
    total: FloatArray
    consumed: FloatArray
    remaining: FloatArray
    remaining_ratio: FloatArray
    total_minutes: FloatArray
    remaining_minutes: FloatArray

    @property
    def consumed_ratio(self) -> FloatArray:
        return 1.0 - self.remaining_ratio


def budget_minutes(error_budget_ratio: npt.ArrayLike, period_s: npt.ArrayLike) -> FloatArray:
    """(1 - objective) x window, in minutes: 0.001 x 43,200 = 43.2 for 99.9 % over 30 days.

    The window is converted to minutes first so that the product is the exactly rounded
    one (0.001 x 43200.0 is 43.2; 0.001 x 30 x 24 x 60 is 43.199999999999996).
    """
    return np.asarray(error_budget_ratio, dtype=np.float64) * (np.asarray(period_s, dtype=np.float64) / 60.0)


def occurrences_budget(
    good: npt.ArrayLike, total: npt.ArrayLike, error_budget_ratio: npt.ArrayLike, period_s: npt.ArrayLike
) -> BudgetFigures:
    """Occurrences budgeting: budget in events, also stated in minutes (module docstring)."""
    good_a = np.asarray(good, dtype=np.float64)
    total_a = np.asarray(total, dtype=np.float64)
    ebr = np.asarray(error_budget_ratio, dtype=np.float64)
    allowed = ebr * total_a
    consumed = total_a - good_a
    remaining = allowed - consumed
    with np.errstate(divide="ignore", invalid="ignore"):
        remaining_ratio = np.where(allowed > 0, remaining / np.where(allowed > 0, allowed, 1.0), np.nan)
    minutes = budget_minutes(ebr, period_s) + np.zeros_like(allowed)
    return BudgetFigures(
        unit="events",
        total=allowed,
        consumed=consumed,
        remaining=remaining,
        remaining_ratio=remaining_ratio,
        total_minutes=minutes,
        remaining_minutes=minutes * remaining_ratio,
    )


def timeslices_budget(
    bad_slices: npt.ArrayLike,
    slice_s: npt.ArrayLike,
    error_budget_ratio: npt.ArrayLike,
    period_s: npt.ArrayLike,
) -> BudgetFigures:
    """Timeslices budgeting: each bad slice spends its length from (1 - objective) x period."""
    consumed = np.asarray(bad_slices, dtype=np.float64) * (np.asarray(slice_s, dtype=np.float64) / 60.0)
    minutes = budget_minutes(error_budget_ratio, period_s) + np.zeros_like(consumed)
    remaining = minutes - consumed
    remaining_ratio = remaining / minutes
    return BudgetFigures(
        unit="minutes",
        total=minutes,
        consumed=consumed,
        remaining=remaining,
        remaining_ratio=remaining_ratio,
        total_minutes=minutes,
        remaining_minutes=remaining,
    )
