"""The alert state machine: one record per SLO x tier, advanced once per evaluation.

Pure: the evaluation instant ``at`` is passed in. States and transitions::

    inactive --condition--> pending --held for `for`--> firing --condition gone--> resolved
        ^   \\______________ for = 0 ______________/^                                 |
        |                                                                           |
        +------------- condition gone (pending, resolved) <-------------------------+

- ``pending`` -> ``inactive`` when the condition goes before ``for`` has elapsed (no message);
- ``resolved`` -> ``pending``/``firing`` when the condition comes back, else ``inactive``.

Only two transitions notify: entering ``firing`` and entering ``resolved``. Each carries
a dedup key ``<slo id>:<tier>:<firing|resolved>:<epoch s of fired_at>``, unique per
episode, so a message enqueued twice (a retried evaluation, a restart) is delivered once.
A record keeps the values of both windows, the threshold, the budget consumed when it
fired and the time to exhaustion.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from headroom.alerting.mwmb import TierEvaluation
from headroom.spec.durations import format_duration

__all__ = [
    "AlertRecord",
    "AlertStateName",
    "Transition",
    "TransitionKind",
    "advance",
    "advance_all",
    "dedup_key",
    "record_key",
]

AlertStateName = Literal["inactive", "pending", "firing", "resolved"]
TransitionKind = Literal["firing", "resolved"]


def record_key(slo_id: str, tier: str) -> str:
    """The identity of an alert: ``service/slo:tier``."""
    return f"{slo_id}:{tier}"


def _finite(value: float) -> float | None:
    return None if math.isnan(value) else value


class AlertRecord(BaseModel):
    """One alert's state and figures; the ``alerts --output json`` row."""

    model_config = ConfigDict(frozen=True)

    service: str
    slo: str
    tier: str
    severity: str
    kind: str
    state: AlertStateName
    since: datetime | None
    active_since: datetime | None = None
    fired_at: datetime | None = None
    resolved_at: datetime | None = None
    evaluated_at: datetime
    long_window: str | None = None
    short_window: str | None = None
    long_window_s: int | None = None
    short_window_s: int | None = None
    for_s: int = 0
    factor: float | None = None
    threshold: float | None = None
    long_error_ratio: float | None = None
    short_error_ratio: float | None = None
    budget_consumed_ratio: float | None = None
    budget_consumed_at_firing: float | None = None
    time_to_exhaustion_s: float | None = None
    reason: str = ""
    labels: dict[str, str]
    annotations: dict[str, str]

    @property
    def slo_id(self) -> str:
        return f"{self.service}/{self.slo}"

    @property
    def key(self) -> str:
        return record_key(self.slo_id, self.tier)


@dataclass(frozen=True)
class Transition:
    """A state change that must be notified, exactly once (``dedup_key``)."""

    kind: TransitionKind
    record: AlertRecord
    dedup_key: str


def _figures(ev: TierEvaluation, at: datetime) -> dict[str, object]:
    t = ev.tier
    burn = t.kind == "burn_rate"
    return {
        "service": ev.service,
        "slo": ev.slo,
        "tier": t.name,
        "severity": t.severity,
        "kind": t.kind,
        "evaluated_at": at,
        "long_window": format_duration(t.long_window_s) if burn else None,
        "short_window": format_duration(t.short_window_s) if burn else None,
        "long_window_s": t.long_window_s if burn else None,
        "short_window_s": t.short_window_s if burn else None,
        "for_s": t.for_s,
        "factor": _finite(t.factor) if burn else None,
        "threshold": _finite(t.threshold) if burn else None,
        "long_error_ratio": ev.long_error_ratio,
        "short_error_ratio": ev.short_error_ratio,
        "budget_consumed_ratio": ev.budget_consumed_ratio,
        "time_to_exhaustion_s": ev.time_to_exhaustion_s,
        "reason": ev.reason,
        "labels": dict(t.labels),
        "annotations": dict(t.annotations),
    }


def dedup_key(record: AlertRecord, kind: TransitionKind) -> str:
    """``<slo id>:<tier>:<kind>:<epoch s of fired_at>``: one key per episode and transition."""
    fired = record.fired_at
    stamp = int(fired.timestamp()) if fired is not None else 0
    return f"{record.key}:{kind}:{stamp}"


def advance(
    previous: AlertRecord | None, ev: TierEvaluation, at: datetime
) -> tuple[AlertRecord, Transition | None]:
    """The next record for ``ev`` at ``at`` and the transition to notify, if any (module docstring)."""
    state: AlertStateName = previous.state if previous is not None else "inactive"
    fig = _figures(ev, at)
    keep = {
        "since": previous.since if previous is not None else None,
        "active_since": previous.active_since if previous is not None else None,
        "fired_at": previous.fired_at if previous is not None else None,
        "resolved_at": previous.resolved_at if previous is not None else None,
        "budget_consumed_at_firing": previous.budget_consumed_at_firing if previous is not None else None,
    }
    new_state: AlertStateName = state
    if ev.condition:
        if state in ("inactive", "resolved"):
            keep.update(active_since=at, fired_at=None, resolved_at=None, budget_consumed_at_firing=None)
            new_state = "pending"
        active = keep["active_since"]
        assert isinstance(active, datetime)
        if new_state == "pending" and (at - active).total_seconds() >= ev.tier.for_s:
            new_state = "firing"
            keep.update(fired_at=at, budget_consumed_at_firing=ev.budget_consumed_ratio)
    elif state == "firing":
        new_state = "resolved"
        keep.update(resolved_at=at)
    elif state in ("pending", "resolved"):
        new_state = "inactive"
        keep.update(active_since=None)
    if new_state != state or previous is None:
        keep.update(since=at if new_state != "inactive" or previous is not None else None)
    record = AlertRecord.model_validate({**fig, **keep, "state": new_state})
    if new_state != state and new_state in ("firing", "resolved"):
        kind: TransitionKind = "firing" if new_state == "firing" else "resolved"
        return record, Transition(kind, record, dedup_key(record, kind))
    return record, None


def advance_all(
    previous: Mapping[str, AlertRecord], evaluations: list[TierEvaluation], at: datetime
) -> tuple[list[AlertRecord], list[Transition]]:
    """Advance every alert; records keyed by ``record_key``."""
    records: list[AlertRecord] = []
    transitions: list[Transition] = []
    for ev in evaluations:
        record, transition = advance(previous.get(record_key(ev.slo_id, ev.tier.name)), ev, at)
        records.append(record)
        if transition is not None:
            transitions.append(transition)
    return records, transitions
