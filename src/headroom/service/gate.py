"""Use case: may this change to this service ship now? The error-budget release gate.

One evaluation at one ``at``: the status of the service's SLOs, the page-level alerts
that fire, the per-minute history of each window (for budget recovery and the
postmortem trigger), then the pure ``policy.gate.decide``. Shared by ``headroom gate``,
``GET/POST /api/v1/gate`` and the Flagger webhook route.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from headroom.budget.status import SLOStatus
from headroom.budget.windows import WindowSpan, minute_to_datetime, window_span
from headroom.errors import UsageError
from headroom.policy.gate import decide
from headroom.policy.model import FiringAlert, GateDecision, PostmortemCheck, Recovery
from headroom.policy.postmortem import postmortem_check
from headroom.policy.recovery import bad_slice_minutes, calendar_recovery, rolling_recovery
from headroom.service.alerts import evaluate_tiers_at
from headroom.service.status import evaluate_status
from headroom.sources.base import SLISource
from headroom.spec.model import SLO, ErrorBudgetPolicy, RollingWindow, Timeslices
from headroom.spec.profiles import BUILTIN_PROFILES, AlertProfile

__all__ = ["evaluate_gate", "firing_alerts", "service_policy", "service_slos"]


def service_slos(slos: Sequence[SLO], service: str) -> list[SLO]:
    """The SLOs of ``service``; a UsageError naming the services there are when it has none."""
    mine = [s for s in slos if s.service == service]
    if not mine:
        known = ", ".join(dict.fromkeys(s.service for s in slos)) or "none"
        raise UsageError(f"service {service!r} has no SLOs in the spec; services there: {known}")
    return mine


def service_policy(slos: Sequence[SLO]) -> ErrorBudgetPolicy:
    """The ``policy:`` of the service's spec, or the documented default policy."""
    return next((s.policy for s in slos if s.policy is not None), ErrorBudgetPolicy())


def _targets(remaining: float | None, policy: ErrorBudgetPolicy) -> tuple[float, ...]:
    if remaining is None:
        return ()
    return tuple(t for t in (policy.freeze_below_ratio, policy.caution_below_ratio) if remaining < t)


def _history(
    slos: Sequence[SLO],
    statuses: Sequence[SLOStatus],
    spans: Sequence[WindowSpan],
    source: SLISource,
    policy: ErrorBudgetPolicy,
    at: datetime,
) -> tuple[dict[str, list[Recovery]], list[PostmortemCheck]]:
    """Recovery and postmortem checks from one per-minute read covering every window."""
    start = min(s.start_minute for s in spans)
    end = max(s.end_minute for s in spans)
    series = source.minute_series(slos, start, end)
    recoveries: dict[str, list[Recovery]] = {}
    postmortems: list[PostmortemCheck] = []
    for i, (slo, status, span) in enumerate(zip(slos, statuses, spans, strict=True)):
        lo, hi = span.start_minute - start, span.end_minute - start
        good, total = series.good[i, lo:hi], series.total[i, lo:hi]
        timeslices = isinstance(slo.budgeting, Timeslices)
        bad = (
            bad_slice_minutes(
                good,
                total,
                slice_minutes=slo.budgeting.slice_s // 60,
                slice_target=float(slo.budgeting.slice_target),
            )
            if isinstance(slo.budgeting, Timeslices)
            else total - good
        )
        ebr = slo.error_budget_ratio
        targets = _targets(status.budget.remaining_ratio, policy)
        if targets and isinstance(slo.window, RollingWindow):
            recoveries[slo.id] = rolling_recovery(
                bad,
                total,
                ebr,
                targets=targets,
                at=at,
                end_minute=span.end_minute,
                current_burn_rate=status.burn_rates.get("1h"),
                timeslices=timeslices,
            )
        elif targets:
            period_end = minute_to_datetime(span.start_minute + span.period_s // 60)
            recoveries[slo.id] = calendar_recovery(targets=targets, at=at, period_end=period_end)
        if series.counts_known[i]:
            postmortems.append(
                postmortem_check(
                    slo.id, bad, total, ebr, policy, start_minute=span.start_minute, timeslices=timeslices
                )
            )
    return recoveries, postmortems


def firing_alerts(
    slos: Sequence[SLO],
    source: SLISource,
    at: datetime,
    *,
    profiles: Mapping[str, AlertProfile] = BUILTIN_PROFILES,
) -> list[FiringAlert]:
    """Tiers whose burn-rate condition holds at ``at`` (stateless, as ``headroom alerts``).

    A tier with a ``for`` duration counts as soon as its condition holds: the gate is
    conservative and does not wait for a page to be sent.
    """
    return [
        FiringAlert(slo_id=ev.slo_id, name=ev.tier.name, severity=ev.tier.severity)
        for ev in evaluate_tiers_at(slos, source, at, profiles=profiles)
        if ev.condition
    ]


def evaluate_gate(
    slos: Sequence[SLO],
    source: SLISource,
    at: datetime,
    *,
    service: str,
    change_type: str = "feature",
    approved: bool = False,
    alerts: Sequence[FiringAlert] | None = None,
    policy: ErrorBudgetPolicy | None = None,
    profiles: Mapping[str, AlertProfile] = BUILTIN_PROFILES,
) -> GateDecision:
    """The gate's decision for one change to ``service`` at ``at`` (``docs/gate.md``).

    ``alerts`` are the firing alerts; when None, the alerting engine evaluates every tier
    at ``at`` (``firing_alerts``).
    ``policy`` overrides the spec's ``policy:`` block.
    """
    mine = service_slos(slos, service)
    rules = policy or service_policy(mine)
    if change_type not in rules.change_types:
        choices = ", ".join(rules.change_types)
        raise UsageError(f"change type {change_type!r} is not known to the policy; use one of {choices}")
    statuses = evaluate_status(mine, source, at)
    spans = [window_span(s.window, at) for s in mine]
    if alerts is None:
        alerts = firing_alerts(mine, source, at, profiles=profiles)
    recoveries, postmortems = _history(mine, statuses, spans, source, rules, at)
    return decide(
        service=service,
        slos=mine,
        statuses=statuses,
        policy=rules,
        change_type=change_type,
        approved=approved,
        at=at,
        alerts=alerts,
        recoveries=recoveries,
        postmortems=postmortems,
    )
