"""``headroom rules`` end to end: the written rule file and its unit tests pass real promtool."""

from __future__ import annotations

import subprocess
from pathlib import Path

from typer.testing import CliRunner

from headroom.cli.main import app
from tests.conftest import require_binary

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "rules" / "api.yaml"
runner = CliRunner()


def test_generated_rules_and_their_tests_pass_promtool(tmp_path: Path) -> None:
    promtool = require_binary("promtool")
    rules = tmp_path / "slo-rules.yaml"
    result = runner.invoke(app, ["rules", str(FIXTURE), "-o", str(rules), "--tests", str(tmp_path / "tests")])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output
    check = subprocess.run(
        [promtool, "check", "rules", str(rules)], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr
    (test_file,) = (tmp_path / "tests").glob("*.yaml")
    unit = subprocess.run(
        [promtool, "test", "rules", str(test_file)], capture_output=True, text=True, check=False
    )
    assert unit.returncode == 0, unit.stdout + unit.stderr
    assert "SUCCESS" in unit.stdout


def test_rules_to_stdout_and_the_operator_format(tmp_path: Path) -> None:
    plain = runner.invoke(app, ["rules", str(FIXTURE)])
    assert plain.exit_code == 0, plain.output
    assert "slo:sli_error:ratio_rate5m" in plain.stdout
    crd = runner.invoke(app, ["rules", str(FIXTURE), "--format", "prometheus-operator"])
    assert crd.exit_code == 0
    assert "kind: PrometheusRule" in crd.stdout
    bad = runner.invoke(app, ["rules", str(FIXTURE), "--format", "thanos"])
    assert bad.exit_code == 2
    assert "prometheus-operator" in bad.output
