"""Against a real Alertmanager: alerts arrive, group, inhibit, resolve; a down Alertmanager loses nothing.

Alertmanager judges alerts on its own clock, so these tests place the incident in the
recent past (relative to now) and evaluate at instants before now.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from headroom.alerting.notify import AlertmanagerNotifier
from headroom.alerting.outbox import flush_outbox
from headroom.service.alerts import run_evaluation
from headroom.sources.memory import InMemorySource
from headroom.store.alert_state import DuckDBAlertStateStore
from tests.conftest import require_binary
from tests.integration.prometheus_fixture import free_port
from tests.unit.alerting.helpers import slo

pytestmark = pytest.mark.integration

CONFIG = """
route:
  receiver: "null"
  group_by: [service, slo]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: "null"
inhibit_rules:
  - source_matchers: [severity="page"]
    target_matchers: [severity="ticket"]
    equal: [service, slo]
"""


@dataclass
class Alertmanager:
    url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def alerts(self) -> list[dict[str, Any]]:
        return list(httpx.get(f"{self.url}/api/v2/alerts", timeout=5).json())

    def groups(self) -> list[dict[str, Any]]:
        return list(httpx.get(f"{self.url}/api/v2/alerts/groups", timeout=5).json())


def _start(binary: str, work: Path) -> Alertmanager:
    config = work / "alertmanager.yml"
    config.write_text(CONFIG)
    port = free_port()
    with (work / f"alertmanager-{port}.log").open("wb") as log:
        process = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.path={work / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--cluster.listen-address=",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    am = Alertmanager(f"http://127.0.0.1:{port}", process)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"alertmanager exited: {(work / f'alertmanager-{port}.log').read_text()}")
        try:
            if httpx.get(f"{am.url}/-/ready", timeout=1).status_code == 200:
                return am
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    am.stop()
    raise RuntimeError("alertmanager did not become ready in 30 s")


@pytest.fixture
def alertmanager(tmp_path: Path) -> Iterator[tuple[str, Path, list[Alertmanager]]]:
    binary = require_binary("prometheus-alertmanager")
    started: list[Alertmanager] = []
    yield binary, tmp_path, started
    for am in started:
        am.stop()


def _wait_for(check: Any, what: str, timeout_s: float = 15) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _source(slo_ids: list[str], outage_start: int, outage_minutes: int) -> InMemorySource:
    first = outage_start - 3 * 1440 - 60
    n = outage_start + 120 - first
    total = np.full(n, 1000.0)
    bad = np.zeros(n)
    bad[outage_start - first : outage_start - first + outage_minutes] = 1000.0
    source = InMemorySource()
    for slo_id in slo_ids:
        source.put(slo_id, first, total - bad, total)
    return source


def _minute(at: datetime) -> int:
    return int(at.timestamp()) // 60


def _at(minute: int) -> datetime:
    return datetime.fromtimestamp(minute * 60, tz=UTC)


def test_alertmanager_receives_groups_inhibits_and_resolves(
    alertmanager: tuple[str, Path, list[Alertmanager]], request: pytest.FixtureRequest
) -> None:
    binary, work, started = alertmanager
    am = _start(binary, work)
    started.append(am)
    now = _minute(datetime.now(UTC))
    s = slo()
    source = _source([s.id], now - 40, 10)
    store = DuckDBAlertStateStore.open(work / "headroom.duckdb")
    notifier = AlertmanagerNotifier(am.url)
    request.addfinalizer(notifier.close)

    fired = run_evaluation([s], source, store, [notifier], _at(now - 34))
    assert {"page-fast", "ticket-slow"} <= {r.tier for r in fired.firing}
    assert fired.flush.failed == []
    alerts = _wait_for(lambda: [a for a in am.alerts() if a["labels"]["tier"] == "page-fast"], "page-fast")
    assert alerts[0]["labels"]["alertname"] == "SLOBurnRate"
    assert alerts[0]["labels"]["severity"] == "page"
    groups = am.groups()
    assert [g["labels"] for g in groups] == [{"service": "checkout", "slo": "availability"}]
    assert len(groups[0]["alerts"]) == len(fired.firing)
    tickets = [a for a in am.alerts() if a["labels"]["severity"] == "ticket"]
    assert tickets
    assert all(a["status"]["state"] == "suppressed" and a["status"]["inhibitedBy"] for a in tickets)

    resolved = run_evaluation([s], source, store, [notifier], _at(now - 2))
    assert "checkout/availability:page-fast" in {t.record.key for t in resolved.transitions}
    _wait_for(lambda: not [a for a in am.alerts() if a["labels"]["tier"] == "page-fast"], "resolve")
    store.close()


def test_a_down_alertmanager_gets_the_alert_once_after_it_comes_back(
    alertmanager: tuple[str, Path, list[Alertmanager]], request: pytest.FixtureRequest
) -> None:
    binary, work, started = alertmanager
    first = _start(binary, work)
    started.append(first)
    now = _minute(datetime.now(UTC))
    s = slo(name="latency")
    source = _source([s.id], now - 10, 10)
    first.stop()

    store = DuckDBAlertStateStore.open(work / "headroom.duckdb")
    down = AlertmanagerNotifier(first.url)
    request.addfinalizer(down.close)
    run = run_evaluation([s], source, store, [down], _at(now - 5))
    assert run.flush.delivered == []
    pending = store.undelivered()
    assert {e.message.tier for e in pending} >= {"page-fast"}
    assert all(e.attempts == 1 for e in pending)
    store.close()

    second = _start(binary, work)
    started.append(second)
    store = DuckDBAlertStateStore.open(work / "headroom.duckdb")
    later = max(e.next_attempt_at for e in store.undelivered()) + timedelta(seconds=1)
    up = AlertmanagerNotifier(second.url)
    request.addfinalizer(up.close)
    flushed = flush_outbox(store, {"alertmanager": up}, later)
    assert sorted(k for k, _ in flushed.delivered) == sorted(e.dedup_key for e in pending)
    assert store.undelivered() == []
    again = flush_outbox(store, {"alertmanager": up}, later + timedelta(hours=1))
    assert again.delivered == []
    alerts = _wait_for(lambda: [a for a in second.alerts() if a["labels"]["slo"] == "latency"], "redelivery")
    assert sorted(a["labels"]["tier"] for a in alerts) == sorted(e.message.tier for e in pending)
    store.close()
