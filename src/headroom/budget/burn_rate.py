"""Burn rates: how fast an SLO spends its error budget.

Pure, vectorised over SLOs and windows.

    burn rate = error ratio over a lookback window / (1 - objective)     (SRE Workbook ch. 5)

A burn rate of 1.0 spends exactly the whole budget by the end of the SLO window; 14.4
over one hour spends 2 % of a 30-day budget (14.4 x 1 h / 720 h). Windows with no events
have no error ratio: NaN, never a division error or a silent 0.

For a whole calendar period, the period burn rate compares the share of budget spent
with the share of the period elapsed (Sloth's ``slo:period_burn_rate:ratio``)::

    period burn rate = (consumed / budget) / (elapsed / period)
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from headroom.budget.series import FloatArray

__all__ = ["budget_spent_ratio", "burn_rate", "error_ratio", "period_burn_rate"]


def error_ratio(bad: npt.ArrayLike, total: npt.ArrayLike) -> FloatArray:
    """bad / total, NaN where total is 0."""
    bad_a = np.asarray(bad, dtype=np.float64)
    total_a = np.asarray(total, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total_a > 0, bad_a / np.where(total_a > 0, total_a, 1.0), np.nan)


def burn_rate(bad: npt.ArrayLike, total: npt.ArrayLike, error_budget_ratio: npt.ArrayLike) -> FloatArray:
    """Error ratio / (1 - objective); NaN where the window holds no events."""
    return error_ratio(bad, total) / np.asarray(error_budget_ratio, dtype=np.float64)


def period_burn_rate(
    consumed_ratio: npt.ArrayLike, elapsed_s: npt.ArrayLike, period_s: npt.ArrayLike
) -> FloatArray:
    """(consumed / budget) / (elapsed / period); NaN before any time has elapsed."""
    elapsed = np.asarray(elapsed_s, dtype=np.float64)
    period = np.asarray(period_s, dtype=np.float64)
    consumed = np.asarray(consumed_ratio, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(elapsed > 0, consumed * period / np.where(elapsed > 0, elapsed, 1.0), np.nan)


def budget_spent_ratio(burn: npt.ArrayLike, lookback_s: npt.ArrayLike, period_s: npt.ArrayLike) -> FloatArray:
    """Share of a period's budget that a burn rate spends over a lookback: burn x lookback / period.

    14.4 over 1 h of a 30-day period spends 14.4 x 3600 / 2592000 = 0.02 (2 %).
    """
    return (
        np.asarray(burn, dtype=np.float64)
        * np.asarray(lookback_s, dtype=np.float64)
        / np.asarray(period_s, dtype=np.float64)
    )
