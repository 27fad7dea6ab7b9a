"""The SLI source port: the one seam between use cases and where counts live.

A source answers, for a batch of SLOs and one evaluation instant, how many events were
good and how many counted over trailing lookbacks and over each SLO's own window; how
many timeslices were bad; and the per-minute history for backtests and charts. Every
answer for one evaluation uses the same ``at`` (STYLE habit 2).

Adapters are named for their technology: ``EmbeddedSource`` (DuckDB store),
``PrometheusSource`` (HTTP API). Unit tests use ``InMemorySource``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import numpy as np
import numpy.typing as npt

from headroom.budget.series import FloatArray
from headroom.budget.windows import WindowSpan
from headroom.spec.model import SLO

__all__ = ["Counts", "SLISource"]


@dataclass(frozen=True)
class Counts:
    """Good and total counts, one row per SLO (and one column per window or minute).

    ``counts_known[i]`` is False where the source only knows a ratio (e.g. a raw
    error-ratio PromQL query): then ``good = 1 - ratio`` and ``total = 1``.
    ``missing[i]`` says why row ``i`` has no data, e.g. the query that returned nothing.
    ``notes[i]`` says how row ``i``'s data was adjusted though it has some (e.g. minutes
    without a sample counted as 0).
    """

    good: FloatArray
    total: FloatArray
    counts_known: npt.NDArray[np.bool_]
    missing: dict[int, str] = field(default_factory=dict)
    notes: dict[int, str] = field(default_factory=dict)

    @classmethod
    def zeros(cls, rows: int, cols: int) -> Counts:
        return cls(
            good=np.zeros((rows, cols)), total=np.zeros((rows, cols)), counts_known=np.ones(rows, dtype=bool)
        )


class SLISource(Protocol):
    """Where an evaluation reads its counts from."""

    @property
    def name(self) -> str: ...

    def lookback_counts(self, slos: Sequence[SLO], at: datetime, lookbacks_s: Sequence[int]) -> Counts:
        """Counts over ``[at - lookback, at)`` for each lookback (columns), each SLO (rows)."""
        ...

    def window_counts(self, slos: Sequence[SLO], spans: Sequence[WindowSpan]) -> Counts:
        """Counts over each SLO's own window span (one column)."""
        ...

    def bad_slices(self, slos: Sequence[SLO], spans: Sequence[WindowSpan]) -> FloatArray:
        """Bad timeslices in each SLO's window span (NaN for SLOs not budgeted by timeslices)."""
        ...

    def minute_series(self, slos: Sequence[SLO], start_minute: int, end_minute: int) -> Counts:
        """Dense per-minute counts over ``[start_minute, end_minute)``; shape (n, minutes)."""
        ...
