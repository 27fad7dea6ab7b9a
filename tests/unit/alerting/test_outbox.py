"""The outbox: backoff schedule, and exactly-once delivery whatever the failures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from headroom.alerting.mwmb import TierEvaluation
from headroom.alerting.outbox import AlertMessage, Backoff, InMemoryAlertStateStore, entries_for, flush_outbox
from headroom.alerting.profiles_resolve import ResolvedTier
from headroom.alerting.state import Transition, advance
from headroom.errors import NotifyError
from tests.unit.alerting.helpers import T0

PAGE = ResolvedTier("page-fast", "page", "burn_rate", 14.4, 0.0144, 2.0, 3600, 300, 0)


def _transitions(count: int) -> list[Transition]:
    out = []
    for i in range(count):
        ev = TierEvaluation("checkout", f"slo-{i}", PAGE, True, "above", 0.5, 0.5, 100, 10, 0.1, None)
        _, transition = advance(None, ev, T0)
        assert transition is not None
        out.append(transition)
    return out


def test_backoff_doubles_up_to_the_cap_with_jitter_between_half_and_full() -> None:
    backoff = Backoff(base_s=30, cap_s=300)
    delays = [backoff.delay_s(n, "k") for n in range(1, 7)]
    for n, delay in enumerate(delays, start=1):
        full = min(300, 30 * 2 ** (n - 1))
        assert full / 2 <= delay < full
    assert backoff.delay_s(3, "k") == backoff.delay_s(3, "k")
    assert backoff.delay_s(3, "k") != backoff.delay_s(3, "other")


def test_an_entry_is_given_up_after_max_attempts() -> None:
    store = InMemoryAlertStateStore()
    store.commit([], entries_for(_transitions(1), ["hook"], T0))

    class Down:
        name = "hook"

        def send(self, message: AlertMessage, now: object) -> None:
            raise NotifyError("down")

    now = T0
    for _ in range(3):
        result = flush_outbox(store, {"hook": Down()}, now, Backoff(base_s=1, cap_s=1, max_attempts=3))
        now += timedelta(seconds=2)
    assert len(result.gave_up) == 1
    assert flush_outbox(store, {"hook": Down()}, now + timedelta(days=365)).failed == []


class _Flaky:
    """A notifier that fails on the calls listed in ``failures`` (by call number)."""

    name = "hook"

    def __init__(self, failures: set[int]) -> None:
        self.failures = failures
        self.calls = 0
        self.delivered: list[str] = []

    def send(self, message: AlertMessage, now: object) -> None:
        self.calls += 1
        if self.calls in self.failures:
            raise NotifyError(f"call {self.calls} failed")
        self.delivered.append(message.dedup_key)


@given(count=st.integers(1, 6), failures=st.sets(st.integers(1, 30), max_size=20))
def test_every_message_is_delivered_exactly_once_whatever_fails(count: int, failures: set[int]) -> None:
    transitions = _transitions(count)
    store = InMemoryAlertStateStore()
    store.commit([], entries_for(transitions, ["hook"], T0))
    store.commit([], entries_for(transitions, ["hook"], T0))  # a retried evaluation enqueues again
    hook = _Flaky(failures)
    now = T0
    for _ in range(40):
        flush_outbox(store, {"hook": hook}, now, Backoff(base_s=1, cap_s=4))
        now += timedelta(seconds=5)
    assert sorted(hook.delivered) == sorted(t.dedup_key for t in transitions)
    assert store.undelivered() == []


@pytest.mark.parametrize("name", ["hook", "other"])
def test_an_entry_for_an_unconfigured_notifier_waits(name: str) -> None:
    store = InMemoryAlertStateStore()
    store.commit([], entries_for(_transitions(1), [name], T0))
    result = flush_outbox(store, {}, T0)
    assert result.failed[0][2] == f"notifier {name!r} is not configured"
    assert len(store.undelivered()) == 1
