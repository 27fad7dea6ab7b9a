"""Burn-down and burn-rate series for charts: the budget's path through one SLO window.

Pure, vectorised (one cumulative sum per series, then fancy indexing; no loop over minutes).

A chart samples *instants*. Instant ``k`` is the minute boundary ``offsets[k]`` minutes after
the first minute of the series: it has seen minutes ``0 .. offsets[k] - 1``. Instant 0 has
seen nothing, so the burn-down starts at 1.0 (the whole budget left).

Burn-down (remaining budget ratio at each instant of the window)::

    remaining_ratio[k] = 1 - consumed[0 : offsets[k]].sum() / budget

with ``consumed`` per minute and ``budget`` in the same unit as ``budgeting/consumption.py``
uses for the status: bad events and ``(1 - objective) x total events in the window`` for
occurrences; minutes of bad timeslices and ``(1 - objective) x period minutes`` for
timeslices. So the last instant (the evaluation instant) equals ``SLOStatus``'s
``budget.remaining_ratio`` exactly. A burn rate of exactly 1.0 all window long draws the
straight line from 1 to 0 (the "even spend" guide).

Burn rate at each instant over a trailing window (SRE Workbook ch. 5)::

    burn_rate[k] = (bad / total over the ``width`` minutes before offsets[k]) / (1 - objective)

computed with ``budget.series.prefix_sums``; NaN where that window holds no events or starts
before the series does.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from headroom.budget.series import FloatArray, prefix_sums

__all__ = [
    "IntArray",
    "burndown_remaining_ratios",
    "sample_offsets",
    "sampled_burn_rates",
    "step_minutes_for",
    "timeslice_consumption",
]

IntArray = npt.NDArray[np.int64]

#: Chart resolutions, in minutes, from which ``step_minutes_for`` picks the finest that keeps
#: a chart under its point budget: 1 min, 5 min, 15 min, 1 h, 6 h, 1 d.
STEPS_MINUTES: tuple[int, ...] = (1, 5, 15, 60, 360, 1440)


def step_minutes_for(span_minutes: int, max_points: int) -> int:
    """The finest step of ``STEPS_MINUTES`` that samples ``span_minutes`` in at most ``max_points``.

    30 days (43,200 minutes) in at most 800 points: hourly (721 points).
    """
    if max_points < 2:
        raise ValueError(f"a chart needs at least 2 points, got max_points={max_points}")
    for step in STEPS_MINUTES:
        if -(-span_minutes // step) + 1 <= max_points:
            return step
    return -(-span_minutes // (max_points - 1))


def sample_offsets(span_minutes: int, step_minutes: int) -> IntArray:
    """Instants ``0, step, 2 step, ...`` up to and always including ``span_minutes``."""
    if step_minutes <= 0:
        raise ValueError(f"step must be positive, got {step_minutes}")
    if span_minutes < 0:
        raise ValueError(f"span must not be negative, got {span_minutes}")
    offsets = np.arange(0, span_minutes + 1, step_minutes, dtype=np.int64)
    if offsets[-1] != span_minutes:
        offsets = np.append(offsets, np.int64(span_minutes))
    return offsets


def burndown_remaining_ratios(consumed: npt.ArrayLike, budget: float, offsets: IntArray) -> FloatArray:
    """``1 - cumulative consumption / budget`` at each instant (module docstring); NaN if no budget.

    Overspending gives negative ratios: they are never clamped, as in the status.
    """
    if not budget > 0:
        return np.full(offsets.shape, np.nan)
    cums = prefix_sums(consumed)
    return 1.0 - cums[..., offsets] / budget


def sampled_burn_rates(
    bad: npt.ArrayLike,
    total: npt.ArrayLike,
    offsets: IntArray,
    width_minutes: int,
    error_budget_ratio: float,
) -> FloatArray:
    """Burn rate over the ``width_minutes`` before each instant ``offsets`` (module docstring).

    ``offsets`` index the prefix sums, so ``offsets[k]`` may be ``len(bad)`` (the last instant).
    """
    if width_minutes <= 0:
        raise ValueError(f"window width must be positive, got {width_minutes}")
    bad_cums = prefix_sums(bad)
    total_cums = prefix_sums(total)
    lo = offsets - width_minutes
    complete = lo >= 0
    lo = np.maximum(lo, 0)
    bad_in = bad_cums[..., offsets] - bad_cums[..., lo]
    total_in = total_cums[..., offsets] - total_cums[..., lo]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(complete & (total_in > 0), bad_in / total_in, np.nan)
    return ratio / error_budget_ratio


def timeslice_consumption(
    good: npt.ArrayLike, total: npt.ArrayLike, slice_minutes: int, slice_target: float
) -> FloatArray:
    """Per-minute budget spent by timeslices: a bad slice spends its length at its last minute.

    Slices are aligned to the first minute of the series (the window start, as the sources
    count them); a slice is bad when it has events and ``good < slice_target x total``. A
    trailing partial slice spends nothing until it is complete.
    """
    if slice_minutes <= 0:
        raise ValueError(f"slice length must be positive, got {slice_minutes}")
    g = np.asarray(good, dtype=np.float64)
    t = np.asarray(total, dtype=np.float64)
    n = g.shape[-1]
    whole = n // slice_minutes * slice_minutes
    g_s = g[..., :whole].reshape(*g.shape[:-1], -1, slice_minutes).sum(axis=-1)
    t_s = t[..., :whole].reshape(*t.shape[:-1], -1, slice_minutes).sum(axis=-1)
    bad_slice = (t_s > 0) & (g_s < slice_target * t_s)
    out = np.zeros(g.shape, dtype=np.float64)
    out[..., slice_minutes - 1 : whole : slice_minutes] = np.where(bad_slice, float(slice_minutes), 0.0)
    return out
