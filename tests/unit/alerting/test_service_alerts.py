"""The alert use cases over the in-memory source: Workbook detection times, state, outbox."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import httpx
import pytest

from headroom.alerting.notify import WebhookNotifier
from headroom.alerting.outbox import Backoff, InMemoryAlertStateStore
from headroom.alerting.state import AlertRecord
from headroom.service.alerts import evaluate_alerts, run_evaluation
from headroom.sources.memory import InMemorySource
from headroom.spec.model import SLO
from tests.unit.alerting.helpers import T0_MINUTE, incident_series, minute_at, slo

CLEAN = 3 * 1440 + 60  # a full 3-day window of clean traffic before the incident


def _source(s: SLO, bad_minutes: int, error_ratio: float, per_minute: float = 1000.0) -> InMemorySource:
    good, total = incident_series(CLEAN, bad_minutes, error_ratio, per_minute)
    source = InMemorySource()
    source.put(s.id, T0_MINUTE, good, total)
    return source


def _state(records: list[AlertRecord], tier: str) -> str:
    return next(r.state for r in records if r.tier == tier)


def _after(minutes: int) -> datetime:
    """The instant when ``minutes`` minutes of the incident have been counted."""
    return minute_at(T0_MINUTE + CLEAN + minutes)


def test_a_full_outage_fires_the_fast_page_within_its_first_minute() -> None:
    s = slo()
    source = _source(s, 10, 1.0)
    assert _state(evaluate_alerts([s], source, _after(0)), "page-fast") == "inactive"
    assert _state(evaluate_alerts([s], source, _after(1)), "page-fast") == "firing"


def test_a_two_percent_error_ratio_fires_the_fast_page_after_43_2_minutes() -> None:
    s = slo()
    source = _source(s, 120, 0.02)
    # 2,592 s = 43.2 min: not yet after 43 whole minutes, firing after 44.
    assert _state(evaluate_alerts([s], source, _after(43)), "page-fast") == "inactive"
    assert _state(evaluate_alerts([s], source, _after(44)), "page-fast") == "firing"


def test_half_a_percent_never_pages_but_fires_the_slow_ticket_after_14_4_hours() -> None:
    s = slo()
    source = _source(s, 2000, 0.005)
    before = evaluate_alerts([s], source, _after(864))
    after = evaluate_alerts([s], source, _after(865))
    assert _state(before, "ticket-slow") == "inactive"
    assert _state(after, "ticket-slow") == "firing"
    assert _state(after, "page-fast") == "inactive"
    assert _state(after, "page-slow") == "inactive"


def test_low_traffic_reports_not_enough_events() -> None:
    s = slo(min_events=100)
    source = _source(s, 30, 1.0, per_minute=10)
    page = next(r for r in evaluate_alerts([s], source, _after(10)) if r.tier == "page-fast")
    assert page.state == "inactive"
    assert page.reason == "not enough events in the 5m window (50 < 100)"


def test_alert_rows_carry_both_windows_threshold_and_factor() -> None:
    s = slo()
    page = next(r for r in evaluate_alerts([s], _source(s, 10, 1.0), _after(5)) if r.tier == "page-fast")
    assert (page.long_window, page.short_window, page.factor) == ("1h", "5m", 14.4)
    assert page.threshold == 14.4 * 0.001
    assert page.long_error_ratio == pytest.approx(5 / 60)
    assert page.short_error_ratio == 1.0
    assert page.since == _after(5)


def test_a_tier_with_for_is_pending_then_firing_once_for_has_elapsed() -> None:
    s = slo(profile="four-tier")
    source = _source(s, 30, 1.0)
    store = InMemoryAlertStateStore()
    states = []
    for minute in (1, 2, 3):
        run = run_evaluation([s], source, store, [], _after(minute))
        states.append(_state(run.records, "critical-1h"))
    # for = 2 min: the condition holds from minute 1, so it fires at minute 3.
    assert states == ["pending", "pending", "firing"]


def test_budget_exhausted_alert_fires_when_nothing_remains() -> None:
    s = slo()
    source = _source(s, 60, 1.0)
    records = evaluate_alerts([s], source, _after(60))
    exhausted = next(r for r in records if r.tier == "exhausted")
    assert exhausted.state == "firing"
    assert exhausted.budget_consumed_ratio is not None
    assert exhausted.budget_consumed_ratio > 1


def test_time_to_exhaustion_alert_fires_within_its_horizon() -> None:
    # 10 % errors for 10 min: the 1 h burn rate is 16.7, so the remaining 77 % lasts ~1.4 days.
    s, beyond = slo(horizon_s=2 * 86400), slo(horizon_s=86400)
    source = _source(s, 10, 0.1)
    tte = next(r for r in evaluate_alerts([s], source, _after(10)) if r.tier == "exhaustion")
    assert tte.state == "firing"
    assert tte.time_to_exhaustion_s == pytest.approx(120094.03, abs=0.01)
    later = next(r for r in evaluate_alerts([beyond], source, _after(10)) if r.tier == "exhaustion")
    assert later.state == "inactive"
    assert later.reason == "budget runs out in 120094 s, beyond 1d"


class _Flaky:
    """A webhook receiver that answers 500 a given number of times, then 200."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.bodies: list[dict[str, object]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.failures > 0:
            self.failures -= 1
            return httpx.Response(500, text="boom")
        self.bodies.append(json.loads(request.content))
        return httpx.Response(200)


def test_outbox_retries_after_a_500_and_then_delivers_once() -> None:
    s = slo()
    source = _source(s, 30, 1.0)
    receiver = _Flaky(failures=1)
    hook = WebhookNotifier("https://hooks.example/x", transport=httpx.MockTransport(receiver))
    store = InMemoryAlertStateStore()
    backoff = Backoff(base_s=30, cap_s=300)
    first = run_evaluation([s], source, store, [hook], _after(1), backoff=backoff)
    assert [t.record.tier for t in first.transitions] == ["page-fast"]
    assert first.flush.failed
    assert not first.flush.delivered
    (entry,) = store.undelivered()
    assert entry.attempts == 1
    assert _after(1) + timedelta(seconds=15) <= entry.next_attempt_at <= _after(1) + timedelta(seconds=30)
    # The next evaluation is a minute later: past the backoff, so it delivers, once.
    second = run_evaluation([s], source, store, [hook], _after(2), backoff=backoff)
    assert second.transitions == []
    assert len(second.flush.delivered) == 1
    for minute in (3, 4, 5):
        run_evaluation([s], source, store, [hook], _after(minute), backoff=backoff)
    page_fast = [b for b in receiver.bodies if b["tier"] == "page-fast"]
    assert [b["status"] for b in page_fast] == ["firing"]
    assert store.undelivered() == []


def test_recovery_sends_one_resolve_message() -> None:
    s = slo()
    good, total = incident_series(CLEAN, 3, 1.0, after=120)
    source = InMemorySource()
    source.put(s.id, T0_MINUTE, good, total)
    receiver = _Flaky(failures=0)
    hook = WebhookNotifier("https://hooks.example/x", transport=httpx.MockTransport(receiver))
    store = InMemoryAlertStateStore()
    for minute in range(1, 90):
        run_evaluation([s], source, store, [hook], _after(minute))
    page_fast = [(b["status"], b["dedup_key"]) for b in receiver.bodies if b["tier"] == "page-fast"]
    assert [status for status, _ in page_fast] == ["firing", "resolved"]
    assert len({key for _, key in page_fast}) == 2
