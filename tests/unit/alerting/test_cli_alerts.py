"""``headroom alerts``, ``evaluate`` and ``backtest`` end to end over an embedded store file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from headroom.cli.alerts import register
from headroom.store.duckdb_store import DuckDBStore
from tests.unit.alerting.helpers import T0_MINUTE, incident_series, minute_at

SPEC = Path(__file__).parents[2] / "fixtures" / "alerting" / "checkout.yaml"
CLEAN = 3 * 1440 + 60


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "headroom.duckdb"
    good, total = incident_series(CLEAN, 10, 1.0, after=600)
    with DuckDBStore(path) as db:
        db.append_counts_many(["checkout/availability"], T0_MINUTE, good[None, :], total[None, :])
    return path


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Test app."""

    register(app)
    return app


def _iso(minute: int) -> str:
    return minute_at(minute).isoformat().replace("+00:00", "Z")


def test_alerts_json_lists_every_tier_and_exits_1_while_a_page_fires(store: Path) -> None:
    at = _iso(T0_MINUTE + CLEAN + 5)
    result = CliRunner().invoke(
        _app(), ["alerts", str(SPEC), "--at", at, "--store", str(store), "-o", "json"]
    )
    assert result.exit_code == 1, result.output
    rows = json.loads(result.stdout)
    page = next(r for r in rows if r["tier"] == "page-fast")
    assert {k: page[k] for k in ("service", "slo", "severity", "state", "long_window", "short_window")} == {
        "service": "checkout",
        "slo": "availability",
        "severity": "page",
        "state": "firing",
        "long_window": "1h",
        "short_window": "5m",
    }
    assert page["factor"] == 14.4
    assert page["short_error_ratio"] == 1.0
    assert [r["tier"] for r in rows][-2:] == ["exhaustion", "exhausted"]


def test_alerts_exit_0_before_the_incident(store: Path) -> None:
    at = _iso(T0_MINUTE + CLEAN)
    result = CliRunner().invoke(_app(), ["alerts", str(SPEC), "--at", at, "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert "page-fast" in result.stdout


def test_evaluate_keeps_state_between_runs(store: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(
        _app(), ["evaluate", str(SPEC), "--at", _iso(T0_MINUTE + CLEAN + 2), "--store", str(store)]
    )
    assert first.exit_code == 1, first.output
    assert "firing: checkout/availability:page-fast" in first.stdout
    second = runner.invoke(
        _app(), ["evaluate", str(SPEC), "--at", _iso(T0_MINUTE + CLEAN + 3), "--store", str(store)]
    )
    assert "firing: checkout/availability:page-fast" not in second.stdout


def test_backtest_json_gives_spans_detections_precision_and_recall(store: Path, tmp_path: Path) -> None:
    chart = tmp_path / "backtest.png"
    args = [
        "backtest",
        str(SPEC),
        "--from",
        _iso(T0_MINUTE + CLEAN - 60),
        "--to",
        _iso(T0_MINUTE + CLEAN + 600),
    ]
    args += ["--store", str(store), "-o", "json", "--profile", "sre-workbook", "--profile", "four-tier"]
    result = CliRunner().invoke(_app(), [*args, "--chart", str(chart)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [p["profile"] for p in report["profiles"]] == ["sre-workbook", "four-tier"]
    (slo,) = report["profiles"][0]["slos"]
    assert len(slo["events"]) == 1
    page = next(t for t in slo["tiers"] if t["tier"] == "page-fast")
    assert page["detections"] == [
        {"event_start": _iso(T0_MINUTE + CLEAN), "detection_s": 60.0, "reset_s": 300.0}
    ]
    assert page["spans"] == [{"start": _iso(T0_MINUTE + CLEAN + 1), "end": _iso(T0_MINUTE + CLEAN + 15)}]
    assert (page["precision"], page["recall"]) == (1.0, 1.0)
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert np.isfinite(report["profiles"][1]["summary"][0]["median_detection_s"])


def test_an_unknown_service_is_a_usage_error_naming_the_services(store: Path) -> None:
    args = ["alerts", str(SPEC), "--service", "payments", "--store", str(store)]
    result = CliRunner().invoke(_app(), args)
    assert result.exit_code == 2
    assert "checkout" in result.output


def test_an_unknown_profile_file_is_a_spec_error(store: Path, tmp_path: Path) -> None:
    args = ["alerts", str(SPEC), "--profiles", str(tmp_path / "missing.yaml"), "--store", str(store)]
    result = CliRunner().invoke(_app(), args)
    assert result.exit_code == 2
    assert "cannot read the file" in result.output
