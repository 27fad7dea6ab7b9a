"""SLOStatus: the budget of each SLO at one instant, the ``status --output json`` contract.

Pure. ``compute_statuses`` takes, for a batch of SLOs, the good/total counts over each
burn-rate window and over the SLO window (from any SLI source), the bad-slice counts of
timeslices SLOs, and the windows' spans at ``at``; it returns one frozen ``SLOStatus`` per
SLO. Absent figures are ``None`` with a reason in ``null_reasons`` (STYLE habit 5).

Which burn rate drives what (documented in docs/budget.md):
- ``time_to_exhaustion_s`` uses the 1 h burn rate (the fast page window: current, yet not
  as jumpy as 5 m);
- ``forecast_remaining_ratio`` uses the 1 d burn rate (a day's trend).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

from headroom.budget.burn_rate import burn_rate
from headroom.budget.consumption import BudgetFigures, occurrences_budget, timeslices_budget
from headroom.budget.exhaustion import forecast_remaining_ratio, time_to_exhaustion_s
from headroom.budget.series import FloatArray
from headroom.budget.windows import BURN_RATE_WINDOWS_S, WindowSpan
from headroom.spec.model import SLO, RollingWindow, Timeslices

__all__ = [
    "STATUS_WINDOWS",
    "BudgetView",
    "EventCounts",
    "SLOStatus",
    "StatusInputs",
    "compute_statuses",
]

#: Column order of StatusInputs: the burn-rate lookbacks, then the SLO window itself.
STATUS_WINDOWS: tuple[str, ...] = (*BURN_RATE_WINDOWS_S, "window")
TTE_WINDOW = "1h"
FORECAST_WINDOW = "1d"


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class EventCounts(_Out):
    good: float | None
    total: float | None


class BudgetView(_Out):
    total: float | None
    consumed: float | None
    remaining: float | None
    remaining_ratio: float | None
    unit: str
    total_minutes: float
    remaining_minutes: float | None


class SLOStatus(_Out):
    """One SLO's budget at ``at``. Ratios are 0..1 (remaining may go below 0); times in seconds."""

    service: str
    slo: str
    objective: float
    window: str
    budgeting: str
    at: datetime
    window_start: datetime
    window_end: datetime
    sli: float | None
    events: EventCounts
    budget: BudgetView
    burn_rates: dict[str, float | None]
    time_to_exhaustion_s: float | None
    forecast_remaining_ratio: float | None
    null_reasons: dict[str, str]

    @property
    def id(self) -> str:
        return f"{self.service}/{self.slo}"


@dataclass(frozen=True)
class StatusInputs:
    """Counts for a batch of SLOs, rows in the order of the SLOs.

    ``good``/``total``: shape (n, len(STATUS_WINDOWS)). ``bad_slices``: shape (n,), read only
    for timeslices SLOs. ``counts_known``: False where the source gives only a ratio (a
    raw error-ratio query), whose good/total are then ``1 - ratio`` and ``1``.
    ``source_notes``: what the source said about a row (the query that returned nothing),
    reported as ``null_reasons["source"]``.
    """

    good: FloatArray
    total: FloatArray
    bad_slices: FloatArray
    counts_known: npt.NDArray[np.bool_] | None = None
    source_notes: dict[int, str] = field(default_factory=dict)

    def known(self, row: int) -> bool:
        return True if self.counts_known is None else bool(self.counts_known[row])


