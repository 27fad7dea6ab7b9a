"""The release gate: (SLO statuses, firing alerts, policy, change) -> GateDecision.

Pure. The rules are the SRE Workbook's example error-budget policy (appendix B), with
thresholds from ``ErrorBudgetPolicy`` (defaults in brackets)::

    remaining_ratio <  freeze_below_ratio  [0]            -> freeze
        only change types in freeze_exempt [fix, security] may ship
    remaining_ratio <  caution_below_ratio [0.25]
      or a page-level burn alert fires     [severity page or critical]
                                                           -> caution
        ships only with an explicit approval (or a change type in caution_exempt [])
    otherwise                                              -> go

Each SLO of the service is judged alone; the service takes the worst decision of the
SLOs that gate (SLOs listed in ``exempt_slos`` are reported, never gating: the
Workbook's exemptions for out-of-scope budget spend). An SLO without events in its window
has no remaining ratio and does not gate (said in its reasons).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime

from headroom.budget.status import SLOStatus
from headroom.budget.windows import BURN_RATE_WINDOWS_S
from headroom.policy.model import (
    DECISION_ORDER,
    Decision,
    FiringAlert,
    GateDecision,
    GateSLO,
    PostmortemCheck,
    Recovery,
)
from headroom.spec.model import SLO, ErrorBudgetPolicy
from headroom.spec.profiles import BUILTIN_PROFILES, burn_rate_factor

__all__ = ["decide", "page_alerts_from_status", "slo_decision"]

_WINDOW_NAMES = {seconds: name for name, seconds in BURN_RATE_WINDOWS_S.items()}


def page_alerts_from_status(
    slo: SLO, status: SLOStatus, policy: ErrorBudgetPolicy, *, period_s: int
) -> list[FiringAlert]:
    """Page-level tiers of the SLO's alert profile whose long and short burn rates both exceed the factor.

    The instantaneous multiwindow condition (SRE Workbook ch. 5), without ``for``: the
    fallback when the alerting engine's state is not given. Tiers whose windows are not
    among the status's lookbacks are skipped; disabled tiers never fire.
    """
    profile = BUILTIN_PROFILES.get(slo.alerting.profile)
    if profile is None:
        return []
    firing: list[FiringAlert] = []
    for tier in profile.tiers:
        override = slo.alerting.tiers.get(tier.name)
        severity = override.severity if override is not None and override.severity else tier.severity
        if severity not in policy.page_severities or (override is not None and override.disabled):
            continue
        long_name = _WINDOW_NAMES.get(tier.long_window_s)
        short_name = _WINDOW_NAMES.get(tier.short_window_s)
        if long_name is None or short_name is None:
            continue
        factor = burn_rate_factor(tier.budget_percent, period_s, tier.long_window_s)
        long_rate = status.burn_rates.get(long_name)
        short_rate = status.burn_rates.get(short_name)
        if long_rate is not None and short_rate is not None and long_rate > factor and short_rate > factor:
            firing.append(FiringAlert(slo_id=slo.id, name=tier.name, severity=severity))
    return firing


def _pct(ratio: float) -> str:
    return f"{ratio * 100:.1f}%"


def slo_decision(
    status: SLOStatus, alerts: Sequence[FiringAlert], policy: ErrorBudgetPolicy
) -> tuple[Decision, list[str]]:
    """The decision one SLO's budget gives, with its reasons."""
    remaining = status.budget.remaining_ratio
    pages = [a for a in alerts if a.severity in policy.page_severities]
    reasons: list[str] = []
    decision: Decision = "go"
    if remaining is None:
        reasons.append(f"{status.id}: no remaining budget figure ({_null_reason(status)}); not gating")
    elif remaining < policy.freeze_below_ratio:
        decision = "freeze"
        reasons.append(
            f"{status.id}: error budget exhausted: {_pct(remaining)} left over {status.window} "
            f"(freeze below {_pct(policy.freeze_below_ratio)})"
        )
    elif remaining < policy.caution_below_ratio:
        decision = "caution"
        reasons.append(
            f"{status.id}: {_pct(remaining)} of the error budget left over {status.window} "
            f"(caution below {_pct(policy.caution_below_ratio)})"
        )
    if pages and policy.caution_on_page_alert:
        names = ", ".join(f"{a.name} ({a.severity})" for a in pages)
        reasons.append(f"{status.id}: page-level burn alert firing: {names}")
        if decision == "go":
            decision = "caution"
    if decision == "go" and remaining is not None:
        reasons.append(f"{status.id}: {_pct(remaining)} of the error budget left; no page alert firing")
    return decision, reasons


