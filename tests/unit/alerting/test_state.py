"""The alert state machine: transitions, `for`, and notifications exactly once."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from headroom.alerting.mwmb import TierEvaluation
from headroom.alerting.profiles_resolve import ResolvedTier
from headroom.alerting.state import AlertRecord, advance
from tests.unit.alerting.helpers import T0

PAGE = ResolvedTier("page-fast", "page", "burn_rate", 14.4, 0.0144, 2.0, 3600, 300, 0)
SLOW = ResolvedTier("critical-1h", "critical", "burn_rate", 14.0, 0.014, 2.0, 3600, 300, 120)


def _ev(tier: ResolvedTier, condition: bool, consumed: float = 0.1) -> TierEvaluation:
    ratio = 0.5 if condition else 0.0
    return TierEvaluation(
        "checkout", "availability", tier, condition, "r", ratio, ratio, 1000, 100, consumed, 3600.0
    )


def _run(tier: ResolvedTier, conditions: list[bool]) -> list[tuple[str, str | None]]:
    record: AlertRecord | None = None
    out = []
    for minute, cond in enumerate(conditions):
        at = T0 + timedelta(minutes=minute)
        record, transition = advance(record, _ev(tier, cond, consumed=0.1 * minute), at)
        out.append((record.state, transition.kind if transition else None))
    return out


def test_without_for_a_true_condition_fires_at_once_and_notifies_once() -> None:
    assert _run(PAGE, [False, True, True, False, False]) == [
        ("inactive", None),
        ("firing", "firing"),
        ("firing", None),
        ("resolved", "resolved"),
        ("inactive", None),
    ]


def test_with_for_the_alert_is_pending_until_for_has_elapsed() -> None:
    assert [s for s, _ in _run(SLOW, [True, True, True, True])] == ["pending", "pending", "firing", "firing"]


def test_a_pending_alert_whose_condition_goes_returns_to_inactive_silently() -> None:
    assert _run(SLOW, [True, False, True]) == [("pending", None), ("inactive", None), ("pending", None)]


def test_a_resolved_alert_that_comes_back_fires_again_with_a_new_dedup_key() -> None:
    record: AlertRecord | None = None
    keys = []
    for minute, cond in enumerate([True, False, True]):
        record, transition = advance(record, _ev(PAGE, cond), T0 + timedelta(minutes=minute))
        assert transition is not None
        keys.append(transition.dedup_key)
    assert keys == [
        f"checkout/availability:page-fast:firing:{int(T0.timestamp())}",
        f"checkout/availability:page-fast:resolved:{int(T0.timestamp())}",
        f"checkout/availability:page-fast:firing:{int(T0.timestamp()) + 120}",
    ]


def test_a_firing_record_keeps_the_budget_consumed_when_it_fired_and_its_start() -> None:
    record, _ = advance(None, _ev(PAGE, True, consumed=0.25), T0)
    later, _ = advance(record, _ev(PAGE, True, consumed=0.40), T0 + timedelta(minutes=5))
    assert later.budget_consumed_at_firing == 0.25
    assert later.budget_consumed_ratio == 0.40
    assert later.since == T0
    assert later.fired_at == T0
    assert later.evaluated_at == T0 + timedelta(minutes=5)


def test_a_resolved_record_says_when_it_resolved() -> None:
    record, _ = advance(None, _ev(PAGE, True), T0)
    resolved, _ = advance(record, _ev(PAGE, False), T0 + timedelta(minutes=7))
    assert (resolved.state, resolved.resolved_at, resolved.fired_at) == (
        "resolved",
        T0 + timedelta(minutes=7),
        T0,
    )


@given(conditions=st.lists(st.booleans(), max_size=40), slow=st.booleans())
def test_notifications_alternate_firing_then_resolved_and_match_state_changes(
    conditions: list[bool], slow: bool
) -> None:
    tier = SLOW if slow else PAGE
    record: AlertRecord | None = None
    kinds: list[str] = []
    keys: set[str] = set()
    for minute, cond in enumerate(conditions):
        before = record.state if record is not None else "inactive"
        record, transition = advance(record, _ev(tier, cond), T0 + timedelta(minutes=minute))
        if transition is not None:
            assert transition.kind == record.state
            assert before != record.state
            assert transition.dedup_key not in keys
            keys.add(transition.dedup_key)
            kinds.append(transition.kind)
        assert record.state != "firing" or cond
    assert kinds == ["firing", "resolved"] * (len(kinds) // 2) + ["firing"] * (len(kinds) % 2)
