"""``headroom serve``: settings -> runtime -> app -> uvicorn, on 127.0.0.1 by default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from headroom.cli.main import app
from tests.unit.web.scenario import TestClient

SPEC = Path(__file__).parents[2] / "fixtures" / "spec" / "minimal.yaml"


def test_serve_runs_uvicorn_on_loopback_with_the_status_metrics_and_web_routes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    seen: dict[str, Any] = {}

    def fake_run(server_app: Any, **options: Any) -> None:
        # The store is open while uvicorn runs: ask the app then.
        client = TestClient(server_app)
        seen["codes"] = {
            p: client.get(p).status_code for p in ("/healthz", "/api/v1/status", "/metrics", "/")
        }
        seen.update(options)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    result = CliRunner().invoke(app, ["serve", str(SPEC), "--store", str(tmp_path / "h.duckdb")])
    assert result.exit_code == 0, result.output
    assert (seen["host"], seen["port"]) == ("127.0.0.1", 8080)
    assert seen["codes"] == {"/healthz": 200, "/api/v1/status": 200, "/metrics": 200, "/": 200}


def test_serve_refuses_a_port_that_is_not_a_tcp_port(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["serve", str(SPEC), "--port", "70000", "--store", str(tmp_path / "h.db")]
    )
    assert result.exit_code == 2
    assert "--port 70000 is not a TCP port" in result.output


def test_serve_warns_when_listening_beyond_loopback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)
    result = CliRunner().invoke(
        app, ["serve", str(SPEC), "--host", "0.0.0.0", "--store", str(tmp_path / "h.duckdb")]
    )
    assert result.exit_code == 0, result.output
    assert "warning: listening on 0.0.0.0 without authentication" in result.output
