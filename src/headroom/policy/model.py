"""What the release gate answers: the ``gate --output json`` and ``/api/v1/gate`` contract.

Pure and frozen. ``GateDecision`` is returned by ``policy.gate.decide`` and rendered
as it is by the CLI and the API (STYLE habit 9). Ratios are 0..1, times in seconds,
instants aware UTC; absent figures are ``None`` with a reason (STYLE habit 5).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from headroom.spec.model import ErrorBudgetPolicy

__all__ = [
    "DECISION_ORDER",
    "Decision",
    "FiringAlert",
    "GateDecision",
    "GateSLO",
    "Incident",
    "PostmortemCheck",
    "Recovery",
    "RecoveryAssumption",
]

Decision = Literal["go", "caution", "freeze"]
RecoveryAssumption = Literal["no_new_errors", "current_burn_rate"]

#: Severity order of decisions; a service takes the worst of its SLOs.
DECISION_ORDER: dict[str, int] = {"go": 0, "caution": 1, "freeze": 2}


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FiringAlert(_Out):
    """A burn-rate alert that fires at the evaluation instant (from the alerting engine or status)."""

    slo_id: str
    name: str
    severity: str


class Recovery(_Out):
    """When an SLO's remaining budget gets back to ``target_ratio`` as old errors leave the window.

    ``recovers_at`` is None when it does not within one window (``reason`` says why).
    """

    target_ratio: float
    assumption: RecoveryAssumption
    recovers_at: datetime | None
    recovers_in_s: float | None
    reason: str | None = None


class Incident(_Out):
    """A contiguous run of minutes burning faster than the policy's incident burn rate.

    Runs separated by fewer than ``incident_merge_gap_minutes`` quiet minutes are one
    incident. ``budget_ratio`` is the share of the window's whole budget it spent.
    """

    start: datetime
    end: datetime
    minutes: int
    budget_ratio: float
    peak_burn_rate: float


class PostmortemCheck(_Out):
    """The Workbook's postmortem trigger for one SLO: any incident over the threshold share."""

    slo_id: str
    threshold_ratio: float
    required: bool
    incidents: list[Incident]


class GateSLO(_Out):
    """One SLO's figures and the decision its budget alone would give."""

    service: str
    slo: str
    decision: Decision
    gating: bool
    remaining_ratio: float | None
    remaining_minutes: float | None
    burn_rate_1h: float | None
    time_to_exhaustion_s: float | None
    firing_alerts: list[str]
    recovery: list[Recovery]
    reasons: list[str]
    null_reasons: dict[str, str]


class GateDecision(_Out):
    """The gate's answer for one change to one service at one instant.

    ``decision`` is the budget's state (go, caution, freeze); ``allowed`` says whether
    this change may ship now (a security fix during a freeze, an approved change under
    caution). ``reasons`` explain both, worst first.
    """

    service: str
    at: datetime
    decision: Decision
    allowed: bool
    change_type: str
    approved: bool
    reasons: list[str]
    slos: list[GateSLO]
    postmortems: list[PostmortemCheck]
    policy: ErrorBudgetPolicy
