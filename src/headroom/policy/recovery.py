"""When a spent budget comes back: old errors leaving a rolling window.

Pure, vectorised with prefix sums (no loop over minutes).

The history is the per-minute counts of the window now, ``[e - W, e)`` (index 0 is the
oldest minute). ``k`` minutes from now the window is ``[e - W + k, e + k)``: it still
holds the old minutes ``k .. W-1`` and ``k`` new ones. With prefix sums ``P`` of the
history::

    bad(k)   = (P_bad[W] - P_bad[k]) + k x future_bad_per_minute
    total(k) = (P_total[W] - P_total[k]) + k x future_total_per_minute

    occurrences:  remaining(k) = 1 - bad(k) / ((1 - objective) x total(k))
    timeslices:   remaining(k) = 1 - bad_minutes(k) / ((1 - objective) x W)

The budget recovers to a target at the smallest ``k`` with ``remaining(k) >= target``.
Two assumptions are reported (``docs/gate.md``): *no new errors* (future bad = 0) and
*the current burn rate continues* (future bad = burn x (1 - objective) x future total).
Future traffic is the window's mean per-minute total. ``k = W`` leaves only future
minutes in the window, so if the target is not reached by then it never is.

Calendar windows do not roll: their budget resets when the next period starts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from headroom.budget.series import FloatArray, prefix_sums
from headroom.budget.windows import minute_to_datetime
from headroom.policy.model import Recovery, RecoveryAssumption

__all__ = [
    "bad_slice_minutes",
    "calendar_recovery",
    "first_minute_reaching",
    "remaining_ratio_ahead",
    "rolling_recovery",
]


def remaining_ratio_ahead(
    bad: npt.ArrayLike,
    total: npt.ArrayLike,
    error_budget_ratio: float,
    *,
    future_burn_rate: float = 0.0,
    timeslices: bool = False,
) -> FloatArray:
    """``remaining(k)`` for ``k = 0 .. W`` minutes from now (module docstring); NaN without events.

    For timeslices, ``bad`` holds bad minutes (a bad slice marks each of its minutes) and
    ``total`` is ignored.
    """
    bad_a = np.asarray(bad, dtype=np.float64)
    width = bad_a.shape[0]
    k = np.arange(width + 1, dtype=np.float64)
    p_bad = prefix_sums(bad_a)
    if timeslices:
        bad_k = (p_bad[-1] - p_bad) + k * future_burn_rate * error_budget_ratio
        out: FloatArray = 1.0 - bad_k / (error_budget_ratio * width)
        return out
    p_total = prefix_sums(total)
    rate_total = float(p_total[-1]) / width if width else 0.0
    bad_k = (p_bad[-1] - p_bad) + k * future_burn_rate * error_budget_ratio * rate_total
    total_k = (p_total[-1] - p_total) + k * rate_total
    allowed = error_budget_ratio * total_k
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(allowed > 0, 1.0 - bad_k / np.where(allowed > 0, allowed, 1.0), np.nan)


def first_minute_reaching(remaining: FloatArray, target_ratio: float) -> int | None:
    """Smallest ``k`` with ``remaining[k] >= target_ratio`` (NaN never reaches), or None."""
    hits = np.flatnonzero(remaining >= target_ratio)
    return int(hits[0]) if hits.size else None


def _recovery(
    at: datetime, end_minute: int, k: int | None, target: float, assumption: RecoveryAssumption, why: str
) -> Recovery:
    if k is None:
        return Recovery(
            target_ratio=target, assumption=assumption, recovers_at=None, recovers_in_s=None, reason=why
        )
    when = max(minute_to_datetime(end_minute + k), at)
    return Recovery(
        target_ratio=target,
        assumption=assumption,
        recovers_at=when,
        recovers_in_s=(when - at).total_seconds(),
    )


def rolling_recovery(
    bad: npt.ArrayLike,
    total: npt.ArrayLike,
    error_budget_ratio: float,
    *,
    targets: tuple[float, ...],
    at: datetime,
    end_minute: int,
    current_burn_rate: float | None,
    timeslices: bool = False,
) -> list[Recovery]:
    """Recovery to each target under both assumptions, for a rolling window ending at ``end_minute``."""
    out: list[Recovery] = []
    assumptions: list[tuple[RecoveryAssumption, float | None]] = [
        ("no_new_errors", 0.0),
        ("current_burn_rate", current_burn_rate),
    ]
    for assumption, burn in assumptions:
        if burn is None or np.isnan(burn):
            out.extend(
                Recovery(
                    target_ratio=t,
                    assumption=assumption,
                    recovers_at=None,
                    recovers_in_s=None,
                    reason="no current burn rate: no events in the last 1h",
                )
                for t in targets
            )
            continue
        ahead = remaining_ratio_ahead(
            bad, total, error_budget_ratio, future_burn_rate=burn, timeslices=timeslices
        )
        for target in targets:
            why = (
                "no events in the window"
                if np.isnan(ahead).all()
                else f"at a burn rate of {burn:.3g} the remaining budget stays below {target:.0%}"
            )
            out.append(
                _recovery(at, end_minute, first_minute_reaching(ahead, target), target, assumption, why)
            )
    return out


def calendar_recovery(*, targets: tuple[float, ...], at: datetime, period_end: datetime) -> list[Recovery]:
    """A calendar window's budget comes back whole when the next period starts."""
    wait = max(period_end - at, timedelta(0))
    return [
        Recovery(
            target_ratio=t,
            assumption=a,
            recovers_at=period_end,
            recovers_in_s=wait.total_seconds(),
            reason="calendar window: the budget resets when the next period starts",
        )
        for a in ("no_new_errors", "current_burn_rate")
        for t in targets
    ]


def bad_slice_minutes(
    good: npt.ArrayLike, total: npt.ArrayLike, *, slice_minutes: int, slice_target: float
) -> FloatArray:
    """Per-minute 0/1: 1 in each minute of a bad timeslice (SLI below target), slices from index 0.

    A slice without events is good (as in ``budget.consumption``); a trailing partial
    slice is judged on the minutes it has.
    """
    good_a = np.asarray(good, dtype=np.float64)
    total_a = np.asarray(total, dtype=np.float64)
    width = good_a.shape[0]
    k = max(slice_minutes, 1)
    starts = np.arange(0, width, k)
    if starts.size == 0:
        return np.zeros(0)
    g = np.add.reduceat(good_a, starts)
    t = np.add.reduceat(total_a, starts)
    bad = (t > 0) & (g < slice_target * t)
    return np.repeat(bad.astype(np.float64), k)[:width]
