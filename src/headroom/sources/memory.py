"""InMemorySource: per-minute counts held in numpy arrays; the fake of the SLISource port.

Used by unit tests of use cases and by anything that already has series in memory
(a backtest of a synthetic scenario). Windows are answered with prefix sums, exactly as
the embedded store answers them, so results agree to the event.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
import numpy.typing as npt

from headroom.budget.series import FloatArray
from headroom.budget.windows import WindowSpan, epoch_minute
from headroom.sources.base import Counts
from headroom.spec.model import SLO, Timeslices

__all__ = ["InMemorySource"]


class InMemorySource:
    """Counts per SLO id: ``series[id] = (start_minute, good_per_minute, total_per_minute)``."""

    def __init__(self) -> None:
        self._series: dict[str, tuple[int, FloatArray, FloatArray]] = {}

    @property
    def name(self) -> str:
        return "memory"

    def put(self, slo_id: str, start_minute: int, good: npt.ArrayLike, total: npt.ArrayLike) -> None:
        g = np.asarray(good, dtype=np.float64)
        t = np.asarray(total, dtype=np.float64)
        if g.shape != t.shape or g.ndim != 1:
            raise ValueError("good and total must be 1-D arrays of the same length")
        self._series[slo_id] = (start_minute, g, t)

    def _sums(self, slo_id: str, start: int, end: int) -> tuple[float, float]:
        if slo_id not in self._series:
            return 0.0, 0.0
        first, g, t = self._series[slo_id]
        lo = min(max(start - first, 0), len(g))
        hi = min(max(end - first, 0), len(g))
        return float(g[lo:hi].sum()), float(t[lo:hi].sum())

    def lookback_counts(self, slos: Sequence[SLO], at: datetime, lookbacks_s: Sequence[int]) -> Counts:
        end = epoch_minute(at)
        out = Counts.zeros(len(slos), len(lookbacks_s))
        for i, slo in enumerate(slos):
            for j, lb in enumerate(lookbacks_s):
                out.good[i, j], out.total[i, j] = self._sums(slo.id, end - lb // 60, end)
        return out

    def window_counts(self, slos: Sequence[SLO], spans: Sequence[WindowSpan]) -> Counts:
        out = Counts.zeros(len(slos), 1)
        for i, (slo, span) in enumerate(zip(slos, spans, strict=True)):
            out.good[i, 0], out.total[i, 0] = self._sums(slo.id, span.start_minute, span.end_minute)
        return out

    def bad_slices(self, slos: Sequence[SLO], spans: Sequence[WindowSpan]) -> FloatArray:
        out = np.full(len(slos), np.nan)
        for i, (slo, span) in enumerate(zip(slos, spans, strict=True)):
            if not isinstance(slo.budgeting, Timeslices):
                continue
            k = max(slo.budgeting.slice_s // 60, 1)
            series = self.minute_series([slo], span.start_minute, span.end_minute)
            n = series.good.shape[1] // k * k
            good = series.good[0, :n].reshape(-1, k).sum(axis=1)
            total = series.total[0, :n].reshape(-1, k).sum(axis=1)
            target = float(slo.budgeting.slice_target)
            out[i] = float(np.count_nonzero((total > 0) & (good < target * total)))
        return out

    def minute_series(self, slos: Sequence[SLO], start_minute: int, end_minute: int) -> Counts:
        width = end_minute - start_minute
        out = Counts.zeros(len(slos), width)
        for i, slo in enumerate(slos):
            if slo.id not in self._series:
                continue
            first, g, t = self._series[slo.id]
            lo, hi = max(start_minute, first), min(end_minute, first + len(g))
            if hi > lo:
                out.good[i, lo - start_minute : hi - start_minute] = g[lo - first : hi - first]
                out.total[i, lo - start_minute : hi - start_minute] = t[lo - first : hi - first]
        return out
