"""The durable outbox: every notification is written down before it is sent.

An evaluation saves the new alert records and enqueues one outbox entry per transition
and notifier **in one transaction** (``AlertStateStore.commit``); a flush then sends the
entries that are due and marks each delivered only after the notifier accepted it (a 2xx).
A notifier that is down leaves its entries pending with an attempt count and a next
attempt time, exponential backoff with jitter::

    delay_s = min(cap_s, base_s x 2 ** (attempts - 1)) x (0.5 + 0.5 x jitter)

where ``jitter`` in [0, 1) is derived from the dedup key and the attempt number (a hash),
so the schedule is reproducible and no clock or random source is read here.

Delivery is at least once, deduplicated: the entry key ``(dedup_key, notifier)`` is the
table's primary key, so enqueueing the same transition twice (a retried evaluation, a
restart) stores it once; and the dedup key travels with each message (webhook header
``X-Headroom-Dedup-Key``; Alertmanager deduplicates identical label sets itself) so a
receiver can drop the rare resend after a crash between send and mark.

``AlertStateStore`` is the port (``DuckDBAlertStateStore`` in ``store/alert_state.py``),
``InMemoryAlertStateStore`` its fake.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from headroom.alerting.state import AlertRecord, Transition
from headroom.errors import NotifyError

__all__ = [
    "AlertMessage",
    "AlertStateStore",
    "Backoff",
    "FlushResult",
    "InMemoryAlertStateStore",
    "Notifier",
    "OutboxEntry",
    "entries_for",
    "flush_outbox",
    "message_for",
]


class AlertMessage(BaseModel):
    """The generic notification payload (``docs/alerting.md``, "Notifier payloads")."""

    model_config = ConfigDict(frozen=True)

    version: int = 1
    dedup_key: str
    status: str
    summary: str
    service: str
    slo: str
    tier: str
    severity: str
    kind: str
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime | None
    fired_at: datetime | None
    ends_at: datetime | None
    long_window: str | None
    short_window: str | None
    factor: float | None
    threshold: float | None
    long_error_ratio: float | None
    short_error_ratio: float | None
    budget_consumed_at_firing: float | None
    budget_consumed_ratio: float | None
    time_to_exhaustion_s: float | None
    reason: str
    generator_url: str | None = None


def _summary(record: AlertRecord, status: str) -> str:
    head = f"[{status.upper()}] {record.service}/{record.slo} {record.tier} ({record.severity})"
    return f"{head}: {record.reason}"


def message_for(transition: Transition, generator_url: str | None = None) -> AlertMessage:
    """The payload announcing ``transition``."""
    r = transition.record
    return AlertMessage(
        dedup_key=transition.dedup_key,
        status=transition.kind,
        summary=_summary(r, transition.kind),
        service=r.service,
        slo=r.slo,
        tier=r.tier,
        severity=r.severity,
        kind=r.kind,
        labels=r.labels,
        annotations=r.annotations,
        starts_at=r.active_since,
        fired_at=r.fired_at,
        ends_at=r.resolved_at if transition.kind == "resolved" else None,
        long_window=r.long_window,
        short_window=r.short_window,
        factor=r.factor,
        threshold=r.threshold,
        long_error_ratio=r.long_error_ratio,
        short_error_ratio=r.short_error_ratio,
        budget_consumed_at_firing=r.budget_consumed_at_firing,
        budget_consumed_ratio=r.budget_consumed_ratio,
        time_to_exhaustion_s=r.time_to_exhaustion_s,
        reason=r.reason,
        generator_url=generator_url,
    )


@dataclass(frozen=True)
class OutboxEntry:
    """One message for one notifier, with its delivery bookkeeping."""

    dedup_key: str
    notifier: str
    message: AlertMessage
    created_at: datetime
    next_attempt_at: datetime
    attempts: int = 0
    delivered_at: datetime | None = None
    last_error: str | None = None


def entries_for(
    transitions: Sequence[Transition],
    notifiers: Sequence[str],
    at: datetime,
    generator_url: str | None = None,
) -> list[OutboxEntry]:
    """One entry per transition and notifier, due now."""
    return [
        OutboxEntry(t.dedup_key, name, message_for(t, generator_url), at, at)
        for t in transitions
        for name in notifiers
    ]


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with deterministic jitter (module docstring); ``max_attempts`` then give up."""

    base_s: float = 30.0
    cap_s: float = 3600.0
    max_attempts: int = 50

    def delay_s(self, attempts: int, key: str) -> float:
        digest = hashlib.sha256(f"{key}#{attempts}".encode()).digest()
        jitter = int.from_bytes(digest[:8], "big") / 2**64
        delay: float = min(self.cap_s, self.base_s * 2.0 ** max(attempts - 1, 0))
        return delay * (0.5 + 0.5 * jitter)