def _f(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _budget(
    slos: Sequence[SLO],
    inputs: StatusInputs,
    ebr: FloatArray,
    period_s: FloatArray,
    timeslices: npt.NDArray[np.bool_],
) -> BudgetFigures:
    """Budget figures for the whole batch: each SLO by its own budgeting method."""
    w = STATUS_WINDOWS.index("window")
    occ = occurrences_budget(inputs.good[:, w], inputs.total[:, w], ebr, period_s)
    if not timeslices.any():
        return occ
    slice_s = np.array(
        [s.budgeting.slice_s if isinstance(s.budgeting, Timeslices) else 60 for s in slos], dtype=np.float64
    )
    ts = timeslices_budget(np.where(timeslices, inputs.bad_slices, 0.0), slice_s, ebr, period_s)
    return BudgetFigures(
        unit="mixed",
        total=np.where(timeslices, ts.total, occ.total),
        consumed=np.where(timeslices, ts.consumed, occ.consumed),
        remaining=np.where(timeslices, ts.remaining, occ.remaining),
        remaining_ratio=np.where(timeslices, ts.remaining_ratio, occ.remaining_ratio),
        total_minutes=np.where(timeslices, ts.total_minutes, occ.total_minutes),
        remaining_minutes=np.where(timeslices, ts.remaining_minutes, occ.remaining_minutes),
    )


def compute_statuses(
    slos: Sequence[SLO], spans: Sequence[WindowSpan], inputs: StatusInputs, at: datetime
) -> list[SLOStatus]:
    """Status of each SLO at ``at`` from its window counts (module docstring)."""
    n = len(slos)
    if inputs.good.shape != (n, len(STATUS_WINDOWS)):
        raise ValueError(f"expected counts of shape {(n, len(STATUS_WINDOWS))}, got {inputs.good.shape}")
    ebr = np.array([s.error_budget_ratio for s in slos], dtype=np.float64)
    period_s = np.array([s.period_s for s in spans], dtype=np.float64)
    elapsed_s = np.array([s.elapsed_s for s in spans], dtype=np.float64)
    rolling = np.array([isinstance(s.window, RollingWindow) for s in slos], dtype=bool)
    bad = inputs.total - inputs.good
    rates = burn_rate(bad, inputs.total, ebr[:, None])
    w = STATUS_WINDOWS.index("window")
    timeslices = np.array([isinstance(s.budgeting, Timeslices) for s in slos], dtype=bool)
    b = _budget(slos, inputs, ebr, period_s, timeslices)
    remaining_ratio = b.remaining_ratio
    consumed_ratio = 1.0 - remaining_ratio
    # The window burn rate is the period burn rate: budget share spent / time share elapsed.
    window_rate = np.where(timeslices, consumed_ratio * period_s / np.maximum(elapsed_s, 1.0), rates[:, w])
    rates[:, w] = window_rate
    tte = time_to_exhaustion_s(remaining_ratio, rates[:, STATUS_WINDOWS.index(TTE_WINDOW)], period_s)
    # For occurrences, consumed_ratio is relative to the budget of the elapsed part; as a share of
    # the whole period's budget it is scaled by elapsed / period.
    consumed_of_period = np.where(timeslices, consumed_ratio, consumed_ratio * elapsed_s / period_s)
    forecast = forecast_remaining_ratio(
        consumed_of_period,
        rates[:, STATUS_WINDOWS.index(FORECAST_WINDOW)],
        period_s - elapsed_s,
        period_s,
        rolling=rolling,
    )
    sli = 1.0 - bad[:, w] / np.where(inputs.total[:, w] > 0, inputs.total[:, w], np.nan)
    statuses: list[SLOStatus] = []
    for i, slo in enumerate(slos):
        reasons: dict[str, str] = {}
        known = inputs.known(i)
        if inputs.total[i, w] <= 0 or math.isnan(inputs.total[i, w]):
            reasons["sli"] = "no events in the SLO window"
        for j, name in enumerate(STATUS_WINDOWS):
            if math.isnan(rates[i, j]):
                reasons[f"burn_rates.{name}"] = (
                    f"no events in the last {name}" if name != "window" else ("no events in the SLO window")
                )
        t = _f(tte[i])
        if t is None:
            reasons["time_to_exhaustion_s"] = (
                "no events in the last 1h"
                if math.isnan(rates[i, STATUS_WINDOWS.index(TTE_WINDOW)])
                else "not burning: the 1h burn rate is 0"
            )
        unit = "minutes" if timeslices[i] else "events"
        in_units = known or unit == "minutes"
        if not known:
            reasons["events"] = "the SLI source gives an error ratio, not event counts"
        if i in inputs.source_notes:
            reasons["source"] = inputs.source_notes[i]
        statuses.append(
            SLOStatus(
                service=slo.service,
                slo=slo.name,
                objective=float(slo.objective),
                window=slo.window.text,
                budgeting=slo.budgeting.method,
                at=at,
                window_start=spans[i].start,
                window_end=spans[i].end,
                sli=_f(sli[i]),
                events=EventCounts(
                    good=_f(inputs.good[i, w]) if known else None,
                    total=_f(inputs.total[i, w]) if known else None,
                ),
                budget=BudgetView(
                    total=_f(b.total[i]) if in_units else None,
                    consumed=_f(b.consumed[i]) if in_units else None,
                    remaining=_f(b.remaining[i]) if in_units else None,
                    remaining_ratio=_f(b.remaining_ratio[i]),
                    unit=unit,
                    total_minutes=float(b.total_minutes[i]),
                    remaining_minutes=_f(b.remaining_minutes[i]),
                ),
                burn_rates={name: _f(rates[i, j]) for j, name in enumerate(STATUS_WINDOWS)},
                time_to_exhaustion_s=t,
                forecast_remaining_ratio=_f(forecast[i]),
                null_reasons=reasons,
            )
        )
    return statuses
