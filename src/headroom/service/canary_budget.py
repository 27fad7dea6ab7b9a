"""Use case: judge a canary against the SLO's remaining error budget (blast radius).

The judge (``canary/``) is pure; this module reads the SLO's status at ``at`` from the
SLI source, turns it into the judge's ``BudgetInputs``, and applies the release policy:
when the gate says **freeze** for the service, the canary fails outright whatever its
metrics say (a frozen budget cannot afford a feature's risk).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from headroom.budget.status import SLOStatus
from headroom.budget.windows import window_span
from headroom.canary.model import CanaryReport
from headroom.canary.projection import BudgetInputs
from headroom.errors import UsageError
from headroom.service.canary import judge_file
from headroom.service.gate import evaluate_gate
from headroom.service.status import evaluate_status
from headroom.sources.base import SLISource
from headroom.spec.model import SLO

__all__ = ["budget_inputs", "find_slo", "judge_against_budget"]


def budget_inputs(slo: SLO, status: SLOStatus, at: datetime) -> BudgetInputs | None:
    """The judge's view of one SLO's budget at ``at``; None when the window holds no events.

    The projection horizon is the rest of a calendar period, or one whole window for a
    rolling window (a promoted release runs until everything in the window is its own).
    Traffic is the window's events per elapsed second.
    """
    if status.budget.remaining_ratio is None or not status.events.total:
        return None
    span = window_span(slo.window, at)
    return BudgetInputs(
        error_budget_ratio=slo.error_budget_ratio,
        remaining_budget_ratio=status.budget.remaining_ratio,
        window_s=span.period_s,
        remaining_window_s=span.period_s if span.remaining_s == 0 else span.remaining_s,
        expected_total_rate_per_s=max(float(status.events.total) / max(span.elapsed_s, 1), 1e-9),
    )


def find_slo(slos: Sequence[SLO], name: str) -> SLO:
    """An SLO by ``service/name`` or by a name that is unique across the specs."""
    matches = [s for s in slos if name in (s.id, s.name)]
    if len(matches) != 1:
        known = ", ".join(s.id for s in slos)
        why = "matches several SLOs" if matches else "is not in the spec"
        raise UsageError(f"--slo {name!r} {why}; write service/name, one of: {known}")
    return matches[0]


def judge_against_budget(
    data_path: Path,
    config_path: Path | None,
    *,
    slos: Sequence[SLO],
    slo_name: str,
    source: SLISource,
    at: datetime,
    mode: str | None = None,
) -> CanaryReport:
    """Judge the canary data with the blast-radius projection of ``slo_name``'s budget."""
    slo = find_slo(slos, slo_name)
    (status,) = evaluate_status([slo], source, at)
    report = judge_file(data_path, config_path, budget_inputs(slo, status, at), mode=mode)
    decision = evaluate_gate(slos, source, at, service=slo.service, change_type="feature")
    if decision.decision != "freeze":
        return report
    reason = f"release policy says freeze for {slo.service}: " + "; ".join(decision.reasons)
    return report.model_copy(update={"verdict": "fail", "reasons": (*report.reasons, reason)})