class Notifier(Protocol):
    """Delivers one message at ``now`` (the flush's clock); raises ``NotifyError`` unless accepted."""

    @property
    def name(self) -> str: ...

    def send(self, message: AlertMessage, now: datetime) -> None: ...


class AlertStateStore(Protocol):
    """Where alert records and the outbox live (durably, for the embedded store)."""

    def load_records(self) -> dict[str, AlertRecord]:
        """Every saved record, by ``record_key``."""
        ...

    def commit(self, records: Sequence[AlertRecord], entries: Sequence[OutboxEntry]) -> None:
        """Save records and enqueue entries atomically; an entry already queued is kept as is."""
        ...

    def due(self, now: datetime) -> list[OutboxEntry]:
        """Undelivered entries whose next attempt is at or before ``now``, oldest first."""
        ...

    def undelivered(self) -> list[OutboxEntry]: ...

    def mark_delivered(self, dedup_key: str, notifier: str, at: datetime) -> None: ...

    def mark_failed(
        self, dedup_key: str, notifier: str, attempts: int, next_attempt_at: datetime, error: str
    ) -> None: ...


@dataclass
class FlushResult:
    """What one flush did: keys ``dedup_key -> notifier`` delivered, failed (with the error), skipped."""

    delivered: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    gave_up: list[tuple[str, str]] = field(default_factory=list)


def flush_outbox(
    store: AlertStateStore, notifiers: Mapping[str, Notifier], now: datetime, backoff: Backoff = Backoff()
) -> FlushResult:
    """Send every due entry once; mark delivered after success, else schedule the next attempt."""
    result = FlushResult()
    for entry in store.due(now):
        notifier = notifiers.get(entry.notifier)
        attempts = entry.attempts + 1
        if notifier is None:
            error = f"notifier {entry.notifier!r} is not configured"
        else:
            try:
                notifier.send(entry.message, now)
            except NotifyError as exc:
                error = str(exc)
            else:
                store.mark_delivered(entry.dedup_key, entry.notifier, now)
                result.delivered.append((entry.dedup_key, entry.notifier))
                continue
        if attempts >= backoff.max_attempts:
            store.mark_failed(
                entry.dedup_key, entry.notifier, attempts, datetime.max.replace(tzinfo=now.tzinfo), error
            )
            result.gave_up.append((entry.dedup_key, entry.notifier))
            continue
        next_at = now + timedelta(seconds=backoff.delay_s(attempts, entry.dedup_key))
        store.mark_failed(entry.dedup_key, entry.notifier, attempts, next_at, error)
        result.failed.append((entry.dedup_key, entry.notifier, error))
    return result


class InMemoryAlertStateStore:
    """The fake of ``AlertStateStore`` for unit tests."""

    def __init__(self) -> None:
        self.records: dict[str, AlertRecord] = {}
        self.entries: dict[tuple[str, str], OutboxEntry] = {}

    def load_records(self) -> dict[str, AlertRecord]:
        return dict(self.records)

    def commit(self, records: Sequence[AlertRecord], entries: Sequence[OutboxEntry]) -> None:
        for r in records:
            self.records[r.key] = r
        for e in entries:
            self.entries.setdefault((e.dedup_key, e.notifier), e)

    def due(self, now: datetime) -> list[OutboxEntry]:
        due = [e for e in self.entries.values() if e.delivered_at is None and e.next_attempt_at <= now]
        return sorted(due, key=lambda e: (e.created_at, e.dedup_key, e.notifier))

    def undelivered(self) -> list[OutboxEntry]:
        return [e for e in self.entries.values() if e.delivered_at is None]

    def mark_delivered(self, dedup_key: str, notifier: str, at: datetime) -> None:
        key = (dedup_key, notifier)
        self.entries[key] = replace(
            self.entries[key], delivered_at=at, attempts=self.entries[key].attempts + 1
        )

    def mark_failed(
        self, dedup_key: str, notifier: str, attempts: int, next_attempt_at: datetime, error: str
    ) -> None:
        key = (dedup_key, notifier)
        self.entries[key] = replace(
            self.entries[key], attempts=attempts, next_attempt_at=next_attempt_at, last_error=error
        )
