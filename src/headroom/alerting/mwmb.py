"""Multi-window, multi-burn-rate alert conditions (SRE Workbook ch. 5, approach 6).

Pure, vectorised over SLOs and tiers. A burn-rate pair fires when the error ratio over
**both** its long and its short window is strictly greater than its threshold::

    threshold = factor x (1 - objective)
    firing    = long_error_ratio > threshold  and  short_error_ratio > threshold
                and long_events >= min_events and short_events >= min_events

Ratios are compared as computed, never rounded first. A window without events has no
error ratio (NaN) and cannot fire. The low-traffic guard (Workbook, "Low-traffic
services") keeps a pair quiet while either window holds fewer than ``min_events``
events, and says so in the reason: ``not enough events in the 5m window (37 < 100)``.

Time for a pair to fire under a constant error ratio ``e`` (Workbook, approach 4)::

    time_to_fire_s = (1 - objective) / e x long_window_s x factor

so at 99.9 % / 30 d a full outage fires the 1 h @ 14.4 page after 51.84 s, a 2 % error
ratio after 2,592 s, and 0.5 % never fires it (``e`` must exceed 1.44 %).

The two budget tiers read an ``SLOStatus`` (``exhaustion_alerts``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from headroom.alerting.exhaustion_alerts import budget_condition
from headroom.alerting.profiles_resolve import ResolvedTier
from headroom.budget.burn_rate import error_ratio
from headroom.budget.series import FloatArray
from headroom.budget.status import SLOStatus
from headroom.spec.durations import format_duration
from headroom.spec.model import SLO

__all__ = [
    "PairResult",
    "TierEvaluation",
    "evaluate_pairs",
    "evaluate_tiers",
    "lookbacks_for",
    "time_to_fire_s",
]


@dataclass(frozen=True)
class PairResult:
    """Arrays of one shape (SLOs x tiers): both windows' ratios, the verdict, the low-traffic flag."""

    long_error_ratio: FloatArray
    short_error_ratio: FloatArray
    firing: npt.NDArray[np.bool_]
    low_traffic: npt.NDArray[np.bool_]


def evaluate_pairs(
    long_bad: npt.ArrayLike,
    long_total: npt.ArrayLike,
    short_bad: npt.ArrayLike,
    short_total: npt.ArrayLike,
    threshold: npt.ArrayLike,
    min_events: npt.ArrayLike = 0,
) -> PairResult:
    """Evaluate burn-rate pairs elementwise (module docstring); arguments broadcast together."""
    long_ratio = error_ratio(long_bad, long_total)
    short_ratio = error_ratio(short_bad, short_total)
    thr = np.asarray(threshold, dtype=np.float64)
    minimum = np.asarray(min_events, dtype=np.float64)
    enough = (np.asarray(long_total, dtype=np.float64) >= minimum) & (
        np.asarray(short_total, dtype=np.float64) >= minimum
    )
    over = (long_ratio > thr) & (short_ratio > thr)
    return PairResult(long_ratio, short_ratio, over & enough, ~enough)


def time_to_fire_s(error_ratio_value: float, objective: float, long_window_s: float, factor: float) -> float:
    """Seconds a constant error ratio takes to fire a pair (Workbook); ``inf`` when it never does."""
    budget = 1.0 - objective
    if error_ratio_value <= factor * budget:
        return math.inf
    return budget / error_ratio_value * long_window_s * factor


@dataclass(frozen=True)
class TierEvaluation:
    """One SLO x tier at one instant: the figures and whether the condition holds.

    Ratios and events are ``None`` for the budget tiers and when a window has no events.
    ``reason`` says why the condition holds or not, in words.
    """

    service: str
    slo: str
    tier: ResolvedTier
    condition: bool
    reason: str
    long_error_ratio: float | None = None
    short_error_ratio: float | None = None
    long_events: float | None = None
    short_events: float | None = None
    budget_consumed_ratio: float | None = None
    time_to_exhaustion_s: float | None = None

    @property
    def slo_id(self) -> str:
        return f"{self.service}/{self.slo}"


