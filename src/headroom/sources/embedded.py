"""EmbeddedSource: the SLISource port over the embedded DuckDB store.

Counts are the store's per-minute buckets summed over each window (the store answers a
window from hourly rollups plus minute edges, exact to the minute). SLOs sharing a
window span (most share "30d ending now") are answered by one query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

import numpy as np

from headroom.budget.series import FloatArray
from headroom.budget.windows import WindowSpan, epoch_minute
from headroom.sources.base import Counts
from headroom.spec.model import SLO, Timeslices
from headroom.store.duckdb_store import DuckDBStore

__all__ = ["EmbeddedSource"]


class EmbeddedSource:
    """Reads counts that ``headroom ingest`` aggregated into the store."""

    def __init__(self, store: DuckDBStore) -> None:
        self._store = store

    @property
    def name(self) -> str:
        return "embedded"

    def lookback_counts(self, slos: Sequence[SLO], at: datetime, lookbacks_s: Sequence[int]) -> Counts:
        end = epoch_minute(at)
        spans = [(end - max(lb // 60, 1), end) for lb in lookbacks_s]
        good, total = self._store.window_sums([s.id for s in slos], spans)
        return Counts(good=good, total=total, counts_known=np.ones(len(slos), dtype=bool))

    def window_counts(self, slos: Sequence[SLO], spans: Sequence[WindowSpan]) -> Counts:
        out = Counts.zeros(len(slos), 1)
        groups: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i, span in enumerate(spans):
            groups[(span.start_minute, span.end_minute)].append(i)
        for (start, end), rows in groups.items():
            good, total = self._store.window_sums([slos[i].id for i in rows], [(start, end)])
            out.good[rows, 0] = good[:, 0]
            out.total[rows, 0] = total[:, 0]
        return out

    def bad_slices(self, slos: Sequence[SLO], spans: Sequence[WindowSpan]) -> FloatArray:
        out = np.full(len(slos), np.nan)
        groups: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i, (slo, span) in enumerate(zip(slos, spans, strict=True)):
            if isinstance(slo.budgeting, Timeslices):
                groups[(span.start_minute, span.end_minute)].append(i)
        for (start, end), rows in groups.items():
            budgets = [slos[i].budgeting for i in rows]
            out[rows] = self._store.bad_slices(
                [slos[i].id for i in rows],
                start,
                end,
                [max(b.slice_s // 60, 1) for b in budgets if isinstance(b, Timeslices)],
                [float(b.slice_target) for b in budgets if isinstance(b, Timeslices)],
            )
        return out

    def minute_series(self, slos: Sequence[SLO], start_minute: int, end_minute: int) -> Counts:
        good, total = self._store.minute_series_many([s.id for s in slos], start_minute, end_minute)
        return Counts(good=good, total=total, counts_known=np.ones(len(slos), dtype=bool))
