"""The command line end to end on the example specs: validate, ingest, status, report, demo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from headroom.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
MINIMAL = """\
service: checkout
slos:
  - name: availability
    objective: 99.9%
    window: 30d
    sli:
      events: checkout          # the event stream, as named at ingest
      good: status < 500        # filter over event fields
  - name: latency
    objective: 99%
    window: 30d
    sli:
      events: checkout
      total: status < 500       # optional: which events count (default: all)
      good: latency_ms <= 300
"""

runner = CliRunner()


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "checkout.yaml"
    path.write_text(MINIMAL)
    return path


def _events_csv(path: Path) -> Path:
    # 2026-10-31T23:00Z onwards: one hour, 100 requests a minute; minute 30 has 10 errors and 5 slow ones.
    start = 1_793_487_600
    lines = ["timestamp,status,latency_ms"]
    for minute in range(60):
        for i in range(100):
            status = 503 if minute == 30 and i < 10 else 200
            latency = 900 if minute == 30 and 10 <= i < 15 else 120
            lines.append(f"{start + minute * 60 + i * 0.5},{status},{latency}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_minimal_spec_validates(spec: Path) -> None:
    result = runner.invoke(app, ["validate", str(spec)])
    assert result.exit_code == 0, result.output
    assert "2 SLO(s)" in result.output


def test_every_example_validates_and_other_files_are_noted_not_rejected() -> None:
    result = runner.invoke(app, ["validate", *map(str, sorted(EXAMPLES.glob("*.yaml")))])
    assert result.exit_code == 0, result.output
    assert "rollout.yaml:4: rollout: a rollout config, not SLOs: skipped here" in result.output
    assert "note:" in result.output


def test_an_invalid_spec_exits_2_naming_file_line_and_fix(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINIMAL.replace("objective: 99%", "objective: 1.5"))
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert "bad.yaml:10" in result.output
    assert "0.999" in result.output


def test_ingest_then_status_gives_the_worked_budget(spec: Path, tmp_path: Path) -> None:
    store = tmp_path / "h.duckdb"
    events = _events_csv(tmp_path / "events.csv")
    result = runner.invoke(
        app, ["ingest", str(spec), str(events), "--events", "checkout", "--store", str(store)]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app, ["status", str(spec), "--store", str(store), "--at", "2026-11-01T00:00:00Z", "--output", "json"]
    )
    assert result.exit_code == 0, result.output
    availability, latency = json.loads(result.stdout)
    # 6,000 requests, 10 errors: 6 allowed at 99.9 %, so 4 over budget (remaining -4, ratio -2/3).
    assert availability["events"] == {"good": 5990.0, "total": 6000.0}
    assert availability["budget"]["total"] == pytest.approx(6.0)
    assert availability["budget"]["remaining"] == pytest.approx(-4.0)
    assert availability["budget"]["remaining_ratio"] == pytest.approx(-2 / 3)
    assert availability["budget"]["total_minutes"] == 43.2
    # 10 errors in the last hour of 6,000: error ratio 1/600, burn 1.667 at 99.9 %.
    assert availability["burn_rates"]["1h"] == pytest.approx(1 / 600 / 0.001)
    assert availability["burn_rates"]["5m"] == 0.0
    assert availability["window"] == "30d"
    # Latency counts only the 5,990 successes; 5 slow: 59.9 allowed at 99 %.
    assert latency["events"] == {"good": 5985.0, "total": 5990.0}
    assert latency["budget"]["remaining_ratio"] == pytest.approx(1 - 5 / 59.9)


def test_re_ingesting_the_same_file_adds_nothing(spec: Path, tmp_path: Path) -> None:
    store = tmp_path / "h.duckdb"
    events = _events_csv(tmp_path / "events.csv")
    args = ["ingest", str(spec), str(events), "--events", "checkout", "--store", str(store)]
    assert runner.invoke(app, args).exit_code == 0
    again = runner.invoke(app, args)
    assert again.exit_code == 0
    assert "skipped" in again.output
    status = runner.invoke(
        app, ["status", str(spec), "--store", str(store), "--at", "2026-11-01T00:00:00Z", "-o", "json"]
    )
    assert json.loads(status.stdout)[0]["events"]["total"] == 6000.0


def test_a_malformed_row_names_its_line_and_stores_nothing(spec: Path, tmp_path: Path) -> None:
    store = tmp_path / "h.duckdb"
    events = _events_csv(tmp_path / "events.csv")
    lines = events.read_text().splitlines()
    lines[6] = "not-a-time,200,100"
    events.write_text("\n".join(lines) + "\n")
    result = runner.invoke(
        app, ["ingest", str(spec), str(events), "--events", "checkout", "--store", str(store)]
    )
    assert result.exit_code == 2
    assert "line 7" in result.output
    status = runner.invoke(
        app, ["status", str(spec), "--store", str(store), "--at", "2026-11-01T00:00:00Z", "-o", "json"]
    )
    assert json.loads(status.stdout)[0]["events"]["total"] == 0.0


def test_status_of_an_empty_store_reports_null_sli_with_a_reason(spec: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "status",
            str(spec),
            "--store",
            str(tmp_path / "e.duckdb"),
            "--at",
            "2026-11-01T00:00:00Z",
            "-o",
            "json",
        ],
    )
    assert result.exit_code == 0
    first = json.loads(result.stdout)[0]
    assert first["sli"] is None
    assert first["null_reasons"]["sli"] == "no events in the SLO window"


def test_a_bad_at_is_a_usage_error(spec: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["status", str(spec), "--store", str(tmp_path / "e.duckdb"), "--at", "yesterday"]
    )
    assert result.exit_code == 2
    assert "RFC 3339" in result.output


def test_the_markdown_report_names_the_overspent_slo(spec: Path, tmp_path: Path) -> None:
    store = tmp_path / "h.duckdb"
    events = _events_csv(tmp_path / "events.csv")
    runner.invoke(app, ["ingest", str(spec), str(events), "--events", "checkout", "--store", str(store)])
    result = runner.invoke(app, ["report", str(spec), "--store", str(store), "--at", "2026-11-01T00:00:00Z"])
    assert result.exit_code == 0, result.output
    assert "**Budget exhausted:** checkout/availability." in result.stdout
    assert "| availability | 99.90% | 30d |" in result.stdout


def test_the_demo_runs_from_a_fresh_directory(tmp_path: Path) -> None:
    env = {**os.environ, "HEADROOM_STORE": str(tmp_path / "demo.duckdb")}
    cmd = [
        sys.executable,
        "-m",
        "headroom.cli",
        "demo",
        "--examples",
        str(EXAMPLES),
        "--data-dir",
        str(tmp_path / "data"),
    ]
    done = subprocess.run(
        cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "checkout" in done.stdout
    assert "hallucination-rate" in done.stdout
    # Re-running ingests nothing twice.
    again = subprocess.run(
        cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300, check=False
    )
    assert "skipped" in again.stdout


def test_validate_warns_about_a_page_that_can_never_fire(tmp_path: Path) -> None:
    spec = tmp_path / "loose.yaml"
    spec.write_text(MINIMAL.replace("objective: 99%", "objective: 90%"))
    result = runner.invoke(app, ["validate", str(spec)])
    assert result.exit_code == 0, result.output
    # 14.4 x (1 - 0.90) = 1.44: an error ratio above 100 % is impossible.
    assert "warning:" in result.output
    assert "never fire" in result.output
