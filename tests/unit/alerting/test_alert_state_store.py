"""Alert state and outbox in DuckDB: a restart neither re-pages nor forgets a firing alert."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx

from headroom.alerting.notify import WebhookNotifier
from headroom.service.alerts import run_evaluation
from headroom.sources.memory import InMemorySource
from headroom.store.alert_state import DuckDBAlertStateStore
from tests.unit.alerting.helpers import T0_MINUTE, incident_series, minute_at, slo

CLEAN = 3 * 1440 + 60


def test_a_restart_keeps_a_firing_alert_and_does_not_page_again(tmp_path: Path) -> None:
    s = slo()
    good, total = incident_series(CLEAN, 30, 1.0)
    source = InMemorySource()
    source.put(s.id, T0_MINUTE, good, total)
    bodies: list[bytes] = []

    def receive(request: httpx.Request) -> httpx.Response:
        bodies.append(request.content)
        return httpx.Response(202)

    hook = WebhookNotifier("https://hooks.example/x", transport=httpx.MockTransport(receive))
    path = tmp_path / "headroom.duckdb"
    first = DuckDBAlertStateStore.open(path)
    run = run_evaluation([s], source, first, [hook], minute_at(T0_MINUTE + CLEAN + 2))
    assert any(r.state == "firing" and r.tier == "page-fast" for r in run.records)
    fired = [b for b in bodies if b"page-fast" in b]
    assert len(fired) == 1
    first.close()

    second = DuckDBAlertStateStore.open(path)
    saved = second.load_records()
    assert saved["checkout/availability:page-fast"].state == "firing"
    again = run_evaluation([s], source, second, [hook], minute_at(T0_MINUTE + CLEAN + 3))
    assert [t for t in again.transitions if t.record.tier == "page-fast"] == []
    assert [b for b in bodies if b"page-fast" in b] == fired
    second.close()


def test_an_undelivered_message_survives_a_restart_and_is_sent_once(tmp_path: Path) -> None:
    s = slo()
    good, total = incident_series(CLEAN, 30, 1.0)
    source = InMemorySource()
    source.put(s.id, T0_MINUTE, good, total)
    up = {"ok": False}
    delivered: list[str] = []

    def receive(request: httpx.Request) -> httpx.Response:
        if not up["ok"]:
            return httpx.Response(503)
        delivered.append(request.headers["X-Headroom-Dedup-Key"])
        return httpx.Response(200)

    hook = WebhookNotifier("https://hooks.example/x", transport=httpx.MockTransport(receive))
    path = tmp_path / "headroom.duckdb"
    at = minute_at(T0_MINUTE + CLEAN + 1)
    store = DuckDBAlertStateStore.open(path)
    run_evaluation([s], source, store, [hook], at)
    (entry,) = store.undelivered()
    assert entry.attempts == 1
    assert entry.last_error is not None
    assert "503" in entry.last_error
    store.close()

    up["ok"] = True
    store = DuckDBAlertStateStore.open(path)
    later = at + timedelta(minutes=1)
    run_evaluation([s], source, store, [hook], later)
    run_evaluation([s], source, store, [hook], later + timedelta(minutes=1))
    assert [k for k in delivered if ":page-fast:" in k] == [entry.dedup_key]
    assert store.undelivered() == []
    (done,) = [e for e in store.delivered() if e.dedup_key == entry.dedup_key]
    assert done.delivered_at == later
    assert done.message.status == "firing"
    store.close()
