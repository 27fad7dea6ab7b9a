"""Generated rules against the real Prometheus tools (Debian ``prometheus`` 2.42).

* ``promtool check rules`` accepts the rule files (Sloth's example, the fixture spec with
  every Prometheus SLI kind, both profiles; the PrometheusRule's groups too);
* ``promtool test rules`` passes the generated burn-rate scenarios: the real proof that
  the thresholds, windows and ``for:`` durations do what the model predicts;
* the same tests fail on a rule file with a wrong factor, so they can fail;
* a real Prometheus loads the file, and the histogram SLI matches a bucket whose ``le`` was
  exposed as ``1.0`` (Python client style) as well as ``1`` (Go client style).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from ruamel.yaml import YAML

from headroom.rules.promtool_tests import build_rule_tests, render_rule_tests
from headroom.rules.recording import sli_expr
from headroom.rules.render import RuleOptions, build_rule_set, render_rule_file
from headroom.service.rules import generate_rules, rules_result
from headroom.spec.load import load_specs
from headroom.spec.model import SLO, PrometheusHistogramSLI
from tests.conftest import require_binary
from tests.integration.prometheus_fixture import PrometheusProcess, prometheus_server
from tests.unit.rules.sloth_slos import FIXTURES, SLOTH, slo

pytestmark = pytest.mark.integration
__all__ = ["prometheus_server"]

API = FIXTURES / "api.yaml"


def _promtool(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    promtool = require_binary("promtool")
    return subprocess.run([promtool, *map(str, args)], capture_output=True, text=True, check=False, cwd=cwd)


def _check(path: Path) -> str:
    done = _promtool("check", "rules", "--lint=all", "--lint-fatal", path)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _run_tests(tmp_path: Path, slos: list[SLO], options: RuleOptions, rules_text: str | None = None) -> Any:
    rules = tmp_path / "rules.yaml"
    rules.write_text(rules_text or render_rule_file(build_rule_set(slos, options)))
    tests = tmp_path / "rules.test.yaml"
    tests.write_text(render_rule_tests(build_rule_tests(slos, "rules.yaml", options)))
    return _promtool("test", "rules", tests.name, cwd=tmp_path)


@pytest.mark.parametrize("sloth_compatible", [False, True])
def test_promtool_accepts_the_rules_for_sloths_example(tmp_path: Path, sloth_compatible: bool) -> None:
    path = tmp_path / "sloth.rules.yaml"
    path.write_text(generate_rules([SLOTH / "in.yaml"], sloth_compatible=sloth_compatible))
    rules = 32 if sloth_compatible else 38
    assert f"SUCCESS: {rules} rules found" in _check(path)


def test_promtool_accepts_the_rules_for_every_prometheus_sli_kind_and_profile(tmp_path: Path) -> None:
    result = rules_result([API])
    path = tmp_path / "api.rules.yaml"
    path.write_text(result.text)
    assert f"SUCCESS: {result.rule_count} rules found" in _check(path)


def test_promtool_accepts_the_groups_of_the_prometheus_rule(tmp_path: Path) -> None:
    doc = YAML(typ="safe", pure=True).load(rules_result([API], fmt="prometheus-operator").text)
    path = tmp_path / "groups.yaml"
    yaml = YAML(typ="safe", pure=True)
    with path.open("w") as handle:
        yaml.dump({"groups": doc["spec"]["groups"]}, handle)
    _check(path)


@pytest.mark.parametrize("sloth_compatible", [False, True])
def test_generated_scenarios_pass_for_sloths_example(tmp_path: Path, sloth_compatible: bool) -> None:
    slos = list(load_specs([SLOTH / "in.yaml"]).slos)
    done = _run_tests(tmp_path, slos, RuleOptions(sloth_compatible=sloth_compatible))
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    "names",
    [("availability",), ("success",), ("errors-raw",), ("latency", "latency-1s")],
    ids=["errors-total-workbook", "good-total-four-tier", "raw-7d", "histograms-shared-alert-name"],
)
def test_generated_scenarios_pass_for_each_sli_kind(tmp_path: Path, names: tuple[str, ...]) -> None:
    slos = [s for s in load_specs([API]).slos if s.name in names]
    options = RuleOptions()
    assert build_rule_tests(slos, "rules.yaml", options).notes == ()
    done = _run_tests(tmp_path, slos, options)
    assert done.returncode == 0, done.stdout + done.stderr


def test_generated_scenarios_fail_on_a_rule_file_with_a_wrong_factor(tmp_path: Path) -> None:
    slos = list(load_specs([SLOTH / "in.yaml"]).slos)
    options = RuleOptions()
    text = render_rule_file(build_rule_set(slos, options))
    assert "(1 * 0.0009999999999999432)" in text
    broken = text.replace("(1 * 0.0009999999999999432)", "(10 * 0.0009999999999999432)")
    done = _run_tests(tmp_path, slos, options, broken)
    assert done.returncode != 0
    assert "slow burn" in done.stdout + done.stderr


def _histogram(metric: str, le: str, job: str, minutes: int) -> list[str]:
    lines = []
    for k in range(minutes + 1):
        t = 1_700_000_000 + 60 * k
        lines += [
            f'{metric}_bucket{{job="{job}",le="{le}"}} {8 * k} {t}',
            f'{metric}_bucket{{job="{job}",le="+Inf"}} {10 * k} {t}',
            f'{metric}_count{{job="{job}"}} {10 * k} {t}',
            f'{metric}_sum{{job="{job}"}} {k} {t}',
        ]
    return lines


def test_prometheus_loads_the_rules_and_the_histogram_sli_matches_both_le_spellings(
    tmp_path: Path, prometheus_server: Callable[..., PrometheusProcess]
) -> None:
    rules = tmp_path / "api.rules.yaml"
    rules.write_text(rules_result([API]).text)
    # samples ordered by time across series, as the OpenMetrics backfill wants them
    python_style = _histogram("d", "1.0", "py", 10)
    go_style = _histogram("d", "1", "go", 10)
    body = [line for pair in zip(python_style, go_style, strict=True) for line in pair]
    body.sort(key=lambda line: int(line.rsplit(" ", 1)[1]))
    server = prometheus_server("# TYPE d histogram\n" + "\n".join(body) + "\n# EOF\n", [rules])
    with httpx.Client(base_url=server.url, timeout=10.0) as client:
        groups = client.get("/api/v1/rules").json()["data"]["groups"]
        assert {g["name"] for g in groups} >= {
            "sloth-slo-sli-recordings-api-latency",
            "sloth-slo-alerts-api-latency",
        }
        assert all(r["health"] != "err" for g in groups for r in g["rules"])
        for job in ("py", "go"):
            expr = sli_expr(
                slo(PrometheusHistogramSLI(metric="d", selector=f'job="{job}"', threshold_s=1.0)), "5m"
            )
            data = client.get("/api/v1/query", params={"query": expr, "time": 1_700_000_000 + 600}).json()
            assert data["status"] == "success", data
            [sample] = data["data"]["result"]
            assert float(sample["value"][1]) == pytest.approx(0.2)
