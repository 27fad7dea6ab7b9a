"""Every example spec compiles to rules that promtool accepts, and their generated tests pass."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from headroom.service.rules import rules_result, write_rule_tests, write_rules
from tests.conftest import require_binary

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
SPECS = [p for p in EXAMPLES if not {"alert_profiles:", "rollout:"} & set(p.read_text().split())]


def test_the_prometheus_example_produces_rules_for_each_slo() -> None:
    result = rules_result([p for p in SPECS if p.name == "api-prometheus.yaml"])
    assert result.rule_count > 0
    for name in ("availability", "latency", "grpc-errors"):
        assert f'sloth_slo: "{name}"' in result.text or f"sloth_slo: {name}" in result.text


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.name)
def test_example_rules_pass_promtool_check_and_test(spec: Path, tmp_path: Path) -> None:
    promtool = require_binary("promtool")
    rules = tmp_path / f"{spec.stem}.rules.yaml"
    written = write_rules([spec], rules)
    check = subprocess.run(
        [promtool, "check", "rules", str(rules)], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr
    if written.rule_count == 0:
        # Event-store SLOs are evaluated by headroom itself; the note says so.
        assert any("event" in note for note in written.notes)
        return
    tests = write_rule_tests([spec], tmp_path / "tests", rules)
    unit = subprocess.run(
        [promtool, "test", "rules", str(tests)], capture_output=True, text=True, check=False
    )
    assert unit.returncode == 0, unit.stdout + unit.stderr
