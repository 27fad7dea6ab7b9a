"""``headroom gate`` and ``validate`` with an SLO that uses a custom alert profile."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from headroom.cli.main import app

runner = CliRunner()
PROFILES = Path(__file__).resolve().parents[2] / "examples" / "alert-profiles.yaml"
SPEC = """\
service: payments
slos:
  - name: availability
    objective: 99.9%
    window: 30d
    sli: {events: payments, good: status < 500}
    alerting: {profile: payments-strict}
"""


def test_the_gate_reads_custom_profiles_and_says_go_for_a_quiet_service(tmp_path: Path) -> None:
    spec = tmp_path / "payments.yaml"
    spec.write_text(SPEC)
    store = str(tmp_path / "h.duckdb")
    args = ["gate", str(spec), "--service", "payments", "--store", store, "--at", "2026-11-01T00:00:00Z"]
    without = runner.invoke(app, args)
    assert without.exit_code == 2
    assert "payments-strict" in without.output
    result = runner.invoke(app, [*args, "--profiles", str(PROFILES), "--output", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["decision"] == "go"


def test_validate_accepts_the_custom_profile_when_given_its_file(tmp_path: Path) -> None:
    spec = tmp_path / "payments.yaml"
    spec.write_text(SPEC)
    assert runner.invoke(app, ["validate", str(spec), "--profiles", str(PROFILES)]).exit_code == 0
