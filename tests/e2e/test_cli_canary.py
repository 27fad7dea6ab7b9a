"""``headroom canary judge`` end to end: verdicts, exit codes, JSON contract, budget coupling."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from headroom.cli.main import app

runner = CliRunner()

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


def _counts(path: Path, baseline: tuple[int, int], canary: tuple[int, int]) -> Path:
    rows = ["metric,variant,good,total"]
    rows.append(f"errors,baseline,{baseline[1] - baseline[0]},{baseline[1]}")
    rows.append(f"errors,canary,{canary[1] - canary[0]},{canary[1]}")
    path.write_text("\n".join(rows) + "\n")
    return path


def test_a_canary_failing_ten_times_as_often_fails_with_exit_1(tmp_path: Path) -> None:
    data = _counts(tmp_path / "c.csv", baseline=(100, 100_000), canary=(100, 10_000))
    result = runner.invoke(app, ["canary", "judge", "--data", str(data), "--output", "json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["verdict"] == "fail"
    (metric,) = report["metrics"]
    assert metric["name"] == "errors"
    assert metric["classification"] == "high"
    assert metric["samples"] == {"baseline": 100_000, "canary": 10_000}
    assert metric["p_value"] < 1e-6
    assert set(report) >= {"verdict", "score", "metrics", "budget", "reasons"}


def test_an_all_zero_baseline_does_not_hide_a_failing_canary(tmp_path: Path) -> None:
    data = _counts(tmp_path / "c.csv", baseline=(0, 5_000), canary=(30, 5_000))
    result = runner.invoke(app, ["canary", "judge", "--data", str(data), "--output", "json"])
    assert json.loads(result.stdout)["verdict"] == "fail"


def test_a_quiet_canary_is_inconclusive_not_passed(tmp_path: Path) -> None:
    data = _counts(tmp_path / "c.csv", baseline=(1, 1_000), canary=(2, 1_000))
    result = runner.invoke(app, ["canary", "judge", "--data", str(data), "--output", "json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["verdict"] == "inconclusive"
    assert report["metrics"][0]["classification"] == "inconclusive"


def test_equal_canary_and_baseline_pass_with_exit_0(tmp_path: Path) -> None:
    data = _counts(tmp_path / "c.csv", baseline=(100, 100_000), canary=(100, 100_000))
    result = runner.invoke(app, ["canary", "judge", "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert "PASS" in result.stdout


def _ingest_nearly_spent_budget(tmp_path: Path) -> tuple[Path, Path]:
    spec = tmp_path / "checkout.yaml"
    spec.write_text(SPEC)
    # 30 days to 2026-11-01, 100 requests an hour (one every 36 s), 0.09 % errors: 90 % of budget spent.
    start = 1_793_491_200 - 30 * 86400
    lines = ["timestamp,status"]
    for i in range(72_000):
        lines.append(f"{start + i * 36},{503 if i % 1111 == 0 else 200}")
    events = tmp_path / "events.csv"
    events.write_text("\n".join(lines) + "\n")
    store = tmp_path / "h.duckdb"
    ingest = runner.invoke(app, ["ingest", str(spec), str(events), "--store", str(store)])
    assert ingest.exit_code == 0, ingest.output
    return spec, store


def test_a_canary_that_would_exhaust_the_remaining_budget_fails_on_blast_radius(tmp_path: Path) -> None:
    spec, store = _ingest_nearly_spent_budget(tmp_path)
    # The canary's errors do not differ significantly from the baseline's, but at its error
    # ratio (0.2 %, bound higher) promoted for a month it burns 2x+ with ~10 % of budget left.
    data = _counts(tmp_path / "c.csv", baseline=(20, 10_000), canary=(4, 2_000))
    args = ["canary", "judge", "--data", str(data), "--spec", str(spec), "--slo", "checkout/availability"]
    result = runner.invoke(app, [*args, "--store", str(store), "--at", "2026-11-01T00:00:00Z", "-o", "json"])
    report = json.loads(result.stdout)
    assert result.exit_code == 1
    assert report["verdict"] == "fail"
    budget = report["budget"]
    assert budget["exhausts_budget"] is True
    assert budget["passed"] is False
    assert budget["burn_rate_if_promoted"] > 2.0
    assert budget["canary_error_ratio_upper"] > 0.002


def test_spec_without_slo_is_a_usage_error(tmp_path: Path) -> None:
    data = _counts(tmp_path / "c.csv", baseline=(1, 10), canary=(1, 10))
    result = runner.invoke(app, ["canary", "judge", "--data", str(data), "--spec", "x.yaml"])
    assert result.exit_code == 2
    assert "--spec and --slo go together" in result.output


@pytest.mark.parametrize("bad_row", ["errors,canary,10,5", "errors,sideways,1,2"])
def test_a_bad_data_row_names_file_and_line(tmp_path: Path, bad_row: str) -> None:
    data = tmp_path / "c.csv"
    data.write_text("metric,variant,good,total\nerrors,baseline,10,10\n" + bad_row + "\n")
    result = runner.invoke(app, ["canary", "judge", "--data", str(data)])
    assert result.exit_code == 2
    assert "c.csv" in result.output
    assert "3" in result.output
