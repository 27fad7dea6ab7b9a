"""``headroom gate`` on a real embedded store: exit codes and the JSON contract."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from headroom.cli.gate import register
from headroom.store.duckdb_store import DuckDBStore
from tests.unit.policy.scenarios import AT, PER_MINUTE, START_MINUTE, WINDOW_MINUTES, old_spend

SPEC = """\
service: checkout
policy:
  caution_below: 25%
  postmortem: {incident_budget: 20%}
slos:
  - name: availability
    objective: 99.9%
    window: 30d
    sli:
      events: checkout
      good: status < 500
"""

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def _root() -> None:
        """headroom (test)."""

    return app


def _store(tmp_path: Path, bad: np.ndarray) -> Path:
    path = tmp_path / "h.duckdb"
    total = np.full((1, WINDOW_MINUTES), PER_MINUTE)
    with DuckDBStore(path) as db:
        db.append_counts_many(["checkout/availability"], START_MINUTE, total - bad[None, :], total)
    return path


def _gate(tmp_path: Path, bad: np.ndarray, *args: str):
    spec = tmp_path / "checkout.yaml"
    spec.write_text(SPEC)
    store = _store(tmp_path, bad)
    argv = ["gate", str(spec), "--service", "checkout", "--at", AT.isoformat(), "--store", str(store), *args]
    return runner.invoke(_app(), argv)


def test_a_frozen_budget_blocks_a_feature_with_exit_1_and_says_why(tmp_path: Path) -> None:
    result = _gate(tmp_path, old_spend(1.05))
    assert result.exit_code == 1, result.output
    assert "FREEZE" in result.output
    assert "error budget exhausted: -5.0% left over 30d" in result.output


def test_a_security_fix_passes_a_freeze_with_exit_0(tmp_path: Path) -> None:
    assert _gate(tmp_path, old_spend(1.05), "--change-type", "security").exit_code == 0


def test_caution_passes_only_with_approved(tmp_path: Path) -> None:
    assert _gate(tmp_path, old_spend(0.80)).exit_code == 1
    assert _gate(tmp_path, old_spend(0.80), "--approved").exit_code == 0


def test_a_healthy_budget_is_go_with_exit_0_in_json(tmp_path: Path) -> None:
    result = _gate(tmp_path, np.full(WINDOW_MINUTES, 0.1), "--output", "json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["decision"] == "go"
    assert body["allowed"] is True
    assert body["slos"][0]["remaining_ratio"] == pytest.approx(0.9)
    assert set(body) >= {"decision", "reasons", "slos", "postmortems", "policy"}


def test_the_json_reports_the_postmortem_an_old_incident_requires(tmp_path: Path) -> None:
    result = _gate(tmp_path, old_spend(0.30, minutes=60), "--output", "json")
    (check,) = json.loads(result.output)["postmortems"]
    assert check["required"] is True
    assert check["incidents"][0]["budget_ratio"] == pytest.approx(0.30)


def test_an_unknown_change_type_is_a_usage_error_with_exit_2(tmp_path: Path) -> None:
    result = _gate(tmp_path, np.zeros(WINDOW_MINUTES), "--change-type", "hotfix")
    assert result.exit_code == 2
    assert "use one of feature, fix, security" in result.output
