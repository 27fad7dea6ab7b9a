"""Use case: the budget status of every SLO at one instant, from any SLI source."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np

from headroom.budget.status import SLOStatus, StatusInputs, compute_statuses
from headroom.budget.windows import BURN_RATE_WINDOWS_S, window_span
from headroom.sources.base import Counts, SLISource
from headroom.spec.model import SLO, RollingWindow

__all__ = ["evaluate_status"]


def evaluate_status(slos: Sequence[SLO], source: SLISource, at: datetime) -> list[SLOStatus]:
    """Status of each SLO at ``at``: one batch of window queries, then pure budget math."""
    if not slos:
        return []
    spans = [window_span(slo.window, at) for slo in slos]
    lookbacks_s = list(BURN_RATE_WINDOWS_S.values())
    durations = {s.window.duration_s for s in slos if isinstance(s.window, RollingWindow)}
    # A source may compute a period differently from a lookback (Prometheus' ratio-timeslices
    # mode averages 5m ratios over the period); only an event-weighted source may shortcut.
    event_weighted = getattr(source, "period_mode", "events") == "events"
    if event_weighted and len(durations) == 1 and all(isinstance(s.window, RollingWindow) for s in slos):
        # One rolling window for all: it is one more lookback, so one query answers everything.
        both = source.lookback_counts(slos, at, [*lookbacks_s, durations.pop()])
        lookback = Counts(both.good[:, :-1], both.total[:, :-1], both.counts_known, both.missing, both.notes)
        window = Counts(both.good[:, -1:], both.total[:, -1:], both.counts_known)
    else:
        lookback = source.lookback_counts(slos, at, lookbacks_s)
        window = source.window_counts(slos, spans)
    inputs = StatusInputs(
        good=np.hstack([lookback.good, window.good]),
        total=np.hstack([lookback.total, window.total]),
        bad_slices=source.bad_slices(slos, spans),
        counts_known=lookback.counts_known & window.counts_known,
        source_notes=_source_notes(len(slos), lookback, window),
    )
    return compute_statuses(slos, spans, inputs, at)


def _source_notes(n: int, *parts: Counts) -> dict[int, str]:
    """What the source said about each row: a query that returned nothing, an adjustment."""
    notes: dict[int, str] = {}
    for i in range(n):
        said = [text for part in parts for text in (part.missing.get(i), part.notes.get(i)) if text]
        if said:
            notes[i] = "; ".join(dict.fromkeys(said))
    return notes
