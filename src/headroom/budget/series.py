"""Trailing-window sums over per-minute series, by prefix sums.

Pure, vectorised: one cumulative sum, then one subtraction per window, so every
trailing window of every length costs O(n) in total and O(1) per minute
(no Python loop over minutes).

A series is a float64 array of per-minute counts; index ``i`` holds the minute
``[start + i, start + i + 1)``. The trailing window ending after minute ``i`` covers
minutes ``i - width + 1 .. i``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["FloatArray", "prefix_sums", "trailing_burn_rates", "trailing_error_ratios", "trailing_sums"]

FloatArray = npt.NDArray[np.float64]


def prefix_sums(values: npt.ArrayLike) -> FloatArray:
    """``out[k]`` = sum of the first ``k`` values; ``len(out) == len(values) + 1``."""
    arr = np.asarray(values, dtype=np.float64)
    out = np.zeros(arr.shape[-1] + 1, dtype=np.float64) if arr.ndim == 1 else None
    if out is not None:
        np.cumsum(arr, out=out[1:])
        return out
    cums = np.zeros((*arr.shape[:-1], arr.shape[-1] + 1), dtype=np.float64)
    np.cumsum(arr, axis=-1, out=cums[..., 1:])
    return cums


def trailing_sums(values: npt.ArrayLike, width_minutes: int, *, partial: bool = False) -> FloatArray:
    """Sum over the trailing ``width_minutes`` ending at each minute (last axis).

    Where fewer than ``width_minutes`` minutes precede, the result is NaN unless
    ``partial`` is set, in which case it sums what there is.
    """
    if width_minutes <= 0:
        raise ValueError(f"window width must be positive, got {width_minutes}")
    cums = prefix_sums(values)
    n = cums.shape[-1] - 1
    idx = np.arange(1, n + 1)
    lo = np.maximum(idx - width_minutes, 0)
    sums = cums[..., idx] - cums[..., lo]
    if not partial:
        sums[..., idx < width_minutes] = np.nan
    return sums


def trailing_error_ratios(
    bad: npt.ArrayLike, total: npt.ArrayLike, width_minutes: int, *, partial: bool = False
) -> FloatArray:
    """Error ratio (bad / total) over each trailing window; NaN where the window holds no events."""
    bad_in = trailing_sums(bad, width_minutes, partial=partial)
    total_in = trailing_sums(total, width_minutes, partial=partial)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total_in > 0, bad_in / total_in, np.nan)


def trailing_burn_rates(
    bad: npt.ArrayLike,
    total: npt.ArrayLike,
    width_minutes: int,
    error_budget_ratio: float,
    *,
    partial: bool = False,
) -> FloatArray:
    """Burn rate over each trailing window of per-minute counts.

    Burn rate = error ratio / (1 - objective) (SRE Workbook ch. 5): 1.0 spends the
    budget exactly by the end of the SLO window. Windows with no events are NaN.
    """
    return trailing_error_ratios(bad, total, width_minutes, partial=partial) / error_budget_ratio