def lookbacks_for(tiers: Sequence[Sequence[ResolvedTier]]) -> list[int]:
    """Every distinct long and short window of the burn-rate tiers, sorted: one query batch."""
    seconds = {
        w for ts in tiers for t in ts if t.kind == "burn_rate" for w in (t.long_window_s, t.short_window_s)
    }
    return sorted(seconds)


def _num(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _pair_reason(
    tier: ResolvedTier, long_ratio: float, short_ratio: float, long_n: float, short_n: float, min_events: int
) -> str:
    long_w, short_w = format_duration(tier.long_window_s), format_duration(tier.short_window_s)
    for name, n in ((long_w, long_n), (short_w, short_n)):
        if n < min_events:
            return f"not enough events in the {name} window ({n:g} < {min_events})"
    for name, ratio in ((long_w, long_ratio), (short_w, short_ratio)):
        if math.isnan(ratio):
            return f"no events in the {name} window"
    verdict = "above" if long_ratio > tier.threshold and short_ratio > tier.threshold else "not both above"
    return (
        f"error ratio {long_w} {long_ratio:.6g} and {short_w} {short_ratio:.6g} {verdict} threshold"
        f" {tier.threshold:.6g} ({tier.factor:.6g}x)"
    )


def evaluate_tiers(
    slos: Sequence[SLO],
    tiers: Sequence[Sequence[ResolvedTier]],
    lookbacks_s: Sequence[int],
    good: FloatArray,
    total: FloatArray,
    statuses: Sequence[SLOStatus | None],
) -> list[TierEvaluation]:
    """Evaluate every tier of every SLO.

    ``good``/``total`` have one row per SLO and one column per ``lookbacks_s`` entry
    (``lookbacks_for(tiers)``); ``statuses[i]`` feeds the budget tiers of ``slos[i]``.
    The pairs are evaluated in one vectorised call over a (SLOs x max tiers) grid.
    """
    n = len(slos)
    width = max((len(ts) for ts in tiers), default=0)
    col = {w: j for j, w in enumerate(lookbacks_s)}
    long_idx = np.zeros((n, width), dtype=np.intp)
    short_idx = np.zeros((n, width), dtype=np.intp)
    threshold = np.full((n, width), np.inf)
    for i, ts in enumerate(tiers):
        for k, t in enumerate(ts):
            if t.kind == "burn_rate":
                long_idx[i, k], short_idx[i, k] = col[t.long_window_s], col[t.short_window_s]
                threshold[i, k] = t.threshold
    rows = np.arange(n)[:, None]
    bad = total - good
    minimum = np.array([s.alerting.min_events for s in slos], dtype=np.float64)[:, None]
    res = evaluate_pairs(
        bad[rows, long_idx],
        total[rows, long_idx],
        bad[rows, short_idx],
        total[rows, short_idx],
        threshold,
        minimum,
    )
    out: list[TierEvaluation] = []
    for i, (slo, ts) in enumerate(zip(slos, tiers, strict=True)):
        status = statuses[i]
        consumed = None
        if status is not None and status.budget.remaining_ratio is not None:
            consumed = 1.0 - status.budget.remaining_ratio
        tte = status.time_to_exhaustion_s if status is not None else None
        for k, t in enumerate(ts):
            if t.kind != "burn_rate":
                cond, reason = budget_condition(t, status)
                out.append(
                    TierEvaluation(
                        slo.service,
                        slo.name,
                        t,
                        cond,
                        reason,
                        budget_consumed_ratio=consumed,
                        time_to_exhaustion_s=tte,
                    )
                )
                continue
            lr, sr = float(res.long_error_ratio[i, k]), float(res.short_error_ratio[i, k])
            ln, sn = float(total[i, long_idx[i, k]]), float(total[i, short_idx[i, k]])
            out.append(
                TierEvaluation(
                    slo.service,
                    slo.name,
                    t,
                    bool(res.firing[i, k]),
                    _pair_reason(t, lr, sr, ln, sn, slo.alerting.min_events),
                    long_error_ratio=_num(lr),
                    short_error_ratio=_num(sr),
                    long_events=ln,
                    short_events=sn,
                    budget_consumed_ratio=consumed,
                    time_to_exhaustion_s=tte,
                )
            )
    return out