def _null_reason(status: SLOStatus) -> str:
    return status.null_reasons.get("sli", "no data")


def _when(r: Recovery) -> str:
    return f"at {r.recovers_at.isoformat()}" if r.recovers_at is not None else f"never ({r.reason})"


def _recovery_reason(slo_id: str, recovery: Sequence[Recovery]) -> list[str]:
    """One line per target: when with no new errors, and when at the current burn rate."""
    by_target: dict[float, dict[str, Recovery]] = {}
    for r in recovery:
        by_target.setdefault(r.target_ratio, {})[r.assumption] = r
    out: list[str] = []
    for target, rs in by_target.items():
        parts = [f"{_when(rs[a])} {words}" for a, words in _ASSUMPTION_WORDS if a in rs]
        out.append(f"{slo_id}: back to {_pct(target)} left " + "; ".join(parts))
    return out


_ASSUMPTION_WORDS = (
    ("no_new_errors", "if no new errors occur"),
    ("current_burn_rate", "at the current burn rate"),
)


def decide(
    *,
    service: str,
    slos: Sequence[SLO],
    statuses: Sequence[SLOStatus],
    policy: ErrorBudgetPolicy,
    change_type: str,
    approved: bool,
    at: datetime,
    alerts: Sequence[FiringAlert] = (),
    recoveries: Mapping[str, list[Recovery]] | None = None,
    postmortems: Sequence[PostmortemCheck] = (),
) -> GateDecision:
    """The gate's decision for ``change_type`` on ``service`` (module docstring).

    ``statuses`` are in the order of ``slos``. ``change_type`` must be one of the
    policy's change types (the surfaces check it first and say which exist).
    """
    if change_type not in policy.change_types:
        raise ValueError(f"change type {change_type!r} is not one of {', '.join(policy.change_types)}")
    recoveries = recoveries or {}
    per_slo: list[GateSLO] = []
    service_decision: Decision = "go"
    lead: list[str] = []
    rest: list[str] = []
    for slo, status in zip(slos, statuses, strict=True):
        mine = [a for a in alerts if a.slo_id == slo.id]
        decision, reasons = slo_decision(status, mine, policy)
        gating = slo.name not in policy.exempt_slos and slo.id not in policy.exempt_slos
        recovery = recoveries.get(slo.id, [])
        if decision != "go":
            reasons += _recovery_reason(slo.id, recovery)
        if not gating:
            reasons.append(f"{slo.id}: exempt from the gate by the policy (exempt_slos)")
        elif DECISION_ORDER[decision] > DECISION_ORDER[service_decision]:
            service_decision = decision
        (lead if gating and decision != "go" else rest).extend(reasons)
        rates = status.burn_rates.get("1h")
        per_slo.append(
            GateSLO(
                service=slo.service,
                slo=slo.name,
                decision=decision,
                gating=gating,
                remaining_ratio=status.budget.remaining_ratio,
                remaining_minutes=status.budget.remaining_minutes,
                burn_rate_1h=None if rates is None or math.isnan(rates) else rates,
                time_to_exhaustion_s=status.time_to_exhaustion_s,
                firing_alerts=[a.name for a in mine],
                recovery=recovery,
                reasons=reasons,
                null_reasons=status.null_reasons,
            )
        )
    allowed, verdict = _allowed(service_decision, change_type, approved, policy)
    required = [p for p in postmortems if p.required]
    notes = [
        f"{p.slo_id}: postmortem required: one incident spent {_pct(p.incidents[0].budget_ratio)} "
        f"of the budget (over {_pct(p.threshold_ratio)})"
        for p in required
    ]
    return GateDecision(
        service=service,
        at=at,
        decision=service_decision,
        allowed=allowed,
        change_type=change_type,
        approved=approved,
        reasons=[verdict, *lead, *rest, *notes],
        slos=per_slo,
        postmortems=list(postmortems),
        policy=policy,
    )


def _allowed(
    decision: Decision, change_type: str, approved: bool, policy: ErrorBudgetPolicy
) -> tuple[bool, str]:
    if decision == "freeze":
        if change_type in policy.freeze_exempt:
            return True, f"freeze: {change_type} changes may ship during a freeze"
        allowed = ", ".join(policy.freeze_exempt) or "none"
        return False, (
            f"freeze: {change_type} changes are blocked until the budget recovers (allowed: {allowed})"
        )
    if decision == "caution":
        if approved:
            return True, f"caution: {change_type} change approved explicitly"
        if change_type in policy.caution_exempt:
            return True, f"caution: {change_type} changes need no approval"
        return False, f"caution: {change_type} change needs an explicit approval (--approved)"
    return True, f"go: {change_type} change may ship"
