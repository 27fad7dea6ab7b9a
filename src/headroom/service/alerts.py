"""Use cases: evaluate burn-rate alerts, and run one notifying evaluation.

``evaluate_alerts`` is stateless (the ``alerts`` command): one ``lookback_counts`` call for
every long and short window of every tier, one status evaluation for the budget tiers,
then pure evaluation; a tier whose condition holds is ``firing`` (``pending`` while it has
a ``for`` duration, since nothing remembers when it started).

``run_evaluation`` is the stateful one (``evaluate --notify``, a scheduler): it loads the
saved records, advances the state machine, saves the records and enqueues one outbox entry
per transition and notifier in one transaction, then flushes what is due and refreshes
still-firing alerts at notifiers that want it (Alertmanager).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

import numpy as np

from headroom.alerting.mwmb import TierEvaluation, evaluate_tiers, lookbacks_for
from headroom.alerting.outbox import (
    AlertMessage,
    AlertStateStore,
    Backoff,
    FlushResult,
    Notifier,
    entries_for,
    flush_outbox,
    message_for,
)
from headroom.alerting.profiles_resolve import ResolvedTier, resolve_tiers
from headroom.alerting.state import AlertRecord, Transition, advance, advance_all, dedup_key
from headroom.budget.status import SLOStatus
from headroom.errors import NotifyError, SpecError, SpecIssue
from headroom.service.status import evaluate_status
from headroom.sources.base import SLISource
from headroom.spec.model import SLO
from headroom.spec.profiles import BUILTIN_PROFILES, AlertProfile

__all__ = ["EvaluationRun", "RefreshingNotifier", "evaluate_alerts", "evaluate_tiers_at", "run_evaluation"]


@runtime_checkable
class RefreshingNotifier(Protocol):
    """A notifier that wants still-firing alerts re-sent each evaluation (Alertmanager)."""

    @property
    def name(self) -> str: ...

    def refresh(self, firing: Sequence[AlertMessage], now: datetime) -> None: ...


def _tiers(slos: Sequence[SLO], profiles: Mapping[str, AlertProfile]) -> list[tuple[ResolvedTier, ...]]:
    issues: list[SpecIssue] = []
    out: list[tuple[ResolvedTier, ...]] = []
    for slo in slos:
        try:
            out.append(resolve_tiers(slo, profiles))
        except KeyError:
            where = slo.location
            issues.append(
                SpecIssue(
                    where.file if where else f"<{slo.id}>",
                    where.line if where else None,
                    f"{slo.id}.alerting.profile",
                    f"alert profile {slo.alerting.profile!r} is not defined",
                    f"choose one of {', '.join(sorted(profiles))} or load a profile file (--profiles FILE)",
                )
            )
    if issues:
        raise SpecError(issues)
    return out


def evaluate_tiers_at(
    slos: Sequence[SLO],
    source: SLISource,
    at: datetime,
    *,
    profiles: Mapping[str, AlertProfile] = BUILTIN_PROFILES,
) -> list[TierEvaluation]:
    """The condition of every tier of every SLO at ``at`` (module docstring)."""
    if not slos:
        return []
    tiers = _tiers(slos, profiles)
    lookbacks = lookbacks_for(tiers)
    if lookbacks:
        counts = source.lookback_counts(slos, at, lookbacks)
        good, total = counts.good, counts.total
    else:
        good = total = np.zeros((len(slos), 0))
    statuses: list[SLOStatus | None] = list(evaluate_status(slos, source, at))
    return evaluate_tiers(slos, tiers, lookbacks, good, total, statuses)


def evaluate_alerts(
    slos: Sequence[SLO],
    source: SLISource,
    at: datetime,
    *,
    profiles: Mapping[str, AlertProfile] = BUILTIN_PROFILES,
) -> list[AlertRecord]:
    """Stateless alert records at ``at``: firing, pending (a ``for`` not yet proven) or inactive."""
    return [advance(None, ev, at)[0] for ev in evaluate_tiers_at(slos, source, at, profiles=profiles)]


@dataclass
class EvaluationRun:
    """What one notifying evaluation did."""

    at: datetime
    records: list[AlertRecord]
    transitions: list[Transition]
    flush: FlushResult
    refresh_errors: list[str] = field(default_factory=list)

    @property
    def firing(self) -> list[AlertRecord]:
        return [r for r in self.records if r.state == "firing"]


def run_evaluation(
    slos: Sequence[SLO],
    source: SLISource,
    state_store: AlertStateStore,
    notifiers: Sequence[Notifier],
    at: datetime,
    *,
    profiles: Mapping[str, AlertProfile] = BUILTIN_PROFILES,
    backoff: Backoff = Backoff(),
    generator_url: str | None = None,
) -> EvaluationRun:
    """Evaluate, advance the state, persist and enqueue atomically, then deliver (module docstring)."""
    evaluations = evaluate_tiers_at(slos, source, at, profiles=profiles)
    records, transitions = advance_all(state_store.load_records(), evaluations, at)
    names = [n.name for n in notifiers]
    state_store.commit(records, entries_for(transitions, names, at, generator_url))
    flushed = flush_outbox(state_store, {n.name: n for n in notifiers}, at, backoff)
    errors: list[str] = []
    firing = [r for r in records if r.state == "firing"]
    if firing:
        messages = [
            message_for(Transition("firing", r, dedup_key(r, "firing")), generator_url) for r in firing
        ]
        for n in notifiers:
            if isinstance(n, RefreshingNotifier):
                try:
                    n.refresh(messages, at)
                except NotifyError as exc:
                    errors.append(str(exc))
    return EvaluationRun(at, records, transitions, flushed, errors)
