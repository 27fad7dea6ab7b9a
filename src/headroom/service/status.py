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
    if len(durations) == 1 and all(isinstance(s.window, RollingWindow) for s in slos):
        # One rolling window for all: it is one more lookback, so one query answers everything.
        both = source.lookback_counts(slos, at, [*lookbacks_s, durations.pop()])
        lookback = Counts(both.good[:, :-1], both.total[:, :-1], both.counts_known, both.missing)
        window = Counts(both.good[:, -1:], both.total[:, -1:], both.counts_known, both.missing)
    else:
        lookback = source.lookback_counts(slos, at, lookbacks_s)
        window = source.window_counts(slos, spans)
    inputs = StatusInputs(
        good=np.hstack([lookback.good, window.good]),
        total=np.hstack([lookback.total, window.total]),
        bad_slices=source.bad_slices(slos, spans),
        counts_known=lookback.counts_known & window.counts_known,
    )
    return compute_statuses(slos, spans, inputs, at)
