"""A rollout end to end: the CLI against a real HTTP traffic controller on 127.0.0.1.

The test's server plays both sides a rollout talks to: the traffic controller that gets
the signed set_weight / promote / rollback webhooks (it verifies every signature) and
the metrics service that answers the judge input for each step.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import typer
from typer.testing import CliRunner

from headroom.canary.rollout import SIGNATURE_HEADER, verify_signature
from headroom.cli.rollout import register
from headroom.service.rollout import load_rollout_config, open_data_source, open_webhooks, run_rollout
from headroom.store.rollouts import DuckDBRolloutStore

SECRET = "e2e-shared-secret"
HEALTHY = {
    "metrics": [
        {
            "name": "errors",
            "baseline": {"good": 999_000, "total": 1_000_000},
            "canary": {"good": 99_900, "total": 100_000},
        }
    ]
}
BROKEN = {
    "metrics": [
        {
            "name": "errors",
            "baseline": {"good": 999_000, "total": 1_000_000},
            "canary": {"good": 99_000, "total": 100_000},
        }
    ]
}


class Controller:
    """What the server saw, and which steps it reports as broken."""

    def __init__(self) -> None:
        self.hooks: list[dict[str, object]] = []
        self.bad_signatures = 0
        self.broken_steps: set[int] = set()
        self.metric_requests: list[tuple[int, int]] = []


def _handler(state: Controller) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if not verify_signature(SECRET.encode(), body, self.headers.get(SIGNATURE_HEADER)):
                state.bad_signatures += 1
                self.send_response(401)
                self.end_headers()
                return
            state.hooks.append({"path": self.path, **json.loads(body)})
            self.send_response(200)
            self.end_headers()

        def do_GET(self) -> None:
            query = parse_qs(urlparse(self.path).query)
            step, weight = int(query["step"][0]), int(query["weight"][0])
            state.metric_requests.append((step, weight))
            payload = json.dumps(BROKEN if step in state.broken_steps else HEALTHY).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            return None

    return Handler


@pytest.fixture
def controller() -> Iterator[tuple[Controller, str]]:
    state = Controller()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _config(tmp_path: Path, base: str, *, steps: str, interval: str) -> Path:
    path = tmp_path / "rollout.yaml"
    path.write_text(
        f"""\
rollout: checkout-v42
service: checkout
steps: {steps}
interval: {interval}
threshold: 1
data:
  url: "{base}/metrics?step={{step}}&weight={{weight}}"
webhooks:
  set_weight: {base}/weight
  promote: {base}/promote
  rollback: {base}/rollback
  secret_env: E2E_WEBHOOK_SECRET
"""
    )
    return path


def _cli() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def _root() -> None:
        """headroom (test)."""

    return app


def test_the_cli_promotes_a_healthy_canary_through_signed_webhooks_in_order(
    controller: tuple[Controller, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state, base = controller
    monkeypatch.setenv("E2E_WEBHOOK_SECRET", SECRET)
    config = _config(tmp_path, base, steps="[50, 100]", interval="1s")
    store = tmp_path / "h.duckdb"
    result = CliRunner().invoke(_cli(), ["rollout", str(config), "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert state.bad_signatures == 0
    assert [(h["path"], h["action"], h["weight"]) for h in state.hooks] == [
        ("/weight", "set_weight", 50),
        ("/weight", "set_weight", 100),
        ("/promote", "promote", 100),
    ]
    assert state.metric_requests == [(1, 50), (2, 100)]
    listed = CliRunner().invoke(_cli(), ["rollout", "status", "--store", str(store), "--output", "json"])
    (run,) = json.loads(listed.output)
    assert (run["rollout"], run["phase"]) == ("checkout-v42", "succeeded")
    detail = CliRunner().invoke(_cli(), ["rollout", "status", run["run_id"], "--store", str(store)])
    assert "promoted" in detail.output


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def test_a_canary_that_breaks_at_the_second_step_is_rolled_back_over_http(
    controller: tuple[Controller, str], tmp_path: Path
) -> None:
    state, base = controller
    state.broken_steps = {2}
    config = load_rollout_config(_config(tmp_path, base, steps="[5, 25, 50, 100]", interval="5m"))
    webhooks = open_webhooks(config, {"E2E_WEBHOOK_SECRET": SECRET})
    data = open_data_source(config)
    store = DuckDBRolloutStore.open(tmp_path / "h.duckdb")
    clock = _Clock()
    try:
        result = run_rollout(
            config, webhooks=webhooks, data=data, recorder=store, clock=clock, sleep=clock.sleep, run_id="e2e"
        )
        entries = store.entries("e2e")
    finally:
        store.close()
        webhooks.close()
        data.close()
    assert result.run.phase == "rolled_back"
    assert state.bad_signatures == 0
    assert [(h["action"], h["weight"]) for h in state.hooks] == [
        ("set_weight", 5),
        ("set_weight", 25),
        ("rollback", 0),
    ]
    assert state.hooks[-1]["reason"].startswith("step 2/4 at 25%: the canary failed")  # type: ignore[union-attr]
    assert [e.verdict for e in entries if e.verdict] == ["pass", "fail"]
    assert clock.now - datetime(2026, 11, 1, tzinfo=UTC) == timedelta(minutes=10)


def test_webhooks_signed_with_the_wrong_secret_are_refused_and_nothing_moves(
    controller: tuple[Controller, str], tmp_path: Path
) -> None:
    state, base = controller
    config = load_rollout_config(_config(tmp_path, base, steps="[5, 100]", interval="5m"))
    webhooks = open_webhooks(config, {"E2E_WEBHOOK_SECRET": "not-the-secret"})
    data = open_data_source(config)
    store = DuckDBRolloutStore.open(":memory:")
    clock = _Clock()
    try:
        result = run_rollout(
            config, webhooks=webhooks, data=data, recorder=store, clock=clock, sleep=clock.sleep, run_id="bad"
        )
    finally:
        store.close()
        webhooks.close()
        data.close()
    assert state.hooks == []
    assert state.bad_signatures == 2  # set_weight, then the rollback
    assert result.run.phase == "rollback_failed"
    assert result.exit_code == 3


SPEC = """\
service: checkout
slos:
  - name: availability
    objective: 99.9%
    window: 30d
    sli:
      events: checkout
      good: status < 500
"""


def test_the_cli_does_not_start_a_feature_rollout_while_the_budget_is_frozen(
    controller: tuple[Controller, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np

    from headroom.budget.windows import epoch_minute
    from headroom.store.duckdb_store import DuckDBStore

    state, base = controller
    monkeypatch.setenv("E2E_WEBHOOK_SECRET", SECRET)
    (tmp_path / "checkout.yaml").write_text(SPEC)
    config = _config(tmp_path, base, steps="[50, 100]", interval="1s")
    config.write_text(config.read_text() + "budget:\n  spec: [checkout.yaml]\n")
    store = tmp_path / "h.duckdb"
    # The last 30 days (ending a few minutes from now) hold 1,000 events a minute, 2 of them bad: -100 %.
    end = epoch_minute(datetime.now(UTC)) + 5
    minutes = 30 * 24 * 60
    total = np.full((1, minutes), 1000.0)
    with DuckDBStore(store) as db:
        db.append_counts_many(["checkout/availability"], end - minutes, total - 2.0, total)
    result = CliRunner().invoke(_cli(), ["rollout", str(config), "--store", str(store)])
    assert result.exit_code == 1, result.output
    assert "blocked" in result.output
    assert "error budget exhausted" in result.output
    assert state.hooks == []
    assert state.metric_requests == []
