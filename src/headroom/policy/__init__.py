"""Error-budget policy: the release gate, budget recovery and the postmortem trigger.

Pure (STYLE habit 1): ``gate.decide`` turns SLO statuses, firing alerts and the
service's ``ErrorBudgetPolicy`` into a ``GateDecision``; ``recovery`` says when a spent
budget comes back as old errors leave a rolling window; ``postmortem`` finds incidents
that spent more than the policy's share of the budget.
"""

from headroom.policy.gate import decide, page_alerts_from_status, slo_decision
from headroom.policy.model import (
    Decision,
    FiringAlert,
    GateDecision,
    GateSLO,
    Incident,
    PostmortemCheck,
    Recovery,
)
from headroom.policy.postmortem import find_incidents, minute_burn_rates, postmortem_check
from headroom.policy.recovery import calendar_recovery, remaining_ratio_ahead, rolling_recovery

__all__ = [
    "Decision",
    "FiringAlert",
    "GateDecision",
    "GateSLO",
    "Incident",
    "PostmortemCheck",
    "Recovery",
    "calendar_recovery",
    "decide",
    "find_incidents",
    "minute_burn_rates",
    "page_alerts_from_status",
    "postmortem_check",
    "remaining_ratio_ahead",
    "rolling_recovery",
    "slo_decision",
]
